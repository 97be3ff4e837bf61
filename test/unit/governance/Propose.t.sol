// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernorTest} from "./GovernorTest.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

contract ProposeTest is GovernorTest {
    function _grant() internal view returns (address[] memory targets, uint256[] memory values, bytes[] memory data) {
        targets = new address[](1);
        targets[0] = address(lpt);
        values = new uint256[](1);
        data = new bytes[](1);
        data[0] = abi.encodeCall(lpt.transfer, (recipient, 1 ether));
    }

    function test_propose_createsPendingProposalOverRounds() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory data) = _grant();
        _setTranscoder(proposer, START_ROUND - 1, PROPOSAL_THRESHOLD);
        uint256 id = governor.hashProposal(targets, values, data, keccak256("LIP-X"));

        vm.expectEmit(address(governor));
        emit IGovernor.ProposalCreated(
            id,
            proposer,
            targets,
            values,
            new string[](1),
            data,
            START_ROUND + VOTING_DELAY,
            START_ROUND + VOTING_DELAY + VOTING_PERIOD,
            "LIP-X"
        );
        vm.prank(proposer);
        assertEq(governor.propose(targets, values, data, "LIP-X"), id, "id");

        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Pending), "pending");
        assertEq(governor.proposalSnapshot(id), START_ROUND + VOTING_DELAY, "snapshot round");
        assertEq(governor.proposalDeadline(id), START_ROUND + VOTING_DELAY + VOTING_PERIOD, "deadline round");
        assertEq(governor.proposalProposer(id), proposer, "proposer");
        assertTrue(governor.proposalNeedsQueuing(id), "goes through the Treasury");
    }

    function test_propose_atThresholdSucceeds() public {
        Proposal memory p = _proposeGrant(1 ether);
        assertEq(uint8(governor.state(p.id)), uint8(IGovernor.ProposalState.Pending), "pending");
    }

    function test_propose_revertsBelowThreshold() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory data) = _grant();
        _setTranscoder(proposer, START_ROUND - 1, PROPOSAL_THRESHOLD - 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorInsufficientProposerVotes.selector,
                proposer,
                PROPOSAL_THRESHOLD - 1,
                PROPOSAL_THRESHOLD
            )
        );
        vm.prank(proposer);
        governor.propose(targets, values, data, "LIP-X");
    }

    /// @dev The threshold is checked at the end of the previous round: stake bonded this round does not count.
    function test_propose_usesStakeOfThePreviousRound() public {
        (address[] memory targets, uint256[] memory values, bytes[] memory data) = _grant();
        _setTranscoder(proposer, START_ROUND, PROPOSAL_THRESHOLD);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorInsufficientProposerVotes.selector, proposer, 0, PROPOSAL_THRESHOLD
            )
        );
        vm.prank(proposer);
        governor.propose(targets, values, data, "LIP-X");
    }

    function test_propose_revertsIfProposedTwice() public {
        Proposal memory p = _proposeGrant(1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector, p.id, IGovernor.ProposalState.Pending, bytes32(0)
            )
        );
        vm.prank(proposer);
        governor.propose(p.targets, p.values, p.calldatas, p.description);
    }
}
