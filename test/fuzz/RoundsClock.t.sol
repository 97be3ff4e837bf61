// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../BaseTest.sol";

/// @notice Round numbering stays continuous across any sequence of length changes, and the lock
/// window sits exactly where PROTOCOL.md puts it.
contract RoundsClockFuzzTest is BaseTest {
    function testFuzz_setRoundLength_numberingStaysContinuous(uint256[8] memory lengths, uint256[8] memory gaps)
        public
    {
        uint256 lastRound = roundsManager.currentRound();
        for (uint256 i; i < lengths.length; i++) {
            // Let time pass: the round only ever moves forward, one step per full round length.
            uint256 roundBefore = roundsManager.currentRound();
            uint256 startBefore = roundsManager.currentRoundStartBlock();
            uint256 lengthBefore = roundsManager.roundLength();
            vm.roll(block.number + bound(gaps[i], 0, 3000));
            uint256 elapsedRounds = (block.number - startBefore) / lengthBefore;
            assertEq(roundsManager.currentRound(), roundBefore + elapsedRounds, "one round per length");
            assertGe(roundsManager.currentRound(), lastRound, "never backwards");

            // Change the length mid-round: it applies from the current round's start block.
            uint256 round = roundsManager.currentRound();
            uint256 start = roundsManager.currentRoundStartBlock();
            uint256 newLength = bound(lengths[i], 1, 500);
            vm.prank(owner);
            roundsManager.setRoundLength(newLength);

            assertEq(roundsManager.lastRoundLengthUpdateRound(), round, "anchored at current round");
            assertEq(roundsManager.lastRoundLengthUpdateStartBlock(), start, "anchored at its start");
            assertEq(roundsManager.currentRound(), round + (block.number - start) / newLength, "continuous");
            _assertClockConsistent();

            // The round ends exactly `newLength` blocks after it (re)started.
            uint256 currentStart = roundsManager.currentRoundStartBlock();
            uint256 current = roundsManager.currentRound();
            vm.roll(currentStart + newLength - 1);
            assertEq(roundsManager.currentRound(), current, "last block of round");
            vm.roll(currentStart + newLength);
            assertEq(roundsManager.currentRound(), current + 1, "first block of next round");
            _assertClockConsistent();
            lastRound = current + 1;
        }
    }

    function testFuzz_setRoundLength_unchangedRoundWhenLongerThanElapsed(uint256 offset, uint256 newLength) public {
        offset = bound(offset, 0, ROUND_LENGTH - 1);
        newLength = bound(newLength, offset + 1, 1e9);
        vm.roll(START_BLOCK + offset);
        uint256 round = roundsManager.currentRound();
        vm.prank(owner);
        roundsManager.setRoundLength(newLength);
        assertEq(roundsManager.currentRound(), round, "round unchanged");
        assertEq(roundsManager.currentRoundStartBlock(), START_BLOCK, "start unchanged");
    }

    function testFuzz_currentRoundLocked_boundary(uint256 length, uint256 lockAmount, uint256 offset) public {
        length = bound(length, 1, 1_000_000);
        lockAmount = bound(lockAmount, 0, 1e6);
        offset = bound(offset, 0, length - 1);
        vm.startPrank(owner);
        roundsManager.setRoundLength(length);
        roundsManager.setRoundLockAmount(lockAmount);
        vm.stopPrank();

        uint256 start = roundsManager.currentRoundStartBlock();
        vm.roll(start + offset);
        uint256 lockStart = length - length * lockAmount / 1e6;
        assertEq(roundsManager.currentRoundLocked(), offset >= lockStart, "locked iff inside the window");
    }

    function _assertClockConsistent() internal view {
        uint256 start = roundsManager.currentRoundStartBlock();
        assertLe(start, block.number, "start not in the future");
        assertLt(block.number, start + roundsManager.roundLength(), "inside current round");
    }
}
