// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ILivepeerGovernor} from "../../../contracts/interfaces/ILivepeerGovernor.sol";
import {GovernorTest} from "./GovernorTest.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @notice LivepeerGovernor cannot inherit ILivepeerGovernor (OpenZeppelin's `token()` returns IERC5805):
/// every function of the interface is called here through the interface type, so a missing selector or an
/// incompatible return fails.
contract SurfaceTest is GovernorTest {
    ILivepeerGovernor internal gov;

    function setUp() public override {
        super.setUp();
        gov = ILivepeerGovernor(address(governor));
    }

    function test_surface_viewsAnswerThroughTheInterface() public view {
        assertEq(gov.name(), "LivepeerGovernor", "name");
        assertEq(gov.version(), "1", "version");
        assertEq(gov.COUNTING_MODE(), "support=bravo&quorum=for,abstain,against", "counting mode");
        assertEq(gov.clock(), START_ROUND, "clock");
        assertEq(gov.CLOCK_MODE(), "mode=livepeer_round", "clock mode");
        assertEq(gov.votingDelay(), VOTING_DELAY, "voting delay");
        assertEq(gov.votingPeriod(), VOTING_PERIOD, "voting period");
        assertEq(gov.proposalThreshold(), PROPOSAL_THRESHOLD, "threshold");
        assertEq(gov.quorumNumerator(), QUORUM, "quorum numerator");
        assertEq(gov.quorumDenominator(), 1e6, "quorum denominator");
        assertEq(gov.quorum(START_ROUND - 1), 0, "quorum");
        assertEq(gov.quota(), QUOTA, "quota");
        assertEq(gov.votes(), address(bondingVotes), "votes");
        assertEq(gov.token(), address(bondingVotes), "token");
        assertEq(gov.timelock(), address(treasury), "timelock");
        assertEq(gov.getVotes(proposer, START_ROUND - 1), 0, "votes");
        assertEq(gov.getVotesWithParams(proposer, START_ROUND - 1, ""), 0, "votes with params");
        assertTrue(gov.supportsInterface(type(IGovernor).interfaceId), "IGovernor");
        assertTrue(gov.supportsInterface(type(IERC165).interfaceId), "IERC165");
    }

    function test_surface_proposalFunctionsAnswerThroughTheInterface() public {
        address[] memory targets = new address[](1);
        targets[0] = address(lpt);
        uint256[] memory values = new uint256[](1);
        bytes[] memory data = new bytes[](1);
        data[0] = abi.encodeCall(lpt.transfer, (recipient, 1 ether));
        bytes32 descriptionHash = keccak256("LIP-X");
        _setTranscoder(proposer, START_ROUND - 1, PROPOSAL_THRESHOLD);
        bondingVotes.setPastTotalSupply(START_ROUND + VOTING_DELAY, TOTAL_SUPPLY);

        vm.prank(proposer);
        uint256 id = gov.propose(targets, values, data, "LIP-X");
        assertEq(gov.hashProposal(targets, values, data, descriptionHash), id, "hash");
        assertEq(gov.getProposalId(targets, values, data, descriptionHash), id, "id");
        assertEq(gov.proposalSnapshot(id), START_ROUND + VOTING_DELAY, "snapshot");
        assertEq(gov.proposalDeadline(id), START_ROUND + VOTING_DELAY + VOTING_PERIOD, "deadline");
        assertEq(gov.proposalProposer(id), proposer, "proposer");
        assertTrue(gov.proposalNeedsQueuing(id), "needs queuing");

        uint256 snapshot = gov.proposalSnapshot(id);
        address[5] memory voters = [transcoder, transcoder2, delegator, delegator2, recipient];
        for (uint256 i; i < voters.length; ++i) {
            _setTranscoder(voters[i], snapshot, 1000 ether);
        }
        (address signer, uint256 key) = makeAddrAndKey("signer");
        _setTranscoder(signer, snapshot, 1000 ether);
        _activate(id);

        vm.prank(transcoder);
        gov.castVote(id, FOR);
        vm.prank(transcoder2);
        gov.castVoteWithReason(id, FOR, "reason");
        vm.prank(delegator);
        gov.castVoteWithReasonAndParams(id, AGAINST, "reason", hex"01");
        gov.castVoteBySig(
            id, FOR, signer, _sign(key, keccak256(abi.encode(governor.BALLOT_TYPEHASH(), id, FOR, signer, 0)))
        );
        gov.castVoteWithReasonAndParamsBySig(
            id,
            ABSTAIN,
            _signer2(),
            "reason",
            hex"02",
            _sign(
                _signer2Key(),
                keccak256(
                    abi.encode(
                        governor.EXTENDED_BALLOT_TYPEHASH(),
                        id,
                        ABSTAIN,
                        _signer2(),
                        0,
                        keccak256("reason"),
                        keccak256(hex"02")
                    )
                )
            )
        );
        assertTrue(gov.hasVoted(id, signer), "signer voted");
        assertTrue(gov.hasVoted(id, _signer2()), "extended signer voted");
        (uint256 againstVotes, uint256 forVotes,) = gov.proposalVotes(id);
        assertEq(forVotes, 3000 ether, "for");
        assertEq(againstVotes, 1000 ether, "against");

        _end(id);
        assertEq(uint8(gov.state(id)), uint8(IGovernor.ProposalState.Succeeded), "succeeded");
        gov.queue(targets, values, data, descriptionHash);
        assertEq(gov.proposalEta(id), block.timestamp, "eta");
        gov.execute(targets, values, data, descriptionHash);
        assertEq(lpt.balanceOf(recipient), 1 ether, "executed");

        // cancel, on a new proposal
        data[0] = abi.encodeCall(lpt.transfer, (recipient, 2 ether));
        _setTranscoder(proposer, gov.clock() - 1, PROPOSAL_THRESHOLD);
        vm.prank(proposer);
        uint256 id2 = gov.propose(targets, values, data, "LIP-X");
        vm.prank(proposer);
        gov.cancel(targets, values, data, descriptionHash);
        assertEq(uint8(gov.state(id2)), uint8(IGovernor.ProposalState.Canceled), "canceled");

        gov.bumpGovernorVotesTokenAddress();
        assertEq(gov.token(), address(bondingVotes), "bumped to the same");
    }

    function _signer2() internal returns (address addr) {
        (addr,) = makeAddrAndKey("signer2");
    }

    function _signer2Key() internal returns (uint256 key) {
        (, key) = makeAddrAndKey("signer2");
    }

    function _sign(uint256 key, bytes32 structHash) internal view returns (bytes memory) {
        bytes32 domainSeparator = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("LivepeerGovernor"),
                keccak256("1"),
                block.chainid,
                address(governor)
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(key, keccak256(abi.encodePacked("\x19\x01", domainSeparator, structHash)));
        return abi.encodePacked(r, s, v);
    }
}
