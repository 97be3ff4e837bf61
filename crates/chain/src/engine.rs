//! The bot engine: one block loop for every bot.
//!
//! A bot says what to read, what to do and how to encode it; the engine does the rest, the same
//! way for every bot: the head stream, the per-block read and its `/health` verdict, the
//! transactions in flight with replacement and confirmations, and the hooks through which the
//! bot counts and logs what happened.
//!
//! ```text
//!  heads ──► Engine::run, one tick per head (or per wake-up)
//!  (ws or     1. flights follow the head ──► TxSender: receipt, fee-bump replacement, reorg
//!  polling)   2. ended flights ──► Landed                        (Event::Sent/Replaced/Reorged)
//!             3. Bot::wants_read? ──► Bot::read(tick) ──► State   (Event::Read/ReadFailed,
//!                                                                 ReadHealth ok/failed)
//!             4. Bot::decide(tick, read, memory) ──► (actions, memory)        pure
//!             5. each action: Bot::encode ──► Tx { lane, request, mode } ──► new flight
//!                (Event::Action, or Event::DryRun)
//!             6. Event::Processed
//! ```
//!
//! # What a bot supplies ([`Bot`])
//!
//! - [`Bot::read`]: one read of the chain at the tick's head (ideally one JSON-RPC batch or one
//!   `eth_call`), with [`Bot::wants_read`] to skip it when nothing can be decided from it.
//! - [`Bot::decide`]: a pure function of the [`Tick`] (the head, the transactions that ended,
//!   those still in flight), the [`Read`] and the bot's memory, returning the actions and the
//!   next memory. The memory is threaded through it and nowhere else: outcomes of transactions
//!   reach it as [`Tick::landed`], never as flags set from the side.
//! - [`Bot::encode`]: the transaction of an action, if it sends one, and on which lane.
//! - [`Bot::observe`]: metrics, logs and journals, from the engine's [`Event`]s.
//!
//! # Rules
//!
//! - **Lanes.** A lane is a sending account ([`Engine::with_lane`], one [`TxSender`] each). A
//!   lane has at most one transaction in flight: [`Bot::decide`] checks [`Tick::lane_busy`]. An
//!   action sending with [`NonceMode::Next`] on a busy lane is refused (logged as the bot's
//!   bug); one with [`NonceMode::ReplaceInFlight`] cancels the flight on the lane and replaces
//!   its transaction (the cancelled flight ends silently: its outcome is the replacement's).
//! - **Order within a block.** Every flight handles a new head (receipt check, replacement,
//!   reorg) before the bot reads, so a bot never reads a state its own transaction is about to
//!   change unseen; a new transaction is broadcast before the block counts as processed
//!   ([`Event::Processed`]). Transactions that end are handed to [`Bot::decide`] at the next
//!   tick, in [`Tick::landed`].
//! - **Health.** A successful read marks [`ReadHealth::ok`]; a failed read, or a head that
//!   could not be fetched, [`ReadHealth::failed`]. A skipped read is neither.
//! - **Dry run** ([`Engine::dry_run`]): actions that would send are observed as
//!   [`Event::DryRun`] and nothing is sent.
//! - **Wake-ups** ([`Engine::woken_by`]): a notification runs a tick at the current head at once
//!   ([`Tick::woken`]), for work that arrives between blocks (tickets handed over by gRPC).
//!   [`Engine::tick_at_least_every`] runs one when no head or wake-up came for a while, for work
//!   on a clock on a chain that makes no blocks.
//! - **Memory across runs.** [`Engine::run`] starts from the default memory; [`Engine::run_with`]
//!   and [`Engine::run_pass`] take one and give it back with the bot, and a bot lent by `&mut`
//!   runs as well as one given away, for a caller that keeps both between runs.
//! - **One pass** ([`Engine::run_pass`], a bot's `--once`): ticks until one ends with nothing in
//!   flight. A transaction that ends before going out lands at once (a tick at the same head); one
//!   still in flight after the patience is left in flight, as at shutdown; a head that cannot be
//!   fetched ends the pass.
//! - **Shutdown.** When the token fires, flights stop following their transactions (still in
//!   the pool: the next start sees the account's pending nonce) and land as cancelled.
//!
//! # The bots on it
//!
//! The keeper (`livepeer-keeper`): reads the round state and the signer's balance in one batch,
//! skips the read while its transaction is in flight, decides with the turn order and a
//! [`crate::missed::RoundDuty`] in its memory. The reward agent (`livepeer-reward-agent`): reads
//! one `RewardLens` snapshot every block, decides for every orchestrator it serves with a
//! [`crate::missed::RoundDuty`] each in its memory, one lane per signing account (orchestrators
//! sharing a reward caller take turns on it). The redeemer (`livepeer-redeemer`): woken by the
//! gRPC intake and ticking at least every `--poll-interval`, reads the fate of its transactions
//! and, when a pass is due, its pending tickets' facts (what its read needs depends on its
//! memory: the underfunded snapshots, the transactions found pending), decides the journal's
//! records and one redemption at a time; its `--once` is [`Engine::run_pass`].
//! `docs/architecture.md` says how every bot fits.

use std::{
    collections::BTreeMap,
    fmt::Debug,
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use alloy::{
    primitives::{Address, TxHash},
    rpc::types::TransactionRequest,
};
use tokio::{
    sync::{Notify, mpsc, watch},
    task::JoinHandle,
};
use tokio_util::sync::CancellationToken;

use crate::{
    ChainError,
    blocks::{BlockStream, Head},
    health::ReadHealth,
    provider::Rpc,
    sender::{Confirmed, NonceMode, SendEvents, TxSender},
};

/// The transaction an action sends.
#[derive(Debug, Clone)]
pub struct Tx {
    /// The sending account: one of the engine's lanes.
    pub lane: Address,
    /// The call (`to`, `input`; a gas limit when the bot knows better than the estimate).
    pub request: TransactionRequest,
    /// [`NonceMode::Next`], or [`NonceMode::ReplaceInFlight`] to replace what holds the
    /// account's next nonce (this engine's flight on the lane included).
    pub mode: NonceMode,
}

/// A transaction of the bot still followed.
#[derive(Debug)]
pub struct Flying<'a, A> {
    /// The action that sent it.
    pub action: &'a A,
    /// Its sending account.
    pub lane: Address,
    /// The block at which it was sent, or rebroadcast after a reorg dropped it: what a bot's
    /// replacement of it counts from.
    pub since: u64,
    /// The hashes broadcast so far (the first, then each replacement).
    pub hashes: &'a [TxHash],
}

/// A transaction of the bot that ended: confirmed, or failed, or given up.
#[derive(Debug)]
pub struct Landed<A> {
    /// The action that sent it.
    pub action: A,
    /// Its sending account.
    pub lane: Address,
    /// The block at which it was sent (or last rebroadcast after a reorg).
    pub since: u64,
    /// The hashes broadcast (empty when it failed before the first broadcast).
    pub hashes: Vec<TxHash>,
    /// The confirmation, or why it ended without one.
    pub result: Result<Confirmed, ChainError>,
}

/// What the engine knows at one tick, before the bot's read.
#[derive(Debug)]
pub struct Tick<'a, A> {
    /// The head.
    pub head: Head,
    /// When the tick began.
    pub now: Instant,
    /// A wake-up ([`Engine::woken_by`]) rather than a new head.
    pub woken: bool,
    /// The bot's transactions that ended since the last tick.
    pub landed: &'a [Landed<A>],
    /// The bot's transactions still in flight (at most one per lane).
    pub in_flight: &'a [Flying<'a, A>],
}

impl<A> Tick<'_, A> {
    /// Whether `lane` has a transaction in flight (a new one would be refused).
    pub fn lane_busy(&self, lane: Address) -> bool {
        self.in_flight.iter().any(|f| f.lane == lane)
    }
}

/// The bot's read at a tick, as [`Bot::decide`] sees it.
#[derive(Debug)]
pub enum Read<'a, S> {
    /// The read succeeded.
    Done(&'a S),
    /// The read failed.
    Failed(&'a ChainError),
    /// [`Bot::wants_read`] said no.
    Skipped,
}

impl<'a, S> Read<'a, S> {
    /// The state read, if the read succeeded.
    pub fn state(&self) -> Option<&'a S> {
        match self {
            Self::Done(state) => Some(state),
            _ => None,
        }
    }

    /// The same read of a part of the state.
    pub fn map<T>(self, part: impl FnOnce(&'a S) -> &'a T) -> Read<'a, T> {
        match self {
            Self::Done(state) => Read::Done(part(state)),
            Self::Failed(err) => Read::Failed(err),
            Self::Skipped => Read::Skipped,
        }
    }
}

/// What happened, for [`Bot::observe`] (metrics, logs, journals).
#[derive(Debug)]
pub enum Event<'a, S, A> {
    /// A new head.
    Head,
    /// The head could not be fetched (counted as a failed read).
    HeadFailed(&'a ChainError),
    /// The bot's read succeeded.
    Read(&'a S),
    /// The bot's read failed.
    ReadFailed(&'a ChainError),
    /// An action of [`Bot::decide`], just before its transaction is sent if it sends one.
    Action(&'a A),
    /// An action that would send, not sent because of the dry run.
    DryRun(&'a A),
    /// A transaction was broadcast for the first time.
    Sent {
        /// Its action.
        action: &'a A,
        /// Its hash.
        hash: TxHash,
        /// Its nonce.
        nonce: u64,
    },
    /// A stuck transaction was replaced with higher fees.
    Replaced {
        /// Its action.
        action: &'a A,
        /// The hash replaced.
        old: TxHash,
        /// The replacement's hash.
        new: TxHash,
    },
    /// A reorg dropped a mined transaction; it was broadcast again.
    Reorged {
        /// Its action.
        action: &'a A,
        /// Its hash.
        hash: TxHash,
    },
    /// A transaction ended (before [`Bot::decide`] sees it in [`Tick::landed`]).
    Landed(&'a Landed<A>),
    /// The tick is over: the head is handled, any new transaction broadcast.
    Processed,
}

/// A bot on the engine (see the module docs).
pub trait Bot: Send {
    /// What one read returns.
    type State: Send + Sync;
    /// What the bot remembers from one tick to the next ([`Bot::decide`] alone changes it).
    type Memory: Default + Send;
    /// What [`Bot::decide`] asks for.
    type Action: Debug + Send + Sync + 'static;

    /// The `/health` verdict the engine feeds.
    fn health(&self) -> &ReadHealth;

    /// Whether this tick needs [`Bot::read`] (default: always).
    fn wants_read(&self, _tick: &Tick<'_, Self::Action>, _memory: &Self::Memory) -> bool {
        true
    }

    /// Reads what [`Bot::decide`] needs at the tick's head (and, for the transactions that
    /// landed, what their outcome needs: a redemption's tickets, say). `memory` is what
    /// [`Bot::decide`] will get, for a read that depends on it (what is already known need not
    /// be read again).
    fn read(
        &mut self,
        tick: &Tick<'_, Self::Action>,
        memory: &Self::Memory,
    ) -> impl Future<Output = Result<Self::State, ChainError>> + Send;

    /// Decides: a pure function of the tick, the read and the memory.
    fn decide(
        &self,
        tick: &Tick<'_, Self::Action>,
        read: Read<'_, Self::State>,
        memory: Self::Memory,
    ) -> (Vec<Self::Action>, Self::Memory);

    /// The transaction `action` sends, if any.
    fn encode(&self, action: &Self::Action) -> Option<Tx>;

    /// Called once the head stream is set up.
    fn started(&mut self, _subscribed: bool) {}

    /// Metrics, logs and journals. `head` is the tick's (for a failed head, the last known).
    fn observe(&mut self, _head: Head, _event: Event<'_, Self::State, Self::Action>) {}
}

/// A bot lent to the engine: its owner keeps it (and the memory [`Engine::run_with`] gives back)
/// between runs.
impl<B: Bot> Bot for &mut B {
    type State = B::State;
    type Memory = B::Memory;
    type Action = B::Action;

    fn health(&self) -> &ReadHealth {
        (**self).health()
    }

    fn wants_read(&self, tick: &Tick<'_, Self::Action>, memory: &Self::Memory) -> bool {
        (**self).wants_read(tick, memory)
    }

    fn read(
        &mut self,
        tick: &Tick<'_, Self::Action>,
        memory: &Self::Memory,
    ) -> impl Future<Output = Result<Self::State, ChainError>> + Send {
        (**self).read(tick, memory)
    }

    fn decide(
        &self,
        tick: &Tick<'_, Self::Action>,
        read: Read<'_, Self::State>,
        memory: Self::Memory,
    ) -> (Vec<Self::Action>, Self::Memory) {
        (**self).decide(tick, read, memory)
    }

    fn encode(&self, action: &Self::Action) -> Option<Tx> {
        (**self).encode(action)
    }

    fn started(&mut self, subscribed: bool) {
        (**self).started(subscribed);
    }

    fn observe(&mut self, head: Head, event: Event<'_, Self::State, Self::Action>) {
        (**self).observe(head, event);
    }
}

/// Runs a [`Bot`] (see the module docs).
#[derive(Debug)]
pub struct Engine<B> {
    bot: B,
    rpc: Rpc,
    poll_interval: Duration,
    lanes: BTreeMap<Address, Arc<TxSender>>,
    dry_run: bool,
    wake: Option<Arc<Notify>>,
    idle: Option<Duration>,
}

impl<B: Bot> Engine<B> {
    /// An engine for `bot`, with heads from `rpc` (subscribed over its `ws://` URL, else polled
    /// every `poll_interval`).
    pub fn new(bot: B, rpc: Rpc, poll_interval: Duration) -> Self {
        Self {
            bot,
            rpc,
            poll_interval,
            lanes: BTreeMap::new(),
            dry_run: false,
            wake: None,
            idle: None,
        }
    }

    /// Adds a lane: the account of `sender` (a second sender for the same account replaces the
    /// first).
    pub fn with_lane(mut self, sender: Arc<TxSender>) -> Self {
        self.lanes.insert(sender.address(), sender);
        self
    }

    /// Never sends (see the module docs).
    pub fn dry_run(mut self, on: bool) -> Self {
        self.dry_run = on;
        self
    }

    /// Runs a tick at the current head whenever `wake` is notified.
    pub fn woken_by(mut self, wake: Arc<Notify>) -> Self {
        self.wake = Some(wake);
        self
    }

    /// Also runs a tick at the current head whenever no head or wake-up came for `interval`.
    pub fn tick_at_least_every(mut self, interval: Duration) -> Self {
        self.idle = Some(interval);
        self
    }

    /// Runs until `cancel` fires; returns the bot.
    pub async fn run(self, cancel: &CancellationToken) -> B {
        self.run_with(B::Memory::default(), cancel).await.0
    }

    /// Runs from `memory` until `cancel` fires; returns the bot and its memory.
    pub async fn run_with(self, memory: B::Memory, cancel: &CancellationToken) -> (B, B::Memory) {
        self.drive(memory, None, cancel).await
    }

    /// One pass from `memory` (see the module docs): ticks until one ends with nothing in
    /// flight, waiting at most `patience` for a transaction; returns the bot and its memory.
    pub async fn run_pass(
        self,
        memory: B::Memory,
        patience: Duration,
        cancel: &CancellationToken,
    ) -> (B, B::Memory) {
        self.drive(memory, Some(patience), cancel).await
    }

    async fn drive(
        mut self,
        mut memory: B::Memory,
        pass: Option<Duration>,
        cancel: &CancellationToken,
    ) -> (B, B::Memory) {
        let mut blocks = BlockStream::new(&self.rpc, self.poll_interval).await;
        self.bot.started(blocks.is_subscribed());
        let (heads_tx, heads) = watch::channel(Head::default());
        let mut flights: Vec<Flight<B::Action>> = Vec::new();
        let mut last: Option<Head> = None;
        loop {
            let next = match (pass, last) {
                (None, _) => {
                    let nudges = Nudges {
                        wake: self.wake.clone(),
                        idle: self.idle,
                    };
                    next_tick(&mut blocks, nudges, last, cancel).await
                }
                (Some(_), None) => next_tick(&mut blocks, Nudges::NONE, last, cancel).await,
                (Some(_), Some(_)) if flights.is_empty() => break,
                // It ended before going out: it lands now, not at the next head.
                (Some(_), Some(head)) if flights.iter().any(Flight::ended) => {
                    Some((Ok(head), false))
                }
                (Some(patience), Some(_)) => {
                    let sent = flights.iter().map(|f| f.launched).min();
                    let deadline = tokio::time::Instant::from_std(
                        sent.unwrap_or_else(Instant::now) + patience,
                    );
                    let next = next_tick(&mut blocks, Nudges::NONE, last, cancel);
                    match tokio::time::timeout_at(deadline, next).await {
                        Ok(next) => next,
                        Err(_) => break,
                    }
                }
            };
            let Some((next, woken)) = next else {
                break;
            };
            let head = match next {
                Ok(head) => head,
                Err(err) => {
                    self.bot.health().failed();
                    self.bot
                        .observe(last.unwrap_or_default(), Event::HeadFailed(&err));
                    if pass.is_some() {
                        break;
                    }
                    continue;
                }
            };
            if last != Some(head) {
                heads_tx.send_replace(head);
                self.bot.observe(head, Event::Head);
            }
            last = Some(head);
            memory = self
                .tick(head, woken, memory, &mut flights, &heads, cancel)
                .await;
            self.bot.observe(head, Event::Processed);
        }
        let head = last.unwrap_or_default();
        for mut flight in flights {
            flight.cancel.cancel();
            flight.relay(&mut self.bot, head);
            let landed = flight.land().await;
            self.bot.observe(head, Event::Landed(&landed));
        }
        (self.bot, memory)
    }

    async fn tick(
        &mut self,
        head: Head,
        woken: bool,
        memory: B::Memory,
        flights: &mut Vec<Flight<B::Action>>,
        heads: &watch::Receiver<Head>,
        cancel: &CancellationToken,
    ) -> B::Memory {
        for flight in flights.iter_mut() {
            flight.follow(head.number, cancel).await;
            flight.relay(&mut self.bot, head);
        }
        let mut landed = Vec::new();
        let mut i = 0;
        while i < flights.len() {
            if flights[i].ended() {
                landed.push(flights.remove(i).land().await);
            } else {
                i += 1;
            }
        }
        for l in &landed {
            self.bot.observe(head, Event::Landed(l));
        }
        let (actions, memory) = {
            let flying: Vec<Flying<'_, B::Action>> = flights.iter().map(Flight::view).collect();
            let tick = Tick {
                head,
                now: Instant::now(),
                woken,
                landed: &landed,
                in_flight: &flying,
            };
            let read = match self.bot.wants_read(&tick, &memory) {
                true => Some(self.bot.read(&tick, &memory).await),
                false => None,
            };
            let view = match &read {
                Some(Ok(state)) => {
                    self.bot.health().ok();
                    self.bot.observe(head, Event::Read(state));
                    Read::Done(state)
                }
                Some(Err(err)) => {
                    self.bot.health().failed();
                    self.bot.observe(head, Event::ReadFailed(err));
                    Read::Failed(err)
                }
                None => Read::Skipped,
            };
            self.bot.decide(&tick, view, memory)
        };
        for action in actions {
            self.act(head, action, flights, heads, cancel).await;
        }
        for flight in flights.iter_mut().filter(|f| f.fresh) {
            flight.fresh = false;
            // The block is handled once the transaction is out (or its attempt ended).
            let first = tokio::select! {
                _ = cancel.cancelled() => None,
                event = flight.events.recv() => event,
            };
            match first {
                Some(event) => flight.relay_one(&mut self.bot, head, event),
                // Its events closed: the task ended before anything went out.
                None => flight.over = !cancel.is_cancelled(),
            }
        }
        memory
    }

    async fn act(
        &mut self,
        head: Head,
        action: B::Action,
        flights: &mut Vec<Flight<B::Action>>,
        heads: &watch::Receiver<Head>,
        cancel: &CancellationToken,
    ) {
        let Some(tx) = self.bot.encode(&action) else {
            self.bot.observe(head, Event::Action(&action));
            return;
        };
        if self.dry_run {
            self.bot.observe(head, Event::DryRun(&action));
            return;
        }
        let Some(sender) = self.lanes.get(&tx.lane).cloned() else {
            tracing::error!(lane = %tx.lane, ?action, "no sender for this account; nothing sent");
            return;
        };
        if let Some(i) = flights.iter().position(|f| f.lane == tx.lane) {
            if tx.mode != NonceMode::ReplaceInFlight {
                tracing::error!(lane = %tx.lane, ?action, "a transaction of this account is in flight; nothing sent");
                return;
            }
            let replaced = flights.remove(i);
            replaced.cancel.cancel();
            let _ = replaced.handle.await;
        }
        self.bot.observe(head, Event::Action(&action));
        flights.push(Flight::launch(sender, tx, action, head, heads, cancel));
    }
}

/// What runs a tick at the current head between heads.
struct Nudges {
    /// A notification.
    wake: Option<Arc<Notify>>,
    /// This long without a tick.
    idle: Option<Duration>,
}

impl Nudges {
    const NONE: Self = Self {
        wake: None,
        idle: None,
    };
}

/// The next head (or the current one again on a nudge: woken, or idle); `None` once `cancel`
/// fires.
async fn next_tick(
    blocks: &mut BlockStream,
    nudges: Nudges,
    last: Option<Head>,
    cancel: &CancellationToken,
) -> Option<(Result<Head, ChainError>, bool)> {
    let nudged = async {
        let Some(head) = last else {
            return std::future::pending().await;
        };
        let woken = async {
            match nudges.wake {
                Some(wake) => wake.notified().await,
                None => std::future::pending().await,
            }
        };
        let idle = async {
            match nudges.idle {
                Some(idle) => tokio::time::sleep(idle).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = woken => (head, true),
            () = idle => (head, false),
        }
    };
    tokio::select! {
        next = blocks.next(cancel) => next.map(|head| (head, false)),
        (head, woken) = nudged => Some((Ok(head), woken)),
    }
}

/// What the sender reports of a transaction, relayed to the engine's loop.
#[derive(Debug)]
enum TxEvent {
    Sent { hash: TxHash, nonce: u64 },
    Replaced { old: TxHash, new: TxHash },
    Reorged(TxHash),
}

struct Relay {
    events: mpsc::UnboundedSender<TxEvent>,
    progress: watch::Sender<u64>,
}

impl SendEvents for Relay {
    fn sent(&self, hash: TxHash, nonce: u64) {
        let _ = self.events.send(TxEvent::Sent { hash, nonce });
    }
    fn replaced(&self, old: TxHash, new: TxHash) {
        let _ = self.events.send(TxEvent::Replaced { old, new });
    }
    fn reorged(&self, hash: TxHash) {
        let _ = self.events.send(TxEvent::Reorged(hash));
    }
    fn tracked(&self, block: u64) {
        self.progress.send_replace(block);
    }
}

/// A transaction followed by the sender on a task of its own.
#[derive(Debug)]
struct Flight<A> {
    action: A,
    lane: Address,
    since: u64,
    /// When it was launched (a pass waits for it a while).
    launched: Instant,
    hashes: Vec<TxHash>,
    /// Sent this tick; its broadcast not awaited yet.
    fresh: bool,
    /// Known to have ended (its events closed before the first), whatever its progress shows
    /// yet.
    over: bool,
    events: mpsc::UnboundedReceiver<TxEvent>,
    /// The last head the sender has handled; closed when the task ends.
    progress: watch::Receiver<u64>,
    cancel: CancellationToken,
    handle: JoinHandle<Result<Confirmed, ChainError>>,
}

impl<A: Debug + Send + Sync + 'static> Flight<A> {
    fn launch(
        sender: Arc<TxSender>,
        tx: Tx,
        action: A,
        head: Head,
        heads: &watch::Receiver<Head>,
        cancel: &CancellationToken,
    ) -> Self {
        let (events_tx, events) = mpsc::unbounded_channel();
        let (progress_tx, progress) = watch::channel(head.number);
        let token = cancel.child_token();
        let (task_token, heads) = (token.clone(), heads.clone());
        let handle = tokio::spawn(async move {
            let relay = Relay {
                events: events_tx,
                progress: progress_tx,
            };
            sender
                .send(
                    tx.request,
                    head.base_fee,
                    tx.mode,
                    heads,
                    &task_token,
                    &relay,
                )
                .await
        });
        Self {
            action,
            lane: tx.lane,
            since: head.number,
            launched: Instant::now(),
            hashes: Vec::new(),
            fresh: true,
            over: false,
            events,
            progress,
            cancel: token,
            handle,
        }
    }

    /// Waits until the sender has handled head `block` or the task ended.
    async fn follow(&mut self, block: u64, cancel: &CancellationToken) {
        tokio::select! {
            _ = cancel.cancelled() => {}
            _ = self.progress.wait_for(|b| *b >= block) => {}
        }
    }

    fn ended(&self) -> bool {
        self.over || self.progress.has_changed().is_err()
    }

    fn view(&self) -> Flying<'_, A> {
        Flying {
            action: &self.action,
            lane: self.lane,
            since: self.since,
            hashes: &self.hashes,
        }
    }

    /// Hands the events already reported to the bot.
    fn relay<B: Bot<Action = A>>(&mut self, bot: &mut B, head: Head) {
        while let Ok(event) = self.events.try_recv() {
            self.relay_one(bot, head, event);
        }
    }

    fn relay_one<B: Bot<Action = A>>(&mut self, bot: &mut B, head: Head, event: TxEvent) {
        let action = &self.action;
        let event = match event {
            TxEvent::Sent { hash, nonce } => {
                self.hashes.push(hash);
                Event::Sent {
                    action,
                    hash,
                    nonce,
                }
            }
            TxEvent::Replaced { old, new } => {
                self.hashes.push(new);
                Event::Replaced { action, old, new }
            }
            TxEvent::Reorged(hash) => {
                // Rebroadcast: a bot's replacement waits from here, not from the first send
                // (that nonce would be refused as too low once the rebroadcast is mined).
                self.since = head.number;
                Event::Reorged { action, hash }
            }
        };
        bot.observe(head, event);
    }

    async fn land(self) -> Landed<A> {
        let result = self.handle.await.unwrap_or_else(|join| {
            Err(ChainError::Build(format!(
                "the sending task failed: {join}"
            )))
        });
        Landed {
            action: self.action,
            lane: self.lane,
            since: self.since,
            hashes: self.hashes,
            result,
        }
    }
}
