// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IController} from "../../../contracts/interfaces/IController.sol";
import {BaseTest} from "../../BaseTest.sol";

contract PauseTest is BaseTest {
    function test_pause_setsPausedAndEmits() public {
        vm.expectEmit(address(controller));
        emit IController.Pause();
        _pause();
        assertTrue(controller.paused(), "paused");
    }

    function test_unpause_clearsPausedAndEmits() public {
        _pause();
        vm.expectEmit(address(controller));
        emit IController.Unpause();
        vm.prank(owner);
        controller.unpause();
        assertFalse(controller.paused(), "unpaused");
    }

    function test_pause_revertsIfAlreadyPaused() public {
        _pause();
        vm.expectRevert(IController.AlreadyPaused.selector);
        vm.prank(owner);
        controller.pause();
    }

    function test_unpause_revertsIfNotPaused() public {
        vm.expectRevert(IController.NotPaused.selector);
        vm.prank(owner);
        controller.unpause();
    }

    function test_pause_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IController.CallerNotOwner.selector, attacker));
        vm.prank(attacker);
        controller.pause();
    }

    function test_unpause_revertsIfNotOwner() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IController.CallerNotOwner.selector, attacker));
        vm.prank(attacker);
        controller.unpause();
    }
}
