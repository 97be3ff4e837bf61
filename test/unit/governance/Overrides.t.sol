// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {GovernorTest} from "./GovernorTest.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @notice A delegator's own vote takes its stake out of its transcoder's vote, in either order, but only
/// when the delegate was self-delegated (a transcoder) at the snapshot.
/// The transcoder below has 1000 LPT of voting power: 500 own, 300 from `delegator`, 200 from `delegator2`.
contract OverridesTest is GovernorTest {
    uint256 internal constant TRANSCODER_WEIGHT = 1000 ether;
    uint256 internal constant DELEGATOR_WEIGHT = 300 ether;
    uint256 internal constant DELEGATOR2_WEIGHT = 200 ether;

    Proposal internal p;
    uint256 internal snapshot;

    function setUp() public override {
        super.setUp();
        p = _proposeGrant(1 ether);
        snapshot = _snapshot(p.id);
        _setTranscoder(transcoder, snapshot, TRANSCODER_WEIGHT);
        _setDelegator(delegator, transcoder, snapshot, DELEGATOR_WEIGHT);
        _setDelegator(delegator2, transcoder, snapshot, DELEGATOR2_WEIGHT);
        _activate(p.id);
    }

    function _assertTally(uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) internal view {
        (uint256 a, uint256 f, uint256 ab) = _tally(p.id);
        assertEq(a, againstVotes, "against");
        assertEq(f, forVotes, "for");
        assertEq(ab, abstainVotes, "abstain");
    }

    function test_override_delegatorVotesAfterTranscoder() public {
        _vote(p.id, transcoder, FOR);
        _assertTally(0, TRANSCODER_WEIGHT, 0);
        _vote(p.id, delegator, AGAINST);
        _assertTally(DELEGATOR_WEIGHT, TRANSCODER_WEIGHT - DELEGATOR_WEIGHT, 0);
    }

    function test_override_delegatorVotesBeforeTranscoder() public {
        _vote(p.id, delegator, AGAINST);
        _assertTally(DELEGATOR_WEIGHT, 0, 0);
        _vote(p.id, transcoder, FOR);
        _assertTally(DELEGATOR_WEIGHT, TRANSCODER_WEIGHT - DELEGATOR_WEIGHT, 0);
    }

    function test_override_bothOrdersGiveTheSameTally() public {
        uint256 id = vm.snapshotState();
        _vote(p.id, transcoder, AGAINST);
        _vote(p.id, delegator, FOR);
        _vote(p.id, delegator2, ABSTAIN);
        (uint256 a1, uint256 f1, uint256 ab1) = _tally(p.id);
        vm.revertToState(id);
        _vote(p.id, delegator2, ABSTAIN);
        _vote(p.id, delegator, FOR);
        _vote(p.id, transcoder, AGAINST);
        (uint256 a2, uint256 f2, uint256 ab2) = _tally(p.id);
        assertEq(a1, a2, "against");
        assertEq(f1, f2, "for");
        assertEq(ab1, ab2, "abstain");
        _assertTally(TRANSCODER_WEIGHT - DELEGATOR_WEIGHT - DELEGATOR2_WEIGHT, DELEGATOR_WEIGHT, DELEGATOR2_WEIGHT);
    }

    function test_override_sameSupportKeepsTheTally() public {
        _vote(p.id, transcoder, FOR);
        _vote(p.id, delegator, FOR);
        _assertTally(0, TRANSCODER_WEIGHT, 0);
    }

    function test_override_abstainMovesStakeOutOfTheTranscodersSide() public {
        _vote(p.id, transcoder, AGAINST);
        _vote(p.id, delegator, ABSTAIN);
        _assertTally(TRANSCODER_WEIGHT - DELEGATOR_WEIGHT, 0, DELEGATOR_WEIGHT);
    }

    function test_override_transcoderAbstainsDelegatorVotes() public {
        _vote(p.id, transcoder, ABSTAIN);
        _vote(p.id, delegator2, AGAINST);
        _assertTally(DELEGATOR2_WEIGHT, 0, TRANSCODER_WEIGHT - DELEGATOR2_WEIGHT);
    }

    function test_override_allDelegatorsVotedLeaveTheTranscoderItsOwnStake() public {
        _vote(p.id, delegator, AGAINST);
        _vote(p.id, delegator2, AGAINST);
        _vote(p.id, transcoder, FOR);
        _assertTally(DELEGATOR_WEIGHT + DELEGATOR2_WEIGHT, TRANSCODER_WEIGHT - DELEGATOR_WEIGHT - DELEGATOR2_WEIGHT, 0);
    }

    /// @dev VoteCast reports an account's full weight, as the live governor does; the tally gets the rest.
    function test_override_voteCastReportsTheFullWeight() public {
        _vote(p.id, delegator, AGAINST);
        vm.expectEmit(address(governor));
        emit IGovernor.VoteCast(transcoder, p.id, FOR, TRANSCODER_WEIGHT, "");
        _vote(p.id, transcoder, FOR);
    }

    /// @dev The delegate that counts is the one at the snapshot, not the current one.
    function test_override_usesTheDelegateAtTheSnapshot() public {
        _setTranscoder(transcoder2, snapshot, 100 ether);
        _setDelegator(delegator, transcoder2, snapshot + 1, DELEGATOR_WEIGHT);
        _vote(p.id, transcoder, FOR);
        _vote(p.id, transcoder2, FOR);
        _vote(p.id, delegator, AGAINST);
        _assertTally(DELEGATOR_WEIGHT, TRANSCODER_WEIGHT - DELEGATOR_WEIGHT + 100 ether, 0);
    }

    /// @dev Regression, Code4rena 2023-08 #96/#206 (livepeer/protocol#626): an account bonded to an account
    /// that is not a transcoder (here a delegator) overrides nobody, in either order.
    function test_override_noneForAccountDelegatedToANonTranscoder() public {
        address bondedToDelegator = makeAddr("bondedToDelegator");
        _setDelegator(bondedToDelegator, delegator, snapshot, 50 ether);

        _vote(p.id, delegator, FOR);
        _vote(p.id, bondedToDelegator, AGAINST);
        _assertTally(50 ether, DELEGATOR_WEIGHT, 0);
        _vote(p.id, transcoder, ABSTAIN);
        _assertTally(50 ether, DELEGATOR_WEIGHT, TRANSCODER_WEIGHT - DELEGATOR_WEIGHT);
    }

    function test_override_noneForAccountDelegatedToANonTranscoder_votingFirst() public {
        address bondedToDelegator = makeAddr("bondedToDelegator");
        _setDelegator(bondedToDelegator, delegator, snapshot, 50 ether);

        _vote(p.id, bondedToDelegator, AGAINST);
        _vote(p.id, delegator, FOR);
        _vote(p.id, transcoder, ABSTAIN);
        _assertTally(50 ether, DELEGATOR_WEIGHT, TRANSCODER_WEIGHT - DELEGATOR_WEIGHT);
    }

    /// @dev Regression, Code4rena 2023-08 #96/#206 (livepeer/protocol#626): once the transcoder unbonded
    /// everything it is no longer its own delegate at the snapshot; a former delegator's vote deducts
    /// nothing from it (before, this underflowed or took the stake out of other voters' counts).
    function test_override_noneAfterTranscoderUnbondedEverything() public {
        _setDelegator(transcoder, address(0), snapshot, 0);
        _setTranscoder(transcoder2, snapshot, 400 ether);

        _vote(p.id, transcoder2, FOR);
        _vote(p.id, transcoder, FOR);
        _vote(p.id, delegator, AGAINST);
        _assertTally(DELEGATOR_WEIGHT, 400 ether, 0);
    }

    function test_override_noneAfterTranscoderUnbondedEverything_delegatorFirst() public {
        _setDelegator(transcoder, address(0), snapshot, 0);
        _vote(p.id, delegator, AGAINST);
        _vote(p.id, transcoder, FOR);
        _assertTally(DELEGATOR_WEIGHT, 0, 0);
    }

    /// @dev A transcoder that is itself bonded to another transcoder counts as that one's delegator.
    function test_override_transcoderBondedToAnotherIsADelegator() public {
        _setTranscoder(transcoder2, snapshot, 2000 ether);
        _setDelegator(transcoder, transcoder2, snapshot, TRANSCODER_WEIGHT);
        _vote(p.id, transcoder2, FOR);
        _vote(p.id, transcoder, AGAINST);
        _assertTally(TRANSCODER_WEIGHT, 2000 ether - TRANSCODER_WEIGHT, 0);
    }
}
