// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";

/// @notice updateTranscoderWithFees: TicketBroker only, current round's pool, feeShare split, fee factor.
contract UpdateTranscoderWithFeesTest is ProtocolTest {
    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    uint256 internal round1;

    // Round1, one fee of 1 ETH before any reward (prevCRF = 1e27, totalStake 2000e18):
    // delegatorsFees = 1e18 * 500,000 / 1e6 = 0.5e18;
    // CFF = 0 + 1e27 * (0.5e18 * 1e27 / 2000e18) / 1e27 = 2.5e23.
    uint256 internal constant CFF_ONE_FEE = 2.5e23;
    // Round1's reward of t1 (see Reward.t.sol, test_reward_handComputed).
    uint256 internal constant CRF1 = 2_794_149_998_205_850_000_000_000_000;
    uint256 internal constant COMMISSION1 = 398_699_999_601_300_000_000;
    uint256 internal constant STAKE2 = 5_986_999_996_013_000_000_000; // 2000 + R of round1

    /// @dev t1: 1000 self + 1000 from alice, rewardCut 10%, feeShare 50%; t2: 1000 self. Active in round1.
    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        _registerTranscoder(t2, 1000 ether, 0, 500_000);
        round1 = _nextRound();
    }

    function _cff(address t, uint256 round) internal view returns (uint256 cff) {
        (,,,, cff) = bm.getTranscoderEarningsPoolForRound(t, round);
    }

    function _cumulativeFees(address t) internal view returns (uint256 cumulativeFees) {
        (,,,,,,,, cumulativeFees,) = bm.getTranscoder(t);
    }

    /* SPLIT AND FACTOR */

    function test_updateTranscoderWithFees_splitsByFeeShare() public {
        _payFees(t1, 1 ether);

        assertEq(_cff(t1, round1), CFF_ONE_FEE, "CFF");
        (uint256 totalStake,, uint256 feeShare,,) = bm.getTranscoderEarningsPoolForRound(t1, round1);
        assertEq(totalStake, 2000 ether, "pool stake recorded");
        assertEq(feeShare, 500_000, "pool feeShare recorded");
        (,,,,,,,, uint256 cumulativeFees, uint256 lastFeeRound) = bm.getTranscoder(t1);
        // Commission 1e18 - 0.5e18; no unclaimed rewards yet, so no reward-stake share.
        assertEq(cumulativeFees, 0.5 ether, "transcoder commission");
        assertEq(lastFeeRound, round1, "lastFeeRound");

        // alice: 1000e18 * (2.5e23 * 1e27 / 1e27) / 1e27 = 0.25e18; t1: the same on its bond + 0.5e18.
        assertEq(_pendingFees(alice), 0.25 ether, "alice");
        assertEq(_pendingFees(t1), 0.75 ether, "t1");
        assertEq(_pendingFees(t2), 0, "t2 untouched");
    }

    function test_updateTranscoderWithFees_afterRewardSameRoundUsesPreviousFactor() public {
        _payFees(t1, 1 ether);
        _reward(t1);
        _payFees(t1, 1 ether);
        // The reward of round1 does not change round1's fee base: prevCRF is still CRF[0] -> 1e27.
        assertEq(_cff(t1, round1), 2 * CFF_ONE_FEE, "CFF = 2.5e23 + 2.5e23");
        // Unclaimed rewards before round1's reward were 0 (activeCumulativeRewards): commission only.
        assertEq(_cumulativeFees(t1), 1 ether, "two commissions");
        assertEq(_pendingFees(alice), 0.5 ether, "alice");
    }

    /// @dev Exact fees after a missed reward (docs/compatibility.md): round2 has no reward, so fees
    /// after round3's reward are valued at round1's factor (`prevRewardRound`), not an empty round2's.
    function test_updateTranscoderWithFees_afterMissedRoundUsesLastRewardFactor() public {
        _reward(t1); // round1: CRF1
        _nextRound(); // round2: no reward
        uint256 round3 = _nextRound();
        _reward(t1);
        _payFees(t1, 1 ether);
        // CRF1 * (0.5e18 * 1e27 / STAKE2) / 1e27; an empty base (1e27) would give 8.35e22.
        assertEq(_cff(t1, round3), 233_351_428_099_765_682_952_021, "fee factor over round1's reward factor");
        assertEq(_cff(t1, round3), CRF1 * (0.5 ether * 1e27 / STAKE2) / 1e27, "formula");
    }

    function test_updateTranscoderWithFees_handComputedAfterEarlierReward() public {
        _payFees(t1, 1 ether); // round1: CFF 2.5e23
        _reward(t1); // round1: CRF1, cumulativeRewards = COMMISSION1
        uint256 round2 = _nextRound();
        assertEq(bm.transcoderTotalStake(t1), STAKE2, "stake going into round2");

        // Fees before round2's reward: prevCRF = CRF1, prevCFF = CFF[round1], totalStake = STAKE2.
        // increment = CRF1 * (0.5e18 * 1e27 / STAKE2) / 1e27 = 233,351,428,099,765,682,952,021.
        uint256 increment = 233_351_428_099_765_682_952_021;
        assertEq(increment, CRF1 * (0.5 ether * 1e27 / STAKE2) / 1e27, "increment formula");
        // Reward-stake share: 0.5e18 * (COMMISSION1 * 1e27 / STAKE2) / 1e27 = 33,297,143,800,468,634.
        uint256 rewardStakeFees = 33_297_143_800_468_634;
        assertEq(rewardStakeFees, 0.5 ether * (COMMISSION1 * 1e27 / STAKE2) / 1e27, "reward-stake formula");

        _payFees(t1, 1 ether);
        assertEq(_cff(t1, round2), CFF_ONE_FEE + increment, "CFF before reward");
        assertEq(_cumulativeFees(t1), 0.5 ether + 0.5 ether + rewardStakeFees, "cumulativeFees before reward");

        // After round2's reward the base stays CRF1 (prevRewardRound) and activeCumulativeRewards
        // (COMMISSION1) still stands for the unclaimed rewards the round started with.
        _reward(t1);
        _payFees(t1, 1 ether);
        assertEq(_cff(t1, round2), CFF_ONE_FEE + 2 * increment, "CFF after reward");
        assertEq(_cumulativeFees(t1), 1.5 ether + 2 * rewardStakeFees, "cumulativeFees after reward");

        // alice: 1000e18 * CFF / 1e27 = 716,702,856,199,531,365 (her start factors are round0's: zero).
        assertEq(_pendingFees(alice), 716_702_856_199_531_365, "alice");
        assertEq(_pendingFees(t1), 716_702_856_199_531_365 + 1.5 ether + 2 * rewardStakeFees, "t1");
        // 3 ETH paid; everything but rounding dust is owed.
        uint256 owed = _pendingFees(alice) + _pendingFees(t1);
        assertLe(owed, 3 ether, "never more than paid");
        assertApproxEqAbs(owed, 3 ether, 1e6, "dust only");
    }

    function test_updateTranscoderWithFees_roundArgumentIgnored() public {
        uint256 fees = 1 ether;
        vm.deal(ticketBroker, 2 * fees);
        vm.startPrank(ticketBroker);
        minter.depositETH{value: 2 * fees}();
        bm.updateTranscoderWithFees(t1, fees, round1 + 5);
        bm.updateTranscoderWithFees(t1, fees, 0);
        vm.stopPrank();

        assertEq(_cff(t1, round1), 2 * CFF_ONE_FEE, "both in the current round");
        assertEq(_cff(t1, round1 + 5), 0, "nothing in the future round");
        assertEq(_cff(t1, 0), 0, "nothing in round 0");
        (,,,,,,,,, uint256 lastFeeRound) = bm.getTranscoder(t1);
        assertEq(lastFeeRound, round1, "lastFeeRound = current");
    }

    function test_updateTranscoderWithFees_fullFeeShareGoesToDelegators() public {
        _registerTranscoder(makeAddr("t3"), 1000 ether, 0, 1e6);
        _nextRound();
        address t3 = makeAddr("t3");
        _payFees(t3, 1 ether);
        // All 1e18 through the factor: t3 is the only stake, so its bond gets it all.
        assertEq(_cumulativeFees(t3), 0, "no commission");
        assertEq(_pendingFees(t3), 1 ether, "t3 via CFF");
    }

    function testFuzz_updateTranscoderWithFees_neverOwesMoreThanPaid(uint256 fees, uint256 feeShare) public {
        fees = bound(fees, 1, 1000 ether);
        feeShare = bound(feeShare, 0, 1e6);
        address t3 = makeAddr("t3");
        _registerTranscoder(t3, 1000 ether, 0, feeShare);
        _bond(bob, 3000 ether, t3);
        _nextRound();
        _payFees(t3, fees);
        uint256 delegatorsFees = fees * feeShare / 1e6;
        assertEq(_cumulativeFees(t3), fees - delegatorsFees, "commission");
        uint256 owed = _pendingFees(bob) + _pendingFees(t3);
        assertLe(owed, fees, "never more than paid");
        assertApproxEqAbs(owed, fees, 2, "at most rounding dust");
    }

    /* GUARDS */

    function test_updateTranscoderWithFees_revertsIfNotTicketBroker() public {
        vm.deal(attacker, 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, attacker, keccak256("TicketBroker"))
        );
        vm.prank(attacker);
        bm.updateTranscoderWithFees(t1, 1 ether, round1);

        // Not even the transcoder itself or the RoundsManager.
        vm.expectRevert(abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, t1, keccak256("TicketBroker")));
        vm.prank(t1);
        bm.updateTranscoderWithFees(t1, 1 ether, round1);
    }

    /// @dev REGRESSION (PROTOCOL.md past bugs): a transcoder receiving fees while not active.
    function test_updateTranscoderWithFees_revertsIfRegisteredButNotActive() public {
        address t3 = makeAddr("t3");
        _registerTranscoder(t3, 1000 ether, 0, 500_000); // activates next round
        assertTrue(bm.isRegisteredTranscoder(t3), "registered");
        assertFalse(bm.isActiveTranscoder(t3), "not active");
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, t3));
        vm.prank(ticketBroker);
        bm.updateTranscoderWithFees(t3, 1 ether, round1);
    }

    /// @dev REGRESSION: an evicted transcoder is still registered but cannot receive fees once its
    /// deactivation round has come.
    function test_updateTranscoderWithFees_revertsIfEvictedFromPool() public {
        vm.prank(owner);
        bm.setNumActiveTranscoders(2);
        // t3 with 1500 evicts t2 (1000) from round2.
        address t3 = makeAddr("t3");
        _registerTranscoder(t3, 1500 ether, 0, 500_000);
        _payFees(t2, 1 ether); // still active in round1
        _nextRound();
        assertTrue(bm.isRegisteredTranscoder(t2), "still registered");
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, t2));
        vm.prank(ticketBroker);
        bm.updateTranscoderWithFees(t2, 1 ether, round1 + 1);
    }

    function test_updateTranscoderWithFees_revertsIfNotRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotRegistered.selector, alice));
        vm.prank(ticketBroker);
        bm.updateTranscoderWithFees(alice, 1 ether, round1);

        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotRegistered.selector, attacker));
        vm.prank(ticketBroker);
        bm.updateTranscoderWithFees(attacker, 1 ether, round1);
    }

    function test_updateTranscoderWithFees_revertsIfPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(ticketBroker);
        bm.updateTranscoderWithFees(t1, 1 ether, round1);
    }
}
