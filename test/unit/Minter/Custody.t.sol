// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IMinter} from "../../../contracts/interfaces/IMinter.sol";
import {BaseTest} from "../../BaseTest.sol";
import {RejectingReceiver} from "../../mocks/EthReceivers.sol";

/// @notice trustedTransferTokens, trustedBurnTokens, trustedWithdrawETH and depositETH.
contract CustodyTest is BaseTest {
    function setUp() public override {
        super.setUp();
        _fundMinter(1000 ether);
        vm.deal(ticketBroker, 10 ether);
        vm.prank(ticketBroker);
        minter.depositETH{value: 10 ether}();
    }

    /* trustedTransferTokens */

    function test_trustedTransferTokens_paysOut() public {
        vm.prank(address(bondingManager));
        minter.trustedTransferTokens(alice, 400 ether);
        assertEq(token.balanceOf(alice), 400 ether, "alice");
        assertEq(token.balanceOf(address(minter)), 600 ether, "minter");
    }

    function test_trustedTransferTokens_revertsIfNotBondingManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, ticketBroker, keccak256("BondingManager"))
        );
        vm.prank(ticketBroker);
        minter.trustedTransferTokens(alice, 1);
    }

    function test_trustedTransferTokens_revertsWhenPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(address(bondingManager));
        minter.trustedTransferTokens(alice, 1);
    }

    function test_trustedTransferTokens_grantsTheBondingManagerAnAllowance() public {
        vm.prank(address(bondingManager));
        minter.trustedTransferTokens(alice, 1);
        assertEq(token.allowance(address(minter), address(bondingManager)), type(uint256).max, "granted");
    }

    function test_trustedTransferTokens_movesTheAllowanceToANewBondingManager() public {
        vm.prank(address(bondingManager));
        minter.trustedTransferTokens(alice, 1);
        address next = makeAddr("nextBondingManager");
        vm.prank(owner);
        _register("BondingManager", next);

        vm.prank(next);
        minter.trustedTransferTokens(alice, 1);
        assertEq(token.allowance(address(minter), next), type(uint256).max, "granted to the registered one");
        assertEq(token.allowance(address(minter), address(bondingManager)), 0, "taken back from the previous one");
    }

    /* trustedBurnTokens */

    function test_trustedBurnTokens_burnsFromCustody() public {
        vm.prank(address(bondingManager));
        minter.trustedBurnTokens(250 ether);
        assertEq(token.balanceOf(address(minter)), 750 ether, "minter");
        assertEq(token.totalSupply(), GENESIS_SUPPLY - 250 ether, "supply");
    }

    function test_trustedBurnTokens_revertsIfNotBondingManager() public {
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, attacker, keccak256("BondingManager"))
        );
        vm.prank(attacker);
        minter.trustedBurnTokens(1);
    }

    function test_trustedBurnTokens_revertsWhenPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(address(bondingManager));
        minter.trustedBurnTokens(1);
    }

    /* trustedWithdrawETH */

    function test_trustedWithdrawETH_byBondingManager() public {
        vm.prank(address(bondingManager));
        minter.trustedWithdrawETH(payable(alice), 3 ether);
        assertEq(alice.balance, 3 ether, "alice");
        assertEq(address(minter).balance, 7 ether, "minter");
    }

    function test_trustedWithdrawETH_byTicketBroker() public {
        vm.prank(ticketBroker);
        minter.trustedWithdrawETH(payable(bob), 1 ether);
        assertEq(bob.balance, 1 ether, "bob");
    }

    function test_trustedWithdrawETH_revertsIfReceiverRefuses() public {
        RejectingReceiver receiver = new RejectingReceiver();
        vm.expectRevert(abi.encodeWithSelector(IMinter.EthTransferFailed.selector, address(receiver), 1 ether));
        vm.prank(address(bondingManager));
        minter.trustedWithdrawETH(payable(address(receiver)), 1 ether);
    }

    function test_trustedWithdrawETH_revertsIfUnauthorized() public {
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, attacker, keccak256("BondingManager"))
        );
        vm.prank(attacker);
        minter.trustedWithdrawETH(payable(attacker), 1);
    }

    function test_trustedWithdrawETH_revertsWhenPaused() public {
        _pause();
        vm.expectRevert(IManager.SystemPaused.selector);
        vm.prank(ticketBroker);
        minter.trustedWithdrawETH(payable(alice), 1);
    }

    /* depositETH */

    function test_depositETH_byTicketBroker() public view {
        assertEq(address(minter).balance, 10 ether, "held");
    }

    function test_depositETH_revertsIfUnauthorized() public {
        vm.deal(attacker, 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, attacker, keccak256("JobsManager"))
        );
        vm.prank(attacker);
        minter.depositETH{value: 1 ether}();
    }
}
