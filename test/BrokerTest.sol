// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TicketBroker} from "../contracts/TicketBroker.sol";
import {ITicketBroker} from "../contracts/interfaces/ITicketBroker.sol";
import {ProtocolTest} from "./ProtocolTest.sol";

/// @notice The whole protocol with the real TicketBroker registered as "TicketBroker" and "JobsManager"
/// (unlockPeriod and ticketValidityPeriod 2 rounds, as on Arbitrum One), an active orchestrator and a
/// funded broadcaster, plus ticket helpers.
abstract contract BrokerTest is ProtocolTest {
    uint256 internal constant UNLOCK_PERIOD = 2;
    uint256 internal constant TICKET_VALIDITY_PERIOD = 2;
    uint256 internal constant WIN_ALWAYS = type(uint256).max;

    TicketBroker internal broker;
    address internal orchestrator = makeAddr("orchestrator");
    address internal broadcaster;
    uint256 internal broadcasterKey;

    function setUp() public virtual override {
        super.setUp();
        broker = TicketBroker(
            _proxy(
                address(new TicketBroker()),
                abi.encodeCall(TicketBroker.initialize, (address(controller), UNLOCK_PERIOD, TICKET_VALIDITY_PERIOD))
            )
        );
        vm.startPrank(owner);
        _register("TicketBroker", address(broker));
        _register("JobsManager", address(broker));
        vm.stopPrank();
        vm.label(address(broker), "TicketBroker");

        (broadcaster, broadcasterKey) = makeAddrAndKey("broadcaster");
        _registerTranscoder(orchestrator, 1000 ether, 100_000, 500_000);
        _nextRound(); // orchestrator active
        vm.deal(broadcaster, 100 ether);
    }

    /* HELPERS */

    function _fundBroadcaster(uint256 deposit, uint256 reserve) internal {
        vm.prank(broadcaster);
        broker.fundDepositAndReserve{value: deposit + reserve}(deposit, reserve);
    }

    /// @dev A ticket from the broadcaster to `recipient` created in the current round.
    function _ticket(address recipient, uint256 faceValue, uint256 winProb, uint256 nonce, uint256 recipientRand)
        internal
        view
        returns (ITicketBroker.Ticket memory ticket)
    {
        uint256 round = roundsManager.currentRound();
        ticket = ITicketBroker.Ticket({
            recipient: recipient,
            sender: broadcaster,
            faceValue: faceValue,
            winProb: winProb,
            senderNonce: nonce,
            recipientRandHash: keccak256(abi.encodePacked(recipientRand)),
            auxData: abi.encode(round, roundsManager.blockHashForRound(round))
        });
    }

    /// @dev 65-byte eth_sign signature by `key` over the ticket hash.
    function _sign(uint256 key, ITicketBroker.Ticket memory ticket) internal view returns (bytes memory) {
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", broker.getTicketHash(ticket)));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    function _redeem(ITicketBroker.Ticket memory ticket, uint256 recipientRand) internal {
        bytes memory sig = _sign(broadcasterKey, ticket);
        vm.prank(ticket.recipient);
        broker.redeemWinningTicket(ticket, sig, recipientRand);
    }
}
