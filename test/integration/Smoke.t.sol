// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProtocolTest} from "../ProtocolTest.sol";

contract SmokeTest is ProtocolTest {
    function test_smoke_bondRewardClaim() public {
        address t1 = makeAddr("t1");
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        _nextRound();
        assertTrue(bm.isActiveTranscoder(t1), "active");
        assertEq(bm.currentRoundTotalActiveStake(), 2000 ether, "total");
        _reward(t1);
        _payFees(t1, 1 ether);
        _nextRound();
        emit log_named_uint("alice stake", _pendingStake(alice));
        emit log_named_uint("alice fees", _pendingFees(alice));
        emit log_named_uint("t1 stake", _pendingStake(t1));
        emit log_named_uint("t1 fees", _pendingFees(t1));
        emit log_named_uint("minter lpt", token.balanceOf(address(minter)));
        emit log_named_uint("treasury", token.balanceOf(treasury));
        vm.prank(alice);
        bm.unbond(500 ether);
        uint256 fees = _pendingFees(alice);
        vm.prank(alice);
        bm.withdrawFees(payable(alice), fees);
        assertGt(alice.balance, 0, "fees paid");
    }
}
