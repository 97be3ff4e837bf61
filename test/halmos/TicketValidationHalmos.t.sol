// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TicketBroker} from "../../contracts/TicketBroker.sol";
import {IRoundsManager} from "../../contracts/interfaces/IRoundsManager.sol";
import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {Test} from "forge-std/Test.sol";

/// @dev Exposes the TicketBroker's ticket validation (no state written) with a given round context.
contract TicketBrokerValidationHarness is TicketBroker {
    function check(
        Ticket calldata ticket,
        bytes calldata sig,
        uint256 recipientRand,
        IRoundsManager rm,
        uint256 round,
        uint256 validityPeriod
    ) external view returns (bytes memory) {
        RedeemContext memory ctx;
        (ctx.rm, ctx.round, ctx.validityPeriod) = (rm, round, validityPeriod);
        return _checkWinningTicket(ticket, _ticketHash(ticket), sig, recipientRand, ctx);
    }
}

/// @dev Rounds whose block hash is recorded: every round in [1, KNOWN_UNTIL], hash = keccak(round).
contract RoundsManagerStub {
    uint256 internal constant KNOWN_UNTIL = 1000;

    function blockHashForRound(uint256 round) external pure returns (bytes32) {
        return round != 0 && round <= KNOWN_UNTIL ? keccak256(abi.encode(round)) : bytes32(0);
    }
}

/// @notice Symbolic properties (halmos, `make halmos`) of ticket validation: the signature length rule,
/// auxData length and parsing, expiry, and the win check.
contract TicketValidationHalmos is Test {
    TicketBrokerValidationHarness internal broker;
    RoundsManagerStub internal rm;

    function setUp() public {
        broker = new TicketBrokerValidationHarness();
        rm = new RoundsManagerStub();
    }

    /// @notice A signature that is not exactly 65 bytes is rejected (no EIP-2098 64-byte form, no padding).
    function check_signatureLengthRule(uint96 face, uint256 winProb, uint256 rand, uint8 lenSeed, uint8 round)
        public
        view
    {
        vm.assume(round != 0 && round <= 10);
        uint256 len = lenSeed % 4 == 0 ? 0 : lenSeed % 4 == 1 ? 64 : lenSeed % 4 == 2 ? 66 : 130;
        ITicketBroker.Ticket memory t = _ticket(face, winProb, rand, round);
        bytes memory failure = broker.check(t, new bytes(len), rand, IRoundsManager(address(rm)), round, 2);
        assert(bytes4(failure) == ITicketBroker.InvalidSignature.selector);
    }

    /// @notice auxData of any length but 64 is rejected with its length.
    function check_auxDataLengthRule(uint8 lenSeed, uint256 rand) public view {
        uint256 len = lenSeed % 3 == 0 ? 0 : lenSeed % 3 == 1 ? 63 : 96;
        ITicketBroker.Ticket memory t = _ticket(1, type(uint256).max, rand, 1);
        t.auxData = new bytes(len);
        bytes memory failure = broker.check(t, new bytes(65), rand, IRoundsManager(address(rm)), 1, 2);
        assert(
            keccak256(failure) == keccak256(abi.encodeWithSelector(ITicketBroker.InvalidAuxDataLength.selector, len))
        );
    }

    /// @notice auxData parses as (creationRound, blockHash): an unrecorded round and a wrong hash are
    /// named in the failure exactly as encoded.
    function check_auxDataParsing(uint256 creationRound, bytes32 hash, uint256 rand) public view {
        ITicketBroker.Ticket memory t = _ticket(1, type(uint256).max, rand, 1);
        t.auxData = abi.encode(creationRound, hash);
        bytes memory failure = broker.check(t, new bytes(65), rand, IRoundsManager(address(rm)), 1, 2);
        bytes32 recorded = rm.blockHashForRound(creationRound);
        if (recorded == 0) {
            assert(
                keccak256(failure)
                    == keccak256(abi.encodeWithSelector(ITicketBroker.UnknownCreationRound.selector, creationRound))
            );
        } else if (recorded != hash) {
            assert(
                keccak256(failure)
                    == keccak256(
                        abi.encodeWithSelector(
                            ITicketBroker.CreationRoundBlockHashMismatch.selector, creationRound, recorded, hash
                        )
                    )
            );
        }
    }

    /// @notice A ticket is valid for exactly `validityPeriod` rounds from its creation round.
    function check_expiry(uint8 creationRound, uint8 current, uint8 validity, uint256 rand) public view {
        vm.assume(creationRound != 0 && current >= creationRound);
        ITicketBroker.Ticket memory t = _ticket(1, type(uint256).max, rand, creationRound);
        bytes memory failure = broker.check(t, new bytes(0), rand, IRoundsManager(address(rm)), current, validity);
        bool expired = bytes4(failure) == ITicketBroker.TicketExpired.selector;
        assert(expired == (uint256(creationRound) + validity <= current));
    }

    /// @notice The recipient's random number must match the committed hash.
    function check_recipientRandMustMatch(uint256 rand, uint256 other) public view {
        vm.assume(rand != other);
        ITicketBroker.Ticket memory t = _ticket(1, type(uint256).max, rand, 1);
        bytes memory failure = broker.check(t, new bytes(65), other, IRoundsManager(address(rm)), 1, 2);
        assert(bytes4(failure) == ITicketBroker.RecipientRandMismatch.selector);
    }

    /// @notice The win rule `uint256(keccak256(sig, rand)) < winProb` is monotonic in winProb: a ticket
    /// that wins at some probability wins at every higher one, and winProb 0 never wins.
    function check_winRuleMonotonic(bytes32 r, bytes32 s, uint8 v, uint256 rand, uint256 w1, uint256 w2) public pure {
        vm.assume(w1 <= w2);
        uint256 draw = uint256(keccak256(abi.encodePacked(abi.encodePacked(r, s, v), rand)));
        if (draw < w1) assert(draw < w2);
        assert(!(draw < 0));
    }

    /// @notice A ticket naming no recipient or no sender is rejected before anything else is read.
    function check_zeroPartiesRejected(bool zeroRecipient, uint256 rand) public view {
        ITicketBroker.Ticket memory t = _ticket(1, type(uint256).max, rand, 1);
        if (zeroRecipient) t.recipient = address(0);
        else t.sender = address(0);
        bytes memory failure = broker.check(t, new bytes(65), rand, IRoundsManager(address(rm)), 1, 2);
        assert(
            bytes4(failure)
                == (zeroRecipient ? ITicketBroker.ZeroRecipient.selector : ITicketBroker.ZeroSender.selector)
        );
    }

    /* HELPERS */

    function _ticket(uint256 face, uint256 winProb, uint256 rand, uint256 round)
        internal
        pure
        returns (ITicketBroker.Ticket memory)
    {
        return ITicketBroker.Ticket({
            recipient: address(0xBEEF),
            sender: address(0xCAFE),
            faceValue: face,
            winProb: winProb,
            senderNonce: 1,
            recipientRandHash: keccak256(abi.encodePacked(rand)),
            auxData: abi.encode(round, keccak256(abi.encode(round)))
        });
    }
}
