// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IBondingVotes
/// @notice Stake as voting power (ERC-5805 / EIP-6372) with the round as the clock. The
/// BondingManager checkpoints every change of an account's bonding state and of the total active
/// stake; past lookups are exact for any finished round.
/// @dev Voting power of a registered transcoder (self-delegated, bonded) = its delegated stake; of
/// a delegator = its stake with unclaimed rewards (cumulative factors); 0 for an account bonded to
/// an address that is not a registered transcoder. `getVotes` is the power at the start of the
/// next round; `getPast*(r)` are as of the end of round `r` (the start of `r + 1`), for `r < clock()`.
interface IBondingVotes {
    /* EVENTS (ERC-5805, plus the delegator's bond) */

    event DelegateChanged(address indexed delegator, address indexed fromDelegate, address indexed toDelegate);
    event DelegateVotesChanged(address indexed delegate, uint256 previousBalance, uint256 newBalance);
    event DelegatorBondedAmountChanged(
        address indexed delegate,
        uint256 previousBondedAmount,
        uint256 previousLastClaimRound,
        uint256 newBondedAmount,
        uint256 newLastClaimRound
    );

    /* ERRORS */

    /// @notice Only the BondingManager writes checkpoints.
    error InvalidCaller(address caller, address required);
    /// @notice An `After` report without its `Before` in the same transaction.
    error MissingBeforeCheckpoint(address account);
    /// @notice A lookup of a round that has not finished.
    error FutureLookup(uint256 round, uint256 maxAllowed);
    /// @notice Kept for the live surface; never raised here (a missing factor counts as 1).
    error MissingEarningsPool(address transcoder, uint256 round);
    /// @notice Delegation is bonding: call the BondingManager's `functionName`.
    error MustCallBondingManager(string functionName);

    /* ERC-20 METADATA (for governance UIs) */

    function name() external pure returns (string memory);
    function symbol() external pure returns (string memory);
    function decimals() external pure returns (uint8);

    /* EIP-6372 */

    /// @notice The current round.
    function clock() external view returns (uint48);
    function CLOCK_MODE() external pure returns (string memory);

    /* ERC-5805 */

    function getVotes(address account) external view returns (uint256);
    function getPastVotes(address account, uint256 round) external view returns (uint256);
    /// @notice Total active stake at the start of the next round.
    function totalSupply() external view returns (uint256);
    function getPastTotalSupply(uint256 round) external view returns (uint256);
    function delegates(address account) external view returns (address);
    function delegatedAt(address account, uint256 round) external view returns (address);
    function delegate(address delegatee) external pure;
    function delegateBySig(address delegatee, uint256 nonce, uint256 expiry, uint8 v, bytes32 r, bytes32 s)
        external
        pure;

    /* BONDINGMANAGER HOOK */

    /// @notice An account's bonding record as the BondingManager stores it. `delegatedAmount` and
    /// `lastRewardRound` are only votes for a self-delegated account; for others they are given as 0.
    struct Bonding {
        uint256 bondedAmount;
        address delegateAddress;
        uint256 delegatedAmount;
        uint256 lastClaimRound;
        uint256 lastRewardRound;
    }

    /// @notice When the BondingManager reports a record: before its first change in an operation, and
    /// once the operation is done.
    enum Phase {
        Before,
        After
    }

    /// @notice Called by the BondingManager in `round` with `account`'s record and the next round's
    /// total active stake: `Before` any change (the superseded state is kept for past lookups),
    /// `After` the change (events).
    function checkpointBondingState(
        Phase phase,
        uint256 round,
        address account,
        Bonding calldata bonding,
        uint256 nextRoundTotalActiveStake
    ) external;

    /* VIEWS */

    function hasCheckpoint(address account) external view returns (bool);
    /// @notice Total active stake at the start of `round` (up to next round).
    function getTotalActiveStakeAt(uint256 round) external view returns (uint256);
    /// @notice Voting power and delegate at the start of `round` (up to next round).
    function getVotesAndDelegateAtRoundStart(address account, uint256 round)
        external
        view
        returns (uint256 votes, address delegateAddress);
}
