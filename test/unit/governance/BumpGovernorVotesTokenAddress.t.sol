// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {BondingVotesMock} from "../../mocks/BondingVotesMock.sol";
import {GovernorTest} from "./GovernorTest.sol";

/// @notice `token()` (weights, supply, clock) stays on the BondingVotes of the last bump; `votes()` (the
/// delegations of the override rule) reads the Controller's registration each time, as on the live network.
contract BumpGovernorVotesTokenAddressTest is GovernorTest {
    BondingVotesMock internal newVotes;

    function setUp() public override {
        super.setUp();
        newVotes = new BondingVotesMock();
        newVotes.setClock(START_ROUND + 50);
        vm.prank(owner);
        _register("BondingVotes", address(newVotes));
    }

    function test_bump_tokenStaysUntilBumped() public view {
        assertEq(address(governor.token()), address(bondingVotes), "token: the old one");
        assertEq(address(governor.votes()), address(newVotes), "votes: the registered one");
        assertEq(governor.clock(), START_ROUND, "clock of the old token");
    }

    function test_bump_switchesToTheRegisteredBondingVotes() public {
        vm.prank(attacker); // anyone: the address comes from the Controller
        governor.bumpGovernorVotesTokenAddress();
        assertEq(address(governor.token()), address(newVotes), "token");
        assertEq(governor.clock(), START_ROUND + 50, "clock of the new token");

        newVotes.setPastTotalSupply(START_ROUND + 10, 3000 ether);
        assertEq(governor.quorum(START_ROUND + 10), 3000 ether * QUORUM / 1e6, "quorum from the new token");
        newVotes.setPastVotes(transcoder, START_ROUND + 10, 42 ether);
        assertEq(governor.getVotes(transcoder, START_ROUND + 10), 42 ether, "votes from the new token");
    }

    function test_bump_revertsIfNoBondingVotesRegistered() public {
        vm.prank(owner);
        _register("BondingVotes", address(0));
        vm.expectRevert(IManager.ZeroAddress.selector);
        governor.bumpGovernorVotesTokenAddress();
        assertEq(address(governor.token()), address(bondingVotes), "token kept");
    }
}
