// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {IMinter} from "../../../contracts/interfaces/IMinter.sol";
import {DelegatorTest} from "./DelegatorTest.sol";

/// @notice The BondingManager holds its RoundsManager and Minter from deployment (no registry lookup
/// on each call) and pays LPT out of the Minter's custody under the allowance the Minter grants it.
contract PeersTest is DelegatorTest {
    address internal otherPeer = makeAddr("otherPeer");

    function setUp() public override {
        super.setUp();
        _registerTranscoder(t1, 1000 ether, 100_000, 500_000);
        _bond(alice, 1000 ether, t1);
        _nextRound();
        vm.startPrank(alice);
        bm.unbond(400 ether); // lock 0
        bm.unbond(100 ether); // lock 1
        vm.stopPrank();
        for (uint256 i; i < UNBONDING_PERIOD; i++) {
            _nextRound();
        }
    }

    function test_peers_areTheDeployedOnes() public view {
        assertEq(bm.roundsManager(), address(roundsManager), "RoundsManager");
        assertEq(bm.minter(), address(minter), "Minter");
        assertEq(bm.bondingVotes(), address(bondingVotes), "BondingVotes");
    }

    function test_peers_reRegisteringTheRoundsManagerTakesAnUpgrade() public {
        vm.prank(owner);
        _register("RoundsManager", otherPeer);

        // The BondingManager keeps following the RoundsManager it was built with.
        vm.prank(alice);
        bm.claimEarnings(0);
        vm.expectRevert(
            abi.encodeWithSelector(IManager.UnauthorizedCaller.selector, otherPeer, keccak256("RoundsManager"))
        );
        vm.prank(otherPeer);
        bm.setCurrentRoundTotalActiveStake();
        vm.prank(address(roundsManager));
        bm.setCurrentRoundTotalActiveStake();
    }

    function test_peers_reRegisteringTheMinterTakesAnUpgrade() public {
        vm.prank(owner);
        _register("Minter", otherPeer);

        // Withdrawals still come out of the Minter the BondingManager was built with.
        uint256 custody = token.balanceOf(address(minter));
        vm.prank(alice);
        bm.withdrawStake(0);
        assertEq(token.balanceOf(alice), 400 ether, "paid");
        assertEq(token.balanceOf(address(minter)), custody - 400 ether, "out of the deployed Minter");
    }

    function test_payOut_firstThroughTheMinterWhichGrantsTheAllowance() public {
        assertEq(token.allowance(address(minter), address(bm)), 0, "no payout yet");
        vm.expectCall(address(minter), abi.encodeCall(IMinter.trustedTransferTokens, (alice, 400 ether)));
        vm.prank(alice);
        bm.withdrawStake(0);
        assertEq(token.balanceOf(alice), 400 ether, "paid through the Minter");
        assertEq(token.allowance(address(minter), address(bm)), type(uint256).max, "allowance granted");
    }

    function test_payOut_thenDirectlyUnderTheAllowance() public {
        vm.prank(alice);
        bm.withdrawStake(0);
        uint256 custody = token.balanceOf(address(minter));

        vm.expectCall(address(minter), abi.encodeWithSelector(IMinter.trustedTransferTokens.selector), 0);
        vm.prank(alice);
        bm.withdrawStake(1);
        assertEq(token.balanceOf(alice), 500 ether, "paid");
        assertEq(token.balanceOf(address(minter)), custody - 100 ether, "out of the Minter's custody");
        assertEq(token.allowance(address(minter), address(bm)), type(uint256).max, "an unlimited allowance stays");
    }
}
