// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";

contract WithdrawStakeTest is DelegatorTest {
    uint256 internal round;
    uint256 internal withdrawRound;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        round = _nextRound();
        vm.prank(alice);
        bm.unbond(400 ether); // lock 0 = {400, round + 7}
        withdrawRound = round + UNBONDING_PERIOD;
    }

    function _rounds(uint256 n) internal {
        for (uint256 i; i < n; ++i) {
            _nextRound();
        }
    }

    function test_withdrawStake_returnsTokensAfterUnbondingPeriod() public {
        _rounds(UNBONDING_PERIOD);
        assertEq(_round(), withdrawRound, "at withdrawRound");
        uint256 minterBefore = token.balanceOf(address(minter));

        vm.expectEmit(address(bm));
        emit IBondingManager.WithdrawStake(alice, 0, 400 ether, withdrawRound);
        vm.prank(alice);
        bm.withdrawStake(0);

        assertEq(token.balanceOf(alice), 400 ether, "alice got the lock back");
        assertEq(token.balanceOf(address(minter)), minterBefore - 400 ether, "out of the Minter");
        (uint256 amount, uint256 wr) = _lock(alice, 0);
        assertEq(amount, 0, "lock amount deleted");
        assertEq(wr, 0, "lock round deleted");
        assertFalse(bm.isValidUnbondingLock(alice, 0), "lock gone");
        assertEq(_bondedAmount(alice), 600 ether, "the rest stays bonded");
        assertEq(_stake(t1), 1600 ether, "t1 2000 - 400");
    }

    function test_withdrawStake_worksLongAfterAndWhenUnbonded() public {
        vm.prank(alice);
        bm.unbond(600 ether); // lock 1, alice Unbonded
        _rounds(UNBONDING_PERIOD + 3);
        vm.startPrank(alice);
        bm.withdrawStake(1);
        bm.withdrawStake(0);
        vm.stopPrank();
        assertEq(token.balanceOf(alice), 1000 ether, "400 + 600");
        assertEq(_status(alice), _unbonded(), "Unbonded");
    }

    /* REVERTS */

    function test_withdrawStake_revertsOneRoundEarly() public {
        _rounds(UNBONDING_PERIOD - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IBondingManager.UnbondingLockNotWithdrawable.selector, 0, withdrawRound, withdrawRound - 1
            )
        );
        vm.prank(alice);
        bm.withdrawStake(0);
    }

    function test_withdrawStake_revertsInTheUnbondRound() public {
        vm.expectRevert(
            abi.encodeWithSelector(IBondingManager.UnbondingLockNotWithdrawable.selector, 0, withdrawRound, round)
        );
        vm.prank(alice);
        bm.withdrawStake(0);
    }

    function test_withdrawStake_revertsIfUnknownLock() public {
        _rounds(UNBONDING_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, alice, 1));
        vm.prank(alice);
        bm.withdrawStake(1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, bob, 0));
        vm.prank(bob);
        bm.withdrawStake(0);
    }

    function test_withdrawStake_revertsIfAlreadyWithdrawn() public {
        _rounds(UNBONDING_PERIOD);
        vm.startPrank(alice);
        bm.withdrawStake(0);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, alice, 0));
        bm.withdrawStake(0);
        vm.stopPrank();
    }

    function test_withdrawStake_revertsIfRebonded() public {
        vm.prank(alice);
        bm.rebond(0);
        _rounds(UNBONDING_PERIOD);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, alice, 0));
        vm.prank(alice);
        bm.withdrawStake(0);
    }

    function test_withdrawStake_revertsIfPaused() public {
        _rounds(UNBONDING_PERIOD);
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(alice);
        bm.withdrawStake(0);
    }

    function test_withdrawStake_revertsIfRoundNotInitialized() public {
        _rounds(UNBONDING_PERIOD);
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        vm.prank(alice);
        bm.withdrawStake(0);
    }
}
