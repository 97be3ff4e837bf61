// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BaseTest} from "../../BaseTest.sol";
import {IERC20Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

contract TransferAndBurnTest is BaseTest {
    function testFuzz_transfer_movesBalance(uint256 amount) public {
        amount = bound(amount, 0, GENESIS_SUPPLY);
        vm.prank(owner);
        token.transfer(alice, amount);
        assertEq(token.balanceOf(alice), amount, "alice");
        assertEq(token.balanceOf(owner), GENESIS_SUPPLY - amount, "owner");
    }

    function test_transfer_revertsOnInsufficientBalance() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientBalance.selector, alice, 0, 1));
        vm.prank(alice);
        token.transfer(bob, 1);
    }

    function testFuzz_burn_reducesSupply(uint256 amount) public {
        amount = bound(amount, 0, GENESIS_SUPPLY);
        vm.prank(owner);
        token.burn(amount);
        assertEq(token.totalSupply(), GENESIS_SUPPLY - amount, "supply");
    }

    function test_burnFrom_usesAllowance() public {
        vm.prank(owner);
        token.approve(alice, 10 ether);
        vm.prank(alice);
        token.burnFrom(owner, 4 ether);
        assertEq(token.allowance(owner, alice), 6 ether, "allowance");
        assertEq(token.totalSupply(), GENESIS_SUPPLY - 4 ether, "supply");
    }

    function test_burnFrom_revertsWithoutAllowance() public {
        vm.expectRevert(abi.encodeWithSelector(IERC20Errors.ERC20InsufficientAllowance.selector, attacker, 0, 1));
        vm.prank(attacker);
        token.burnFrom(owner, 1);
    }
}
