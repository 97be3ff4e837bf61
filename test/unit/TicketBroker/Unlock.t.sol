// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {ITicketBroker} from "../../../contracts/interfaces/ITicketBroker.sol";
import {BrokerUnitTest} from "./BrokerUnitTest.sol";

contract TicketBrokerUnlockTest is BrokerUnitTest {
    /* unlock */

    function test_unlock_setsWithdrawRound() public {
        _fundBroadcaster(1 ether, 1 ether);
        uint256 round = roundsManager.currentRound();
        vm.expectEmit(address(broker));
        emit ITicketBroker.Unlock(broadcaster, round, round + UNLOCK_PERIOD);
        vm.prank(broadcaster);
        broker.unlock();
        assertTrue(broker.isUnlockInProgress(broadcaster), "unlocking");
        assertEq(_withdrawRound(broadcaster), round + UNLOCK_PERIOD, "withdrawRound = current + 2");
    }

    function test_unlock_worksWithReserveOnly() public {
        _fundBroadcaster(0, 1 ether);
        vm.prank(broadcaster);
        broker.unlock();
        assertTrue(broker.isUnlockInProgress(broadcaster), "unlocking");
    }

    function test_unlock_usesCurrentUnlockPeriod() public {
        vm.prank(owner);
        broker.setUnlockPeriod(5);
        _fundBroadcaster(1 ether, 0);
        uint256 round = roundsManager.currentRound();
        vm.expectEmit(address(broker));
        emit ITicketBroker.Unlock(broadcaster, round, round + 5);
        vm.prank(broadcaster);
        broker.unlock();
    }

    function test_unlock_revertsIfNoFunds() public {
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.NoFunds.selector, broadcaster));
        vm.prank(broadcaster);
        broker.unlock();
    }

    function test_unlock_revertsIfUnlockInProgress() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.UnlockInProgress.selector, broadcaster));
        vm.prank(broadcaster);
        broker.unlock();
    }

    function test_unlock_revertsIfPaused() public {
        _fundBroadcaster(1 ether, 0);
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.SystemPaused.selector));
        vm.prank(broadcaster);
        broker.unlock();
    }

    /* cancelUnlock */

    function test_cancelUnlock_clearsWithdrawRound() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        vm.expectEmit(address(broker));
        emit ITicketBroker.UnlockCancelled(broadcaster);
        vm.prank(broadcaster);
        broker.cancelUnlock();
        assertFalse(broker.isUnlockInProgress(broadcaster), "not unlocking");
        assertEq(_withdrawRound(broadcaster), 0, "withdrawRound");
        assertEq(_deposit(broadcaster), 1 ether, "deposit kept");
    }

    function test_cancelUnlock_allowsUnlockAgain() public {
        _fundBroadcaster(1 ether, 0);
        vm.startPrank(broadcaster);
        broker.unlock();
        broker.cancelUnlock();
        vm.stopPrank();
        uint256 round = _nextRound();
        vm.prank(broadcaster);
        broker.unlock();
        assertEq(_withdrawRound(broadcaster), round + UNLOCK_PERIOD, "new withdrawRound from the new round");
    }

    function test_cancelUnlock_revertsIfNoUnlockInProgress() public {
        _fundBroadcaster(1 ether, 0);
        vm.expectRevert(abi.encodeWithSelector(ITicketBroker.NoUnlockInProgress.selector, broadcaster));
        vm.prank(broadcaster);
        broker.cancelUnlock();
    }

    function test_cancelUnlock_revertsIfPaused() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        _pause();
        vm.expectRevert(abi.encodeWithSelector(IManager.SystemPaused.selector));
        vm.prank(broadcaster);
        broker.cancelUnlock();
    }

    /* isUnlockInProgress */

    function test_isUnlockInProgress_falseByDefault() public view {
        assertFalse(broker.isUnlockInProgress(broadcaster), "fresh account");
        assertFalse(broker.isUnlockInProgress(address(0)), "zero address");
    }

    function test_isUnlockInProgress_staysTrueAfterUnlockPeriodUntilWithdraw() public {
        _fundBroadcaster(1 ether, 0);
        vm.prank(broadcaster);
        broker.unlock();
        _nextRound();
        _nextRound();
        assertTrue(broker.isUnlockInProgress(broadcaster), "still in progress until withdraw");
        vm.prank(broadcaster);
        broker.withdraw();
        assertFalse(broker.isUnlockInProgress(broadcaster), "cleared by withdraw");
    }
}
