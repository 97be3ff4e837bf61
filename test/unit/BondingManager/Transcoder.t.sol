// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";

/// @notice transcoder / transcoderWithHint: commission, joining the active set, eviction, guards.
contract TranscoderTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    address internal t3 = makeAddr("t3");
    uint256 internal round0;

    function setUp() public override {
        super.setUp();
        round0 = roundsManager.currentRound();
    }

    /* HELPERS */

    /// @dev A pool of max size 2 holding t1 (3000 LPT) and t2 (2000 LPT), both active in round0 + 1.
    /// t3 self-bonds 1000 LPT while the pool is full, so it is registered but outside the pool.
    function _fullPoolWithOutsider() internal {
        vm.prank(owner);
        bm.setNumActiveTranscoders(2);
        _registerTranscoder(t1, 3000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 2000 ether, 100_000, 500_000);
        _bond(t3, 1000 ether, t3); // 1000 <= tail 2000: does not join
        _nextRound();
    }

    function _poolOrder() internal view returns (address[] memory ids) {
        ids = new address[](bm.getTranscoderPoolSize());
        address id = bm.getFirstTranscoderInPool();
        for (uint256 i; i < ids.length; i++) {
            ids[i] = id;
            id = bm.getNextTranscoderInPool(id);
        }
        assertEq(id, address(0), "list ends after size entries");
    }

    function _inPool(address t) internal view returns (bool) {
        address[] memory ids = _poolOrder();
        for (uint256 i; i < ids.length; i++) {
            if (ids[i] == t) return true;
        }
        return false;
    }

    /* COMMISSION AND JOINING */

    function test_transcoder_setsCommissionAndEmits() public {
        _bond(t1, 1000 ether, t1);
        vm.expectEmit(address(bm));
        emit IBondingManager.TranscoderUpdate(t1, 250_000, 750_000);
        vm.prank(t1);
        bm.transcoder(250_000, 750_000);

        (, uint256 rewardCut, uint256 feeShare,,,,,,,) = bm.getTranscoder(t1);
        assertEq(rewardCut, 250_000, "rewardCut");
        assertEq(feeShare, 750_000, "feeShare");
    }

    function test_transcoder_acceptsBoundaryPercentages() public {
        _bond(t1, 1000 ether, t1);
        vm.prank(t1);
        bm.transcoder(1e6, 0);
        (, uint256 rewardCut, uint256 feeShare,,,,,,,) = bm.getTranscoder(t1);
        assertEq(rewardCut, 1e6, "100% reward cut");
        assertEq(feeShare, 0, "0% fee share");
    }

    function test_transcoder_joinsPoolNextRound() public {
        _bond(t1, 1000 ether, t1);
        vm.prank(t1);
        bm.transcoder(100_000, 500_000);

        (,,,, uint256 activationRound, uint256 deactivationRound,,,,) = bm.getTranscoder(t1);
        assertEq(activationRound, round0 + 1, "activation next round");
        assertEq(deactivationRound, type(uint256).max, "never deactivates");
        assertEq(bm.getTranscoderPoolSize(), 1, "in the pool");
        assertEq(bm.nextRoundTotalActiveStake(), 1000 ether, "next total = its stake");
        assertEq(bm.currentRoundTotalActiveStake(), 0, "current total unchanged");
        assertFalse(bm.isActiveTranscoder(t1), "not active this round");

        _nextRound();
        assertTrue(bm.isActiveTranscoder(t1), "active next round");
        assertEq(bm.currentRoundTotalActiveStake(), 1000 ether, "current total");
    }

    function test_transcoder_joinsWhenRoomAppears() public {
        _fullPoolWithOutsider();
        uint256 round = roundsManager.currentRound();
        vm.prank(owner);
        bm.setNumActiveTranscoders(3);

        vm.expectEmit(address(bm));
        emit IBondingManager.TranscoderActivated(t3, round + 1);
        vm.expectEmit(address(bm));
        emit IBondingManager.TranscoderUpdate(t3, 50_000, 600_000);
        vm.prank(t3);
        bm.transcoder(50_000, 600_000);

        (,,,, uint256 activationRound, uint256 deactivationRound,,,,) = bm.getTranscoder(t3);
        assertEq(activationRound, round + 1, "activation");
        assertEq(deactivationRound, type(uint256).max, "deactivation");
        // 3000 + 2000 + 1000
        assertEq(bm.nextRoundTotalActiveStake(), 6000 ether, "next total");
        assertEq(_poolOrder()[2], t3, "joins as tail");
    }

    function test_transcoder_evictsTailWithLessStake() public {
        _fullPoolWithOutsider();
        uint256 round = roundsManager.currentRound();
        // t2 unbonds 1500 of 2000: the tail now has 500 < t3's 1000.
        vm.prank(t2);
        bm.unbond(1500 ether);
        assertEq(bm.nextRoundTotalActiveStake(), 3500 ether, "3000 + 500");

        vm.expectEmit(address(bm));
        emit IBondingManager.TranscoderDeactivated(t2, round + 1);
        vm.expectEmit(address(bm));
        emit IBondingManager.TranscoderActivated(t3, round + 1);
        vm.prank(t3);
        bm.transcoder(100_000, 500_000);

        // 3500 - 500 (t2 leaves) + 1000 (t3 joins)
        assertEq(bm.nextRoundTotalActiveStake(), 4000 ether, "next total");
        assertEq(bm.getTranscoderPoolSize(), 2, "still full");
        assertFalse(_inPool(t2), "t2 evicted");
        (,,,,, uint256 t2Deactivation,,,,) = bm.getTranscoder(t2);
        assertEq(t2Deactivation, round + 1, "t2 deactivation round");
        assertTrue(bm.isActiveTranscoder(t2), "t2 still active for this round");
        assertFalse(bm.isActiveTranscoder(t3), "t3 not active yet");

        _nextRound();
        assertFalse(bm.isActiveTranscoder(t2), "t2 inactive");
        assertTrue(bm.isActiveTranscoder(t3), "t3 active");
        assertEq(bm.getTotalBonded(), 4000 ether, "total active stake");
    }

    function test_transcoder_evictedThenBackInSameRoundStaysActive() public {
        _fullPoolWithOutsider();
        uint256 round = roundsManager.currentRound();
        // t3 grows past t2 and evicts it; then t2 grows past t3 again, all within one round.
        _bond(alice, 1500 ether, t3);
        assertFalse(_inPool(t2), "t2 evicted");
        _bond(bob, 1000 ether, t2);
        assertTrue(_inPool(t2), "t2 back");
        assertFalse(_inPool(t3), "t3 evicted in turn");

        // t2 never stopped being active: it keeps this round's reward and its activation round.
        assertTrue(bm.isActiveTranscoder(t2), "t2 active this round");
        (,,,, uint256 activation, uint256 deactivation,,,,) = bm.getTranscoder(t2);
        assertEq(activation, round0 + 1, "original activation kept");
        assertEq(deactivation, type(uint256).max, "no deactivation");
        _reward(t2);
        (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(t2);
        assertEq(lastRewardRound, round, "rewarded this round");
        _nextRound();
        assertTrue(bm.isActiveTranscoder(t2), "t2 active next round");
        assertFalse(bm.isActiveTranscoder(t3), "t3 out");
    }

    function test_transcoder_equalStakeDoesNotEvictTail() public {
        _fullPoolWithOutsider();
        // t2 unbonds 1000 of 2000: the tail has exactly t3's 1000.
        vm.prank(t2);
        bm.unbond(1000 ether);

        vm.recordLogs();
        vm.prank(t3);
        bm.transcoder(100_000, 500_000);
        assertEq(vm.getRecordedLogs().length, 1, "only TranscoderUpdate");

        assertFalse(_inPool(t3), "t3 outside");
        assertTrue(_inPool(t2), "t2 stays");
        // 3000 + 1000
        assertEq(bm.nextRoundTotalActiveStake(), 4000 ether, "next total unchanged");
        (, uint256 rewardCut,,, uint256 activationRound,,,,,) = bm.getTranscoder(t3);
        assertEq(rewardCut, 100_000, "commission still set");
        assertEq(activationRound, 0, "never activated");
    }

    function test_transcoder_lessStakeDoesNotJoin() public {
        _fullPoolWithOutsider();
        vm.prank(t3);
        bm.transcoder(100_000, 500_000);
        assertFalse(_inPool(t3), "t3 (1000) below tail t2 (2000)");
        assertEq(bm.nextRoundTotalActiveStake(), 5000 ether, "3000 + 2000");
        _nextRound();
        assertFalse(bm.isActiveTranscoder(t3), "never active");
    }

    function test_transcoder_memberOnlyUpdatesCommission() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        vm.recordLogs();
        vm.prank(t1);
        bm.transcoder(200_000, 300_000);
        assertEq(vm.getRecordedLogs().length, 1, "no second activation");
        (, uint256 rewardCut, uint256 feeShare,, uint256 activationRound,,,,,) = bm.getTranscoder(t1);
        assertEq(rewardCut, 200_000, "rewardCut");
        assertEq(feeShare, 300_000, "feeShare");
        assertEq(activationRound, round0 + 1, "activation kept");
        assertEq(bm.nextRoundTotalActiveStake(), 1000 ether, "stake not counted twice");
    }

    function test_transcoder_activeMayUpdateAfterReward() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _nextRound();
        _reward(t1);
        vm.prank(t1);
        bm.transcoder(200_000, 400_000);
        (, uint256 rewardCut, uint256 feeShare,,,,,,,) = bm.getTranscoder(t1);
        assertEq(rewardCut, 200_000, "rewardCut");
        assertEq(feeShare, 400_000, "feeShare");
    }

    function test_transcoder_allowedJustBeforeLockWindow() public {
        _bond(t1, 1000 ether, t1);
        // Lock window: the last 100 * 100_000 / 1e6 = 10 blocks, i.e. offsets 90..99.
        vm.roll(roundsManager.currentRoundStartBlock() + 89);
        vm.prank(t1);
        bm.transcoder(100_000, 500_000);
        (, uint256 rewardCut,,,,,,,,) = bm.getTranscoder(t1);
        assertEq(rewardCut, 100_000, "set at offset 89");
    }

    /* HINTS */

    function test_transcoderWithHint_correctHintsAtTail() public {
        _fullPoolWithOutsider();
        vm.prank(owner);
        bm.setNumActiveTranscoders(3);
        // t3 (1000) belongs after t2 (2000), the tail: prev = t2, next = none.
        vm.prank(t3);
        bm.transcoderWithHint(100_000, 500_000, t2, address(0));
        address[] memory ids = _poolOrder();
        assertEq(ids[0], t1, "head");
        assertEq(ids[1], t2, "middle");
        assertEq(ids[2], t3, "tail");
    }

    function test_transcoderWithHint_correctHintsAtHead() public {
        _fullPoolWithOutsider();
        // Shrink both members below t3's 1000: t1 3000 -> 500 drops behind t2 (2000), then
        // t2 2000 -> 500 stays head (an equal key keeps its place): order t2, t1.
        vm.prank(t1);
        bm.unbond(2500 ether);
        vm.prank(t2);
        bm.unbond(1500 ether);
        vm.prank(owner);
        bm.setNumActiveTranscoders(3);
        vm.prank(t3);
        bm.transcoderWithHint(100_000, 500_000, address(0), t2);
        address[] memory ids = _poolOrder();
        assertEq(ids[0], t3, "new head");
        assertEq(ids[1], t2, "second");
        assertEq(ids[2], t1, "tail");
    }

    function test_transcoderWithHint_wrongHintsStillSorted() public {
        _fullPoolWithOutsider();
        vm.prank(owner);
        bm.setNumActiveTranscoders(3);
        // Wrong: t3 (1000) belongs after t2, not between nothing and t1.
        vm.prank(t3);
        bm.transcoderWithHint(100_000, 500_000, address(0), t1);
        address[] memory ids = _poolOrder();
        assertEq(ids[0], t1, "head");
        assertEq(ids[1], t2, "middle");
        assertEq(ids[2], t3, "tail");
    }

    function test_transcoderWithHint_nonMemberHintsStillSorted() public {
        _fullPoolWithOutsider();
        vm.prank(owner);
        bm.setNumActiveTranscoders(3);
        vm.prank(t3);
        bm.transcoderWithHint(100_000, 500_000, attacker, alice);
        address[] memory ids = _poolOrder();
        assertEq(ids.length, 3, "size");
        assertEq(ids[2], t3, "tail");
    }

    function testFuzz_transcoderWithHint_anyHintsKeepOrder(uint256 stake, uint8 prevIdx, uint8 nextIdx) public {
        vm.prank(owner);
        bm.setNumActiveTranscoders(3);
        _registerTranscoder(t1, 3000 ether, 0, 0);
        _registerTranscoder(t2, 2000 ether, 0, 0);
        _registerTranscoder(makeAddr("t4"), 1000 ether, 0, 0);
        stake = bound(stake, 1, 1000 ether);
        _bond(t3, stake, t3); // pool full and stake <= tail (1000): stays outside
        assertFalse(_inPool(t3), "outside while full");
        // Make room and join with arbitrary hints.
        vm.prank(owner);
        bm.setNumActiveTranscoders(4);
        address[5] memory candidates = [address(0), t1, t2, makeAddr("t4"), attacker];
        vm.prank(t3);
        bm.transcoderWithHint(0, 0, candidates[prevIdx % 5], candidates[nextIdx % 5]);
        address[] memory ids = _poolOrder();
        assertEq(ids.length, 4, "size");
        for (uint256 i = 1; i < ids.length; i++) {
            assertGe(bm.transcoderTotalStake(ids[i - 1]), bm.transcoderTotalStake(ids[i]), "descending");
        }
    }

    /* REVERTS */

    function test_transcoder_revertsIfRoundLocked() public {
        _bond(t1, 1000 ether, t1);
        vm.roll(roundsManager.currentRoundStartBlock() + 90); // first locked block (see above)
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundLocked.selector, round0));
        vm.prank(t1);
        bm.transcoder(100_000, 500_000);

        vm.roll(roundsManager.currentRoundStartBlock() + 99); // last block of the round
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundLocked.selector, round0));
        vm.prank(t1);
        bm.transcoder(100_000, 500_000);
    }

    function test_transcoder_revertsIfRewardCutAboveOne() public {
        _bond(t1, 1000 ether, t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.PercentageAboveOne.selector, 1e6 + 1));
        vm.prank(t1);
        bm.transcoder(1e6 + 1, 500_000);
    }

    function test_transcoder_revertsIfFeeShareAboveOne() public {
        _bond(t1, 1000 ether, t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.PercentageAboveOne.selector, 1e6 + 1));
        vm.prank(t1);
        bm.transcoder(500_000, 1e6 + 1);
    }

    function testFuzz_transcoder_revertsIfAnyPercentageAboveOne(uint256 cut, uint256 share) public {
        _bond(t1, 1000 ether, t1);
        cut = bound(cut, 1e6 + 1, type(uint256).max);
        share = bound(share, 0, 1e6);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.PercentageAboveOne.selector, cut));
        vm.prank(t1);
        bm.transcoder(cut, share);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.PercentageAboveOne.selector, cut));
        vm.prank(t1);
        bm.transcoder(share, cut);
    }

    function test_transcoder_revertsIfNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotRegistered.selector, alice));
        vm.prank(alice);
        bm.transcoder(100_000, 500_000);

        // A delegator of someone else is not registered either.
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 10 ether, t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotRegistered.selector, alice));
        vm.prank(alice);
        bm.transcoder(100_000, 500_000);
    }

    function test_transcoder_revertsIfActiveAndRewardNotCalled() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        uint256 round = _nextRound();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RewardNotCalledThisRound.selector, t1, round));
        vm.prank(t1);
        bm.transcoder(200_000, 500_000);

        // A reward in an earlier round does not count.
        _reward(t1);
        round = _nextRound();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RewardNotCalledThisRound.selector, t1, round));
        vm.prank(t1);
        bm.transcoder(200_000, 500_000);
    }

    function test_transcoder_revertsIfPaused() public {
        _bond(t1, 1000 ether, t1);
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(t1);
        bm.transcoder(100_000, 500_000);
    }

    function test_transcoder_revertsIfRoundNotInitialized() public {
        _bond(t1, 1000 ether, t1);
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, round0 + 1));
        vm.prank(t1);
        bm.transcoder(100_000, 500_000);
    }
}
