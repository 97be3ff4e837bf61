// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerTest} from "../../BrokerTest.sol";

/// @notice Shared helpers for the TicketBroker unit, security and vector suites.
abstract contract BrokerUnitTest is BrokerTest {
    /// @dev secp256k1 group order.
    uint256 internal constant SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    function _digest(ITicketBroker.Ticket memory ticket) internal view returns (bytes32) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", broker.getTicketHash(ticket)));
    }

    /// @dev The same signature, malleated to its high-s twin (s' = n - s, v flipped): it still recovers to the
    /// signer under plain ecrecover.
    function _highS(bytes memory sig) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        return abi.encodePacked(r, bytes32(SECP256K1_N - uint256(s)), v == 27 ? uint8(28) : uint8(27));
    }

    /// @dev EIP-2098 compact form of a 65-byte signature: r ‖ (yParity << 255 | s).
    function _compact(bytes memory sig) internal pure returns (bytes memory) {
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        return abi.encodePacked(r, bytes32(uint256(s) | (uint256(v - 27) << 255)));
    }

    function _split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
    }

    /// @dev Redeems `ticket` as its recipient with an explicit signature.
    function _redeemWith(ITicketBroker.Ticket memory ticket, bytes memory sig, uint256 recipientRand) internal {
        vm.prank(ticket.recipient);
        broker.redeemWinningTicket(ticket, sig, recipientRand);
    }

    function _deposit(address sender) internal view returns (uint256 deposit) {
        (ITicketBroker.Sender memory info,) = broker.getSenderInfo(sender);
        deposit = info.deposit;
    }

    function _withdrawRound(address sender) internal view returns (uint256 withdrawRound) {
        (ITicketBroker.Sender memory info,) = broker.getSenderInfo(sender);
        withdrawRound = info.withdrawRound;
    }

    function _reserve(address sender) internal view returns (uint256) {
        return broker.getReserveInfo(sender).fundsRemaining;
    }

    function _used(ITicketBroker.Ticket memory ticket) internal view returns (bool) {
        return broker.usedTickets(broker.getTicketHash(ticket));
    }

    /// @dev Registers `n` more transcoders with `stake` each; they are active from the next round.
    function _registerMany(uint256 n, uint256 stake) internal returns (address[] memory transcoders) {
        transcoders = new address[](n);
        for (uint256 i; i < n; i++) {
            transcoders[i] = makeAddr(string.concat("transcoder", vm.toString(i)));
            _registerTranscoder(transcoders[i], stake, 100_000, 500_000);
        }
    }
}
