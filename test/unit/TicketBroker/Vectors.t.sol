// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IRoundsManager} from "../../../contracts/interfaces/IRoundsManager.sol";
import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Checks test/vectors/tickets.json (see test/vectors/README.md) against the contract: the hash, the
/// signature rule, the win rule, and a full redemption with the chain state the vector's auxData names.
contract TicketBrokerVectorsTest is BrokerUnitTest {
    string internal constant PATH = "./test/vectors/tickets.json";
    /// @dev The recipient every vector names: vm.addr(0x0DD) (see GenerateTicketVectors.s.sol).
    uint256 internal constant RECIPIENT_KEY = 0x0DD;

    struct Vector {
        string name;
        ITicketBroker.Ticket ticket;
        uint256 signerKey;
        bytes32 ticketHash;
        bytes signature;
        uint256 recipientRand;
        string expected;
    }

    string internal json;
    uint256 internal count;

    function setUp() public override {
        super.setUp();
        json = vm.readFile(PATH);
        while (vm.keyExistsJson(json, _key(count, ""))) {
            count++;
        }
        _registerTranscoder(vm.addr(RECIPIENT_KEY), 1000 ether, 100_000, 500_000);
        _nextRound(); // vector recipient active
    }

    function test_vectors_atLeastTwenty() public view {
        assertGe(count, 20, "vector count");
    }

    function test_vectors_hashMatchesContract() public view {
        for (uint256 i; i < count; i++) {
            Vector memory v = _load(i);
            assertEq(broker.getTicketHash(v.ticket), v.ticketHash, string.concat(v.name, ": ticket hash"));
        }
    }

    function test_vectors_signerKeyMatches() public view {
        for (uint256 i; i < count; i++) {
            Vector memory v = _load(i);
            bool wrongSigner = keccak256(bytes(v.name)) == keccak256("sig_wrong_signer");
            assertEq(vm.addr(v.signerKey) == v.ticket.sender, !wrongSigner, string.concat(v.name, ": signer key"));
        }
    }

    /// The pure rules, independent of chain state: auxData length, recipientRand, signature, win.
    function test_vectors_pureRulesMatchExpected() public view {
        for (uint256 i; i < count; i++) {
            Vector memory v = _load(i);
            assertEq(_pureOutcome(v), v.expected, string.concat(v.name, ": outcome"));
        }
    }

    /// The contract's signature rule (OpenZeppelin's tryRecover on 65 bytes) agrees with the plain
    /// ecrecover + low-s + v in {27, 28} rule the vectors document.
    function test_vectors_signatureRuleMatchesContractLibrary() public view {
        for (uint256 i; i < count; i++) {
            Vector memory v = _load(i);
            bytes32 digest = _ethSignDigest(v.ticketHash);
            bool libValid;
            if (v.signature.length == 65) {
                (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, v.signature);
                libValid = err == ECDSA.RecoverError.NoError && signer == v.ticket.sender;
            }
            assertEq(libValid, _validSig(v.signature, digest, v.ticket.sender), string.concat(v.name, ": sig rule"));
        }
    }

    /// Every vector redeemed against the real contract, the RoundsManager mocked to the round its auxData
    /// names (and that round's block hash), the sender funded.
    function test_vectors_redeemAgainstContract() public {
        for (uint256 i; i < count; i++) {
            Vector memory v = _load(i);
            vm.deal(address(this), 1 ether);
            broker.fundDepositAndReserveFor{value: 1 ether}(v.ticket.sender, 1 ether, 0);
            if (v.ticket.auxData.length == 64) {
                (uint256 round, bytes32 blockHash) = abi.decode(v.ticket.auxData, (uint256, bytes32));
                vm.mockCall(address(roundsManager), abi.encodeCall(IRoundsManager.currentRound, ()), abi.encode(round));
                vm.mockCall(
                    address(roundsManager), abi.encodeCall(IRoundsManager.lastInitializedRound, ()), abi.encode(round)
                );
                vm.mockCall(
                    address(roundsManager),
                    abi.encodeCall(IRoundsManager.blockHashForRound, (round)),
                    abi.encode(blockHash)
                );
            }
            bytes memory err = _expectedError(v, _deposit(v.ticket.sender));
            if (err.length != 0) vm.expectRevert(err);
            vm.prank(v.ticket.recipient);
            broker.redeemWinningTicket(v.ticket, v.signature, v.recipientRand);
            assertEq(_used(v.ticket), err.length == 0, string.concat(v.name, ": used iff paid"));
            vm.clearMockedCalls();
        }
    }

    /* HELPERS */

    /// @dev The senders fund only a deposit, so a winning ticket above it is deferred (the vectors' tickets
    /// are redeemed in their creation round, not their last).
    function _expectedError(Vector memory v, uint256 deposit) internal pure returns (bytes memory) {
        bytes32 e = keccak256(bytes(v.expected));
        if (e == keccak256("win")) {
            // A winning ticket of face value 0 would pay nothing: the contract refuses to burn it.
            if (v.ticket.faceValue == 0) {
                return abi.encodeWithSelector(ITicketBroker.NothingToPay.selector, v.ticket.sender, v.ticket.recipient);
            }
            if (v.ticket.faceValue > deposit) {
                return abi.encodeWithSelector(
                    ITicketBroker.InsufficientFunds.selector,
                    v.ticket.sender,
                    v.ticket.recipient,
                    v.ticket.faceValue,
                    deposit
                );
            }
            return "";
        }
        if (e == keccak256("lose")) return abi.encodeWithSelector(ITicketBroker.TicketDidNotWin.selector);
        if (e == keccak256("InvalidSignature")) return abi.encodeWithSelector(ITicketBroker.InvalidSignature.selector);
        if (e == keccak256("RecipientRandMismatch")) {
            return abi.encodeWithSelector(ITicketBroker.RecipientRandMismatch.selector);
        }
        if (e == keccak256("InvalidAuxDataLength")) {
            return abi.encodeWithSelector(ITicketBroker.InvalidAuxDataLength.selector, v.ticket.auxData.length);
        }
        revert(string.concat("unknown expected outcome: ", v.expected));
    }

    function _pureOutcome(Vector memory v) internal pure returns (string memory) {
        if (v.ticket.auxData.length != 64) return "InvalidAuxDataLength";
        if (keccak256(abi.encodePacked(v.recipientRand)) != v.ticket.recipientRandHash) return "RecipientRandMismatch";
        if (!_validSig(v.signature, _ethSignDigest(v.ticketHash), v.ticket.sender)) return "InvalidSignature";
        return uint256(keccak256(abi.encodePacked(v.signature, v.recipientRand))) < v.ticket.winProb ? "win" : "lose";
    }

    function _ethSignDigest(bytes32 hash) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
    }

    function _validSig(bytes memory sig, bytes32 digest, address sender) internal pure returns (bool) {
        if (sig.length != 65) return false;
        (bytes32 r, bytes32 s, uint8 v) = _split(sig);
        if (uint256(s) > SECP256K1_N / 2 || (v != 27 && v != 28)) return false;
        address signer = ecrecover(digest, v, r, s);
        return signer != address(0) && signer == sender;
    }

    function _key(uint256 i, string memory field) internal pure returns (string memory) {
        return string.concat(".vectors[", vm.toString(i), "]", field);
    }

    function _uint(uint256 i, string memory field) internal view returns (uint256) {
        return uint256(vm.parseJsonBytes32(json, _key(i, field)));
    }

    function _load(uint256 i) internal view returns (Vector memory v) {
        v.name = vm.parseJsonString(json, _key(i, ".name"));
        v.ticket = ITicketBroker.Ticket({
            recipient: vm.parseJsonAddress(json, _key(i, ".ticket.recipient")),
            sender: vm.parseJsonAddress(json, _key(i, ".ticket.sender")),
            faceValue: _uint(i, ".ticket.faceValue"),
            winProb: _uint(i, ".ticket.winProb"),
            senderNonce: _uint(i, ".ticket.senderNonce"),
            recipientRandHash: vm.parseJsonBytes32(json, _key(i, ".ticket.recipientRandHash")),
            auxData: vm.parseJsonBytes(json, _key(i, ".ticket.auxData"))
        });
        v.signerKey = _uint(i, ".signerKey");
        v.ticketHash = vm.parseJsonBytes32(json, _key(i, ".ticketHash"));
        v.signature = vm.parseJsonBytes(json, _key(i, ".signature"));
        v.recipientRand = _uint(i, ".recipientRand");
        v.expected = vm.parseJsonString(json, _key(i, ".expected"));
    }
}
