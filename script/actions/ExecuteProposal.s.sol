// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernanceBase} from "./GovernanceBase.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {console} from "forge-std/console.sol";

/// @notice Anyone: executes a queued treasury grant once the Treasury's delay has passed: the Treasury
/// pays the LPT to the recipient.
/// @dev forge script script/actions/ExecuteProposal.s.sol:ExecuteProposal --rpc-url <url> --broadcast --private-key <key>
/// Env: AMOUNT, RECIPIENT, DESCRIPTION exactly as given to Propose.s.sol (they name the proposal).
contract ExecuteProposal is GovernanceBase {
    function run() external {
        _setUpGovernance("execute");
        Grant memory g = _envGrant();
        _requireProposal(g.id, "AMOUNT, RECIPIENT and DESCRIPTION must be exactly those given to Propose.s.sol");
        _requireState(g.id, IGovernor.ProposalState.Queued);
        uint256 eta = governor.proposalEta(g.id);
        _check(
            // forge-lint: disable-next-line(block-timestamp)
            eta <= block.timestamp,
            string.concat(
                "proposal ",
                vm.toString(g.id),
                " is executable from timestamp ",
                vm.toString(eta),
                " (now ",
                vm.toString(block.timestamp),
                ")"
            )
        );
        _requireTreasuryFunds(g.amount);

        vm.startBroadcast();
        governor.execute(g.targets, g.values, g.calldatas, g.descriptionHash);
        vm.stopBroadcast();
        console.log("execute: proposal %s executed", vm.toString(g.id));
        console.log("execute: the Treasury paid %s to %s", _lpt(g.amount), g.recipient);
    }
}
