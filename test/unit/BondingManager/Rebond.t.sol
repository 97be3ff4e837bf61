// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";

contract RebondTest is DelegatorTest {
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 2000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        round = _nextRound();
        vm.prank(alice);
        bm.unbond(400 ether);
        // alice: 600 bonded to t1, lock 0 = {400, round + 7}; t1 1600, t2 2000, next total 3600.
    }

    function test_rebond_returnsLockToCurrentDelegate() public {
        uint256 minterBefore = token.balanceOf(address(minter));
        vm.expectEmit(address(bm));
        emit IBondingManager.Rebond(t1, alice, 0, 400 ether);
        vm.prank(alice);
        bm.rebond(0);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 1000 ether, "600 + 400");
        assertEq(d.delegateAddress, t1, "same delegate");
        assertEq(d.startRound, round, "startRound kept");
        assertEq(d.nextUnbondingLockId, 1, "ids are not reused");
        (uint256 amount, uint256 withdrawRound) = _lock(alice, 0);
        assertEq(amount, 0, "lock amount deleted");
        assertEq(withdrawRound, 0, "lock round deleted");
        assertFalse(bm.isValidUnbondingLock(alice, 0), "lock invalid");
        assertEq(_stake(t1), 2000 ether, "t1 1600 + 400");
        assertEq(bm.nextRoundTotalActiveStake(), 4000 ether, "3600 + 400");
        assertEq(_status(alice), _bonded(), "Bonded");
        assertEq(token.balanceOf(address(minter)), minterBefore, "no LPT moved");
    }

    function test_rebond_worksWhilePending() public {
        vm.prank(alice);
        bm.bond(0, t2); // redelegation: Pending until next round; t1 1000, t2 2600
        assertEq(_status(alice), _pending(), "Pending");

        vm.expectEmit(address(bm));
        emit IBondingManager.Rebond(t2, alice, 0, 400 ether);
        vm.prank(alice);
        bm.rebond(0);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 1000 ether, "600 + 400");
        assertEq(d.delegateAddress, t2, "current delegate t2");
        assertEq(d.startRound, round + 1, "still starts next round");
        assertEq(_stake(t2), 3000 ether, "t2 2600 + 400");
        assertEq(_stake(t1), 1000 ether, "t1 keeps its own 1000");
        assertEq(_status(alice), _pending(), "still Pending");
    }

    function test_rebondWithHint_movesDelegateUpWithCorrectOrWrongHints() public {
        _bond(bob, 300 ether, t1); // t1 1600 + 300 = 1900 < t2 2000
        _assertPool(_pool2(t2, t1), "t2 2000 > t1 1900");
        // Rebonding 400 lifts t1 to 2300: new head, next is t2.
        address[2][3] memory hints = [[address(0), t2], [t2, address(0)], [address(0), address(0)]];
        for (uint256 i; i < 3; ++i) {
            uint256 snap = vm.snapshotState();
            vm.prank(alice);
            bm.rebondWithHint(0, hints[i][0], hints[i][1]);
            _assertPool(_pool2(t1, t2), "t1 2300 > t2 2000");
            assertEq(_stake(t1), 2300 ether, "1900 + 400");
            assertEq(bm.nextRoundTotalActiveStake(), 4300 ether, "3600 + 300 + 400");
            vm.revertToState(snap);
        }
    }

    /* REVERTS */

    function test_rebond_revertsIfDelegatorUnbonded() public {
        vm.prank(alice);
        bm.unbond(600 ether);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.DelegatorUnbonded.selector, alice));
        vm.prank(alice);
        bm.rebond(0);
    }

    function test_rebond_revertsIfLockNeverCreated() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, alice, 1));
        vm.prank(alice);
        bm.rebond(1);
    }

    function test_rebond_revertsIfLockAlreadyUsed() public {
        vm.startPrank(alice);
        bm.rebond(0);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, alice, 0));
        bm.rebond(0);
        vm.stopPrank();
    }

    function test_rebond_revertsIfLockOfAnotherDelegator() public {
        _bond(bob, 100 ether, t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, bob, 0));
        vm.prank(bob);
        bm.rebond(0);
    }

    function test_rebond_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(alice);
        bm.rebond(0);
    }

    function test_rebond_revertsIfRoundNotInitialized() public {
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        vm.prank(alice);
        bm.rebond(0);
    }
}
