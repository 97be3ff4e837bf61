// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TicketBroker as TicketBrokerImpl} from "../../../contracts/TicketBroker.sol";
import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";

contract TicketBrokerViewsTest is BrokerUnitTest {
    function testFuzz_getTicketHash_matchesPackedEncoding(
        address recipient,
        address sender,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        bytes32 recipientRandHash,
        bytes memory auxData
    ) public view {
        ITicketBroker.Ticket memory t = ITicketBroker.Ticket(
            recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData
        );
        bytes32 expected =
            keccak256(abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData));
        assertEq(broker.getTicketHash(t), expected, "packed hash");
    }

    function test_getTicketHash_isPure() public {
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 1 ether, WIN_ALWAYS, 1, 42);
        bytes32 h = broker.getTicketHash(t);
        // Same answer from a bare implementation with no controller, in another round and while paused.
        ITicketBroker impl = ITicketBroker(address(new TicketBrokerImpl()));
        assertEq(impl.getTicketHash(t), h, "no state read");
        _nextRound();
        _pause();
        assertEq(broker.getTicketHash(t), h, "independent of round and pause");
    }

    function test_getTicketHash_distinguishesEveryField() public view {
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 1 ether, WIN_ALWAYS, 1, 42);
        bytes32 h = broker.getTicketHash(t);
        ITicketBroker.Ticket memory u = _ticket(orchestrator, 1 ether, WIN_ALWAYS, 2, 42);
        assertTrue(broker.getTicketHash(u) != h, "nonce");
        u = _ticket(alice, 1 ether, WIN_ALWAYS, 1, 42);
        assertTrue(broker.getTicketHash(u) != h, "recipient");
        u = _ticket(orchestrator, 2 ether, WIN_ALWAYS, 1, 42);
        assertTrue(broker.getTicketHash(u) != h, "faceValue");
        u = _ticket(orchestrator, 1 ether, 1, 1, 42);
        assertTrue(broker.getTicketHash(u) != h, "winProb");
        u = _ticket(orchestrator, 1 ether, WIN_ALWAYS, 1, 43);
        assertTrue(broker.getTicketHash(u) != h, "recipientRandHash");
    }

    function test_getSenderInfo_reportsAccount() public {
        _fundBroadcaster(1 ether, 2 ether);
        vm.prank(broadcaster);
        broker.unlock();
        uint256 round = roundsManager.currentRound();
        (ITicketBroker.Sender memory s, ITicketBroker.ReserveInfo memory r) = broker.getSenderInfo(broadcaster);
        assertEq(s.deposit, 1 ether, "deposit");
        assertEq(s.withdrawRound, round + UNLOCK_PERIOD, "withdrawRound");
        assertEq(r.fundsRemaining, 2 ether, "reserve");
        assertEq(r.claimedInCurrentRound, 0, "claimed");
    }

    function test_getSenderInfo_emptyForUnknown() public view {
        (ITicketBroker.Sender memory s, ITicketBroker.ReserveInfo memory r) = broker.getSenderInfo(alice);
        assertEq(s.deposit + s.withdrawRound + r.fundsRemaining + r.claimedInCurrentRound, 0, "all zero");
    }

    function test_usedTickets_falseByDefault() public view {
        assertFalse(broker.usedTickets(bytes32(0)), "zero hash");
        assertFalse(broker.usedTickets(keccak256("x")), "any hash");
    }

    function test_claimableReserve_zeroWithoutReserve() public view {
        assertEq(broker.claimableReserve(broadcaster, orchestrator), 0, "no reserve");
    }

    function test_unlockPeriod_asInitialized() public view {
        assertEq(broker.unlockPeriod(), UNLOCK_PERIOD, "unlockPeriod");
    }

    function test_ticketValidityPeriod_asInitialized() public view {
        assertEq(broker.ticketValidityPeriod(), TICKET_VALIDITY_PERIOD, "ticketValidityPeriod");
    }
}
