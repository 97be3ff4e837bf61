// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EarningsPool} from "../../contracts/bonding/BondingTypes.sol";
import {EarningsPoolLib} from "../../contracts/bonding/EarningsPoolLib.sol";
import {stdError} from "forge-std/StdError.sol";
import {Test} from "forge-std/Test.sol";

/// @dev The factor math as it was before issue 18, with plain 256-bit products: a copy kept for
/// comparison only (the reference's formulas, two-step truncation).
library LegacyFactorMath {
    uint256 internal constant ONE = 1e27;

    function percPoints(uint256 n, uint256 d, uint256 divisor) internal pure returns (uint256) {
        return n * divisor / d;
    }

    function percOf(uint256 a, uint256 n, uint256 d, uint256 divisor) internal pure returns (uint256) {
        return a * percPoints(n, d, divisor) / divisor;
    }

    function orOne(uint256 factor) internal pure returns (uint256) {
        return factor == 0 ? ONE : factor;
    }

    function preciseShare(uint256 a, uint256 b, uint256 c) internal pure returns (uint256) {
        return percOf(a, b, c, ONE);
    }

    function rewardFactor(uint256 prevCrf, uint256 rewards, uint256 totalStake) internal pure returns (uint256) {
        uint256 prev = orOne(prevCrf);
        return prev + preciseShare(prev, rewards, totalStake);
    }

    function feeFactor(uint256 base, uint256 prevCrf, uint256 fees, uint256 totalStake)
        internal
        pure
        returns (uint256)
    {
        return base + preciseShare(orOne(prevCrf), fees, totalStake);
    }

    function earnings(uint256 bonded, uint256 fees, uint256 sCrf, uint256 sCff, uint256 eCrf, uint256 eCff)
        internal
        pure
        returns (uint256 stake, uint256 totalFees)
    {
        uint256 startCrf = orOne(sCrf);
        totalFees = fees + preciseShare(bonded, eCff - sCff, startCrf);
        stake = preciseShare(bonded, orOne(eCrf), startCrf);
    }
}

/// @notice The 512-bit factor math (EarningsPoolLib on OpenZeppelin's `Math.mulDiv`) against the plain
/// formulas it replaced: equal to the wei wherever the plain products fit in 256 bits, and exact where
/// they do not (there the plain formulas revert, which froze a pool's delegators).
contract FactorMathFuzzTest is Test {
    using EarningsPoolLib for EarningsPool;

    uint256 internal constant MAX = type(uint256).max;
    uint256 internal constant ONE = 1e27;
    /// @dev The protocol's amounts are uint96 (contracts/bonding/BondingTypes.sol).
    uint256 internal constant MAX_AMOUNT = type(uint96).max;

    EarningsPool internal pool;

    /* EQUAL TO THE PLAIN FORMULAS WHERE THEY FIT */

    function testFuzz_preciseShare_equalsPlainWhereItFits(uint256 a, uint256 b, uint256 c) public pure {
        c = bound(c, 1, MAX);
        b = bound(b, 0, MAX / ONE);
        uint256 points = b * ONE / c;
        a = bound(a, 0, points == 0 ? MAX : MAX / points);
        assertEq(EarningsPoolLib.preciseShare(a, b, c), LegacyFactorMath.preciseShare(a, b, c), "share");
    }

    function testFuzz_addRewards_equalsPlainWhereItFits(uint256 prevCrf, uint256 rewards, uint256 totalStake) public {
        totalStake = bound(totalStake, 1, MAX_AMOUNT);
        rewards = bound(rewards, 0, MAX_AMOUNT);
        uint256 ratio = rewards * ONE / totalStake;
        // The plain product orOne(prev) * ratio must fit, and so must the sum.
        prevCrf = _boundFactor(prevCrf, ratio == 0 ? MAX / 2 : MAX / ratio / 2);
        pool.addRewards(prevCrf, rewards, totalStake);
        assertEq(pool.cumulativeRewardFactor, LegacyFactorMath.rewardFactor(prevCrf, rewards, totalStake), "CRF");
    }

    function testFuzz_addFees_equalsPlainWhereItFits(
        uint256 existing,
        uint256 prevCff,
        uint256 prevCrf,
        uint256 fees,
        uint256 totalStake
    ) public {
        totalStake = bound(totalStake, 1, MAX_AMOUNT);
        fees = bound(fees, 0, MAX_AMOUNT);
        uint256 ratio = fees * ONE / totalStake;
        prevCrf = _boundFactor(prevCrf, ratio == 0 ? MAX : MAX / ratio);
        existing = bound(existing, 0, MAX / 4);
        prevCff = bound(prevCff, 0, MAX / 4);
        pool.cumulativeFeeFactor = existing;
        pool.addFees(prevCff, prevCrf, fees, totalStake);
        uint256 base = existing == 0 ? prevCff : existing;
        assertEq(pool.cumulativeFeeFactor, LegacyFactorMath.feeFactor(base, prevCrf, fees, totalStake), "CFF");
    }

    function testFuzz_earnings_equalsPlainWhereItFits(
        uint256 bonded,
        uint256 fees,
        uint256 startCrf,
        uint256 startCff,
        uint256 endCrf,
        uint256 endCff
    ) public pure {
        fees = bound(fees, 0, MAX_AMOUNT);
        // Factors only grow; the plain formulas need factor * 1e27 to fit.
        startCrf = bound(startCrf, 0, MAX / ONE);
        endCrf = bound(endCrf, LegacyFactorMath.orOne(startCrf), MAX / ONE);
        startCff = bound(startCff, 0, MAX / ONE);
        endCff = bound(endCff, startCff, MAX / ONE);
        uint256 start = LegacyFactorMath.orOne(startCrf);
        uint256 stakePoints = endCrf * ONE / start;
        uint256 feePoints = (endCff - startCff) * ONE / start;
        uint256 largest = stakePoints > feePoints ? stakePoints : feePoints;
        bonded = bound(bonded, 0, largest == 0 ? MAX_AMOUNT : _min(MAX_AMOUNT, MAX / largest));

        (uint256 stake, uint256 totalFees) = EarningsPoolLib.earnings(bonded, fees, startCrf, startCff, endCrf, endCff);
        (uint256 plainStake, uint256 plainFees) =
            LegacyFactorMath.earnings(bonded, fees, startCrf, startCff, endCrf, endCff);
        assertEq(stake, plainStake, "stake");
        assertEq(totalFees, plainFees, "fees");
    }

    /* EXACT WHERE THE PLAIN FORMULAS OVERFLOW */

    /// @notice Beyond the plain domain the ratio is still floor(b * 1e27 / c): checked against the exact
    /// split floor(b / c) * 1e27 + floor((b mod c) * 1e27 / c), whose products fit.
    function testFuzz_preciseShare_exactWherePlainOverflows(uint256 b, uint256 c) public {
        b = bound(b, MAX / ONE + 1, MAX);
        // (b mod c) * 1e27 fits below MAX / 1e27; the quotient is kept small enough for the sum to fit.
        c = bound(c, b / ((MAX - ONE) / ONE) + 1, MAX / ONE);
        uint256 points = (b / c) * ONE + (b % c) * ONE / c;
        // A share of 1e27 is the ratio itself.
        assertEq(EarningsPoolLib.preciseShare(ONE, b, c), points, "exact ratio");
        vm.expectRevert(stdError.arithmeticError);
        this.plainPreciseShare(ONE, b, c);
    }

    /// @notice A reward factor far past 1e50 (a 1-wei pool after a few dozen rounds of inflation):
    /// the plain claim reverted; the exact one carries the bond by the factor's growth.
    function testFuzz_earnings_exactWherePlainOverflows(uint256 bonded, uint256 growth, uint256 feeGrowth) public {
        growth = bound(growth, MAX / ONE / ONE + 1, MAX / ONE);
        feeGrowth = bound(feeGrowth, 0, MAX / ONE);
        // The exact results (bonded * growth, bonded * feeGrowth) must fit.
        uint256 cap = _min(MAX_AMOUNT, MAX / growth);
        bonded = bound(bonded, 1, feeGrowth == 0 ? cap : _min(cap, MAX / feeGrowth));
        // Start at 1.0; the end factors are whole multiples of it, so the exact results are products.
        (uint256 stake, uint256 fees) = EarningsPoolLib.earnings(bonded, 0, ONE, 0, growth * ONE, feeGrowth * ONE);
        assertEq(stake, bonded * growth, "stake grows with the factor");
        assertEq(fees, bonded * feeGrowth, "fees grow with the fee factor");
        vm.expectRevert(stdError.arithmeticError);
        this.plainEarnings(bonded, 0, ONE, 0, growth * ONE, feeGrowth * ONE);
    }

    /// @notice The next reward factor of a large one: prev * (rewards / stake) no longer fits in 256
    /// bits before the division by 1e27; the exact result does.
    function testFuzz_addRewards_exactWherePlainOverflows(uint256 prevCrf, uint256 multiple) public {
        multiple = bound(multiple, 1, 1e9);
        // rewards / stake = multiple, so CRF = prev * (1 + multiple), exactly.
        prevCrf = bound(prevCrf, MAX / (multiple * ONE) + 1, MAX / (multiple + 1));
        pool.addRewards(prevCrf, multiple, 1);
        assertEq(pool.cumulativeRewardFactor, prevCrf * (multiple + 1), "CRF");
        vm.expectRevert(stdError.arithmeticError);
        this.plainRewardFactor(prevCrf, multiple, 1);
    }

    /// @notice The fee factor path: prevCRF * (fees / stake) overflows the plain product as soon as the
    /// reward factor is large.
    function testFuzz_addFees_exactWherePlainOverflows(uint256 prevCrf, uint256 multiple) public {
        multiple = bound(multiple, 1, 1e9);
        prevCrf = bound(prevCrf, MAX / (multiple * ONE) + 1, MAX / multiple);
        pool.addFees(0, prevCrf, multiple, 1);
        assertEq(pool.cumulativeFeeFactor, prevCrf * multiple, "CFF");
        vm.expectRevert(stdError.arithmeticError);
        this.plainFeeFactor(0, prevCrf, multiple, 1);
    }

    /* PLAIN FORMULAS, EXTERNAL SO THAT THEIR REVERTS CAN BE EXPECTED */

    function plainPreciseShare(uint256 a, uint256 b, uint256 c) external pure returns (uint256) {
        return LegacyFactorMath.preciseShare(a, b, c);
    }

    function plainEarnings(uint256 bonded, uint256 fees, uint256 sCrf, uint256 sCff, uint256 eCrf, uint256 eCff)
        external
        pure
        returns (uint256, uint256)
    {
        return LegacyFactorMath.earnings(bonded, fees, sCrf, sCff, eCrf, eCff);
    }

    function plainRewardFactor(uint256 prevCrf, uint256 rewards, uint256 totalStake) external pure returns (uint256) {
        return LegacyFactorMath.rewardFactor(prevCrf, rewards, totalStake);
    }

    function plainFeeFactor(uint256 base, uint256 prevCrf, uint256 fees, uint256 totalStake)
        external
        pure
        returns (uint256)
    {
        return LegacyFactorMath.feeFactor(base, prevCrf, fees, totalStake);
    }

    /* HELPERS */

    /// @dev A previous factor up to `cap`; 0 (read as 1.0) only when 1.0 is within the cap.
    function _boundFactor(uint256 factor, uint256 cap) internal pure returns (uint256) {
        return bound(factor, cap < ONE ? 1 : 0, cap);
    }

    function _min(uint256 a, uint256 b) internal pure returns (uint256) {
        return a < b ? a : b;
    }
}
