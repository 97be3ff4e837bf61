//! What the agent does at one block: the engine's pure `decide` (see
//! [`livepeer_chain::engine`]), a function of the block's snapshot, the outcomes of the agent's
//! transactions that ended, those still in flight, and the agent's [`Memory`], which it threads
//! through and returns. The decision for one orchestrator is [`crate::decide`].
//!
//! Per block: the outcomes land in the memory (a failure starts a backoff, a signer found busy
//! with a transaction not ours is waited for); then, for each orchestrator in the order served,
//! its [`Standing`] (owed, authorized) is computed once and goes to the missed-round accounting
//! ([`crate::missed`]), the decision and the metrics alike. One lane per signing account: while a
//! reward of an orchestrator holds its signer's nonce, the other orchestrators of that signer
//! wait ([`Decision::SignerBusy`]) and decide again, with fresh hints, once it has landed; a
//! reward stuck on the lane is replaced by the first of them that still owes one (its own, or
//! another's: the account never stays blocked by a reward nobody needs any more).

use std::collections::{BTreeMap, BTreeSet};

use alloy::primitives::Address;
use livepeer_chain::{engine::Read, missed::RoundDuty};
use livepeer_protocol::Round;

use crate::{
    decide::{Decision, Lane, Policy, RoundMemory, Standing, decide},
    lens::{Snapshot, snapshot_round},
    missed::observation,
};

/// An orchestrator the agent serves, and the account that signs its rewards (its own, or its
/// reward caller's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// The orchestrator.
    pub orchestrator: Address,
    /// The signing account: the lane its rewards go out on.
    pub signer: Address,
}

/// What the decision needs besides the block: who is served (in the snapshot's order) and how.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The orchestrators, in the order the snapshot lists them.
    pub served: &'a [Served],
    /// Gas, guard, replacement and backoff.
    pub policy: &'a Policy,
    /// Nothing is sent, so no lane is ever busy.
    pub dry_run: bool,
}

/// What the agent remembers of one orchestrator from one block to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrchestratorMemory {
    /// This round's failures, backoff and once-a-round reports.
    pub round: RoundMemory,
    /// Rounds that ended with the reward owed.
    pub duty: RoundDuty,
    /// Why nothing was rewarded yet, as of the last block (a missed round's log line says it).
    pub last_cause: String,
}

impl Default for OrchestratorMemory {
    fn default() -> Self {
        Self {
            round: RoundMemory::default(),
            duty: RoundDuty::default(),
            last_cause: "nothing read yet".to_owned(),
        }
    }
}

/// What the agent remembers from one block to the next. Nothing of it matters across a restart:
/// the chain says what is rewarded, and each account's nonces whether a transaction is pending.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Memory {
    /// Per orchestrator.
    pub orchestrators: BTreeMap<Address, OrchestratorMemory>,
    /// Per signing account: the block from which a transaction the agent does not follow (sent
    /// before a restart, or by a rival with the same key) was seen holding its next nonce.
    pub pending: BTreeMap<Address, u64>,
}

/// What the agent does (and logs) at a block.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // a few a block, each moved once: a box would buy nothing
pub enum Action {
    /// One orchestrator's decision at a block read; it sends when the decision is
    /// [`Decision::Reward`] or [`Decision::Replace`].
    Decided {
        /// The orchestrator.
        orchestrator: Address,
        /// Its signing account.
        signer: Address,
        /// Where it stands in the block's snapshot.
        standing: Standing,
        /// What to do.
        decision: Decision,
    },
    /// A round ended with the orchestrator active and not rewarded.
    Missed {
        /// The orchestrator.
        orchestrator: Address,
        /// The round.
        round: Round,
        /// The last decision before it ended, or the read error.
        cause: String,
    },
}

/// A reward of the agent still in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flight {
    /// Its orchestrator.
    pub orchestrator: Address,
    /// Its signing account.
    pub lane: Address,
    /// The block it was sent.
    pub since: u64,
}

/// What became of a reward transaction, as the next decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Confirmed.
    Rewarded {
        /// The orchestrator.
        orchestrator: Address,
        /// Its signing account.
        signer: Address,
        /// The round it was sent in.
        round: Round,
    },
    /// Not sent: the simulation says the round is rewarded already.
    AlreadyRewarded {
        /// The orchestrator.
        orchestrator: Address,
        /// The round it was decided in.
        round: Round,
    },
    /// Not sent: another transaction of the signer holds its next nonce.
    SignerPending {
        /// The signing account.
        signer: Address,
    },
    /// Failed (a simulation or on-chain revert, an RPC failure): retried after a backoff.
    Failed {
        /// The orchestrator.
        orchestrator: Address,
    },
    /// Stopped following it (shutdown): nothing to learn.
    Cancelled,
}

/// The agent's decision at block `head` (see the module docs).
pub fn step(
    head: u64,
    landed: &[Outcome],
    in_flight: &[Flight],
    read: Read<'_, Snapshot>,
    memory: Memory,
    ctx: &Context<'_>,
) -> (Vec<Action>, Memory) {
    let Memory {
        mut orchestrators,
        mut pending,
    } = memory;
    let mut actions = Vec::new();
    let mut confirmed = Vec::new();
    for outcome in landed {
        match *outcome {
            Outcome::Rewarded {
                orchestrator,
                signer,
                round,
            } => {
                pending.remove(&signer);
                confirmed.push((orchestrator, round));
            }
            Outcome::AlreadyRewarded {
                orchestrator,
                round,
            } => confirmed.push((orchestrator, round)),
            Outcome::SignerPending { signer } => {
                pending.entry(signer).or_insert(head);
            }
            Outcome::Failed { orchestrator } => orchestrators
                .entry(orchestrator)
                .or_default()
                .round
                .failed(head, ctx.policy.max_backoff_blocks),
            Outcome::Cancelled => {}
        }
    }
    let Some(s) = read.state() else {
        // Blind: rounds end at the bounds of the last good snapshot. A reward confirmed meanwhile
        // is all the agent knows of its round (a good read shows it by itself).
        for &(orchestrator, round) in &confirmed {
            orchestrators
                .entry(orchestrator)
                .or_default()
                .duty
                .done(round);
        }
        for served in ctx.served {
            let m = orchestrators.entry(served.orchestrator).or_default();
            if let Read::Failed(err) = read {
                m.last_cause = format!("chain reads failing ({err})");
            }
            missed(&mut actions, served.orchestrator, m, head, None);
        }
        return (
            actions,
            Memory {
                orchestrators,
                pending,
            },
        );
    };
    let round = snapshot_round(s);
    // Lanes a reward decided in this block goes out on.
    let mut claimed = BTreeSet::new();
    let mut owing = BTreeSet::new();
    for (served, o) in ctx.served.iter().zip(&s.orchestrators) {
        let m = orchestrators.entry(served.orchestrator).or_default();
        if let Some(previous) = m.round.enter(round)
            && previous.failures > 0
        {
            m.last_cause = format!("{}, {} failed attempts", m.last_cause, previous.failures);
        }
        let standing = Standing::of(s, o, served.signer);
        missed(
            &mut actions,
            served.orchestrator,
            m,
            head,
            Some(observation(s, &standing)),
        );
        let lane = match in_flight.iter().find(|f| f.lane == served.signer) {
            _ if claimed.contains(&served.signer) => Lane::Busy { since: head },
            Some(f) if f.orchestrator == served.orchestrator => Lane::Pending { since: f.since },
            Some(f) => Lane::Busy { since: f.since },
            None => pending
                .get(&served.signer)
                .map_or(Lane::Free, |&since| Lane::Pending { since }),
        };
        let decision = decide(s, o, &standing, &m.round, lane, ctx.policy);
        m.round.note(&decision);
        m.last_cause = decision.name();
        if standing.owed() {
            owing.insert(served.signer);
        }
        if matches!(decision, Decision::Replace(_)) {
            // The replacement takes the nonce of whatever held it.
            pending.remove(&served.signer);
        }
        if decision.call().is_some() && !ctx.dry_run {
            claimed.insert(served.signer);
        }
        actions.push(Action::Decided {
            orchestrator: served.orchestrator,
            signer: served.signer,
            standing,
            decision,
        });
    }
    // A pending transaction not ours matters only while one of its signer's rewards is owed.
    pending.retain(|signer, _| owing.contains(signer));
    (
        actions,
        Memory {
            orchestrators,
            pending,
        },
    )
}

/// Moves `m`'s round duty to `head` and adds the rounds that ended owed.
fn missed(
    actions: &mut Vec<Action>,
    orchestrator: Address,
    m: &mut OrchestratorMemory,
    head: u64,
    seen: Option<livepeer_chain::missed::Observation>,
) {
    for round in m.duty.advance(head, seen.as_ref()) {
        actions.push(Action::Missed {
            orchestrator,
            round,
            cause: m.last_cause.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::U256;
    use livepeer_chain::ChainError;

    use super::*;
    use crate::{
        decide::{
            Profitability,
            tests::{addr, lpt, members, orchestrator, snapshot},
        },
        lens::LensOrchestrator,
    };

    /// O1 with its own key; O2 and O3 through the reward caller C.
    const C: u8 = 9;

    fn served() -> Vec<Served> {
        [(1, 1), (2, C), (3, C)]
            .map(|(o, signer)| Served {
                orchestrator: addr(o),
                signer: addr(signer),
            })
            .to_vec()
    }

    /// The snapshot at `block` (20-block rounds: round `block / 20`), the round initialized,
    /// nobody rewarded in it (`lastRewardRound` 4), O2 and O3 authorizing C.
    fn read(block: u64) -> Snapshot {
        let os: Vec<LensOrchestrator> = [1, 2, 3]
            .map(|n| LensOrchestrator {
                rewardCaller: if n == 1 { Address::ZERO } else { addr(C) },
                ..orchestrator(n, lpt(1_000))
            })
            .to_vec();
        let round = U256::from(block / 20);
        Snapshot {
            blockNumber: U256::from(block),
            currentRound: round,
            lastInitializedRound: round,
            roundStartBlock: U256::from(block / 20 * 20),
            ..snapshot(os, members(&[(1, 3), (2, 2), (3, 1)]))
        }
    }

    /// `read` with orchestrator `n` changed by `change`.
    fn with(block: u64, n: usize, change: impl FnOnce(&mut LensOrchestrator)) -> Snapshot {
        let mut s = read(block);
        change(&mut s.orchestrators[n - 1]);
        s
    }

    /// The agent, its memory threaded from block to block.
    struct Agent {
        memory: Memory,
        served: Vec<Served>,
        policy: Policy,
        dry_run: bool,
    }

    impl Agent {
        fn new() -> Self {
            Self {
                memory: Memory::default(),
                served: served(),
                policy: Policy::default(),
                dry_run: false,
            }
        }

        fn at(
            &mut self,
            head: u64,
            landed: &[Outcome],
            in_flight: &[Flight],
            read: Read<'_, Snapshot>,
        ) -> Vec<Action> {
            let ctx = Context {
                served: &self.served,
                policy: &self.policy,
                dry_run: self.dry_run,
            };
            let memory = std::mem::take(&mut self.memory);
            let (actions, memory) = step(head, landed, in_flight, read, memory, &ctx);
            self.memory = memory;
            actions
        }

        /// The block's decisions by name, in the order served.
        fn names(&mut self, head: u64, landed: &[Outcome], in_flight: &[Flight]) -> Vec<String> {
            let s = read(head);
            names(&self.at(head, landed, in_flight, Read::Done(&s)))
        }
    }

    fn names(actions: &[Action]) -> Vec<String> {
        actions
            .iter()
            .map(|a| match a {
                Action::Decided { decision, .. } => decision.name(),
                Action::Missed { round, .. } => format!("Missed {round}"),
            })
            .collect()
    }

    fn decision(actions: &[Action], o: u8) -> &Decision {
        actions
            .iter()
            .find_map(|a| match a {
                Action::Decided {
                    orchestrator,
                    decision,
                    ..
                } if *orchestrator == addr(o) => Some(decision),
                _ => None,
            })
            .unwrap_or_else(|| unreachable!("no decision for {o}"))
    }

    fn missed(actions: &[Action]) -> Vec<(Address, u64, String)> {
        actions
            .iter()
            .filter_map(|a| match a {
                Action::Missed {
                    orchestrator,
                    round,
                    cause,
                } => Some((*orchestrator, round.get(), cause.clone())),
                Action::Decided { .. } => None,
            })
            .collect()
    }

    fn flight(o: u8, lane: u8, since: u64) -> Flight {
        Flight {
            orchestrator: addr(o),
            lane: addr(lane),
            since,
        }
    }

    fn rewarded(o: u8, signer: u8, round: u64) -> Outcome {
        Outcome::Rewarded {
            orchestrator: addr(o),
            signer: addr(signer),
            round: Round::new(round),
        }
    }

    #[test]
    fn rewards_are_sent_once_and_orchestrators_sharing_a_signer_take_turns() {
        let mut agent = Agent::new();
        assert_eq!(
            agent.names(105, &[], &[]),
            ["Reward", "Reward", "SignerBusy"],
            "O1 on its own lane, O2 on C's; O3 waits for C"
        );
        let flying = [flight(1, 1, 105), flight(2, C, 105)];
        assert_eq!(
            agent.names(106, &[], &flying),
            ["InFlight", "InFlight", "SignerBusy"]
        );
        // Both confirmed at 107: the read shows them rewarded, and C is free for O3.
        let s = with(107, 1, |o| o.lastRewardRound = U256::from(5));
        let s = Snapshot {
            orchestrators: vec![
                s.orchestrators[0].clone(),
                LensOrchestrator {
                    lastRewardRound: U256::from(5),
                    ..s.orchestrators[1].clone()
                },
                s.orchestrators[2].clone(),
            ],
            ..s
        };
        let landed = [rewarded(1, 1, 5), rewarded(2, C, 5)];
        let actions = agent.at(107, &landed, &[], Read::Done(&s));
        assert_eq!(names(&actions), ["Rewarded", "Rewarded", "Reward"]);
        let Decision::Reward(call) = decision(&actions, 3) else {
            unreachable!()
        };
        assert_eq!(call.bonding_manager, addr(200));
        // O3's confirmation: nothing owed at the round's end, nothing missed.
        let done = Snapshot {
            orchestrators: s
                .orchestrators
                .iter()
                .map(|o| LensOrchestrator {
                    lastRewardRound: U256::from(5),
                    ..o.clone()
                })
                .collect(),
            ..read(108)
        };
        let actions = agent.at(108, &[rewarded(3, C, 5)], &[], Read::Done(&done));
        assert_eq!(names(&actions), ["Rewarded", "Rewarded", "Rewarded"]);
        let next = read(120);
        let actions = agent.at(120, &[], &[], Read::Done(&next));
        assert!(missed(&actions).is_empty(), "{actions:?}");
        assert_eq!(names(&actions), ["Reward", "Reward", "SignerBusy"]);
    }

    #[test]
    fn a_stuck_reward_on_a_shared_lane_is_replaced_by_whoever_still_owes() {
        let mut agent = Agent::new();
        agent.names(105, &[], &[]);
        let flying = [flight(1, 1, 105), flight(2, C, 105)];
        // Stuck at 108: O2 replaces its own reward first; O3 waits for the replacement.
        assert_eq!(
            agent.names(108, &[], &flying),
            ["Replace", "Replace", "SignerBusy"]
        );
        // The same, but O2 rewarded meanwhile by someone else (its own key): its stuck reward is
        // no use, and O3's reward takes its nonce.
        let mut agent = Agent::new();
        agent.names(105, &[], &[]);
        let s = with(108, 2, |o| o.lastRewardRound = U256::from(5));
        let actions = agent.at(108, &[], &flying[1..], Read::Done(&s));
        assert_eq!(names(&actions), ["Reward", "Rewarded", "Replace"]);
        let Action::Decided { signer, .. } = &actions[2] else {
            unreachable!()
        };
        assert_eq!(*signer, addr(C), "on C's lane");
    }

    #[test]
    fn in_a_dry_run_every_orchestrator_of_a_signer_is_decided() {
        let mut agent = Agent::new();
        agent.dry_run = true;
        assert_eq!(agent.names(105, &[], &[]), ["Reward", "Reward", "Reward"]);
    }

    #[test]
    fn a_stuck_reward_is_replaced_with_fresh_hints() {
        let mut agent = Agent {
            served: served()[..1].to_vec(),
            ..Agent::new()
        };
        agent.names(105, &[], &[]);
        let flying = [flight(1, 1, 105)];
        assert_eq!(agent.names(107, &[], &flying), ["InFlight"]);
        let actions = agent.at(108, &[], &flying, Read::Done(&read(108)));
        assert!(matches!(decision(&actions, 1), Decision::Replace(_)));
    }

    #[test]
    fn a_transaction_of_the_signer_not_ours_is_waited_for_then_replaced() {
        let mut agent = Agent::new();
        agent.names(105, &[], &[]);
        // O2's reward found C's nonce taken (a reward sent before a restart); O1's confirmed.
        let busy = Outcome::SignerPending { signer: addr(C) };
        let s = with(106, 1, |o| o.lastRewardRound = U256::from(5));
        let actions = agent.at(106, &[rewarded(1, 1, 5), busy], &[], Read::Done(&s));
        assert_eq!(names(&actions), ["Rewarded", "InFlight", "InFlight"]);
        assert_eq!(agent.memory.pending.get(&addr(C)), Some(&106));
        // Still pending at 108, stuck at 109 (3 blocks): the first of C's orchestrators replaces
        // it at the fee cap, the other waits for the replacement.
        let s = with(108, 1, |o| o.lastRewardRound = U256::from(5));
        let actions = agent.at(108, &[], &[], Read::Done(&s));
        assert_eq!(names(&actions), ["Rewarded", "InFlight", "InFlight"]);
        let s = with(109, 1, |o| o.lastRewardRound = U256::from(5));
        let actions = agent.at(109, &[], &[], Read::Done(&s));
        assert_eq!(names(&actions), ["Rewarded", "Replace", "SignerBusy"]);
        assert!(
            agent.memory.pending.is_empty(),
            "the replacement holds it now"
        );
        // Once nothing of C is owed, a pending sighting is forgotten.
        agent.at(110, &[busy], &[flight(2, C, 109)], Read::Done(&read(110)));
        assert_eq!(agent.memory.pending.get(&addr(C)), Some(&110));
        let done = Snapshot {
            orchestrators: read(111)
                .orchestrators
                .into_iter()
                .map(|o| LensOrchestrator {
                    lastRewardRound: U256::from(5),
                    ..o
                })
                .collect(),
            ..read(111)
        };
        agent.at(111, &[], &[], Read::Done(&done));
        assert!(agent.memory.pending.is_empty());
    }

    #[test]
    fn failures_back_off_and_a_round_that_ends_owed_is_missed_once_with_its_cause() {
        let mut agent = Agent {
            served: served()[..1].to_vec(),
            ..Agent::new()
        };
        let failed = Outcome::Failed {
            orchestrator: addr(1),
        };
        agent.names(105, &[], &[]);
        let actions = agent.at(106, &[failed], &[], Read::Done(&read(106)));
        assert_eq!(
            decision(&actions, 1),
            &Decision::Backoff {
                until: 107,
                failures: 1
            }
        );
        assert_eq!(agent.names(107, &[], &[]), ["Reward"]);
        let actions = agent.at(108, &[failed], &[], Read::Done(&read(108)));
        assert_eq!(
            decision(&actions, 1),
            &Decision::Backoff {
                until: 110,
                failures: 2
            }
        );
        assert_eq!(agent.names(110, &[], &[]), ["Reward"]);
        agent.at(111, &[failed], &[], Read::Done(&read(111)));
        // Round 5 ends unrewarded: missed once, with the last decision and the failures.
        let actions = agent.at(120, &[], &[], Read::Done(&read(120)));
        assert_eq!(
            missed(&actions),
            [(addr(1), 5, "Backoff, 3 failed attempts".to_owned())]
        );
        assert_eq!(names(&actions)[1], "Reward", "round 6 starts afresh");
        assert!(missed(&agent.at(121, &[], &[], Read::Done(&read(121)))).is_empty());
    }

    #[test]
    fn reports_and_counts_are_once_a_round() {
        let mut agent = Agent::new();
        agent.policy.gas_ceiling = Some(1);
        // O2's reward caller revoked; the base fee above the ceiling for O1 and O3.
        let revoked = |block| with(block, 2, |o| o.rewardCaller = Address::ZERO);
        let once = |agent: &mut Agent, block| {
            let s = revoked(block);
            let actions = agent.at(block, &[], &[], Read::Done(&s));
            [1, 2, 3].map(|o| decision(&actions, o).clone())
        };
        let fee = 1_000_000_000;
        let defer = |count| Decision::Defer {
            base_fee: fee,
            ceiling: 1,
            count,
        };
        let unauthorized = |report| Decision::NotAuthorized {
            authorized: Address::ZERO,
            report,
        };
        assert_eq!(
            once(&mut agent, 105),
            [defer(true), unauthorized(true), defer(true)]
        );
        assert_eq!(
            once(&mut agent, 106),
            [defer(false), unauthorized(false), defer(false)]
        );
        // Round 6: counted and reported again (round 5 ended owed: missed with that cause).
        let s = revoked(120);
        let actions = agent.at(120, &[], &[], Read::Done(&s));
        assert_eq!(
            missed(&actions),
            [
                (addr(1), 5, "Defer".to_owned()),
                (addr(2), 5, "NotAuthorized".to_owned()),
                (addr(3), 5, "Defer".to_owned())
            ]
        );
        assert_eq!(decision(&actions, 2), &unauthorized(true));
        assert_eq!(decision(&actions, 1), &defer(true));
        // The profitability guard, the same way.
        let mut agent = Agent {
            served: served()[..1].to_vec(),
            ..Agent::new()
        };
        agent.policy.profitability = Some(Profitability {
            lpt_price_eth: 1e-9,
            max_gas_fraction: 0.5,
        });
        let counts = |agent: &mut Agent, block| match decision(
            &agent.at(block, &[], &[], Read::Done(&read(block))),
            1,
        ) {
            Decision::Unprofitable { count, .. } => *count,
            other => unreachable!("{other:?}"),
        };
        assert!(counts(&mut agent, 105));
        assert!(!counts(&mut agent, 106));
        assert!(counts(&mut agent, 120), "a new round");
    }

    #[test]
    fn nothing_to_send_for_the_chain_says_why() {
        let mut agent = Agent {
            served: served()[..1].to_vec(),
            ..Agent::new()
        };
        let at = |agent: &mut Agent, s: Snapshot| {
            let block = u64::try_from(s.blockNumber).unwrap_or_default();
            names(&agent.at(block, &[], &[], Read::Done(&s)))
        };
        let paused = Snapshot {
            paused: true,
            ..read(101)
        };
        assert_eq!(at(&mut agent, paused), ["Paused"]);
        let uninitialized = Snapshot {
            lastInitializedRound: U256::from(4),
            ..read(102)
        };
        assert_eq!(at(&mut agent, uninitialized), ["RoundNotInitialized"]);
        let empty = Snapshot {
            totalActiveStake: U256::ZERO,
            ..read(103)
        };
        assert_eq!(at(&mut agent, empty), ["NothingToMint"]);
        let inactive = with(104, 1, |o| o.active = false);
        assert_eq!(at(&mut agent, inactive), ["NotActive"]);
        // Inactive at the round's end: nothing owed, nothing missed.
        let inactive = with(120, 1, |o| o.active = false);
        assert_eq!(at(&mut agent, inactive), ["NotActive"]);
        // Round 6 never initialized: owed all the same, missed with that cause.
        let uninitialized = |block| Snapshot {
            lastInitializedRound: U256::from(5),
            ..read(block)
        };
        assert_eq!(at(&mut agent, uninitialized(121)), ["RoundNotInitialized"]);
        assert_eq!(
            at(&mut agent, uninitialized(140)),
            ["Missed 6", "RoundNotInitialized"]
        );
    }

    #[test]
    fn rounds_that_end_while_reads_fail_are_missed_unless_a_confirmation_says_otherwise() {
        let mut agent = Agent {
            served: served()[..2].to_vec(),
            ..Agent::new()
        };
        agent.names(105, &[], &[]);
        let err = ChainError::Build("injected".into());
        // O1's reward confirms while the reads fail; O2's never goes out.
        let actions = agent.at(110, &[rewarded(1, 1, 5)], &[], Read::Failed(&err));
        assert!(actions.is_empty(), "{actions:?}");
        let actions = agent.at(120, &[], &[], Read::Failed(&err));
        assert_eq!(
            missed(&actions),
            [(
                addr(2),
                5,
                "chain reads failing (building the transaction failed: injected)".to_owned()
            )]
        );
        // Round 6 passes unread: both were last known active.
        let actions = agent.at(140, &[], &[], Read::Failed(&err));
        assert_eq!(
            missed(&actions)
                .iter()
                .map(|(o, r, _)| (*o, *r))
                .collect::<Vec<_>>(),
            [(addr(1), 6), (addr(2), 6)]
        );
        // A reward found done by the simulation counts as done too.
        let done = Outcome::AlreadyRewarded {
            orchestrator: addr(2),
            round: Round::new(7),
        };
        let actions = agent.at(159, &[done], &[], Read::Failed(&err));
        assert!(actions.is_empty());
        let actions = agent.at(160, &[], &[], Read::Failed(&err));
        assert_eq!(
            missed(&actions)
                .iter()
                .map(|(o, r, _)| (*o, *r))
                .collect::<Vec<_>>(),
            [(addr(1), 7)]
        );
    }
}
