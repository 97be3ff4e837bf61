// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {MathLib} from "./MathLib.sol";

/// @title EarningsPoolLib
/// @notice LIP-36 cumulative factors: a transcoder's per-round pool and the O(1) earnings of a
/// delegator between two rounds. The two-step 1e27 rounding is the reference's, to the wei:
/// `percOf(a, b, c) = a * (b * 1e27 / c) / 1e27`.
library EarningsPoolLib {
    /// @dev Round `r` of a transcoder: factors cumulative since the transcoder's first reward, and the
    /// stake and commission the round was shared with. Those are written once a round is rewarded or
    /// paid fees (and the stake when the transcoder leaves the pool) and kept forever, as clients of the
    /// live contracts read them from past rounds.
    struct EarningsPool {
        uint256 cumulativeRewardFactor;
        uint256 cumulativeFeeFactor;
        uint128 totalStake;
        uint32 transcoderRewardCut;
        uint32 transcoderFeeShare;
    }

    uint256 internal constant ONE = MathLib.PRECISE_DIVISOR;

    /// @dev Zero means "no reward yet": a factor of 1.
    function orOne(uint256 factor) internal pure returns (uint256) {
        return factor == 0 ? ONE : factor;
    }

    /// @dev `a * (b / c)` with the ratio truncated to 1e27 points first.
    function preciseShare(uint256 a, uint256 b, uint256 c) internal pure returns (uint256) {
        return MathLib.percOf(a, b, c, ONE);
    }

    /// @notice Records the stake and commission round `r` is shared with.
    function setShares(EarningsPool storage pool, uint256 totalStake, uint256 rewardCut, uint256 feeShare) internal {
        // A stake (a uint128 delegatedAmount) and two percentages (<= 1e6).
        // forge-lint: disable-next-line(unsafe-typecast)
        (uint128 stake, uint32 cut, uint32 share) = (uint128(totalStake), uint32(rewardCut), uint32(feeShare));
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
}
