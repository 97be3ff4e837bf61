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
}
