// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernanceBase} from "./GovernanceBase.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {console} from "forge-std/console.sol";

/// @notice Orchestrator or delegator: votes on an active proposal of the LivepeerGovernor with its stake
/// at the proposal's snapshot. A delegator's vote overrides its orchestrator's: its stake moves out of
/// the orchestrator's tally into its own choice, whether the orchestrator votes before or after.
/// @dev forge script script/actions/Vote.s.sol:Vote --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   PROPOSAL_ID  the proposal (Propose.s.sol prints it)
///   SUPPORT      for, against or abstain
///   REASON       optional: a reason recorded with the vote (castVoteWithReason)
contract Vote is GovernanceBase {
    function run() external {
        _setUpGovernance("vote");
        uint256 id = _envUint("PROPOSAL_ID", "the proposal id (Propose.s.sol prints it)");
        uint8 support = _envSupport();
        string memory reason = vm.envOr("REASON", string(""));
        (uint256 weight, address overridden) = _requireCanVote(id, sender);

        vm.startBroadcast();
        if (bytes(reason).length == 0) governor.castVote(id, support);
        else governor.castVoteWithReason(id, support, reason);
        vm.stopBroadcast();
        string[3] memory words = [string("against"), "for", "abstain"];
        console.log("vote: %s voted %s on proposal %s", sender, words[support], vm.toString(id));
        console.log("vote: weight %s (stake at the end of round %s)", _lpt(weight), governor.proposalSnapshot(id));
        if (overridden != address(0)) {
            console.log("vote: overrides the vote of your orchestrator %s for this stake", overridden);
        }
    }

    /// @dev The proposal is open, `voter` has not voted and had stake at the snapshot; returns its
    /// weight and the orchestrator whose vote it overrides (none for an orchestrator).
    function _requireCanVote(uint256 id, address voter) internal view returns (uint256 weight, address overridden) {
        _requireProposal(id, "PROPOSAL_ID is the id Propose.s.sol printed");
        _requireState(id, IGovernor.ProposalState.Active);
        _check(
            !governor.hasVoted(id, voter),
            string.concat(vm.toString(voter), " already voted on proposal ", vm.toString(id))
        );
        uint256 snapshot = governor.proposalSnapshot(id);
        weight = bondingVotes.getPastVotes(voter, snapshot);
        _check(
            weight != 0,
            string.concat(
                vm.toString(voter),
                " had no votes at the end of round ",
                vm.toString(snapshot),
                ", the proposal's snapshot (only stake bonded to a registered orchestrator by then counts)"
            )
        );
        overridden = _overridden(voter, snapshot);
    }
}
