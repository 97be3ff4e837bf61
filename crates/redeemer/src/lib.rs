//! The recipient side: a persistent queue of winning tickets, checked against the chain and
//! redeemed with `redeemWinningTicket` (one ready ticket) or `batchRedeemWinningTickets` (several).
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
//! [`intake::HandedOver`]) holds the ticket until (L1) block `N`. Only complete lines (ending in `\n`) are taken; the
//! byte offset reached is journaled after the tickets themselves, so a crash in between re-reads
//! lines that are then deduplicated by ticket hash. A line that does not parse is logged and
//! skipped. If the file shrinks (rotated), reading restarts at its beginning.
//!
//! # A pass ([`Redeemer::process_once`])
//!
//! 1. Ingest new inbox lines into the [`queue`] (journaled, fsynced).
//! 2. Resolve tickets in flight (a transaction was broadcast, perhaps before a crash): from the
//!    receipt and `usedTickets`; a transaction the node no longer knows puts them back to pending.
//! 3. Check each pending ticket: expired → dead; every rule of [`check_ticket`] (permanent
//!    failures → dead with the rule's name, `TicketUsed` → redeemed); the sender's funds
//!    ([`payable_amount`]: unlocked, no funds, nothing payable → wait; short of the face value →
//!    deferred, see below); a simulation of
//!    `redeemWinningTicket` (reverts decoded; permanent → dead, others → wait); and the payout
//!    against the gas cost (`min_profit_percent`; unprofitable → wait). Funds already promised to
//!    earlier tickets of the pass are subtracted.
//! 4. Send the ready tickets, one `redeemWinningTicket` or `batchRedeemWinningTickets` per
//!    `max_batch`; journal `sent` before awaiting the receipt; then mark each ticket redeemed if
//!    `usedTickets` says so, or retry (attempt + 1; dead after `max_attempts`). A transaction the
//!    node refuses to take counts no attempt: its tickets wait.
//!
//! # Sending
//!
//! Transactions go through the shared [`livepeer_chain::sender::TxSender`]: simulated, priced
//! with EIP-1559 fees under the configured cap, replaced with a fee bump when stuck for
//! `--replace-after-blocks`, followed to the configured confirmation depth through reorgs. One
//! redemption transaction is followed at a time, on its own task with its own head stream (the
//! *flight*); a pass waits for it up to `receipt_timeout`, then leaves it to later passes (its
//! tickets stay in flight, nothing more is sent meanwhile). The hash of every broadcast, the
//! first and each replacement, comes through the sender's [`SendEvents`] hooks and is journaled
//! (`sent`, fsynced) at once, before anything waits for a receipt, so a restart resolves the
//! tickets by whichever of the hashes was mined, or by `usedTickets` if none is known.
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
//! transaction resolves: only pending tickets are checked, and nothing but a resolution (a
//! receipt, or the node no longer knowing the transaction) puts it back to pending.
//!
//! A waiting ticket is retried every pass until it expires (`creationRound + ticketValidityPeriod
//! <= currentRound`), when it is marked dead: the redeemer's miss, counted with its face value in
//! [`metrics`] whatever held it back (a pass that fails on a chain read counts as a failed read
//! there, and its tickets expire all the same).

pub mod chain;
pub mod config;
pub mod grpc;
pub mod intake;
pub mod max_float;
pub mod metrics;
pub mod queue;
pub mod tls;
pub mod wire;

use std::{
    collections::HashMap,
    fs::File,
    io::{Read, Seek, SeekFrom},
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use alloy::{
    network::TransactionBuilder,
    primitives::{Address, B256, TxHash, U256},
    providers::Provider,
    rpc::types::TransactionRequest,
};
use livepeer_bindings::ITicketBroker::ITicketBrokerErrors;
use livepeer_chain::{
    ChainError,
    blocks::BlockStream,
    counter::RequestCounter,
    provider::Rpc,
    revert::RevertReason,
    sender::{Confirmed, NonceMode, SendEvents, TxSender},
};
use tokio::{
    sync::{Notify, mpsc, watch},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

use chain::{Broker, Rounds, describe, is_insufficient_funds};
use intake::HandedOver;
use livepeer_protocol::{
    Round,
    ticket::{
        SenderFunds, SignedTicket, TicketError, check_ticket, is_last_round, is_live,
        payable_amount,
    },
};
use max_float::MaxFloats;
use metrics::{RedeemerMetrics, is_expiry, reason_label};
use queue::{Queue, QueueError, Record, TicketStatus};

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
    /// How long a pass waits for a transaction to be confirmed before leaving it in flight (still
    /// followed, replaced when stuck) for a later pass.
    pub receipt_timeout: Duration,
    /// Pause between passes in [`Redeemer::run`].
    pub poll_interval: Duration,
    /// Gas limit headroom over the estimate, in percent.
    pub gas_margin_percent: u64,
    /// How often the head is polled while a transaction is followed (without a `ws://` URL).
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
    /// The inbox could not be read.
    #[error("inbox {path}: {source}")]
    Inbox {
        /// The inbox file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What one pass did (ticket hashes per outcome, and the transactions sent).
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

/// What to do with a ticket after checking it.
enum Verdict {
    Ready {
        gas: u64,
    },
    Redeemed,
    Defer(String),
    /// The sender's funds do not cover the face value (`InsufficientFunds`): wait until they
    /// change (`funds`, as read from the chain) or a new round starts.
    Underfunded {
        reason: String,
        funds: SenderFunds,
    },
    Dead(String),
}

/// Why an underfunded ticket was last deferred: the sender's funds as read then and the round.
/// It is checked again only when either differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Underfunded {
    funds: SenderFunds,
    round: Round,
}

/// A sender's funds for one recipient in a pass: as read from the chain, and what is left of them
/// after the tickets already made ready this pass.
#[derive(Debug, Clone, Copy)]
struct PassFunds {
    read: SenderFunds,
    left: SenderFunds,
}

/// The transaction being followed: the chain sender's task, and the hashes it broadcast.
#[derive(Debug)]
struct Flight {
    /// The tickets it carries.
    tickets: Vec<B256>,
    /// Every hash broadcast and journaled so far, oldest first.
    txs: Vec<B256>,
    /// Hashes as they are broadcast (the first, then each replacement); closed when the task ends.
    events: mpsc::UnboundedReceiver<TxHash>,
    /// Whether `events` is closed (the task ended).
    done: bool,
    handle: JoinHandle<Result<Confirmed, ChainError>>,
}

/// Hands every broadcast hash over to the redeemer, which journals it.
struct FlightEvents(mpsc::UnboundedSender<TxHash>);

impl SendEvents for FlightEvents {
    fn sent(&self, hash: TxHash, _nonce: u64) {
        // The receiver lives as long as the flight is followed; gone only at shutdown.
        let _ = self.0.send(hash);
    }
    fn replaced(&self, _old: TxHash, new: TxHash) {
        let _ = self.0.send(new);
    }
}

/// The recipient-side redeemer (see the module docs).
#[derive(Debug)]
pub struct Redeemer {
    broker: Broker,
    sender: Arc<TxSender>,
    queue: Queue,
    inbox: Option<PathBuf>,
    config: RedeemerConfig,
    metrics: Arc<RedeemerMetrics>,
    /// Tickets deferred for lack of funds (in memory: after a restart each is checked once).
    underfunded: HashMap<B256, Underfunded>,
    /// The gRPC intake file, if the service runs.
    intake: Option<PathBuf>,
    /// Woken when a ticket arrives, to start a pass before `poll_interval` ends.
    wake: Option<Arc<Notify>>,
    /// Told every change of the queue, for max float.
    floats: Option<Arc<MaxFloats>>,
    /// Where the flights' heads come from.
    heads: Rpc,
    /// The last pass's rounds (which tickets are in their last round, for the metrics).
    rounds: Option<Rounds>,
    /// The transaction being followed, if any.
    flight: Option<Flight>,
    /// Transactions in flight that no flight follows (sent before a restart), by their hashes:
    /// the block at which they were first seen pending.
    orphans: HashMap<Vec<B256>, u64>,
    /// Stops the flights (on drop, and when [`Redeemer::run`]'s token fires).
    cancel: CancellationToken,
}

impl Drop for Redeemer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
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
        let metrics = Arc::new(RedeemerMetrics::default());
        metrics.set_queue(queue.tickets(), None);
        let heads = Rpc {
            provider: broker.provider().clone(),
            counter: RequestCounter::new(),
            ws_url: None,
        };
        Self {
            broker,
            sender,
            queue,
            inbox,
            config,
            metrics,
            underfunded: HashMap::new(),
            intake: None,
            wake: None,
            floats: None,
            heads,
            rounds: None,
            flight: None,
            orphans: HashMap::new(),
            cancel: CancellationToken::new(),
        }
    }

    /// The same redeemer following its transactions with heads from `rpc` (subscribed to over
    /// its `ws://` URL if it has one, polled otherwise).
    pub fn with_heads(mut self, rpc: Rpc) -> Self {
        self.heads = rpc;
        self
    }

    /// The same redeemer recording into `metrics` (e.g. ones served at `--metrics-addr`).
    pub fn with_metrics(mut self, metrics: Arc<RedeemerMetrics>) -> Self {
        metrics.set_queue(self.queue.tickets(), self.rounds.as_ref());
        self.metrics = metrics;
        self
    }

    /// The same redeemer also taking tickets from the gRPC intake file at `path`.
    pub fn with_intake(mut self, path: PathBuf) -> Self {
        self.intake = Some(path);
        self
    }

    /// The same redeemer starting a pass as soon as `wake` is notified.
    pub fn with_wake(mut self, wake: Arc<Notify>) -> Self {
        self.wake = Some(wake);
        self
    }

    /// The same redeemer telling `floats` every change of its queue.
    pub fn with_max_floats(mut self, floats: Arc<MaxFloats>) -> Self {
        floats.queue_changed(self.queue.tickets());
        self.floats = Some(floats);
        self
    }

    /// Publishes the queue's state to the metrics and max float.
    fn publish(&self) {
        self.metrics
            .set_queue(self.queue.tickets(), self.rounds.as_ref());
        if let Some(floats) = &self.floats {
            floats.queue_changed(self.queue.tickets());
        }
    }

    /// The redeemer's metrics.
    pub fn metrics(&self) -> Arc<RedeemerMetrics> {
        self.metrics.clone()
    }

    /// The queue.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// Queues a winning ticket (the API alternative to the inbox); false if already queued.
    pub fn submit(&mut self, ticket: SignedTicket) -> Result<bool, RedeemerError> {
        let added = self.queue.add(ticket)?;
        if added {
            self.metrics.count(|c| c.queued += 1);
            self.publish();
        }
        Ok(added)
    }

    /// Runs passes every `poll_interval` (sooner when woken) until `cancel` fires. Chain failures
    /// are logged and the pass retried; queue failures end the loop.
    pub async fn run(&mut self, cancel: CancellationToken) -> Result<(), RedeemerError> {
        // A transaction followed at shutdown is left in flight (journaled) for the next start.
        let (flights, shutdown) = (self.cancel.clone(), cancel.clone());
        tokio::spawn(async move {
            tokio::select! {
                () = shutdown.cancelled() => flights.cancel(),
                () = flights.cancelled() => {}
            }
        });
        loop {
            match self.process_once().await {
                Ok(report) => {
                    if report != PassReport::default() {
                        tracing::info!(
                            ingested = report.ingested,
                            redeemed = report.redeemed.len(),
                            retried = report.retried.len(),
                            deferred = report.deferred.len(),
                            dead = report.dead.len(),
                            transactions = report.transactions.len(),
                            "pass"
                        );
                    }
                }
                // Counted and logged by the pass; retried at the next one.
                Err(RedeemerError::Chain(_)) => {}
                Err(err) => return Err(err),
            }
            let wake = self.wake.clone();
            let woken = async {
                match wake {
                    Some(wake) => wake.notified().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                () = cancel.cancelled() => return Ok(()),
                idle = self.idle(self.config.poll_interval) => idle?,
                () = woken => {}
            }
        }
    }

    /// One pass: ingest, resolve in-flight transactions, check pending tickets, send. A pass
    /// abandoned on a chain error counts as a failed read (`redeemer_read_errors_total`,
    /// `/health`).
    pub async fn process_once(&mut self) -> Result<PassReport, RedeemerError> {
        let result = self.pass().await;
        match &result {
            Ok(_) => {
                self.metrics.health.ok();
                self.metrics.count(|c| c.passes += 1);
            }
            Err(RedeemerError::Chain(err)) => {
                let failed = self.metrics.health.failed();
                self.metrics.count(|c| c.read_errors += 1);
                tracing::warn!(%err, failed, "pass abandoned: reading the chain failed");
            }
            Err(_) => {}
        }
        self.publish();
        result
    }

    async fn pass(&mut self) -> Result<PassReport, RedeemerError> {
        let mut report = PassReport {
            ingested: self.ingest()?,
            ..PassReport::default()
        };
        self.resolve_in_flight(&mut report).await?;

        let rounds = self.broker.rounds().await?;
        self.rounds = Some(rounds);
        let (gas_price, balance) = tokio::try_join!(
            self.broker.gas_price(),
            self.broker.balance(self.sender.address())
        )?;
        self.metrics.set_signer_balance(balance);
        let pending: Vec<B256> = self
            .queue
            .open_tickets()
            .filter(|t| t.status == TicketStatus::Pending)
            .map(|t| t.hash)
            .collect();
        // The (L1) block, read only when a pending ticket is held until some block.
        let held_any = pending.iter().any(|h| {
            self.queue
                .get(h)
                .is_some_and(|t| t.hold_until_block.is_some())
        });
        let l1_block = match held_any {
            true => Some(self.broker.l1_block().await?),
            false => None,
        };
        let mut funds: HashMap<(Address, Address), PassFunds> = HashMap::new();
        let mut ready: Vec<(B256, u64)> = Vec::new();
        for hash in pending {
            let Some((signed, hold)) = self
                .queue
                .get(&hash)
                .map(|t| (t.signed.clone(), t.hold_until_block))
            else {
                continue;
            };
            let held = hold.zip(l1_block).filter(|(until, block)| block < until);
            let verdict = self
                .check(&signed, &rounds, gas_price, held, &mut funds)
                .await?;
            if !matches!(verdict, Verdict::Underfunded { .. }) {
                self.underfunded.remove(&hash);
            }
            match verdict {
                Verdict::Ready { gas } => ready.push((hash, gas)),
                Verdict::Redeemed => self.redeemed(hash, None, &mut report)?,
                Verdict::Defer(reason) => self.defer(hash, reason, &mut report)?,
                Verdict::Underfunded { reason, funds } => {
                    self.underfunded.insert(
                        hash,
                        Underfunded {
                            funds,
                            round: rounds.current,
                        },
                    );
                    self.defer(hash, reason, &mut report)?;
                }
                Verdict::Dead(reason) => self.dead(hash, reason, &mut report)?,
            }
        }

        if rounds.ends_at_head() {
            // Sent now, it would land in the next round's first block, which no keeper can have
            // initialized yet: it would redeem nothing.
            for (hash, _) in ready {
                self.defer(
                    hash,
                    "RoundEnding: the next block starts a round not initialized yet".into(),
                    &mut report,
                )?;
            }
            return Ok(report);
        }
        for chunk in ready.chunks(self.config.max_batch.max(1)) {
            self.send(chunk, &mut report).await?;
        }
        Ok(report)
    }

    /// Applies every rule to one pending ticket.
    /// `held`: the block the ticket is held until and the current one, while it is held.
    async fn check(
        &self,
        signed: &SignedTicket,
        rounds: &Rounds,
        gas_price: u128,
        held: Option<(u64, u64)>,
        funds: &mut HashMap<(Address, Address), PassFunds>,
    ) -> Result<Verdict, RedeemerError> {
        let ticket = &signed.ticket;
        let hash = ticket.hash();
        let aux = ticket.aux().ok();
        // Expiry first: an expired ticket is dead even while the round waits for initialization.
        if let Some(aux) = &aux
            && !is_live(
                aux.creation_round,
                rounds.ticket_validity_period,
                rounds.current,
            )
        {
            return Ok(Verdict::Dead(
                TicketError::TicketExpired {
                    creation_round: aux.creation_round,
                    current_round: rounds.current,
                }
                .to_string_named(),
            ));
        }
        if let Some((until, block)) = held {
            return Ok(Verdict::Defer(format!(
                "held until block {until}: its recipientRand still validates tickets (block {block})"
            )));
        }
        let key = (ticket.sender, ticket.recipient);
        // An underfunded ticket is looked at again only when its sender's funds changed or a new
        // round started (one getSenderInfo per sender and pass, no simulation).
        if let Some(before) = self.underfunded.get(&hash).copied() {
            let now = self.pass_funds(key, funds).await?;
            if before.funds == now.read && before.round == rounds.current {
                let reason = self
                    .queue
                    .get(&hash)
                    .and_then(|t| t.last_error.clone())
                    .unwrap_or_default();
                return Ok(Verdict::Underfunded {
                    reason,
                    funds: now.read,
                });
            }
        }
        let state = self.broker.chain_state(signed, rounds).await?;
        match check_ticket(signed, &state) {
            Ok(_) => {}
            Err(TicketError::TicketUsed { .. }) => return Ok(Verdict::Redeemed),
            Err(e @ TicketError::UnknownCreationRound { creation_round })
                if creation_round > rounds.current =>
            {
                return Ok(Verdict::Defer(e.to_string_named()));
            }
            Err(e) if e.is_permanent() => return Ok(Verdict::Dead(e.to_string_named())),
            Err(e) => return Ok(Verdict::Defer(e.to_string_named())),
        }

        let pass_funds = self.pass_funds(key, funds).await?;
        let available = pass_funds.left;
        // In its last round a ticket is paid what the sender has, not all or nothing.
        let last_round = aux.as_ref().is_some_and(|aux| {
            is_last_round(
                aux.creation_round,
                rounds.ticket_validity_period,
                rounds.current,
            )
        });
        let amount = match payable_amount(
            ticket.face_value,
            ticket.sender,
            ticket.recipient,
            &available,
            rounds.current,
            last_round,
        ) {
            Ok(amount) => amount,
            // Short only because of tickets made ready earlier this pass: no snapshot (if their
            // transaction fails, the funds on chain do not change, yet this one may be payable).
            Err(e @ TicketError::InsufficientFunds { .. }) if available != pass_funds.read => {
                return Ok(Verdict::Defer(e.to_string_named()));
            }
            Err(e @ TicketError::InsufficientFunds { .. }) => {
                return Ok(Verdict::Underfunded {
                    reason: e.to_string_named(),
                    funds: pass_funds.read,
                });
            }
            Err(e) => return Ok(Verdict::Defer(e.to_string_named())),
        };

        let gas = match self
            .broker
            .simulate(self.sender.address(), self.broker.redeem_tx(signed))
            .await
        {
            Ok(gas) => gas,
            Err(ChainError::SimulationReverted(revert)) if is_insufficient_funds(&revert) => {
                return Ok(Verdict::Underfunded {
                    reason: format!(
                        "InsufficientFunds: simulation reverts with {}",
                        describe(&revert)
                    ),
                    funds: pass_funds.read,
                });
            }
            Err(ChainError::SimulationReverted(revert)) => return Ok(classify(&revert)),
            Err(e) => return Err(e.into()),
        };
        let cost = U256::from(gas) * U256::from(gas_price);
        if amount * U256::from(100u64) < cost * U256::from(self.config.min_profit_percent) {
            tracing::debug!(hash = %ticket.hash(), %amount, %cost, "unprofitable for now");
            // The recorded reason leaves out the gas price so it stays the same from pass to pass
            // (an unchanged reason is not journaled again).
            return Ok(Verdict::Defer(format!(
                "unprofitable: pays {amount} wei, under {}% of the gas cost",
                self.config.min_profit_percent
            )));
        }
        funds.insert(
            key,
            PassFunds {
                read: pass_funds.read,
                left: debit(available, amount),
            },
        );
        Ok(Verdict::Ready { gas })
    }

    /// The sender's funds for `key` (sender, recipient) this pass, read once.
    async fn pass_funds(
        &self,
        key: (Address, Address),
        funds: &mut HashMap<(Address, Address), PassFunds>,
    ) -> Result<PassFunds, RedeemerError> {
        if let Some(f) = funds.get(&key) {
            return Ok(*f);
        }
        let read = self.broker.sender_funds(key.0, key.1).await?;
        let f = PassFunds { read, left: read };
        funds.insert(key, f);
        Ok(f)
    }

    /// Sends one transaction for `chunk` and resolves it if it is confirmed in time. While an
    /// earlier transaction is still followed, nothing is sent: the tickets wait for the next pass
    /// (the account has one nonce pending at a time).
    async fn send(
        &mut self,
        chunk: &[(B256, u64)],
        report: &mut PassReport,
    ) -> Result<(), RedeemerError> {
        let hashes: Vec<B256> = chunk.iter().map(|(h, _)| *h).collect();
        if let Some(flight) = &self.flight {
            tracing::debug!(
                tx = ?flight.txs.last(),
                tickets = hashes.len(),
                "a redemption is still in flight; sending next pass"
            );
            report.deferred.extend(hashes);
            return Ok(());
        }
        let tx = self.redemption_tx(chunk);
        if let Some(floats) = &self.floats {
            floats.sending(
                hashes
                    .iter()
                    .filter_map(|h| self.queue.get(h).map(|t| t.signed.ticket.sender)),
            );
        }
        let mut flight = self.launch(hashes.clone(), tx, NonceMode::Next);
        // The first event is the broadcast; the channel closes without one if nothing was sent.
        let Some(tx_hash) = flight.events.recv().await else {
            let e = match flight.handle.await {
                Ok(Err(e)) => e,
                Ok(Ok(_)) => ChainError::Build("the sender reported no broadcast".into()),
                Err(join) => ChainError::Build(format!("the sending task failed: {join}")),
            };
            // Nothing reached the chain: the tickets wait (no attempt counted), so a node outage
            // never uses up their attempts.
            tracing::warn!(%e, tickets = hashes.len(), "sending failed");
            for hash in hashes {
                self.defer(hash, format!("sending failed: {e}"), report)?;
            }
            return Ok(());
        };
        tracing::info!(tx = %tx_hash, tickets = hashes.len(), "redemption sent");
        self.metrics.count(|c| c.txs_sent += 1);
        self.queue.record(Record::Sent {
            hashes: hashes.clone(),
            tx: tx_hash,
        })?;
        flight.txs.push(tx_hash);
        report.transactions.push(tx_hash);
        self.flight = Some(flight);
        if !self.follow(self.config.receipt_timeout).await? {
            tracing::warn!(tx = %tx_hash, "not confirmed yet; resolving in a later pass");
            return Ok(());
        }
        self.land(report).await
    }

    /// The redemption of `chunk` (ticket hashes with their single-call gas estimates): one
    /// `redeemWinningTicket`, or a `batchRedeemWinningTickets`, with its gas limit.
    fn redemption_tx(&self, chunk: &[(B256, u64)]) -> TransactionRequest {
        let tickets: Vec<SignedTicket> = chunk
            .iter()
            .filter_map(|(h, _)| self.queue.get(h).map(|t| t.signed.clone()))
            .collect();
        let (tx, gas) = match tickets.as_slice() {
            [single] => (self.broker.redeem_tx(single), chunk[0].1),
            many => {
                let refs: Vec<&SignedTicket> = many.iter().collect();
                // Not the batch's own estimate: the batch never reverts, so eth_estimateGas finds the
                // gas at which the inner redemptions fail quietly. Each ticket's single-call estimate
                // bounds its share of the batch from above.
                let gas = chunk
                    .iter()
                    .fold(0u64, |sum, (_, gas)| sum.saturating_add(*gas));
                (self.broker.batch_tx(&refs), gas)
            }
        };
        let gas_limit = gas.saturating_mul(100 + self.config.gas_margin_percent) / 100;
        tx.with_gas_limit(gas_limit)
    }

    /// Starts the chain sender on `tx` on a task of its own, feeding it heads.
    fn launch(&self, tickets: Vec<B256>, tx: TransactionRequest, mode: NonceMode) -> Flight {
        let (events_tx, events) = mpsc::unbounded_channel();
        let sender = self.sender.clone();
        let rpc = self.heads.clone();
        let interval = self.config.head_poll_interval;
        let cancel = self.cancel.child_token();
        let handle = tokio::spawn(async move {
            let events = FlightEvents(events_tx);
            let mut blocks = BlockStream::new(&rpc, interval).await;
            let first = match blocks.next(&cancel).await {
                Some(Ok(head)) => head,
                Some(Err(e)) => return Err(e),
                None => return Err(ChainError::Cancelled),
            };
            let (heads_tx, heads) = watch::channel(first);
            let send = sender.send(tx, first.base_fee, mode, heads, &cancel, &events);
            tokio::pin!(send);
            loop {
                tokio::select! {
                    result = &mut send => return result,
                    next = blocks.next(&cancel) => match next {
                        Some(Ok(head)) => {
                            heads_tx.send_replace(head);
                        }
                        Some(Err(err)) => tracing::debug!(%err, "reading the head failed"),
                        // Cancelled: the sender sees it too.
                        None => return send.await,
                    },
                }
            }
        });
        Flight {
            tickets,
            txs: Vec::new(),
            events,
            done: false,
            handle,
        }
    }

    /// Journals the hashes the flight broadcast (replacements) until it ends (true) or `timeout`
    /// passes (false; also when there is no flight).
    async fn follow(&mut self, timeout: Duration) -> Result<bool, RedeemerError> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let event = match self.flight.as_mut() {
                None => return Ok(false),
                Some(flight) if flight.done => return Ok(true),
                Some(flight) => tokio::select! {
                    // Events already there first, even with no time left.
                    biased;
                    event = flight.events.recv() => event,
                    () = tokio::time::sleep_until(deadline) => return Ok(false),
                },
            };
            self.on_flight_event(event)?;
        }
    }

    /// Waits `period` (between passes), journaling replacements as they are broadcast.
    async fn idle(&mut self, period: Duration) -> Result<(), RedeemerError> {
        let deadline = tokio::time::Instant::now() + period;
        // Returns early when there is no flight or it ended: the rest of the period is slept.
        self.follow(period).await?;
        tokio::time::sleep_until(deadline).await;
        Ok(())
    }

    /// One event of the flight: a replacement's hash (journaled at once), or the end.
    fn on_flight_event(&mut self, event: Option<TxHash>) -> Result<(), RedeemerError> {
        let Some(flight) = self.flight.as_mut() else {
            return Ok(());
        };
        let Some(tx) = event else {
            flight.done = true;
            return Ok(());
        };
        let (hashes, old) = (flight.tickets.clone(), flight.txs.last().copied());
        flight.txs.push(tx);
        tracing::info!(?old, new = %tx, tickets = hashes.len(), "stuck redemption replaced");
        self.metrics.count(|c| c.txs_replaced += 1);
        self.queue.record(Record::Sent { hashes, tx })?;
        Ok(())
    }

    /// Resolves the tickets of the flight that ended.
    async fn land(&mut self, report: &mut PassReport) -> Result<(), RedeemerError> {
        let Some(flight) = self.flight.take() else {
            return Ok(());
        };
        let result = flight.handle.await.unwrap_or_else(|join| {
            Err(ChainError::Build(format!(
                "the sending task failed: {join}"
            )))
        });
        match result {
            Ok(confirmed) => {
                let tx = confirmed.receipt.transaction_hash;
                self.count_gas(&confirmed.receipt);
                let block = confirmed.receipt.block_number;
                self.resolve(tx, block, &flight.tickets, true, report).await
            }
            Err(ChainError::RevertedOnChain { hash, block }) => {
                if let Some(receipt) = self
                    .broker
                    .provider()
                    .get_transaction_receipt(hash)
                    .await
                    .map_err(ChainError::Rpc)?
                {
                    self.count_gas(&receipt);
                }
                self.resolve(hash, Some(block), &flight.tickets, false, report)
                    .await
            }
            // Shutdown: the tickets stay in flight for the next start.
            Err(ChainError::Cancelled) => Ok(()),
            Err(e) => {
                tracing::warn!(%e, txs = ?flight.txs, "following the redemption failed; resolving from the chain");
                self.resolve_from_chain(&flight.txs, &flight.tickets, report)
                    .await
            }
        }
    }

    /// Resolves tickets of transactions broadcast earlier (maybe before a restart): the flight
    /// if it ended, and tickets in flight that no flight follows from the chain.
    async fn resolve_in_flight(&mut self, report: &mut PassReport) -> Result<(), RedeemerError> {
        // A flight whose transaction the chain shows confirmed ends at its next head: wait for it.
        let mut ended = self.follow(Duration::ZERO).await?;
        if !ended && self.flight_is_due().await? {
            ended = self.follow(self.config.receipt_timeout).await?;
        }
        if ended {
            self.land(report).await?;
        }
        let followed: Vec<B256> = self
            .flight
            .as_ref()
            .map(|f| f.tickets.clone())
            .unwrap_or_default();
        let mut by_txs: Vec<(Vec<B256>, Vec<B256>)> = Vec::new();
        for t in self.queue.open_tickets() {
            let txs = t.status.in_flight_txs();
            if txs.is_empty() || followed.contains(&t.hash) {
                continue;
            }
            match by_txs.iter_mut().find(|(h, _)| *h == txs) {
                Some((_, hashes)) => hashes.push(t.hash),
                None => by_txs.push((txs, vec![t.hash])),
            }
        }
        for (txs, hashes) in by_txs {
            self.resolve_from_chain(&txs, &hashes, report).await?;
        }
        Ok(())
    }

    /// Whether one of the flight's transactions has a receipt at the confirmation depth, so the
    /// flight ends as soon as it looks at the head.
    async fn flight_is_due(&self) -> Result<bool, ChainError> {
        let Some(flight) = &self.flight else {
            return Ok(false);
        };
        let provider = self.broker.provider();
        for &tx in flight.txs.iter().rev() {
            if let Some(receipt) = provider.get_transaction_receipt(tx).await? {
                let head = provider.get_block_number().await?;
                let block = receipt.block_number.unwrap_or(head);
                return Ok(head + 1 >= block + self.sender.policy().confirmations);
            }
        }
        Ok(false)
    }

    /// Resolves tickets carried by `txs` (one nonce: the first and its replacements) that no
    /// flight follows: from the receipt of whichever was mined; if none is and the node knows
    /// none of them, each ticket is redeemed if `usedTickets` says so (by a transaction whose
    /// hash was never journaled, e.g. a replacement broadcast just before a crash), else retried.
    /// A transaction still pending keeps its tickets in flight.
    async fn resolve_from_chain(
        &mut self,
        txs: &[B256],
        hashes: &[B256],
        report: &mut PassReport,
    ) -> Result<(), RedeemerError> {
        let provider = self.broker.provider().clone();
        for &tx in txs.iter().rev() {
            if let Some(receipt) = provider
                .get_transaction_receipt(tx)
                .await
                .map_err(ChainError::Rpc)?
            {
                self.count_gas(&receipt);
                return self
                    .resolve(tx, receipt.block_number, hashes, receipt.status(), report)
                    .await;
            }
        }
        for &tx in txs {
            if let Some(pending) = provider
                .get_transaction_by_hash(tx)
                .await
                .map_err(ChainError::Rpc)?
            {
                let nonce = alloy::consensus::Transaction::nonce(&pending);
                return self.take_over(txs, hashes, nonce).await;
            }
        }
        let dropped = match txs {
            [tx] => format!("transaction {tx} was dropped"),
            _ => format!("transactions {txs:?} were dropped"),
        };
        for &hash in hashes {
            if self.broker.is_used(hash).await? {
                self.redeemed(hash, None, report)?;
            } else {
                self.retry(hash, dropped.clone(), report)?;
            }
        }
        Ok(())
    }

    /// A transaction still pending that no flight follows (sent before a restart): once it has
    /// waited `--replace-after-blocks` blocks since first seen here, and if it holds the account's
    /// next nonce, a flight takes it over: the same redemption replaces it
    /// ([`NonceMode::ReplaceInFlight`], at the fee cap) and is followed as usual. Until then, and
    /// while another flight runs, its tickets stay in flight.
    async fn take_over(
        &mut self,
        txs: &[B256],
        hashes: &[B256],
        nonce: u64,
    ) -> Result<(), RedeemerError> {
        if self.flight.is_some() {
            return Ok(());
        }
        let head = self
            .broker
            .provider()
            .get_block_number()
            .await
            .map_err(ChainError::Rpc)?;
        let since = *self.orphans.entry(txs.to_vec()).or_insert(head);
        if head < since.saturating_add(self.sender.policy().replace_after_blocks) {
            return Ok(());
        }
        let (latest, _) = self.sender.nonces().await?;
        if nonce != latest {
            return Ok(());
        }
        let mut chunk = Vec::with_capacity(hashes.len());
        for &hash in hashes {
            let Some(signed) = self.queue.get(&hash).map(|t| t.signed.clone()) else {
                return Ok(());
            };
            match self
                .broker
                .simulate(self.sender.address(), self.broker.redeem_tx(&signed))
                .await
            {
                Ok(gas) => chunk.push((hash, gas)),
                // It would not redeem any more (e.g. used meanwhile): left to its resolution.
                Err(ChainError::SimulationReverted(_)) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
        self.orphans.remove(txs);
        tracing::warn!(
            txs = ?txs,
            nonce,
            tickets = hashes.len(),
            "a redemption sent before a restart is stuck; replacing it"
        );
        let tx = self.redemption_tx(&chunk);
        let mut flight = self.launch(hashes.to_vec(), tx, NonceMode::ReplaceInFlight);
        // Its broadcast is journaled as a replacement of these, before anything else happens.
        flight.txs = txs.to_vec();
        let event = flight.events.recv().await;
        self.flight = Some(flight);
        self.on_flight_event(event)
    }

    /// After a receipt: each ticket is redeemed if used on chain, else retried with the reason.
    async fn resolve(
        &mut self,
        tx: B256,
        block: Option<u64>,
        hashes: &[B256],
        success: bool,
        report: &mut PassReport,
    ) -> Result<(), RedeemerError> {
        // Landed in a round before its initialization (a round's first blocks): nothing could
        // be redeemed there, whatever the tickets.
        let uninitialized = match block {
            Some(block) if !hashes.is_empty() => !self.broker.round_initialized_at(block).await?,
            _ => false,
        };
        for &hash in hashes {
            if self.broker.is_used(hash).await? {
                tracing::info!(%hash, %tx, "ticket redeemed");
                self.redeemed(hash, Some(tx), report)?;
                continue;
            }
            let what = if success {
                format!("not redeemed by batch transaction {tx}")
            } else {
                format!("transaction {tx} reverted")
            };
            if uninitialized {
                let reason = format!(
                    "RoundNotInitialized: {what}: it landed in block {}, before its round's initialization",
                    block.unwrap_or_default()
                );
                tracing::warn!(%hash, %reason, "ticket back to pending, no attempt counted");
                self.queue.record(Record::Released { hash, reason })?;
                report.deferred.push(hash);
                continue;
            }
            // Say why, as far as a fresh simulation can tell.
            let why = match self.queue.get(&hash).map(|t| t.signed.clone()) {
                Some(signed) => match self
                    .broker
                    .simulate(self.sender.address(), self.broker.redeem_tx(&signed))
                    .await
                {
                    Ok(_) => String::new(),
                    // The sender's funds fell short meanwhile (e.g. other tickets redeemed first):
                    // the ticket is deferred, not charged an attempt.
                    Err(ChainError::SimulationReverted(revert))
                        if is_insufficient_funds(&revert) =>
                    {
                        let reason = format!(
                            "InsufficientFunds: {what} (now reverts with {})",
                            describe(&revert)
                        );
                        tracing::warn!(
                            %hash,
                            %reason,
                            "ticket deferred: the sender's funds no longer cover its face value"
                        );
                        self.queue.record(Record::Released { hash, reason })?;
                        report.deferred.push(hash);
                        continue;
                    }
                    Err(ChainError::SimulationReverted(revert)) => {
                        format!(" (now reverts with {})", describe(&revert))
                    }
                    Err(e) => format!(" (now {e})"),
                },
                None => String::new(),
            };
            self.retry(hash, format!("{what}{why}"), report)?;
        }
        Ok(())
    }

    /// Records that the ticket waits (journaled only when the reason changed).
    fn defer(
        &mut self,
        hash: B256,
        reason: String,
        report: &mut PassReport,
    ) -> Result<(), RedeemerError> {
        let unchanged = self
            .queue
            .get(&hash)
            .is_some_and(|t| t.last_error.as_deref() == Some(reason.as_str()));
        if !unchanged {
            if reason_label(&reason) == "InsufficientFunds" {
                let face_value = self
                    .queue
                    .get(&hash)
                    .map_or(U256::ZERO, |t| t.signed.ticket.face_value);
                tracing::warn!(
                    %hash,
                    %face_value,
                    %reason,
                    "ticket deferred: the sender's funds do not cover its face value; \
                     checked again when they change or a round starts"
                );
            } else {
                tracing::info!(%hash, %reason, "ticket waits");
            }
            self.queue.record(Record::Deferred { hash, reason })?;
        }
        report.deferred.push(hash);
        Ok(())
    }

    /// Records a failed attempt; after `max_attempts` the ticket is dead.
    fn retry(
        &mut self,
        hash: B256,
        reason: String,
        report: &mut PassReport,
    ) -> Result<(), RedeemerError> {
        tracing::warn!(%hash, %reason, "redemption attempt failed");
        self.queue.record(Record::Retry {
            hash,
            reason: reason.clone(),
        })?;
        let attempts = self.queue.get(&hash).map_or(0, |t| t.attempts);
        if attempts >= self.config.max_attempts {
            self.dead(
                hash,
                format!("gave up after {attempts} failed attempts; last: {reason}"),
                report,
            )?;
        } else {
            report.retried.push(hash);
        }
        Ok(())
    }

    /// Records that the ticket is used on chain (by `tx`, or found used).
    fn redeemed(
        &mut self,
        hash: B256,
        tx: Option<B256>,
        report: &mut PassReport,
    ) -> Result<(), RedeemerError> {
        self.underfunded.remove(&hash);
        self.queue.record(Record::Redeemed { hash, tx })?;
        let face_value = self
            .queue
            .get(&hash)
            .map_or(U256::ZERO, |t| t.signed.ticket.face_value);
        self.metrics.count(|c| {
            c.redeemed += 1;
            c.face_value_redeemed = c.face_value_redeemed.saturating_add(face_value);
        });
        report.redeemed.push(hash);
        Ok(())
    }

    /// Records that the ticket will never be redeemed; an expired one is the redeemer's miss.
    fn dead(
        &mut self,
        hash: B256,
        reason: String,
        report: &mut PassReport,
    ) -> Result<(), RedeemerError> {
        let expired = is_expiry(&reason);
        let face_value = self
            .queue
            .get(&hash)
            .map_or(U256::ZERO, |t| t.signed.ticket.face_value);
        if expired {
            tracing::error!(%hash, %face_value, %reason, "TICKET EXPIRED UNREDEEMED: its fees are lost");
        } else {
            tracing::warn!(%hash, %reason, "ticket dead");
        }
        self.underfunded.remove(&hash);
        self.queue.record(Record::Dead { hash, reason })?;
        self.metrics.count(|c| {
            c.dead += 1;
            if expired {
                c.expired += 1;
                c.face_value_expired = c.face_value_expired.saturating_add(face_value);
            }
        });
        report.dead.push(hash);
        Ok(())
    }

    fn count_gas(&self, receipt: &alloy::rpc::types::TransactionReceipt) {
        let spent = u128::from(receipt.gas_used).saturating_mul(receipt.effective_gas_price);
        self.metrics.count(|c| {
            c.gas_used = c.gas_used.saturating_add(receipt.gas_used);
            c.gas_spent_wei = c.gas_spent_wei.saturating_add(spent);
        });
    }

    /// Takes new lines of the inbox and of the gRPC intake into the queue.
    pub fn ingest(&mut self) -> Result<usize, RedeemerError> {
        Ok(self.ingest_inbox()? + self.ingest_intake()?)
    }

    /// Takes new inbox lines into the queue (see the module docs).
    pub fn ingest_inbox(&mut self) -> Result<usize, RedeemerError> {
        let Some(path) = self.inbox.clone() else {
            return Ok(0);
        };
        self.ingest_file(&path, Source::Inbox)
    }

    /// Takes new lines of the gRPC intake into the queue.
    pub fn ingest_intake(&mut self) -> Result<usize, RedeemerError> {
        let Some(path) = self.intake.clone() else {
            return Ok(0);
        };
        self.ingest_file(&path, Source::Intake)
    }

    /// Takes the whole gRPC intake into the queue and empties it; call it before the service
    /// accepts tickets (nothing may append meanwhile).
    pub fn drain_intake(&mut self) -> Result<usize, RedeemerError> {
        let added = self.ingest_intake()?;
        if let Some(path) = self.intake.clone() {
            let empty = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_len(0).and_then(|()| f.sync_all()));
            match empty {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(RedeemerError::Inbox { path, source }),
            }
            if self.queue.intake_offset() != 0 {
                self.queue.record(Record::Intake { offset: 0 })?;
            }
        }
        Ok(added)
    }

    fn ingest_file(&mut self, path: &Path, source: Source) -> Result<usize, RedeemerError> {
        let inbox_err = |e| RedeemerError::Inbox {
            path: path.to_path_buf(),
            source: e,
        };
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(inbox_err(e)),
        };
        let len = file.metadata().map_err(inbox_err)?.len();
        let recorded = match source {
            Source::Inbox => self.queue.inbox_offset(),
            Source::Intake => self.queue.intake_offset(),
        };
        let mut offset = recorded;
        if len < offset {
            tracing::warn!(path = %path.display(), "inbox shrank; reading it from the start");
            offset = 0;
        }
        file.seek(SeekFrom::Start(offset)).map_err(inbox_err)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(inbox_err)?;
        let Some(end) = bytes.iter().rposition(|&b| b == b'\n') else {
            return Ok(0);
        };
        let mut added = 0;
        for (i, line) in bytes[..end].split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<HandedOver>(line) {
                Ok(handed) => {
                    if self
                        .queue
                        .add_held(handed.signed, handed.params_expiration_block)?
                    {
                        added += 1;
                        self.metrics.count(|c| c.queued += 1);
                    }
                }
                Err(err) => tracing::warn!(
                    path = %path.display(),
                    offset,
                    line = i + 1,
                    %err,
                    "skipping an inbox line that is not a ticket"
                ),
            }
        }
        let new_offset = offset + end as u64 + 1;
        if new_offset != recorded {
            self.queue.record(match source {
                Source::Inbox => Record::Inbox { offset: new_offset },
                Source::Intake => Record::Intake { offset: new_offset },
            })?;
        }
        Ok(added)
    }
}

/// A file tickets are taken from.
#[derive(Debug, Clone, Copy)]
enum Source {
    Inbox,
    Intake,
}

/// What a simulated revert means for the ticket.
fn classify(revert: &RevertReason) -> Verdict {
    use ITicketBrokerErrors as E;
    match revert {
        RevertReason::TicketBroker(E::TicketUsed(_)) => Verdict::Redeemed,
        RevertReason::TicketBroker(
            E::ZeroRecipient(_)
            | E::ZeroSender(_)
            | E::InvalidAuxDataLength(_)
            | E::CreationRoundBlockHashMismatch(_)
            | E::TicketExpired(_)
            | E::RecipientRandMismatch(_)
            | E::InvalidSignature(_)
            | E::TicketDidNotWin(_),
        ) => Verdict::Dead(format!("simulation reverts with {}", describe(revert))),
        _ => Verdict::Defer(format!("simulation reverts with {}", describe(revert))),
    }
}

/// `funds` after paying `amount` as `_debitSender` does: the deposit first, then the reserve slice.
fn debit(mut funds: SenderFunds, amount: U256) -> SenderFunds {
    if amount <= funds.deposit {
        funds.deposit -= amount;
    } else {
        let from_reserve = amount - funds.deposit;
        funds.deposit = U256::ZERO;
        funds.reserve = funds.reserve.saturating_sub(from_reserve);
        funds.claimable_reserve = funds.claimable_reserve.saturating_sub(from_reserve);
    }
    funds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debit_takes_deposit_then_reserve() {
        let f = SenderFunds {
            deposit: U256::from(10u64),
            reserve: U256::from(100u64),
            withdraw_round: U256::ZERO,
            claimable_reserve: U256::from(50u64),
        };
        let after = debit(f, U256::from(4u64));
        assert_eq!(after.deposit, U256::from(6u64));
        assert_eq!(after.reserve, U256::from(100u64));
        let after = debit(f, U256::from(30u64));
        assert_eq!(after.deposit, U256::ZERO);
        assert_eq!(after.reserve, U256::from(80u64));
        assert_eq!(after.claimable_reserve, U256::from(30u64));
    }

    #[test]
    fn reverts_are_classified() {
        use livepeer_bindings::{IManager, ITicketBroker};
        let dead = classify(&RevertReason::TicketBroker(
            ITicketBrokerErrors::TicketDidNotWin(ITicketBroker::TicketDidNotWin {}),
        ));
        assert!(matches!(dead, Verdict::Dead(r) if r.contains("TicketDidNotWin")));
        let used = classify(&RevertReason::TicketBroker(
            ITicketBrokerErrors::TicketUsed(ITicketBroker::TicketUsed {
                ticketHash: B256::ZERO,
            }),
        ));
        assert!(matches!(used, Verdict::Redeemed));
        let wait = classify(&RevertReason::Manager(
            IManager::IManagerErrors::SystemPaused(IManager::SystemPaused {}),
        ));
        assert!(matches!(wait, Verdict::Defer(r) if r.contains("SystemPaused")));
    }
}

/// Code generated from `proto/redeemer.proto`.
#[allow(missing_docs, missing_debug_implementations, clippy::all)]
pub mod proto {
    tonic::include_proto!("net");
}
