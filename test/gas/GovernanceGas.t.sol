// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernanceTest} from "../GovernanceTest.sol";

/// @notice Committed gas snapshots of voting (test/snapshots/GovernanceGasTest.json): an orchestrator's
/// vote, and a delegator's vote that overrides it (the override also moves the orchestrator's tally).
contract GovernanceGasTest is GovernanceTest {
    function test_gas_castVote() public {
        uint256 id = _proposeGrant();
        _untilActive(id);
        vm.prank(t1);
        governor.castVote(id, FOR);
        vm.snapshotGasLastCall("castVote_orchestrator");
        vm.prank(d1);
        governor.castVote(id, AGAINST);
        vm.snapshotGasLastCall("castVote_delegatorOverride");
        (uint256 against,,) = governor.proposalVotes(id);
        assertEq(against, 500 ether, "the override counted");
    }

    function test_gas_propose() public {
        _proposeGrant();
        vm.snapshotGasLastCall("propose_grant");
    }
}
