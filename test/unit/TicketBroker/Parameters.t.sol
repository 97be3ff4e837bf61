// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TicketBroker} from "../../../contracts/TicketBroker.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";

contract TicketBrokerParametersTest is BrokerUnitTest {
    /* setUnlockPeriod */

    function testFuzz_setUnlockPeriod_setsAndEmits(uint256 period) public {
        period = bound(period, 1, type(uint64).max);
        vm.expectEmit(address(broker));
        emit ITicketBroker.UnlockPeriodSet(period);
        vm.prank(owner);
        broker.setUnlockPeriod(period);
        assertEq(broker.unlockPeriod(), period, "unlockPeriod");
    }

    function test_setUnlockPeriod_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        broker.setUnlockPeriod(5);
    }

    function test_setUnlockPeriod_revertsIfZeroPeriod() public {
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.ZeroPeriod.selector));
        vm.prank(owner);
        broker.setUnlockPeriod(0);
    }

    /* setTicketValidityPeriod */

    function testFuzz_setTicketValidityPeriod_setsAndEmits(uint256 period) public {
        period = bound(period, 1, type(uint64).max);
        vm.expectEmit(address(broker));
        emit ITicketBroker.TicketValidityPeriodSet(period);
        vm.prank(owner);
        broker.setTicketValidityPeriod(period);
        assertEq(broker.ticketValidityPeriod(), period, "ticketValidityPeriod");
    }

    function test_setTicketValidityPeriod_revertsIfNotOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.CallerNotControllerOwner.selector, attacker));
        vm.prank(attacker);
        broker.setTicketValidityPeriod(5);
    }

    function test_setTicketValidityPeriod_revertsIfZeroPeriod() public {
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.ZeroPeriod.selector));
        vm.prank(owner);
        broker.setTicketValidityPeriod(0);
    }

    function test_setTicketValidityPeriod_extendsLiveTickets() public {
        _fundBroadcaster(1 ether, 0);
        ITicketBroker.Ticket memory t = _ticket(orchestrator, 0.1 ether, WIN_ALWAYS, 1, 42);
        _nextRound();
        _nextRound(); // expired under a period of 2
        vm.prank(owner);
        broker.setTicketValidityPeriod(3);
        _redeem(t, 42);
        assertTrue(_used(t), "valid under a period of 3");
    }

    /* initialize */

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(abi.encodeWithSelector(Initializable.InvalidInitialization.selector));
        broker.initialize(address(controller), 1, 1);
    }

    function test_initialize_revertsOnImplementation() public {
        TicketBroker impl = new TicketBroker();
        vm.expectRevert(abi.encodeWithSelector(Initializable.InvalidInitialization.selector));
        impl.initialize(address(controller), 1, 1);
    }

    function test_initialize_revertsIfZeroPeriod() public {
        address impl = address(new TicketBroker());
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.ZeroPeriod.selector));
        _proxy(impl, abi.encodeCall(TicketBroker.initialize, (address(controller), 0, 2)));
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.ZeroPeriod.selector));
        _proxy(impl, abi.encodeCall(TicketBroker.initialize, (address(controller), 2, 0)));
    }

    function test_initialize_emitsParameterEvents() public {
        address impl = address(new TicketBroker());
        vm.expectEmit();
        emit ITicketBroker.UnlockPeriodSet(3);
        vm.expectEmit();
        emit ITicketBroker.TicketValidityPeriodSet(4);
        TicketBroker b =
            TicketBroker(_proxy(impl, abi.encodeCall(TicketBroker.initialize, (address(controller), 3, 4))));
        assertEq(b.unlockPeriod(), 3, "unlockPeriod");
        assertEq(b.ticketValidityPeriod(), 4, "ticketValidityPeriod");
    }
}
