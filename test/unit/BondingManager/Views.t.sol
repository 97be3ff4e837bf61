// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";

/// @notice Read-only surface of the BondingManager.
contract BondingManagerViewsTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");

    /* STATUS */

    function test_transcoderStatus_registeredWhileSelfBonded() public {
        assertEq(uint8(bm.transcoderStatus(t1)), uint8(IBondingManager.TranscoderStatus.NotRegistered), "before");
        assertFalse(bm.isRegisteredTranscoder(t1), "not registered");

        _bond(t1, 1000 ether, t1);
        assertEq(uint8(bm.transcoderStatus(t1)), uint8(IBondingManager.TranscoderStatus.Registered), "self-bonded");
        assertTrue(bm.isRegisteredTranscoder(t1), "registered");

        // A delegator of t1 is not a transcoder.
        _bond(alice, 10 ether, t1);
        assertEq(uint8(bm.transcoderStatus(alice)), uint8(IBondingManager.TranscoderStatus.NotRegistered), "alice");
        assertFalse(bm.isRegisteredTranscoder(alice), "alice not registered");

        _nextRound();
        vm.prank(t1);
        bm.unbond(1000 ether);
        assertEq(uint8(bm.transcoderStatus(t1)), uint8(IBondingManager.TranscoderStatus.NotRegistered), "unbonded");
        assertFalse(bm.isRegisteredTranscoder(t1), "no longer registered");
    }

    function test_delegatorStatus_transitions() public {
        _registerTranscoder(t1, 1000 ether, 0, 0);
        _registerTranscoder(t2, 1000 ether, 0, 0);
        assertEq(uint8(bm.delegatorStatus(alice)), uint8(IBondingManager.DelegatorStatus.Unbonded), "fresh");

        _bond(alice, 100 ether, t1);
        assertEq(uint8(bm.delegatorStatus(alice)), uint8(IBondingManager.DelegatorStatus.Pending), "bonded now");
        (,,,, uint256 startRound,,) = bm.getDelegator(alice);
        uint256 round1 = _nextRound();
        assertEq(startRound, round1, "starts next round");
        assertEq(uint8(bm.delegatorStatus(alice)), uint8(IBondingManager.DelegatorStatus.Bonded), "next round");

        vm.prank(alice);
        bm.unbond(40 ether);
        assertEq(uint8(bm.delegatorStatus(alice)), uint8(IBondingManager.DelegatorStatus.Bonded), "partial unbond");

        // Moving to another delegate restarts the bond next round.
        vm.prank(alice);
        bm.bond(0, t2);
        assertEq(uint8(bm.delegatorStatus(alice)), uint8(IBondingManager.DelegatorStatus.Pending), "redelegated");
        _nextRound();
        assertEq(uint8(bm.delegatorStatus(alice)), uint8(IBondingManager.DelegatorStatus.Bonded), "bonded to t2");

        vm.prank(alice);
        bm.unbond(60 ether);
        assertEq(uint8(bm.delegatorStatus(alice)), uint8(IBondingManager.DelegatorStatus.Unbonded), "all unbonded");
    }

    function test_isActiveTranscoder_fromActivationToDeactivation() public {
        _registerTranscoder(t1, 1000 ether, 0, 0);
        assertFalse(bm.isActiveTranscoder(t1), "activating");
        _nextRound();
        assertTrue(bm.isActiveTranscoder(t1), "active");
        vm.prank(t1);
        bm.unbond(1000 ether); // resigns from next round
        assertTrue(bm.isActiveTranscoder(t1), "still active this round");
        _nextRound();
        assertFalse(bm.isActiveTranscoder(t1), "deactivated");
        assertFalse(bm.isActiveTranscoder(alice), "never registered");
    }

    /* POOL */

    function test_pool_sizeAndMaxSize() public {
        assertEq(bm.getTranscoderPoolMaxSize(), NUM_ACTIVE_TRANSCODERS, "max");
        assertEq(bm.getTranscoderPoolSize(), 0, "empty");
        assertEq(bm.getFirstTranscoderInPool(), address(0), "no head");
        _registerTranscoder(t1, 1000 ether, 0, 0);
        _registerTranscoder(t2, 2000 ether, 0, 0);
        assertEq(bm.getTranscoderPoolSize(), 2, "two");
        assertEq(bm.getNextTranscoderInPool(t1), address(0), "t1 is the tail");
        assertEq(bm.getNextTranscoderInPool(alice), address(0), "non-member has no next");
    }

    function test_pool_walkIsDescending() public {
        // Registered in an order unrelated to their stakes: 300, 700, 100, 500, 900.
        uint256[5] memory stakes = [uint256(300 ether), 700 ether, 100 ether, 500 ether, 900 ether];
        address[5] memory ids;
        for (uint256 i; i < 5; i++) {
            ids[i] = makeAddr(string.concat("t", vm.toString(i)));
            _registerTranscoder(ids[i], stakes[i], 0, 0);
        }
        // Expected: 900 (ids[4]), 700 (ids[1]), 500 (ids[3]), 300 (ids[0]), 100 (ids[2]).
        address[5] memory expected = [ids[4], ids[1], ids[3], ids[0], ids[2]];
        address id = bm.getFirstTranscoderInPool();
        for (uint256 i; i < 5; i++) {
            assertEq(id, expected[i], "position");
            id = bm.getNextTranscoderInPool(id);
        }
        assertEq(id, address(0), "end of list");

        // A delegation reorders: 450 more to the 100 one -> 550, between 700 and 500.
        _bond(alice, 450 ether, ids[2]);
        assertEq(bm.getNextTranscoderInPool(ids[1]), ids[2], "550 after 700");
        assertEq(bm.getNextTranscoderInPool(ids[2]), ids[3], "500 after 550");
    }

    function testFuzz_pool_walkIsDescending(uint256[8] memory stakes) public {
        for (uint256 i; i < 8; i++) {
            stakes[i] = bound(stakes[i], 1, 1_000_000 ether);
            _registerTranscoder(makeAddr(string.concat("t", vm.toString(i))), stakes[i], 0, 0);
        }
        assertEq(bm.getTranscoderPoolSize(), 8, "all joined");
        address id = bm.getFirstTranscoderInPool();
        uint256 n;
        uint256 sum;
        uint256 prevStake = type(uint256).max;
        while (id != address(0)) {
            uint256 stake = bm.transcoderTotalStake(id);
            assertLe(stake, prevStake, "descending");
            (prevStake, sum, n) = (stake, sum + stake, n + 1);
            id = bm.getNextTranscoderInPool(id);
        }
        assertEq(n, 8, "walk length");
        assertEq(sum, bm.nextRoundTotalActiveStake(), "keys sum to the next round's total");
    }

    function test_transcoderTotalStake_selfPlusDelegations() public {
        _registerTranscoder(t1, 1000 ether, 0, 0);
        _bond(alice, 250 ether, t1);
        _bond(bob, 125 ether, t1);
        assertEq(bm.transcoderTotalStake(t1), 1375 ether, "1000 + 250 + 125");
        assertEq(bm.transcoderTotalStake(alice), 0, "a delegator has none");
        (,,, uint256 delegatedAmount,,,) = bm.getDelegator(t1);
        assertEq(delegatedAmount, 1375 ether, "delegatedAmount");
    }

    /* UNBONDING LOCKS */

    function test_unbondingLock_lifecycle() public {
        _registerTranscoder(t1, 1000 ether, 0, 0);
        _bond(alice, 500 ether, t1);
        uint256 round = _nextRound();
        assertFalse(bm.isValidUnbondingLock(alice, 0), "none yet");

        vm.startPrank(alice);
        bm.unbond(200 ether);
        bm.unbond(100 ether);
        vm.stopPrank();
        (uint256 amount0, uint256 withdrawRound0) = bm.getDelegatorUnbondingLock(alice, 0);
        (uint256 amount1,) = bm.getDelegatorUnbondingLock(alice, 1);
        assertEq(amount0, 200 ether, "lock 0 amount");
        assertEq(withdrawRound0, round + UNBONDING_PERIOD, "withdraw round = current + 7");
        assertEq(amount1, 100 ether, "lock 1 amount");
        assertTrue(bm.isValidUnbondingLock(alice, 0), "lock 0 valid");
        assertTrue(bm.isValidUnbondingLock(alice, 1), "lock 1 valid");
        assertFalse(bm.isValidUnbondingLock(alice, 2), "lock 2 not created");
        (,,,,,, uint256 nextId) = bm.getDelegator(alice);
        assertEq(nextId, 2, "next id");

        vm.prank(alice);
        bm.rebond(1);
        assertFalse(bm.isValidUnbondingLock(alice, 1), "rebonded lock gone");
        (amount1,) = bm.getDelegatorUnbondingLock(alice, 1);
        assertEq(amount1, 0, "cleared");

        for (uint256 i; i < UNBONDING_PERIOD; i++) {
            _nextRound();
        }
        vm.prank(alice);
        bm.withdrawStake(0);
        assertFalse(bm.isValidUnbondingLock(alice, 0), "withdrawn lock gone");
        (uint256 amountAfter, uint256 withdrawAfter) = bm.getDelegatorUnbondingLock(alice, 0);
        assertEq(amountAfter + withdrawAfter, 0, "cleared");
    }

    /* EARNINGS POOLS */

    function test_getTranscoderEarningsPoolForRound_currentBeforeAndAfterReward() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        _registerTranscoder(t2, 1000 ether, 0, 0);
        uint256 round = _nextRound();

        // Before any reward: the activation wrote the stake; the commission is written by the reward.
        (uint256 totalStake, uint256 cut, uint256 share, uint256 crf, uint256 cff) =
            bm.getTranscoderEarningsPoolForRound(t1, round);
        assertEq(totalStake, 1000 ether, "current stake");
        assertEq(cut + share, 0, "commission not yet recorded");
        assertEq(crf + cff, 0, "no factors yet");

        // A stake change during the round: the current round keeps the stake it started with,
        // the next round shows the new one.
        _bond(alice, 500 ether, t1);
        (totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round);
        assertEq(totalStake, 1000 ether, "round's stake frozen");
        (totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round + 1);
        assertEq(totalStake, 1500 ether, "next round's stake");

        _reward(t1);
        // Recorded: 1000 LPT of the 2000 total -> 500,000,000 points of the mintable; R = 90%;
        // delegators get 90% of R; CRF = 1e27 + 1e27 * (dr * 1e27 / 1000e18) / 1e27.
        uint256 minted = minter.currentMintableTokens() * 500_000_000 / 1e9;
        uint256 rewards = minted - minted / 10;
        uint256 delegatorsRewards = rewards - rewards * 100_000 / 1e6;
        (totalStake, cut, share, crf, cff) = bm.getTranscoderEarningsPoolForRound(t1, round);
        assertEq(totalStake, 1000 ether, "recorded stake");
        assertEq(cut, 100_000, "recorded cut");
        assertEq(share, 400_000, "recorded share");
        assertEq(crf, 1e27 + 1e27 * (delegatorsRewards * 1e27 / 1000 ether) / 1e27, "recorded CRF");
        assertEq(cff, 0, "no fees");
        (totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round + 1);
        assertEq(totalStake, 1500 ether + rewards, "next round's stake includes the reward");

        // Commission changes after the reward do not touch the recorded round.
        vm.prank(t1);
        bm.transcoder(200_000, 600_000);
        (, cut, share,,) = bm.getTranscoderEarningsPoolForRound(t1, round);
        assertEq(cut, 100_000, "recorded cut kept");
        assertEq(share, 400_000, "recorded share kept");
        (, cut, share,,) = bm.getTranscoderEarningsPoolForRound(t1, round + 1);
        assertEq(cut + share, 0, "next round's commission recorded by its reward");
    }

    function test_getTranscoderEarningsPoolForRound_emptyOutsideActivity() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 400_000);
        uint256 round = roundsManager.currentRound();
        // Not active in the current round (activates next): nothing recorded for it.
        (uint256 totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round);
        assertEq(totalStake, 0, "not active this round");
        _nextRound();
        _nextRound();
        // The activation round holds the stake (lastActiveStakeUpdateRound); no commission.
        (uint256 pastStake, uint256 cut,,,) = bm.getTranscoderEarningsPoolForRound(t1, round + 1);
        assertEq(pastStake, 1000 ether, "stake at lastActiveStakeUpdateRound");
        assertEq(cut, 0, "never rewarded");
        // The current round: no change, reward or fees yet, so nothing written (as live).
        (uint256 currentStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round + 2);
        assertEq(currentStake, 0, "current round unwritten");
        (uint256 futureStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round + 10);
        assertEq(futureStake, 0, "far future");
    }

    /* PENDING EARNINGS */

    function test_pendingStakeAndFees_ignoreRoundArgument() public {
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        uint256 round = _nextRound();
        _reward(t1);
        _payFees(t1, 1 ether);
        _nextRound();
        _reward(t1);

        uint256 stake = bm.pendingStake(alice, 0);
        uint256 fees = bm.pendingFees(alice, 0);
        assertGt(stake, 1000 ether, "earned rewards");
        // 1 ETH, 50% to delegators, alice holds half of the 2000 LPT stake: 0.25 ETH.
        assertEq(fees, 0.25 ether, "earned fees");
        uint256[4] memory args = [round - 1, round, round + 1, type(uint256).max];
        for (uint256 i; i < args.length; i++) {
            assertEq(bm.pendingStake(alice, args[i]), stake, "stake independent of the argument");
            assertEq(bm.pendingFees(alice, args[i]), fees, "fees independent of the argument");
            assertEq(bm.pendingStake(t1, args[i]), bm.pendingStake(t1, 0), "t1 stake");
        }
    }

    function test_pendingStake_unbondedIsZero() public view {
        assertEq(_pendingStake(alice), 0, "stake");
        assertEq(_pendingFees(alice), 0, "fees");
    }
}
