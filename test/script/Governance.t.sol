// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingVotes} from "../../contracts/interfaces/IBondingVotes.sol";
import {ILivepeerGovernor} from "../../contracts/interfaces/ILivepeerGovernor.sol";
import {ILivepeerToken} from "../../contracts/interfaces/ILivepeerToken.sol";
import {GovernanceBase} from "../../script/actions/GovernanceBase.sol";
import {Propose} from "../../script/actions/Propose.s.sol";
import {Vote} from "../../script/actions/Vote.s.sol";
import {GovernorTest} from "../unit/governance/GovernorTest.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @dev Exposes the governance scripts' proposal building and shared checks on a given governor.
abstract contract GovernanceHarnessBase is GovernanceBase {
    constructor(address governorAddress, address votesAddress, address tokenAddress) {
        governor = ILivepeerGovernor(governorAddress);
        bondingVotes = IBondingVotes(votesAddress);
        token = ILivepeerToken(tokenAddress);
        treasury = governor.timelock();
    }

    function setAction(string memory name) external {
        action = name;
    }

    function grant(uint256 amount, address recipient, string memory description) external view returns (Grant memory) {
        return _grant(amount, recipient, description);
    }

    function support(string memory word) external view returns (uint8) {
        return _support(word);
    }

    function requireState(uint256 id, IGovernor.ProposalState expected) external view {
        _requireState(id, expected);
    }
}

/// @dev Vote.s.sol's pre-flight checks.
contract VoteHarness is GovernanceHarnessBase, Vote {
    constructor(address governorAddress, address votesAddress, address tokenAddress)
        GovernanceHarnessBase(governorAddress, votesAddress, tokenAddress)
    {}

    function requireCanVote(uint256 id, address voter) external view returns (uint256, address) {
        return _requireCanVote(id, voter);
    }
}

/// @dev Propose.s.sol's pre-flight checks.
contract ProposeHarness is GovernanceHarnessBase, Propose {
    constructor(address governorAddress, address votesAddress, address tokenAddress)
        GovernanceHarnessBase(governorAddress, votesAddress, tokenAddress)
    {}

    function requireCanPropose(uint256 amount, address recipient, string memory description, address proposer)
        external
        view
    {
        _requireCanPropose(_grant(amount, recipient, description), proposer);
    }
}

/// @notice The governance scripts (Propose, Vote, QueueProposal, ExecuteProposal) name the proposal the
/// governor creates, and stop with the message the user needs before anything would revert.
contract GovernanceScriptsTest is GovernorTest {
    VoteHarness internal harness;
    ProposeHarness internal proposeHarness;

    function setUp() public override {
        super.setUp();
        harness = new VoteHarness(address(governor), address(bondingVotes), address(lpt));
        proposeHarness = new ProposeHarness(address(governor), address(bondingVotes), address(lpt));
    }

    /* THE GRANT */

    function testFuzz_grant_isTheProposalTheGovernorCreatesQueuesAndExecutes(uint256 amount, string memory text)
        public
    {
        amount = bound(amount, 1, TREASURY_LPT);
        string memory description = string.concat("grant ", text);
        GovernanceBase.Grant memory g = harness.grant(amount, recipient, description);

        _setTranscoder(proposer, bondingVotes.clock() - 1, PROPOSAL_THRESHOLD);
        bondingVotes.setPastTotalSupply(bondingVotes.clock() + VOTING_DELAY, TOTAL_SUPPLY);
        vm.prank(proposer);
        assertEq(governor.propose(g.targets, g.values, g.calldatas, g.description), g.id, "proposal id");
        _setTranscoder(transcoder, _snapshot(g.id), TOTAL_SUPPLY);
        _activate(g.id);
        _vote(g.id, transcoder, FOR);
        _end(g.id);
        governor.queue(g.targets, g.values, g.calldatas, g.descriptionHash);
        governor.execute(g.targets, g.values, g.calldatas, g.descriptionHash);
        assertEq(lpt.balanceOf(recipient), amount, "recipient paid");
        assertEq(lpt.balanceOf(address(treasury)), TREASURY_LPT - amount, "treasury paid");
    }

    function test_support_readsTheThreeWords() public view {
        assertEq(harness.support("against"), AGAINST, "against");
        assertEq(harness.support("for"), FOR, "for");
        assertEq(harness.support("abstain"), ABSTAIN, "abstain");
    }

    function test_support_revertsIfNotAWord() public {
        harness.setAction("vote");
        vm.expectRevert(bytes("vote: SUPPORT is \"yes\": set it to for, against or abstain"));
        harness.support("yes");
    }

    /* VOTE */

    function test_requireCanVote_revertsWithTheVotingRoundsIfPending() public {
        Proposal memory p = _proposeGrant(1 ether);
        harness.setAction("vote");
        vm.expectRevert(
            bytes(
                string.concat(
                    "vote: proposal ",
                    vm.toString(p.id),
                    " is Pending, not Active: voting is open from round 1002 through round 1011 (current round 1000)"
                )
            )
        );
        harness.requireCanVote(p.id, transcoder);
    }

    function test_requireCanVote_revertsIfAlreadyVotedOrNoVotes() public {
        Proposal memory p = _proposeGrant(1 ether);
        _setTranscoder(transcoder, _snapshot(p.id), 1000 ether);
        _activate(p.id);
        _vote(p.id, transcoder, FOR);
        harness.setAction("vote");
        vm.expectRevert(
            bytes(string.concat("vote: ", vm.toString(transcoder), " already voted on proposal ", vm.toString(p.id)))
        );
        harness.requireCanVote(p.id, transcoder);
        vm.expectRevert(
            bytes(
                string.concat(
                    "vote: ",
                    vm.toString(delegator),
                    " had no votes at the end of round 1001, the proposal's snapshot (only stake bonded to a registered orchestrator by then counts)"
                )
            )
        );
        harness.requireCanVote(p.id, delegator);
    }

    function test_requireCanVote_namesTheOverriddenTranscoder() public {
        Proposal memory p = _proposeGrant(1 ether);
        uint256 snapshot = _snapshot(p.id);
        _setTranscoder(transcoder, snapshot, 1000 ether);
        _setDelegator(delegator, transcoder, snapshot, 300 ether);
        _setDelegator(delegator2, attacker, snapshot, 200 ether); // bonded to a non-transcoder
        _activate(p.id);

        (uint256 weight, address overridden) = harness.requireCanVote(p.id, transcoder);
        assertEq(weight, 1000 ether, "transcoder weight");
        assertEq(overridden, address(0), "a transcoder overrides nobody");
        (weight, overridden) = harness.requireCanVote(p.id, delegator);
        assertEq(weight, 300 ether, "delegator weight");
        assertEq(overridden, transcoder, "a delegator overrides its transcoder");
        (, overridden) = harness.requireCanVote(p.id, delegator2);
        assertEq(overridden, address(0), "stake bonded to a non-transcoder overrides nobody");
    }

    /* PROPOSE */

    function test_requireCanPropose_revertsBelowTheThresholdOrAboveTheTreasury() public {
        proposeHarness.setAction("propose");
        _setTranscoder(proposer, bondingVotes.clock() - 1, PROPOSAL_THRESHOLD - 1);
        vm.expectRevert(
            bytes(
                string.concat(
                    "propose: ",
                    vm.toString(proposer),
                    " had 99.999999999999999999 LPT of votes at the end of round 999, proposing needs 100 LPT (bond more, or ask your orchestrator to propose)"
                )
            )
        );
        proposeHarness.requireCanPropose(1 ether, recipient, "grant", proposer);

        _setTranscoder(proposer, bondingVotes.clock() - 1, PROPOSAL_THRESHOLD);
        vm.expectRevert(bytes("propose: the Treasury holds only 1000000 LPT, the grant is 1000001 LPT"));
        proposeHarness.requireCanPropose(TREASURY_LPT + 1 ether, recipient, "grant", proposer);
        proposeHarness.requireCanPropose(TREASURY_LPT, recipient, "grant", proposer);
    }

    function test_requireCanPropose_revertsIfAlreadyProposed() public {
        Proposal memory p = _proposeGrant(1 ether);
        proposeHarness.setAction("propose");
        vm.expectRevert(
            bytes(
                string.concat(
                    "propose: this grant with this DESCRIPTION is already proposal ",
                    vm.toString(p.id),
                    " (Pending): change DESCRIPTION to propose it again"
                )
            )
        );
        proposeHarness.requireCanPropose(1 ether, recipient, p.description, proposer);
    }

    /* QUEUE, EXECUTE */

    function test_requireState_givesTheTallyIfDefeatedAndSaysQueueFirst() public {
        Proposal memory p = _proposeGrant(1 ether);
        _setTranscoder(transcoder, _snapshot(p.id), 1000 ether);
        _activate(p.id);
        _vote(p.id, transcoder, AGAINST);
        _end(p.id);
        harness.setAction("queue");
        vm.expectRevert(
            bytes(
                string.concat(
                    "queue: proposal ",
                    vm.toString(p.id),
                    " is Defeated, not Succeeded: voting is open from round 1002 through round 1011 (current round 1012); for 0 LPT, against 1000 LPT, abstain 0 LPT; quorum 3333 LPT, and for needs 50% of for + against"
                )
            )
        );
        harness.requireState(p.id, IGovernor.ProposalState.Succeeded);

        Proposal memory passed = _propose(address(lpt), abi.encodeCall(lpt.transfer, (recipient, 1 ether)), "other");
        _setTranscoder(transcoder, _snapshot(passed.id), TOTAL_SUPPLY);
        _activate(passed.id);
        _vote(passed.id, transcoder, FOR);
        _end(passed.id);
        harness.setAction("execute");
        vm.expectRevert(
            bytes(
                string.concat(
                    "execute: proposal ",
                    vm.toString(passed.id),
                    " is Succeeded, not Queued: voting is open from round 1014 through round 1023 (current round 1024); queue it first (QueueProposal.s.sol)"
                )
            )
        );
        harness.requireState(passed.id, IGovernor.ProposalState.Queued);
    }
}
