// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IMinter} from "../../../contracts/interfaces/IMinter.sol";
import {BaseTest} from "../../BaseTest.sol";

contract CreateRewardTest is BaseTest {
    uint256 internal mintable;

    function setUp() public override {
        super.setUp();
        _nextRound();
        mintable = minter.currentMintableTokens();
    }

    function test_createReward_mintsProRataShareToMinter() public {
        // 30,000,000 LPT * 221,000 / 1e9 = 6,630 LPT mintable (inflation stepped up from 220,500).
        assertEq(mintable, 6630 ether, "mintable");
        vm.prank(address(bondingManager));
        uint256 minted = minter.createReward(1, 4);

        assertEq(minted, 1657.5 ether, "a quarter");
        assertEq(token.balanceOf(address(minter)), minted, "held by the Minter");
        assertEq(minter.currentMintedTokens(), minted, "minted");
        assertEq(token.totalSupply(), GENESIS_SUPPLY + minted, "supply");
    }

    function test_createReward_truncatesTheRatioFirst() public {
        // 1/3 -> 333,333,333 points of 1e9, then applied: mintable * 333333333 / 1e9.
        vm.prank(address(bondingManager));
        uint256 minted = minter.createReward(1, 3);
        assertEq(minted, mintable * 333_333_333 / 1e9, "percOf with truncated ratio");
        assertLt(minted, mintable / 3, "below the exact third");
    }

    function test_createReward_wholePoolMintsEverything() public {
        vm.prank(address(bondingManager));
        assertEq(minter.createReward(7, 7), mintable, "all");
    }

    function test_createReward_revertsPastMintable() public {
        vm.startPrank(address(bondingManager));
        minter.createReward(3, 4);
        uint256 remaining = mintable - minter.currentMintedTokens();
        vm.expectRevert(abi.encodeWithSelector(IMinter.MintableExceeded.selector, mintable / 2, remaining));
        minter.createReward(1, 2);
        vm.stopPrank();
    }

    function test_createReward_revertsOnZeroDenominator() public {
        vm.expectRevert(IMinter.ZeroDenominator.selector);
        vm.prank(address(bondingManager));
        minter.createReward(1, 0);
    }

    function test_createReward_revertsIfNotBondingManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, attacker, keccak256("BondingManager"))
        );
        vm.prank(attacker);
        minter.createReward(1, 1);
    }

    function test_createReward_revertsWhenPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(address(bondingManager));
        minter.createReward(1, 1);
    }

    function test_createReward_budgetResetsEachRound() public {
        vm.prank(address(bondingManager));
        minter.createReward(1, 1);
        _nextRound();
        assertEq(minter.currentMintedTokens(), 0, "reset");
        vm.prank(address(bondingManager));
        assertEq(minter.createReward(1, 1), minter.currentMintableTokens(), "fresh budget");
    }
}
