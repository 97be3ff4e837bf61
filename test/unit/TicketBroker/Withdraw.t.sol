// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";

contract TicketBrokerWithdrawTest is BrokerUnitTest {
    function _unlock() internal returns (uint256 withdrawRound) {
        vm.prank(broadcaster);
        broker.unlock();
        withdrawRound = _withdrawRound(broadcaster);
    }

    function test_withdraw_paysDepositAndReserveAfterUnlockPeriod() public {
        _fundBroadcaster(1 ether, 2 ether);
        _unlock();
        _nextRound();
        _nextRound();

        uint256 before = broadcaster.balance;
        vm.expectEmit(address(broker));
        emit ITicketBroker.Withdrawal(broadcaster, 1 ether, 2 ether);
        vm.prank(broadcaster);
        broker.withdraw();

        assertEq(broadcaster.balance, before + 3 ether, "paid deposit + reserve");
        assertEq(address(minter).balance, 0, "minter emptied");
        (ITicketBroker.Sender memory sender, ITicketBroker.ReserveInfo memory reserve) =
            broker.getSenderInfo(broadcaster);
        assertEq(sender.deposit, 0, "deposit cleared");
        assertEq(sender.withdrawRound, 0, "withdrawRound cleared");
        assertEq(reserve.fundsRemaining, 0, "reserve cleared");
        assertFalse(broker.isUnlockInProgress(broadcaster), "no unlock");
    }

    function test_withdraw_paysWhatRemainsAfterRedemption() public {
        _fundBroadcaster(1 ether, 0);
        _redeem(_ticket(orchestrator, 0.4 ether, WIN_ALWAYS, 1, 7), 7);
        _unlock();
        _nextRound();
        _nextRound();
        uint256 before = broadcaster.balance;
        vm.expectEmit(address(broker));
        emit ITicketBroker.Withdrawal(broadcaster, 0.6 ether, 0);
        vm.prank(broadcaster);
        broker.withdraw();
        assertEq(broadcaster.balance, before + 0.6 ether, "1 - 0.4 paid back");
        assertEq(address(minter).balance, 0.4 ether, "fees stay with the Minter");
    }

    function test_withdraw_worksLongAfterUnlockPeriod() public {
        _fundBroadcaster(1 ether, 0);
        _unlock();
        for (uint256 i; i < 5; i++) {
            _nextRound();
        }
        vm.prank(broadcaster);
        broker.withdraw();
        assertEq(_deposit(broadcaster), 0, "withdrawn");
    }

    function test_withdraw_revertsIfStillLocked() public {
        _fundBroadcaster(1 ether, 0);
        uint256 withdrawRound = _unlock();
        uint256 round = _nextRound(); // one round early
        assertEq(round + 1, withdrawRound, "one round before withdrawRound");
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.StillLocked.selector, withdrawRound, round));
        vm.prank(broadcaster);
        broker.withdraw();
    }

    function test_withdraw_revertsIfStillLockedInUnlockRound() public {
        _fundBroadcaster(1 ether, 0);
        uint256 withdrawRound = _unlock();
        uint256 round = roundsManager.currentRound();
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.StillLocked.selector, withdrawRound, round));
        vm.prank(broadcaster);
        broker.withdraw();
    }

    function test_withdraw_revertsIfNoUnlockInProgress() public {
        _fundBroadcaster(1 ether, 0);
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.NoUnlockInProgress.selector, broadcaster));
        vm.prank(broadcaster);
        broker.withdraw();
    }

    function test_withdraw_revertsIfUnlockCancelled() public {
        _fundBroadcaster(1 ether, 0);
        _unlock();
        vm.prank(broadcaster);
        broker.cancelUnlock();
        _nextRound();
        _nextRound();
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.NoUnlockInProgress.selector, broadcaster));
        vm.prank(broadcaster);
        broker.withdraw();
    }

    function test_withdraw_revertsIfNoFunds() public {
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.NoFunds.selector, broadcaster));
        vm.prank(broadcaster);
        broker.withdraw();
    }

    function test_withdraw_revertsIfWithdrawnTwice() public {
        _fundBroadcaster(1 ether, 0);
        _unlock();
        _nextRound();
        _nextRound();
        vm.prank(broadcaster);
        broker.withdraw();
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.NoFunds.selector, broadcaster));
        vm.prank(broadcaster);
        broker.withdraw();
    }

    function test_withdraw_revertsIfPaused() public {
        _fundBroadcaster(1 ether, 0);
        _unlock();
        _nextRound();
        _nextRound();
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.SystemPaused.selector));
        vm.prank(broadcaster);
        broker.withdraw();
    }
}
