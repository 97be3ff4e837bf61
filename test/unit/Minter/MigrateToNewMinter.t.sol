// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Controller} from "../../../contracts/Controller.sol";
import {Minter} from "../../../contracts/Minter.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IMinter} from "../../../contracts/interfaces/IMinter.sol";
import {BaseTest} from "../../BaseTest.sol";

contract MigrateToNewMinterTest is BaseTest {
    Minter internal next;

    function setUp() public override {
        super.setUp();
        _fundMinter(1000 ether);
        vm.deal(ticketBroker, 5 ether);
        vm.prank(ticketBroker);
        minter.depositETH{value: 5 ether}();
        next = new Minter(address(controller), address(token), INFLATION, INFLATION_CHANGE, TARGET_BONDING_RATE);
    }

    function test_migrateToNewMinter_movesTokensEthAndMintRight() public {
        _pause();
        vm.expectEmit(address(minter));
        emit IMinter.MinterMigrated(address(next), 1000 ether, 5 ether);
        vm.prank(owner);
        minter.migrateToNewMinter(address(next));

        assertEq(token.balanceOf(address(next)), 1000 ether, "tokens moved");
        assertEq(token.balanceOf(address(minter)), 0, "old emptied");
        assertEq(address(next).balance, 5 ether, "eth moved");
        assertEq(address(minter).balance, 0, "old eth emptied");
        assertEq(token.minter(), address(next), "mint right moved");
        assertEq(token.totalSupply(), GENESIS_SUPPLY, "no LPT created or lost");
    }

    function test_migrateToNewMinter_revertsWhenNotPaused() public {
        vm.expectRevert(IManager.SystemNotPaused.selector);
        vm.prank(owner);
        minter.migrateToNewMinter(address(next));
    }

    function test_migrateToNewMinter_revertsIfNotOwner() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        minter.migrateToNewMinter(address(next));
    }

    function test_migrateToNewMinter_revertsOnSelf() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IMinter.InvalidNewMinter.selector, address(minter)));
        vm.prank(owner);
        minter.migrateToNewMinter(address(minter));
    }

    function test_migrateToNewMinter_revertsOnZero() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IMinter.InvalidNewMinter.selector, address(0)));
        vm.prank(owner);
        minter.migrateToNewMinter(address(0));
    }

    function test_migrateToNewMinter_revertsOnMinterOfOtherController() public {
        Minter foreign = new Minter(
            address(new Controller(owner)), address(token), INFLATION, INFLATION_CHANGE, TARGET_BONDING_RATE
        );
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IMinter.InvalidNewMinter.selector, address(foreign)));
        vm.prank(owner);
        minter.migrateToNewMinter(address(foreign));
    }
}
