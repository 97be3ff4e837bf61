// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";

contract TicketBrokerFundTest is BrokerUnitTest {
    /* fundDeposit */

    function test_fundDeposit_creditsDepositAndMovesEthToMinter() public {
        vm.expectEmit(address(broker));
        emit ITicketBroker.DepositFunded(broadcaster, 1 ether);
        vm.prank(broadcaster);
        broker.fundDeposit{value: 1 ether}();

        (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory reserve) =
            broker.getSenderInfo(broadcaster);
        assertEq(sender.deposit, 1 ether, "deposit");
        assertEq(sender.withdrawRound, 0, "withdrawRound");
        assertEq(reserve.fundsRemaining, 0, "reserve");
        assertEq(address(minter).balance, 1 ether, "minter ETH");
        assertEq(address(broker).balance, 0, "broker holds no ETH");
        assertEq(broadcaster.balance, 99 ether, "broadcaster paid 100 - 1");
    }

    function testFuzz_fundDeposit_accumulates(uint256 a, uint256 b) public {
        a = bound(a, 1, 50 ether);
        b = bound(b, 1, 50 ether);
        vm.startPrank(broadcaster);
        broker.fundDeposit{value: a}();
        broker.fundDeposit{value: b}();
        vm.stopPrank();
        assertEq(_deposit(broadcaster), a + b, "deposit sum");
        assertEq(address(minter).balance, a + b, "minter ETH");
    }

    function test_fundDeposit_revertsIfPaused() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.SystemPaused.selector));
        vm.prank(broadcaster);
        broker.fundDeposit{value: 1 ether}();
    }

    function test_fundDeposit_cancelsOwnUnlock() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        assertTrue(broker.isUnlockInProgress(broadcaster), "unlocking");

        vm.expectEmit(address(broker));
        emit ITicketBroker.DepositFunded(broadcaster, 1 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.UnlockCancelled(broadcaster);
        vm.prank(broadcaster);
        broker.fundDeposit{value: 1 ether}();
        assertFalse(broker.isUnlockInProgress(broadcaster), "unlock cancelled");
        assertEq(_withdrawRound(broadcaster), 0, "withdrawRound cleared");
    }

    /* fundReserve */

    function test_fundReserve_creditsReserve() public {
        vm.expectEmit(address(broker));
        emit ITicketBroker.ReserveFunded(broadcaster, 2 ether);
        vm.prank(broadcaster);
        broker.fundReserve{value: 2 ether}();

        ITicketBroker.ReserveInfo memory info = broker.getReserveInfo(broadcaster);
        assertEq(info.fundsRemaining, 2 ether, "reserve");
        assertEq(info.claimedInCurrentRound, 0, "claimed");
        assertEq(_deposit(broadcaster), 0, "deposit untouched");
        assertEq(address(minter).balance, 2 ether, "minter ETH");
    }

    function test_fundReserve_revertsIfPaused() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.SystemPaused.selector));
        vm.prank(broadcaster);
        broker.fundReserve{value: 1 ether}();
    }

    function test_fundReserve_cancelsOwnUnlock() public {
        _fundBroadcaster(0, 1 ether);
        vm.prank(broadcaster);
        broker.unlock();
        vm.expectEmit(address(broker));
        emit ITicketBroker.UnlockCancelled(broadcaster);
        vm.prank(broadcaster);
        broker.fundReserve{value: 1 ether}();
        assertFalse(broker.isUnlockInProgress(broadcaster), "unlock cancelled");
    }

    /* fundDepositAndReserve */

    function test_fundDepositAndReserve_splitsValue() public {
        vm.expectEmit(address(broker));
        emit ITicketBroker.DepositFunded(broadcaster, 1 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.ReserveFunded(broadcaster, 3 ether);
        vm.prank(broadcaster);
        broker.fundDepositAndReserve{value: 4 ether}(1 ether, 3 ether);

        assertEq(_deposit(broadcaster), 1 ether, "deposit");
        assertEq(_reserve(broadcaster), 3 ether, "reserve");
        assertEq(address(minter).balance, 4 ether, "minter ETH");
    }

    function testFuzz_fundDepositAndReserve_revertsIfValueSplitMismatch(uint256 value, uint256 d, uint256 r) public {
        d = bound(d, 0, 10 ether);
        r = bound(r, 0, 10 ether);
        value = bound(value, 0, 30 ether);
        if (value == d + r) value += 1;
        vm.deal(broadcaster, value);
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.ValueSplitMismatch.selector, value, d, r));
        vm.prank(broadcaster);
        broker.fundDepositAndReserve{value: value}(d, r);
    }

    function test_fundDepositAndReserve_revertsIfPaused() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.SystemPaused.selector));
        vm.prank(broadcaster);
        broker.fundDepositAndReserve{value: 2 ether}(1 ether, 1 ether);
    }

    function test_fundDepositAndReserve_cancelsOwnUnlock() public {
        _fundBroadcaster(1 ether, 1 ether);
        vm.prank(broadcaster);
        broker.unlock();
        vm.expectEmit(address(broker));
        emit ITicketBroker.UnlockCancelled(broadcaster);
        _fundBroadcaster(1 ether, 1 ether);
        assertFalse(broker.isUnlockInProgress(broadcaster), "unlock cancelled");
    }

    /* fundDepositAndReserveFor */

    function test_fundDepositAndReserveFor_creditsBeneficiary() public {
        vm.deal(alice, 5 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.DepositFunded(broadcaster, 2 ether);
        vm.expectEmit(address(broker));
        emit ITicketBroker.ReserveFunded(broadcaster, 3 ether);
        vm.prank(alice);
        broker.fundDepositAndReserveFor{value: 5 ether}(broadcaster, 2 ether, 3 ether);

        assertEq(_deposit(broadcaster), 2 ether, "beneficiary deposit");
        assertEq(_reserve(broadcaster), 3 ether, "beneficiary reserve");
        assertEq(_deposit(alice), 0, "payer deposit");
        assertEq(_reserve(alice), 0, "payer reserve");
        assertEq(alice.balance, 0, "payer paid");
        assertEq(address(minter).balance, 5 ether, "minter ETH");
    }

    function test_fundDepositAndReserveFor_revertsIfZeroAddress() public {
        vm.expectRevert(abi.encodeWithSelector(IManager.ZeroAddress.selector));
        vm.prank(broadcaster);
        broker.fundDepositAndReserveFor{value: 1 ether}(address(0), 1 ether, 0);
    }

    function test_fundDepositAndReserveFor_revertsIfValueSplitMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.ValueSplitMismatch.selector, 1 ether, 1 ether, 1 wei));
        vm.prank(broadcaster);
        broker.fundDepositAndReserveFor{value: 1 ether}(alice, 1 ether, 1);
    }

    function test_fundDepositAndReserveFor_revertsIfPaused() public {
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.SystemPaused.selector));
        vm.prank(broadcaster);
        broker.fundDepositAndReserveFor{value: 1 ether}(alice, 1 ether, 0);
    }

    function test_fundDepositAndReserveFor_selfCancelsUnlock() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        vm.expectEmit(address(broker));
        emit ITicketBroker.UnlockCancelled(broadcaster);
        vm.prank(broadcaster);
        broker.fundDepositAndReserveFor{value: 1 ether}(broadcaster, 1 ether, 0);
        assertFalse(broker.isUnlockInProgress(broadcaster), "own funding cancels");
    }

    function test_fundDepositAndReserveFor_thirdPartyDoesNotCancelUnlock() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        uint256 withdrawRound = _withdrawRound(broadcaster);

        vm.deal(alice, 1 ether);
        vm.recordLogs();
        vm.prank(alice);
        broker.fundDepositAndReserveFor{value: 1 ether}(broadcaster, 1 ether, 0);
        assertEq(vm.getRecordedLogs().length, 1, "only DepositFunded, no UnlockCancelled");
        assertTrue(broker.isUnlockInProgress(broadcaster), "still unlocking");
        assertEq(_withdrawRound(broadcaster), withdrawRound, "withdrawRound unchanged");
        assertEq(_deposit(broadcaster), 2 ether, "deposit credited");
    }

    function test_fundDepositAndReserveFor_zeroAmountsMoveNothing() public {
        vm.recordLogs();
        vm.prank(broadcaster);
        broker.fundDepositAndReserveFor(alice, 0, 0);
        assertEq(vm.getRecordedLogs().length, 0, "no events");
        assertEq(address(minter).balance, 0, "minter ETH");
    }
}
