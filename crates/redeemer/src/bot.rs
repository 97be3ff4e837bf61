//! The redeemer on the engine ([`livepeer_chain::engine`]): its read (the queue's intake, the
//! fate of its transactions, and a pass's facts as the rules ask for them), its encoding
//! (`redeemWinningTicket` or `batchRedeemWinningTickets`) and what it makes of the engine's
//! events: the journal, the metrics, max float and the logs.

use std::{
    collections::{HashMap, HashSet},
    path::PathBuf,
    sync::Arc,
};

use alloy::{
    consensus::Transaction as _,
    network::TransactionBuilder,
    primitives::{B256, U256},
    providers::Provider,
    rpc::types::TransactionReceipt,
};
use livepeer_chain::{
    ChainError,
    blocks::Head,
    engine::{Bot, Event, Landed, Read, Tick, Tx},
    health::ReadHealth,
    sender::{NonceMode, TxSender},
};
use livepeer_protocol::ticket::SignedTicket;
use tokio_util::sync::CancellationToken;

use crate::{
    PassReport, RedeemerError,
    chain::{Broker, Rounds},
    decide::{self, Action, After, Fate, Memory, Policy, Redemption, Settled, State},
    max_float::MaxFloats,
    metrics::{RedeemerMetrics, is_expiry, reason_label},
    queue::{Queue, QueuedTicket, Record, TicketStatus},
    rules::{Checked, Judge, Need, Pass, Simulation, Step},
};

/// The redeemer as a [`Bot`].
#[derive(Debug)]
pub struct RedeemerBot {
    pub(crate) broker: Broker,
    pub(crate) sender: Arc<TxSender>,
    pub(crate) queue: Queue,
    pub(crate) inbox: Option<PathBuf>,
    pub(crate) intake: Option<PathBuf>,
    pub(crate) policy: Policy,
    pub(crate) metrics: Arc<RedeemerMetrics>,
    pub(crate) floats: Option<Arc<MaxFloats>>,
    /// The last pass's rounds (which tickets are in their last round, for the gauges).
    rounds: Option<Rounds>,
    /// What this tick did (logged as a "pass" line when it did anything).
    tick_report: PassReport,
    /// What the current [`crate::Redeemer::process_once`] did, while one runs.
    pass_report: Option<PassReport>,
    /// Why a read (or the head) failed during the current run.
    pub(crate) failed: Option<String>,
    /// What stopped the run: the queue or the inbox failed.
    pub(crate) fatal: Option<RedeemerError>,
    /// Stops the run on a fatal failure.
    pub(crate) stop: CancellationToken,
    /// The queue changed since it was last published.
    dirty: bool,
    /// The nonce of each transaction this process sent and has not seen confirmed.
    nonces: HashMap<B256, u64>,
}

impl RedeemerBot {
    /// A redeemer bot over `queue`, sending with `sender`.
    pub(crate) fn new(broker: Broker, sender: Arc<TxSender>, queue: Queue, policy: Policy) -> Self {
        let metrics = Arc::new(RedeemerMetrics::default());
        metrics.set_queue(queue.tickets(), None);
        Self {
            broker,
            sender,
            queue,
            inbox: None,
            intake: None,
            policy,
            metrics,
            floats: None,
            rounds: None,
            tick_report: PassReport::default(),
            pass_report: None,
            failed: None,
            fatal: None,
            stop: CancellationToken::new(),
            dirty: false,
            nonces: HashMap::new(),
        }
    }

    /// Starts a run: `once` for a single pass (its report gathered), `stop` to end it on a fatal
    /// failure.
    pub(crate) fn begin(&mut self, once: bool, stop: CancellationToken) {
        self.policy.once = once;
        self.pass_report = once.then(PassReport::default);
        self.failed = None;
        self.stop = stop;
    }

    /// Ends a run: what the pass did, if it was one.
    pub(crate) fn end(&mut self) -> Option<PassReport> {
        self.pass_report.take()
    }

    /// Publishes the queue's state to the metrics and max float.
    pub(crate) fn publish(&self) {
        self.metrics
            .set_queue(self.queue.tickets(), self.rounds.as_ref());
        if let Some(floats) = &self.floats {
            floats.queue_changed(self.queue.tickets());
        }
    }

    /// Journals `record`; a failure stops the run (nothing can be recorded any more).
    fn journal(&mut self, record: Record) -> bool {
        if self.fatal.is_some() {
            return false;
        }
        match self.queue.record(record) {
            Ok(()) => {
                self.dirty = true;
                true
            }
            Err(err) => {
                self.halt(err.into());
                false
            }
        }
    }

    /// Stops the run for `err`.
    pub(crate) fn halt(&mut self, err: RedeemerError) {
        tracing::error!(%err, "the redeemer stops: its queue cannot be kept");
        self.fatal = Some(err);
        self.stop.cancel();
    }

    fn face_value(&self, hash: &B256) -> U256 {
        self.queue
            .get(hash)
            .map_or(U256::ZERO, |t| t.signed.ticket.face_value)
    }

    fn queued(&self, hashes: &[B256]) -> Vec<QueuedTicket> {
        hashes
            .iter()
            .filter_map(|h| self.queue.get(h).cloned())
            .collect()
    }

    /// The fate of each transaction of ours that landed at this tick or that the journal shows
    /// in flight with no flight following it.
    async fn settle(
        &self,
        tick: &Tick<'_, Action>,
        memory: &Memory,
    ) -> Result<Vec<Settled>, ChainError> {
        let mut followed: HashSet<B256> = tick
            .in_flight
            .iter()
            .filter_map(|f| redemption(f.action))
            .flat_map(Redemption::hashes)
            .collect();
        let mut settled = Vec::new();
        for landed in tick.landed {
            let Some(r) = redemption(&landed.action) else {
                continue;
            };
            let tickets = self.queued(&r.hashes());
            let txs: Vec<B256> = r.replacing.iter().chain(&landed.hashes).copied().collect();
            let fate = match &landed.result {
                Ok(confirmed) => self.mined(&confirmed.receipt, &tickets).await?,
                Err(ChainError::RevertedOnChain { hash, .. }) => {
                    match self
                        .broker
                        .provider()
                        .get_transaction_receipt(*hash)
                        .await?
                    {
                        Some(receipt) => self.mined(&receipt, &tickets).await?,
                        None => continue,
                    }
                }
                // Shutdown or the end of a pass (still in flight), or a take-over that never went
                // out: judged from the chain below, as the journal has them.
                Err(ChainError::Cancelled) => continue,
                Err(_) if landed.hashes.is_empty() && !r.replacing.is_empty() => continue,
                Err(err) if landed.hashes.is_empty() => Fate::NotSent {
                    error: err.to_string(),
                },
                Err(_) => self.fate_on_chain(tick, memory, &txs, &tickets).await?,
            };
            followed.extend(r.hashes());
            settled.push(Settled { txs, tickets, fate });
        }
        let mut orphans: Vec<(Vec<B256>, Vec<QueuedTicket>)> = Vec::new();
        for t in self.queue.open_tickets() {
            let txs = t.status.in_flight_txs();
            if txs.is_empty() || followed.contains(&t.hash) {
                continue;
            }
            match orphans.iter_mut().find(|(h, _)| *h == txs) {
                Some((_, tickets)) => tickets.push(t.clone()),
                None => orphans.push((txs, vec![t.clone()])),
            }
        }
        for (txs, tickets) in orphans {
            let fate = self.fate_on_chain(tick, memory, &txs, &tickets).await?;
            settled.push(Settled { txs, tickets, fate });
        }
        Ok(settled)
    }

    /// A mined transaction: each ticket used or not; if one is not, whether its block's round
    /// was initialized before the block, and if it was, what a simulation says of each unused
    /// ticket now.
    async fn mined(
        &self,
        receipt: &TransactionReceipt,
        tickets: &[QueuedTicket],
    ) -> Result<Fate, ChainError> {
        let mut used = Vec::with_capacity(tickets.len());
        for t in tickets {
            used.push(self.broker.is_used(t.hash).await?);
        }
        let uninitialized = match (receipt.block_number, used.contains(&false)) {
            (Some(block), true) if !self.broker.round_initialized_before(block).await? => {
                Some(block)
            }
            _ => None,
        };
        let mut after = Vec::with_capacity(tickets.len());
        for (t, used) in tickets.iter().zip(used) {
            after.push(match (used, uninitialized) {
                (true, _) => After::Used,
                (false, Some(_)) => After::Unused(None),
                (false, None) => After::Unused(Some(self.simulate(&t.signed).await)),
            });
        }
        Ok(Fate::Mined {
            tx: receipt.transaction_hash,
            success: receipt.status(),
            gas_used: receipt.gas_used,
            gas_price: receipt.effective_gas_price,
            uninitialized,
            after,
        })
    }

    /// The fate of transactions `txs` (one nonce: the first and its replacements) from the
    /// chain: mined (whichever has a receipt), pending (or evicted, its nonce still free), or
    /// dropped (then each ticket is redeemed if `usedTickets` says so: by a transaction whose
    /// hash was never journaled).
    async fn fate_on_chain(
        &self,
        tick: &Tick<'_, Action>,
        memory: &Memory,
        txs: &[B256],
        tickets: &[QueuedTicket],
    ) -> Result<Fate, ChainError> {
        let provider = self.broker.provider();
        for tx in txs.iter().rev() {
            if let Some(receipt) = provider.get_transaction_receipt(*tx).await? {
                return self.mined(&receipt, tickets).await;
            }
        }
        let mut held = None;
        for tx in txs {
            if let Some(pending) = provider.get_transaction_by_hash(*tx).await? {
                held = Some((pending.nonce(), true));
                break;
            }
        }
        // Unknown to the node, yet sent by this process at a nonce still free: evicted (a
        // base-fee spike), so taken over like a pending one while its tickets would redeem.
        if held.is_none()
            && let Some(nonce) = txs.iter().find_map(|tx| self.nonces.get(tx).copied())
            && self.sender.nonces().await?.0 <= nonce
        {
            held = Some((nonce, false));
        }
        if let Some((nonce, known)) = held {
            let due = decide::takeover_due(tick, memory, txs, &self.policy);
            let takeover = match due {
                true => self.takeover(nonce, tickets).await?,
                false => None,
            };
            if known || !due || takeover.is_some() {
                return Ok(Fate::Pending { takeover });
            }
        }
        let mut after = Vec::with_capacity(tickets.len());
        for t in tickets {
            after.push(match self.broker.is_used(t.hash).await? {
                true => After::Used,
                false => After::Unused(None),
            });
        }
        Ok(Fate::Dropped { after })
    }

    /// The estimates of a take-over of a pending redemption holding `nonce`: only if it holds
    /// the account's next nonce and every ticket would still redeem (else it is left to resolve).
    async fn takeover(
        &self,
        nonce: u64,
        tickets: &[QueuedTicket],
    ) -> Result<Option<Vec<u64>>, ChainError> {
        let (latest, _) = self.sender.nonces().await?;
        if nonce != latest {
            return Ok(None);
        }
        let mut gas = Vec::with_capacity(tickets.len());
        for t in tickets {
            match self.simulate(&t.signed).await {
                Simulation::Gas(estimate) => gas.push(estimate),
                Simulation::Reverts(_) => return Ok(None),
                Simulation::Failed(err) => return Err(ChainError::Build(err)),
            }
        }
        Ok(Some(gas))
    }

    async fn simulate(&self, signed: &SignedTicket) -> Simulation {
        let tx = self.broker.redeem_tx(signed);
        match self.broker.simulate(self.sender.address(), tx).await {
            Ok(gas) => Simulation::Gas(gas),
            Err(ChainError::SimulationReverted(revert)) => Simulation::Reverts(revert),
            Err(err) => Simulation::Failed(err.to_string()),
        }
    }

    /// A pass's facts: the rounds, the gas price, the balance, and for each pending ticket (with
    /// those `settled` hands back) what the rules ask for ([`Judge`]).
    async fn pass(
        &self,
        memory: &Memory,
        head: u64,
        settled: &[Settled],
    ) -> Result<Pass, ChainError> {
        let rounds = self.broker.rounds(head).await?;
        let (gas_price, balance) = tokio::try_join!(
            self.broker.gas_price(),
            self.broker.balance(self.sender.address())
        )?;
        let pending: Vec<QueuedTicket> = self
            .queue
            .open_tickets()
            .filter(|t| t.status == TicketStatus::Pending)
            .chain(settled.iter().flat_map(Settled::reopened))
            .cloned()
            .collect();
        let l1_block = match pending.iter().any(|t| t.hold_until_block.is_some()) {
            true => Some(self.broker.l1_block().await?),
            false => None,
        };
        let mut pass = Pass {
            rounds,
            gas_price,
            balance,
            l1_block,
            ..Pass::default()
        };
        let mut judge = Judge::new(&memory.underfunded, self.policy.tuning.min_profit_percent);
        let mut checked = Vec::with_capacity(pending.len());
        for ticket in pending {
            let (mut used, mut simulation) = (None, None);
            while let Step::Need(need) = judge.judge(&pass, &ticket, used, simulation.as_ref()) {
                match need {
                    Need::Funds { sender, recipient } => {
                        let funds = self.broker.sender_funds(sender, recipient).await?;
                        pass.funds.insert((sender, recipient), funds);
                    }
                    Need::BlockHash(round) => {
                        let hash = self.broker.block_hash_for_round(round).await?;
                        pass.block_hashes.insert(round, hash);
                    }
                    Need::Used => used = Some(self.broker.is_used(ticket.hash).await?),
                    // A simulation that cannot run fails the pass (retried at the next one).
                    Need::Simulation => match self.simulate(&ticket.signed).await {
                        Simulation::Failed(err) => return Err(ChainError::Build(err)),
                        done => simulation = Some(done),
                    },
                }
            }
            checked.push(Checked {
                ticket,
                used,
                simulation,
            });
        }
        pass.tickets = checked;
        Ok(pass)
    }

    fn record_action(&mut self, action: &Action) {
        match action {
            Action::Record(Record::Redeemed { hash, tx }) => self.redeemed(*hash, *tx),
            Action::Retry { hash, reason, dead } => {
                tracing::warn!(%hash, %reason, "redemption attempt failed");
                let reason = reason.clone();
                if !self.journal(Record::Retry {
                    hash: *hash,
                    reason,
                }) {
                    return;
                }
                match dead {
                    Some(why) => self.dead(*hash, why.clone()),
                    None => self.tick_report.retried.push(*hash),
                }
            }
            Action::Defer { hash, reason, new } => {
                if *new {
                    self.log_deferral(*hash, reason);
                    let reason = reason.clone();
                    if !self.journal(Record::Deferred {
                        hash: *hash,
                        reason,
                    }) {
                        return;
                    }
                }
                self.tick_report.deferred.push(*hash);
            }
            Action::Record(record @ Record::Released { hash, reason }) => {
                tracing::warn!(
                    %hash,
                    %reason,
                    "ticket deferred: its transaction did not redeem it, through no fault of its own"
                );
                if self.journal(record.clone()) {
                    self.tick_report.deferred.push(*hash);
                }
            }
            Action::Record(Record::Dead { hash, reason }) => self.dead(*hash, reason.clone()),
            Action::Record(other) => {
                self.journal(other.clone());
            }
            Action::Redeem(r) => {
                if let Some(floats) = &self.floats {
                    floats.sending(r.tickets.iter().map(|(_, t)| t.ticket.sender));
                }
                if !r.replacing.is_empty() {
                    tracing::warn!(
                        txs = ?r.replacing,
                        tickets = r.tickets.len(),
                        "a redemption no flight follows (sent before a restart, or evicted) is stuck; replacing it"
                    );
                }
            }
        }
    }

    fn log_deferral(&self, hash: B256, reason: &str) {
        if reason_label(reason) == "InsufficientFunds" {
            let face_value = self.face_value(&hash);
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
    }

    /// Records that the ticket is used on chain (by `tx`, or found used).
    fn redeemed(&mut self, hash: B256, tx: Option<B256>) {
        if !self.journal(Record::Redeemed { hash, tx }) {
            return;
        }
        if let Some(tx) = tx {
            tracing::info!(%hash, %tx, "ticket redeemed");
        }
        let face_value = self.face_value(&hash);
        self.metrics.count(|c| {
            c.redeemed += 1;
            c.face_value_redeemed = c.face_value_redeemed.saturating_add(face_value);
        });
        self.tick_report.redeemed.push(hash);
    }

    /// Records that the ticket will never be redeemed; an expired one is the redeemer's miss.
    fn dead(&mut self, hash: B256, reason: String) {
        let expired = is_expiry(&reason);
        let face_value = self.face_value(&hash);
        if expired {
            tracing::error!(%hash, %face_value, %reason, "TICKET EXPIRED UNREDEEMED: its fees are lost");
        } else {
            tracing::warn!(%hash, %reason, "ticket dead");
        }
        if !self.journal(Record::Dead { hash, reason }) {
            return;
        }
        self.metrics.count(|c| {
            c.dead += 1;
            if expired {
                c.expired += 1;
                c.face_value_expired = c.face_value_expired.saturating_add(face_value);
            }
        });
        self.tick_report.dead.push(hash);
    }

    /// A hash a redemption went out under (the first, a replacement, or a take-over's),
    /// journaled at once, before anything waits for it.
    fn sent(&mut self, r: &Redemption, old: Option<B256>, tx: B256) {
        let hashes = r.hashes();
        let tickets = hashes.len();
        if !self.journal(Record::Sent { hashes, tx }) {
            return;
        }
        match old.or(r.replacing.last().copied()) {
            None => {
                tracing::info!(%tx, tickets, "redemption sent");
                self.metrics.count(|c| c.txs_sent += 1);
                self.tick_report.transactions.push(tx);
            }
            Some(old) => {
                tracing::info!(%old, new = %tx, tickets, "stuck redemption replaced");
                self.metrics.count(|c| c.txs_replaced += 1);
            }
        }
    }

    fn landed(&self, landed: &Landed<Action>) {
        let Some(r) = redemption(&landed.action) else {
            return;
        };
        let tickets = r.tickets.len();
        match &landed.result {
            Ok(_) | Err(ChainError::Cancelled | ChainError::RevertedOnChain { .. }) => {}
            // Nothing reached the chain: the tickets wait (no attempt counted), so a node outage
            // never uses up their attempts.
            Err(err) if landed.hashes.is_empty() => {
                tracing::warn!(%err, tickets, "sending failed");
            }
            Err(err) => {
                let txs = &landed.hashes;
                tracing::warn!(%err, ?txs, "following the redemption failed; resolving from the chain");
            }
        }
    }

    fn read_done(&mut self, state: &State) {
        self.tick_report.ingested += state.ingested;
        for settled in &state.settled {
            if let Fate::Mined {
                gas_used,
                gas_price,
                ..
            } = settled.fate
            {
                let spent = u128::from(gas_used).saturating_mul(gas_price);
                self.metrics.count(|c| {
                    c.gas_used = c.gas_used.saturating_add(gas_used);
                    c.gas_spent_wei = c.gas_spent_wei.saturating_add(spent);
                });
            }
        }
        if let Some(pass) = &state.pass {
            self.metrics.count(|c| c.passes += 1);
            self.metrics.set_signer_balance(pass.balance);
            self.rounds = Some(pass.rounds);
            self.dirty = true;
        }
    }

    fn read_failed(&mut self, what: &str, err: &ChainError) {
        self.metrics.count(|c| c.read_errors += 1);
        let failed = self.metrics.health.consecutive_failed();
        tracing::warn!(%err, failed, "{what}");
        self.failed = Some(err.to_string());
    }

    fn processed(&mut self) {
        if std::mem::take(&mut self.dirty) {
            self.publish();
        }
        let report = std::mem::take(&mut self.tick_report);
        if report == PassReport::default() {
            return;
        }
        tracing::info!(
            ingested = report.ingested,
            redeemed = report.redeemed.len(),
            retried = report.retried.len(),
            deferred = report.deferred.len(),
            dead = report.dead.len(),
            transactions = report.transactions.len(),
            "pass"
        );
        if let Some(total) = &mut self.pass_report {
            total.add(report);
        }
    }
}

/// The redemption an action sends, if it sends one.
fn redemption(action: &Action) -> Option<&Redemption> {
    match action {
        Action::Redeem(r) => Some(r),
        _ => None,
    }
}

impl Bot for RedeemerBot {
    type State = State;
    type Memory = Memory;
    type Action = Action;

    fn health(&self) -> &ReadHealth {
        &self.metrics.health
    }

    fn wants_read(&self, tick: &Tick<'_, Action>, memory: &Memory) -> bool {
        self.fatal.is_none() && decide::wants_read(tick, memory, &self.policy)
    }

    async fn read(
        &mut self,
        tick: &Tick<'_, Action>,
        memory: &Memory,
    ) -> Result<State, ChainError> {
        let ingested = match self.ingest() {
            Ok(added) => added,
            Err(err) => {
                let message = err.to_string();
                self.halt(err);
                return Err(ChainError::Build(message));
            }
        };
        let settled = self.settle(tick, memory).await?;
        let pass = match decide::pass_due(tick, memory, &self.policy) {
            true => Some(self.pass(memory, tick.head.number, &settled).await?),
            false => None,
        };
        Ok(State {
            ingested,
            settled,
            pass,
        })
    }

    fn decide(
        &self,
        tick: &Tick<'_, Action>,
        read: Read<'_, State>,
        memory: Memory,
    ) -> (Vec<Action>, Memory) {
        decide::decide(tick, read, memory, &self.policy)
    }

    fn encode(&self, action: &Action) -> Option<Tx> {
        let r = redemption(action)?;
        if self.fatal.is_some() {
            return None;
        }
        let request = match r.tickets.as_slice() {
            [(_, single)] => self.broker.redeem_tx(single),
            many => {
                let refs: Vec<&SignedTicket> = many.iter().map(|(_, t)| t).collect();
                self.broker.batch_tx(&refs)
            }
        };
        Some(Tx {
            lane: self.sender.address(),
            request: request.with_gas_limit(r.gas_limit),
            mode: match r.replacing.is_empty() {
                true => NonceMode::Next,
                false => NonceMode::ReplaceInFlight,
            },
        })
    }

    fn observe(&mut self, _head: Head, event: Event<'_, State, Action>) {
        match event {
            Event::Head | Event::DryRun(_) | Event::Reorged { .. } => {}
            Event::HeadFailed(err) => self.read_failed("reading the head failed", err),
            Event::Read(state) => self.read_done(state),
            Event::ReadFailed(err) => {
                self.read_failed("pass abandoned: reading the chain failed", err);
            }
            Event::Action(action) => self.record_action(action),
            Event::Sent {
                action,
                hash,
                nonce,
            } => {
                self.nonces.insert(hash, nonce);
                if let Some(r) = redemption(action) {
                    self.sent(r, None, hash);
                }
            }
            Event::Replaced { action, old, new } => {
                if let Some(nonce) = self.nonces.get(&old).copied() {
                    self.nonces.insert(new, nonce);
                }
                if let Some(r) = redemption(action) {
                    self.sent(r, Some(old), new);
                }
            }
            Event::Landed(landed) => {
                if landed.result.is_ok() {
                    for hash in &landed.hashes {
                        self.nonces.remove(hash);
                    }
                }
                self.landed(landed);
            }
            Event::Processed => self.processed(),
        }
    }
}
