// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title MathLib
/// @notice Fixed-point percentages of the protocol. Every function rounds down, as the reference does:
/// `percPoints` truncates the ratio first, so `percOf(a, n, d)` can differ from `a * n / d`.
/// Rounding is part of the economics, so do not "improve" the order of operations.
library MathLib {
    /// @dev 100% for rewardCut, feeShare and roundLockAmount.
    uint256 internal constant PERC_DIVISOR = 1e6;
    /// @dev 100% for inflation, inflationChange and targetBondingRate.
    uint256 internal constant INFLATION_DIVISOR = 1e9;
    /// @dev 1.0 for cumulative reward/fee factors and the treasury reward cut rate.
    uint256 internal constant PRECISE_DIVISOR = 1e27;

    /// @notice `n / d` as points of `divisor`, truncated.
    function percPoints(uint256 n, uint256 d, uint256 divisor) internal pure returns (uint256) {
        return n * divisor / d;
    }

    /// @notice `a * (n / d)` with the ratio truncated to points of `divisor` first.
    function percOf(uint256 a, uint256 n, uint256 d, uint256 divisor) internal pure returns (uint256) {
        return a * percPoints(n, d, divisor) / divisor;
    }

    /// @notice `a * p / divisor`, truncated.
    function percOf(uint256 a, uint256 p, uint256 divisor) internal pure returns (uint256) {
        return a * p / divisor;
    }
}
