// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ProtocolInvariantsBase} from "./ProtocolInvariants.t.sol";

import {BondingManager} from "../../contracts/BondingManager.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {BondingVotes} from "../../contracts/governance/BondingVotes.sol";
import {LivepeerGovernor} from "../../contracts/governance/LivepeerGovernor.sol";
import {ProtocolHandler} from "./ProtocolHandler.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";
import {Strings} from "@openzeppelin/contracts/utils/Strings.sol";
import {CommonBase} from "forge-std/Base.sol";

/// @dev Forwards the user actions to ProtocolHandler and, after each, records every account's power
/// and the total for the round in progress (invariant functions cannot keep state). Also proposes
/// (one proposal open at a time) and casts the accounts' votes on it, recording who voted how.
contract VotesRecorder is CommonBase {
    ProtocolHandler internal immutable inner;
    BondingVotes internal immutable votes;
    BondingManager internal immutable bm;
    RoundsManager internal immutable rm;
    address[] public accounts;
    // round => account index => power at the round's end (start of the next one)
    mapping(uint256 round => mapping(uint256 index => uint256)) public recordedVotes;
    mapping(uint256 round => uint256) public recordedTotal;
    mapping(uint256 round => uint256) public recordedTranscoderStake;
    uint256 public immutable firstRound;
    uint256 internal lastRecordedRound;

    LivepeerGovernor public immutable governor;
    uint256[] public proposals;
    // proposal => account index => 1 + support (0: not voted)
    mapping(uint256 id => mapping(uint256 index => uint8)) public castSupport;

    constructor(
        ProtocolHandler inner_,
        BondingVotes votes_,
        BondingManager bm_,
        RoundsManager rm_,
        LivepeerGovernor governor_,
        address[] memory all
    ) {
        (inner, votes, bm, rm, governor, accounts) = (inner_, votes_, bm_, rm_, governor_, all);
        firstRound = rm_.currentRound();
        _record();
    }

    function proposalCount() external view returns (uint256) {
        return proposals.length;
    }

    /// @notice Opens a proposal (a harmless call) unless one is still pending or active.
    function propose() external {
        uint256 count = proposals.length;
        if (count != 0) {
            IGovernor.ProposalState state = governor.state(proposals[count - 1]);
            if (state == IGovernor.ProposalState.Pending || state == IGovernor.ProposalState.Active) return;
        }
        address[] memory targets = new address[](1);
        bytes[] memory calls = new bytes[](1);
        (targets[0], calls[0]) = (address(votes), abi.encodeCall(BondingVotes.decimals, ()));
        string memory description = string.concat("invariant proposal ", Strings.toString(count));
        proposals.push(governor.propose(targets, new uint256[](1), calls, description));
    }

    /// @notice Account `who` votes `support` on the open proposal, if voting is open and it has not voted.
    function vote(uint256 who, uint256 support) external {
        uint256 count = proposals.length;
        if (count == 0) return;
        uint256 id = proposals[count - 1];
        if (governor.state(id) != IGovernor.ProposalState.Active) return;
        uint256 index = who % accounts.length;
        if (castSupport[id][index] != 0) return;
        uint8 choice = uint8(support % 3);
        vm.prank(accounts[index]);
        governor.castVote(id, choice);
        castSupport[id][index] = choice + 1;
    }

    function bond(uint256 a, uint256 b, uint256 c) external {
        inner.bond(a, b, c);
        _record();
    }

    function unbond(uint256 a, uint256 b) external {
        inner.unbond(a, b);
        _record();
    }

    function reward(uint256 a) external {
        inner.reward(a);
        _record();
    }

    function fund(uint256 a, uint256 b) external {
        inner.fund(a, b);
        _record();
    }

    function redeem(uint256 a, uint256 b) external {
        inner.redeem(a, b);
        _record();
    }

    function withdrawFees(uint256 a) external {
        inner.withdrawFees(a);
        _record();
    }

    function advanceRound(uint256 a) external {
        inner.advanceRound(a);
        _record();
    }

    /// @dev Records the round in progress; a round skipped by the handler keeps the last values.
    function _record() internal {
        uint256 current = rm.currentRound();
        for (uint256 r = lastRecordedRound + 1; lastRecordedRound != 0 && r < current; r++) {
            for (uint256 i; i < accounts.length; i++) {
                recordedVotes[r][i] = recordedVotes[lastRecordedRound][i];
            }
            recordedTotal[r] = recordedTotal[lastRecordedRound];
            recordedTranscoderStake[r] = recordedTranscoderStake[lastRecordedRound];
        }
        uint256 stake;
        for (uint256 i; i < accounts.length; i++) {
            recordedVotes[current][i] = votes.getVotes(accounts[i]);
            if (bm.isRegisteredTranscoder(accounts[i])) stake += bm.transcoderTotalStake(accounts[i]);
        }
        recordedTotal[current] = votes.totalSupply();
        recordedTranscoderStake[current] = stake;
        lastRecordedRound = current;
    }
}

/// @notice BondingVotes and the governor over many rounds of bonding, unbonding, rewards, fees and round
/// changes (ProtocolHandler's user actions), with proposals opened one at a time and every account
/// voting on them in any order. After every call the power of every account and the total are read
/// for the round in progress; once a round is over, its past lookups must keep those values, and every
/// tally must be the overridable counting's model.
/// @dev Every registered transcoder is in the active set here (3 orchestrators, 10 seats), the case
/// in which a tally cannot exceed the total active stake: a registered transcoder outside the active
/// set has votes but no active stake, as on the live network.
/// Each call reads every account's power several times, so the campaign is shorter than the others
/// (100 runs x 60 calls; `make deep` runs 10x more).
/// forge-config: default.invariant.runs = 100
/// forge-config: default.invariant.depth = 60
/// forge-config: deep.invariant.runs = 1000
/// forge-config: deep.invariant.depth = 100
contract GovernanceInvariantsTest is ProtocolInvariantsBase {
    VotesRecorder internal recorder;
    LivepeerGovernor internal governor;
    address[] internal accounts;
    uint256 internal firstRound;

    function setUp() public override {
        super.setUp();
        firstRound = recorder.firstRound();
    }

    /// @dev The campaign calls the recorder, which forwards to the handler and records.
    function _target() internal override {
        for (uint256 i; i < orchestrators.length; i++) {
            accounts.push(orchestrators[i]);
        }
        for (uint256 i; i < delegators.length; i++) {
            accounts.push(delegators[i]);
        }
        // Any account may propose (threshold 0); voting opens a round after and lasts 3 rounds.
        governor = LivepeerGovernor(
            payable(_proxy(
                    address(new LivepeerGovernor()),
                    abi.encodeCall(LivepeerGovernor.initialize, (address(controller), 1, 3, 0, 333_300, 500_000))
                ))
        );
        recorder = new VotesRecorder(handler, bondingVotes, bm, roundsManager, governor, accounts);
        targetContract(address(recorder));
        bytes4[] memory selectors = new bytes4[](9);
        selectors[0] = VotesRecorder.bond.selector;
        selectors[1] = VotesRecorder.unbond.selector;
        selectors[2] = VotesRecorder.reward.selector;
        selectors[3] = VotesRecorder.fund.selector;
        selectors[4] = VotesRecorder.redeem.selector;
        selectors[5] = VotesRecorder.withdrawFees.selector;
        selectors[6] = VotesRecorder.advanceRound.selector;
        selectors[7] = VotesRecorder.propose.selector;
        selectors[8] = VotesRecorder.vote.selector;
        targetSelector(FuzzSelector({addr: address(recorder), selectors: selectors}));
    }

    function _selectors() internal pure override returns (bytes4[] memory) {
        return _userSelectors(0);
    }

    /// @notice Past power and totals, read back, are what they were when their round ended.
    /// forge-config: default.fuzz.seed = "0x601"
    /// forge-config: deep.fuzz.seed = "0x601"
    function invariant_pastLookupsNeverChange() public view {
        uint256 current = roundsManager.currentRound();
        // Every recorded round is re-read now and then (one per call, rotating), the last one always.
        uint256 rounds = current - firstRound;
        if (rounds == 0) return;
        _checkRound(current - 1);
        // A pseudo-random earlier round: over a run every one is re-read.
        _checkRound(firstRound + uint256(keccak256(abi.encode(block.number, gasleft()))) % rounds);
    }

    /// @notice At every past round the votes of the registered transcoders sum to their delegated stakes.
    /// forge-config: default.fuzz.seed = "0x602"
    /// forge-config: deep.fuzz.seed = "0x602"
    function invariant_transcoderVotesSumToTheirStakes() public view {
        uint256 current = roundsManager.currentRound();
        if (current == firstRound) return;
        uint256 r = current - 1;
        uint256 sum;
        for (uint256 i; i < orchestrators.length; i++) {
            sum += bondingVotes.getPastVotes(orchestrators[i], r);
        }
        assertEq(sum, recorder.recordedTranscoderStake(r), "TranscoderVotesSumToTheirStakes");
    }

    /// @notice A delegator's power lies inside its transcoder's (an override moves at most that much),
    /// and the power of all registered transcoders never exceeds the total active stake.
    /// forge-config: default.fuzz.seed = "0x603"
    /// forge-config: deep.fuzz.seed = "0x603"
    function invariant_votesWithinTheTotalSupply() public view {
        uint256 current = roundsManager.currentRound();
        if (current == firstRound) return;
        uint256 r = current - 1;
        uint256 transcoders;
        for (uint256 i; i < orchestrators.length; i++) {
            uint256 own = bondingVotes.getPastVotes(orchestrators[i], r);
            transcoders += own;
            uint256 inside;
            for (uint256 j; j < delegators.length; j++) {
                if (bondingVotes.delegatedAt(delegators[j], r) == orchestrators[i]) {
                    inside += bondingVotes.getPastVotes(delegators[j], r);
                }
            }
            assertLe(inside, own, "VotesWithinTheTotalSupply: delegators inside their transcoder");
        }
        assertLe(transcoders, bondingVotes.getPastTotalSupply(r), "VotesWithinTheTotalSupply: tally <= supply");
    }

    /// @notice Power now follows the bonding state: a transcoder's delegated stake, a delegator's
    /// pending stake (0 when its delegate is not a registered transcoder).
    /// forge-config: default.fuzz.seed = "0x604"
    /// forge-config: deep.fuzz.seed = "0x604"
    function invariant_votesFollowTheBondingState() public view {
        for (uint256 i; i < accounts.length; i++) {
            assertEq(bondingVotes.getVotes(accounts[i]), _model(accounts[i]), "VotesFollowTheBondingState");
        }
        assertEq(bondingVotes.totalSupply(), bm.nextRoundTotalActiveStake(), "VotesFollowTheBondingState: total");
    }

    /// @notice A delegator's vote moves exactly its power at the snapshot out of its transcoder's
    /// count: every proposal's tally is the model's, whoever voted first.
    /// forge-config: default.fuzz.seed = "0x605"
    /// forge-config: deep.fuzz.seed = "0x605"
    function invariant_overrideMovesExactlyItsPower() public view {
        uint256 count = recorder.proposalCount();
        for (uint256 p; p < count; p++) {
            uint256 id = recorder.proposals(p);
            uint256 snapshot = governor.proposalSnapshot(id);
            if (snapshot >= roundsManager.currentRound()) continue; // no vote before the snapshot is over
            uint256[3] memory expected;
            for (uint256 i; i < accounts.length; i++) {
                uint8 cast = recorder.castSupport(id, i);
                if (cast == 0) continue;
                expected[cast - 1] += _counted(id, snapshot, i);
            }
            (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = governor.proposalVotes(id);
            assertEq(againstVotes, expected[0], "OverrideMovesExactlyItsPower: against");
            assertEq(forVotes, expected[1], "OverrideMovesExactlyItsPower: for");
            assertEq(abstainVotes, expected[2], "OverrideMovesExactlyItsPower: abstain");
        }
    }

    /// @notice For + against + abstain never exceeds the total supply at the snapshot.
    /// forge-config: default.fuzz.seed = "0x606"
    /// forge-config: deep.fuzz.seed = "0x606"
    function invariant_tallyWithinTheSupplyAtTheSnapshot() public view {
        uint256 count = recorder.proposalCount();
        for (uint256 p; p < count; p++) {
            uint256 id = recorder.proposals(p);
            uint256 snapshot = governor.proposalSnapshot(id);
            if (snapshot >= roundsManager.currentRound()) continue;
            (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = governor.proposalVotes(id);
            assertLe(
                againstVotes + forVotes + abstainVotes,
                bondingVotes.getPastTotalSupply(snapshot),
                "TallyWithinTheSupplyAtTheSnapshot"
            );
        }
    }

    /// @dev What account `i`'s vote counts on `id`: its power at the snapshot, less, for a transcoder,
    /// the power of each of its delegators (at the snapshot) that voted too.
    function _counted(uint256 id, uint256 snapshot, uint256 i) internal view returns (uint256 counted) {
        address a = accounts[i];
        counted = bondingVotes.getPastVotes(a, snapshot);
        if (bondingVotes.delegatedAt(a, snapshot) != a) return counted;
        for (uint256 j; j < accounts.length; j++) {
            if (j == i || recorder.castSupport(id, j) == 0) continue;
            if (bondingVotes.delegatedAt(accounts[j], snapshot) == a) {
                counted -= bondingVotes.getPastVotes(accounts[j], snapshot);
            }
        }
    }

    function _checkRound(uint256 r) internal view {
        for (uint256 i; i < accounts.length; i++) {
            assertEq(
                bondingVotes.getPastVotes(accounts[i], r), recorder.recordedVotes(r, i), "PastLookupsNeverChange: votes"
            );
        }
        assertEq(bondingVotes.getPastTotalSupply(r), recorder.recordedTotal(r), "PastLookupsNeverChange: total");
    }

    function _model(address a) internal view returns (uint256) {
        (uint256 bonded,, address delegateAddress,,,,) = bm.getDelegator(a);
        if (bonded == 0) return 0;
        if (delegateAddress == a) return bm.transcoderTotalStake(a);
        if (!bm.isRegisteredTranscoder(delegateAddress)) return 0;
        return bm.pendingStake(a, 0);
    }

    /// @notice The handler's actions succeed and every property holds along the way.
    function test_handler_makesProgress() public {
        recorder.bond(0, 1, 100 ether);
        invariant_votesFollowTheBondingState();
        recorder.advanceRound(1);
        recorder.reward(1);
        recorder.unbond(0, 10 ether);
        recorder.advanceRound(2);
        recorder.reward(0);
        invariant_pastLookupsNeverChange();
        invariant_transcoderVotesSumToTheirStakes();
        invariant_votesWithinTheTotalSupply();
        invariant_votesFollowTheBondingState();
        recorder.propose();
        recorder.advanceRound(1);
        recorder.advanceRound(1);
        recorder.vote(0, 1); // an orchestrator votes for
        recorder.vote(accounts.length - 1, 0); // a delegator votes against
        (uint256 againstVotes, uint256 forVotes,) = governor.proposalVotes(recorder.proposals(0));
        assertGt(forVotes + againstVotes, 0, "votes counted");
        invariant_overrideMovesExactlyItsPower();
        invariant_tallyWithinTheSupplyAtTheSnapshot();
        assertGe(handler.ghostActions(), 5, "actions succeeded");
    }
}
