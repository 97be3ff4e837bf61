// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {BrokerTest} from "../BrokerTest.sol";

contract TicketSmokeTest is BrokerTest {
    function test_smoke_fundRedeemWithdrawFees() public {
        _fundBroadcaster(1 ether, 1 ether);
        ITicketBroker.Ticket memory ticket = _ticket(orchestrator, 0.3 ether, WIN_ALWAYS, 1, 42);
        _redeem(ticket, 42);
        assertTrue(broker.usedTickets(broker.getTicketHash(ticket)), "used");
        (ITicketBroker.Sender memory sender,) = broker.getSenderInfo(broadcaster);
        assertEq(sender.deposit, 0.7 ether, "deposit debited");
        assertEq(address(minter).balance, 2 ether, "ETH held by the Minter");

        _nextRound();
        uint256 fees = _pendingFees(orchestrator);
        assertEq(fees, 0.3 ether, "all fees to the self-delegated orchestrator");
        vm.prank(orchestrator);
        bm.withdrawFees(payable(orchestrator), fees);
        assertEq(orchestrator.balance, 0.3 ether, "paid out");
    }
}
