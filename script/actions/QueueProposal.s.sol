// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernanceBase} from "./GovernanceBase.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {console} from "forge-std/console.sol";

/// @notice Anyone: queues a treasury grant that passed in the Treasury (the timelock), after which
/// ExecuteProposal.s.sol runs it once the Treasury's delay has passed.
/// @dev forge script script/actions/QueueProposal.s.sol:QueueProposal --rpc-url <url> --broadcast --private-key <key>
/// Env: AMOUNT, RECIPIENT, DESCRIPTION exactly as given to Propose.s.sol (they name the proposal).
contract QueueProposal is GovernanceBase {
    function run() external {
        _setUpGovernance("queue");
        Grant memory g = _envGrant();
        _requireProposal(g.id, "AMOUNT, RECIPIENT and DESCRIPTION must be exactly those given to Propose.s.sol");
        _requireState(g.id, IGovernor.ProposalState.Succeeded);

        vm.startBroadcast();
        governor.queue(g.targets, g.values, g.calldatas, g.descriptionHash);
        vm.stopBroadcast();
        console.log("queue: proposal %s queued in the Treasury %s", vm.toString(g.id), treasury);
        console.log("queue: executable from timestamp %s", governor.proposalEta(g.id));
    }
}
