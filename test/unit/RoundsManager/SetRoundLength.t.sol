// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IRoundsManager} from "../../../contracts/interfaces/IRoundsManager.sol";
import {BaseTest} from "../../BaseTest.sol";

contract SetRoundLengthTest is BaseTest {
    function test_setRoundLength_appliesFromCurrentRoundStart() public {
        // Round 10,000 started at block 1,000,000; 30 blocks in, the length goes 100 -> 50.
        vm.roll(START_BLOCK + 30);
        vm.expectEmit(address(roundsManager));
        emit IRoundsManager.RoundLengthSet(10_000, 50);
        vm.prank(owner);
        roundsManager.setRoundLength(50);

        assertEq(roundsManager.roundLength(), 50, "length");
        assertEq(roundsManager.lastRoundLengthUpdateRound(), 10_000, "anchor round");
        assertEq(roundsManager.lastRoundLengthUpdateStartBlock(), START_BLOCK, "anchor block");
        assertEq(roundsManager.currentRound(), 10_000, "same round");

        vm.roll(START_BLOCK + 49);
        assertEq(roundsManager.currentRound(), 10_000, "last block of the shortened round");
        vm.roll(START_BLOCK + 50);
        assertEq(roundsManager.currentRound(), 10_001, "next round after 50 blocks");
        assertEq(roundsManager.currentRoundStartBlock(), START_BLOCK + 50, "start");
        vm.roll(START_BLOCK + 175);
        assertEq(roundsManager.currentRound(), 10_003, "10,000 + 175 / 50");
    }

    function test_setRoundLength_longerRoundStretchesCurrentRound() public {
        vm.roll(START_BLOCK + 250); // round 10,002, started at 1,000,200
        vm.prank(owner);
        roundsManager.setRoundLength(1000);
        assertEq(roundsManager.currentRound(), 10_002, "same round");
        assertEq(roundsManager.currentRoundStartBlock(), START_BLOCK + 200, "same start");
        vm.roll(START_BLOCK + 1199);
        assertEq(roundsManager.currentRound(), 10_002, "stretched");
        vm.roll(START_BLOCK + 1200);
        assertEq(roundsManager.currentRound(), 10_003, "next");
    }

    function test_setRoundLength_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.InvalidRoundLength.selector, 0));
        vm.prank(owner);
        roundsManager.setRoundLength(0);
    }

    function test_setRoundLength_revertsWhenTooLargeToStore() public {
        uint256 tooLong = uint256(type(uint40).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.InvalidRoundLength.selector, tooLong));
        vm.prank(owner);
        roundsManager.setRoundLength(tooLong);
    }

    function test_setRoundLength_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        roundsManager.setRoundLength(10);
    }
}
