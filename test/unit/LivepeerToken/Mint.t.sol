// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {LivepeerToken} from "../../../contracts/LivepeerToken.sol";
import {ILivepeerToken} from "../../../contracts/interfaces/ILivepeerToken.sol";
import {BaseTest} from "../../BaseTest.sol";

contract MintTest is BaseTest {
    function test_metadata() public view {
        assertEq(token.name(), "Livepeer Token", "name");
        assertEq(token.symbol(), "LPT", "symbol");
        assertEq(token.decimals(), 18, "decimals");
        assertEq(token.totalSupply(), GENESIS_SUPPLY, "genesis supply");
    }

    function test_mint_byMinter() public {
        vm.prank(address(minter));
        token.mint(alice, 5 ether);
        assertEq(token.balanceOf(alice), 5 ether, "balance");
        assertEq(token.totalSupply(), GENESIS_SUPPLY + 5 ether, "supply");
    }

    function testFuzz_mint_revertsIfNotMinter(address caller) public {
        vm.assume(caller != address(minter));
        vm.expectRevert(abi.encodeWithSelector(ILivepeerToken.CallerNotMinter.selector, caller));
        vm.prank(caller);
        token.mint(caller, 1);
    }

    function test_mint_genesisDeployerLostRightAfterHandover() public {
        vm.expectRevert(abi.encodeWithSelector(ILivepeerToken.CallerNotMinter.selector, owner));
        vm.prank(owner);
        token.mint(owner, 1);
    }

    function test_constructor_revertsOnZeroMinter() public {
        vm.expectRevert(ILivepeerToken.ZeroMinter.selector);
        new LivepeerToken(address(0));
    }
}
