// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingVotes} from "../../../contracts/interfaces/IBondingVotes.sol";
import {GovernorTest} from "./GovernorTest.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @notice Quorum: for + against + abstain >= quorum(snapshot). Quota: for >= percOf(for + against, quota).
contract QuorumAndQuotaTest is GovernorTest {
    function _succeeded(uint256 proposalId) internal view returns (bool) {
        return governor.state(proposalId) == IGovernor.ProposalState.Succeeded;
    }

    function test_quorum_isAShareOfTheTotalActiveStakeAtTheRound() public {
        bondingVotes.setClock(START_ROUND + 5);
        bondingVotes.setPastTotalSupply(START_ROUND + 3, 7_654_321 ether);
        assertEq(governor.quorum(START_ROUND + 3), 7_654_321 ether * QUORUM / 1e6, "quorum");
        assertEq(governor.quorum(START_ROUND + 4), 0, "no stake, no quorum");
    }

    function test_quorum_revertsForAnUnfinishedRound() public {
        vm.expectRevert(abi.encodeWithSelector(IBondingVotes.FutureLookup.selector, START_ROUND, START_ROUND - 1));
        governor.quorum(START_ROUND);
    }

    function test_quorum_countsForAgainstAndAbstain() public {
        Proposal memory p = _proposeGrant(1 ether);
        _activate(p.id);
        uint256 quorum = governor.quorum(_snapshot(p.id));
        assertEq(quorum, TOTAL_SUPPLY * QUORUM / 1e6, "quorum of the snapshot");
        address transcoder3 = makeAddr("transcoder3");
        // for 1 wei, against 1 wei: the rest of the quorum is abstentions.
        _setTranscoder(transcoder, _snapshot(p.id), 1);
        _setTranscoder(transcoder2, _snapshot(p.id), 1);
        _setTranscoder(transcoder3, _snapshot(p.id), quorum - 2);
        _vote(p.id, transcoder, FOR);
        _vote(p.id, transcoder2, AGAINST);
        _vote(p.id, transcoder3, ABSTAIN);
        _end(p.id);
        assertTrue(_succeeded(p.id), "quorum reached with 1:1 and abstentions");
    }

    function test_quorum_oneWeiShortIsDefeated() public {
        Proposal memory p = _proposeGrant(1 ether);
        _activate(p.id);
        _setTranscoder(transcoder, _snapshot(p.id), governor.quorum(_snapshot(p.id)) - 1);
        _vote(p.id, transcoder, ABSTAIN);
        _end(p.id);
        assertEq(uint8(governor.state(p.id)), uint8(IGovernor.ProposalState.Defeated), "defeated");
    }

    function test_quota_isSetAtInitialization() public {
        assertEq(governor.quota(), QUOTA, "quota");
        assertEq(_deployGovernor(666_667).quota(), 666_667, "another quota");
    }

    function test_quota_exactlyHalfPasses() public {
        Proposal memory p = _proposeGrant(1 ether);
        _setTranscoder(transcoder, _snapshot(p.id), 3000 ether);
        _setTranscoder(transcoder2, _snapshot(p.id), 3000 ether);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        _vote(p.id, transcoder2, AGAINST);
        _end(p.id);
        assertTrue(_succeeded(p.id), "for == 50% of for + against");
    }

    function test_quota_ignoresAbstentions() public {
        Proposal memory p = _proposeGrant(1 ether);
        address transcoder3 = makeAddr("transcoder3");
        _setTranscoder(transcoder, _snapshot(p.id), 1000 ether);
        _setTranscoder(transcoder2, _snapshot(p.id), 999 ether);
        _setTranscoder(transcoder3, _snapshot(p.id), 8000 ether);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        _vote(p.id, transcoder2, AGAINST);
        _vote(p.id, transcoder3, ABSTAIN);
        _end(p.id);
        assertTrue(_succeeded(p.id), "abstentions do not dilute for");
    }

    /// @dev for >= (for + against) * quota / 1e6, truncated, for any split and quota.
    function testFuzz_quota_matchesPercOf(uint256 forVotes, uint256 againstVotes, uint256 quota) public {
        forVotes = bound(forVotes, 0, 1e30);
        againstVotes = bound(againstVotes, 0, 1e30);
        quota = bound(quota, 0, 1e6);
        governor = _deployGovernor(quota);
        Proposal memory p = _proposeGrant(1 ether);
        bondingVotes.setPastTotalSupply(_snapshot(p.id), 0); // quorum 0: only the quota decides
        _setTranscoder(transcoder, _snapshot(p.id), forVotes);
        _setTranscoder(transcoder2, _snapshot(p.id), againstVotes);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        _vote(p.id, transcoder2, AGAINST);
        _end(p.id);
        assertEq(_succeeded(p.id), forVotes >= (forVotes + againstVotes) * quota / 1e6, "succeeded");
    }
}
