// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IMinter} from "../../../contracts/interfaces/IMinter.sol";
import {BaseTest} from "../../BaseTest.sol";

contract SetCurrentRewardTokensTest is BaseTest {
    function test_setCurrentRewardTokens_belowTargetRaisesInflation() public {
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY / 4); // 25% bonded
        vm.expectEmit(address(minter));
        emit IMinter.SetCurrentRewardTokens(GENESIS_SUPPLY * 221_000 / 1e9, 221_000);
        _nextRound();
        assertEq(minter.inflation(), INFLATION + INFLATION_CHANGE, "inflation");
        assertEq(minter.currentMintableTokens(), GENESIS_SUPPLY * 221_000 / 1e9, "mintable");
        assertEq(minter.currentMintedTokens(), 0, "minted");
    }

    function test_setCurrentRewardTokens_aboveTargetLowersInflation() public {
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY * 3 / 4);
        _nextRound();
        assertEq(minter.inflation(), INFLATION - INFLATION_CHANGE, "inflation");
        assertEq(minter.currentMintableTokens(), GENESIS_SUPPLY * 220_000 / 1e9, "mintable");
    }

    function test_setCurrentRewardTokens_atTargetKeepsInflation() public {
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY / 2);
        _nextRound();
        assertEq(minter.inflation(), INFLATION, "inflation");
    }

    function test_setCurrentRewardTokens_bondingRateIsTruncated() public {
        // 50% minus one wei truncates to 499,999,999 points: below target.
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY / 2 - 1);
        _nextRound();
        assertEq(minter.inflation(), INFLATION + INFLATION_CHANGE, "inflation");
    }

    function test_setCurrentRewardTokens_inflationFloorsAtZero() public {
        vm.prank(owner);
        minter.setInflationChange(1e9);
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY);
        _nextRound();
        assertEq(minter.inflation(), 0, "floored");
        assertEq(minter.currentMintableTokens(), 0, "nothing to mint");
        _nextRound();
        assertEq(minter.inflation(), 0, "stays floored");
    }

    function test_setCurrentRewardTokens_readsActiveStakeSetInSameRound() public {
        // The mock flips from 0% to 100% bonded only when RoundsManager hands over the stake; inflation
        // falling proves the Minter read the value set earlier in the same initializeRound.
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY);
        _nextRound();
        assertEq(minter.inflation(), INFLATION - INFLATION_CHANGE, "used this round's stake");
    }

    function test_setCurrentRewardTokens_revertsIfNotRoundsManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, attacker, keccak256("RoundsManager"))
        );
        vm.prank(attacker);
        minter.setCurrentRewardTokens();
    }

    function test_setCurrentRewardTokens_revertsWhenPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(address(roundsManager));
        minter.setCurrentRewardTokens();
    }
}
