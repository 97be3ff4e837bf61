// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";

contract TransferBondTest is DelegatorTest {
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 2000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        _bond(bob, 500 ether, t2);
        // t1 2000, t2 2500, next total 4500; alice and bob Bonded with one unclaimed round each.
        round = _nextRound();
    }

    function _transfer(address from, address to, uint256 amount) internal {
        vm.prank(from);
        bm.transferBond(to, amount, address(0), address(0), address(0), address(0));
    }

    /* HAPPY PATHS */

    function test_transferBond_toUnbondedReceiverTakesSendersDelegate() public {
        vm.prank(alice);
        bm.unbond(100 ether); // alice's lock 0: the transfer goes through her lock 1
        uint256 minterBefore = token.balanceOf(address(minter));

        vm.expectEmit(address(bm));
        emit IBondingManager.Unbond(t1, alice, 1, 400 ether, round + UNBONDING_PERIOD);
        vm.expectEmit(address(bm));
        emit IBondingManager.TransferBond(alice, carol, 1, 0, 400 ether);
        vm.expectEmit(address(bm));
        emit IBondingManager.Rebond(t1, carol, 0, 400 ether);
        _transfer(alice, carol, 400 ether);

        DelegatorView memory a = _del(alice);
        assertEq(a.bondedAmount, 500 ether, "alice 1000 - 100 - 400");
        assertEq(a.delegateAddress, t1, "alice keeps t1");
        assertEq(a.nextUnbondingLockId, 2, "alice used locks 0 and 1");
        assertFalse(bm.isValidUnbondingLock(alice, 1), "alice's transfer lock moved away");
        assertTrue(bm.isValidUnbondingLock(alice, 0), "alice's own lock untouched");

        DelegatorView memory c = _del(carol);
        assertEq(c.bondedAmount, 400 ether, "carol received 400");
        assertEq(c.delegateAddress, t1, "carol takes alice's delegate");
        assertEq(c.startRound, round + 1, "carol starts next round");
        assertEq(c.lastClaimRound, round, "carol claimed up to now");
        assertEq(c.nextUnbondingLockId, 1, "carol's lock 0 was used and consumed");
        assertFalse(bm.isValidUnbondingLock(carol, 0), "carol's lock rebonded");
        assertEq(_status(carol), _pending(), "carol Pending");

        assertEq(_stake(t1), 1900 ether, "t1 2000 - 100 (the transfer nets out)");
        assertEq(bm.nextRoundTotalActiveStake(), 4400 ether, "4500 - 100");
        assertEq(token.balanceOf(address(minter)), minterBefore, "no LPT moved");
        assertEq(token.balanceOf(carol), 0, "carol paid nothing");
    }

    function test_transferBond_toBondedReceiverGoesToReceiversDelegate() public {
        vm.prank(bob);
        bm.claimEarnings(0); // bob has no unclaimed round: no griefing guard

        vm.expectEmit(address(bm));
        emit IBondingManager.TransferBond(alice, bob, 0, 0, 400 ether);
        vm.expectEmit(address(bm));
        emit IBondingManager.Rebond(t2, bob, 0, 400 ether);
        _transfer(alice, bob, 400 ether);

        DelegatorView memory b = _del(bob);
        assertEq(b.bondedAmount, 900 ether, "bob 500 + 400");
        assertEq(b.delegateAddress, t2, "bob keeps t2");
        assertEq(b.startRound, round, "bob's bond keeps its start");
        assertEq(_status(bob), _bonded(), "bob Bonded");
        assertEq(_bondedAmount(alice), 600 ether, "alice 1000 - 400");
        assertEq(_stake(t1), 1600 ether, "t1 2000 - 400");
        assertEq(_stake(t2), 2900 ether, "t2 2500 + 400");
        assertEq(bm.nextRoundTotalActiveStake(), 4500 ether, "moved inside the pool");
    }

    function test_transferBond_toBondedReceiverAfterDelegateRewarded() public {
        _reward(t2);
        uint256 bobPending = _pendingStake(bob);
        _transfer(alice, bob, 400 ether);
        assertEq(_bondedAmount(bob), bobPending + 400 ether, "claimed stake + 400");
    }

    function test_transferBond_wholeBondUnbondsSender() public {
        _transfer(alice, carol, 1000 ether);
        DelegatorView memory a = _del(alice);
        assertEq(a.bondedAmount, 0, "alice empty");
        assertEq(a.delegateAddress, address(0), "alice's delegate cleared");
        assertEq(_status(alice), _unbonded(), "alice Unbonded");
        assertEq(_del(carol).delegateAddress, t1, "carol takes t1");
        assertEq(_bondedAmount(carol), 1000 ether, "carol 1000");
        assertEq(_stake(t1), 2000 ether, "t1 unchanged");
    }

    function testFuzz_transferBond_conservesBondedStake(uint256 amount, bool bondedReceiver) public {
        amount = bound(amount, 1, 1000 ether);
        address receiver = bondedReceiver ? bob : carol;
        vm.prank(bob);
        bm.claimEarnings(0);
        uint256 sumBefore = _bondedAmount(alice) + _bondedAmount(receiver);
        uint256 stakeBefore = _stake(t1) + _stake(t2);
        _transfer(alice, receiver, amount);
        assertEq(_bondedAmount(alice) + _bondedAmount(receiver), sumBefore, "bonded sum conserved");
        assertEq(_stake(t1) + _stake(t2), stakeBefore, "delegated sum conserved");
        assertEq(bm.nextRoundTotalActiveStake(), 4500 ether, "next total conserved");
    }

    /* REVERTS */

    function test_transferBond_revertsIfReceiverIsZeroAddress() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        _transfer(alice, address(0), 100 ether);
    }

    function test_transferBond_revertsIfTransferToSelf() public {
        vm.expectRevert(IBondingManager.TransferToSelf.selector);
        _transfer(alice, alice, 100 ether);
    }

    function test_transferBond_revertsIfUnbondedReceiverIsSendersDelegate() public {
        _bond(carol, 300 ether, dave); // dave: a delegate with no bond of its own
        _nextRound();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InvalidDelegate.selector, dave, dave));
        _transfer(carol, dave, 100 ether);
    }

    function test_transferBond_revertsIfClaimBeforeReward() public {
        assertTrue(bm.isActiveTranscoder(t2), "t2 active");
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.ClaimBeforeReward.selector, bob, t2));
        _transfer(alice, bob, 400 ether);
    }

    function test_transferBond_revertsIfSenderUnbonded() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.DelegatorNotBonded.selector, carol));
        _transfer(carol, alice, 100 ether);
    }

    function test_transferBond_revertsIfSenderPending() public {
        _bond(carol, 100 ether, t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.DelegatorNotBonded.selector, carol));
        _transfer(carol, dave, 100 ether);
    }

    function test_transferBond_revertsIfZeroAmount() public {
        vm.expectRevert(IBondingManager.ZeroAmount.selector);
        _transfer(alice, carol, 0);
    }

    function test_transferBond_revertsIfAmountExceedsBond() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnbondExceedsBonded.selector, 1001 ether, 1000 ether));
        _transfer(alice, carol, 1001 ether);
    }

    function test_transferBond_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        _transfer(alice, carol, 100 ether);
    }

    function test_transferBond_revertsIfRoundNotInitialized() public {
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        _transfer(alice, carol, 100 ether);
    }
}
