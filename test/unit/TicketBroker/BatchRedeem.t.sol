// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";

contract TicketBrokerBatchRedeemTest is BrokerUnitTest {
    function test_batchRedeemWinningTickets_paysValidSkipsInvalid() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket[] memory tickets = new ITicketBroker.Ticket[](5);
        bytes[] memory sigs = new bytes[](5);
        uint256[] memory rands = new uint256[](5);
        for (uint256 i; i < 5; i++) {
            rands[i] = 100 + i;
            tickets[i] = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, i, rands[i]);
        }
        tickets[1].winProb = 0; // loses
        tickets[4] = tickets[0]; // duplicate: used by the time it comes up
        for (uint256 i; i < 5; i++) {
            sigs[i] = _sign(broadcasterKey, tickets[i]);
        }
        rands[3] = 7; // wrong recipientRand

        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 0.1 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 0.1 ether);
        vm.prank(orchestrator);
        broker.batchRedeemWinningTickets(tickets, sigs, rands);

        assertTrue(_used(tickets[0]), "0 paid");
        assertFalse(_used(tickets[1]), "1 lost");
        assertTrue(_used(tickets[2]), "2 paid");
        assertFalse(_used(tickets[3]), "3 wrong rand");
        assertEq(_deposit(broadcaster), 0.8 ether, "two tickets of 0.1 paid, duplicate not");
        _nextRound();
        assertEq(_pendingFees(orchestrator), 0.2 ether, "fees of the two valid tickets");
    }

    /// A ticket the deposit and slice cannot cover in full is skipped and stays unused; the tickets after it
    /// that can be covered are paid, and the skipped one pays in full once the sender tops up.
    function test_batchRedeemWinningTickets_skipsUnderfundedTicketsKeepsThemUnused() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket[] memory tickets = new ITicketBroker.Ticket[](3);
        bytes[] memory sigs = new bytes[](3);
        uint256[] memory rands = new uint256[](3);
        uint256[3] memory faceValues = [uint256(0.6 ether), 0.6 ether, 0.4 ether];
        for (uint256 i; i < 3; i++) {
            rands[i] = 200 + i;
            tickets[i] = _ticket(orchestrator, faceValues[i], WIN_ALWAYS, i, rands[i]);
            sigs[i] = _sign(broadcasterKey, tickets[i]);
        }
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 0.6 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.WinningTicketTransfer(broadcaster, orchestrator, 0.4 ether);
        vm.prank(orchestrator);
        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        assertTrue(_used(tickets[0]), "0 paid");
        assertFalse(_used(tickets[1]), "1: 0.4 left of 0.6, skipped");
        assertTrue(_used(tickets[2]), "2 paid from what 1 did not take");
        assertEq(_deposit(broadcaster), 0, "deposit spent on full payments only");

        _fundBroadcaster(0.6 ether, 0);
        _redeemWith(tickets[1], sigs[1], rands[1]);
        assertTrue(_used(tickets[1]), "paid in full after the top-up");
        assertEq(_deposit(broadcaster), 0, "face value paid");
    }

    function test_batchRedeemWinningTickets_neverRevertsWhenAllInvalid() public {
        ITicketBroker.Ticket[] memory tickets = new ITicketBroker.Ticket[](2);
        bytes[] memory sigs = new bytes[](2);
        uint256[] memory rands = new uint256[](2);
        tickets[0] = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, 1); // no funds
        sigs[0] = _sign(broadcasterKey, tickets[0]);
        rands[0] = 1;
        tickets[1] = _ticket(address(0), 0.1 ether, WIN_ALWAYS, 2, 2); // zero recipient
        sigs[1] = "";
        rands[1] = 2;
        vm.recordLogs();
        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        assertEq(vm.getRecordedLogs().length, 0, "nothing redeemed, no revert");
        assertFalse(_used(tickets[0]), "unused");
    }

    function test_batchRedeemWinningTickets_emptyBatch() public {
        vm.recordLogs();
        broker.batchRedeemWinningTickets(new ITicketBroker.Ticket[](0), new bytes[](0), new uint256[](0));
        assertEq(vm.getRecordedLogs().length, 0, "no-op");
    }

    function test_batchRedeemWinningTickets_skipsAllWhenPaused() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket[] memory tickets = new ITicketBroker.Ticket[](1);
        bytes[] memory sigs = new bytes[](1);
        uint256[] memory rands = new uint256[](1);
        tickets[0] = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, 1);
        sigs[0] = _sign(broadcasterKey, tickets[0]);
        rands[0] = 1;
        _pause();
        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        assertFalse(_used(tickets[0]), "not redeemed while paused");
        assertEq(_deposit(broadcaster), 1 ether, "deposit untouched");
    }

    function test_batchRedeemWinningTickets_revertsIfBatchLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.BatchLengthMismatch.selector));
        broker.batchRedeemWinningTickets(new ITicketBroker.Ticket[](1), new bytes[](2), new uint256[](1));
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.BatchLengthMismatch.selector));
        broker.batchRedeemWinningTickets(new ITicketBroker.Ticket[](1), new bytes[](1), new uint256[](0));
    }

    function test_batchRedeemWinningTickets_paysEachRecipientOfMixedRuns() public {
        address second = _registerMany(1, 1000 ether)[0];
        _nextRound(); // second active
        _fundBroadcaster(1 ether, 0);
        address[3] memory recipients = [orchestrator, second, orchestrator];
        (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands) = _batch(3, 0.1 ether);
        for (uint256 i; i < 3; i++) {
            tickets[i].recipient = recipients[i];
            sigs[i] = _sign(broadcasterKey, tickets[i]);
        }

        vm.expectCall(address(bm), abi.encodeCall(bm.updateTranscoderWithFees, (orchestrator, 0.1 ether, _round())), 2);
        vm.expectCall(address(bm), abi.encodeCall(bm.updateTranscoderWithFees, (second, 0.1 ether, _round())), 1);
        broker.batchRedeemWinningTickets(tickets, sigs, rands);

        for (uint256 i; i < 3; i++) {
            assertTrue(_used(tickets[i]), "every ticket of the three runs redeemed");
        }
        _nextRound();
        assertEq(_pendingFees(orchestrator), 0.2 ether, "orchestrator: its two tickets");
        assertEq(_pendingFees(second), 0.1 ether, "second: its ticket");
    }

    function test_batchRedeemWinningTickets_oneFeeCallPerRun() public {
        _fundBroadcaster(1 ether, 0);
        (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands) = _batch(4, 0.1 ether);

        vm.expectCall(address(bm), abi.encodeCall(bm.updateTranscoderWithFees, (orchestrator, 0.4 ether, _round())), 1);
        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        _nextRound();
        assertEq(_pendingFees(orchestrator), 0.4 ether, "four tickets' fees, paid at once");
    }

    function test_batchRedeemWinningTickets_feesEqualSingleRedemptions() public {
        // Same tickets, once batched and once one by one, in two otherwise identical worlds.
        _fundBroadcaster(1 ether, 0);
        (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands) = _batch(3, 0.1 ether + 7);
        uint256 snapshot = vm.snapshotState();
        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        _nextRound();
        uint256 batched = _pendingFees(orchestrator);
        vm.revertToState(snapshot);
        for (uint256 i; i < 3; i++) {
            broker.redeemWinningTicket(tickets[i], sigs[i], rands[i]);
        }
        _nextRound();
        // Splitting fees into delegator and commission parts rounds once per call: at most 1 wei per ticket.
        assertApproxEqAbs(batched, _pendingFees(orchestrator), 3, "batched fees = single fees");
        assertLe(batched, 3 * (0.1 ether + 7), "never more than paid");
    }

    function test_batchRedeemWinningTickets_skipsNonActiveRecipientKeepsTicketsUnused() public {
        address idle = makeAddr("idle"); // never registered
        _fundBroadcaster(1 ether, 0);
        (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands) = _batch(3, 0.1 ether);
        tickets[1].recipient = idle;
        sigs[1] = _sign(broadcasterKey, tickets[1]);

        broker.batchRedeemWinningTickets(tickets, sigs, rands);

        assertTrue(_used(tickets[0]), "active recipient paid");
        assertFalse(_used(tickets[1]), "non-active recipient's ticket stays unused");
        assertTrue(_used(tickets[2]), "active recipient paid after the skipped run");
        assertEq(_deposit(broadcaster), 0.8 ether, "only the two paid tickets debited");
    }

    function test_batchRedeemWinningTickets_skipsActiveButResignedRecipient() public {
        // Unbonding everything mid-round leaves the orchestrator active until the round ends but no longer
        // registered: updateTranscoderWithFees would revert, so the batch skips its tickets.
        _fundBroadcaster(1 ether, 0);
        (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands) = _batch(2, 0.1 ether);
        uint256 bonded = _bondedAmount(orchestrator);
        vm.prank(orchestrator);
        bm.unbond(bonded);
        assertTrue(bm.isActiveTranscoder(orchestrator), "still active this round");
        assertFalse(bm.isRegisteredTranscoder(orchestrator), "no longer registered");

        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        assertFalse(_used(tickets[0]), "unused");
        assertFalse(_used(tickets[1]), "unused");
        assertEq(_deposit(broadcaster), 1 ether, "deposit untouched");
    }

    function test_batchRedeemWinningTickets_skipsAllWhenRoundNotInitialized() public {
        _fundBroadcaster(1 ether, 0);
        (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands) = _batch(2, 0.1 ether);
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH); // next round, not initialized
        vm.recordLogs();
        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        assertEq(vm.getRecordedLogs().length, 0, "nothing redeemed");
        assertFalse(_used(tickets[0]), "unused");
    }

    function test_batchRedeemWinningTickets_ticketsFromTwoCreationRounds() public {
        _fundBroadcaster(1 ether, 0);
        (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands) = _batch(3, 0.1 ether);
        _nextRound();
        // Ticket 1 created this round, tickets 0 and 2 the round before: the block-hash cache must miss and refill.
        tickets[1] = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 99, rands[1]);
        sigs[1] = _sign(broadcasterKey, tickets[1]);
        tickets[2].auxData = abi.encode(_round() - 1, bytes32(uint256(1))); // wrong hash for the old round
        sigs[2] = _sign(broadcasterKey, tickets[2]);

        broker.batchRedeemWinningTickets(tickets, sigs, rands);
        assertTrue(_used(tickets[0]), "previous-round ticket paid");
        assertTrue(_used(tickets[1]), "current-round ticket paid");
        assertFalse(_used(tickets[2]), "wrong block hash for the cached round rejected");
    }

    function _round() internal view returns (uint256) {
        return roundsManager.currentRound();
    }

    /// @dev `count` signed winning tickets from the broadcaster to the orchestrator, rands 100, 101, ...
    function _batch(uint256 count, uint256 faceValue)
        internal
        view
        returns (ITicketBroker.Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory rands)
    {
        tickets = new ITicketBroker.Ticket[](count);
        sigs = new bytes[](count);
        rands = new uint256[](count);
        for (uint256 i; i < count; i++) {
            rands[i] = 100 + i;
            tickets[i] = _ticket(orchestrator, faceValue, WIN_ALWAYS, i, rands[i]);
            sigs[i] = _sign(broadcasterKey, tickets[i]);
        }
    }
}
