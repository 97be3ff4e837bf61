//! What the redeemer does at one tick: the engine's pure `decide` (see
//! [`livepeer_chain::engine`]), a function of the tick, the read ([`State`]) and the redeemer's
//! [`Memory`], which it threads through and returns. The rules that judge a ticket are
//! [`crate::rules`]; the read that gathers their facts is [`crate::bot`].
//!
//! At a tick it settles the transactions whose fate the read established (a receipt, a drop, a
//! send that never went out), judges every pending ticket when a pass is due ([`pass_due`]) and
//! cuts the ready ones into redemptions, then sends one redemption if the account is free. Every
//! other action is a journal record, written by [`crate::bot`] as the engine hands it over.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    time::Instant,
};

use alloy::primitives::B256;
use livepeer_chain::engine::{Read, Tick};
use livepeer_protocol::ticket::SignedTicket;

use crate::{
    RedeemerConfig,
    chain::{Rounds, describe, is_insufficient_funds},
    queue::{QueuedTicket, Record},
    rules::{Judge, Pass, Simulation, Step, Underfunded, Verdict},
};

/// Why a ready ticket waits in a round's last block.
const ROUND_ENDING: &str = "RoundEnding: the next block starts a round not initialized yet";

/// What decisions depend on besides the tick, the read and the memory.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// The redeemer's tuning.
    pub tuning: RedeemerConfig,
    /// Blocks a transaction found pending from before a restart waits before it is replaced (the
    /// sender's `--replace-after-blocks`).
    pub replace_after_blocks: u64,
    /// One pass ([`crate::Redeemer::process_once`], `--once`): the queue is judged at the first
    /// tick only; later ticks follow what it sent.
    pub once: bool,
}

/// What the redeemer remembers from one tick to the next. None of it must survive a restart: the
/// journal and the chain hold the truth, and a fresh start judges every ticket once.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Memory {
    /// Tickets deferred for want of funds, with the funds and round they were deferred at: they
    /// are judged again only when either changes.
    pub underfunded: HashMap<B256, Underfunded>,
    /// Transactions of ours found pending that no flight follows (sent before a restart), by
    /// their hashes (oldest first): the block they were first seen at. While one is pending
    /// nothing new is sent (it holds the account's nonce).
    pub orphans: HashMap<Vec<B256>, u64>,
    /// The last pass's redemptions not sent yet, in order: one goes out each time the account is
    /// free.
    pub ready: VecDeque<Redemption>,
    /// When the last pass ran.
    pub last_pass: Option<Instant>,
    /// The rounds as the last pass read them: nothing is sent in a round's last block (it would
    /// land in the next round's first, which no keeper can have initialized yet).
    pub rounds: Option<Rounds>,
}

/// A redemption transaction: `redeemWinningTicket` for one ticket, `batchRedeemWinningTickets`
/// for several.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    /// The tickets, by hash, in order.
    pub tickets: Vec<(B256, SignedTicket)>,
    /// Its gas limit: the tickets' single-call estimates, summed, plus the margin (a batch never
    /// reverts, so its own estimate would be the gas at which the inner redemptions fail quietly).
    pub gas_limit: u64,
    /// The hashes of a transaction of ours found pending that this one replaces at the fee cap (a
    /// take-over), oldest first; empty for a new redemption.
    pub replacing: Vec<B256>,
}

impl Redemption {
    /// The tickets' hashes.
    pub fn hashes(&self) -> Vec<B256> {
        self.tickets.iter().map(|(hash, _)| *hash).collect()
    }
}

/// What the redeemer does. All but [`Action::Redeem`] are journal records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A ticket's fate as journaled: [`Record::Redeemed`] (used on chain, by our transaction if
    /// known), [`Record::Released`] (its transaction resolved without redeeming it through no
    /// fault of the ticket: pending again, no attempt counted), [`Record::Dead`].
    Record(Record),
    /// A redemption attempt failed (one attempt counted); `dead`: it was the last allowed, and
    /// the ticket is dead for this reason.
    Retry {
        /// The ticket.
        hash: B256,
        /// Why the attempt failed.
        reason: String,
        /// The reason it dies, after `--max-attempts`.
        dead: Option<String>,
    },
    /// Not redeemable yet; `new`: the reason changed (journaled and logged only then).
    Defer {
        /// The ticket.
        hash: B256,
        /// Why it waits.
        reason: String,
        /// Whether the reason is not the one recorded.
        new: bool,
    },
    /// Send a redemption.
    Redeem(Redemption),
}

/// One read (see [`crate::bot`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct State {
    /// Tickets taken from the inbox and the gRPC intake into the queue.
    pub ingested: usize,
    /// Our transactions whose fate the read established: those that landed at this tick, and
    /// those in the journal that no flight follows.
    pub settled: Vec<Settled>,
    /// The pass, when one was due ([`pass_due`]).
    pub pass: Option<Pass>,
}

/// A transaction of ours and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    /// The hashes it went out under, oldest first (empty: it never went out).
    pub txs: Vec<B256>,
    /// Its tickets, as queued.
    pub tickets: Vec<QueuedTicket>,
    /// What became of it.
    pub fate: Fate,
}

impl Settled {
    /// The tickets it went out with and left unused (mined or dropped): back in the queue after
    /// this tick, so a pass at this tick judges them too and a ticket near its expiry is not left
    /// a pass behind. (A redemption never sent left its tickets pending all along.)
    pub fn reopened(&self) -> Vec<&QueuedTicket> {
        match &self.fate {
            Fate::Mined { after, .. } | Fate::Dropped { after } => self
                .tickets
                .iter()
                .zip(after)
                .filter(|(_, after)| matches!(after, After::Unused(_)))
                .map(|(t, _)| t)
                .collect(),
            Fate::NotSent { .. } | Fate::Pending { .. } => Vec::new(),
        }
    }
}

/// What became of a transaction of ours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fate {
    /// It never went out (the node refused it, its simulation reverted, …).
    NotSent {
        /// Why.
        error: String,
    },
    /// Mined as `tx`.
    Mined {
        /// The hash mined.
        tx: B256,
        /// Whether it succeeded (a batch succeeds even when an inner redemption fails).
        success: bool,
        /// Gas used.
        gas_used: u64,
        /// Wei paid per gas.
        gas_price: u128,
        /// The block it landed in, when that block's round was not initialized before the block
        /// began (read only when a ticket was left unused): nothing could be redeemed there, or
        /// it may have run ahead of the initialization in the same block.
        uninitialized: Option<u64>,
        /// Each ticket since, in the order of [`Settled::tickets`].
        after: Vec<After>,
    },
    /// No node knows any of its hashes any more.
    Dropped {
        /// Each ticket since.
        after: Vec<After>,
    },
    /// Still pending (sent before a restart, or its flight lost track of it).
    Pending {
        /// The tickets' single-call estimates for its take-over, read once it is due
        /// ([`takeover_due`]) and still holds the account's next nonce.
        takeover: Option<Vec<u64>>,
    },
}

/// A ticket after its transaction was mined or dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum After {
    /// Used on chain.
    Used,
    /// Not used; for a mined transaction, what a fresh simulation says of it now.
    Unused(Option<Simulation>),
}

/// Whether this tick judges the queue: at the first tick, then (unless [`Policy::once`]) when
/// prompted (woken by new tickets, a transaction of ours landed, or `--poll-interval` passed)
/// once the last pass's redemptions are all out, or have waited `--receipt-timeout` for the
/// account.
pub fn pass_due(tick: &Tick<'_, Action>, memory: &Memory, policy: &Policy) -> bool {
    let Some(last) = memory.last_pass else {
        return true;
    };
    if policy.once {
        return false;
    }
    let since = tick.now.saturating_duration_since(last);
    let replan = memory.ready.is_empty() || since >= policy.tuning.receipt_timeout;
    let prompted = tick.woken
        || tick.landed.iter().any(|l| !l.hashes.is_empty())
        || since >= policy.tuning.poll_interval;
    replan && prompted
}

/// Whether this tick needs a read: a pass is due, a transaction of ours landed, or one found
/// pending is being watched.
pub fn wants_read(tick: &Tick<'_, Action>, memory: &Memory, policy: &Policy) -> bool {
    pass_due(tick, memory, policy) || !tick.landed.is_empty() || !memory.orphans.is_empty()
}

/// Whether the transaction of ours found pending under `txs` is replaced now: the account has
/// nothing else in flight, and it has been pending `--replace-after-blocks` blocks since first
/// seen (this tick, if never before).
pub fn takeover_due(
    tick: &Tick<'_, Action>,
    memory: &Memory,
    txs: &[B256],
    policy: &Policy,
) -> bool {
    let since = memory.orphans.get(txs).copied().unwrap_or(tick.head.number);
    tick.in_flight.is_empty()
        && tick.head.number >= since.saturating_add(policy.replace_after_blocks)
}

/// The redeemer's decision at a tick (see the module docs).
pub fn decide(
    tick: &Tick<'_, Action>,
    read: Read<'_, State>,
    memory: Memory,
    policy: &Policy,
) -> (Vec<Action>, Memory) {
    let mut d = Decision {
        actions: Vec::new(),
        send: None,
        closed: HashSet::new(),
        policy,
    };
    let mut memory = memory;
    if let Some(state) = read.state() {
        memory.orphans = d.settle(tick, state, &memory);
        if let Some(pass) = &state.pass {
            d.plan(tick.now, pass, &mut memory);
        }
    }
    let free = tick.in_flight.is_empty() && memory.orphans.is_empty();
    if memory.rounds.is_some_and(|r| r.ends_at(tick.head.number)) {
        // The last pass's redemptions wait for the next pass, in the next round.
        memory.ready.clear();
    }
    if d.send.is_none() && free {
        d.send = memory.ready.pop_front();
    }
    let mut actions = d.actions;
    actions.extend(d.send.map(Action::Redeem));
    (actions, memory)
}

/// The actions of one tick as they are made.
struct Decision<'a> {
    actions: Vec<Action>,
    /// The redemption this tick sends (at most one: the account has one lane).
    send: Option<Redemption>,
    /// The tickets settled dead at this tick (their last attempt failed): not judged again.
    closed: HashSet<B256>,
    policy: &'a Policy,
}

impl Decision<'_> {
    /// Records the fate of each settled transaction; returns the orphans still pending, each
    /// with the block it was first seen at.
    fn settle(
        &mut self,
        tick: &Tick<'_, Action>,
        state: &State,
        memory: &Memory,
    ) -> HashMap<Vec<B256>, u64> {
        let mut pending = HashMap::new();
        for settled in &state.settled {
            let tickets = &settled.tickets;
            match &settled.fate {
                Fate::NotSent { error } => {
                    for t in tickets {
                        self.defer(t, format!("sending failed: {error}"));
                    }
                }
                Fate::Mined {
                    tx,
                    success,
                    uninitialized,
                    after,
                    ..
                } => {
                    for (t, after) in tickets.iter().zip(after) {
                        self.mined(t, *tx, *success, *uninitialized, after);
                    }
                }
                Fate::Dropped { after } => {
                    let dropped = match settled.txs.as_slice() {
                        [tx] => format!("transaction {tx} was dropped"),
                        txs => format!("transactions {txs:?} were dropped"),
                    };
                    for (t, after) in tickets.iter().zip(after) {
                        match after {
                            After::Used => self.redeemed(t.hash, None),
                            After::Unused(_) => self.retry(t, dropped.clone()),
                        }
                    }
                }
                Fate::Pending { takeover } => {
                    let due = takeover_due(tick, memory, &settled.txs, self.policy);
                    match takeover {
                        Some(gas) if due && self.send.is_none() => {
                            let tickets =
                                tickets.iter().map(|t| (t.hash, t.signed.clone())).collect();
                            self.send = Some(Redemption {
                                tickets,
                                gas_limit: gas_limit(gas, self.policy.tuning.gas_margin_percent),
                                replacing: settled.txs.clone(),
                            });
                        }
                        _ => {
                            let since = memory.orphans.get(&settled.txs).copied();
                            pending.insert(settled.txs.clone(), since.unwrap_or(tick.head.number));
                        }
                    }
                }
            }
        }
        pending
    }

    /// A ticket of a mined transaction: redeemed if used, else retried with the reason as far as
    /// a fresh simulation can tell, or released when it landed before its round's initialization
    /// or the sender's funds fell short meanwhile.
    fn mined(
        &mut self,
        t: &QueuedTicket,
        tx: B256,
        success: bool,
        uninitialized: Option<u64>,
        after: &After,
    ) {
        let why = match after {
            After::Used => return self.redeemed(t.hash, Some(tx)),
            After::Unused(why) => why,
        };
        let what = match success {
            true => format!("not redeemed by batch transaction {tx}"),
            false => format!("transaction {tx} reverted"),
        };
        if let Some(block) = uninitialized {
            return self.actions.push(Action::Record(Record::Released {
                hash: t.hash,
                reason: format!(
                    "RoundNotInitialized: {what}: it landed in block {block}, ahead of its \
                     round's initialization"
                ),
            }));
        }
        match why {
            Some(Simulation::Reverts(revert)) if is_insufficient_funds(revert) => {
                self.actions.push(Action::Record(Record::Released {
                    hash: t.hash,
                    reason: format!(
                        "InsufficientFunds: {what} (now reverts with {})",
                        describe(revert)
                    ),
                }));
            }
            Some(Simulation::Reverts(revert)) => {
                self.retry(t, format!("{what} (now reverts with {})", describe(revert)));
            }
            Some(Simulation::Failed(err)) => self.retry(t, format!("{what} (now {err})")),
            Some(Simulation::Gas(_)) | None => self.retry(t, what),
        }
    }

    /// Judges every pending ticket of the pass and cuts the ready ones into redemptions.
    fn plan(&mut self, now: Instant, pass: &Pass, memory: &mut Memory) {
        memory.last_pass = Some(now);
        memory.rounds = Some(pass.rounds);
        memory.ready.clear();
        let steps: Vec<Step> = {
            let mut judge = Judge::new(&memory.underfunded, self.policy.tuning.min_profit_percent);
            pass.tickets
                .iter()
                .map(|c| judge.judge(pass, &c.ticket, c.used, c.simulation.as_ref()))
                .collect()
        };
        let mut ready = Vec::new();
        for (checked, step) in pass.tickets.iter().zip(steps) {
            let t = &checked.ticket;
            if self.closed.contains(&t.hash) {
                continue;
            }
            // The read asked until every ticket had a verdict.
            let Step::Verdict(verdict) = step else {
                continue;
            };
            if !matches!(verdict, Verdict::Underfunded { .. }) {
                memory.underfunded.remove(&t.hash);
            }
            match verdict {
                Verdict::Ready { gas } => ready.push((t, gas)),
                Verdict::Redeemed => self.redeemed(t.hash, None),
                Verdict::Defer(reason) => self.defer(t, reason),
                Verdict::Underfunded { reason, funds } => {
                    let round = pass.rounds.current;
                    memory
                        .underfunded
                        .insert(t.hash, Underfunded { funds, round });
                    self.defer(t, reason);
                }
                Verdict::Dead(reason) => self.dead(t.hash, reason),
            }
        }
        if pass.rounds.ends_at_head() {
            for (t, _) in ready {
                self.defer(t, ROUND_ENDING.into());
            }
            return;
        }
        for chunk in ready.chunks(self.policy.tuning.max_batch.max(1)) {
            let gas: Vec<u64> = chunk.iter().map(|(_, gas)| *gas).collect();
            memory.ready.push_back(Redemption {
                tickets: chunk
                    .iter()
                    .map(|(t, _)| (t.hash, t.signed.clone()))
                    .collect(),
                gas_limit: gas_limit(&gas, self.policy.tuning.gas_margin_percent),
                replacing: Vec::new(),
            });
        }
    }

    fn redeemed(&mut self, hash: B256, tx: Option<B256>) {
        self.actions
            .push(Action::Record(Record::Redeemed { hash, tx }));
    }

    fn defer(&mut self, t: &QueuedTicket, reason: String) {
        let new = t.last_error.as_deref() != Some(reason.as_str());
        self.actions.push(Action::Defer {
            hash: t.hash,
            reason,
            new,
        });
    }

    /// A failed attempt; the ticket is dead once its attempts reach `--max-attempts`.
    fn retry(&mut self, t: &QueuedTicket, reason: String) {
        let attempts = t.attempts.saturating_add(1);
        let dead = (attempts >= self.policy.tuning.max_attempts)
            .then(|| format!("gave up after {attempts} failed attempts; last: {reason}"));
        if dead.is_some() {
            self.closed.insert(t.hash);
        }
        self.actions.push(Action::Retry {
            hash: t.hash,
            reason,
            dead,
        });
    }

    fn dead(&mut self, hash: B256, reason: String) {
        self.actions
            .push(Action::Record(Record::Dead { hash, reason }));
    }
}

/// The gas limit of a redemption of tickets with these single-call estimates.
fn gas_limit(estimates: &[u64], margin_percent: u64) -> u64 {
    let sum = estimates
        .iter()
        .fold(0u64, |sum, gas| sum.saturating_add(*gas));
    sum.saturating_mul(100 + margin_percent) / 100
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use alloy::primitives::{Address, U256};
    use livepeer_bindings::{IManager, ITicketBroker, ITicketBroker::ITicketBrokerErrors};
    use livepeer_chain::revert::RevertReason;
    use livepeer_chain::{
        ChainError,
        blocks::Head,
        engine::{Flying, Landed},
    };

    use super::*;
    use crate::rules::{
        Checked,
        tests::{funds, pass, sender, winning},
    };

    const ME: Address = Address::with_last_byte(0xaa);

    fn policy() -> Policy {
        Policy {
            tuning: RedeemerConfig {
                max_batch: 2,
                max_attempts: 3,
                min_profit_percent: 0,
                receipt_timeout: Duration::from_secs(60),
                poll_interval: Duration::from_secs(5),
                gas_margin_percent: 25,
                head_poll_interval: Duration::from_secs(1),
            },
            replace_after_blocks: 2,
            once: false,
        }
    }

    fn tick<'a>(
        head: u64,
        now: Instant,
        landed: &'a [Landed<Action>],
        in_flight: &'a [Flying<'a, Action>],
    ) -> Tick<'a, Action> {
        Tick {
            head: Head {
                number: head,
                base_fee: 0,
            },
            now,
            woken: false,
            landed,
            in_flight,
        }
    }

    /// A pass over `tickets`, each unused and simulating at 100 gas, the sender of key 7 with
    /// `deposit` wei.
    fn pass_over(tickets: &[QueuedTicket], deposit: u64) -> Pass {
        let mut pass = pass();
        pass.funds
            .insert((sender(7), Address::repeat_byte(0xee)), funds(deposit));
        pass.tickets = tickets
            .iter()
            .map(|t| Checked {
                ticket: t.clone(),
                used: Some(false),
                simulation: Some(Simulation::Gas(100)),
            })
            .collect();
        pass
    }

    fn state(pass: Option<Pass>, settled: Vec<Settled>) -> State {
        State {
            ingested: 0,
            settled,
            pass,
        }
    }

    /// The decision at head `head` on `read`, from an empty memory.
    fn fresh(head: u64, now: Instant, read: &State) -> (Vec<Action>, Memory) {
        decide(
            &tick(head, now, &[], &[]),
            Read::Done(read),
            Memory::default(),
            &policy(),
        )
    }

    fn redeem(actions: &[Action]) -> Vec<&Redemption> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Redeem(r) => Some(r),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_pass_cuts_the_ready_tickets_into_batches_sent_one_at_a_time() {
        let tickets: Vec<QueuedTicket> = (1..=3).map(|n| winning(7, 10 * n)).collect();
        let now = Instant::now();
        let read = state(Some(pass_over(&tickets, 1_000)), Vec::new());
        let (actions, memory) = fresh(10, now, &read);
        let sent = redeem(&actions);
        assert_eq!(actions.len(), 1, "{actions:?}");
        assert_eq!(sent[0].hashes(), [tickets[0].hash, tickets[1].hash]);
        assert_eq!(sent[0].gas_limit, 250, "two estimates of 100, plus 25%");
        assert!(sent[0].replacing.is_empty());
        assert_eq!(memory.last_pass, Some(now));
        assert_eq!(memory.ready.len(), 1, "the third waits for the account");
        // While the first is in flight nothing more goes out, read or not.
        let flying = [Flying {
            action: &actions[0],
            lane: ME,
            since: 10,
            hashes: &[],
        }];
        let (actions, memory) = decide(
            &tick(11, now, &[], &flying),
            Read::Skipped,
            memory,
            &policy(),
        );
        assert!(actions.is_empty(), "{actions:?}");
        // It landed: the next goes out (a single ticket: its own estimate plus the margin).
        let (actions, memory) = decide(&tick(12, now, &[], &[]), Read::Skipped, memory, &policy());
        let sent = redeem(&actions);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].hashes(), [tickets[2].hash]);
        assert_eq!(sent[0].gas_limit, 125);
        assert!(memory.ready.is_empty());
    }

    #[test]
    fn the_fate_of_each_transaction_becomes_its_tickets_records() {
        let (a, b, c, d) = (winning(7, 1), winning(7, 2), winning(7, 3), winning(7, 4));
        let mut c = c;
        c.attempts = 2;
        let tx = B256::repeat_byte(0x11);
        let short = RevertReason::TicketBroker(ITicketBrokerErrors::InsufficientFunds(
            ITicketBroker::InsufficientFunds {
                sender: sender(7),
                recipient: Address::repeat_byte(0xee),
                faceValue: U256::from(2u64),
                available: U256::from(1u64),
            },
        ));
        let paused = RevertReason::Manager(IManager::IManagerErrors::SystemPaused(
            IManager::SystemPaused {},
        ));
        let settled = vec![
            Settled {
                txs: vec![tx],
                tickets: vec![a.clone(), b.clone()],
                fate: Fate::Mined {
                    tx,
                    success: true,
                    gas_used: 1,
                    gas_price: 1,
                    uninitialized: None,
                    after: vec![After::Used, After::Unused(Some(Simulation::Reverts(short)))],
                },
            },
            Settled {
                txs: vec![tx],
                tickets: vec![c.clone()],
                fate: Fate::Mined {
                    tx,
                    success: false,
                    gas_used: 1,
                    gas_price: 1,
                    uninitialized: None,
                    after: vec![After::Unused(Some(Simulation::Reverts(paused)))],
                },
            },
            Settled {
                txs: vec![tx],
                tickets: vec![d.clone()],
                fate: Fate::Dropped {
                    after: vec![After::Unused(None)],
                },
            },
            Settled {
                txs: Vec::new(),
                tickets: vec![a.clone()],
                fate: Fate::NotSent {
                    error: "transaction refused".into(),
                },
            },
        ];
        let read = state(None, settled);
        let (actions, _) = fresh(10, Instant::now(), &read);
        let expected = [
            Action::Record(Record::Redeemed {
                hash: a.hash,
                tx: Some(tx),
            }),
            Action::Record(Record::Released {
                hash: b.hash,
                reason: format!(
                    "InsufficientFunds: not redeemed by batch transaction {tx} (now reverts with \
                     InsufficientFunds(InsufficientFunds {{ sender: {:?}, recipient: {:?}, faceValue: 2, available: 1 }}))",
                    sender(7),
                    Address::repeat_byte(0xee)
                ),
            }),
            Action::Retry {
                hash: c.hash,
                reason: format!(
                    "transaction {tx} reverted (now reverts with SystemPaused(SystemPaused))"
                ),
                dead: Some(format!(
                    "gave up after 3 failed attempts; last: transaction {tx} reverted (now \
                     reverts with SystemPaused(SystemPaused))"
                )),
            },
            Action::Retry {
                hash: d.hash,
                reason: format!("transaction {tx} was dropped"),
                dead: None,
            },
            Action::Defer {
                hash: a.hash,
                reason: "sending failed: transaction refused".into(),
                new: true,
            },
        ];
        assert_eq!(actions, expected);
        // A reason already recorded is not journaled again.
        let mut a = a;
        a.last_error = Some("sending failed: transaction refused".into());
        let read = state(
            None,
            vec![Settled {
                txs: Vec::new(),
                tickets: vec![a.clone()],
                fate: Fate::NotSent {
                    error: "transaction refused".into(),
                },
            }],
        );
        let (actions, _) = fresh(10, Instant::now(), &read);
        assert_eq!(
            actions,
            [Action::Defer {
                hash: a.hash,
                reason: "sending failed: transaction refused".into(),
                new: false
            }]
        );
    }

    #[test]
    fn a_transaction_found_pending_holds_new_sends_then_is_taken_over() {
        let (t, waiting) = (winning(7, 1), winning(7, 2));
        let txs = vec![B256::repeat_byte(1), B256::repeat_byte(2)];
        let pending = |takeover| {
            state(
                None,
                vec![Settled {
                    txs: txs.clone(),
                    tickets: vec![t.clone()],
                    fate: Fate::Pending { takeover },
                }],
            )
        };
        let now = Instant::now();
        // A pass made `waiting` ready, but a transaction of ours is pending: nothing goes out.
        let mut memory = Memory {
            last_pass: Some(now),
            ..Memory::default()
        };
        memory.ready.push_back(Redemption {
            tickets: vec![(waiting.hash, waiting.signed.clone())],
            gas_limit: 1,
            replacing: Vec::new(),
        });
        let read = pending(None);
        let (actions, memory) = decide(
            &tick(10, now, &[], &[]),
            Read::Done(&read),
            memory,
            &policy(),
        );
        assert!(actions.is_empty(), "{actions:?}");
        assert_eq!(memory.orphans, [(txs.clone(), 10)].into());
        assert!(!takeover_due(
            &tick(11, now, &[], &[]),
            &memory,
            &txs,
            &policy()
        ));
        assert!(takeover_due(
            &tick(12, now, &[], &[]),
            &memory,
            &txs,
            &policy()
        ));
        // A failed read changes nothing: still held.
        let failure = ChainError::Build("injected".into());
        let (actions, memory) = decide(
            &tick(11, now, &[], &[]),
            Read::Failed(&failure),
            memory,
            &policy(),
        );
        assert!(actions.is_empty(), "{actions:?}");
        // Two blocks on, still pending and still the account's next nonce: replaced.
        let read = pending(Some(vec![80]));
        let (actions, memory) = decide(
            &tick(12, now, &[], &[]),
            Read::Done(&read),
            memory,
            &policy(),
        );
        assert_eq!(
            actions,
            [Action::Redeem(Redemption {
                tickets: vec![(t.hash, t.signed.clone())],
                gas_limit: 100,
                replacing: txs.clone(),
            })]
        );
        assert!(memory.orphans.is_empty());
        assert_eq!(
            memory.ready.len(),
            1,
            "the ready one waits for the take-over"
        );
    }

    #[test]
    fn the_tickets_a_transaction_left_unused_are_judged_by_the_same_pass() {
        let (a, b, c, d) = (winning(7, 1), winning(7, 2), winning(7, 3), winning(7, 4));
        let mut c = c;
        c.attempts = 2;
        let tx = B256::repeat_byte(0x11);
        let mined = |tickets: Vec<QueuedTicket>, after| Settled {
            txs: vec![tx],
            tickets,
            fate: Fate::Mined {
                tx,
                success: true,
                gas_used: 1,
                gas_price: 1,
                uninitialized: None,
                after,
            },
        };
        let settled = [
            mined(
                vec![a.clone(), b.clone()],
                vec![After::Used, After::Unused(None)],
            ),
            mined(vec![c.clone()], vec![After::Unused(None)]),
            Settled {
                txs: vec![tx],
                tickets: vec![d.clone()],
                fate: Fate::Pending { takeover: None },
            },
            Settled {
                txs: Vec::new(),
                tickets: vec![d.clone()],
                fate: Fate::NotSent {
                    error: "refused".into(),
                },
            },
        ];
        let reopened: Vec<Vec<B256>> = settled
            .iter()
            .map(|s| s.reopened().iter().map(|t| t.hash).collect())
            .collect();
        assert_eq!(reopened, [vec![b.hash], vec![c.hash], vec![], vec![]]);
        // The pass over them sends the one left unused at once, not the one whose last attempt
        // this was.
        let read = state(
            Some(pass_over(&[b.clone(), c.clone()], 1_000)),
            settled[..2].to_vec(),
        );
        let (actions, _) = fresh(10, Instant::now(), &read);
        assert!(
            actions
                .iter()
                .any(|a| matches!(a, Action::Retry { hash, dead: Some(_), .. } if *hash == c.hash)),
            "{actions:?}"
        );
        let sent = redeem(&actions);
        assert_eq!(sent.len(), 1, "{actions:?}");
        assert_eq!(sent[0].hashes(), [b.hash]);
    }

    #[test]
    fn a_transaction_landed_before_its_rounds_initialization_costs_no_attempt() {
        let (used, unused) = (winning(7, 1), winning(7, 2));
        let tx = B256::repeat_byte(0x11);
        let read = state(
            None,
            vec![Settled {
                txs: vec![tx],
                tickets: vec![used.clone(), unused.clone()],
                fate: Fate::Mined {
                    tx,
                    success: true,
                    gas_used: 1,
                    gas_price: 1,
                    uninitialized: Some(100),
                    after: vec![After::Used, After::Unused(None)],
                },
            }],
        );
        let (actions, _) = fresh(101, Instant::now(), &read);
        assert_eq!(
            actions,
            [
                Action::Record(Record::Redeemed {
                    hash: used.hash,
                    tx: Some(tx)
                }),
                Action::Record(Record::Released {
                    hash: unused.hash,
                    reason: format!(
                        "RoundNotInitialized: not redeemed by batch transaction {tx}: it landed \
                         in block 100, ahead of its round's initialization"
                    ),
                }),
            ]
        );
    }

    #[test]
    fn nothing_is_sent_in_a_rounds_last_block() {
        let tickets: Vec<QueuedTicket> = (1..=3).map(|n| winning(7, 10 * n)).collect();
        let now = Instant::now();
        // A pass at the round's last block (the next starts at 100): the ready tickets wait.
        let mut last = pass_over(&tickets[..1], 1_000);
        last.rounds.head = 99;
        let read = state(Some(last), Vec::new());
        let (actions, memory) = fresh(99, now, &read);
        assert_eq!(
            actions,
            [Action::Defer {
                hash: tickets[0].hash,
                reason: ROUND_ENDING.into(),
                new: true
            }]
        );
        assert!(memory.ready.is_empty());
        // A pass earlier in the round: the first batch goes out, the rest wait for the account;
        // by the round's last block they wait for the next pass instead.
        let read = state(Some(pass_over(&tickets, 1_000)), Vec::new());
        let (actions, memory) = decide(
            &tick(98, now, &[], &[]),
            Read::Done(&read),
            memory,
            &policy(),
        );
        assert_eq!(redeem(&actions).len(), 1);
        assert_eq!(memory.ready.len(), 1);
        let (actions, memory) = decide(&tick(99, now, &[], &[]), Read::Skipped, memory, &policy());
        assert!(actions.is_empty(), "{actions:?}");
        assert!(memory.ready.is_empty());
    }

    #[test]
    fn an_underfunded_ticket_is_remembered_until_its_funds_change() {
        let t = winning(7, 60);
        let now = Instant::now();
        let read = state(Some(pass_over(std::slice::from_ref(&t), 59)), Vec::new());
        let (actions, memory) = fresh(10, now, &read);
        let reason = match actions.as_slice() {
            [
                Action::Defer {
                    reason, new: true, ..
                },
            ] => reason.clone(),
            other => unreachable!("{other:?}"),
        };
        assert!(reason.starts_with("InsufficientFunds"), "{reason}");
        assert_eq!(
            memory.underfunded.get(&t.hash).map(|u| (u.funds, u.round)),
            Some((funds(59), pass().rounds.current))
        );
        // The same funds: judged on them alone (the read needs nothing else), not journaled.
        let mut t = t;
        t.last_error = Some(reason.clone());
        let mut same = pass_over(std::slice::from_ref(&t), 59);
        same.tickets[0].used = None;
        same.tickets[0].simulation = None;
        let read = state(Some(same), Vec::new());
        let (actions, memory) = decide(
            &tick(11, now, &[], &[]),
            Read::Done(&read),
            memory,
            &policy(),
        );
        assert_eq!(
            actions,
            [Action::Defer {
                hash: t.hash,
                reason,
                new: false
            }]
        );
        // Topped up: judged in full, ready, and forgotten.
        let read = state(Some(pass_over(std::slice::from_ref(&t), 60)), Vec::new());
        let (actions, memory) = decide(
            &tick(12, now, &[], &[]),
            Read::Done(&read),
            memory,
            &policy(),
        );
        assert_eq!(redeem(&actions).len(), 1, "{actions:?}");
        assert!(memory.underfunded.is_empty());
    }

    #[test]
    fn a_pass_is_due_when_prompted_once_the_last_one_is_sent() {
        let now = Instant::now();
        let policy = policy();
        let due = |tick: &Tick<'_, Action>, memory: &Memory| pass_due(tick, memory, &policy);
        let mut memory = Memory::default();
        assert!(due(&tick(1, now, &[], &[]), &memory), "the first tick");
        memory.last_pass = Some(now);
        let mut woken = tick(1, now, &[], &[]);
        woken.woken = true;
        assert!(!due(&tick(1, now, &[], &[]), &memory), "not prompted");
        assert!(due(&woken, &memory), "new tickets");
        assert!(
            due(&tick(1, now + Duration::from_secs(5), &[], &[]), &memory),
            "--poll-interval"
        );
        let landed = |hashes: Vec<B256>| Landed {
            action: Action::Record(Record::Dead {
                hash: B256::ZERO,
                reason: String::new(),
            }),
            lane: ME,
            since: 1,
            hashes,
            result: Err(ChainError::Cancelled),
        };
        let mined = [landed(vec![B256::ZERO])];
        assert!(due(&tick(2, now, &mined, &[]), &memory), "ours landed");
        let refused = [landed(Vec::new())];
        assert!(
            !due(&tick(2, now, &refused, &[]), &memory),
            "a send that never went out waits for the next pass"
        );
        assert!(wants_read(&tick(2, now, &refused, &[]), &memory, &policy));
        // Redemptions of the last pass still to send: no new pass until they waited
        // --receipt-timeout.
        memory.ready.push_back(Redemption {
            tickets: Vec::new(),
            gas_limit: 0,
            replacing: Vec::new(),
        });
        assert!(!due(&woken, &memory));
        assert!(!due(
            &tick(1, now + Duration::from_secs(59), &[], &[]),
            &memory
        ));
        assert!(due(
            &tick(1, now + Duration::from_secs(60), &[], &[]),
            &memory
        ));
        // One pass only: the first tick.
        let once = Policy {
            once: true,
            ..policy.clone()
        };
        assert!(!pass_due(
            &woken,
            &Memory {
                ready: VecDeque::new(),
                ..memory.clone()
            },
            &once
        ));
        assert!(pass_due(&woken, &Memory::default(), &once));
        // A pending transaction of ours found: watched at every tick.
        memory.orphans.insert(vec![B256::ZERO], 1);
        assert!(wants_read(&tick(3, now, &[], &[]), &memory, &policy));
    }
}
