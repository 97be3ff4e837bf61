// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {ProtocolTest} from "../ProtocolTest.sol";

/// @notice One scenario worked out by hand from PROTOCOL.md's formulas and checked to the wei.
///
/// Units: E = 1e18 (1 LPT / 1 ETH), P = 1e27. Genesis supply 30,000,000 E; inflation starts at 220,500,
/// inflationChange 500, target bonding rate 500,000,000 (all 1e9 scale); treasury cut 1e26 (10%).
/// Rounds: START_BLOCK 1,000,000 / ROUND_LENGTH 100 = round 10000, initialized in setUp with 0 bonded,
/// so inflation is already 220,500 + 500 = 221,000.
///
/// T: self-bond 1000 E, rewardCut 250,000 (25%), feeShare 600,000 (60% to delegators).
/// D: 3000 E bonded to T. Both bond in round 10000 (lastClaimRound 10000, whose CRF is 0 = "1.0").
contract HandComputedTest is ProtocolTest {
    uint256 internal constant E = 1e18;
    uint256 internal constant P = 1e27;

    address internal t = makeAddr("T");
    address internal d = makeAddr("D");

    // ---- Round 10001 ----
    // total active stake = 1000 E + 3000 E = 4000 E; supply 30,000,000 E (nothing minted yet).
    // bondingRate = 4000e18 * 1e9 / 30e24 = 133,333 < 500,000,000 -> inflation 221,000 + 500 = 221,500.
    // mintable = 30e24 * 221,500 / 1e9 = 6645 E.
    // createReward(4000 E, 4000 E): 6645 E * (4000e18 * 1e9 / 4000e18 = 1e9) / 1e9 = 6645 E.
    uint256 internal constant MINTED_1 = 6645 * E;
    // treasury = 6645 E * 1e26 / 1e27 = 664.5 E.
    uint256 internal constant TREASURY_1 = 6645 * E / 10;
    // R1 = 6645 - 664.5 = 5980.5 E.
    uint256 internal constant REWARDS_1 = 59_805 * E / 10;
    // commission = 5980.5 E * 250,000 / 1e6 = 1495.125 E; delegatorsRewards = 5980.5 - 1495.125 = 4485.375 E.
    uint256 internal constant COMMISSION_1 = 1_495_125 * E / 1000;
    uint256 internal constant DELEGATORS_REWARDS_1 = 4_485_375 * E / 1000;
    // CRF[10001] = 1e27 + 1e27 * (4485.375e18 * 1e27 / 4000e18 = 1.12134375e27) / 1e27 = 2.12134375e27.
    uint256 internal constant CRF_1 = 212_134_375 * P / 100_000_000;
    // T's cumulativeRewards: activeCumulativeRewards 0 -> reward-on-rewards 0, so just the commission.
    uint256 internal constant CUM_REWARDS_1 = COMMISSION_1;

    // Fees 1 E in round 10001, after the reward. delegatorsFees = 1 E * 600,000 / 1e6 = 0.6 E;
    // T's commission = 0.4 E; reward-on-rewards fees = 0.6 E * (0 * 1e27 / 4000 E) / 1e27 = 0.
    uint256 internal constant FEES = 1 ether;
    uint256 internal constant FEE_COMMISSION = 0.4 ether;
    // prevCRF = CRF of the last reward round before 10001 = none = 1e27; prevCFF = 0;
    // CFF[10001] = 0 + 1e27 * (0.6e18 * 1e27 / 4000e18 = 1.5e23) / 1e27 = 1.5e23.
    uint256 internal constant CFF_1 = 15 * P / 100_000;

    // Pending after round 10001 (start CRF = 1e27, start CFF = 0):
    // D stake = 3000 E * (2.12134375e27 * 1e27 / 1e27) / 1e27 = 6364.03125 E.
    uint256 internal constant D_STAKE_1 = 636_403_125 * E / 100_000;
    // D fees  = 3000 E * ((1.5e23 - 0) * 1e27 / 1e27) / 1e27 = 0.45 E.
    uint256 internal constant D_FEES = 0.45 ether;
    // T stake = 1000 E * 2.12134375 + cumulativeRewards 1495.125 = 2121.34375 + 1495.125 = 3616.46875 E.
    uint256 internal constant T_STAKE_1 = 361_646_875 * E / 100_000;
    // T fees  = 1000 E * 1.5e23 / 1e27 + cumulativeFees 0.4 = 0.15 + 0.4 = 0.55 E.
    uint256 internal constant T_FEES = 0.55 ether;

    // ---- Round 10002 ----
    // total active stake = 4000 + 5980.5 = 9980.5 E; supply = 30,000,000 + 6645 = 30,006,645 E.
    // bondingRate = 9980.5e18 * 1e9 / 30,006,645e18 = 332,609 < target -> inflation 222,000.
    // mintable = 30,006,645e18 * 222,000 / 1e9 = 6661.47519 E; T has the whole active stake, so
    // createReward(9980.5 E, 9980.5 E) mints all of it.
    uint256 internal constant TOTAL_STAKE_2 = 99_805 * E / 10;
    uint256 internal constant MINTED_2 = 666_147_519 * E / 100_000;
    // treasury = 6661.47519 E / 10 = 666.147519 E (the Treasury holds 664.5 E < 750,000 E ceiling).
    uint256 internal constant TREASURY_2 = 666_147_519 * E / 1_000_000;
    // R2 = 6661.47519 - 666.147519 = 5995.327671 E.
    uint256 internal constant REWARDS_2 = 5_995_327_671 * E / 1_000_000;
    // commission = 5995.327671 E * 250,000 / 1e6 = 1498.83191775 E;
    // delegatorsRewards = 5995.327671 - 1498.83191775 = 4496.49575325 E.
    uint256 internal constant COMMISSION_2 = 149_883_191_775 * E / 100_000_000;
    uint256 internal constant DELEGATORS_REWARDS_2 = 449_649_575_325 * E / 100_000_000;
    // Reward-on-rewards: T's unclaimed 1495.125 E was stake in round 10002 (activeCumulativeRewards).
    //   ratio = 1495.125e18 * 1e27 / 9980.5e18 = 149,804,619,007,063,774,360,002,003 (truncated)
    //   share = 4496.49575325e18 * ratio / 1e27  = 673,595,833,182,496,493,161 wei (truncated)
    uint256 internal constant REWARD_ON_REWARDS_2 = 673_595_833_182_496_493_161;
    // cumulativeRewards = 1495.125 E + 673.595833182496493161 E + 1498.83191775 E.
    uint256 internal constant CUM_REWARDS_2 = CUM_REWARDS_1 + REWARD_ON_REWARDS_2 + COMMISSION_2;
    // CRF[10002] = CRF_1 + CRF_1 * r / 1e27 with
    //   r = 4496.49575325e18 * 1e27 / 9980.5e18 = 450,528,105,130,003,506,838,334,752 (truncated)
    //   CRF_1 * r / 1e27 = 955,724,980,016,875,876,709,583,686 (truncated)
    //   CRF[10002] = 2,121,343,750,000,000,000,000,000,000 + 955,724,980,016,875,876,709,583,686
    uint256 internal constant CRF_2 = 3_077_068_730_016_875_876_709_583_686;
    // D stake = 3000e18 * (CRF_2 * 1e27 / 1e27) / 1e27 = 9,231,206,190,050,627,630,128,751,058e18 / 1e27
    //         = 9231.206190050627630128 E (truncated).
    uint256 internal constant D_STAKE_2 = 9_231_206_190_050_627_630_128;
    // T stake = 1000e18 * CRF_2 / 1e27 + CUM_REWARDS_2 = 3077.068730016875876709 E + 3667.552750932496493161 E.
    uint256 internal constant T_STAKE_2 = 3_077_068_730_016_875_876_709 + CUM_REWARDS_2;
    // No fees in round 10002: the end CFF falls back to CFF[10001], so both fees stay the same.

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t, 1000 * E, 250_000, 600_000);
        _bond(d, 3000 * E, t);
    }

    function test_handComputed_twoRewardsAndFees() public {
        assertEq(minter.inflation(), 221_000, "inflation after setUp's round");
        assertEq(_nextRound(), 10_001, "round 1");
        assertEq(bm.currentRoundTotalActiveStake(), 4000 * E, "round 1 active stake");
        assertEq(minter.inflation(), 221_500, "round 1 inflation");
        assertEq(minter.currentMintableTokens(), MINTED_1, "round 1 mintable");

        // -- reward, round 10001
        uint256 minterBefore = token.balanceOf(address(minter));
        vm.expectEmit(true, false, false, true, address(bm));
        emit IBondingManager.TreasuryReward(t, treasury, TREASURY_1);
        vm.expectEmit(true, false, false, true, address(bm));
        emit IBondingManager.Reward(t, REWARDS_1);
        _reward(t);
        assertEq(minter.currentMintedTokens(), MINTED_1, "round 1 minted");
        assertEq(token.balanceOf(treasury), TREASURY_1, "round 1 treasury");
        assertEq(token.balanceOf(address(minter)) - minterBefore, REWARDS_1, "round 1 minter keeps R");
        assertEq(REWARDS_1, COMMISSION_1 + DELEGATORS_REWARDS_1, "round 1 split");
        (uint256 totalStake, uint256 cut, uint256 share, uint256 crf, uint256 cff) =
            bm.getTranscoderEarningsPoolForRound(t, 10_001);
        assertEq(totalStake, 4000 * E, "round 1 pool stake");
        assertEq(cut, 250_000, "round 1 pool rewardCut");
        assertEq(share, 600_000, "round 1 pool feeShare");
        assertEq(crf, CRF_1, "CRF after reward 1");
        assertEq(cff, 0, "CFF before fees");
        (,,,,,, uint256 active, uint256 cumRewards, uint256 cumFees,) = bm.getTranscoder(t);
        assertEq(active, 0, "round 1 activeCumulativeRewards");
        assertEq(cumRewards, CUM_REWARDS_1, "round 1 T cumulativeRewards = commission");
        assertEq(cumFees, 0, "round 1 T cumulativeFees before fees");

        // -- fees, round 10001, after the reward
        _payFees(t, FEES);
        (,,,, cff) = bm.getTranscoderEarningsPoolForRound(t, 10_001);
        assertEq(cff, CFF_1, "CFF after fees");
        (,,,,,,,, cumFees,) = bm.getTranscoder(t);
        assertEq(cumFees, FEE_COMMISSION, "T cumulativeFees = fee commission");

        assertEq(_pendingStake(d), D_STAKE_1, "round 1 D pendingStake");
        assertEq(_pendingFees(d), D_FEES, "round 1 D pendingFees");
        assertEq(_pendingStake(t), T_STAKE_1, "round 1 T pendingStake");
        assertEq(_pendingFees(t), T_FEES, "round 1 T pendingFees");
        assertEq(D_STAKE_1 + T_STAKE_1, 4000 * E + REWARDS_1, "round 1 stakes add up exactly");
        assertEq(D_FEES + T_FEES, FEES, "round 1 fees add up exactly");
        assertEq(bm.transcoderTotalStake(t), TOTAL_STAKE_2, "T total stake after reward 1");

        // -- round 10002
        assertEq(_nextRound(), 10_002, "round 2");
        assertEq(bm.currentRoundTotalActiveStake(), TOTAL_STAKE_2, "round 2 active stake");
        assertEq(token.totalSupply(), 30_006_645 * E, "round 2 supply");
        assertEq(minter.inflation(), 222_000, "round 2 inflation");
        assertEq(minter.currentMintableTokens(), MINTED_2, "round 2 mintable");

        vm.expectEmit(true, false, false, true, address(bm));
        emit IBondingManager.TreasuryReward(t, treasury, TREASURY_2);
        vm.expectEmit(true, false, false, true, address(bm));
        emit IBondingManager.Reward(t, REWARDS_2);
        _reward(t);
        assertEq(minter.currentMintedTokens(), MINTED_2, "round 2 minted");
        assertEq(token.balanceOf(treasury), TREASURY_1 + TREASURY_2, "round 2 treasury");
        assertEq(REWARDS_2, COMMISSION_2 + DELEGATORS_REWARDS_2, "round 2 split");
        (totalStake,,, crf, cff) = bm.getTranscoderEarningsPoolForRound(t, 10_002);
        assertEq(totalStake, TOTAL_STAKE_2, "round 2 pool stake");
        assertEq(crf, CRF_2, "CRF after reward 2");
        assertEq(cff, 0, "round 2 CFF (no fees this round)");
        (,,,,,, active, cumRewards, cumFees,) = bm.getTranscoder(t);
        assertEq(active, CUM_REWARDS_1, "round 2 activeCumulativeRewards = unclaimed rewards");
        assertEq(cumRewards, CUM_REWARDS_2, "round 2 T cumulativeRewards");
        assertEq(cumFees, FEE_COMMISSION, "round 2 T cumulativeFees");

        assertEq(_pendingStake(d), D_STAKE_2, "round 2 D pendingStake");
        assertEq(_pendingFees(d), D_FEES, "round 2 D pendingFees");
        assertEq(_pendingStake(t), T_STAKE_2, "round 2 T pendingStake");
        assertEq(_pendingFees(t), T_FEES, "round 2 T pendingFees");
        // Truncation leaves 2 wei in the Minter: 9980.5 E + R2 - D_STAKE_2 - T_STAKE_2 = 2.
        assertEq(TOTAL_STAKE_2 + REWARDS_2 - D_STAKE_2 - T_STAKE_2, 2, "round 2 rounding dust");

        // Claiming pays exactly the pending figures.
        vm.prank(d);
        bm.claimEarnings(0);
        vm.prank(t);
        bm.claimEarnings(0);
        assertEq(_bondedAmount(d), D_STAKE_2, "D bonded after claim");
        assertEq(_bondedAmount(t), T_STAKE_2, "T bonded after claim");
        (, uint256 dFees,,,,,) = bm.getDelegator(d);
        (, uint256 tFees,,,,,) = bm.getDelegator(t);
        assertEq(dFees, D_FEES, "D fees after claim");
        assertEq(tFees, T_FEES, "T fees after claim");
    }
}
