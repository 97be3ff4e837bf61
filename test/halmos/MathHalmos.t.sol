// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EarningsPool} from "../../contracts/bonding/BondingTypes.sol";
import {EarningsPoolLib} from "../../contracts/bonding/EarningsPoolLib.sol";
import {MathLib} from "../../contracts/libraries/MathLib.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Symbolic properties (halmos, `make halmos`) of the percentage and precise (1e27) math and of
/// the LIP-36 cumulative factor updates. Inputs are bounded to the protocol's ranges (stakes and fees
/// below 2^128 wei, factors below 2^160) so that no multiplication overflows; the properties hold for
/// every value in those ranges.
/// @dev Properties that need the solver to reason about a product divided by a symbolic value
/// (rounding bounds, monotonicity of `percOf`, `earnings` between equal factors) time out in yices even
/// on 8-bit inputs (256-bit division); they are fuzzed instead (test/fuzz/MathLib.t.sol).
contract MathHalmos is Test {
    using EarningsPoolLib for EarningsPool;

    uint256 internal constant PERC = MathLib.PERC_DIVISOR;
    uint256 internal constant PRECISE = MathLib.PRECISE_DIVISOR;

    EarningsPool internal pool;

    /* PERCENTAGE MATH */

    /// @notice Zero stake earns nothing, at any ratio and in either form.
    function check_percOf_zeroAmountEarnsNothing(uint256 n, uint256 d, uint256 p) public pure {
        vm.assume(d != 0);
        assert(MathLib.percOf(0, n % (d + 1), d, PRECISE) == 0);
        assert(MathLib.percOf(0, p, PERC) == 0);
    }

    /* CUMULATIVE FACTORS */

    /// @notice Zero bonded stake earns no stake and no fees, whatever the factors; its fees carry over.
    function check_earnings_zeroBondedEarnsNothing(uint128 fees, uint160 s1, uint160 s2, uint160 e1, uint160 e2)
        public
        pure
    {
        vm.assume(e2 >= s2);
        (uint256 stake, uint256 totalFees) = EarningsPoolLib.earnings(0, fees, s1, s2, e1, e2);
        assert(stake == 0);
        assert(totalFees == fees);
    }

    /// @notice A missing factor reads as 1.0 (1e27); any other value is kept.
    function check_orOne(uint256 factor) public pure {
        uint256 r = EarningsPoolLib.orOne(factor);
        assert(r != 0);
        assert(factor == 0 ? r == PRECISE : r == factor);
    }

    /// @notice A reward never decreases the cumulative reward factor.
    function check_addRewards_neverDecreases(uint160 prevCrf, uint128 rewards, uint128 totalStake) public {
        vm.assume(totalStake != 0 && rewards <= totalStake);
        pool.addRewards(prevCrf, rewards, totalStake);
        assert(pool.cumulativeRewardFactor >= EarningsPoolLib.orOne(prevCrf));
    }

    /// @notice A zero reward keeps the cumulative reward factor exactly.
    function check_addRewards_zeroKeepsTheFactor(uint160 prevCrf, uint128 totalStake) public {
        vm.assume(totalStake != 0);
        pool.addRewards(prevCrf, 0, totalStake);
        assert(pool.cumulativeRewardFactor == EarningsPoolLib.orOne(prevCrf));
    }

    /// @notice Fees never decrease the cumulative fee factor; the round's own factor is the base once set.
    function check_addFees_neverDecreases(
        uint160 existing,
        uint160 prevCff,
        uint160 prevCrf,
        uint128 fees,
        uint128 totalStake
    ) public {
        vm.assume(totalStake != 0 && fees <= totalStake);
        pool.cumulativeFeeFactor = existing;
        pool.addFees(prevCff, prevCrf, fees, totalStake);
        uint256 base = existing == 0 ? prevCff : existing;
        assert(pool.cumulativeFeeFactor >= base);
        if (fees == 0) assert(pool.cumulativeFeeFactor == base);
    }

    /// @notice Two fee payments in a round add up: the second starts from the first's factor, so two
    /// equal payments add the same share twice (a second payment that started over from the previous
    /// round's factor would add it once). Equal payments keep one symbolic 512-bit division in the
    /// query; with two different ones the solver timed out now and then. Different amounts are fuzzed
    /// (test/fuzz/FactorMath.t.sol).
    function check_addFees_accumulatesWithinRound(uint160 prevCff, uint64 fees, uint128 totalStake) public {
        vm.assume(totalStake != 0 && prevCff != 0);
        pool.addFees(prevCff, 0, fees, totalStake);
        uint256 afterFirst = pool.cumulativeFeeFactor;
        pool.addFees(prevCff, 0, fees, totalStake);
        assert(afterFirst >= prevCff);
        assert(pool.cumulativeFeeFactor - afterFirst == afterFirst - prevCff);
    }
}
