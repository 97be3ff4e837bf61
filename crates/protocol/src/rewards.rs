//! Inflation rewards: what `BondingManager.reward` / `rewardWithHint` /
//! `rewardForTranscoderWithHint` mint for an orchestrator and where it goes (`Minter.createReward`,
//! then the treasury's cut in `BondingManager._mintRewards`), the stake it mints on, and the
//! bonding rate `Minter.setCurrentRewardTokens` moves inflation by.
//!
//! - [`active_stake`]: the stake `reward()` mints on, as the live contract picks it: the earnings
//!   pool of `lastActiveStakeUpdateRound` when that round is not in the future, else the current
//!   round's pool (the live contract writes the current round's pool only when a stake change, a
//!   reward or fees land in it, so reading it alone gives 0 for most of a round).
//! - [`reward_amount`]: `percOf(mintable, stake, totalActiveStake, 1e9)`, `MintableExceeded`, then
//!   `percOf(rewards, treasuryRewardCutRate, 1e27)` to the treasury: the post-reward stake (the
//!   orchestrator's new pool key, which the hints need) is known before sending.
//! - [`bonding_rate`]: `percPoints(currentRoundTotalActiveStake, totalSupply, 1e9)`.

use alloy::primitives::U256;

use crate::{
    math::{INFLATION_DIVISOR, PRECISE_DIVISOR, perc_of, perc_of_ratio, perc_points},
    round::Round,
};

/// What one `reward` call mints and where it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardEstimate {
    /// LPT minted by `Minter.createReward` (wei).
    pub minted: U256,
    /// The treasury's cut of it (wei): the `TreasuryReward` event's amount.
    pub treasury: U256,
    /// What stays with the orchestrator and its delegators (wei): the `Reward` event's amount,
    /// added to the pool key.
    pub reward: U256,
    /// The orchestrator's pool key after the reward (`transcoderTotalStake + reward`).
    pub new_stake: U256,
}

/// The stake `reward()` mints on in `round`: `pool[lastActiveStakeUpdateRound].totalStake`
/// (`last_update_pool_stake`) when `last_active_stake_update_round <= round`, else
/// `pool[round].totalStake` (`round_pool_stake`: a change in this round wrote the next round's
/// pool and kept this round's stake in this round's pool). The same stake go-livepeer's reward
/// service computes its expected reward with.
pub fn active_stake(
    last_active_stake_update_round: U256,
    last_update_pool_stake: U256,
    round_pool_stake: U256,
    round: Round,
) -> U256 {
    if last_active_stake_update_round <= round {
        last_update_pool_stake
    } else {
        round_pool_stake
    }
}

/// The reward of an orchestrator with `active_stake` of `total_active_stake`, as the contracts
/// compute it, added to its current pool key `total_stake`.
///
/// `None` when the contract would revert: no active stake in the round (`ZeroDenominator`), more
/// than the round's mintable tokens left (`MintableExceeded`), or an overflow.
pub fn reward_amount(
    mintable: U256,
    minted: U256,
    active_stake: U256,
    total_active_stake: U256,
    treasury_rate: U256,
    total_stake: U256,
) -> Option<RewardEstimate> {
    let mint = perc_of_ratio(
        mintable,
        active_stake,
        total_active_stake,
        U256::from(INFLATION_DIVISOR),
    )?;
    if minted.checked_add(mint)? > mintable {
        return None;
    }
    let treasury = perc_of(mint, treasury_rate, PRECISE_DIVISOR)?;
    let reward = mint.checked_sub(treasury)?;
    Some(RewardEstimate {
        minted: mint,
        treasury,
        reward,
        new_stake: total_stake.checked_add(reward)?,
    })
}

/// The Minter's bonding rate, the share of the supply staked this round in points of 1e9, which
/// `setCurrentRewardTokens` compares with `targetBondingRate`: 0 for an empty supply, as there
/// (and for an overflow, where the contract would revert).
pub fn bonding_rate(total_active_stake: U256, total_supply: U256) -> U256 {
    perc_points(
        total_active_stake,
        total_supply,
        U256::from(INFLATION_DIVISOR),
    )
    .unwrap_or(U256::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lpt(n: u64) -> U256 {
        U256::from(n) * U256::from(10u64).pow(U256::from(18u64))
    }

    fn tenth() -> U256 {
        PRECISE_DIVISOR / U256::from(10)
    }

    #[test]
    fn reward_amount_matches_the_contract_formula() {
        // 1000 of 4000 active: 25% of 1000 mintable = 250, treasury 10% = 25.
        let e = reward_amount(
            lpt(1_000),
            U256::ZERO,
            lpt(1_000),
            lpt(4_000),
            tenth(),
            lpt(1_100),
        );
        assert_eq!(
            e,
            Some(RewardEstimate {
                minted: lpt(250),
                treasury: lpt(25),
                reward: lpt(225),
                // Added to the current key, not the active stake.
                new_stake: lpt(1_325),
            })
        );
    }

    #[test]
    fn reward_amount_truncates_the_fraction_first() {
        let e = reward_amount(
            U256::from(10),
            U256::ZERO,
            U256::from(1),
            U256::from(3),
            U256::ZERO,
            U256::ZERO,
        );
        assert_eq!(e.map(|e| e.minted), Some(U256::from(3)));
        // 1e18 mintable: 1e18 * 333333333 / 1e9 = 333333333000000000.
        let e = reward_amount(
            lpt(1),
            U256::ZERO,
            U256::from(1),
            U256::from(3),
            U256::ZERO,
            U256::ZERO,
        );
        assert_eq!(
            e.map(|e| e.minted),
            Some(U256::from(333_333_333_000_000_000u64))
        );
    }

    #[test]
    fn reward_amount_none_when_the_contract_reverts() {
        let zero = U256::ZERO;
        assert_eq!(
            reward_amount(lpt(1), zero, lpt(1), zero, zero, zero),
            None,
            "zero denominator"
        );
        assert_eq!(
            reward_amount(lpt(10), lpt(9), lpt(1), lpt(2), zero, zero),
            None,
            "mintable exceeded"
        );
        assert!(
            reward_amount(lpt(10), lpt(5), lpt(1), lpt(2), zero, zero).is_some(),
            "exactly the mintable left"
        );
    }

    #[test]
    fn active_stake_follows_the_last_stake_update_round() {
        let round = Round::new(5);
        let (last, now) = (lpt(1_500), lpt(1_000));
        assert_eq!(
            active_stake(U256::from(3), last, U256::ZERO, round),
            last,
            "older update: its pool"
        );
        assert_eq!(
            active_stake(U256::from(5), last, now, round),
            last,
            "updated for this round"
        );
        assert_eq!(
            active_stake(U256::from(6), last, now, round),
            now,
            "a change this round counts from the next round"
        );
    }

    #[test]
    fn bonding_rate_in_points_of_1e9() {
        assert_eq!(bonding_rate(lpt(1), lpt(3)), U256::from(333_333_333u64));
        assert_eq!(bonding_rate(lpt(1), U256::ZERO), U256::ZERO);
    }
}
