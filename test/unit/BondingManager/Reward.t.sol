// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";
import {Vm} from "forge-std/Vm.sol";

/// @notice reward / rewardWithHint: minting, treasury cut, commission, the reward factor, compounding.
contract RewardTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    uint256 internal round1;

    /// @dev t1: 1000 self + 1000 from alice, rewardCut 10%, feeShare 50%; t2: 1000 self, no cut.
    /// Both active from round1, where the total active stake is 3000 LPT.
    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        _registerTranscoder(t2, 1000 ether, 0, 500_000);
        round1 = _nextRound();
    }

    /* HELPERS */

    function _countLogs(Vm.Log[] memory logs, bytes32 topic0) internal view returns (uint256 n) {
        for (uint256 i; i < logs.length; i++) {
            if (logs[i].emitter == address(bm) && logs[i].topics[0] == topic0) n++;
        }
    }

    /// @dev Expected (minted, treasury cut) for `stake` of `total` with the round's mintable and `rate`.
    function _expectedMint(uint256 stake, uint256 total, uint256 rate) internal view returns (uint256, uint256) {
        uint256 minted = minter.currentMintableTokens() * (stake * 1e9 / total) / 1e9;
        return (minted, minted * rate / 1e27);
    }

    /* HAND-COMPUTED REWARD */

    function test_reward_handComputed() public {
        // Round 10000 stepped inflation to 221,000; round1 (bonding rate 3000/30M < 50%) to 221,500:
        // mintable = 30,000,000 * 221,500 / 1e9 = 6,645 LPT.
        assertEq(minter.currentMintableTokens(), 6645 ether, "mintable");
        assertEq(bm.currentRoundTotalActiveStake(), 3000 ether, "total active stake");
        // share = 2000e18 * 1e9 / 3000e18 = 666,666,666 points; minted = 6645e18 * 666,666,666 / 1e9.
        uint256 minted = 4_429_999_995_570_000_000_000;
        // treasury = minted * 1e26 / 1e27 = minted / 10 (exact here).
        uint256 treasuryCut = 442_999_999_557_000_000_000;
        // R = minted - treasury.
        uint256 rewards = 3_986_999_996_013_000_000_000;
        // commission = R * 100,000 / 1e6; delegatorsRewards = R - commission.
        uint256 commission = 398_699_999_601_300_000_000;
        uint256 delegatorsRewards = 3_588_299_996_411_700_000_000;
        // CRF = 1e27 + 1e27 * (3588.2999964117e18 * 1e27 / 2000e18) / 1e27 = 1e27 * 2.79414999820585.
        uint256 crf = 2_794_149_998_205_850_000_000_000_000;
        assertEq(minted, 6645 ether * 666_666_666 / 1e9, "minted formula");
        assertEq(rewards, minted - treasuryCut, "R");
        assertEq(commission + delegatorsRewards, rewards, "split");
        assertEq(crf, 1e27 + 1e27 * (delegatorsRewards * 1e27 / 2000 ether) / 1e27, "crf formula");

        uint256 supplyBefore = token.totalSupply();
        vm.expectEmit(address(bm));
        emit IBondingManager.TreasuryReward(t1, treasury, treasuryCut);
        vm.expectEmit(address(bm));
        emit IBondingManager.Reward(t1, rewards);
        _reward(t1);

        assertEq(token.totalSupply() - supplyBefore, minted, "supply grows by minted");
        assertEq(minter.currentMintedTokens(), minted, "minter's minted");
        assertEq(token.balanceOf(treasury), treasuryCut, "treasury paid");

        (uint256 lastRewardRound,,,,,, uint256 activeCumulativeRewards, uint256 cumulativeRewards,,) =
            bm.getTranscoder(t1);
        assertEq(lastRewardRound, round1, "lastRewardRound");
        assertEq(activeCumulativeRewards, 0, "no earlier rewards");
        // No earlier unclaimed rewards: cumulativeRewards = commission only.
        assertEq(cumulativeRewards, commission, "cumulativeRewards");

        (uint256 totalStake, uint256 cut, uint256 share, uint256 poolCrf, uint256 poolCff) =
            bm.getTranscoderEarningsPoolForRound(t1, round1);
        assertEq(totalStake, 2000 ether, "pool stake");
        assertEq(cut, 100_000, "pool rewardCut");
        assertEq(share, 500_000, "pool feeShare");
        assertEq(poolCrf, crf, "CRF");
        assertEq(poolCff, 0, "no fees");

        // Compounding: stake, pool key and next round's total grow by R.
        assertEq(bm.transcoderTotalStake(t1), 2000 ether + rewards, "delegatedAmount");
        assertEq(bm.nextRoundTotalActiveStake(), 3000 ether + rewards, "next total");
        assertEq(bm.currentRoundTotalActiveStake(), 3000 ether, "current total frozen");
        (uint256 nextStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round1 + 1);
        assertEq(nextStake, 2000 ether + rewards, "next round's pool stake");

        // alice: 1000e18 * (CRF * 1e27 / 1e27) / 1e27; t1: the same on its bond plus its commission.
        assertEq(_pendingStake(alice), 2_794_149_998_205_850_000_000, "alice");
        assertEq(_pendingStake(t1), 2_794_149_998_205_850_000_000 + commission, "t1");
        assertEq(_pendingStake(alice) + _pendingStake(t1), 2000 ether + rewards, "nothing lost to rounding here");
    }

    function test_reward_secondRewardCompoundsFactor() public {
        _reward(t1);
        uint256 crf1 = _crf(t1, round1);
        uint256 cumulativeRewards1 = _cumulativeRewards(t1);
        uint256 round2 = _nextRound();
        uint256 stake = bm.transcoderTotalStake(t1);
        (uint256 minted, uint256 cut) = _expectedMint(stake, bm.currentRoundTotalActiveStake(), TREASURY_CUT_RATE);
        uint256 commission = (minted - cut) * 100_000 / 1e6;
        uint256 delegatorsRewards = minted - cut - commission;
        _reward(t1);

        (uint256 totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round2);
        assertEq(totalStake, stake, "pool stake = stake after round1's reward");
        // CRF[r2] = CRF[r1] + CRF[r1] * (delegatorsRewards * 1e27 / totalStake) / 1e27
        assertEq(_crf(t1, round2), crf1 + crf1 * (delegatorsRewards * 1e27 / stake) / 1e27, "CRF compounds");
        (,,,,,, uint256 active,,,) = bm.getTranscoder(t1);
        assertEq(active, cumulativeRewards1, "active = unclaimed rewards before this reward");
        // Unclaimed rewards earn their pro-rata delegators' share too.
        uint256 onRewards = delegatorsRewards * (cumulativeRewards1 * 1e27 / stake) / 1e27;
        assertEq(_cumulativeRewards(t1), cumulativeRewards1 + onRewards + commission, "cumulativeRewards");
    }

    function _crf(address t, uint256 round) internal view returns (uint256 crf) {
        (,,, crf,) = bm.getTranscoderEarningsPoolForRound(t, round);
    }

    function _cumulativeRewards(address t) internal view returns (uint256 cumulativeRewards) {
        (,,,,,,, cumulativeRewards,,) = bm.getTranscoder(t);
    }

    function test_reward_usesStakeTheRoundStartedWith() public {
        // bob bonds 1000 more to t1 during round1: round1's reward still counts t1's 2000 of 3000.
        _bond(bob, 1000 ether, t1);
        assertEq(bm.transcoderTotalStake(t1), 3000 ether, "delegated now");
        uint256 supplyBefore = token.totalSupply();
        _reward(t1);
        // 6645e18 * 666,666,666 / 1e9 (see test_reward_handComputed).
        assertEq(token.totalSupply() - supplyBefore, 4_429_999_995_570_000_000_000, "minted on 2000");
        (uint256 totalStake,,,,) = bm.getTranscoderEarningsPoolForRound(t1, round1);
        assertEq(totalStake, 2000 ether, "pool stake = start of round");
        // bob starts next round: nothing of round1 for him.
        assertEq(_pendingStake(bob), 1000 ether, "bob pending only");
    }

    function test_reward_movesTranscoderUpInPool() public {
        assertEq(bm.getFirstTranscoderInPool(), t1, "t1 (2000) first");
        // t2: 1000/3000 -> 333,333,333 points; minted 2214.999997785 LPT; R = 90% = 1993.4999980065.
        vm.expectEmit(address(bm));
        emit IBondingManager.Reward(t2, 1_993_499_998_006_500_000_000);
        _reward(t2);
        assertEq(bm.transcoderTotalStake(t2), 2_993_499_998_006_500_000_000, "1000 + R");
        assertEq(bm.getFirstTranscoderInPool(), t2, "t2 now first");
        assertEq(bm.getNextTranscoderInPool(t2), t1, "t1 second");
    }

    function test_rewardWithHint_rewardsWithCorrectAndWrongHints() public {
        vm.prank(t2);
        bm.rewardWithHint(address(0), t1); // correct: t2 becomes the head before t1
        assertEq(bm.getFirstTranscoderInPool(), t2, "t2 first");
        vm.prank(t1);
        bm.rewardWithHint(attacker, alice); // wrong hints: still sorted
        address first = bm.getFirstTranscoderInPool();
        address second = bm.getNextTranscoderInPool(first);
        assertGe(bm.transcoderTotalStake(first), bm.transcoderTotalStake(second), "descending");
        assertEq(bm.getTranscoderPoolSize(), 2, "size");
    }

    function testFuzz_reward_splitsMintedAmount(uint256 stake1, uint256 stake2, uint256 cut) public {
        stake1 = bound(stake1, 1 ether, 10_000_000 ether);
        stake2 = bound(stake2, 1 ether, 10_000_000 ether);
        cut = bound(cut, 0, 1e6);
        address a = makeAddr("a");
        address b = makeAddr("b");
        _registerTranscoder(a, stake1, cut, 0);
        _registerTranscoder(b, stake2, 0, 0);
        _nextRound();
        uint256 total = bm.currentRoundTotalActiveStake();
        (uint256 minted, uint256 treasuryCut) = _expectedMint(stake1, total, TREASURY_CUT_RATE);
        uint256 supplyBefore = token.totalSupply();
        uint256 nextTotal = bm.nextRoundTotalActiveStake();
        _reward(a);
        assertEq(token.totalSupply() - supplyBefore, minted, "minted");
        assertEq(token.balanceOf(treasury), treasuryCut, "treasury");
        assertEq(bm.transcoderTotalStake(a), stake1 + minted - treasuryCut, "stake + R");
        assertEq(bm.nextRoundTotalActiveStake(), nextTotal + minted - treasuryCut, "next total + R");
        (,,,,,,, uint256 cumulativeRewards,,) = bm.getTranscoder(a);
        assertEq(cumulativeRewards, (minted - treasuryCut) * cut / 1e6, "commission");
        // The pending stake never exceeds what was bonded plus R (rounding down only).
        assertLe(_pendingStake(a), stake1 + minted - treasuryCut, "no inflation of stake");
    }

    /* GUARDS */

    function test_reward_revertsIfAlreadyRewarded() public {
        _reward(t1);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.AlreadyRewarded.selector, t1, round1));
        vm.prank(t1);
        bm.reward();
    }

    function test_reward_revertsIfActivatingNextRound() public {
        address t3 = makeAddr("t3");
        _registerTranscoder(t3, 500 ether, 0, 0);
        assertTrue(bm.isRegisteredTranscoder(t3), "registered");
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, t3));
        vm.prank(t3);
        bm.reward();
    }

    function test_reward_revertsIfNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, alice));
        vm.prank(alice);
        bm.reward();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, attacker));
        vm.prank(attacker);
        bm.reward();
    }

    function test_reward_revertsAfterResignation() public {
        vm.prank(t2);
        bm.unbond(1000 ether); // resigns: still active this round, not the next
        _reward(t2);
        _nextRound();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, t2));
        vm.prank(t2);
        bm.reward();
    }

    function test_reward_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(t1);
        bm.reward();
    }

    function test_reward_revertsIfRoundNotInitialized() public {
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.RoundNotInitialized.selector, round1 + 1));
        vm.prank(t1);
        bm.reward();
    }

    /* MISSED ROUNDS */

    function test_reward_missedRoundsAreForfeited() public {
        // round1: only t2 calls reward; t1's two thirds stay unminted.
        _reward(t2);
        uint256 mintable1 = minter.currentMintableTokens();
        assertLt(minter.currentMintedTokens(), mintable1, "minted < mintable");
        // 6645e18 * 333,333,333 / 1e9: only t2's third.
        assertEq(minter.currentMintedTokens(), 2_214_999_997_785_000_000_000, "t2's third only");

        // round2: nobody. round3: t1 gets its share of round3 only, nothing for rounds 1-2.
        _nextRound();
        _nextRound();
        uint256 stake = bm.transcoderTotalStake(t1);
        (uint256 minted,) = _expectedMint(stake, bm.currentRoundTotalActiveStake(), TREASURY_CUT_RATE);
        uint256 supplyBefore = token.totalSupply();
        _reward(t1);
        assertEq(token.totalSupply() - supplyBefore, minted, "one round's share");
        assertLt(minted, minter.currentMintableTokens(), "less than one round's mintable");
        (,,, uint256 crf1,) = bm.getTranscoderEarningsPoolForRound(t1, round1);
        assertEq(crf1, 0, "no factor for the missed round");
    }

    /* TREASURY */

    function test_reward_treasuryRateChangeAppliesNextRound() public {
        vm.expectEmit(address(bm));
        emit IBondingManager.NextRoundTreasuryRewardCutRateSet(2e26);
        vm.prank(owner);
        bm.setTreasuryRewardCutRate(2e26);
        assertEq(bm.nextRoundTreasuryRewardCutRate(), 2e26, "next rate");
        assertEq(bm.treasuryRewardCutRate(), 1e26, "current rate unchanged");

        // round1 still pays 10%: 4429.99999557 LPT / 10.
        _reward(t1);
        assertEq(token.balanceOf(treasury), 442_999_999_557_000_000_000, "10% this round");

        vm.expectEmit(address(bm));
        emit IBondingManager.TreasuryRewardCutRateApplied(2e26);
        _nextRound();
        assertEq(bm.treasuryRewardCutRate(), 2e26, "applied");

        uint256 before = token.balanceOf(treasury);
        (uint256 minted, uint256 cut) =
            _expectedMint(bm.transcoderTotalStake(t1), bm.currentRoundTotalActiveStake(), 2e26);
        assertEq(cut, minted * 2 / 10, "20%");
        _reward(t1);
        assertEq(token.balanceOf(treasury) - before, cut, "20% next round");
    }

    function test_reward_ceilingStopsCutFromNextRound() public {
        vm.prank(owner);
        bm.setTreasuryBalanceCeiling(100 ether);
        vm.prank(owner);
        token.transfer(treasury, 100 ether); // balance == ceiling

        // round1: the cut is still paid, and next round's rate drops to 0.
        vm.expectEmit(address(bm));
        emit IBondingManager.NextRoundTreasuryRewardCutRateSet(0);
        vm.expectEmit(address(bm));
        emit IBondingManager.TreasuryReward(t1, treasury, 442_999_999_557_000_000_000);
        _reward(t1);
        assertEq(bm.nextRoundTreasuryRewardCutRate(), 0, "next rate 0");
        assertEq(bm.treasuryRewardCutRate(), 1e26, "this round's rate kept");

        // t2 in the same round still pays 10%: 2214.999997785 / 10.
        uint256 before = token.balanceOf(treasury);
        _reward(t2);
        assertEq(token.balanceOf(treasury) - before, 221_499_999_778_500_000_000, "t2's cut paid");

        vm.expectEmit(address(bm));
        emit IBondingManager.TreasuryRewardCutRateApplied(0);
        _nextRound();
        assertEq(bm.treasuryRewardCutRate(), 0, "rate 0");

        before = token.balanceOf(treasury);
        (uint256 minted,) = _expectedMint(bm.transcoderTotalStake(t1), bm.currentRoundTotalActiveStake(), 0);
        vm.recordLogs();
        vm.expectEmit(address(bm));
        emit IBondingManager.Reward(t1, minted);
        _reward(t1);
        assertEq(_countLogs(vm.getRecordedLogs(), IBondingManager.TreasuryReward.selector), 0, "no TreasuryReward");
        assertEq(token.balanceOf(treasury), before, "no more cut");
    }

    function test_reward_ceilingReachedByTheCutItself() public {
        // Ceiling = exactly t1's cut: t1 pays it (balance 0 < ceiling), t2 then sees balance >= ceiling.
        uint256 t1Cut = 442_999_999_557_000_000_000;
        vm.prank(owner);
        bm.setTreasuryBalanceCeiling(t1Cut);
        _reward(t1);
        assertEq(token.balanceOf(treasury), t1Cut, "at ceiling");
        assertEq(bm.nextRoundTreasuryRewardCutRate(), 1e26, "checked before paying: not yet");
        _reward(t2);
        assertEq(bm.nextRoundTreasuryRewardCutRate(), 0, "stops next round");
        assertEq(token.balanceOf(treasury), t1Cut + 221_499_999_778_500_000_000, "t2 still paid");
    }

    function test_reward_belowCeilingKeepsRate() public {
        _reward(t1);
        _reward(t2);
        assertLt(token.balanceOf(treasury), TREASURY_CEILING, "below 750k");
        assertEq(bm.nextRoundTreasuryRewardCutRate(), TREASURY_CUT_RATE, "rate kept");
    }
}
