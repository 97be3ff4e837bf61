// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {IManager} from "../../contracts/interfaces/IManager.sol";
import {ProtocolTest} from "../ProtocolTest.sol";

/// @notice One test per past bug of the reference BondingManager (PROTOCOL.md, "Known past bugs").
contract RegressionsTest is ProtocolTest {
    address internal t = makeAddr("T");
    address internal t2 = makeAddr("T2");

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t, 1000 ether, 100_000, 500_000);
    }

    /* BONDING FOR / TRANSFERRING TO THE ZERO ADDRESS */

    function test_bondForWithHint_revertsIfOwnerIsZeroAddress() public {
        _fund(alice, 10 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IManager.ZeroAddress.selector));
        bm.bondForWithHint(10 ether, address(0), t, address(0), address(0), address(0), address(0));
    }

    function test_bondForWithHint_revertsIfDelegateIsZeroAddress() public {
        _fund(alice, 10 ether);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IManager.ZeroAddress.selector));
        bm.bondForWithHint(10 ether, alice, address(0), address(0), address(0), address(0), address(0));
    }

    function test_transferBond_revertsIfReceiverIsZeroAddress() public {
        _bond(alice, 10 ether, t);
        _nextRound();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IManager.ZeroAddress.selector));
        bm.transferBond(address(0), 5 ether, address(0), address(0), address(0), address(0));
    }

    /* FORCED SELF-DELEGATION / CHANGE OF DELEGATE BY A THIRD PARTY */

    function test_bondForWithHint_revertsIfThirdPartyForcesSelfDelegation() public {
        _fund(attacker, 10 ether);
        // alice is unbonded: bonding her to herself would register her as a transcoder.
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InvalidDelegate.selector, alice, alice));
        bm.bondForWithHint(10 ether, alice, alice, address(0), address(0), address(0), address(0));
        assertFalse(bm.isRegisteredTranscoder(alice), "alice not made a transcoder");
    }

    function test_bondForWithHint_revertsIfThirdPartyChangesDelegate() public {
        _registerTranscoder(t2, 1000 ether, 100_000, 500_000);
        _bond(alice, 10 ether, t);
        _fund(attacker, 10 ether);
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InvalidDelegate.selector, alice, t2));
        bm.bondForWithHint(10 ether, alice, t2, address(0), address(0), address(0), address(0));
        (,, address delegate,,,,) = bm.getDelegator(alice);
        assertEq(delegate, t, "alice still delegated to T");

        // Adding stake to the same delegate is allowed.
        vm.prank(attacker);
        bm.bondForWithHint(10 ether, alice, t, address(0), address(0), address(0), address(0));
        assertEq(_bondedAmount(alice), 20 ether, "third party added stake");
    }

    function test_transferBond_revertsIfUnbondedReceiverWouldSelfDelegate() public {
        // alice delegates to bob (not a transcoder); moving stake to unbonded bob would make bob
        // delegate to himself, i.e. register him as a transcoder against his will.
        _bond(alice, 10 ether, bob);
        _nextRound();
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.InvalidDelegate.selector, bob, bob));
        bm.transferBond(bob, 5 ether, address(0), address(0), address(0), address(0));
        assertFalse(bm.isRegisteredTranscoder(bob), "bob not made a transcoder");
    }

    /* REWARD GRIEFING */

    function test_bondForWithHint_revertsIfThirdPartyClaimsBeforeReward() public {
        _bond(alice, 100 ether, t);
        _nextRound();
        _reward(t);
        _nextRound();
        // New round, T has not called reward yet: a forced claim would cost alice this round's reward.
        _fund(attacker, 1 ether);
        vm.prank(attacker);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.ClaimBeforeReward.selector, alice, t));
        bm.bondForWithHint(1 ether, alice, t, address(0), address(0), address(0), address(0));

        // After the reward the same call goes through, and alice's earnings include this round.
        _reward(t);
        uint256 pending = _pendingStake(alice);
        vm.prank(attacker);
        bm.bondForWithHint(1 ether, alice, t, address(0), address(0), address(0), address(0));
        assertEq(_bondedAmount(alice), pending + 1 ether, "claim after reward includes this round");
    }

    function test_transferBond_revertsIfClaimForcedBeforeReward() public {
        _registerTranscoder(t2, 1000 ether, 100_000, 500_000);
        _bond(alice, 100 ether, t);
        _bond(bob, 100 ether, t2);
        _nextRound();
        _reward(t);
        _nextRound();
        // bob sends stake to alice, whose transcoder T has not rewarded this round.
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.ClaimBeforeReward.selector, alice, t));
        bm.transferBond(alice, 10 ether, address(0), address(0), address(0), address(0));
    }

    /* REBOND FROM UNBONDED INITIALISES THE POOL */

    function test_rebondFromUnbonded_doesNotEarnRewardsFromBeforeBonding() public {
        _bond(alice, 100 ether, t);
        _nextRound();
        vm.prank(alice);
        bm.unbond(100 ether); // lock 0, alice now unbonded
        // T earns two rounds of rewards while alice is out: CRF grows well above 1.
        _reward(t);
        _nextRound();
        _reward(t);
        uint256 r1 = roundsManager.currentRound();
        (,,, uint256 crfBefore,) = bm.getTranscoderEarningsPoolForRound(t, r1);
        assertGt(crfBefore, 1e27, "CRF grew");

        // Next round, before T's reward: rebond from unbonded. The pool for this round has no factors yet.
        uint256 r2 = _nextRound();
        vm.prank(alice);
        bm.rebondFromUnbonded(t, 0);
        (,,, uint256 crfInit,) = bm.getTranscoderEarningsPoolForRound(t, r2);
        assertEq(crfInit, crfBefore, "pool factors initialised from the last reward round");
        assertEq(_pendingStake(alice), 100 ether, "no past rewards on rebond");

        // T skips r2, rewards in r3: alice earns exactly r3's growth of the factor.
        uint256 r3 = _nextRound();
        _reward(t);
        (,,, uint256 crfEnd,) = bm.getTranscoderEarningsPoolForRound(t, r3);
        uint256 expected = 100 ether * (crfEnd * 1e27 / crfBefore) / 1e27;
        assertEq(_pendingStake(alice), expected, "rewards only since rebonding");
        // With an uninitialised pool (the old bug) alice would get 100 * crfEnd / 1e27: every past reward.
        assertLt(_pendingStake(alice), 100 ether * crfEnd / 1e27, "less than the buggy figure");
    }

    /* FEES TO A TRANSCODER THAT IS NOT ACTIVE */

    function test_updateTranscoderWithFees_revertsIfTranscoderNotYetActive() public {
        // Registered this round: active only from the next round.
        _registerTranscoder(t2, 1000 ether, 100_000, 500_000);
        assertTrue(bm.isRegisteredTranscoder(t2), "registered");
        assertFalse(bm.isActiveTranscoder(t2), "not active yet");
        _expectFeesRevert(t2);
    }

    function test_updateTranscoderWithFees_revertsIfTranscoderOutsideFullPool() public {
        // Fill the pool (T + 9 more), then register a smaller one that cannot get in.
        for (uint256 i; i < NUM_ACTIVE_TRANSCODERS - 1; ++i) {
            _registerTranscoder(makeAddr(string.concat("filler", vm.toString(i))), 2000 ether, 0, 0);
        }
        _registerTranscoder(t2, 1 ether, 100_000, 500_000);
        _nextRound();
        assertEq(bm.getTranscoderPoolSize(), NUM_ACTIVE_TRANSCODERS, "pool full");
        assertTrue(bm.isRegisteredTranscoder(t2), "registered");
        assertFalse(bm.isActiveTranscoder(t2), "not active");
        _expectFeesRevert(t2);
    }

    /* CLAIM-ORDER INDEPENDENCE */

    function test_claimEarnings_orderIndependent() public {
        _bond(alice, 300 ether, t);
        _bond(bob, 700 ether, t);
        for (uint256 i; i < 5; ++i) {
            _nextRound();
            _reward(t);
            _payFees(t, 0.37 ether + i);
        }
        _nextRound();
        _reward(t);

        uint256 snap = vm.snapshotState();
        _claimAs(alice);
        _claimAs(bob);
        _claimAs(t);
        (uint256 aliceStake1, uint256 aliceFees1,,,,,) = bm.getDelegator(alice);
        (uint256 bobStake1, uint256 bobFees1,,,,,) = bm.getDelegator(bob);
        (uint256 tStake1, uint256 tFees1,,,,,) = bm.getDelegator(t);

        vm.revertToState(snap);
        _claimAs(t);
        _claimAs(bob);
        _claimAs(alice);
        (uint256 aliceStake2, uint256 aliceFees2,,,,,) = bm.getDelegator(alice);
        (uint256 bobStake2, uint256 bobFees2,,,,,) = bm.getDelegator(bob);
        (uint256 tStake2, uint256 tFees2,,,,,) = bm.getDelegator(t);

        assertGt(aliceStake1, 300 ether, "alice earned rewards");
        assertGt(bobFees1, 0, "bob earned fees");
        assertEq(aliceStake2, aliceStake1, "alice stake independent of claim order");
        assertEq(aliceFees2, aliceFees1, "alice fees independent of claim order");
        assertEq(bobStake2, bobStake1, "bob stake independent of claim order");
        assertEq(bobFees2, bobFees1, "bob fees independent of claim order");
        assertEq(tStake2, tStake1, "T stake independent of claim order");
        assertEq(tFees2, tFees1, "T fees independent of claim order");
    }

    /* HELPERS */

    function _claimAs(address who) internal {
        vm.prank(who);
        bm.claimEarnings(0);
    }

    function _expectFeesRevert(address transcoder) internal {
        uint256 round = roundsManager.currentRound();
        vm.deal(ticketBroker, 1 ether);
        vm.startPrank(ticketBroker);
        minter.depositETH{value: 1 ether}();
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotActive.selector, transcoder));
        bm.updateTranscoderWithFees(transcoder, 1 ether, round);
        vm.stopPrank();
    }
}
