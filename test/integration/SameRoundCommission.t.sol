// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {ProtocolTest} from "../ProtocolTest.sol";

/// @notice A transcoder that claims, calls reward, then unbonds everything in the same round gets its
/// whole stake out: the commission earned after its claim is not left behind (the reference strands it
/// until the transcoder bonds to itself again).
contract SameRoundCommissionTest is ProtocolTest {
    address internal t1 = makeAddr("t1");

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        _nextRound();
        _nextRound();
    }

    function test_claimRewardFullUnbond_leavesNothingBehind() public {
        vm.prank(t1);
        bm.claimEarnings(0); // claimed for this round, before the reward
        _reward(t1);
        uint256 pending = _pendingStake(t1);
        assertGt(pending, _bondedAmount(t1), "commission earned after the claim");

        vm.prank(t1);
        bm.unbond(pending);
        assertEq(_pendingStake(t1), 0, "nothing left bonded");
        (uint256 locked,) = bm.getDelegatorUnbondingLock(t1, 0);
        assertEq(locked, pending, "everything is in the unbonding lock");
        (,,,,,,, uint256 cumulativeRewards,,) = bm.getTranscoder(t1);
        assertEq(cumulativeRewards, 0, "commission folded into the bond");
    }

    function test_foldEmitsEarningsClaimed() public {
        vm.prank(t1);
        bm.claimEarnings(0);
        _reward(t1);
        (,,,,,,, uint256 cumulativeRewards,,) = bm.getTranscoder(t1);
        uint256 round = roundsManager.currentRound();
        vm.expectEmit(address(bm));
        emit IBondingManager.EarningsClaimed(t1, t1, cumulativeRewards, 0, round, round);
        vm.prank(t1);
        bm.claimEarnings(0);
        assertEq(_bondedAmount(t1), _pendingStake(t1), "bond holds the commission");
    }
}
