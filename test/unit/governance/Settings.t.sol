// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernorTest} from "./GovernorTest.sol";
import {
    TimelockControllerUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/TimelockControllerUpgradeable.sol";
import {
    GovernorSettingsUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorSettingsUpgradeable.sol";
import {
    GovernorVotesQuorumFractionUpgradeable
} from "@openzeppelin/contracts-upgradeable/governance/extensions/GovernorVotesQuorumFractionUpgradeable.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @notice Voting delay, period, threshold and quorum change only through a passed proposal (the Treasury executes).
contract SettingsTest is GovernorTest {
    function test_setVotingDelay_throughGovernance() public {
        Proposal memory p = _passAndQueue(address(governor), abi.encodeCall(governor.setVotingDelay, (3)), "delay");
        vm.expectEmit(address(governor));
        emit GovernorSettingsUpgradeable.VotingDelaySet(VOTING_DELAY, 3);
        _execute(p);
        assertEq(governor.votingDelay(), 3, "voting delay");
    }

    function test_setVotingPeriod_throughGovernance() public {
        _pass(address(governor), abi.encodeCall(governor.setVotingPeriod, (20)), "period");
        assertEq(governor.votingPeriod(), 20, "voting period");
    }

    function test_setProposalThreshold_throughGovernance() public {
        _pass(address(governor), abi.encodeCall(governor.setProposalThreshold, (1 ether)), "threshold");
        assertEq(governor.proposalThreshold(), 1 ether, "threshold");
    }

    function test_updateQuorumNumerator_throughGovernance() public {
        _pass(address(governor), abi.encodeCall(governor.updateQuorumNumerator, (500_000)), "quorum");
        assertEq(governor.quorumNumerator(), 500_000, "quorum numerator");
        // Proposals made before keep the quorum of their snapshot round's numerator history.
        assertEq(governor.quorumNumerator(START_ROUND), QUORUM, "old numerator at an old round");
    }

    function test_settings_newDelayAndPeriodApplyToNewProposals() public {
        _pass(address(governor), abi.encodeCall(governor.setVotingPeriod, (3)), "period");
        Proposal memory p = _proposeGrant(1 ether);
        assertEq(governor.proposalDeadline(p.id), bondingVotes.clock() + VOTING_DELAY + 3, "deadline");
    }

    /// @dev Not even the Treasury directly: only calls that a proposal's execution announced get through.
    function test_settings_revertIfTheTreasuryCallsOutsideAProposal() public {
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x31)); // OpenZeppelin's empty queue of announced calls
        vm.prank(address(treasury));
        governor.setVotingDelay(3);
    }

    function test_settings_revertIfNotGovernance() public {
        vm.startPrank(owner); // not even the protocol owner
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, owner));
        governor.setVotingDelay(3);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, owner));
        governor.setVotingPeriod(3);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, owner));
        governor.setProposalThreshold(0);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, owner));
        governor.updateQuorumNumerator(0);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorOnlyExecutor.selector, owner));
        governor.updateTimelock(TimelockControllerUpgradeable(payable(address(treasury))));
        vm.stopPrank();
    }

    function test_updateQuorumNumerator_revertsAbove100Percent() public {
        Proposal memory p =
            _passAndQueue(address(governor), abi.encodeCall(governor.updateQuorumNumerator, (1e6 + 1)), "quorum");
        vm.expectRevert(
            abi.encodeWithSelector(
                GovernorVotesQuorumFractionUpgradeable.GovernorInvalidQuorumFraction.selector, 1e6 + 1, 1e6
            )
        );
        _execute(p);
    }
}
