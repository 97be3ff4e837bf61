// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {RoundsManager} from "../../../contracts/RoundsManager.sol";
import {IRoundsManager} from "../../../contracts/interfaces/IRoundsManager.sol";
import {BaseTest} from "../../BaseTest.sol";

/// @notice initialize() and the clock views.
contract RoundsManagerViewsTest is BaseTest {
    function test_initialize_anchorsClockAtGenesis() public view {
        assertEq(roundsManager.roundLength(), ROUND_LENGTH, "length");
        assertEq(roundsManager.roundLockAmount(), ROUND_LOCK_AMOUNT, "lock");
        assertEq(roundsManager.lastRoundLengthUpdateRound(), START_BLOCK / ROUND_LENGTH, "anchor round");
        assertEq(roundsManager.lastRoundLengthUpdateStartBlock(), START_BLOCK, "anchor block");
        assertEq(roundsManager.lastInitializedRound(), 0, "nothing initialized");
        assertFalse(roundsManager.currentRoundInitialized(), "not initialized");
        assertEq(address(roundsManager.controller()), address(controller), "controller");
    }

    function test_initialize_anchorsMidRound() public {
        vm.roll(START_BLOCK + 42);
        RoundsManager fresh = RoundsManager(
            _proxy(
                address(new RoundsManager()),
                abi.encodeCall(RoundsManager.initialize, (address(controller), ROUND_LENGTH, 0))
            )
        );
        assertEq(fresh.currentRound(), START_BLOCK / ROUND_LENGTH, "round of the block");
        assertEq(fresh.currentRoundStartBlock(), START_BLOCK, "start block rounds down");
    }

    function test_initialize_revertsOnBadParameters() public {
        address impl = address(new RoundsManager());
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.InvalidRoundLength.selector, 0));
        _proxy(impl, abi.encodeCall(RoundsManager.initialize, (address(controller), 0, 0)));
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.InvalidRoundLockAmount.selector, 1e6 + 1));
        _proxy(impl, abi.encodeCall(RoundsManager.initialize, (address(controller), 10, 1e6 + 1)));
    }

    function test_currentRound_advancesEveryRoundLength() public {
        assertEq(roundsManager.currentRound(), 10_000, "start");
        vm.roll(START_BLOCK + 99);
        assertEq(roundsManager.currentRound(), 10_000, "last block");
        vm.roll(START_BLOCK + 100);
        assertEq(roundsManager.currentRound(), 10_001, "next");
        assertEq(roundsManager.currentRoundStartBlock(), START_BLOCK + 100, "start block");
    }

    function test_currentRoundLocked_lastTenPercent() public {
        vm.roll(START_BLOCK + 89);
        assertFalse(roundsManager.currentRoundLocked(), "block 89 open");
        vm.roll(START_BLOCK + 90);
        assertTrue(roundsManager.currentRoundLocked(), "block 90 locked");
        vm.roll(START_BLOCK + 100);
        assertFalse(roundsManager.currentRoundLocked(), "next round open");
    }

    function test_currentRoundInitialized_falseInNewRound() public {
        roundsManager.initializeRound();
        assertTrue(roundsManager.currentRoundInitialized(), "initialized");
        vm.roll(START_BLOCK + ROUND_LENGTH);
        assertFalse(roundsManager.currentRoundInitialized(), "new round pending");
    }

    function test_blockNum() public {
        vm.roll(1234);
        assertEq(roundsManager.blockNum(), 1234, "block");
    }

    function test_blockHash_lastTwoHundredFiftySixBlocks() public {
        vm.roll(START_BLOCK + 300);
        assertEq(roundsManager.blockHash(block.number - 1), blockhash(block.number - 1), "previous");
        assertEq(roundsManager.blockHash(block.number - 256), blockhash(block.number - 256), "oldest");
    }

    function test_blockHash_revertsOutsideWindow() public {
        vm.roll(START_BLOCK + 300);
        uint256 current = block.number;
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.BlockHashUnavailable.selector, current));
        roundsManager.blockHash(current);
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.BlockHashUnavailable.selector, current - 257));
        roundsManager.blockHash(current - 257);
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.BlockHashUnavailable.selector, current + 1));
        roundsManager.blockHash(current + 1);
    }
}
