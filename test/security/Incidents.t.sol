// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "../unit/TicketBroker/BrokerUnitTest.sol";

/// @notice One regression test per incident class of the reference protocol (issue 9 and PROTOCOL.md,
/// "Known past bugs"), each replaying the exploit and showing it now fails. More cases per class:
/// test/integration/Regressions.t.sol and test/security/TicketAttacks.t.sol.
contract IncidentsTest is BrokerUnitTest {
    uint256 internal constant RAND = 0xBADC0DE;

    address internal t2 = makeAddr("incidentTranscoder2");

    /// Stake accounting drift: transferBond to an account "bonded to the zero address" (an unbonded
    /// receiver, or the zero address itself) moved stake out of the sender's pool without adding it to
    /// any pool, so the pools' totals drifted from the delegators' bonds.
    function test_incident_stakeDriftThroughTransferBondToZeroDelegate() public {
        _bond(alice, 100 ether, orchestrator);
        _nextRound();
        uint256 poolStake = bm.transcoderTotalStake(orchestrator);
        uint256 nextTotal = bm.nextRoundTotalActiveStake();

        vm.prank(alice);
        vm.expectRevert();
        bm.transferBond(address(0), 40 ether, address(0), address(0), address(0), address(0));

        // bob has never bonded (delegate == address(0)): he receives the stake into alice's pool.
        (,, address bobDelegate,,,,) = bm.getDelegator(bob);
        assertEq(bobDelegate, address(0), "bob bonded to nobody");
        vm.prank(alice);
        bm.transferBond(bob, 40 ether, address(0), address(0), address(0), address(0));
        (uint256 bobBonded,, address bobDelegateAfter,,,,) = bm.getDelegator(bob);
        assertEq(bobDelegateAfter, orchestrator, "bob takes alice's delegate");
        assertEq(bobBonded, 40 ether, "bob bonded the amount");
        assertEq(bm.transcoderTotalStake(orchestrator), poolStake, "pool stake unchanged: no drift");
        assertEq(bm.nextRoundTotalActiveStake(), nextTotal, "total active stake unchanged");
        assertEq(
            _bondedAmount(alice) + _bondedAmount(bob) + _bondedAmount(orchestrator),
            bm.transcoderTotalStake(orchestrator),
            "pool = sum of its delegators' bonds"
        );
    }

    /// Claim-order dependence: a delegator's rewards depended on whether others claimed first.
    function test_incident_claimOrderDependenceOfRewards() public {
        _bond(alice, 300 ether, orchestrator);
        _bond(bob, 700 ether, orchestrator);
        for (uint256 i; i < 3; i++) {
            _nextRound();
            _reward(orchestrator);
        }
        uint256 snap = vm.snapshotState();
        _claim(alice);
        _claim(bob);
        uint256 alice1 = _bondedAmount(alice);
        uint256 bob1 = _bondedAmount(bob);
        vm.revertToState(snap);
        _claim(bob);
        _claim(alice);
        assertGt(alice1, 300 ether, "alice earned");
        assertEq(_bondedAmount(alice), alice1, "alice's rewards do not depend on claim order");
        assertEq(_bondedAmount(bob), bob1, "bob's rewards do not depend on claim order");
    }

    /// Precision mixing: the fee factor was once updated with a 1e6 (PERC_DIVISOR) ratio inside 1e27
    /// (PRECISE_DIVISOR) math, scaling fees by 1e21 either way. A delegator's share of a ticket must be
    /// its exact fraction of the delegators' share, to the wei.
    function test_incident_precisionMixingInFeeUpdates() public {
        // orchestrator: 1000 LPT self-bond, feeShare 50%. alice adds 1000 LPT: half the pool.
        _bond(alice, 1000 ether, orchestrator);
        _nextRound();
        // The round's pool: 2000 LPT at its start, alice's 1000 of it (the reward below is not in it).
        _reward(orchestrator);
        _fundBroadcaster(10 ether, 0);
        _redeem(_ticket(orchestrator, 1 ether, WIN_ALWAYS, 1, RAND), RAND);
        _nextRound();

        // Delegators' share 50% of 1 ether, alice's part stake/total of it (1e27 ratio truncated first).
        uint256 expected = 0.5 ether * (uint256(1000 ether) * 1e27 / 2000 ether) / 1e27;
        assertApproxEqAbs(_pendingFees(alice), expected, 2, "alice's fee share in wei, not scaled by 1e21");
        assertGt(_pendingFees(alice), 0.24 ether, "not scaled down");
        assertLt(_pendingFees(alice), 0.26 ether, "not scaled up");
    }

    /// Fee over-claim across rounds by a non-active recipient: a transcoder that left the active set
    /// could still be credited fees (and claim them in later rounds) for tickets redeemed after leaving.
    function test_incident_feeOverClaimByNonActiveRecipient() public {
        _registerTranscoder(t2, 500 ether, 100_000, 500_000);
        _nextRound();
        assertTrue(bm.isActiveTranscoder(t2), "t2 active");
        _fundBroadcaster(10 ether, 0);
        _redeem(_ticket(t2, 1 ether, WIN_ALWAYS, 1, RAND), RAND);

        // t2 resigns (full unbond): active until the round ends, then out.
        vm.prank(t2);
        bm.unbond(500 ether);
        _nextRound();
        assertFalse(bm.isActiveTranscoder(t2), "t2 no longer active");
        uint256 feesBefore = _pendingFees(t2);

        ITicketBroker.Ticket memory late = _ticket(t2, 1 ether, WIN_ALWAYS, 2, RAND);
        bytes memory sig = _sign(broadcasterKey, late);
        vm.expectRevert(abi.encodeWithSelector(IBondingManager.TranscoderNotRegistered.selector, t2));
        _redeemWith(late, sig, RAND);
        assertFalse(_used(late), "ticket left unused");
        assertEq(_pendingFees(t2), feesBefore, "no fees credited after leaving");

        // What it earned while active is withdrawable exactly once.
        vm.prank(t2);
        bm.withdrawFees(payable(t2), feesBefore);
        vm.prank(t2);
        vm.expectRevert();
        bm.withdrawFees(payable(t2), 1);
    }

    /// Redemption front-run with a dust deposit (livepeer/protocol#657): anyone racing the recipient
    /// with a 1-wei `fundDepositAndReserveFor` got the winning ticket redeemed, and burned, for 1 wei.
    /// Now a ticket is paid its face value or stays unused; a covered ticket still pays in full.
    function test_incident_redemptionFrontRunWithDustDeposit() public {
        // The sender's funds are gone; an attacker tops it up with 1 wei just before the redemption.
        address attacker = makeAddr("attacker");
        vm.deal(attacker, 1);
        vm.prank(attacker);
        broker.fundDepositAndReserveFor{value: 1}(broadcaster, 1, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 1 ether, WIN_ALWAYS, 1, RAND);
        bytes memory sig = _sign(broadcasterKey, t);
        vm.expectRevert(
            abi.encodeWithSelector(ITicketBroker.InsufficientFunds.selector, broadcaster, orchestrator, 1 ether, 1)
        );
        _redeemWith(t, sig, RAND);
        assertFalse(_used(t), "a dust-only ticket is not burned");
        assertEq(_deposit(broadcaster), 1, "the dust stays");

        // Once the sender funds it, the same ticket pays its face value.
        _fundBroadcaster(1 ether, 0);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 1 ether);
        _redeemWith(t, sig, RAND);
        assertEq(_deposit(broadcaster), 1, "face value taken, the dust left");
    }

    /// Reserve over-claim with Sybil recipients: registering many recipients let a sender's reserve be
    /// drained by one party. Each active recipient takes at most reserve / poolSize per round and a
    /// non-active Sybil takes nothing.
    function test_incident_reserveOverClaimWithSybilRecipients() public {
        address[] memory sybils = _registerMany(3, 1000 ether); // pool of 4
        address outsider = makeAddr("incidentOutsider");
        vm.prank(owner);
        bm.setNumActiveTranscoders(4);
        _registerTranscoder(outsider, 1 ether, 0, 0); // no room: never active
        _nextRound();
        _fundBroadcaster(0, 8 ether); // slice = 2 ether
        uint256 taken;
        for (uint256 i; i < sybils.length; i++) {
            // A ticket above the slice cannot be paid (InsufficientFunds); one at the slice can, once.
            ITicketBroker.Ticket memory big = _ticket(sybils[i], 8 ether, WIN_ALWAYS, 10 + i, RAND);
            bytes memory bigSig = _sign(broadcasterKey, big);
            vm.expectRevert(
                abi.encodeWithSelector(
                    ITicketBroker.InsufficientFunds.selector, broadcaster, sybils[i], 8 ether, 2 ether
                )
            );
            _redeemWith(big, bigSig, RAND);
            _redeem(_ticket(sybils[i], 2 ether, WIN_ALWAYS, 20 + i, RAND), RAND);
            taken += broker.claimedReserve(broadcaster, sybils[i]);
            assertEq(broker.claimedReserve(broadcaster, sybils[i]), 2 ether, "one slice per Sybil");
        }
        assertEq(taken, 6 ether, "three Sybils: three slices");
        assertEq(broker.claimableReserve(broadcaster, outsider), 0, "non-active Sybil: nothing");
        assertEq(broker.claimableReserve(broadcaster, orchestrator), 2 ether, "honest slice intact");
    }

    function _claim(address who) internal {
        vm.prank(who);
        bm.claimEarnings(0);
    }
}
