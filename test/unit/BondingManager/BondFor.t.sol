// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract BondForTest is DelegatorTest {
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 2000 ether, 100_000, 500_000);
        _bond(alice, 500 ether, t1); // alice: Bonded from the next round, lastClaimRound = this round
        round = _nextRound(); // t1, t2 active; alice has one unclaimed round; t1 has not rewarded yet
        _fund(bob, 1000 ether); // bob is the third party and pays
    }

    function _bondFor(address caller, uint256 amount, address owner_, address to) internal {
        vm.prank(caller);
        bm.bondForWithHint(amount, owner_, to, address(0), address(0), address(0), address(0));
    }

    /* HAPPY PATHS */

    function test_bondForWithHint_addsStakeToOwnersExistingDelegate() public {
        _reward(t1); // lifts the griefing guard
        uint256 pending = _pendingStake(alice); // 500 plus this round's reward share
        uint256 t1Stake = _stake(t1);
        uint256 nextTotal = bm.nextRoundTotalActiveStake();
        uint256 minterBefore = token.balanceOf(address(minter));

        vm.expectEmit(address(bm));
        emit IBondingManager.Bond(t1, t1, alice, 300 ether, pending + 300 ether);
        _bondFor(bob, 300 ether, alice, t1);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, pending + 300 ether, "claimed stake + 300");
        assertEq(d.delegateAddress, t1, "delegate unchanged");
        assertEq(d.startRound, round, "startRound unchanged");
        assertEq(d.lastClaimRound, round, "claimed");
        assertEq(_stake(t1), t1Stake + 300 ether, "t1 +300");
        assertEq(bm.nextRoundTotalActiveStake(), nextTotal + 300 ether, "next total +300");
        assertEq(token.balanceOf(bob), 700 ether, "the caller pays: 1000 - 300");
        assertEq(token.balanceOf(alice), 0, "the owner pays nothing");
        assertEq(token.balanceOf(address(minter)), minterBefore + 300 ether, "Minter +300");
    }

    function test_bondForWithHint_bondsUnbondedOwnerToAnotherDelegate() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.Bond(t2, address(0), carol, 300 ether, 300 ether);
        _bondFor(bob, 300 ether, carol, t2);

        DelegatorView memory d = _del(carol);
        assertEq(d.bondedAmount, 300 ether, "bonded");
        assertEq(d.delegateAddress, t2, "delegate");
        assertEq(d.startRound, round + 1, "starts next round");
        assertEq(_stake(t2), 2300 ether, "t2 2000 + 300");
        assertEq(token.balanceOf(bob), 700 ether, "bob paid");
        assertEq(token.balanceOf(carol), 0, "carol paid nothing");
    }

    function test_bondForWithHint_allowedOnceTranscoderRewarded() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.ClaimBeforeReward.selector, alice, t1));
        _bondFor(bob, 100 ether, alice, t1);

        _reward(t1);
        uint256 pending = _pendingStake(alice);
        _bondFor(bob, 100 ether, alice, t1);
        assertEq(_bondedAmount(alice), pending + 100 ether, "added after the reward");
    }

    function test_bondForWithHint_ownerIsNeverBlocked() public {
        _fund(alice, 200 ether);
        // t1 active, not rewarded, alice has an unclaimed round: still fine for alice herself.
        _bondFor(alice, 100 ether, alice, t1);
        vm.prank(alice);
        bm.bond(100 ether, t1);
        assertEq(_bondedAmount(alice), 700 ether, "500 + 100 + 100 (no rewards yet)");
    }

    function test_bondForWithHint_allowedIfOwnerHasNoUnclaimedRounds() public {
        vm.prank(alice);
        bm.claimEarnings(0);
        _bondFor(bob, 100 ether, alice, t1);
        assertEq(_bondedAmount(alice), 600 ether, "500 + 100");
    }

    function test_bondForWithHint_allowedIfDelegateNotActive() public {
        _bond(carol, 100 ether, dave); // dave is not a transcoder
        _nextRound();
        _bondFor(bob, 50 ether, carol, dave);
        assertEq(_bondedAmount(carol), 150 ether, "100 + 50");
        assertEq(_stake(dave), 150 ether, "dave 150");
    }

    /* REVERTS */

    function test_bondForWithHint_revertsIfThirdPartySelfDelegatesUnbondedOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InvalidDelegate.selector, carol, carol));
        _bondFor(bob, 100 ether, carol, carol);
    }

    function test_bondForWithHint_revertsIfThirdPartyChangesDelegate() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InvalidDelegate.selector, alice, t2));
        _bondFor(bob, 100 ether, alice, t2);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InvalidDelegate.selector, alice, t2));
        _bondFor(bob, 0, alice, t2);
    }

    function test_bondForWithHint_revertsIfOwnerIsZeroAddress() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        _bondFor(bob, 100 ether, address(0), t1);
    }

    function test_bondForWithHint_revertsIfToIsZeroAddress() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        _bondFor(bob, 100 ether, carol, address(0));
    }

    function test_bondForWithHint_revertsIfClaimBeforeReward() public {
        assertTrue(bm.isActiveTranscoder(t1), "t1 active");
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.ClaimBeforeReward.selector, alice, t1));
        _bondFor(bob, 100 ether, alice, t1);
    }

    function test_bondForWithHint_revertsIfCallerHasNoAllowance() public {
        address payer = makeAddr("payer");
        vm.prank(owner);
        token.transfer(payer, 100 ether); // no approval
        vm.expectRevert(
            abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, address(bm), 0, 100 ether)
        );
        _bondFor(payer, 100 ether, carol, t1);
    }

    function test_bondForWithHint_revertsIfCallerBalanceInsufficient() public {
        // alice has approved but holds nothing: the caller's balance is what counts.
        vm.prank(alice);
        token.approve(address(bm), type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 0, 100 ether));
        _bondFor(alice, 100 ether, carol, t1);
    }

    function test_bondForWithHint_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        _bondFor(bob, 100 ether, carol, t1);
    }

    function test_bondForWithHint_revertsIfRoundNotInitialized() public {
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        _bondFor(bob, 100 ether, carol, t1);
    }

    function test_bondForWithHint_revertsIfZeroDelegationAmount() public {
        vm.expectRevert(IBondingManager.ZeroDelegationAmount.selector);
        _bondFor(bob, 0, carol, t1);
    }
}
