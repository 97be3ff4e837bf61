// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IRoundsManager} from "../../../contracts/interfaces/IRoundsManager.sol";
import {BaseTest} from "../../BaseTest.sol";

contract SetRoundLockAmountTest is BaseTest {
    function test_setRoundLockAmount_movesLockWindow() public {
        vm.expectEmit(address(roundsManager));
        emit IRoundsManager.RoundLockAmountSet(500_000);
        vm.prank(owner);
        roundsManager.setRoundLockAmount(500_000); // last half of each round

        vm.roll(START_BLOCK + 49);
        assertFalse(roundsManager.currentRoundLocked(), "block 49 open");
        vm.roll(START_BLOCK + 50);
        assertTrue(roundsManager.currentRoundLocked(), "block 50 locked");
    }

    function test_setRoundLockAmount_fullLockLocksWholeRound() public {
        vm.prank(owner);
        roundsManager.setRoundLockAmount(1e6);
        assertTrue(roundsManager.currentRoundLocked(), "first block locked");
    }

    function test_setRoundLockAmount_zeroNeverLocks() public {
        vm.prank(owner);
        roundsManager.setRoundLockAmount(0);
        vm.roll(START_BLOCK + ROUND_LENGTH - 1);
        assertFalse(roundsManager.currentRoundLocked(), "last block open");
    }

    function test_setRoundLockAmount_revertsAboveOne() public {
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.InvalidRoundLockAmount.selector, 1e6 + 1));
        vm.prank(owner);
        roundsManager.setRoundLockAmount(1e6 + 1);
    }

    function test_setRoundLockAmount_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        roundsManager.setRoundLockAmount(1);
    }
}
