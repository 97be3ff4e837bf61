// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Script, console} from "forge-std/Script.sol";

/// @notice Prints test/vectors/tickets.json. Deterministic: fixed test keys, fixed fields, RFC 6979 signatures.
/// Regenerate with:
///   forge script test/vectors/GenerateTicketVectors.s.sol | python3 test/vectors/extract.py > test/vectors/tickets.json
/// The outcome is computed here by the protocol rules (PROTOCOL.md, TicketBroker), independently of the contract.
contract GenerateTicketVectors is Script {
    uint256 internal constant SENDER_KEY = 0xA11CE;
    uint256 internal constant OTHER_KEY = 0xB0B;
    uint256 internal constant N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    struct V {
        string name;
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData;
        uint256 signerKey;
        bytes signature;
        uint256 recipientRand;
    }

    string internal out;
    uint256 internal count;

    function run() external {
        address recipient = vm.addr(0x0DD);
        address sender = vm.addr(SENDER_KEY);
        bytes memory aux = abi.encode(uint256(1_004_242), keccak256("block 1004242"));
        uint256 half = 1 << 255;

        _add(_v("win_max_winprob", recipient, sender, 1 ether, type(uint256).max, 1, 11, aux), "");
        _add(_v("lose_zero_winprob", recipient, sender, 1 ether, 0, 2, 12, aux), "");
        _add(_v("lose_winprob_one", recipient, sender, 1 ether, 1, 3, 13, aux), "");
        for (uint256 i; i < 8; i++) {
            _add(
                _v(
                    string.concat("half_winprob_nonce_", vm.toString(100 + i)),
                    recipient,
                    sender,
                    0.01 ether,
                    half,
                    100 + i,
                    1000 + i,
                    aux
                ),
                ""
            );
        }
        _add(_v("win_zero_face_value", recipient, sender, 0, type(uint256).max, 4, 14, aux), "");
        _add(_v("win_max_face_value", recipient, sender, type(uint256).max, type(uint256).max, 5, 15, aux), "");
        _add(
            _v(
                "win_max_nonce_and_rand",
                recipient,
                sender,
                1 ether,
                type(uint256).max,
                type(uint256).max,
                type(uint256).max,
                aux
            ),
            ""
        );
        _add(
            _v(
                "win_other_round",
                recipient,
                sender,
                1 ether,
                type(uint256).max,
                6,
                16,
                abi.encode(uint256(1_000_007), keccak256("block 1000007"))
            ),
            ""
        );

        // auxData of the wrong length: the contract rejects these before looking at the signature.
        _add(_v("aux_empty", recipient, sender, 1 ether, type(uint256).max, 7, 17, ""), "");
        _add(
            _v("aux_32_bytes", recipient, sender, 1 ether, type(uint256).max, 8, 18, abi.encode(uint256(1_004_242))), ""
        );
        _add(
            _v("aux_96_bytes", recipient, sender, 1 ether, type(uint256).max, 9, 19, bytes.concat(aux, bytes32(0))), ""
        );

        V memory v = _v("rand_mismatch", recipient, sender, 1 ether, type(uint256).max, 10, 20, aux);
        v.recipientRand = 21;
        _add(v, "");

        // Bad signatures.
        v = _v("sig_compact_64_bytes", recipient, sender, 1 ether, type(uint256).max, 20, 30, aux);
        _add(v, "compact");
        v = _v("sig_high_s", recipient, sender, 1 ether, type(uint256).max, 21, 31, aux);
        _add(v, "highS");
        v = _v("sig_wrong_signer", recipient, sender, 1 ether, type(uint256).max, 22, 32, aux);
        v.signerKey = OTHER_KEY;
        _add(v, "");
        v = _v("sig_66_bytes", recipient, sender, 1 ether, type(uint256).max, 23, 33, aux);
        _add(v, "long");
        v = _v("sig_empty", recipient, sender, 1 ether, type(uint256).max, 24, 34, aux);
        _add(v, "empty");
        v = _v("sig_v_0_or_1", recipient, sender, 1 ether, type(uint256).max, 25, 35, aux);
        _add(v, "rawV");
        v = _v("sig_zeroes_65_bytes", recipient, sender, 1 ether, type(uint256).max, 26, 36, aux);
        _add(v, "zeroes");

        console.log(string.concat("VECTORS_JSON_BEGIN\n", _header(), out, "\n  ]\n}\nVECTORS_JSON_END"));
    }

    function _header() internal pure returns (string memory) {
        return string.concat(
            "{\n  \"version\": 1,\n",
            "  \"rules\": \"hash = keccak256(abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData)); ",
            "valid signature = exactly 65 bytes r||s||v, v in {27,28}, s <= n/2, ecrecover(keccak256('\\\\x19Ethereum Signed Message:\\\\n32' || hash)) == sender; ",
            "win = uint256(keccak256(signature || recipientRand)) < winProb\",\n",
            "  \"vectors\": [\n"
        );
    }

    function _v(
        string memory name,
        address recipient,
        address sender,
        uint256 faceValue,
        uint256 winProb,
        uint256 nonce,
        uint256 rand,
        bytes memory aux
    ) internal pure returns (V memory v) {
        v = V(
            name,
            recipient,
            sender,
            faceValue,
            winProb,
            nonce,
            keccak256(abi.encodePacked(rand)),
            aux,
            SENDER_KEY,
            "",
            rand
        );
    }

    function _add(V memory v, string memory sigKind) internal {
        bytes32 hash = keccak256(
            abi.encodePacked(
                v.recipient, v.sender, v.faceValue, v.winProb, v.senderNonce, v.recipientRandHash, v.auxData
            )
        );
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
        (uint8 sv, bytes32 r, bytes32 s) = vm.sign(v.signerKey, digest);
        bytes32 k = keccak256(bytes(sigKind));
        if (k == keccak256("compact")) {
            v.signature = abi.encodePacked(r, bytes32(uint256(s) | (uint256(sv - 27) << 255)));
        } else if (k == keccak256("highS")) {
            v.signature = abi.encodePacked(r, bytes32(N - uint256(s)), sv == 27 ? uint8(28) : uint8(27));
        } else if (k == keccak256("long")) {
            v.signature = abi.encodePacked(r, s, sv, uint8(0));
        } else if (k == keccak256("empty")) {
            v.signature = "";
        } else if (k == keccak256("rawV")) {
            v.signature = abi.encodePacked(r, s, sv - 27);
        } else if (k == keccak256("zeroes")) {
            v.signature = new bytes(65);
        } else {
            v.signature = abi.encodePacked(r, s, sv);
        }

        string memory item = string.concat(
            count == 0 ? "" : ",\n",
            "    {\n      \"name\": \"",
            v.name,
            "\",\n      \"ticket\": ",
            _ticketJson(v),
            ",\n      \"signerKey\": \"",
            vm.toString(bytes32(v.signerKey)),
            "\",\n      \"ticketHash\": \"",
            vm.toString(hash)
        );
        item = string.concat(
            item,
            "\",\n      \"signature\": \"",
            vm.toString(v.signature),
            "\",\n      \"recipientRand\": \"",
            vm.toString(bytes32(v.recipientRand)),
            "\",\n      \"expected\": \"",
            _outcome(v, digest),
            "\"\n    }"
        );
        out = string.concat(out, item);
        count++;
    }

    function _ticketJson(V memory v) internal pure returns (string memory json) {
        json = string.concat(
            "{\n        \"recipient\": \"",
            vm.toString(v.recipient),
            "\",\n        \"sender\": \"",
            vm.toString(v.sender),
            "\",\n        \"faceValue\": \"",
            vm.toString(bytes32(v.faceValue)),
            "\",\n        \"winProb\": \"",
            vm.toString(bytes32(v.winProb))
        );
        json = string.concat(
            json,
            "\",\n        \"senderNonce\": \"",
            vm.toString(bytes32(v.senderNonce)),
            "\",\n        \"recipientRandHash\": \"",
            vm.toString(v.recipientRandHash),
            "\",\n        \"auxData\": \"",
            vm.toString(v.auxData),
            "\"\n      }"
        );
    }

    /// @dev The pure rules in the contract's order (chain-state rules between them do not apply to vectors).
    function _outcome(V memory v, bytes32 digest) internal pure returns (string memory) {
        if (v.auxData.length != 64) return "InvalidAuxDataLength";
        if (keccak256(abi.encodePacked(v.recipientRand)) != v.recipientRandHash) return "RecipientRandMismatch";
        if (!_validSig(v.signature, digest, v.sender)) return "InvalidSignature";
        return uint256(keccak256(abi.encodePacked(v.signature, v.recipientRand))) < v.winProb ? "win" : "lose";
    }

    function _validSig(bytes memory sig, bytes32 digest, address sender) internal pure returns (bool) {
        if (sig.length != 65) return false;
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        if (uint256(s) > N / 2 || (v != 27 && v != 28)) return false;
        address signer = ecrecover(digest, v, r, s);
        return signer != address(0) && signer == sender;
    }
}
