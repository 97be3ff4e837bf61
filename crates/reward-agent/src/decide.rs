//! The agent's decisions: pure functions of one [`Snapshot`], testable without a node.
//!
//! [`decide`] says what to do for one orchestrator at one block. The contract rules it applies
//! live in `livepeer-protocol`: the reward with the treasury's cut on the stake `reward()` mints
//! on ([`crate::lens::reward_estimate`]), so the post-reward stake (the new pool key) is known
//! before sending, and the hints from it ([`livepeer_protocol::pool::reward_hint`]).

use alloy::primitives::{Address, U256};
use livepeer_protocol::{Round, pool::reward_hint, rewards::RewardEstimate};

use crate::lens::{
    LensOrchestrator, Snapshot, last_reward_round, pool, reward_estimate, snapshot_round,
};

/// The optional profitability guard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Profitability {
    /// Price of one LPT in ETH.
    pub lpt_price_eth: f64,
    /// Skip when the gas cost exceeds this fraction of the reward's value (e.g. 0.5).
    pub max_gas_fraction: f64,
}

/// Gas and retry policy of the decision.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Base fee (wei) above which sending is deferred.
    pub gas_ceiling: Option<u128>,
    /// Priority fee (wei) a transaction pays on top of the base fee.
    pub priority_fee: u128,
    /// Gas a reward transaction is expected to use (for the guard).
    pub gas_estimate: u64,
    /// The guard, if enabled.
    pub profitability: Option<Profitability>,
    /// Blocks without a receipt before the transaction is replaced with fresh hints.
    pub replace_after_blocks: u64,
    /// Longest wait between two attempts after failures, in blocks.
    pub max_backoff_blocks: u64,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            gas_ceiling: None,
            priority_fee: 10_000_000,
            gas_estimate: 400_000,
            profitability: None,
            replace_after_blocks: 3,
            max_backoff_blocks: 8,
        }
    }
}

/// What the agent remembers of one orchestrator within a round. Nothing of it survives a
/// restart, and nothing needs to: the chain says whether the round is rewarded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundMemory {
    /// The round this memory is about.
    pub round: Round,
    /// Failed attempts this round.
    pub failures: u32,
    /// No new attempt before this block.
    pub retry_at: u64,
    /// The unauthorized reward caller was already reported this round.
    pub unauthorized_reported: bool,
    /// The unprofitable skip was already counted this round.
    pub unprofitable_counted: bool,
    /// The gas ceiling deferral was already counted this round.
    pub deferral_counted: bool,
}

impl RoundMemory {
    /// Resets the memory when `round` is a new round; returns the previous round's memory then.
    pub fn enter(&mut self, round: Round) -> Option<RoundMemory> {
        if self.round == round {
            return None;
        }
        let previous = std::mem::take(self);
        self.round = round;
        Some(previous)
    }

    /// Records a failed attempt at `block`: the next one waits `backoff_blocks(failures)`.
    pub fn failed(&mut self, block: u64, max_backoff_blocks: u64) {
        self.failures = self.failures.saturating_add(1);
        self.retry_at = block.saturating_add(backoff_blocks(self.failures, max_backoff_blocks));
    }

    /// Records what `decision` reports or counts once a round, so the next block's decision
    /// does not report or count it again.
    pub fn note(&mut self, decision: &Decision) {
        match decision {
            Decision::NotAuthorized { report: true, .. } => self.unauthorized_reported = true,
            Decision::Defer { count: true, .. } => self.deferral_counted = true,
            Decision::Unprofitable { count: true, .. } => self.unprofitable_counted = true,
            _ => {}
        }
    }
}

/// Blocks to wait after the `failures`-th failure: 1, 2, 4, … up to `max`.
pub fn backoff_blocks(failures: u32, max: u64) -> u64 {
    let exp = failures.saturating_sub(1).min(63);
    (1u64 << exp).min(max.max(1))
}

/// Where one orchestrator stands in a snapshot, computed once a block: what the decision, the
/// missed-round accounting ([`crate::missed`]) and the metrics all go by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    /// The snapshot's current round.
    pub round: Round,
    /// The orchestrator's `lastRewardRound`.
    pub last_reward: Round,
    /// In the active set this round.
    pub active: bool,
    /// The signing key may call reward for it: its own key, or its reward caller's (LIP-118).
    pub authorized: bool,
}

impl Standing {
    /// Orchestrator `o` of snapshot `s`, served with the key of `signer`.
    pub fn of(s: &Snapshot, o: &LensOrchestrator, signer: Address) -> Self {
        Self {
            round: snapshot_round(s),
            last_reward: last_reward_round(o),
            active: o.active,
            authorized: signer == o.orchestrator || o.rewardCaller == signer,
        }
    }

    /// Rewarded in the current round.
    pub fn rewarded(&self) -> bool {
        self.last_reward == self.round
    }

    /// The round's reward is owed: active and not rewarded yet (initialized round or not).
    pub fn owed(&self) -> bool {
        self.active && !self.rewarded()
    }
}

/// The orchestrator's signing account, as the decision sees it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Lane {
    /// Nothing of this account is pending: a reward may be sent.
    #[default]
    Free,
    /// A transaction holds the account's next nonce since this block: our reward for this
    /// orchestrator, or one the agent does not follow (sent before a restart, or by a rival
    /// with the same key). Replaced once stuck.
    Pending {
        /// The block it was sent, or first seen pending.
        since: u64,
    },
    /// Our reward for another orchestrator served by the same account holds the account's next
    /// nonce since this block: waited for, and replaced by this orchestrator's reward once stuck
    /// (whatever became of the other's duty, the account must not stay blocked).
    Busy {
        /// The block it was sent (the current block when it is sent in this one).
        since: u64,
    },
}

/// A reward transaction: `rewardWithHint`, or `rewardForTranscoderWithHint` with a reward
/// caller's key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RewardCall {
    /// The BondingManager it calls.
    pub bonding_manager: Address,
    /// `(newPosPrev, newPosNext)`, for the post-reward stake in this block's pool.
    pub hints: (Address, Address),
    /// The reward.
    pub estimate: RewardEstimate,
}

/// What to do for one orchestrator at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The protocol is paused.
    Paused,
    /// The current round is not initialized yet (a keeper's job); reward would revert.
    RoundNotInitialized {
        /// The current round.
        round: Round,
    },
    /// Already rewarded this round.
    Rewarded {
        /// The round.
        round: Round,
    },
    /// Not in the active set this round.
    NotActive,
    /// Our key is not (or no longer) the orchestrator's reward caller.
    NotAuthorized {
        /// The reward caller the orchestrator has set (zero: none).
        authorized: Address,
        /// Report it (first time this round).
        report: bool,
    },
    /// Nothing would be minted (no active stake, or the round's mintable tokens are used up).
    NothingToMint,
    /// A transaction of the signer is pending ([`Lane::Pending`]), not stuck yet.
    InFlight,
    /// What holds the signer's nonce is stuck: replace it with this reward, with hints from
    /// this block's pool.
    Replace(RewardCall),
    /// The signer's account is busy with the reward of another orchestrator it serves: decide
    /// again, with fresh hints, once it lands (or replace it once stuck).
    SignerBusy,
    /// Waiting after a failure.
    Backoff {
        /// Next attempt at this block.
        until: u64,
        /// Failed attempts this round.
        failures: u32,
    },
    /// Base fee above the ceiling.
    Defer {
        /// The base fee.
        base_fee: u128,
        /// The ceiling.
        ceiling: u128,
        /// Count it (first time this round).
        count: bool,
    },
    /// The guard says the gas would cost more than the configured fraction of the reward.
    Unprofitable {
        /// Estimated gas cost (wei).
        gas_cost_wei: u128,
        /// Reward value (wei of ETH).
        reward_value_wei: u128,
        /// Count it (first time this round).
        count: bool,
    },
    /// Send `reward` now.
    Reward(RewardCall),
}

impl Decision {
    /// The reward it sends, if it sends one.
    pub fn call(&self) -> Option<&RewardCall> {
        match self {
            Self::Reward(call) | Self::Replace(call) => Some(call),
            _ => None,
        }
    }

    /// The variant's name (`Unprofitable`, `NothingToMint`, …): the cause a missed round's log
    /// line gives.
    pub fn name(&self) -> String {
        let text = format!("{self:?}");
        text.split([' ', '{', '('])
            .next()
            .unwrap_or_default()
            .to_owned()
    }
}

fn block_u64(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// Decides for orchestrator `o` of snapshot `s`, which stands as `standing` says, with its
/// signing account as `lane` says.
pub fn decide(
    s: &Snapshot,
    o: &LensOrchestrator,
    standing: &Standing,
    memory: &RoundMemory,
    lane: Lane,
    policy: &Policy,
) -> Decision {
    let block = block_u64(s.blockNumber);
    let round = standing.round;
    if s.paused {
        return Decision::Paused;
    }
    if s.lastInitializedRound < s.currentRound {
        return Decision::RoundNotInitialized { round };
    }
    if standing.rewarded() {
        return Decision::Rewarded { round };
    }
    if !standing.active {
        return Decision::NotActive;
    }
    if !standing.authorized {
        return Decision::NotAuthorized {
            authorized: o.rewardCaller,
            report: !memory.unauthorized_reported,
        };
    }
    let Some(estimate) = reward_estimate(s, o).filter(|e| !e.reward.is_zero()) else {
        return Decision::NothingToMint;
    };
    // An active orchestrator out of the pool was evicted (it rejoins if it fits) or resigned (the
    // contract ignores the hint): registered either way as far as the hint goes.
    let hint = reward_hint(&mut pool(s), o.orchestrator, estimate.new_stake, true);
    let call = RewardCall {
        bonding_manager: s.bondingManager,
        hints: (hint.prev, hint.next),
        estimate,
    };
    match lane {
        Lane::Pending { since } | Lane::Busy { since }
            if block >= since.saturating_add(policy.replace_after_blocks) =>
        {
            return Decision::Replace(call);
        }
        Lane::Pending { .. } => return Decision::InFlight,
        Lane::Busy { .. } => return Decision::SignerBusy,
        Lane::Free => {}
    }
    if block < memory.retry_at {
        return Decision::Backoff {
            until: memory.retry_at,
            failures: memory.failures,
        };
    }
    let base_fee = u128::try_from(s.baseFee).unwrap_or(u128::MAX);
    if let Some(ceiling) = policy.gas_ceiling
        && base_fee > ceiling
    {
        return Decision::Defer {
            base_fee,
            ceiling,
            count: !memory.deferral_counted,
        };
    }
    if let Some(guard) = policy.profitability {
        let gas_cost_wei = u128::from(policy.gas_estimate)
            .saturating_mul(base_fee.saturating_add(policy.priority_fee));
        let reward_value = f64::from(estimate.reward) * guard.lpt_price_eth;
        if gas_cost_wei as f64 > guard.max_gas_fraction * reward_value {
            return Decision::Unprofitable {
                gas_cost_wei,
                reward_value_wei: reward_value as u128,
                count: !memory.unprofitable_counted,
            };
        }
    }
    Decision::Reward(call)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::lens::PoolMember;
    use livepeer_protocol::math::PRECISE_DIVISOR;

    pub(crate) fn addr(n: u8) -> Address {
        Address::with_last_byte(n)
    }

    /// The decision with `signer`'s key and the lane free.
    fn at(
        s: &Snapshot,
        o: &LensOrchestrator,
        signer: Address,
        m: &RoundMemory,
        policy: &Policy,
    ) -> Decision {
        decide(s, o, &Standing::of(s, o, signer), m, Lane::Free, policy)
    }

    pub(crate) fn lpt(n: u64) -> U256 {
        U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
    }

    pub(crate) fn members(members: &[(u8, u64)]) -> Vec<PoolMember> {
        members
            .iter()
            .map(|&(a, s)| PoolMember {
                member: addr(a),
                stake: U256::from(s),
            })
            .collect()
    }

    /// Stake last changed in round 3 (so round 5's pool is unwritten on the live contract).
    pub(crate) fn orchestrator(n: u8, stake: U256) -> LensOrchestrator {
        LensOrchestrator {
            orchestrator: addr(n),
            rewardCaller: Address::ZERO,
            active: true,
            lastRewardRound: U256::from(4),
            lastActiveStakeUpdateRound: U256::from(3),
            lastUpdatePoolStake: stake,
            roundPoolStake: U256::ZERO,
            totalStake: stake,
        }
    }

    pub(crate) fn snapshot(
        orchestrators: Vec<LensOrchestrator>,
        pool: Vec<PoolMember>,
    ) -> Snapshot {
        Snapshot {
            blockNumber: U256::from(105),
            baseFee: U256::from(1_000_000_000u64),
            paused: false,
            bondingManager: addr(200),
            currentRound: U256::from(5),
            lastInitializedRound: U256::from(5),
            roundStartBlock: U256::from(100),
            roundLength: U256::from(20),
            mintableTokens: lpt(1_000),
            mintedTokens: U256::ZERO,
            totalActiveStake: lpt(4_000),
            treasuryRewardCutRate: PRECISE_DIVISOR / U256::from(10),
            orchestrators,
            pool,
            balances: vec![],
        }
    }

    #[test]
    fn decide_rewards_with_hints_from_the_post_reward_stake() {
        // Orchestrator 3 has 1000 of 4000 active (reward 225 after the treasury's 25) and sits
        // below 2 (1100): 1000 + 225 = 1225 moves it above 2.
        let o = orchestrator(3, lpt(1_000));
        let p = vec![
            PoolMember {
                member: addr(1),
                stake: lpt(1_900),
            },
            PoolMember {
                member: addr(2),
                stake: lpt(1_100),
            },
            PoolMember {
                member: addr(3),
                stake: lpt(1_000),
            },
        ];
        let s = snapshot(vec![o.clone()], p);
        let d = at(&s, &o, addr(3), &RoundMemory::default(), &Policy::default());
        let Decision::Reward(RewardCall {
            hints, estimate, ..
        }) = d
        else {
            unreachable!("{d:?}")
        };
        assert_eq!(estimate.new_stake, lpt(1_225));
        assert_eq!(hints, (addr(1), addr(2)));
    }

    #[test]
    fn decide_rewards_on_the_last_update_pool_when_the_round_pool_is_empty() {
        // The live contract: round 5's pool is written only when the reward lands, so its stake
        // reads 0 before; the stake is in the pool of round 3, the last update. 1000 of 4000
        // active: 250 minted, 25 to the treasury.
        let o = orchestrator(3, lpt(1_000));
        assert_eq!(o.roundPoolStake, U256::ZERO);
        let s = snapshot(vec![o.clone()], members(&[(3, 1)]));
        let d = at(&s, &o, addr(3), &RoundMemory::default(), &Policy::default());
        let Decision::Reward(RewardCall { estimate, .. }) = d else {
            unreachable!("{d:?}")
        };
        assert_eq!(estimate.minted, lpt(250));
        assert_eq!(estimate.reward, lpt(225));
        assert_eq!(estimate.new_stake, lpt(1_225));
        // Staked more this round: the reward is still on the stake the round started with.
        let mut grown = o.clone();
        grown.lastActiveStakeUpdateRound = U256::from(6);
        grown.lastUpdatePoolStake = lpt(2_000);
        grown.roundPoolStake = lpt(1_000);
        grown.totalStake = lpt(2_000);
        let d = at(
            &s,
            &grown,
            addr(3),
            &RoundMemory::default(),
            &Policy::default(),
        );
        let Decision::Reward(RewardCall { estimate, .. }) = d else {
            unreachable!("{d:?}")
        };
        assert_eq!(estimate.reward, lpt(225));
        assert_eq!(estimate.new_stake, lpt(2_225));
    }

    #[test]
    fn standing_says_owed_and_authorized_once() {
        let mut o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], members(&[(3, 1)]));
        let own = Standing::of(&s, &o, addr(3));
        assert!(own.owed() && own.authorized && !own.rewarded());
        assert!(!Standing::of(&s, &o, addr(77)).authorized);
        o.rewardCaller = addr(77);
        assert!(Standing::of(&s, &o, addr(77)).authorized);
        o.lastRewardRound = U256::from(5);
        let done = Standing::of(&s, &o, addr(77));
        assert!(done.rewarded() && !done.owed());
        o.lastRewardRound = U256::from(4);
        o.active = false;
        assert!(
            !Standing::of(&s, &o, addr(3)).owed(),
            "inactive: nothing owed"
        );
    }

    #[test]
    fn memory_notes_what_is_reported_or_counted_once_a_round() {
        let mut m = RoundMemory::default();
        m.note(&Decision::Defer {
            base_fee: 2,
            ceiling: 1,
            count: false,
        });
        assert_eq!(m, RoundMemory::default(), "nothing to note");
        m.note(&Decision::NotAuthorized {
            authorized: Address::ZERO,
            report: true,
        });
        m.note(&Decision::Defer {
            base_fee: 2,
            ceiling: 1,
            count: true,
        });
        m.note(&Decision::Unprofitable {
            gas_cost_wei: 2,
            reward_value_wei: 1,
            count: true,
        });
        assert!(m.unauthorized_reported && m.deferral_counted && m.unprofitable_counted);
    }

    #[test]
    fn decision_names_are_the_variants() {
        assert_eq!(Decision::NothingToMint.name(), "NothingToMint");
        assert_eq!(
            Decision::Unprofitable {
                gas_cost_wei: 1,
                reward_value_wei: 0,
                count: true
            }
            .name(),
            "Unprofitable"
        );
        assert_eq!(
            Decision::Backoff {
                until: 3,
                failures: 1
            }
            .name(),
            "Backoff"
        );
        let call = RewardCall {
            bonding_manager: Address::ZERO,
            hints: (Address::ZERO, Address::ZERO),
            estimate: RewardEstimate {
                minted: U256::ZERO,
                treasury: U256::ZERO,
                reward: U256::ZERO,
                new_stake: U256::ZERO,
            },
        };
        assert_eq!(Decision::Replace(call).name(), "Replace");
    }

    #[test]
    fn decide_checks_round_activity_and_reward_state() {
        let o = orchestrator(3, lpt(1_000));
        let mut s = snapshot(vec![o.clone()], members(&[(3, 1)]));
        let m = RoundMemory::default();
        let policy = Policy::default();
        s.lastInitializedRound = U256::from(4);
        assert_eq!(
            at(&s, &o, addr(3), &m, &policy),
            Decision::RoundNotInitialized {
                round: Round::new(5)
            }
        );
        s.lastInitializedRound = U256::from(5);
        s.paused = true;
        assert_eq!(at(&s, &o, addr(3), &m, &policy), Decision::Paused);
        s.paused = false;
        let mut inactive = o.clone();
        inactive.active = false;
        assert_eq!(at(&s, &inactive, addr(3), &m, &policy), Decision::NotActive);
        let mut done = o.clone();
        done.lastRewardRound = U256::from(5);
        assert_eq!(
            at(&s, &done, addr(3), &m, &policy),
            Decision::Rewarded {
                round: Round::new(5)
            }
        );
        s.totalActiveStake = U256::ZERO;
        assert_eq!(at(&s, &o, addr(3), &m, &policy), Decision::NothingToMint);
    }

    #[test]
    fn decide_needs_the_reward_caller_authorization() {
        let mut o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], members(&[(3, 1)]));
        let caller = addr(77);
        let mut m = RoundMemory::default();
        let policy = Policy::default();
        assert_eq!(
            at(&s, &o, caller, &m, &policy),
            Decision::NotAuthorized {
                authorized: Address::ZERO,
                report: true
            }
        );
        m.unauthorized_reported = true;
        assert_eq!(
            at(&s, &o, caller, &m, &policy),
            Decision::NotAuthorized {
                authorized: Address::ZERO,
                report: false
            }
        );
        o.rewardCaller = caller;
        assert!(matches!(
            at(&s, &o, caller, &m, &policy),
            Decision::Reward(_)
        ));
    }

    #[test]
    fn decide_backs_off_waits_for_the_signer_and_replaces() {
        let o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], members(&[(3, 1)]));
        let standing = Standing::of(&s, &o, addr(3));
        let policy = Policy::default();
        let mut m = RoundMemory {
            round: Round::new(5),
            ..RoundMemory::default()
        };
        m.failed(104, policy.max_backoff_blocks);
        m.failed(104, policy.max_backoff_blocks);
        assert_eq!(m.retry_at, 106, "second failure waits 2 blocks");
        let at_lane = |m: &RoundMemory, lane| decide(&s, &o, &standing, m, lane, &policy);
        let lane = |lane| at_lane(&m, lane);
        assert_eq!(
            lane(Lane::Free),
            Decision::Backoff {
                until: 106,
                failures: 2
            }
        );
        // Block 105: pending since 104 is not stuck yet (3 blocks); since 102 it is.
        assert_eq!(lane(Lane::Pending { since: 104 }), Decision::InFlight);
        let Decision::Replace(call) = lane(Lane::Pending { since: 102 }) else {
            unreachable!("a stuck transaction is replaced")
        };
        assert_eq!(call.bonding_manager, addr(200));
        assert_eq!(lane(Lane::Busy { since: 104 }), Decision::SignerBusy);
        assert!(matches!(
            lane(Lane::Busy { since: 102 }),
            Decision::Replace(_)
        ));
        let retry = RoundMemory {
            retry_at: 105,
            ..m.clone()
        };
        assert!(matches!(at_lane(&retry, Lane::Free), Decision::Reward(_)));
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let waits: Vec<u64> = (1..=6).map(|f| backoff_blocks(f, 8)).collect();
        assert_eq!(waits, vec![1, 2, 4, 8, 8, 8]);
        assert_eq!(backoff_blocks(100, 8), 8);
    }

    #[test]
    fn memory_resets_on_a_new_round() {
        let mut m = RoundMemory {
            round: Round::new(5),
            failures: 3,
            ..RoundMemory::default()
        };
        assert_eq!(m.enter(Round::new(5)), None);
        let previous = m.enter(Round::new(6)).unwrap_or_else(|| unreachable!());
        assert_eq!(previous.failures, 3);
        assert_eq!(
            m,
            RoundMemory {
                round: Round::new(6),
                ..RoundMemory::default()
            }
        );
    }

    #[test]
    fn decide_defers_above_the_gas_ceiling() {
        let o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], members(&[(3, 1)]));
        let policy = Policy {
            gas_ceiling: Some(500_000_000),
            ..Policy::default()
        };
        assert_eq!(
            at(&s, &o, addr(3), &RoundMemory::default(), &policy),
            Decision::Defer {
                base_fee: 1_000_000_000,
                ceiling: 500_000_000,
                count: true
            }
        );
    }

    #[test]
    fn profitability_guard_compares_gas_cost_with_a_fraction_of_the_reward() {
        let o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], members(&[(3, 1)]));
        // Gas: 400k x (1 gwei + 0.01 gwei) = 4.04e14 wei. Reward 225 LPT.
        let guard = |price: f64| Policy {
            profitability: Some(Profitability {
                lpt_price_eth: price,
                max_gas_fraction: 0.5,
            }),
            ..Policy::default()
        };
        // 225 LPT at 1e-6 ETH = 2.25e14 wei; half is 1.125e14 < 4.04e14: skip.
        let d = at(&s, &o, addr(3), &RoundMemory::default(), &guard(1e-6));
        assert!(
            matches!(
                d,
                Decision::Unprofitable {
                    gas_cost_wei: 404_000_000_000_000,
                    count: true,
                    ..
                }
            ),
            "{d:?}"
        );
        // At 1e-5 ETH: 2.25e15, half 1.125e15 > 4.04e14: send.
        let d = at(&s, &o, addr(3), &RoundMemory::default(), &guard(1e-5));
        assert!(matches!(d, Decision::Reward(_)), "{d:?}");
    }
}
