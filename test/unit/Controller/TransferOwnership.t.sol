// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Controller} from "../../../contracts/Controller.sol";
import {BaseTest} from "../../BaseTest.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract TransferOwnershipTest is BaseTest {
    function test_transferOwnership_movesEveryOwnerPower() public {
        vm.prank(owner);
        controller.transferOwnership(alice);
        assertEq(controller.owner(), alice, "owner");

        // The old owner lost the registry and the pause; the new one has them.
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, owner));
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
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, attacker));
        vm.prank(attacker);
        controller.transferOwnership(attacker);
    }

    function test_transferOwnership_revertsOnZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableInvalidOwner.selector, address(0)));
        vm.prank(owner);
        controller.transferOwnership(address(0));
    }

    function test_constructor_setsOwnerAndStartsUnpaused() public {
        Controller fresh = new Controller(bob);
        assertEq(fresh.owner(), bob, "owner");
        assertFalse(fresh.paused(), "paused");
    }
}
