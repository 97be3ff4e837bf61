// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IController} from "../../../contracts/interfaces/IController.sol";
import {BaseTest} from "../../BaseTest.sol";

contract SetContractInfoTest is BaseTest {
    bytes32 internal constant ID = keccak256("Widget");

    function test_setContractInfo_storesAddressAndCommit() public {
        vm.expectEmit(address(controller));
        emit IController.SetContractInfo(ID, alice, bytes20(uint160(0xabc)));
        vm.prank(owner);
        controller.setContractInfo(ID, alice, bytes20(uint160(0xabc)));

        (address addr, bytes20 commit) = controller.getContractInfo(ID);
        assertEq(addr, alice, "address");
        assertEq(commit, bytes20(uint160(0xabc)), "commit");
        assertEq(controller.getContract(ID), alice, "getContract");
    }

    function test_setContractInfo_overwritesAndUnsets() public {
        vm.startPrank(owner);
        controller.setContractInfo(ID, alice, bytes20(0));
        controller.setContractInfo(ID, bob, bytes20(uint160(1)));
        assertEq(controller.getContract(ID), bob, "overwritten");
        controller.setContractInfo(ID, address(0), bytes20(0));
        vm.stopPrank();
        assertEq(controller.getContract(ID), address(0), "unset");
    }

    function test_getContract_unknownIdIsZero() public view {
        (address addr, bytes20 commit) = controller.getContractInfo(keccak256("Nothing"));
        assertEq(addr, address(0), "address");
        assertEq(commit, bytes20(0), "commit");
    }

    function test_getContract_livesUnderKeccakOfName() public view {
        assertEq(controller.getContract(keccak256("Minter")), address(minter), "Minter");
        assertEq(controller.getContract(keccak256("JobsManager")), ticketBroker, "JobsManager alias");
    }

    function testFuzz_setContractInfo_revertsIfNotOwner(address caller) public {
        vm.assume(caller != owner);
        vm.expectRevert(abi.encodeWithSelector(IController.CallerNotOwner.selector, caller));
        vm.prank(caller);
        controller.setContractInfo(ID, alice, bytes20(0));
    }
}
