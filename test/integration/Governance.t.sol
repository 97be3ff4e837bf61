// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernanceTest} from "../GovernanceTest.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @notice Governance on the real BondingManager and BondingVotes: a treasury grant from proposal to
/// execution with a delegator overriding its orchestrator, and every view a governance UI (Tally)
/// reads, answered with the stakes.
contract GovernanceIntegrationTest is GovernanceTest {
    function test_grant_proposedVotedWithOverrideQueuedExecuted() public {
        uint256 id = _proposeGrant();
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Pending));
        _untilActive(id);
        uint256 snapshot = governor.proposalSnapshot(id);
        uint256 t1Votes = bondingVotes.getPastVotes(t1, snapshot);
        uint256 t2Votes = bondingVotes.getPastVotes(t2, snapshot);
        uint256 d1Votes = bondingVotes.getPastVotes(d1, snapshot);
        assertEq(t1Votes, 2500 ether, "t1: its bond and its delegator's");
        assertEq(d1Votes, 500 ether);

        vm.prank(t1);
        governor.castVote(id, FOR);
        vm.prank(d1);
        governor.castVote(id, AGAINST); // overrides t1 with its own stake
        vm.prank(t2);
        governor.castVote(id, ABSTAIN);
        (uint256 against, uint256 for_, uint256 abstain) = governor.proposalVotes(id);
        assertEq(for_, t1Votes - d1Votes, "for: t1 without d1");
        assertEq(against, d1Votes, "against: d1");
        assertEq(abstain, t2Votes, "abstain: t2");
        assertLe(for_ + against + abstain, bondingVotes.getPastTotalSupply(snapshot), "tally within the supply");

        _untilOver(id);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Succeeded));
        (address[] memory targets, uint256[] memory values, bytes[] memory calls) = _grant();
        bytes32 description = keccak256("Grant: research");
        governor.queue(targets, values, calls, description);
        uint256 treasuryBefore = token.balanceOf(address(treasuryContract));
        governor.execute(targets, values, calls, description);
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Executed));
        assertEq(token.balanceOf(grantee), GRANT, "grantee paid");
        assertEq(token.balanceOf(address(treasuryContract)), treasuryBefore - GRANT, "from the Treasury");
    }

    /// @notice The reads of a governance UI: the token's metadata and clock, the governor's settings,
    /// a proposal's life, the voters' power and choices.
    function test_tallyReads_everyViewAnswers() public {
        uint256 id = _proposeGrant();
        _untilActive(id);
        vm.prank(t1);
        governor.castVoteWithReason(id, FOR, "yes");
        uint256 snapshot = governor.proposalSnapshot(id);
        uint256 round = roundsManager.currentRound();

        // Token (BondingVotes), as Tally reads an ERC-5805 token.
        assertEq(bondingVotes.name(), "Livepeer Voting Power");
        assertEq(bondingVotes.symbol(), "vLPT");
        assertEq(bondingVotes.decimals(), 18);
        assertEq(bondingVotes.clock(), round);
        assertEq(bondingVotes.CLOCK_MODE(), "mode=livepeer_round");
        assertEq(bondingVotes.totalSupply(), bm.nextRoundTotalActiveStake());
        assertEq(bondingVotes.getPastTotalSupply(snapshot), 3500 ether);
        assertEq(bondingVotes.getVotes(t1), bm.transcoderTotalStake(t1));
        assertEq(bondingVotes.getPastVotes(d1, snapshot), 500 ether);
        assertEq(bondingVotes.delegates(d1), t1);
        assertEq(bondingVotes.delegatedAt(d1, snapshot), t1);

        // Governor settings.
        assertEq(governor.name(), "LivepeerGovernor");
        assertEq(governor.version(), "1");
        assertEq(governor.COUNTING_MODE(), "support=bravo&quorum=for,abstain,against");
        assertEq(governor.clock(), round);
        assertEq(governor.CLOCK_MODE(), "mode=livepeer_round");
        assertEq(address(governor.token()), address(bondingVotes));
        assertEq(governor.timelock(), address(treasuryContract));
        assertEq(governor.votingDelay(), 1);
        assertEq(governor.votingPeriod(), 10);
        assertEq(governor.proposalThreshold(), 100 ether);
        assertEq(governor.quorumNumerator(), 333_300);
        assertEq(governor.quorumDenominator(), 1e6);
        assertEq(governor.quota(), 500_000);
        assertEq(governor.quorum(snapshot), 3500 ether * 333_300 / 1e6, "a share of the active stake");
        assertTrue(governor.supportsInterface(type(IGovernor).interfaceId), "IGovernor");

        // The proposal and its voters.
        assertEq(uint8(governor.state(id)), uint8(IGovernor.ProposalState.Active));
        assertEq(governor.proposalProposer(id), t1);
        assertEq(governor.proposalSnapshot(id), snapshot);
        assertEq(governor.proposalDeadline(id), snapshot + 10);
        assertEq(governor.proposalEta(id), 0, "not queued");
        assertTrue(governor.proposalNeedsQueuing(id), "through the Treasury");
        (address[] memory targets, uint256[] memory values, bytes[] memory calls) = _grant();
        assertEq(governor.hashProposal(targets, values, calls, keccak256("Grant: research")), id);
        assertTrue(governor.hasVoted(id, t1));
        assertFalse(governor.hasVoted(id, d1));
        assertEq(governor.getVotes(d1, snapshot), 500 ether);
        (, uint256 for_,) = governor.proposalVotes(id);
        assertEq(for_, 2500 ether);
    }
}
