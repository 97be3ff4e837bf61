// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";

/// @notice LIP-118: setRewardCaller, rewardForTranscoder, rewardForTranscoderWithHint.
contract RewardCallerTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    address internal caller = makeAddr("rewardCaller");
    uint256 internal round1;

    /// @dev t1 (2000 self) and t2 (1000 self), both active in round1; t1 authorizes `caller`.
    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 2000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 1000 ether, 0, 500_000);
        round1 = _nextRound();
        vm.prank(t1);
        bm.setRewardCaller(caller);
    }

    function test_setRewardCaller_setsAndEmits() public {
        assertEq(bm.transcoderToRewardCaller(t1), caller, "set in setUp");
        vm.expectEmit(address(bm));
        emit IBondingManager.RewardCallerSet(t2, bob);
        vm.prank(t2);
        bm.setRewardCaller(bob);
        assertEq(bm.transcoderToRewardCaller(t2), bob, "t2's caller");
        assertEq(bm.transcoderToRewardCaller(t1), caller, "t1's caller unchanged");
    }

    function test_rewardForTranscoder_rewardsTheTranscoder() public {
        // t1: 2000/3000 -> 666,666,666 points of 6645 LPT = 4429.99999557 LPT; R = 90% = 3986.999996013.
        uint256 rewards = 3_986_999_996_013_000_000_000;
        uint256 callerBalance = token.balanceOf(caller);
        vm.expectEmit(address(bm));
        emit IBondingManager.Reward(t1, rewards);
        vm.prank(caller);
        bm.rewardForTranscoder(t1);

        assertEq(bm.transcoderTotalStake(t1), 2000 ether + rewards, "t1's stake grew");
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(t1);
        assertEq(lastRewardRound, round1, "t1 rewarded");
        assertEq(token.balanceOf(caller), callerBalance, "caller got no LPT");
        assertEq(_bondedAmount(caller), 0, "caller has no bond");
        assertEq(bm.transcoderTotalStake(caller), 0, "nothing delegated to the caller");
    }

    function test_rewardForTranscoder_sameAsReward() public {
        // The same state as t1 calling reward itself: snapshot, compare.
        uint256 snap = vm.snapshotState();
        _reward(t1);
        uint256 stakeSelf = bm.transcoderTotalStake(t1);
        (,,, uint256 crfSelf,) = bm.getTranscoderEarningsPoolForRound(t1, round1);
        vm.revertToState(snap);
        vm.prank(caller);
        bm.rewardForTranscoder(t1);
        (,,, uint256 crfCaller,) = bm.getTranscoderEarningsPoolForRound(t1, round1);
        assertEq(bm.transcoderTotalStake(t1), stakeSelf, "same stake");
        assertEq(crfCaller, crfSelf, "same factor");
    }

    function test_rewardForTranscoderWithHint_rewardsTheTranscoder() public {
        vm.prank(t2);
        bm.setRewardCaller(caller);
        // t2: 1000/3000 -> 333,333,333 points: minted 2214.999997785, R = 1993.4999980065 -> 2993.49... LPT,
        // above t1's 2000: correct hints put it at the head before t1.
        vm.prank(caller);
        bm.rewardForTranscoderWithHint(t2, address(0), t1);
        assertEq(bm.transcoderTotalStake(t2), 2_993_499_998_006_500_000_000, "t2 stake");
        assertEq(bm.getFirstTranscoderInPool(), t2, "t2 head");
        assertEq(bm.getNextTranscoderInPool(t2), t1, "t1 next");
        assertEq(token.balanceOf(caller), 0, "caller got nothing");

        // Wrong hints for t1: still sorted.
        vm.prank(caller);
        bm.rewardForTranscoderWithHint(t1, attacker, t2);
        address first = bm.getFirstTranscoderInPool();
        assertGe(bm.transcoderTotalStake(first), bm.transcoderTotalStake(bm.getNextTranscoderInPool(first)), "order");
    }

    function test_rewardForTranscoder_transcoderStillCallsRewardItself() public {
        _reward(t1);
        // And the caller then hits the once-per-round rule.
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.AlreadyRewarded.selector, t1, round1));
        vm.prank(caller);
        bm.rewardForTranscoder(t1);
    }

    function test_rewardForTranscoder_revertsIfNotRewardCaller() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.NotRewardCaller.selector, attacker, t1));
        vm.prank(attacker);
        bm.rewardForTranscoder(t1);

        // The transcoder itself is not its reward caller either.
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.NotRewardCaller.selector, t1, t1));
        vm.prank(t1);
        bm.rewardForTranscoder(t1);

        // t1's caller cannot reward t2.
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.NotRewardCaller.selector, caller, t2));
        vm.prank(caller);
        bm.rewardForTranscoder(t2);

        vm.expectRevert(abi.encodeWithSelector(IBondingManager.NotRewardCaller.selector, attacker, t1));
        vm.prank(attacker);
        bm.rewardForTranscoderWithHint(t1, address(0), address(0));
    }

    function test_rewardForTranscoder_revertsAfterUnset() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.RewardCallerSet(t1, address(0));
        vm.prank(t1);
        bm.setRewardCaller(address(0));
        assertEq(bm.transcoderToRewardCaller(t1), address(0), "unset");

        vm.expectRevert(abi.encodeWithSelector(IBondingManager.NotRewardCaller.selector, caller, t1));
        vm.prank(caller);
        bm.rewardForTranscoder(t1);
    }

    function test_rewardForTranscoder_revertsIfTranscoderNotActive() public {
        address t3 = makeAddr("t3");
        _registerTranscoder(t3, 500 ether, 0, 0); // active next round
        vm.prank(t3);
        bm.setRewardCaller(caller);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, t3));
        vm.prank(caller);
        bm.rewardForTranscoder(t3);
    }

    function test_rewardForTranscoder_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(caller);
        bm.rewardForTranscoder(t1);
    }

    function test_setRewardCaller_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(t2);
        bm.setRewardCaller(bob);
    }
}
