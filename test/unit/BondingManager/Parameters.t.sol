// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../../contracts/BondingManager.sol";
import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {IERC1967} from "@openzeppelin/contracts/interfaces/IERC1967.sol";

/// @notice Next version used to prove that the BondingManager's state survives an upgrade.
contract BondingManagerV2 is BondingManager {
    constructor(address token, address votes, address rounds, address minter_)
        BondingManager(token, votes, rounds, minter_)
    {}

    function version() external pure returns (uint256) {
        return 2;
    }
}

/// @notice Owner-only parameters, initialization and upgrades of the BondingManager.
contract BondingManagerParametersTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    address internal t3 = makeAddr("t3");

    function test_initialize_setsParameters() public view {
        assertEq(bm.unbondingPeriod(), UNBONDING_PERIOD, "unbonding period");
        assertEq(bm.getTranscoderPoolMaxSize(), NUM_ACTIVE_TRANSCODERS, "pool max size");
        assertEq(bm.treasuryRewardCutRate(), TREASURY_CUT_RATE, "treasury rate");
        assertEq(bm.nextRoundTreasuryRewardCutRate(), TREASURY_CUT_RATE, "next treasury rate");
        assertEq(bm.treasuryBalanceCeiling(), TREASURY_CEILING, "ceiling");
        assertEq(address(bm.controller()), address(controller), "controller");
    }

    /* UNBONDING PERIOD */

    function test_setUnbondingPeriod_setsAndAppliesToNewLocks() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.UnbondingPeriodSet(12);
        vm.prank(owner);
        bm.setUnbondingPeriod(12);
        assertEq(bm.unbondingPeriod(), 12, "period");

        _registerTranscoder(t1, 1000 ether, 0, 0);
        uint256 round = _nextRound();
        vm.prank(t1);
        bm.unbond(10 ether);
        (, uint256 withdrawRound) = bm.getDelegatorUnbondingLock(t1, 0);
        assertEq(withdrawRound, round + 12, "current + 12");
    }

    function test_setUnbondingPeriod_revertsIfZero() public {
        vm.expectRevert(IBondingManager.ZeroUnbondingPeriod.selector);
        vm.prank(owner);
        bm.setUnbondingPeriod(0);
    }

    function test_setUnbondingPeriod_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        bm.setUnbondingPeriod(1);
    }

    /* ACTIVE SET SIZE */

    function test_setNumActiveTranscoders_grows() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.NumActiveTranscodersSet(20);
        vm.prank(owner);
        bm.setNumActiveTranscoders(20);
        assertEq(bm.getTranscoderPoolMaxSize(), 20, "max size");
    }

    function test_setNumActiveTranscoders_shrinksToCurrentSize() public {
        _registerTranscoder(t1, 3000 ether, 0, 0);
        _registerTranscoder(t2, 2000 ether, 0, 0);
        _registerTranscoder(t3, 1000 ether, 0, 0);
        vm.prank(owner);
        bm.setNumActiveTranscoders(3);
        assertEq(bm.getTranscoderPoolMaxSize(), 3, "max = size");

        // The pool is now full: a fourth transcoder with less stake than the tail stays out.
        address t4 = makeAddr("t4");
        _registerTranscoder(t4, 500 ether, 0, 0);
        assertEq(bm.getTranscoderPoolSize(), 3, "still 3");
        _nextRound();
        assertFalse(bm.isActiveTranscoder(t4), "t4 outside");
    }

    function test_setNumActiveTranscoders_revertsBelowSize() public {
        _registerTranscoder(t1, 3000 ether, 0, 0);
        _registerTranscoder(t2, 2000 ether, 0, 0);
        _registerTranscoder(t3, 1000 ether, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.ActiveSetBelowSize.selector, 2, 3));
        vm.prank(owner);
        bm.setNumActiveTranscoders(2);
        assertEq(bm.getTranscoderPoolMaxSize(), NUM_ACTIVE_TRANSCODERS, "unchanged");
    }

    function test_setNumActiveTranscoders_revertsAboveUint32() public {
        uint256 num = uint256(type(uint32).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.ActiveSetTooLarge.selector, num));
        vm.prank(owner);
        bm.setNumActiveTranscoders(num);
    }

    function test_setNumActiveTranscoders_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        bm.setNumActiveTranscoders(20);
    }

    /* TREASURY */

    function test_setTreasuryRewardCutRate_setsNextRoundRate() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.NextRoundTreasuryRewardCutRateSet(1e27);
        vm.prank(owner);
        bm.setTreasuryRewardCutRate(1e27); // 100% is allowed
        assertEq(bm.nextRoundTreasuryRewardCutRate(), 1e27, "next");
        assertEq(bm.treasuryRewardCutRate(), TREASURY_CUT_RATE, "current unchanged");
    }

    function test_setTreasuryRewardCutRate_revertsAboveOne() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.PercentageAboveOne.selector, 1e27 + 1));
        vm.prank(owner);
        bm.setTreasuryRewardCutRate(1e27 + 1);
    }

    function testFuzz_setTreasuryRewardCutRate_revertsAboveOne(uint256 rate) public {
        rate = bound(rate, 1e27 + 1, type(uint256).max);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.PercentageAboveOne.selector, rate));
        vm.prank(owner);
        bm.setTreasuryRewardCutRate(rate);
    }

    function test_setTreasuryRewardCutRate_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        bm.setTreasuryRewardCutRate(0);
    }

    function test_setTreasuryBalanceCeiling_sets() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.TreasuryBalanceCeilingSet(1_000_000 ether);
        vm.prank(owner);
        bm.setTreasuryBalanceCeiling(1_000_000 ether);
        assertEq(bm.treasuryBalanceCeiling(), 1_000_000 ether, "ceiling");
    }

    function test_setTreasuryBalanceCeiling_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        bm.setTreasuryBalanceCeiling(0);
    }

    function test_parameters_followControllerOwnership() public {
        vm.prank(owner);
        controller.transferOwnership(alice);
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, owner));
        vm.prank(owner);
        bm.setUnbondingPeriod(3);
        vm.prank(alice);
        bm.setUnbondingPeriod(3);
        assertEq(bm.unbondingPeriod(), 3, "set by the new owner");
    }

    /* INITIALIZATION AND UPGRADES */

    function test_initialize_revertsOnSecondCall() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        vm.prank(attacker);
        bm.initialize(attacker, 1, 1, 0, 0);
        assertEq(address(bm.controller()), address(controller), "controller kept");
    }

    function test_initialize_revertsOnImplementation() public {
        BondingManager implementation =
            new BondingManager(address(token), address(bondingVotes), address(roundsManager), address(minter));
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        vm.prank(attacker);
        implementation.initialize(address(controller), 1, 1, 0, 0);
    }

    function test_upgrade_byOwnerKeepsState() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 500 ether, t1);
        _nextRound();
        _reward(t1);
        vm.prank(owner);
        bm.setUnbondingPeriod(9);
        vm.prank(t1);
        bm.setRewardCaller(bob);

        uint256 aliceStake = _pendingStake(alice);
        uint256 t1Stake = bm.transcoderTotalStake(t1);
        uint256 current = bm.currentRoundTotalActiveStake();
        uint256 next = bm.nextRoundTotalActiveStake();
        (uint256 lastRewardRound, uint256 rewardCut,,,,,, uint256 cumulativeRewards,,) = bm.getTranscoder(t1);

        address v2 = address(
            new BondingManagerV2(address(token), address(bondingVotes), address(roundsManager), address(minter))
        );
        vm.expectEmit(address(bm));
        emit IERC1967.Upgraded(v2);
        vm.prank(owner);
        bm.upgradeToAndCall(v2, "");

        assertEq(BondingManagerV2(address(bm)).version(), 2, "new code");
        assertEq(_pendingStake(alice), aliceStake, "alice's stake");
        assertEq(bm.transcoderTotalStake(t1), t1Stake, "t1's stake");
        assertEq(bm.currentRoundTotalActiveStake(), current, "current total");
        assertEq(bm.nextRoundTotalActiveStake(), next, "next total");
        (uint256 lastRewardRound2, uint256 rewardCut2,,,,,, uint256 cumulativeRewards2,,) = bm.getTranscoder(t1);
        assertEq(lastRewardRound2, lastRewardRound, "lastRewardRound");
        assertEq(rewardCut2, rewardCut, "rewardCut");
        assertEq(cumulativeRewards2, cumulativeRewards, "cumulativeRewards");
        assertEq(bm.getFirstTranscoderInPool(), t1, "pool");
        assertEq(bm.unbondingPeriod(), 9, "unbonding period");
        assertEq(bm.transcoderToRewardCaller(t1), bob, "reward caller");
        assertEq(bm.treasuryRewardCutRate(), TREASURY_CUT_RATE, "treasury rate");
        assertEq(address(bm.controller()), address(controller), "controller");

        // Still works after the upgrade.
        _nextRound();
        _reward(t1);
        assertGt(bm.transcoderTotalStake(t1), t1Stake, "rewarded after upgrade");
    }

    function test_upgrade_revertsIfNotOwner() public {
        address v2 = address(
            new BondingManagerV2(address(token), address(bondingVotes), address(roundsManager), address(minter))
        );
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        bm.upgradeToAndCall(v2, "");
    }
}
