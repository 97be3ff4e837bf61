// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IRoundsManager} from "../../../contracts/interfaces/IRoundsManager.sol";
import {BaseTest} from "../../BaseTest.sol";

contract InitializeRoundTest is BaseTest {
    // START_BLOCK 1,000,000 / ROUND_LENGTH 100: the clock starts in round 10,000 at block 1,000,000.
    uint256 internal constant FIRST_ROUND = 10_000;

    function test_initializeRound_initializesCurrentRound() public {
        vm.roll(START_BLOCK + 5);
        bytes32 expectedHash = blockhash(block.number - 1);
        vm.expectEmit(address(roundsManager));
        emit IRoundsManager.NewRound(FIRST_ROUND, expectedHash);
        roundsManager.initializeRound();

        assertEq(roundsManager.lastInitializedRound(), FIRST_ROUND, "last initialized");
        assertTrue(roundsManager.currentRoundInitialized(), "initialized");
        assertEq(roundsManager.blockHashForRound(FIRST_ROUND), expectedHash, "block hash stored");
    }

    function test_initializeRound_handsOverActiveStakeBeforeMinting() public {
        bondingManager.setNextRoundTotalActiveStake(123 ether);
        vm.prank(owner);
        minter.setInflationChange(0);
        roundsManager.initializeRound();

        assertEq(bondingManager.setCalls(), 1, "BondingManager called once");
        assertEq(bondingManager.currentRoundTotalActiveStake(), 123 ether, "stake fixed");
        // The Minter had not fixed this round's budget yet when the BondingManager was called.
        assertEq(bondingManager.mintableSeenAtSet(), 0, "BondingManager before Minter");
        assertEq(minter.currentMintableTokens(), GENESIS_SUPPLY * INFLATION / 1e9, "Minter ran after");
    }

    function test_initializeRound_revertsIfAlreadyInitialized() public {
        roundsManager.initializeRound();
        vm.roll(block.number + ROUND_LENGTH - 1);
        vm.expectRevert(abi.encodeWithSelector(IRoundsManager.RoundAlreadyInitialized.selector, FIRST_ROUND));
        roundsManager.initializeRound();
    }

    function test_initializeRound_anyoneMayCall() public {
        vm.prank(attacker);
        roundsManager.initializeRound();
        assertTrue(roundsManager.currentRoundInitialized(), "initialized by anyone");
    }

    function test_initializeRound_skipsRounds() public {
        roundsManager.initializeRound();
        vm.roll(START_BLOCK + 5 * ROUND_LENGTH + 3);
        roundsManager.initializeRound();
        assertEq(roundsManager.lastInitializedRound(), FIRST_ROUND + 5, "jumped");
        assertEq(roundsManager.blockHashForRound(FIRST_ROUND + 2), bytes32(0), "skipped rounds have no hash");
        assertEq(bondingManager.setCalls(), 2, "once per initialization");
    }

    function test_initializeRound_revertsWhenPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        roundsManager.initializeRound();
    }

    function test_initializeRound_worksAgainAfterUnpause() public {
        _pause();
        vm.prank(owner);
        controller.unpause();
        roundsManager.initializeRound();
        assertTrue(roundsManager.currentRoundInitialized(), "initialized");
    }
}
