// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernorCountingOverridable} from "../../../contracts/governance/GovernorCountingOverridable.sol";
import {LivepeerGovernor} from "../../../contracts/governance/LivepeerGovernor.sol";
import {IManager} from "../../../contracts/interfaces/IManager.sol";
import {GovernorTest} from "./GovernorTest.sol";
import {
    GovernorVotesQuorumFractionUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {ERC1967Proxy} from "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol";

contract InitializeTest is GovernorTest {
    function test_initialize_setsParameters() public view {
        assertEq(governor.name(), "LivepeerGovernor", "name");
        assertEq(governor.version(), "1", "version");
        assertEq(address(governor.controller()), address(controller), "controller");
        assertEq(governor.votingDelay(), VOTING_DELAY, "voting delay");
        assertEq(governor.votingPeriod(), VOTING_PERIOD, "voting period");
        assertEq(governor.proposalThreshold(), PROPOSAL_THRESHOLD, "proposal threshold");
        assertEq(governor.quorumNumerator(), QUORUM, "quorum numerator");
        assertEq(governor.quorumDenominator(), 1e6, "quorum denominator");
        assertEq(governor.quota(), QUOTA, "quota");
        assertEq(address(governor.token()), address(bondingVotes), "token");
        assertEq(address(governor.votes()), address(bondingVotes), "votes");
        assertEq(governor.timelock(), address(treasury), "timelock");
    }

    function test_initialize_clockIsTheRound() public view {
        assertEq(governor.clock(), START_ROUND, "clock");
        assertEq(governor.CLOCK_MODE(), "mode=livepeer_round", "clock mode");
    }

    function test_initialize_revertsIfCalledTwice() public {
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        governor.initialize(address(controller), 0, 1, 0, 0, 0);
    }

    function test_initialize_revertsOnTheImplementation() public {
        LivepeerGovernor implementation = new LivepeerGovernor();
        vm.expectRevert(Initializable.InvalidInitialization.selector);
        implementation.initialize(address(controller), VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, QUORUM, QUOTA);
    }

    function test_initialize_revertsIfQuotaAbove100Percent() public {
        address implementation = address(new LivepeerGovernor());
        bytes memory init = abi.encodeCall(
            LivepeerGovernor.initialize,
            (address(controller), VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, QUORUM, 1e6 + 1)
        );
        vm.expectRevert(abi.encodeWithSelector(GovernorCountingOverridable.QuotaTooHigh.selector, 1e6 + 1, 1e6));
        new ERC1967Proxy(implementation, init);
    }

    function test_initialize_revertsIfQuorumAbove100Percent() public {
        address implementation = address(new LivepeerGovernor());
        bytes memory init = abi.encodeCall(
            LivepeerGovernor.initialize,
            (address(controller), VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, 1e6 + 1, QUOTA)
        );
        vm.expectRevert(
            abi.encodeWithSelector(
                GovernorVotesQuorumFractionUpgradeable.GovernorInvalidQuorumFraction.selector, 1e6 + 1, 1e6
            )
        );
        new ERC1967Proxy(implementation, init);
    }

    function test_initialize_revertsIfTreasuryNotRegistered() public {
        vm.prank(owner);
        _register("Treasury", address(0));
        address implementation = address(new LivepeerGovernor());
        bytes memory init = abi.encodeCall(
            LivepeerGovernor.initialize,
            (address(controller), VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, QUORUM, QUOTA)
        );
        vm.expectRevert(IManager.ZeroAddress.selector);
        new ERC1967Proxy(implementation, init);
    }

    function test_initialize_revertsIfBondingVotesNotRegistered() public {
        vm.prank(owner);
        _register("BondingVotes", address(0));
        address implementation = address(new LivepeerGovernor());
        bytes memory init = abi.encodeCall(
            LivepeerGovernor.initialize,
            (address(controller), VOTING_DELAY, VOTING_PERIOD, PROPOSAL_THRESHOLD, QUORUM, QUOTA)
        );
        vm.expectRevert(IManager.ZeroAddress.selector);
        new ERC1967Proxy(implementation, init);
    }
}
