// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {MathLib} from "../libraries/MathLib.sol";
import {EarningsPool, Transcoder} from "./BondingTypes.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title EarningsPoolLib
/// @notice How a transcoder's rewards and fees are shared (LIP-36 cumulative factors) and what a
/// delegator earns between two rounds. The two-step 1e27 rounding is the reference's, to the wei:
/// `preciseShare(a, b, c) = a * (b * 1e27 / c) / 1e27`, with both products taken in 512 bits.
///
/// Every earnings rule of the protocol and its one home (formulas: docs/protocol.md):
///
/// | rule | home |
/// |---|---|
/// | a transcoder's reward: its stake's share of the round's mintable | `Minter.createReward` |
/// | treasury cut of a reward, `pct(minted, rate, 1e27)` | `treasuryCut` |
/// | the cut paid to the Treasury, the rate dropping to 0 once it holds the ceiling | `BondingManager._payTreasuryCut` |
/// | the next round's treasury rate taking effect | `BondingManager.setCurrentRoundTotalActiveStake` |
/// | the stake a round's earnings are shared over | `ActiveSetLib.activeStake` |
/// | the commission a round's earnings are shared with | `roundCommission` |
/// | reward split: commission, the transcoder's reward-stake share, the rest through the factor | `shareRewards` |
/// | fee split: the same shape, over the fee factor | `shareFees` |
/// | the round's stake and commission, recorded by its first earnings | `_openRound` |
/// | cumulative reward factor `CRF[r]` | `addRewards` |
/// | cumulative fee factor `CFF[r]` | `addFees` |
/// | a bond's stake and fees carried from one round's factors to another's | `earnings` |
/// | factors of a round without earnings (those of the last reward / fee round) | `EarningsClaimLib.latestFactors` |
/// | pending stake and fees, a transcoder's own share kept outside the factors | `EarningsClaimLib.pendingStakeAndFees` |
/// | claiming them into the bond | `EarningsClaimLib.claim` |
/// | commission earned after a same-round claim | `EarningsClaimLib._foldTranscoderEarnings` |
library EarningsPoolLib {
    using SafeCast for uint256;

    uint256 internal constant ONE = MathLib.PRECISE_DIVISOR;

    /* SPLITS */

    /// @notice The treasury's cut of a reward of `minted` LPT at `rate` (1e27 = 100%).
    function treasuryCut(uint256 minted, uint256 rate) internal pure returns (uint256) {
        return MathLib.percOf(minted, rate, MathLib.PRECISE_DIVISOR);
    }

    /// @notice The commission `t` shares round `round`'s earnings with: the one the round started with
    /// (a change made during the round applies from the next).
    function roundCommission(Transcoder storage t, uint256 round)
        internal
        view
        returns (uint256 rewardCut, uint256 feeShare)
    {
        if (t.commissionChangeRound == round) return (t.roundRewardCut, t.roundFeeShare);
        return (t.rewardCut, t.feeShare);
    }

    /// @notice Shares `rewards` of `round` over `totalStake`: the commission `pct(rewards, rewardCut, 1e6)`
    /// to the transcoder, the rest to the pool through the reward factor, of which the transcoder's own
    /// unclaimed rewards take their share outside the factors.
    function shareRewards(Transcoder storage t, uint256 rewards, uint256 totalStake, uint256 round) internal {
        EarningsPool storage pool = _openRound(t, totalStake, round);
        (uint256 rewardCut,) = roundCommission(t, round);
        uint256 commission = MathLib.percOf(rewards, rewardCut, MathLib.PERC_DIVISOR);
        uint256 delegatorsRewards = rewards - commission;
        uint256 own = t.cumulativeRewards;
        // Fees later in the round are shared over the stake as it stood before this reward.
        t.activeCumulativeRewards = own.toUint96();
        t.cumulativeRewards = (own + _transcoderPart(commission, delegatorsRewards, own, totalStake)).toUint96();
        uint256 lastRewardRound = t.lastRewardRound;
        addRewards(pool, t.earningsPoolPerRound[lastRewardRound].cumulativeRewardFactor, delegatorsRewards, totalStake);
        (t.prevRewardRound, t.lastRewardRound) = (lastRewardRound.toUint32(), round.toUint32());
    }

    /// @notice Shares `fees` of `round` over `totalStake`: the delegators' part `pct(fees, feeShare, 1e6)`
    /// to the pool through the fee factor, of which the transcoder's own unclaimed rewards take their
    /// share outside the factors, and the rest (the commission) to the transcoder.
    function shareFees(Transcoder storage t, uint256 fees, uint256 totalStake, uint256 round) internal {
        EarningsPool storage pool = _openRound(t, totalStake, round);
        (, uint256 feeShare) = roundCommission(t, round);
        uint256 delegatorsFees = MathLib.percOf(fees, feeShare, MathLib.PERC_DIVISOR);
        // The fees of round r are shared over the stake as it stood before round r's reward.
        bool rewarded = t.lastRewardRound == round;
        uint256 own = rewarded ? t.activeCumulativeRewards : t.cumulativeRewards;
        t.cumulativeFees =
            (t.cumulativeFees + _transcoderPart(fees - delegatorsFees, delegatorsFees, own, totalStake)).toUint96();
        uint256 prevCrf =
            t.earningsPoolPerRound[rewarded ? t.prevRewardRound : t.lastRewardRound].cumulativeRewardFactor;
        uint256 lastFeeRound = t.lastFeeRound;
        uint256 prevCff = lastFeeRound < round ? t.earningsPoolPerRound[lastFeeRound].cumulativeFeeFactor : 0;
        addFees(pool, prevCff, prevCrf, delegatorsFees, totalStake);
        t.lastFeeRound = round.toUint32();
    }

    /* FACTORS */

    /// @dev Zero means "no reward yet": a factor of 1.
    function orOne(uint256 factor) internal pure returns (uint256) {
        return factor == 0 ? ONE : factor;
    }

    /// @dev `a * (b / c)` with the ratio truncated to 1e27 points first (`MathLib.percOf`'s two steps),
    /// each product taken in 512 bits (OpenZeppelin's `Math.mulDiv`). Factors grow without bound: one
    /// times 1e27 overflows 256 bits past ~1.2e50, which a pool that started with 1 wei of stake reaches
    /// in about 19 rounds of inflation, and a plain product would then freeze the pool's delegators.
    /// The results equal the plain formula's to the wei wherever that one does not overflow.
    function preciseShare(uint256 a, uint256 b, uint256 c) internal pure returns (uint256) {
        return Math.mulDiv(a, Math.mulDiv(b, ONE, c), ONE);
    }

    /// @notice Records the stake and commission round `r` is shared with.
    function setShares(EarningsPool storage pool, uint256 totalStake, uint256 rewardCut, uint256 feeShare) internal {
        // A stake (a uint96 delegatedAmount) and two percentages (<= 1e6).
        // forge-lint: disable-next-line(unsafe-typecast)
        (uint96 stake, uint32 cut, uint32 share) = (uint96(totalStake), uint32(rewardCut), uint32(feeShare));
        (pool.totalStake, pool.transcoderRewardCut, pool.transcoderFeeShare) = (stake, cut, share);
    }

    /// @notice CRF[r] = prevCRF + prevCRF * (rewards * 1e27 / totalStake) / 1e27.
    function addRewards(
        EarningsPool storage pool,
        uint256 prevCumulativeRewardFactor,
        uint256 rewards,
        uint256 totalStake
    ) internal {
        uint256 prev = orOne(prevCumulativeRewardFactor);
        pool.cumulativeRewardFactor = prev + preciseShare(prev, rewards, totalStake);
    }

    /// @notice CFF[r] = (CFF[r] or prevCFF) + prevCRF * (fees * 1e27 / totalStake) / 1e27.
    function addFees(
        EarningsPool storage pool,
        uint256 prevCumulativeFeeFactor,
        uint256 prevCumulativeRewardFactor,
        uint256 fees,
        uint256 totalStake
    ) internal {
        uint256 base = pool.cumulativeFeeFactor;
        if (base == 0) base = prevCumulativeFeeFactor;
        pool.cumulativeFeeFactor = base + preciseShare(orOne(prevCumulativeRewardFactor), fees, totalStake);
    }

    /// @notice Stake and fees of `bondedAmount` carried from the start factors to the end factors:
    /// stake' = bonded * (endCRF * 1e27 / startCRF) / 1e27,
    /// fees'  = fees + bonded * ((endCFF - startCFF) * 1e27 / startCRF) / 1e27.
    function earnings(
        uint256 bondedAmount,
        uint256 fees,
        uint256 startCumulativeRewardFactor,
        uint256 startCumulativeFeeFactor,
        uint256 endCumulativeRewardFactor,
        uint256 endCumulativeFeeFactor
    ) internal pure returns (uint256 stake, uint256 totalFees) {
        uint256 startCrf = orOne(startCumulativeRewardFactor);
        totalFees = fees + preciseShare(bondedAmount, endCumulativeFeeFactor - startCumulativeFeeFactor, startCrf);
        stake = preciseShare(bondedAmount, orOne(endCumulativeRewardFactor), startCrf);
    }

    /* PRIVATE */

    /// @dev The transcoder's part of earnings: its commission, plus the share of the delegators' part
    /// that its own unclaimed rewards `own` earn (they are in the pool's stake but in no delegator's bond).
    function _transcoderPart(uint256 commission, uint256 delegatorsPart, uint256 own, uint256 totalStake)
        private
        pure
        returns (uint256)
    {
        return preciseShare(delegatorsPart, own, totalStake) + commission;
    }

    /// @dev Round `round`'s pool. Its first earnings (reward or fees) record the stake and commission it
    /// is shared with; later earnings in the round keep them.
    function _openRound(Transcoder storage t, uint256 totalStake, uint256 round)
        private
        returns (EarningsPool storage pool)
    {
        pool = t.earningsPoolPerRound[round];
        if (t.lastFeeRound != round && t.lastRewardRound != round) {
            (uint256 rewardCut, uint256 feeShare) = roundCommission(t, round);
            setShares(pool, totalStake, rewardCut, feeShare);
        }
    }
}
