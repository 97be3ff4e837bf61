// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {BrokerTest} from "../BrokerTest.sol";
import {TicketHandler} from "./TicketHandler.sol";

/// @notice Stateful invariants of the TicketBroker over random funding (own and third-party), unlocks,
/// cancels, withdrawals, single and batch redemptions (with replays and a non-active recipient), fee
/// withdrawals and (sometimes skipped) rounds; 3 broadcasters, 3 active orchestrators (active set of
/// 3) and one registered transcoder outside the active set.
contract TicketInvariantsTest is BrokerTest {
    uint256 internal constant NUM_ACTIVE = 3;
    /// @dev ETH the Minter holds beyond what senders and fee earners can take, besides stranded fees: each
    /// fee payment is shared through a cumulative fee factor truncated to 1e27 points and read back
    /// rounded down, so a ticket can leave < 1 wei per share it is read through (2: the orchestrator's
    /// pool share and its reward-stake share; the handler asserts <= 2 wei a ticket); a run redeems at
    /// most depth (100) x 6 tickets: <= 1,200 wei.
    uint256 internal constant MAX_ETH_DUST = 1200;

    TicketHandler internal handler;
    address internal orchestrator2 = makeAddr("orchestrator2");
    address internal orchestrator3 = makeAddr("orchestrator3");
    address internal standby = makeAddr("standby");
    address[] internal recipients;

    function setUp() public override {
        super.setUp(); // `orchestrator` active
        vm.prank(owner);
        bm.setNumActiveTranscoders(NUM_ACTIVE);
        _registerTranscoder(orchestrator2, 900 ether, 250_000, 250_000);
        _registerTranscoder(orchestrator3, 800 ether, 500_000, 900_000);
        // Registered, but the pool is full of larger stakes: never active.
        _registerTranscoder(standby, 100 ether, 100_000, 500_000);
        _nextRound();
        recipients.push(orchestrator);
        recipients.push(orchestrator2);
        recipients.push(orchestrator3);
        recipients.push(standby);
        for (uint256 i; i < NUM_ACTIVE; i++) {
            _reward(recipients[i]);
        }
        assertFalse(bm.isActiveTranscoder(standby), "standby not active");

        handler = new TicketHandler(broker, bm, minter, roundsManager, recipients, makeAddr("patron"));
        targetContract(address(handler));
    }

    /* INVARIANTS: one `invariant_` function per property, each its own campaign with its own seed (foundry.toml) */

    /// @notice A ticket is marked used only if a redemption of it succeeded, and then it paid its face value
    /// or was redeemed in its last round: no front-run, empty slice or too-small deposit burns a ticket for
    /// less. Checked for the tickets of the latest call: the handler never resubmits an unpaid ticket (replays
    /// resubmit paid ones, and invariant_noTicketPaidTwice keeps those paid once), so older tickets cannot change.
    /// forge-config: default.fuzz.seed = "0x301"
    /// forge-config: deep.fuzz.seed = "0x301"
    function invariant_ticketUsedOnlyWhenPaidInFullOrInItsLastRound() public view {
        for (uint256 i = handler.latestCallFirstTicket(); i < handler.createdCount(); i++) {
            bytes32 ticketHash = handler.createdHashes(i);
            bool used = broker.usedTickets(ticketHash);
            assertEq(used, handler.ghostRedemptions(ticketHash) != 0, "used iff a redemption paid");
            if (!used) continue;
            uint256 paid = handler.ghostPaidPerTicket(ticketHash);
            uint256 faceValue = handler.ghostFaceValue(ticketHash);
            if (handler.ghostPaidInLastRound(ticketHash)) assertLe(paid, faceValue, "last round: <= face value");
            else assertEq(paid, faceValue, "before its last round a used ticket paid its face value");
        }
    }

    /// @notice A sender's deposit + reserve is exactly what was funded for it minus what its paid tickets
    /// transferred (the events) and what it withdrew itself.
    /// forge-config: default.fuzz.seed = "0x302"
    /// forge-config: deep.fuzz.seed = "0x302"
    function invariant_senderFundsLeaveOnlyThroughTicketsAndWithdrawal() public view {
        for (uint256 i; i < handler.broadcasterCount(); i++) {
            address b = handler.broadcasters(i);
            (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory reserve) = broker.getSenderInfo(b);
            assertEq(
                sender.deposit + reserve.fundsRemaining,
                handler.ghostFundedFor(b) - handler.ghostPaidBy(b) - handler.ghostWithdrawnBy(b),
                "deposit + reserve = funded - paid by tickets - withdrawn by the sender"
            );
        }
    }

    /// @notice The Minter holds exactly what was funded minus what senders withdrew and fee earners took,
    /// and that covers every deposit, reserve and pending fee (nobody but the orchestrators themselves is
    /// delegated to them). What is left over is (1) fees stranded by a claim earlier in the same round
    /// (handler ghost, measured per redemption: an orchestrator that withdrew fees (which claims) and is
    /// then paid a ticket in the same round never sees the delegator share of that ticket that falls on
    /// its bonded stake, since its claim took round r's fee factor as start and later fees of round r
    /// raise that same factor; BondingManager behaviour, see the report) plus (2) rounding dust in
    /// [0, MAX_ETH_DUST].
    /// forge-config: default.fuzz.seed = "0x303"
    /// forge-config: deep.fuzz.seed = "0x303"
    function invariant_minterHoldsEveryDepositReserveAndFee() public view {
        uint256 balance = address(minter).balance;
        assertEq(
            balance,
            handler.ghostEthFunded() - handler.ghostEthWithdrawnBySenders() - handler.ghostFeesWithdrawn(),
            "Minter ETH = funded - withdrawn by senders - fees withdrawn"
        );
        uint256 owed;
        for (uint256 i; i < handler.broadcasterCount(); i++) {
            (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory reserve) =
                broker.getSenderInfo(handler.broadcasters(i));
            owed += sender.deposit + reserve.fundsRemaining;
        }
        for (uint256 i; i < recipients.length; i++) {
            owed += bm.pendingFees(recipients[i], 0);
        }
        assertGe(balance, owed + handler.ghostFeesStranded(), "Minter ETH >= deposits + reserves + fees + stranded");
        assertLe(balance - owed - handler.ghostFeesStranded(), MAX_ETH_DUST, "dust <= MAX_ETH_DUST");
    }

    /// @notice Every redeemed ticket was paid by exactly one redemption and is marked used; replays and
    /// redemptions the model said must fail never succeeded.
    /// forge-config: default.fuzz.seed = "0x304"
    /// forge-config: deep.fuzz.seed = "0x304"
    function invariant_noTicketPaidTwice() public view {
        assertEq(handler.ghostUnexpectedSuccesses(), 0, "no replay or invalid redemption succeeded");
        uint256 sum;
        for (uint256 i; i < handler.redeemedCount(); i++) {
            bytes32 ticketHash = handler.redeemedHashes(i);
            assertEq(handler.ghostRedemptions(ticketHash), 1, "one successful redemption per ticket");
            assertTrue(broker.usedTickets(ticketHash), "redeemed ticket marked used");
            sum += handler.ghostPaidPerTicket(ticketHash);
        }
        assertEq(sum, handler.ghostPaid(), "paid = sum over tickets");
    }

    /// @notice No recipient holds more of a sender's reserve this round than its slice
    /// (remaining + claimed this round) / pool size. (A sender cannot withdraw in a round in which its
    /// reserve was claimed: claims need round < withdrawRound, withdrawal round >= withdrawRound.)
    /// forge-config: default.fuzz.seed = "0x305"
    /// forge-config: deep.fuzz.seed = "0x305"
    function invariant_reserveClaimPerRecipientWithinItsSlice() public view {
        uint256 poolSize = bm.getTranscoderPoolSize();
        assertEq(poolSize, NUM_ACTIVE, "pool full");
        for (uint256 i; i < handler.broadcasterCount(); i++) {
            address b = handler.broadcasters(i);
            ITicketBroker.ReserveInfo memory reserve = broker.getReserveInfo(b);
            uint256 slice = (reserve.fundsRemaining + reserve.claimedInCurrentRound) / poolSize;
            uint256 sumClaimed;
            for (uint256 r; r < recipients.length; r++) {
                uint256 claimed = broker.claimedReserve(b, recipients[r]);
                assertLe(claimed, slice, "claimed by a recipient <= its slice");
                assertLe(
                    broker.claimableReserve(b, recipients[r]) + claimed,
                    r < NUM_ACTIVE ? slice : 0,
                    "claimable + claimed <= slice; nothing for a non-active transcoder"
                );
                sumClaimed += claimed;
            }
            assertEq(sumClaimed, reserve.claimedInCurrentRound, "claimed this round = sum over recipients");
        }
    }

    /// @notice What a sender's reserve paid this round is at most what it held when the round started
    /// plus what was funded into it during the round (funding mid-round raises the slices).
    /// forge-config: default.fuzz.seed = "0x306"
    /// forge-config: deep.fuzz.seed = "0x306"
    function invariant_reserveClaimedWithinWhatItHeldThisRound() public view {
        uint256 round = roundsManager.currentRound();
        for (uint256 i; i < handler.broadcasterCount(); i++) {
            address b = handler.broadcasters(i);
            ITicketBroker.ReserveInfo memory reserve = broker.getReserveInfo(b);
            assertLe(
                reserve.claimedInCurrentRound,
                handler.ghostReserveAtRoundStart(b, round) + handler.ghostReserveFundedInRound(b, round),
                "claimed this round <= reserve at round start + funded in round"
            );
        }
    }

    /// @notice Each sender's deposit, reserve, unlock round and claims this round are the ghost model's.
    /// forge-config: default.fuzz.seed = "0x307"
    /// forge-config: deep.fuzz.seed = "0x307"
    function invariant_senderAccountsMatchTheModel() public view {
        uint256 round = roundsManager.currentRound();
        for (uint256 i; i < handler.broadcasterCount(); i++) {
            address b = handler.broadcasters(i);
            (uint256 deposit, uint256 reserve, uint256 withdrawRound) = handler.ghostAccount(b);
            (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory info) = broker.getSenderInfo(b);
            assertEq(sender.deposit, deposit, "deposit = model");
            assertEq(sender.withdrawRound, withdrawRound, "withdrawRound = model");
            assertEq(info.fundsRemaining, reserve, "reserve = model");
            assertEq(info.claimedInCurrentRound, handler.ghostClaimedInRound(b, round), "claimed this round = model");
            assertEq(broker.isUnlockInProgress(b), withdrawRound != 0, "unlock in progress = model");
            for (uint256 r; r < recipients.length; r++) {
                assertEq(
                    broker.claimedReserve(b, recipients[r]),
                    handler.ghostClaimedBy(b, round, recipients[r]),
                    "claimed by recipient = model"
                );
            }
        }
    }

    /// @notice The handler's actions succeed from the setUp state: funding, redemptions from deposit and
    /// reserve, a batch with a loser, a replay, the standby, fees, unlock, withdraw.
    function test_handler_makesProgress() public {
        handler.fund(0, 1 ether, 3 ether, 2); // broadcaster1: deposit 1, reserve 3
        handler.fund(1, 0, 3 ether, 3); // patron funds broadcaster2's reserve
        handler.redeem(0, 0, 2 ether, false); // 1 from deposit + 1 from the 1-ether slice
        handler.redeem(0, 1, 0.5 ether, true); // previous round's ticket, from orchestrator2's slice
        handler.batchRedeem(1, 2, 4, 7, 1); // 4 tickets to orchestrator3, the second a loser
        handler.replay(0);
        handler.redeem(1, 3, 1 ether, false); // standby: fails
        handler.advanceRound(1);
        handler.withdrawFees(0, 1 ether);
        handler.unlock(0);
        handler.advanceRound(2);
        handler.withdraw(0);
        assertEq(handler.ghostRedeems(), 2, "redeems");
        assertEq(handler.ghostReserveClaims(), 3, "reserve claims: 2 single + 1 batch (slice of 1 ether)");
        assertEq(handler.ghostBatchRedeems(), 1, "batch");
        assertEq(handler.ghostExpectedFailures(), 2, "replay and standby failed");
        assertEq(handler.ghostFeeWithdrawals(), 1, "fees withdrawn");
        assertEq(handler.ghostWithdrawals(), 1, "withdrawn");
        invariant_minterHoldsEveryDepositReserveAndFee();
        invariant_noTicketPaidTwice();
        invariant_senderAccountsMatchTheModel();
        invariant_ticketUsedOnlyWhenPaidInFullOrInItsLastRound();
        invariant_senderFundsLeaveOnlyThroughTicketsAndWithdrawal();
    }

    /// @notice An underfunded ticket is skipped unused before its last round and settles for what is
    /// claimable in it, as the handler's model says.
    function test_handler_defersUnderfundedTicketsUntilTheirLastRound() public {
        handler.fund(0, 0.5 ether, 3 ether, 2); // slice of 1 ether per orchestrator
        handler.redeem(0, 0, 2 ether, false); // 0.5 + 1 < 2: deferred
        assertEq(handler.ghostExpectedFailures(), 1, "deferred");
        assertEq(handler.ghostRedeems(), 0, "nothing paid");
        handler.redeem(0, 0, 2 ether, true); // a ticket of the previous round: its last, pays 1.5
        assertEq(handler.ghostRedeems(), 1, "settled in its last round");
        assertEq(handler.ghostPaid(), 1.5 ether, "deposit + slice");
        invariant_ticketUsedOnlyWhenPaidInFullOrInItsLastRound();
        invariant_senderFundsLeaveOnlyThroughTicketsAndWithdrawal();
        invariant_senderAccountsMatchTheModel();
    }

    /// @notice What invariant_minterHoldsEveryDepositReserveAndFee sets aside as stranded: orchestrator3 (feeShare 90%) withdraws
    /// fees, which claims its earnings through this round, then is paid a ticket in the same round; the
    /// delegator share falling on its bonded stake goes into this round's fee factor, which its claim
    /// took as the start, so its pending fees grow by less than the ticket paid. After a claim in an
    /// earlier round the same ticket reaches its pending fees in full (checked by the handler to 2 wei).
    function test_handler_feesAfterSameRoundClaimAreStranded() public {
        handler.fund(0, 10 ether, 0, 0);
        handler.redeem(0, 2, 1 ether, false);
        handler.withdrawFees(2, 0.5 ether); // claims orchestrator3 through this round
        uint256 before = bm.pendingFees(orchestrator3, 0);
        handler.redeem(0, 2, 1 ether, false);
        uint256 increase = bm.pendingFees(orchestrator3, 0) - before;
        assertEq(handler.ghostStrandingRedemptions(), 1, "one stranding redemption");
        assertEq(handler.ghostFeesStranded(), 1 ether - increase, "stranded = paid - pending increase");
        // Commission (10%) always arrives; at most the 90% delegator share can be stranded.
        assertGt(handler.ghostFeesStranded(), 0, "some of the ticket stranded");
        assertLe(handler.ghostFeesStranded(), 0.9 ether, "at most the delegator share");

        handler.advanceRound(1);
        before = bm.pendingFees(orchestrator3, 0);
        handler.redeem(0, 2, 1 ether, false);
        assertApproxEqAbs(bm.pendingFees(orchestrator3, 0) - before, 1 ether, 2, "next round: paid in full");
        assertEq(handler.ghostStrandingRedemptions(), 1, "no new stranding");
        invariant_minterHoldsEveryDepositReserveAndFee();
    }
}
