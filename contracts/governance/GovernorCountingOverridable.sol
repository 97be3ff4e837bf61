// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingVotes} from "../interfaces/IBondingVotes.sol";
import {ILivepeerGovernor} from "../interfaces/ILivepeerGovernor.sol";
import {MathLib} from "../libraries/MathLib.sol";
import {GovernorUpgradeable} from "@openzeppelin/contracts-upgradeable/governance/GovernorUpgradeable.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @title GovernorCountingOverridable
/// @notice Bravo counting (against, for, abstain) in which a delegator may vote with its own stake:
/// that stake is then taken out of its transcoder's vote, whichever of the two votes first.
/// @dev Not OZ 5.7's GovernorCountingOverridable (castOverrideVote, VotesExtended): not the live network's interface.
/// Relies on the invariant of `votes()`: a self-delegated account's weight is at least the sum of its
/// delegators' weights at any round, so deductions never exceed what they are taken from.
abstract contract GovernorCountingOverridable is Initializable, GovernorUpgradeable {
    /// @dev Governor Bravo's order; a vote's `support` indexes `Tally.votes`.
    enum VoteType {
        Against,
        For,
        Abstain
    }

    struct Voter {
        bool hasVoted;
        VoteType support;
        // Weight of this account's delegators who voted themselves. Only a self-delegated account
        // collects it: subtracted from its own vote, or from its tally if it voted first.
        uint256 deductions;
    }

    struct Tally {
        uint256[3] votes;
        mapping(address voter => Voter) voters;
    }

    /// @custom:storage-location erc7201:livepeer.storage.GovernorCountingOverridable
    struct GovernorCountingOverridableStorage {
        uint256 quota;
        mapping(uint256 proposalId => Tally) tallies;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.GovernorCountingOverridable")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant COUNTING_STORAGE = 0x7adeb6262bf39ac80ec0ddf752b2a959f507c421ef2ec750a21bbce8c72f8500;

    /// @notice A quota above 100% (1e6) would let no contested proposal pass.
    error QuotaTooHigh(uint256 quota, uint256 maxAllowed);

    function __GovernorCountingOverridable_init(uint256 quota_) internal onlyInitializing {
        require(quota_ <= MathLib.PERC_DIVISOR, QuotaTooHigh(quota_, MathLib.PERC_DIVISOR));
        _countingStorage().quota = quota_;
    }

    /* VIEWS */

    /// @notice Share of `for + against` that `for` must reach, over 1e6.
    function quota() public view returns (uint256) {
        return _countingStorage().quota;
    }

    /// @notice Votes of a proposal, in OpenZeppelin's order.
    function proposalVotes(uint256 proposalId)
        public
        view
        returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes)
    {
        uint256[3] storage v = _countingStorage().tallies[proposalId].votes;
        return (v[uint8(VoteType.Against)], v[uint8(VoteType.For)], v[uint8(VoteType.Abstain)]);
    }

    /// @notice The BondingVotes whose delegations decide the overrides.
    function votes() public view virtual returns (IBondingVotes);

    /// @inheritdoc IGovernor
    // solhint-disable-next-line func-name-mixedcase
    function COUNTING_MODE() public pure override returns (string memory) {
        return "support=bravo&quorum=for,abstain,against";
    }

    /// @inheritdoc IGovernor
    function hasVoted(uint256 proposalId, address account) public view override returns (bool) {
        return _countingStorage().tallies[proposalId].voters[account].hasVoted;
    }

    /* COUNTING */

    /// @dev Abstentions count towards the quorum.
    function _quorumReached(uint256 proposalId) internal view override returns (bool) {
        (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes) = proposalVotes(proposalId);
        return againstVotes + forVotes + abstainVotes >= quorum(proposalSnapshot(proposalId));
    }

    /// @dev Abstentions are left out of the quota.
    function _voteSucceeded(uint256 proposalId) internal view override returns (bool) {
        (uint256 againstVotes, uint256 forVotes,) = proposalVotes(proposalId);
        return forVotes >= MathLib.percOf(forVotes + againstVotes, _countingStorage().quota, MathLib.PERC_DIVISOR);
    }

    /// @dev Returns the account's full weight, which `VoteCast` reports as the live governor does; the
    /// tally gets that weight less what its delegators voted themselves.
    function _countVote(uint256 proposalId, address account, uint8 support, uint256 totalWeight, bytes memory)
        internal
        override
        returns (uint256)
    {
        require(support <= uint8(VoteType.Abstain), ILivepeerGovernor.InvalidVoteType(support));
        Tally storage tally = _countingStorage().tallies[proposalId];
        Voter storage voter = tally.voters[account];
        require(!voter.hasVoted, ILivepeerGovernor.VoteAlreadyCast());
        voter.hasVoted = true;
        voter.support = VoteType(support);

        tally.votes[support] += _applyOverrides(proposalId, tally, voter, account, totalWeight);
        return totalWeight;
    }

    /// @dev The weight `account` adds to the tally. Delegations are read at the proposal snapshot, the
    /// round the weights come from.
    function _applyOverrides(
        uint256 proposalId,
        Tally storage tally,
        Voter storage voter,
        address account,
        uint256 weight
    ) private returns (uint256) {
        IBondingVotes bondingVotes = votes();
        uint256 snapshot = proposalSnapshot(proposalId);
        address delegate = bondingVotes.delegatedAt(account, snapshot);

        // A transcoder: its weight includes its delegators', less those who already voted themselves.
        if (delegate == account) return weight - voter.deductions;

        // Bonded to an account that was not self-delegated at the snapshot (not a transcoder, or one
        // that had unbonded everything): that account's weight never included this stake.
        if (bondingVotes.delegatedAt(delegate, snapshot) != delegate) return weight;

        // A delegator of a transcoder: take its stake out of the transcoder's vote, now or later.
        Voter storage delegateVoter = tally.voters[delegate];
        delegateVoter.deductions += weight;
        if (delegateVoter.hasVoted) tally.votes[uint8(delegateVoter.support)] -= weight;
        return weight;
    }

    function _countingStorage() private pure returns (GovernorCountingOverridableStorage storage $) {
        assembly {
            $.slot := COUNTING_STORAGE
        }
    }
}
