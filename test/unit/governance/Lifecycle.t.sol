// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernorTest} from "./GovernorTest.sol";
import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @notice Pending -> Active -> Defeated | Succeeded -> Queued -> Executed, the Treasury paying out.
contract LifecycleTest is GovernorTest {
    uint256 internal constant GRANT = 5000 ether;

    function _state(uint256 proposalId) internal view returns (uint8) {
        return uint8(governor.state(proposalId));
    }

    function test_lifecycle_succeededProposalIsExecutedByTheTreasury() public {
        Proposal memory p = _proposeGrant(GRANT);
        uint256 snapshot = _snapshot(p.id);
        _setTranscoder(transcoder, snapshot, 4000 ether);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Pending), "pending at creation");
        bondingVotes.setClock(uint48(snapshot));
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Pending), "pending through the snapshot round");

        _activate(p.id);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Active), "active after the snapshot");
        _vote(p.id, transcoder, FOR);
        bondingVotes.setClock(uint48(governor.proposalDeadline(p.id)));
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Active), "active through the deadline round");

        _end(p.id);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Succeeded), "succeeded");

        vm.expectEmit(address(governor));
        emit IGovernor.ProposalQueued(p.id, block.timestamp);
        _queue(p);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Queued), "queued");
        assertEq(governor.proposalEta(p.id), block.timestamp, "eta (no delay)");

        vm.expectEmit(address(governor));
        emit IGovernor.ProposalExecuted(p.id);
        vm.prank(attacker); // anyone executes what passed
        _execute(p);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Executed), "executed");
        assertEq(lpt.balanceOf(recipient), GRANT, "recipient paid");
        assertEq(lpt.balanceOf(address(treasury)), TREASURY_LPT - GRANT, "treasury paid out");
    }

    function test_lifecycle_defeatedWithoutQuorum() public {
        Proposal memory p = _proposeGrant(GRANT);
        _activate(p.id);
        uint256 quorum = governor.quorum(_snapshot(p.id));
        _setTranscoder(transcoder, _snapshot(p.id), quorum - 1);
        _vote(p.id, transcoder, FOR);
        _end(p.id);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Defeated), "defeated");
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                p.id,
                IGovernor.ProposalState.Defeated,
                bytes32(1 << uint8(IGovernor.ProposalState.Succeeded))
            )
        );
        _queue(p);
    }

    function test_lifecycle_defeatedBelowQuota() public {
        Proposal memory p = _proposeGrant(GRANT);
        _setTranscoder(transcoder, _snapshot(p.id), 2000 ether);
        // (4000 LPT + 2 wei) * 50% = 2000 LPT + 1 wei; with 1 wei against less, truncation lets 2000 LPT pass.
        _setTranscoder(transcoder2, _snapshot(p.id), 2000 ether + 2);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        _vote(p.id, transcoder2, AGAINST);
        _end(p.id);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Defeated), "defeated");
    }

    function test_lifecycle_executeRevertsUntilQueued() public {
        Proposal memory p = _proposeGrant(GRANT);
        _setTranscoder(transcoder, _snapshot(p.id), 4000 ether);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        _end(p.id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                p.id,
                IGovernor.ProposalState.Succeeded,
                bytes32(1 << uint8(IGovernor.ProposalState.Queued))
            )
        );
        _execute(p);
    }

    function test_lifecycle_treasuryDelayHoldsExecution() public {
        _pass(address(treasury), abi.encodeCall(treasury.updateDelay, (2 days)), "LIP-Y: delay");
        assertEq(treasury.getMinDelay(), 2 days, "delay set through governance");

        Proposal memory p = _proposeGrant(GRANT);
        _setTranscoder(transcoder, _snapshot(p.id), 4000 ether);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        _end(p.id);
        _queue(p);
        assertEq(governor.proposalEta(p.id), block.timestamp + 2 days, "eta");
        vm.expectRevert();
        _execute(p);
        vm.warp(block.timestamp + 2 days);
        _execute(p);
        assertEq(lpt.balanceOf(recipient), GRANT, "paid after the delay");
    }

    function test_cancel_byProposerWhilePending() public {
        Proposal memory p = _proposeGrant(GRANT);
        vm.expectEmit(address(governor));
        emit IGovernor.ProposalCanceled(p.id);
        vm.prank(proposer);
        governor.cancel(p.targets, p.values, p.calldatas, p.descriptionHash);
        assertEq(_state(p.id), uint8(IGovernor.ProposalState.Canceled), "canceled");
    }

    function test_cancel_revertsForOthers() public {
        Proposal memory p = _proposeGrant(GRANT);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorUnableToCancel.selector, p.id, attacker));
        vm.prank(attacker);
        governor.cancel(p.targets, p.values, p.calldatas, p.descriptionHash);
    }

    function test_treasury_onlyTheGovernorSchedules() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAccessControl.AccessControlUnauthorizedAccount.selector, attacker, treasury.PROPOSER_ROLE()
            )
        );
        vm.prank(attacker);
        treasury.schedule(address(lpt), 0, abi.encodeCall(lpt.transfer, (attacker, 1)), 0, 0, 0);
        assertTrue(treasury.hasRole(treasury.PROPOSER_ROLE(), address(governor)), "governor proposes");
        assertFalse(treasury.hasRole(treasury.DEFAULT_ADMIN_ROLE(), owner), "no admin but the Treasury itself");
    }

    function test_treasury_isAPlainTimelock() public view {
        assertEq(treasury.getMinDelay(), 0, "live min delay");
        assertTrue(treasury.supportsInterface(type(IAccessControl).interfaceId), "access control");
        assertTrue(treasury.hasRole(treasury.EXECUTOR_ROLE(), address(0)), "open execution");
        assertEq(TimelockController(payable(governor.timelock())).getMinDelay(), 0, "governor's timelock");
    }
}
