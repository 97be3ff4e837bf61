// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice setCurrentRoundTotalActiveStake: RoundsManager only; fixes the round's active stake and treasury rate.
contract SetCurrentRoundTotalActiveStakeTest is ProtocolTest {
    address internal t1 = makeAddr("t1");

    function _countLogs(bytes32 topic0) internal returns (uint256 n) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        for (uint256 i; i < logs.length; i++) {
            if (logs[i].emitter == address(bm) && logs[i].topics[0] == topic0) n++;
        }
    }

    function test_setCurrentRoundTotalActiveStake_copiesNextRoundStake() public {
        _registerTranscoder(t1, 1000 ether, 0, 0);
        _bond(alice, 500 ether, t1);
        assertEq(bm.nextRoundTotalActiveStake(), 1500 ether, "next: 1000 + 500");
        assertEq(bm.currentRoundTotalActiveStake(), 0, "current: nothing was active");
        assertEq(bm.getTotalBonded(), 0, "getTotalBonded = current");

        vm.prank(address(roundsManager));
        bm.setCurrentRoundTotalActiveStake();
        assertEq(bm.currentRoundTotalActiveStake(), 1500 ether, "copied");
        assertEq(bm.getTotalBonded(), 1500 ether, "getTotalBonded");
        assertEq(bm.nextRoundTotalActiveStake(), 1500 ether, "next unchanged");
    }

    function test_setCurrentRoundTotalActiveStake_viaInitializeRound() public {
        _registerTranscoder(t1, 1000 ether, 0, 0);
        _nextRound();
        assertEq(bm.getTotalBonded(), 1000 ether, "round1 total");

        // Changes during round1 only count from round2.
        _bond(alice, 300 ether, t1);
        vm.prank(t1);
        bm.unbond(100 ether);
        assertEq(bm.getTotalBonded(), 1000 ether, "frozen during the round");
        assertEq(bm.nextRoundTotalActiveStake(), 1200 ether, "1000 + 300 - 100");
        _nextRound();
        assertEq(bm.getTotalBonded(), 1200 ether, "round2 total");
        assertEq(bm.currentRoundTotalActiveStake(), 1200 ether, "current");
    }

    function test_setCurrentRoundTotalActiveStake_appliesNextTreasuryRate() public {
        vm.prank(owner);
        bm.setTreasuryRewardCutRate(3e26);
        assertEq(bm.treasuryRewardCutRate(), 1e26, "not yet");

        vm.expectEmit(address(bm));
        emit IBondingManager.TreasuryRewardCutRateApplied(3e26);
        vm.prank(address(roundsManager));
        bm.setCurrentRoundTotalActiveStake();
        assertEq(bm.treasuryRewardCutRate(), 3e26, "applied");
        assertEq(bm.nextRoundTreasuryRewardCutRate(), 3e26, "next unchanged");
    }

    function test_setCurrentRoundTotalActiveStake_noEventIfRateUnchanged() public {
        vm.recordLogs();
        vm.prank(address(roundsManager));
        bm.setCurrentRoundTotalActiveStake();
        assertEq(_countLogs(IBondingManager.TreasuryRewardCutRateApplied.selector), 0, "no event");
        assertEq(bm.treasuryRewardCutRate(), TREASURY_CUT_RATE, "rate kept");
    }

    function test_setCurrentRoundTotalActiveStake_revertsIfNotRoundsManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, attacker, keccak256("RoundsManager"))
        );
        vm.prank(attacker);
        bm.setCurrentRoundTotalActiveStake();

        vm.expectRevert(abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, owner, keccak256("RoundsManager")));
        vm.prank(owner);
        bm.setCurrentRoundTotalActiveStake();
    }
}
