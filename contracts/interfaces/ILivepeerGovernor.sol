// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IGovernor} from "@openzeppelin/contracts/governance/IGovernor.sol";

/// @title ILivepeerGovernor
/// @notice The stake-weighted governor of the Treasury: OpenZeppelin's Governor (settings, votes
/// from BondingVotes, quorum fraction over 1e6, timelock control) with overridable counting: a
/// delegator may vote with its own stake, which is then taken out of its transcoder's vote.
/// @dev Support: 0 against, 1 for, 2 abstain. Quorum counts all three; a proposal passes when
/// `for >= (for + against) * quota / 1e6`. Timepoints are rounds (BondingVotes' clock).
interface ILivepeerGovernor is IGovernor {
    error InvalidVoteType(uint8 voteType);
    error VoteAlreadyCast();

    /// @notice Votes of a proposal, in OpenZeppelin's order.
    function proposalVotes(uint256 proposalId)
        external
        view
        returns (uint256 againstVotes, uint256 forVotes, uint256 abstainVotes);
    /// @notice Share of `for + against` that `for` must reach, over 1e6.
    function quota() external view returns (uint256);
    function quorumNumerator() external view returns (uint256);
    function quorumDenominator() external view returns (uint256);
    /// @notice The BondingVotes the votes come from.
    function votes() external view returns (address);
    /// @notice The voting token as registered in the Controller now (re-read after an upgrade).
    function token() external view returns (address);
    /// @notice Re-reads `BondingVotes` from the Controller.
    function bumpGovernorVotesTokenAddress() external;
    /// @notice The Treasury (TimelockController) that executes passed proposals.
    function timelock() external view returns (address);
}
