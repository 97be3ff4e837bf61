// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";

contract UnbondTest is DelegatorTest {
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 2000 ether, 100_000, 500_000);
        _bond(alice, 1500 ether, t1);
        // Pool: t1 2500, t2 2000; next total 4500; alice Bonded.
        round = _nextRound();
    }

    /* HAPPY PATHS */

    function test_unbond_partialCreatesLock() public {
        uint256 withdrawRound = round + UNBONDING_PERIOD;
        vm.expectEmit(address(bm));
        emit IBondingManager.Unbond(t1, alice, 0, 600 ether, withdrawRound);
        vm.prank(alice);
        bm.unbond(600 ether);

        (uint256 amount, uint256 wr) = _lock(alice, 0);
        assertEq(amount, 600 ether, "lock amount");
        assertEq(wr, withdrawRound, "withdrawRound = current + 7");
        assertTrue(bm.isValidUnbondingLock(alice, 0), "lock valid");
        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 900 ether, "1500 - 600");
        assertEq(d.delegateAddress, t1, "still delegated");
        assertEq(d.startRound, round, "startRound kept");
        assertEq(d.nextUnbondingLockId, 1, "next lock id");
        assertEq(_status(alice), _bonded(), "still Bonded");
        assertEq(_stake(t1), 1900 ether, "t1 2500 - 600");
        assertEq(bm.nextRoundTotalActiveStake(), 3900 ether, "4500 - 600");
        _assertPool(_pool2(t2, t1), "t2 2000 > t1 1900");
    }

    function test_unbond_secondLockTakesNextId() public {
        vm.startPrank(alice);
        bm.unbond(100 ether);
        vm.expectEmit(address(bm));
        emit IBondingManager.Unbond(t1, alice, 1, 200 ether, round + UNBONDING_PERIOD);
        bm.unbond(200 ether);
        vm.stopPrank();
        (uint256 amount,) = _lock(alice, 1);
        assertEq(amount, 200 ether, "lock 1");
        assertEq(_del(alice).nextUnbondingLockId, 2, "next id");
        assertEq(_bondedAmount(alice), 1200 ether, "1500 - 100 - 200");
    }

    function test_unbond_fullClearsDelegation() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.Unbond(t1, alice, 0, 1500 ether, round + UNBONDING_PERIOD);
        vm.prank(alice);
        bm.unbond(1500 ether);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 0, "nothing bonded");
        assertEq(d.delegateAddress, address(0), "delegate cleared");
        assertEq(d.startRound, 0, "startRound cleared");
        assertEq(_status(alice), _unbonded(), "Unbonded");
        assertEq(_stake(t1), 1000 ether, "t1 2500 - 1500");
        assertEq(bm.nextRoundTotalActiveStake(), 3000 ether, "4500 - 1500");
        assertTrue(bm.isActiveTranscoder(t1), "t1 not affected");
    }

    function test_unbond_fullSelfUnbondResignsTranscoder() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.TranscoderDeactivated(t1, round + 1);
        vm.expectEmit(address(bm));
        emit IBondingManager.Unbond(t1, t1, 0, 1000 ether, round + UNBONDING_PERIOD);
        vm.prank(t1);
        bm.unbond(1000 ether);

        assertFalse(bm.isRegisteredTranscoder(t1), "no longer registered");
        assertEq(bm.getTranscoderPoolSize(), 1, "pool size 2 -> 1");
        assertEq(bm.getFirstTranscoderInPool(), t2, "only t2 left");
        // The whole pool stake of t1 (1000 own + 1500 alice's) leaves the next round's total.
        assertEq(bm.nextRoundTotalActiveStake(), 2000 ether, "4500 - 2500");
        assertEq(_stake(t1), 1500 ether, "alice's stake still points at t1");
        (,,,,, uint256 deactivationRound,,,,) = bm.getTranscoder(t1);
        assertEq(deactivationRound, round + 1, "deactivation next round");
        assertTrue(bm.isActiveTranscoder(t1), "still active this round");
        assertEq(bm.currentRoundTotalActiveStake(), 4500 ether, "this round's total unchanged");
        _nextRound();
        assertFalse(bm.isActiveTranscoder(t1), "inactive next round");
        assertEq(bm.currentRoundTotalActiveStake(), 2000 ether, "next round's total");
    }

    /// @dev Commission folded on full unbond: t1 claimed this round (a bond to itself), then earned
    /// its commission by reward; unbonding the bond it had before that resigns it with the commission
    /// in the lock, instead of leaving it registered with the commission alone.
    function test_unbond_wholeBondAfterSameRoundClaimTakesTheFoldedCommission() public {
        _bond(t1, 10 ether, t1); // claims round `round`
        uint256 bonded = _bondedAmount(t1);
        _reward(t1);
        uint256 pending = _pendingStake(t1);
        assertGt(pending, bonded, "commission earned after the claim");

        vm.expectEmit(address(bm));
        emit IBondingManager.Unbond(t1, t1, 0, pending, round + UNBONDING_PERIOD);
        vm.prank(t1);
        bm.unbond(bonded);
        assertFalse(bm.isRegisteredTranscoder(t1), "resigned");
        assertEq(_bondedAmount(t1), 0, "nothing left bonded");
        (uint256 amount,) = _lock(t1, 0);
        assertEq(amount, pending, "the lock holds the commission too");
    }

    /// @dev The fold applies only to the whole bond: a smaller amount is a plain partial unbond.
    function test_unbond_partialAfterSameRoundClaimKeepsTheCommissionBonded() public {
        _bond(t1, 10 ether, t1);
        uint256 bonded = _bondedAmount(t1);
        _reward(t1);
        uint256 pending = _pendingStake(t1);
        vm.prank(t1);
        bm.unbond(bonded - 1);
        assertTrue(bm.isRegisteredTranscoder(t1), "still registered");
        assertEq(_bondedAmount(t1), pending - bonded + 1, "commission and 1 wei stay bonded");
    }

    function test_unbond_partialSelfUnbondKeepsTranscoderInPool() public {
        vm.prank(t1);
        bm.unbond(400 ether);
        assertTrue(bm.isRegisteredTranscoder(t1), "still registered");
        assertEq(bm.getTranscoderPoolSize(), 2, "pool size");
        _assertPool(_pool2(t1, t2), "t1 2100 > t2 2000");
        assertEq(bm.nextRoundTotalActiveStake(), 4100 ether, "4500 - 400");
    }

    function test_unbondWithHint_hintsDoNotChangeOrder() public {
        address t3 = makeAddr("t3");
        address t4 = makeAddr("t4");
        _registerTranscoder(t3, 500 ether, 0, 0);
        _registerTranscoder(t4, 4000 ether, 0, 0);
        _bond(carol, 3000 ether, t3);
        _nextRound();
        // Pool: t4 4000, t3 3500, t1 2500, t2 2000. carol unbonds 1300: t3 -> 2200, between t1 and t2.
        address[] memory expected = new address[](4);
        (expected[0], expected[1], expected[2], expected[3]) = (t4, t1, t3, t2);

        address[2][3] memory hints = [[t1, t2], [t2, t4], [address(0), address(0)]];
        string[3] memory names = ["correct hint", "wrong hint", "zero hint"];
        for (uint256 i; i < 3; ++i) {
            uint256 snap = vm.snapshotState();
            vm.prank(carol);
            bm.unbondWithHint(1300 ether, hints[i][0], hints[i][1]);
            _assertPool(expected, names[i]);
            assertEq(_stake(t3), 2200 ether, "t3 3500 - 1300");
            assertEq(bm.nextRoundTotalActiveStake(), 10_700 ether, "(4000 + 3500 + 2500 + 2000) - 1300");
            vm.revertToState(snap);
        }
    }

    /* REVERTS */

    function test_unbond_revertsIfUnbonded() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.DelegatorNotBonded.selector, carol));
        vm.prank(carol);
        bm.unbond(1);
    }

    function test_unbond_revertsIfPending() public {
        _bond(carol, 100 ether, t1); // bonded this round: starts next round
        assertEq(_status(carol), _pending(), "Pending");
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.DelegatorNotBonded.selector, carol));
        vm.prank(carol);
        bm.unbond(100 ether);
    }

    function test_unbond_revertsIfPendingAfterRedelegation() public {
        vm.prank(alice);
        bm.bond(0, t2);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.DelegatorNotBonded.selector, alice));
        vm.prank(alice);
        bm.unbond(100 ether);
    }

    function test_unbond_revertsIfZeroAmount() public {
        vm.expectRevert(IBondingManager.ZeroAmount.selector);
        vm.prank(alice);
        bm.unbond(0);
    }

    function test_unbond_revertsIfExceedsBonded() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnbondExceedsBonded.selector, 1501 ether, 1500 ether));
        vm.prank(alice);
        bm.unbond(1501 ether);
    }

    function test_unbond_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(alice);
        bm.unbond(100 ether);
    }

    function test_unbond_revertsIfRoundNotInitialized() public {
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        vm.prank(alice);
        bm.unbond(100 ether);
    }

    function testFuzz_unbond_conservesStake(uint256 amount) public {
        amount = bound(amount, 1, 1500 ether);
        vm.prank(alice);
        bm.unbond(amount);
        (uint256 locked,) = _lock(alice, 0);
        assertEq(_bondedAmount(alice) + locked, 1500 ether, "bonded + locked");
        assertEq(_stake(t1), 2500 ether - amount, "t1 stake");
        assertEq(bm.nextRoundTotalActiveStake(), 4500 ether - amount, "next total");
    }
}
