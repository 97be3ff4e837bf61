// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract BondTest is DelegatorTest {
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        // Pool: t2 (2000), t1 (1000); both active from the next round on.
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 2000 ether, 100_000, 500_000);
        round = _nextRound();
    }

    /* HAPPY PATHS */

    function test_bond_firstBondStartsNextRoundAndMovesTokensToMinter() public {
        _fund(alice, 500 ether);
        uint256 minterBefore = token.balanceOf(address(minter));

        vm.expectEmit(address(bm));
        emit IBondingManager.Bond(t1, address(0), alice, 500 ether, 500 ether);
        vm.prank(alice);
        bm.bond(500 ether, t1);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 500 ether, "bondedAmount");
        assertEq(d.fees, 0, "fees");
        assertEq(d.delegateAddress, t1, "delegate");
        assertEq(d.delegatedAmount, 0, "nobody delegates to alice");
        assertEq(d.startRound, round + 1, "startRound = current + 1");
        assertEq(d.lastClaimRound, round, "claimed up to now");
        assertEq(d.nextUnbondingLockId, 0, "no lock");
        assertEq(_status(alice), _pending(), "Pending this round");

        assertEq(_stake(t1), 1500 ether, "t1 stake 1000 + 500");
        assertEq(bm.nextRoundTotalActiveStake(), 3500 ether, "next total 3000 + 500");
        assertEq(bm.currentRoundTotalActiveStake(), 3000 ether, "current total unchanged");
        assertEq(token.balanceOf(alice), 0, "alice paid");
        assertEq(token.balanceOf(address(minter)), minterBefore + 500 ether, "Minter holds the bond");
        _assertPool(_pool2(t2, t1), "t2 2000 > t1 1500");

        _nextRound();
        assertEq(_status(alice), _bonded(), "Bonded next round");
    }

    function test_bond_toRegisteredTranscoderRaisesPoolKeyAndNextTotal() public {
        _bond(alice, 1500 ether, t1);
        // t1: 1000 + 1500 = 2500 > t2 2000: t1 moves to the head.
        _assertPool(_pool2(t1, t2), "t1 2500 heads the pool");
        assertEq(bm.getTranscoderPoolSize(), 2, "pool size");
        assertEq(bm.nextRoundTotalActiveStake(), 4500 ether, "3000 + 1500");
        (uint256 totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round + 1);
        assertEq(totalStake, 2500 ether, "next round's pool stake");
        (totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round);
        assertEq(totalStake, 1000 ether, "this round's pool stake frozen");
    }

    function test_bond_toUnregisteredAddressLeavesPoolAlone() public {
        _bond(alice, 500 ether, dave);
        assertEq(_stake(dave), 500 ether, "dave's delegatedAmount");
        assertFalse(bm.isRegisteredTranscoder(dave), "dave not registered");
        assertEq(bm.getTranscoderPoolSize(), 2, "pool size");
        assertEq(bm.nextRoundTotalActiveStake(), 3000 ether, "next total unchanged");
    }

    function test_bond_topUpToSameDelegate() public {
        _bond(alice, 500 ether, t1);
        _nextRound();
        _fund(alice, 300 ether);
        uint256 minterBefore = token.balanceOf(address(minter));

        vm.expectEmit(address(bm));
        emit IBondingManager.Bond(t1, t1, alice, 300 ether, 800 ether);
        vm.prank(alice);
        bm.bond(300 ether, t1);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 800 ether, "500 + 300");
        assertEq(d.delegateAddress, t1, "same delegate");
        assertEq(d.startRound, round + 1, "startRound kept (top-up does not restart the bond)");
        assertEq(_status(alice), _bonded(), "still Bonded");
        assertEq(_stake(t1), 1800 ether, "t1 1000 + 800");
        assertEq(bm.nextRoundTotalActiveStake(), 3800 ether, "3500 + 300");
        assertEq(token.balanceOf(address(minter)), minterBefore + 300 ether, "Minter +300");
        assertEq(token.balanceOf(alice), 0, "alice paid");
    }

    function test_bond_redelegationWithZeroAmountMovesWholeBond() public {
        _bond(alice, 1500 ether, t1); // t1 2500, t2 2000
        uint256 r = _nextRound();
        uint256 balanceBefore = token.balanceOf(address(minter));

        vm.expectEmit(address(bm));
        emit IBondingManager.Bond(t2, t1, alice, 0, 1500 ether);
        vm.prank(alice);
        bm.bond(0, t2);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 1500 ether, "bond unchanged");
        assertEq(d.delegateAddress, t2, "new delegate");
        assertEq(d.startRound, r + 1, "startRound reset to current + 1");
        assertEq(_status(alice), _pending(), "Pending again");
        assertEq(_stake(t1), 1000 ether, "old delegate 2500 - 1500");
        assertEq(_stake(t2), 3500 ether, "new delegate 2000 + 1500");
        assertEq(bm.nextRoundTotalActiveStake(), 4500 ether, "moved inside the pool: total unchanged");
        _assertPool(_pool2(t2, t1), "t2 3500 > t1 1000");
        assertEq(token.balanceOf(address(minter)), balanceBefore, "no LPT moved");
    }

    function test_bond_newDelegateWithExtraAmountMovesEverything() public {
        _bond(alice, 500 ether, t1);
        uint256 r = _nextRound();
        _fund(alice, 200 ether);

        vm.expectEmit(address(bm));
        emit IBondingManager.Bond(t2, t1, alice, 200 ether, 700 ether);
        vm.prank(alice);
        bm.bond(200 ether, t2);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 700 ether, "500 + 200");
        assertEq(d.delegateAddress, t2, "new delegate");
        assertEq(d.startRound, r + 1, "startRound reset");
        assertEq(_stake(t1), 1000 ether, "t1 1500 - 500");
        assertEq(_stake(t2), 2700 ether, "t2 2000 + 700");
        assertEq(bm.nextRoundTotalActiveStake(), 3700 ether, "3500 + 200 new tokens");
        assertEq(token.balanceOf(alice), 0, "alice paid the extra 200");
    }

    function test_bond_transcoderTopsUpItsSelfBond() public {
        _fund(t1, 100 ether);
        vm.expectEmit(address(bm));
        emit IBondingManager.Bond(t1, t1, t1, 100 ether, 1100 ether);
        vm.prank(t1);
        bm.bond(100 ether, t1);
        assertEq(_stake(t1), 1100 ether, "1000 + 100");
        assertEq(bm.nextRoundTotalActiveStake(), 3100 ether, "3000 + 100");
    }

    /* REVERTS */

    function test_bond_revertsIfRoundNotInitialized() public {
        _fund(alice, 100 ether);
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        vm.prank(alice);
        bm.bond(100 ether, t1);
    }

    function test_bond_revertsIfPaused() public {
        _fund(alice, 100 ether);
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(alice);
        bm.bond(100 ether, t1);
    }

    function test_bond_revertsIfToIsZeroAddress() public {
        _fund(alice, 100 ether);
        vm.expectRevert(IManager.ZeroAddress.selector);
        vm.prank(alice);
        bm.bond(100 ether, address(0));
    }

    function test_bond_revertsIfZeroDelegationAmount() public {
        vm.expectRevert(IBondingManager.ZeroDelegationAmount.selector);
        vm.prank(alice);
        bm.bond(0, t1);
    }

    function test_bond_revertsIfTranscoderDelegatesElsewhere() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderCannotDelegate.selector, t1));
        vm.prank(t1);
        bm.bond(0, t2);

        _fund(t1, 100 ether);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderCannotDelegate.selector, t1));
        vm.prank(t1);
        bm.bond(100 ether, t2);
    }

    function test_bond_revertsIfAllowanceInsufficient() public {
        vm.prank(owner);
        token.transfer(alice, 100 ether); // no approval
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(bm), 0, 100 ether)
        );
        vm.prank(alice);
        bm.bond(100 ether, t1);
    }

    function test_bond_revertsIfBalanceInsufficient() public {
        _fund(alice, 100 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 100 ether, 101 ether)
        );
        vm.prank(alice);
        bm.bond(101 ether, t1);
    }

    function testFuzz_bond_addsAmountToDelegateAndNextTotal(uint256 amount) public {
        amount = bound(amount, 1, 1_000_000 ether);
        _bond(alice, amount, t2);
        assertEq(_bondedAmount(alice), amount, "bonded");
        assertEq(_stake(t2), 2000 ether + amount, "t2 stake");
        assertEq(bm.nextRoundTotalActiveStake(), 3000 ether + amount, "next total");
    }
}
