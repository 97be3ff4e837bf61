// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernanceBase} from "./GovernanceBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Orchestrator or delegator with enough stake: proposes a treasury grant, the Treasury paying
/// LPT to a recipient once the stake-weighted vote passes (then QueueProposal.s.sol, ExecuteProposal.s.sol).
/// @dev forge script script/actions/Propose.s.sol:Propose --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   AMOUNT       LPT the Treasury pays, in wei
///   RECIPIENT    the account it pays
///   DESCRIPTION  the proposal's text; queueing and executing need exactly the same three inputs
contract Propose is GovernanceBase {
    function run() external {
        _setUpGovernance("propose");
        Grant memory g = _envGrant();
        _requireCanPropose(g, sender);

        vm.startBroadcast();
        governor.propose(g.targets, g.values, g.calldatas, g.description);
        vm.stopBroadcast();
        uint256 snapshot = governor.proposalSnapshot(g.id);
        uint256 deadline = governor.proposalDeadline(g.id);
        console.log("propose: proposal %s: the Treasury pays %s to %s", vm.toString(g.id), _lpt(g.amount), g.recipient);
        console.log("propose: snapshot round %s (votes are the stake at its end)", snapshot);
        console.log("propose: voting from round %s through round %s", snapshot + 1, deadline);
    }

    /// @dev The proposer's votes of last round reach the threshold (the governor's rule), the Treasury
    /// holds the amount, and the same grant with the same text was not proposed before.
    function _requireCanPropose(Grant memory g, address proposer) internal view {
        uint256 round = governor.clock();
        _check(round != 0, "round 0: nobody has votes yet");
        uint256 votes = governor.getVotes(proposer, round - 1);
        uint256 threshold = governor.proposalThreshold();
        _check(
            votes >= threshold,
            string.concat(
                vm.toString(proposer),
                " had ",
                _lpt(votes),
                " of votes at the end of round ",
                vm.toString(round - 1),
                ", proposing needs ",
                _lpt(threshold),
                " (bond more, or ask your orchestrator to propose)"
            )
        );
        _requireTreasuryFunds(g.amount);
        // The message reads the state, which exists only for a proposal: build it only then.
        if (governor.proposalSnapshot(g.id) != 0) {
            revert(
                _msg(
                    string.concat(
                        "this grant with this DESCRIPTION is already proposal ",
                        vm.toString(g.id),
                        " (",
                        _stateName(governor.state(g.id)),
                        "): change DESCRIPTION to propose it again"
                    )
                )
            );
        }
    }
}
