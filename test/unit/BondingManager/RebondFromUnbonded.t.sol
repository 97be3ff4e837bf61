// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";

contract RebondFromUnbondedTest is DelegatorTest {
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _registerTranscoder(t2, 2000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        round = _nextRound();
        vm.prank(alice);
        bm.unbond(1000 ether);
        // alice: Unbonded with lock 0 = {1000, round + 7}; t1 1000, t2 2000, next total 3000.
    }

    function _crf(address t, uint256 r) internal view returns (uint256 crf) {
        (,,, crf,) = bm.getTranscoderEarningsPoolForRound(t, r);
    }

    function _cff(address t, uint256 r) internal view returns (uint256 cff) {
        (,,,, cff) = bm.getTranscoderEarningsPoolForRound(t, r);
    }

    /* HAPPY PATHS */

    function test_rebondFromUnbonded_bondsLockToChosenDelegate() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.Rebond(t2, alice, 0, 1000 ether);
        vm.prank(alice);
        bm.rebondFromUnbonded(t2, 0);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, 1000 ether, "lock amount bonded");
        assertEq(d.delegateAddress, t2, "chosen delegate");
        assertEq(d.startRound, round + 1, "starts next round");
        assertEq(d.lastClaimRound, round, "claimed up to now");
        assertEq(d.nextUnbondingLockId, 1, "ids are not reused");
        assertEq(_status(alice), _pending(), "Pending");
        assertFalse(bm.isValidUnbondingLock(alice, 0), "lock consumed");
        assertEq(_stake(t2), 3000 ether, "t2 2000 + 1000");
        assertEq(_stake(t1), 1000 ether, "t1 unchanged");
        assertEq(bm.nextRoundTotalActiveStake(), 4000 ether, "3000 + 1000");
        _assertPool(_pool2(t2, t1), "t2 3000 > t1 1000");
        _nextRound();
        assertEq(_status(alice), _bonded(), "Bonded next round");
    }

    function test_rebondFromUnbondedWithHint_liftsDelegate() public {
        // t1 would tie t2 at 2000 after the rebond: 1 wei from bob breaks the tie (t1 1000 + 1 wei + 1000).
        _bond(bob, 1, t1);
        vm.prank(alice);
        bm.rebondFromUnbondedWithHint(t1, 0, address(0), t2);
        _assertPool(_pool2(t1, t2), "t1 2000+1wei > t2 2000");
        assertEq(_stake(t1), 2000 ether + 1, "1000 + 1 wei + 1000");
    }

    /// @dev REGRESSION: the delegate's pool for the current round must start from its latest reward
    /// and fee factors, or a later claim would read an empty start pool (factor 1) and pay the
    /// delegator every reward and fee the delegate earned before the bond.
    function test_rebondFromUnbonded_doesNotEarnRewardsFromBeforeTheBond() public {
        _reward(t2); // round
        _payFees(t2, 1 ether);
        _nextRound();
        _reward(t2); // round + 1
        _payFees(t2, 1 ether);
        uint256 r = _nextRound(); // round + 2: t2 has not rewarded yet
        uint256 lastCrf = _crf(t2, r - 1);
        assertGt(lastCrf, 1e27, "t2 has a reward history");

        vm.prank(alice);
        bm.rebondFromUnbonded(t2, 0);
        assertEq(_crf(t2, r), lastCrf, "current round's reward factor initialised from the last reward");
        assertEq(_cff(t2, r), _cff(t2, r - 1), "current round's fee factor initialised from the last fees");
        assertEq(_pendingStake(alice), 1000 ether, "nothing earned yet");

        _nextRound(); // round + 3, t2 has not rewarded
        assertEq(_pendingStake(alice), 1000 ether, "no rewards from before the bond");
        assertEq(_pendingFees(alice), 0, "no fees from before the bond");

        uint256 stakeBefore = _stake(t2);
        _reward(t2);
        uint256 r3 = _round();
        // Alice's share of this round: 1000 * CRF[r3] / CRF[r - 1] (the factor she started from).
        uint256 expected = 1000 ether * (_crf(t2, r3) * 1e27 / lastCrf) / 1e27;
        assertEq(_pendingStake(alice), expected, "earns from her start round on");
        // Cross-check: 1000 / poolStake of the delegators' part (90%) of the reward.
        uint256 minted = _stake(t2) - stakeBefore;
        uint256 delegatorsRewards = minted - minted * 100_000 / 1e6;
        (uint256 poolStake,,,,) = bm.getTranscoderEarningsPoolForRound(t2, r3);
        assertApproxEqAbs(
            _pendingStake(alice), 1000 ether + delegatorsRewards * 1000 ether / poolStake, 1e9, "pro-rata share"
        );
        vm.prank(alice);
        bm.claimEarnings(0);
        assertEq(_bondedAmount(alice), expected, "claimed the same");
    }

    /// @dev Same regression when the delegate rewards in the very round of the rebond: that round's
    /// reward is shared over the stake without alice's, so she earns none of it.
    function test_rebondFromUnbonded_doesNotEarnRewardOfItsOwnRound() public {
        _reward(t2);
        uint256 r = _nextRound();
        uint256 stakeAtRoundStart = _stake(t2); // 2000 + last round's reward
        vm.prank(alice);
        bm.rebondFromUnbonded(t2, 0);
        _reward(t2); // after alice's rebond, same round
        (uint256 poolStake,,,,) = bm.getTranscoderEarningsPoolForRound(t2, r);
        assertEq(poolStake, stakeAtRoundStart, "the round's reward is shared over the stake without alice's");
        assertGt(_crf(t2, r), _crf(t2, r - 1), "t2 rewarded in the rebond round");
        _nextRound();
        assertEq(_pendingStake(alice), 1000 ether, "no share of the reward of the rebond round");
    }

    /* REVERTS */

    function test_rebondFromUnbonded_revertsIfDelegatorNotUnbonded() public {
        _bond(bob, 100 ether, t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.DelegatorNotUnbonded.selector, bob));
        vm.prank(bob);
        bm.rebondFromUnbonded(t2, 0);
    }

    function test_rebondFromUnbonded_revertsIfToIsZeroAddress() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        vm.prank(alice);
        bm.rebondFromUnbonded(address(0), 0);
    }

    function test_rebondFromUnbonded_revertsIfLockNeverCreated() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, alice, 1));
        vm.prank(alice);
        bm.rebondFromUnbonded(t2, 1);
    }

    function test_rebondFromUnbonded_revertsIfLockWithdrawn() public {
        for (uint256 i; i < UNBONDING_PERIOD; ++i) {
            _nextRound();
        }
        vm.startPrank(alice);
        bm.withdrawStake(0);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.UnknownUnbondingLock.selector, alice, 0));
        bm.rebondFromUnbonded(t2, 0);
        vm.stopPrank();
    }

    function test_rebondFromUnbonded_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(alice);
        bm.rebondFromUnbonded(t2, 0);
    }

    function test_rebondFromUnbonded_revertsIfRoundNotInitialized() public {
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        vm.prank(alice);
        bm.rebondFromUnbonded(t2, 0);
    }
}
