// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ILivepeerGovernor} from "../../../contracts/interfaces/ILivepeerGovernor.sol";
import {GovernorTest} from "./GovernorTest.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @notice The four ways to vote, and what every vote must satisfy.
contract CastVoteTest is GovernorTest {
    uint256 internal constant WEIGHT = 4000 ether;

    Proposal internal p;

    function setUp() public override {
        super.setUp();
        p = _proposeGrant(1 ether);
        _setTranscoder(transcoder, _snapshot(p.id), WEIGHT);
        _activate(p.id);
    }

    function test_castVote_countsWeightAtTheSnapshot() public {
        // Stake after the snapshot does not count.
        _setTranscoder(transcoder, _snapshot(p.id) + 1, 2 * WEIGHT);

        vm.expectEmit(address(governor));
        emit IGovernor.VoteCast(transcoder, p.id, FOR, WEIGHT, "");
        vm.prank(transcoder);
        assertEq(governor.castVote(p.id, FOR), WEIGHT, "returned weight");

        (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = _tally(p.id);
        assertEq(againstVotes, 0, "against");
        assertEq(forVotes, WEIGHT, "for");
        assertEq(abstainVotes, 0, "abstain");
        assertTrue(governor.hasVoted(p.id, transcoder), "has voted");
        assertFalse(governor.hasVoted(p.id, transcoder2), "others have not");
    }

    function test_castVote_eachSupportGoesToItsCount() public {
        _setTranscoder(transcoder2, _snapshot(p.id), 2 ether);
        address transcoder3 = makeAddr("transcoder3");
        _setTranscoder(transcoder3, _snapshot(p.id), 3 ether);
        _vote(p.id, transcoder, AGAINST);
        _vote(p.id, transcoder2, FOR);
        _vote(p.id, transcoder3, ABSTAIN);
        (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = _tally(p.id);
        assertEq(againstVotes, WEIGHT, "against");
        assertEq(forVotes, 2 ether, "for");
        assertEq(abstainVotes, 3 ether, "abstain");
    }

    function test_castVote_revertsIfInvalidSupport() public {
        vm.expectRevert(abi.encodeWithSelector(ILivepeerGovernor.InvalidVoteType.selector, 3));
        vm.prank(transcoder);
        governor.castVote(p.id, 3);
    }

    function test_castVote_revertsIfVotedTwice() public {
        _vote(p.id, transcoder, FOR);
        vm.expectRevert(ILivepeerGovernor.VoteAlreadyCast.selector);
        vm.prank(transcoder);
        governor.castVote(p.id, AGAINST);
    }

    function test_castVote_revertsWhilePending() public {
        Proposal memory pending = _propose(address(lpt), abi.encodeCall(lpt.transfer, (recipient, 2)), "pending");
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                pending.id,
                IGovernor.ProposalState.Pending,
                bytes32(1 << uint8(IGovernor.ProposalState.Active))
            )
        );
        vm.prank(transcoder);
        governor.castVote(pending.id, FOR);
    }

    function test_castVote_revertsAfterTheDeadline() public {
        _end(p.id);
        vm.expectRevert(
            abi.encodeWithSelector(
                IGovernor.GovernorUnexpectedProposalState.selector,
                p.id,
                IGovernor.ProposalState.Defeated,
                bytes32(1 << uint8(IGovernor.ProposalState.Active))
            )
        );
        vm.prank(transcoder);
        governor.castVote(p.id, FOR);
    }

    function test_castVote_lastRoundOfTheVoteCounts() public {
        bondingVotes.setClock(uint48(governor.proposalDeadline(p.id)));
        _vote(p.id, transcoder, FOR);
        (, uint256 forVotes,) = _tally(p.id);
        assertEq(forVotes, WEIGHT, "for");
    }

    function test_castVoteWithReason_emitsTheReason() public {
        vm.expectEmit(address(governor));
        emit IGovernor.VoteCast(transcoder, p.id, AGAINST, WEIGHT, "too expensive");
        vm.prank(transcoder);
        assertEq(governor.castVoteWithReason(p.id, AGAINST, "too expensive"), WEIGHT, "returned weight");
        (uint256 againstVotes,,) = _tally(p.id);
        assertEq(againstVotes, WEIGHT, "against");
    }

    function test_castVoteWithReasonAndParams_emitsVoteCastWithParams() public {
        vm.expectEmit(address(governor));
        emit IGovernor.VoteCastWithParams(transcoder, p.id, ABSTAIN, WEIGHT, "no view", hex"c0ffee");
        vm.prank(transcoder);
        governor.castVoteWithReasonAndParams(p.id, ABSTAIN, "no view", hex"c0ffee");
        (,, uint256 abstainVotes) = _tally(p.id);
        assertEq(abstainVotes, WEIGHT, "abstain");
    }

    function test_castVoteWithReasonAndParams_emptyParamsEmitVoteCast() public {
        vm.expectEmit(address(governor));
        emit IGovernor.VoteCast(transcoder, p.id, FOR, WEIGHT, "yes");
        vm.prank(transcoder);
        governor.castVoteWithReasonAndParams(p.id, FOR, "yes", "");
    }

    function test_castVoteBySig_countsTheSignersVote() public {
        (address voter, uint256 key) = makeAddrAndKey("signer");
        _setTranscoder(voter, _snapshot(p.id), 7 ether);
        bytes memory signature = _signBallot(key, p.id, FOR, voter, governor.nonces(voter));

        vm.expectEmit(address(governor));
        emit IGovernor.VoteCast(voter, p.id, FOR, 7 ether, "");
        vm.prank(attacker); // anyone may relay the signature
        governor.castVoteBySig(p.id, FOR, voter, signature);

        assertTrue(governor.hasVoted(p.id, voter), "has voted");
        assertEq(governor.nonces(voter), 1, "nonce used");
        (, uint256 forVotes,) = _tally(p.id);
        assertEq(forVotes, 7 ether, "for");
    }

    function test_castVoteBySig_revertsIfSignedByAnother() public {
        (address voter,) = makeAddrAndKey("signer");
        (, uint256 otherKey) = makeAddrAndKey("other");
        _setTranscoder(voter, _snapshot(p.id), 7 ether);
        bytes memory signature = _signBallot(otherKey, p.id, FOR, voter, 0);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, voter));
        governor.castVoteBySig(p.id, FOR, voter, signature);
    }

    function test_castVoteBySig_revertsOnReplay() public {
        (address voter, uint256 key) = makeAddrAndKey("signer");
        bytes memory signature = _signBallot(key, p.id, FOR, voter, 0);
        governor.castVoteBySig(p.id, FOR, voter, signature);
        vm.expectRevert(abi.encodeWithSelector(IGovernor.GovernorInvalidSignature.selector, voter));
        governor.castVoteBySig(p.id, FOR, voter, signature);
    }

    function _signBallot(uint256 key, uint256 proposalId, uint8 support, address voter, uint256 nonce)
        internal
        view
        returns (bytes memory)
    {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LivepeerGovernor"),
                keccak256("1"),
                block.chainid,
                address(governor)
            )
        );
        bytes32 structHash = keccak256(abi.encode(governor.BALLOT_TYPEHASH(), proposalId, support, voter, nonce));
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash)));
        return abi.encodePacked(r, s, v);
    }
}
