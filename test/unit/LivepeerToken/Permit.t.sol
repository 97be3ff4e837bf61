// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../../BaseTest.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

contract PermitTest is BaseTest {
    bytes32 internal constant PERMIT_TYPEHASH =
        keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)");

    function test_permit_setsAllowanceFromSignature() public {
        (address holder, uint256 key) = makeAddrAndKey("holder");
        uint256 deadline = block.timestamp + 1 hours;
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, holder, bob, 7 ether, 0, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);

        token.permit(holder, bob, 7 ether, deadline, v, r, s);
        assertEq(token.allowance(holder, bob), 7 ether, "allowance");
        assertEq(token.nonces(holder), 1, "nonce");
    }

    function test_permit_revertsWhenExpired() public {
        (address holder, uint256 key) = makeAddrAndKey("holder");
        uint256 deadline = block.timestamp - 1;
        bytes32 structHash = keccak256(abi.encode(PERMIT_TYPEHASH, holder, bob, 1, 0, deadline));
        bytes32 digest = keccak256(abi.encodePacked("\x19\x01", token.DOMAIN_SEPARATOR(), structHash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);

        vm.expectRevert(abi.encodeWithSelector(ERC20Permit.ERC2612ExpiredSignature.selector, deadline));
        token.permit(holder, bob, 1, deadline, v, r, s);
    }
}
