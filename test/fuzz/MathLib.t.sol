// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {MathLib} from "../../contracts/libraries/MathLib.sol";
import {Test} from "forge-std/Test.sol";

contract MathLibFuzzTest is Test {
    function testFuzz_percOf_truncatesRatioFirst(uint256 a, uint256 n, uint256 d) public pure {
        a = bound(a, 0, 1e30);
        d = bound(d, 1, 1e30);
        n = bound(n, 0, d);
        uint256 got = MathLib.percOf(a, n, d, MathLib.PERC_DIVISOR);
        assertEq(got, a * (n * 1e6 / d) / 1e6, "definition");
        assertLe(got, a * n / d, "never above the exact share");
        assertLe(a * n / d - got, a / 1e6 + 1, "loses under one point of a");
    }

    function testFuzz_percOf_simpleIsMonotone(uint256 a, uint256 p1, uint256 p2) public pure {
        a = bound(a, 0, 1e40);
        p1 = bound(p1, 0, 1e9);
        p2 = bound(p2, p1, 1e9);
        assertLe(
            MathLib.percOf(a, p1, MathLib.INFLATION_DIVISOR),
            MathLib.percOf(a, p2, MathLib.INFLATION_DIVISOR),
            "monotone"
        );
        assertLe(MathLib.percOf(a, p2, MathLib.INFLATION_DIVISOR), a, "at most a");
    }

    function testFuzz_percPoints_wholeIsDivisor(uint256 n) public pure {
        n = bound(n, 1, 1e40);
        assertEq(MathLib.percPoints(n, n, MathLib.PRECISE_DIVISOR), MathLib.PRECISE_DIVISOR, "n/n = 1");
    }
}
