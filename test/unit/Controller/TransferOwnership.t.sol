// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Controller} from "../../../contracts/Controller.sol";
import {IController} from "../../../contracts/interfaces/IController.sol";
import {BaseTest} from "../../BaseTest.sol";

contract TransferOwnershipTest is BaseTest {
    function test_transferOwnership_movesEveryOwnerPower() public {
        vm.expectEmit(address(controller));
        emit IController.OwnershipTransferred(owner, alice);
        vm.prank(owner);
        controller.transferOwnership(alice);
        assertEq(controller.owner(), alice, "owner");

        // The old owner lost the registry and the pause; the new one has them.
        vm.expectRevert(abi.encodeWithSelector(IController.CallerNotOwner.selector, owner));
        vm.prank(owner);
        controller.pause();
        vm.prank(alice);
        controller.pause();
        assertTrue(controller.paused(), "new owner paused");

        // Managers follow the Controller's owner for their own parameters.
        vm.prank(alice);
        roundsManager.setRoundLockAmount(0);
        assertEq(roundsManager.roundLockAmount(), 0, "manager param");
    }

    function test_transferOwnership_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IController.CallerNotOwner.selector, attacker));
        vm.prank(attacker);
        controller.transferOwnership(attacker);
    }

    function test_transferOwnership_revertsOnZeroAddress() public {
        vm.expectRevert(IController.ZeroOwner.selector);
        vm.prank(owner);
        controller.transferOwnership(address(0));
    }

    function test_constructor_setsOwnerAndStartsUnpaused() public {
        vm.expectEmit();
        emit IController.OwnershipTransferred(address(0), bob);
        Controller fresh = new Controller(bob);
        assertEq(fresh.owner(), bob, "owner");
        assertFalse(fresh.paused(), "paused");
    }

    function test_constructor_revertsOnZeroOwner() public {
        vm.expectRevert(IController.ZeroOwner.selector);
        new Controller(address(0));
    }

    function test_pausedSharesTheOwnerSlot() public {
        _pause();
        bytes32 slot0 = vm.load(address(controller), bytes32(0));
        assertEq(address(uint160(uint256(slot0))), owner, "owner in low bytes");
        assertEq(uint256(slot0) >> 160, 1, "paused flag packed next to it");
    }
}
