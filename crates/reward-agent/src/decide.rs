//! The agent's decisions: pure functions of one [`Snapshot`], testable without a node.
//!
//! - [`active_stake`] picks the stake `reward()` mints on, as the live contract does: the earnings
//!   pool of `lastActiveStakeUpdateRound` when that round is not in the future, else the current
//!   round's pool (the live contract writes the current round's pool only when a stake change,
//!   a reward or fees land in it, so reading it alone gives 0 for most of a round).
//! - [`reward_amount`] reproduces `BondingManager._mintRewards` and `Minter.createReward`
//!   exactly, treasury cut included, so the post-reward stake (the new pool key) is known
//!   before sending.
//! - [`hints`] uses `livepeer_chain::hints` to reproduce `SortedListLib.updateKey`: a member whose neighbours still bracket its
//!   new key stays put (hints = its neighbours), otherwise it moves before the first member whose
//!   key is not above the new key.
//! - [`decide`] says what to do for one orchestrator at one block.

use alloy::primitives::{Address, U256};

use crate::lens::{LensOrchestrator, PoolMember, Snapshot};

/// 100% for inflation and the stake fraction of `Minter.createReward` (`MathLib.INFLATION_DIVISOR`).
pub const INFLATION_DIVISOR: u64 = 1_000_000_000;

/// 100% for the treasury reward cut rate (`MathLib.PRECISE_DIVISOR`, 1e27).
pub fn precise_divisor() -> U256 {
    U256::from(10u64).pow(U256::from(27u64))
}

/// What one `reward` call mints and where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardEstimate {
    /// LPT minted by `Minter.createReward` (wei).
    pub minted: U256,
    /// The treasury's cut of it (wei).
    pub treasury: U256,
    /// What stays with the orchestrator and its delegators (wei): added to the pool key.
    pub reward: U256,
    /// The orchestrator's pool key after the reward (`transcoderTotalStake + reward`).
    pub new_stake: U256,
}

/// The stake `reward()` mints on for `o` in `round`: `pool[lastActiveStakeUpdateRound].totalStake`
/// when `lastActiveStakeUpdateRound <= round`, else `pool[round].totalStake` (a change in this
/// round wrote the next round's pool and kept this round's stake in this round's pool). The same
/// stake go-livepeer's reward service computes its expected reward with.
pub fn active_stake(o: &LensOrchestrator, round: U256) -> U256 {
    if o.lastActiveStakeUpdateRound <= round {
        o.lastUpdatePoolStake
    } else {
        o.roundPoolStake
    }
}

/// The reward of an orchestrator with `active_stake` of `total_active_stake`, as the contracts
/// compute it (`percOf(mintable, stake, total, 1e9)`, then the treasury's `percOf(rewards, rate,
/// 1e27)`), added to its current pool key `total_stake`.
///
/// `None` when the contract would revert: no active stake in the round (`ZeroDenominator`) or
/// more than the round's mintable tokens left (`MintableExceeded`).
pub fn reward_amount(
    mintable: U256,
    minted: U256,
    active_stake: U256,
    total_active_stake: U256,
    treasury_rate: U256,
    total_stake: U256,
) -> Option<RewardEstimate> {
    if total_active_stake.is_zero() {
        return None;
    }
    let divisor = U256::from(INFLATION_DIVISOR);
    let points = active_stake.checked_mul(divisor)? / total_active_stake;
    let mint = mintable.checked_mul(points)? / divisor;
    if minted.checked_add(mint)? > mintable {
        return None;
    }
    let treasury = mint.checked_mul(treasury_rate)? / precise_divisor();
    let reward = mint.checked_sub(treasury)?;
    Some(RewardEstimate {
        minted: mint,
        treasury,
        reward,
        new_stake: total_stake.checked_add(reward)?,
    })
}

/// The `(newPosPrev, newPosNext)` hints for `id` taking key `new_key` in `pool` (descending by
/// key, as the lens reads it), from the chain layer's simulation of `SortedListLib`. The lens does
/// not read the pool's maximum size, so a non-member is assumed to fit (reward only goes to
/// active transcoders, which are members but for an evicted one).
pub fn hints(pool: &[PoolMember], id: Address, new_key: U256) -> (Address, Address) {
    let hint = simulated(pool).update(id, new_key, true);
    (hint.prev, hint.next)
}

/// The pool as it will be after `id`'s key becomes `new_key` (tests and the benchmark compare
/// it with the chain).
pub fn pool_after(pool: &[PoolMember], id: Address, new_key: U256) -> Vec<Address> {
    let mut pool = simulated(pool);
    pool.update(id, new_key, true);
    pool.entries().iter().map(|(member, _)| *member).collect()
}

fn simulated(pool: &[PoolMember]) -> livepeer_chain::hints::Pool {
    livepeer_chain::hints::Pool::new(
        pool.iter().map(|m| (m.member, m.stake)).collect(),
        usize::MAX,
    )
}

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
    pub round: u64,
    /// Failed attempts this round.
    pub failures: u32,
    /// No new attempt before this block.
    pub retry_at: u64,
    /// Block at which the transaction in flight was sent.
    pub in_flight_since: Option<u64>,
    /// The unauthorized reward caller was already reported this round.
    pub unauthorized_reported: bool,
    /// The unprofitable skip was already counted this round.
    pub unprofitable_counted: bool,
    /// The gas ceiling deferral was already counted this round.
    pub deferral_counted: bool,
}

impl RoundMemory {
    /// Resets the memory when `round` is a new round; returns the previous round's memory then.
    pub fn enter(&mut self, round: u64) -> Option<RoundMemory> {
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
        self.in_flight_since = None;
        self.retry_at = block.saturating_add(backoff_blocks(self.failures, max_backoff_blocks));
    }
}

/// Blocks to wait after the `failures`-th failure: 1, 2, 4, … up to `max`.
pub fn backoff_blocks(failures: u32, max: u64) -> u64 {
    let exp = failures.saturating_sub(1).min(63);
    (1u64 << exp).min(max.max(1))
}

/// What to do for one orchestrator at one block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The protocol is paused.
    Paused,
    /// The current round is not initialized yet (a keeper's job); reward would revert.
    RoundNotInitialized {
        /// The current round.
        round: u64,
    },
    /// Already rewarded this round.
    Rewarded {
        /// The round.
        round: u64,
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
    /// A transaction is in flight.
    InFlight,
    /// The transaction in flight is stuck: replace it, with hints from this block's pool.
    Replace {
        /// `(newPosPrev, newPosNext)`.
        hints: (Address, Address),
        /// The reward.
        estimate: RewardEstimate,
    },
    /// Waiting after a failure.
    Backoff {
        /// Next attempt at this block.
        until: u64,
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
    Reward {
        /// `(newPosPrev, newPosNext)`.
        hints: (Address, Address),
        /// The reward.
        estimate: RewardEstimate,
    },
}

fn round_u64(value: U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// Decides for orchestrator `o` of snapshot `s`, sending as `signer`.
pub fn decide(
    s: &Snapshot,
    o: &LensOrchestrator,
    signer: Address,
    memory: &RoundMemory,
    policy: &Policy,
) -> Decision {
    let block = round_u64(s.blockNumber);
    let round = round_u64(s.currentRound);
    if s.paused {
        return Decision::Paused;
    }
    if s.lastInitializedRound < s.currentRound {
        return Decision::RoundNotInitialized { round };
    }
    if o.lastRewardRound == s.currentRound {
        return Decision::Rewarded { round };
    }
    if !o.active {
        return Decision::NotActive;
    }
    if signer != o.orchestrator && o.rewardCaller != signer {
        return Decision::NotAuthorized {
            authorized: o.rewardCaller,
            report: !memory.unauthorized_reported,
        };
    }
    let Some(estimate) = reward_amount(
        s.mintableTokens,
        s.mintedTokens,
        active_stake(o, s.currentRound),
        s.totalActiveStake,
        s.treasuryRewardCutRate,
        o.totalStake,
    )
    .filter(|e| !e.reward.is_zero()) else {
        return Decision::NothingToMint;
    };
    let hints = hints(&s.pool, o.orchestrator, estimate.new_stake);
    if let Some(since) = memory.in_flight_since {
        if block >= since.saturating_add(policy.replace_after_blocks) {
            return Decision::Replace { hints, estimate };
        }
        return Decision::InFlight;
    }
    if block < memory.retry_at {
        return Decision::Backoff {
            until: memory.retry_at,
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
    Decision::Reward { hints, estimate }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(n: u8) -> Address {
        Address::with_last_byte(n)
    }

    fn lpt(n: u64) -> U256 {
        U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
    }

    fn pool(members: &[(u8, u64)]) -> Vec<PoolMember> {
        members
            .iter()
            .map(|&(a, s)| PoolMember {
                member: addr(a),
                stake: U256::from(s),
            })
            .collect()
    }

    /// Stake last changed in round 3 (so round 5's pool is unwritten on the live contract).
    fn orchestrator(n: u8, stake: U256) -> LensOrchestrator {
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

    fn snapshot(orchestrators: Vec<LensOrchestrator>, pool: Vec<PoolMember>) -> Snapshot {
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
            treasuryRewardCutRate: precise_divisor() / U256::from(10),
            orchestrators,
            pool,
            balances: vec![],
        }
    }

    #[test]
    fn reward_amount_matches_the_contract_formula() {
        // 1000 of 4000 active: 25% of 1000 mintable = 250, treasury 10% = 25.
        let e = reward_amount(
            lpt(1_000),
            U256::ZERO,
            lpt(1_000),
            lpt(4_000),
            precise_divisor() / U256::from(10),
            lpt(1_100),
        )
        .unwrap_or_else(|| unreachable!());
        assert_eq!(e.minted, lpt(250));
        assert_eq!(e.treasury, lpt(25));
        assert_eq!(e.reward, lpt(225));
        assert_eq!(
            e.new_stake,
            lpt(1_325),
            "added to the current key, not the active stake"
        );
    }

    #[test]
    fn reward_amount_truncates_the_fraction_first() {
        // percPoints(1, 3, 1e9) = 333333333; 10 * 333333333 / 1e9 = 3 (not 3.33).
        let e = reward_amount(
            U256::from(10),
            U256::ZERO,
            U256::from(1),
            U256::from(3),
            U256::ZERO,
            U256::ZERO,
        )
        .unwrap_or_else(|| unreachable!());
        assert_eq!(e.minted, U256::from(3));
        // 1e18 mintable: 1e18 * 333333333 / 1e9 = 333333333000000000.
        let e = reward_amount(
            lpt(1),
            U256::ZERO,
            U256::from(1),
            U256::from(3),
            U256::ZERO,
            U256::ZERO,
        )
        .unwrap_or_else(|| unreachable!());
        assert_eq!(e.minted, U256::from(333_333_333_000_000_000u64));
    }

    #[test]
    fn reward_amount_none_when_the_contract_reverts() {
        assert_eq!(
            reward_amount(
                lpt(1),
                U256::ZERO,
                lpt(1),
                U256::ZERO,
                U256::ZERO,
                U256::ZERO
            ),
            None,
            "zero denominator"
        );
        assert_eq!(
            reward_amount(lpt(10), lpt(9), lpt(1), lpt(2), U256::ZERO, U256::ZERO),
            None,
            "mintable exceeded"
        );
    }

    #[test]
    fn hints_keep_a_member_in_place_when_its_neighbours_still_bracket_it() {
        let p = pool(&[(1, 100), (2, 50), (3, 10)]);
        assert_eq!(hints(&p, addr(2), U256::from(60)), (addr(1), addr(3)));
        assert_eq!(
            hints(&p, addr(2), U256::from(100)),
            (addr(1), addr(3)),
            "tie with prev stays"
        );
        assert_eq!(
            hints(&p, addr(1), U256::from(500)),
            (Address::ZERO, addr(2)),
            "head stays head"
        );
        assert_eq!(
            hints(&p, addr(3), U256::from(11)),
            (addr(2), Address::ZERO),
            "tail stays tail"
        );
    }

    #[test]
    fn hints_move_a_member_above_the_first_key_it_reaches() {
        let p = pool(&[(1, 100), (2, 50), (3, 10)]);
        assert_eq!(hints(&p, addr(3), U256::from(70)), (addr(1), addr(2)));
        assert_eq!(
            hints(&p, addr(3), U256::from(50)),
            (addr(2), Address::ZERO),
            "a tie with the predecessor stays put"
        );
        let p4 = pool(&[(1, 100), (2, 50), (3, 10), (4, 5)]);
        assert_eq!(
            hints(&p4, addr(4), U256::from(50)),
            (addr(1), addr(2)),
            "a mover goes before the members it ties with"
        );
        assert_eq!(
            hints(&p, addr(2), U256::from(101)),
            (Address::ZERO, addr(1))
        );
        assert_eq!(
            pool_after(&p, addr(3), U256::from(101)),
            vec![addr(3), addr(1), addr(2)]
        );
    }

    #[test]
    fn hints_for_a_non_member_insert_it() {
        let p = pool(&[(1, 100), (2, 50)]);
        assert_eq!(hints(&p, addr(9), U256::from(75)), (addr(1), addr(2)));
        assert_eq!(hints(&p, addr(9), U256::from(1)), (addr(2), Address::ZERO));
        assert_eq!(
            hints(&[], addr(9), U256::from(1)),
            (Address::ZERO, Address::ZERO)
        );
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
        let d = decide(&s, &o, addr(3), &RoundMemory::default(), &Policy::default());
        let Decision::Reward { hints, estimate } = d else {
            unreachable!("{d:?}")
        };
        assert_eq!(estimate.new_stake, lpt(1_225));
        assert_eq!(hints, (addr(1), addr(2)));
    }

    #[test]
    fn active_stake_follows_the_last_stake_update_round() {
        let o = orchestrator(3, lpt(1_000));
        let round = U256::from(5);
        assert_eq!(
            active_stake(&o, round),
            lpt(1_000),
            "older update: its pool"
        );
        let mut now = o.clone();
        now.lastActiveStakeUpdateRound = round;
        assert_eq!(
            active_stake(&now, round),
            lpt(1_000),
            "updated for this round"
        );
        let mut next = o.clone();
        next.lastActiveStakeUpdateRound = round + U256::from(1);
        next.lastUpdatePoolStake = lpt(1_500);
        next.roundPoolStake = lpt(1_000);
        assert_eq!(
            active_stake(&next, round),
            lpt(1_000),
            "a change this round counts from the next round"
        );
    }

    #[test]
    fn decide_rewards_on_the_last_update_pool_when_the_round_pool_is_empty() {
        // The live contract: round 5's pool is written only when the reward lands, so its stake
        // reads 0 before; the stake is in the pool of round 3, the last update. 1000 of 4000
        // active: 250 minted, 25 to the treasury.
        let o = orchestrator(3, lpt(1_000));
        assert_eq!(o.roundPoolStake, U256::ZERO);
        let s = snapshot(vec![o.clone()], pool(&[(3, 1)]));
        let d = decide(&s, &o, addr(3), &RoundMemory::default(), &Policy::default());
        let Decision::Reward { estimate, .. } = d else {
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
        let d = decide(
            &s,
            &grown,
            addr(3),
            &RoundMemory::default(),
            &Policy::default(),
        );
        let Decision::Reward { estimate, .. } = d else {
            unreachable!("{d:?}")
        };
        assert_eq!(estimate.reward, lpt(225));
        assert_eq!(estimate.new_stake, lpt(2_225));
    }

    #[test]
    fn decide_checks_round_activity_and_reward_state() {
        let o = orchestrator(3, lpt(1_000));
        let mut s = snapshot(vec![o.clone()], pool(&[(3, 1)]));
        let m = RoundMemory::default();
        let policy = Policy::default();
        s.lastInitializedRound = U256::from(4);
        assert_eq!(
            decide(&s, &o, addr(3), &m, &policy),
            Decision::RoundNotInitialized { round: 5 }
        );
        s.lastInitializedRound = U256::from(5);
        s.paused = true;
        assert_eq!(decide(&s, &o, addr(3), &m, &policy), Decision::Paused);
        s.paused = false;
        let mut inactive = o.clone();
        inactive.active = false;
        assert_eq!(
            decide(&s, &inactive, addr(3), &m, &policy),
            Decision::NotActive
        );
        let mut done = o.clone();
        done.lastRewardRound = U256::from(5);
        assert_eq!(
            decide(&s, &done, addr(3), &m, &policy),
            Decision::Rewarded { round: 5 }
        );
        s.totalActiveStake = U256::ZERO;
        assert_eq!(
            decide(&s, &o, addr(3), &m, &policy),
            Decision::NothingToMint
        );
    }

    #[test]
    fn decide_needs_the_reward_caller_authorization() {
        let mut o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], pool(&[(3, 1)]));
        let caller = addr(77);
        let mut m = RoundMemory::default();
        let policy = Policy::default();
        assert_eq!(
            decide(&s, &o, caller, &m, &policy),
            Decision::NotAuthorized {
                authorized: Address::ZERO,
                report: true
            }
        );
        m.unauthorized_reported = true;
        assert_eq!(
            decide(&s, &o, caller, &m, &policy),
            Decision::NotAuthorized {
                authorized: Address::ZERO,
                report: false
            }
        );
        o.rewardCaller = caller;
        assert!(matches!(
            decide(&s, &o, caller, &m, &policy),
            Decision::Reward { .. }
        ));
    }

    #[test]
    fn decide_backs_off_and_replaces() {
        let o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], pool(&[(3, 1)]));
        let policy = Policy::default();
        let mut m = RoundMemory {
            round: 5,
            ..RoundMemory::default()
        };
        m.failed(104, policy.max_backoff_blocks);
        m.failed(104, policy.max_backoff_blocks);
        assert_eq!(m.retry_at, 106, "second failure waits 2 blocks");
        assert_eq!(
            decide(&s, &o, addr(3), &m, &policy),
            Decision::Backoff { until: 106 }
        );
        m.retry_at = 0;
        m.in_flight_since = Some(104);
        assert_eq!(decide(&s, &o, addr(3), &m, &policy), Decision::InFlight);
        m.in_flight_since = Some(102);
        assert!(matches!(
            decide(&s, &o, addr(3), &m, &policy),
            Decision::Replace { .. }
        ));
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
            round: 5,
            failures: 3,
            ..RoundMemory::default()
        };
        assert_eq!(m.enter(5), None);
        let previous = m.enter(6).unwrap_or_else(|| unreachable!());
        assert_eq!(previous.failures, 3);
        assert_eq!(
            m,
            RoundMemory {
                round: 6,
                ..RoundMemory::default()
            }
        );
    }

    #[test]
    fn decide_defers_above_the_gas_ceiling() {
        let o = orchestrator(3, lpt(1_000));
        let s = snapshot(vec![o.clone()], pool(&[(3, 1)]));
        let policy = Policy {
            gas_ceiling: Some(500_000_000),
            ..Policy::default()
        };
        assert_eq!(
            decide(&s, &o, addr(3), &RoundMemory::default(), &policy),
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
        let s = snapshot(vec![o.clone()], pool(&[(3, 1)]));
        // Gas: 400k x (1 gwei + 0.01 gwei) = 4.04e14 wei. Reward 225 LPT.
        let guard = |price: f64| Policy {
            profitability: Some(Profitability {
                lpt_price_eth: price,
                max_gas_fraction: 0.5,
            }),
            ..Policy::default()
        };
        // 225 LPT at 1e-6 ETH = 2.25e14 wei; half is 1.125e14 < 4.04e14: skip.
        let d = decide(&s, &o, addr(3), &RoundMemory::default(), &guard(1e-6));
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
        let d = decide(&s, &o, addr(3), &RoundMemory::default(), &guard(1e-5));
        assert!(matches!(d, Decision::Reward { .. }), "{d:?}");
    }
}
