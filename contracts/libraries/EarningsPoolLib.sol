// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {MathLib} from "./MathLib.sol";

/// @title EarningsPoolLib
/// @notice LIP-36 cumulative factors: a transcoder's per-round pool and the O(1) earnings of a
/// delegator between two rounds. The two-step 1e27 rounding is the reference's, to the wei:
/// `percOf(a, b, c) = a * (b * 1e27 / c) / 1e27`.
library EarningsPoolLib {
    /// @dev Round `r` of a transcoder: factors cumulative since the transcoder's first reward. The
    /// round's stake and commission are not stored: they are known from the transcoder's record while
    /// the round lasts, which is the only time they are needed (a new slot saved on every reward).
    struct EarningsPool {
        uint256 cumulativeRewardFactor;
        uint256 cumulativeFeeFactor;
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
