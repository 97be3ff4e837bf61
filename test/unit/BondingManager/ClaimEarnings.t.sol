// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {DelegatorTest} from "./DelegatorTest.sol";
import {ERC1967Utils} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Utils.sol";
import {Vm} from "forge-std/Vm.sol";

contract ClaimEarningsTest is DelegatorTest {
    // Round `rewardRound`: total active stake 2000 LPT (t1 1000 + alice 1000), supply 30M LPT.
    // Inflation 221,000 + 500 (bonding rate below target) = 221,500; mintable = 30e6 * 221,500 / 1e9
    // = 6645 LPT, all of it to t1 (2000 / 2000). Treasury 10% = 664.5, R = 5980.5 LPT.
    // Commission 10% = 598.05; delegatorsRewards = 5382.45;
    // CRF = 1e27 + 1e27 * (5382.45e18 * 1e27 / 2000e18) / 1e27 = 3.691225e27.
    // Alice: 1000 * 3.691225 = 3691.225 LPT (rewards 2691.225); t1: 3691.225 + 598.05 commission
    // = 4289.275 LPT (rewards 3289.275). Sum 7980.5 = 2000 + 5980.5.
    // Fees 1 ETH at feeShare 50%: CFF = 1e27 * (0.5e18 * 1e27 / 2000e18) / 1e27 = 2.5e23;
    // alice 0.25 ETH; t1 0.25 + 0.5 commission = 0.75 ETH.
    uint256 internal constant ALICE_STAKE = 3691.225 ether;
    uint256 internal constant ALICE_FEES = 0.25 ether;
    uint256 internal constant T1_STAKE = 4289.275 ether;
    uint256 internal constant T1_FEES = 0.75 ether;

    uint256 internal rewardRound;
    uint256 internal round;

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        rewardRound = _nextRound();
        _reward(t1);
        _payFees(t1, 1 ether);
        round = _nextRound();
    }

    function test_claimEarnings_compoundsRewardsAndFees() public {
        // This round's total = 2000 + the 5980.5 LPT reward of the last round.
        assertEq(bm.currentRoundTotalActiveStake(), 7980.5 ether, "2000 + 5980.5");
        vm.expectEmit(address(bm));
        emit IBondingManager.EarningsClaimed(t1, alice, ALICE_STAKE - 1000 ether, ALICE_FEES, rewardRound, round);
        vm.prank(alice);
        bm.claimEarnings(0);

        DelegatorView memory d = _del(alice);
        assertEq(d.bondedAmount, ALICE_STAKE, "bondedAmount");
        assertEq(d.fees, ALICE_FEES, "fees");
        assertEq(d.lastClaimRound, round, "lastClaimRound");
        assertEq(d.delegateAddress, t1, "delegate unchanged");
        assertEq(d.startRound, rewardRound, "startRound unchanged");
    }

    function test_claimEarnings_transcoderClaimsCommission() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.EarningsClaimed(t1, t1, T1_STAKE - 1000 ether, T1_FEES, rewardRound, round);
        vm.prank(t1);
        bm.claimEarnings(0);
        assertEq(_bondedAmount(t1), T1_STAKE, "t1 bonded");
        assertEq(_del(t1).fees, T1_FEES, "t1 fees");
        (,,,,,,, uint256 cumulativeRewards, uint256 cumulativeFees,) = bm.getTranscoder(t1);
        assertEq(cumulativeRewards, 0, "commission moved into the bond");
        assertEq(cumulativeFees, 0, "commission moved into the fees");
        assertEq(_pendingStake(t1), T1_STAKE, "pending unchanged by the claim");
        assertEq(_stake(t1), ALICE_STAKE + T1_STAKE, "t1's delegated stake = both bonds");
    }

    function test_claimEarnings_pendingBeforeEqualsBondedAfter() public {
        // Several more rounds of rewards and fees, then one claim.
        for (uint256 i; i < 3; ++i) {
            _reward(t1);
            _payFees(t1, 0.3 ether);
            _nextRound();
        }
        uint256 pendingStake = _pendingStake(alice);
        uint256 pendingFees = _pendingFees(alice);
        assertGt(pendingStake, ALICE_STAKE, "more rewards accrued");
        vm.prank(alice);
        bm.claimEarnings(0);
        assertEq(_bondedAmount(alice), pendingStake, "bonded after == pending stake before");
        assertEq(_del(alice).fees, pendingFees, "fees after == pending fees before");
        assertEq(_pendingStake(alice), pendingStake, "pending unchanged by the claim");
    }

    function test_claimEarnings_twiceInRoundIsNoOp() public {
        vm.startPrank(alice);
        bm.claimEarnings(0);
        DelegatorView memory first = _del(alice);
        vm.recordLogs();
        bm.claimEarnings(0);
        vm.stopPrank();
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 0, "no event the second time");
        DelegatorView memory second = _del(alice);
        assertEq(second.bondedAmount, first.bondedAmount, "bonded unchanged");
        assertEq(second.fees, first.fees, "fees unchanged");
        assertEq(second.lastClaimRound, first.lastClaimRound, "lastClaimRound unchanged");
    }

    function test_claimEarnings_ignoresArgument() public {
        uint256[4] memory args = [uint256(0), rewardRound, round + 50, type(uint256).max];
        for (uint256 i; i < args.length; ++i) {
            uint256 snap = vm.snapshotState();
            vm.prank(alice);
            bm.claimEarnings(args[i]);
            DelegatorView memory d = _del(alice);
            assertEq(d.bondedAmount, ALICE_STAKE, "same stake whatever the argument");
            assertEq(d.fees, ALICE_FEES, "same fees whatever the argument");
            assertEq(d.lastClaimRound, round, "always up to the current round");
            vm.revertToState(snap);
        }
    }

    function test_claimEarnings_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(alice);
        bm.claimEarnings(0);
    }

    function test_claimEarnings_revertsIfRoundNotInitialized() public {
        uint256 next = _rollUninitialized();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, next));
        vm.prank(alice);
        bm.claimEarnings(0);
    }

    /* GAS */

    function test_claimEarnings_gasIndependentOfUnclaimedRounds() public {
        uint256 gas1 = _claimGasAfterRewardRounds(1);
        uint256 gas10 = _claimGasAfterRewardRounds(10);
        uint256 gas100 = _claimGasAfterRewardRounds(100);
        emit log_named_uint("claim gas after 1 reward round", gas1);
        emit log_named_uint("claim gas after 10 reward rounds", gas10);
        emit log_named_uint("claim gas after 100 reward rounds", gas100);
        assertApproxEqRel(gas10, gas1, 0.05e18, "10 rounds vs 1: within 5%");
        assertApproxEqRel(gas100, gas1, 0.05e18, "100 rounds vs 1: within 5%");
    }

    /// @dev setUp already had one reward round; adds `n - 1` more, moves to a fresh round and measures
    /// alice's claim from equally warm accounts and cold storage, then restores the state.
    function _claimGasAfterRewardRounds(uint256 n) internal returns (uint256 gasUsed) {
        uint256 snap = vm.snapshotState();
        for (uint256 i = 1; i < n; ++i) {
            _reward(t1);
            _nextRound();
        }
        assertEq(_del(alice).lastClaimRound, rewardRound - 1, "alice never claimed");
        // Every case touches the same accounts first (the reward loop warms them for n > 1), then
        // all storage the claim reads is made cold again: only the claim's own work is measured.
        roundsManager.lastInitializedRound();
        bm.getTranscoderPoolSize();
        controller.paused();
        bondingVotes.clock();
        vm.cool(address(bondingVotes));
        vm.cool(address(uint160(uint256(vm.load(address(bondingVotes), ERC1967Utils.IMPLEMENTATION_SLOT)))));
        vm.cool(address(bm));
        vm.cool(address(roundsManager));
        vm.cool(address(controller));
        vm.prank(alice);
        uint256 before = gasleft();
        bm.claimEarnings(0);
        gasUsed = before - gasleft();
        assertGt(_bondedAmount(alice), 1000 ether, "claimed rewards");
        vm.revertToState(snap);
    }
}
