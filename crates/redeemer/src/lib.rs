//! The recipient side: a persistent queue of winning tickets, checked against the chain and
//! redeemed with `redeemWinningTicket` (one ready ticket) or `batchRedeemWinningTickets` (several),
//! a bot on the engine ([`livepeer_chain::engine`]).
//!
//! # Inbox (JSON lines)
//!
//! The orchestrator appends each winning ticket as one line of JSON to the inbox file, the
//! [`SignedTicket`] form:
//!
//! ```json
//! {"ticket":{"recipient":"0x…","sender":"0x…","faceValue":"0x…","winProb":"0x…","senderNonce":"0x…","recipientRandHash":"0x…","auxData":"0x…"},"signature":"0x…","recipientRand":"0x…"}
//! ```
//!
//! Numbers are `0x` hex or decimal strings. An optional `"paramsExpirationBlock": N` (see
//! [`intake::HandedOver`]) holds the ticket until (L1) block `N`. Only complete lines (ending in
//! `\n`) are taken; the byte offset reached is journaled after the tickets themselves, so a crash
//! in between re-reads lines that are then deduplicated by ticket hash. A line that does not parse
//! is logged and skipped. If the file shrinks (rotated), reading restarts at its beginning. The
//! gRPC service ([`grpc`]) hands its tickets over the same way, through [`intake`].
//!
//! # On the engine
//!
//! The engine runs a tick at every new head, at every wake-up (a ticket handed over by gRPC), and
//! at least every `--poll-interval` on a chain that makes no blocks. At a tick:
//!
//! - [`bot`] reads, when [`decide::wants_read`] says so: new inbox and intake lines into the
//!   [`queue`] (journaled, fsynced); the fate of our transactions, those that landed at this tick
//!   and those the journal shows in flight with no flight following them (sent before a restart):
//!   a receipt, the node still holding them, or neither; and, when a pass is due
//!   ([`decide::pass_due`]), the pass's facts: the rounds, the gas price, the balance, and for
//!   each pending ticket what the rules ask for.
//! - [`decide::decide`], pure, with its [`decide::Memory`] threaded through: records each
//!   ticket's fate and verdict ([`rules`]), cuts the ready tickets into redemptions of up to
//!   `--max-batch`, and sends one when the account is free.
//! - [`bot`] journals every record as the engine hands the actions over, and every hash a
//!   redemption goes out under (the first, each replacement) at once (fsynced), before anything
//!   waits for it.
//!
//! # A pass
//!
//! At the first tick, then when prompted (new tickets, a transaction of ours landed, or
//! `--poll-interval` passed) once the last pass's redemptions are all out (or have waited
//! `--receipt-timeout` for the account), each pending ticket is judged ([`rules::Judge`]):
//! expired → dead; held (its parameters still valid) → waits; every rule of
//! [`livepeer_protocol::ticket::check_ticket`] (permanent failures → dead with the rule's name,
//! `TicketUsed` → redeemed); the sender's funds ([`livepeer_protocol::ticket::payable_amount`]: unlocked, no funds, nothing
//! payable → wait; short of the face value → deferred, see below); a simulation of
//! `redeemWinningTicket` (reverts decoded; permanent → dead, others → wait); and the payout
//! against the gas cost (`min_profit_percent`; unprofitable → wait). Funds already promised to
//! earlier tickets of the pass are subtracted. The ready tickets go out one redemption at a time,
//! each as the previous one lands; then each ticket is marked redeemed if `usedTickets` says so,
//! or retried (attempt + 1; dead after `max_attempts`). A transaction the node refuses to take
//! counts no attempt: its tickets wait. Nothing is sent at a round's last block (`RoundEnding`:
//! it would land in the next round's first block, before anyone can initialize it); a redemption
//! that lands before its round's initialization all the same (or in the block that initializes
//! it) puts its tickets back to pending without an attempt (`RoundNotInitialized`). Tickets a
//! transaction left unused are judged again by the pass at the tick that finds its fate.
//!
//! # Sending
//!
//! Transactions go through the engine's [`livepeer_chain::sender::TxSender`]: simulated, priced
//! with EIP-1559 fees under the configured cap, replaced with a fee bump when stuck for
//! `--replace-after-blocks`, followed to the configured confirmation depth through reorgs. One
//! redemption is in flight at a time (the account has one nonce pending). A restart resolves the
//! tickets in flight by whichever of the journaled hashes was mined, or by `usedTickets` if the
//! node knows none of them. One still pending after a restart (or, sent by this process, evicted
//! by the node with its nonce still free) is waited for `--replace-after-blocks` blocks, then
//! taken over: the same redemption replaces it at the fee
//! cap ([`livepeer_chain::sender::NonceMode::ReplaceInFlight`]); nothing new is sent meanwhile.
//!
//! # Underfunded tickets
//!
//! A ticket is paid its full face value or not at all (`InsufficientFunds`, or the live
//! deployment's "sender deposit and reserve insufficient…" revert) except in its last redeemable
//! round. A ticket the sender's deposit plus the recipient's reserve slice cannot cover is
//! *deferred*: it stays pending, no attempt is counted and nothing is sent. It is checked again
//! only when that sender's funds (`getSenderInfo` and `claimableReserve`, compared with the
//! snapshot taken when it was deferred) change or a new round starts. A transaction that fails
//! because the funds fell short after it was sent (a fresh simulation says so) releases its
//! ticket back to pending the same way, without an attempt. In its last round it is
//! redeemed for what is claimable; it dies only when it expires (counted as lost to expiry). The
//! gauges `redeemer_tickets_deferred` and `redeemer_deferred_face_value_wei` show them; each
//! change of a ticket's state is logged once (warn), not every pass.
//!
//! A ticket in flight (its transaction broadcast, outcome unknown) is never sent again until that
//! transaction resolves: only pending tickets are judged, and nothing but a resolution (a
//! receipt, or the node no longer knowing the transaction) puts it back to pending.
//!
//! A waiting ticket is retried every pass until it expires (`creationRound + ticketValidityPeriod
//! <= currentRound`), when it is marked dead: the redeemer's miss, counted with its face value in
//! [`metrics`] whatever held it back (a read that fails counts as a failed read there, and its
//! tickets expire all the same).
//!
//! # Max float
//!
//! With the gRPC service, [`max_float::MaxFloats`] is told every change of the queue (after each
//! tick that changed it) and every redemption before it goes out.

pub mod bot;
pub mod chain;
pub mod config;
pub mod decide;
pub mod grpc;
mod ingest;
pub mod intake;
pub mod max_float;
pub mod metrics;
pub mod queue;
pub mod rules;
pub mod tls;
pub mod wire;

use std::{path::PathBuf, sync::Arc, time::Duration};

use alloy::primitives::B256;
use livepeer_chain::{
    ChainError, counter::RequestCounter, engine::Engine, provider::Rpc, sender::TxSender,
};
use livepeer_protocol::ticket::SignedTicket;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use bot::RedeemerBot;
use chain::Broker;
use decide::{Memory, Policy};
use max_float::MaxFloats;
use metrics::RedeemerMetrics;
use queue::{Queue, QueueError};

/// Tuning of the redeemer.
#[derive(Debug, Clone)]
pub struct RedeemerConfig {
    /// Most tickets in one `batchRedeemWinningTickets`.
    pub max_batch: usize,
    /// Failed redemption transactions after which a ticket is marked dead.
    pub max_attempts: u32,
    /// Redeem only when the payout is at least this percentage of the estimated gas cost (100:
    /// payout >= cost; 0: always).
    pub min_profit_percent: u64,
    /// How long a pass's ready tickets wait for the account (a redemption in flight) before the
    /// queue is judged again; for [`Redeemer::process_once`], how long the pass waits for its
    /// transaction before it ends, leaving it in flight for the next one.
    pub receipt_timeout: Duration,
    /// Between passes when nothing prompts one sooner.
    pub poll_interval: Duration,
    /// Gas limit headroom over the estimate, in percent.
    pub gas_margin_percent: u64,
    /// How often the head is polled (without a `ws://` URL).
    pub head_poll_interval: Duration,
}

impl Default for RedeemerConfig {
    fn default() -> Self {
        Self {
            max_batch: 20,
            max_attempts: 5,
            min_profit_percent: 100,
            receipt_timeout: Duration::from_secs(120),
            poll_interval: Duration::from_secs(5),
            gas_margin_percent: 25,
            head_poll_interval: Duration::from_secs(1),
        }
    }
}

/// A redeemer failure.
#[derive(Debug, thiserror::Error)]
pub enum RedeemerError {
    /// The persistent queue failed (fatal: nothing can be recorded).
    #[error(transparent)]
    Queue(#[from] QueueError),
    /// The chain could not be read (the pass is abandoned and retried).
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// A pass could not read the chain (it is retried at the next one).
    #[error("the pass failed: {0}")]
    PassFailed(String),
    /// The inbox could not be read.
    #[error("inbox {path}: {source}")]
    Inbox {
        /// The inbox file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What a pass did (ticket hashes per outcome, and the transactions sent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PassReport {
    /// New tickets taken from the inbox.
    pub ingested: usize,
    /// Tickets now redeemed (or found used).
    pub redeemed: Vec<B256>,
    /// Tickets whose redemption transaction failed; they stay pending.
    pub retried: Vec<B256>,
    /// Tickets not redeemable yet (waiting for funds, the round, profitability…).
    pub deferred: Vec<B256>,
    /// Tickets marked dead.
    pub dead: Vec<B256>,
    /// Transactions broadcast.
    pub transactions: Vec<B256>,
}

impl PassReport {
    /// Adds what `other` did.
    pub fn add(&mut self, other: Self) {
        self.ingested += other.ingested;
        self.redeemed.extend(other.redeemed);
        self.retried.extend(other.retried);
        self.deferred.extend(other.deferred);
        self.dead.extend(other.dead);
        self.transactions.extend(other.transactions);
    }
}

/// The recipient-side redeemer (see the module docs): the bot, its memory between runs, and what
/// the engine needs to run it.
#[derive(Debug)]
pub struct Redeemer {
    bot: RedeemerBot,
    memory: Memory,
    /// Where heads come from.
    heads: Rpc,
    /// Wakes the engine when a ticket arrives.
    wake: Option<Arc<Notify>>,
}

impl Redeemer {
    /// A redeemer over `queue`, sending with `sender`, reading the inbox at `inbox` if given.
    /// Heads are polled through the broker's provider (see [`Redeemer::with_heads`]).
    pub fn new(
        broker: Broker,
        sender: Arc<TxSender>,
        queue: Queue,
        inbox: Option<PathBuf>,
        config: RedeemerConfig,
    ) -> Self {
        let heads = Rpc {
            provider: broker.provider().clone(),
            counter: RequestCounter::new(),
            ws_url: None,
        };
        let policy = Policy {
            replace_after_blocks: sender.policy().replace_after_blocks,
            tuning: config,
            once: false,
        };
        let mut bot = RedeemerBot::new(broker, sender, queue, policy);
        bot.inbox = inbox;
        Self {
            bot,
            memory: Memory::default(),
            heads,
            wake: None,
        }
    }

    /// The same redeemer with heads from `rpc` (subscribed to over its `ws://` URL if it has
    /// one, polled otherwise).
    pub fn with_heads(mut self, rpc: Rpc) -> Self {
        self.heads = rpc;
        self
    }

    /// The same redeemer recording into `metrics` (e.g. ones served at `--metrics-addr`).
    pub fn with_metrics(mut self, metrics: Arc<RedeemerMetrics>) -> Self {
        self.bot.metrics = metrics;
        self.bot.publish();
        self
    }

    /// The same redeemer also taking tickets from the gRPC intake file at `path`.
    pub fn with_intake(mut self, path: PathBuf) -> Self {
        self.bot.intake = Some(path);
        self
    }

    /// The same redeemer woken (a tick at once) whenever `wake` is notified.
    pub fn with_wake(mut self, wake: Arc<Notify>) -> Self {
        self.wake = Some(wake);
        self
    }

    /// The same redeemer telling `floats` every change of its queue.
    pub fn with_max_floats(mut self, floats: Arc<MaxFloats>) -> Self {
        floats.queue_changed(self.bot.queue.tickets());
        self.bot.floats = Some(floats);
        self
    }

    /// The redeemer's metrics.
    pub fn metrics(&self) -> Arc<RedeemerMetrics> {
        self.bot.metrics.clone()
    }

    /// The queue.
    pub fn queue(&self) -> &Queue {
        &self.bot.queue
    }

    /// Queues a winning ticket (the API alternative to the inbox); false if already queued.
    pub fn submit(&mut self, ticket: SignedTicket) -> Result<bool, RedeemerError> {
        let added = self.bot.queue.add(ticket)?;
        if added {
            self.bot.metrics.count(|c| c.queued += 1);
            self.bot.publish();
        }
        Ok(added)
    }

    /// Takes new lines of the inbox and of the gRPC intake into the queue.
    pub fn ingest(&mut self) -> Result<usize, RedeemerError> {
        let added = self.bot.ingest()?;
        self.bot.publish();
        Ok(added)
    }

    /// Takes the whole gRPC intake into the queue and empties it; call it before the service
    /// accepts tickets (nothing may append meanwhile).
    pub fn drain_intake(&mut self) -> Result<usize, RedeemerError> {
        let added = self.bot.drain_intake()?;
        self.bot.publish();
        Ok(added)
    }

    fn engine(&mut self) -> Engine<&mut RedeemerBot> {
        let sender = self.bot.sender.clone();
        let interval = self.bot.policy.tuning.head_poll_interval;
        Engine::new(&mut self.bot, self.heads.clone(), interval).with_lane(sender)
    }

    /// One pass (`--once`): the queue judged at the current head, then what it sends followed
    /// until it lands, each ready redemption in turn; a transaction still in flight after
    /// `receipt_timeout` is left in flight (the next pass finds it pending). A pass that cannot
    /// read the chain fails; it counts as a failed read (`redeemer_read_errors_total`,
    /// `/health`).
    pub async fn process_once(&mut self) -> Result<PassReport, RedeemerError> {
        let stop = CancellationToken::new();
        self.bot.begin(true, stop.clone());
        self.memory.last_pass = None;
        self.memory.ready.clear();
        let memory = std::mem::take(&mut self.memory);
        let patience = self.bot.policy.tuning.receipt_timeout;
        let (_, memory) = self.engine().run_pass(memory, patience, &stop).await;
        self.memory = memory;
        let report = self.bot.end().unwrap_or_default();
        if let Some(err) = self.bot.fatal.take() {
            return Err(err);
        }
        match self.bot.failed.take() {
            Some(err) => Err(RedeemerError::PassFailed(err)),
            None => Ok(report),
        }
    }

    /// Runs until `cancel` fires. Failed reads are logged, counted and retried; a failure of the
    /// queue (or the inbox) ends the run.
    pub async fn run(&mut self, cancel: CancellationToken) -> Result<(), RedeemerError> {
        let stop = cancel.child_token();
        self.bot.begin(false, stop.clone());
        let memory = std::mem::take(&mut self.memory);
        let poll_interval = self.bot.policy.tuning.poll_interval;
        let wake = self.wake.clone();
        let mut engine = self.engine().tick_at_least_every(poll_interval);
        if let Some(wake) = wake {
            engine = engine.woken_by(wake);
        }
        let (_, memory) = engine.run_with(memory, &stop).await;
        self.memory = memory;
        self.bot.end();
        match self.bot.fatal.take() {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }
}

/// Code generated from `proto/redeemer.proto`.
#[allow(missing_docs, missing_debug_implementations, clippy::all)]
pub mod proto {
    tonic::include_proto!("net");
}
