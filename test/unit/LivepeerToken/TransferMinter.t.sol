// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ILivepeerToken} from "../../../contracts/interfaces/ILivepeerToken.sol";
import {BaseTest} from "../../BaseTest.sol";

contract TransferMinterTest is BaseTest {
    function test_transferMinter_movesTheRight() public {
        vm.expectEmit(address(token));
        emit ILivepeerToken.MinterTransferred(address(minter), alice);
        vm.prank(address(minter));
        token.transferMinter(alice);
        assertEq(token.minter(), alice, "minter");

        vm.expectRevert(abi.encodeWithSelector(ILivepeerToken.CallerNotMinter.selector, address(minter)));
        vm.prank(address(minter));
        token.mint(alice, 1);
    }

    function test_transferMinter_revertsIfNotMinter() public {
        vm.expectRevert(abi.encodeWithSelector(ILivepeerToken.CallerNotMinter.selector, attacker));
        vm.prank(attacker);
        token.transferMinter(attacker);
    }

    function test_transferMinter_revertsOnZero() public {
        vm.expectRevert(ILivepeerToken.ZeroMinter.selector);
        vm.prank(address(minter));
        token.transferMinter(address(0));
    }
}
