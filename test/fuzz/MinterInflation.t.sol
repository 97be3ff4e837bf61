// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IMinter} from "../../contracts/interfaces/IMinter.sol";
import {BaseTest} from "../BaseTest.sol";

/// @notice Inflation steering and the per-round mint cap under arbitrary inputs.
contract MinterInflationFuzzTest is BaseTest {
    function testFuzz_setCurrentRewardTokens_inflationNeverUnderflows(
        uint256[12] memory bondedShares,
        uint256 change,
        uint256 target
    ) public {
        change = bound(change, 0, 1e9);
        target = bound(target, 0, 1e9);
        vm.startPrank(owner);
        minter.setInflationChange(change);
        minter.setTargetBondingRate(target);
        vm.stopPrank();

        uint256 expected = INFLATION;
        for (uint256 i; i < bondedShares.length; i++) {
            uint256 stake = bound(bondedShares[i], 0, GENESIS_SUPPLY);
            bondingManager.setNextRoundTotalActiveStake(stake);
            _nextRound();

            uint256 rate = stake * 1e9 / GENESIS_SUPPLY;
            if (rate < target) expected += change;
            else if (rate > target) expected = expected > change ? expected - change : 0;
            assertEq(minter.inflation(), expected, "inflation follows the model");
            assertEq(minter.currentMintableTokens(), GENESIS_SUPPLY * expected / 1e9, "mintable");
        }
    }

    function testFuzz_createReward_neverExceedsMintable(uint256[10] memory nums, uint256[10] memory dens) public {
        bondingManager.setNextRoundTotalActiveStake(GENESIS_SUPPLY / 4);
        _nextRound();
        uint256 mintable = minter.currentMintableTokens();

        uint256 total;
        for (uint256 i; i < nums.length; i++) {
            uint256 den = bound(dens[i], 1, type(uint128).max);
            uint256 num = bound(nums[i], 0, den);
            uint256 amount = mintable * (num * 1e9 / den) / 1e9;

            vm.prank(address(bondingManager));
            if (total + amount > mintable) {
                vm.expectRevert(abi.encodeWithSelector(IMinter.MintableExceeded.selector, amount, mintable - total));
                minter.createReward(num, den);
            } else {
                assertEq(minter.createReward(num, den), amount, "pro-rata amount");
                total += amount;
            }
            assertLe(minter.currentMintedTokens(), mintable, "minted <= mintable");
            assertEq(minter.currentMintedTokens(), total, "minted tracked");
        }
        assertEq(token.totalSupply(), GENESIS_SUPPLY + total, "supply grew by what was minted");
    }

    function testFuzz_createReward_sharesOfOnePoolSumToAtMostMintable(uint256[8] memory stakes) public {
        uint256 totalStake;
        for (uint256 i; i < stakes.length; i++) {
            stakes[i] = bound(stakes[i], 1, 1e27);
            totalStake += stakes[i];
        }
        _nextRound();
        uint256 mintable = minter.currentMintableTokens();

        vm.startPrank(address(bondingManager));
        uint256 minted;
        for (uint256 i; i < stakes.length; i++) {
            minted += minter.createReward(stakes[i], totalStake);
        }
        vm.stopPrank();
        assertLe(minted, mintable, "never over the cap");
        // Each share loses < 1 point of 1e9 to truncation, plus one wei.
        assertGe(minted + stakes.length * (mintable / 1e9 + 1), mintable, "truncation dust is bounded");
    }
}
