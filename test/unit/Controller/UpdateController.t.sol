// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Controller} from "../../../contracts/Controller.sol";
import {IController} from "../../../contracts/interfaces/IController.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {BaseTest} from "../../BaseTest.sol";

contract UpdateControllerTest is BaseTest {
    function test_updateController_rewiresManager() public {
        Controller next = new Controller(owner);
        vm.expectEmit(address(roundsManager));
        emit IManager.SetController(address(next));
        vm.prank(owner);
        controller.updateController(keccak256("RoundsManager"), address(next));
        assertEq(address(roundsManager.controller()), address(next), "rewired");
    }

    function test_updateController_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IController.CallerNotOwner.selector, attacker));
        vm.prank(attacker);
        controller.updateController(keccak256("Minter"), attacker);
    }

    function test_setController_revertsIfNotController() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotController.selector, attacker));
        vm.prank(attacker);
        minter.setController(attacker);
    }

    function test_updateController_revertsOnZeroAddress() public {
        vm.expectRevert(IManager.ZeroAddress.selector);
        vm.prank(owner);
        controller.updateController(keccak256("Minter"), address(0));
    }
}
