// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IRoundsManager
/// @notice Block-based rounds. Anyone initializes a round once it has started.
/// @dev currentRound = lastRoundLengthUpdateRound + (block - lastRoundLengthUpdateStartBlock) / roundLength.
interface IRoundsManager {
    /// @notice Emitted when `round` is initialized; `blockHash` is the hash of the block before.
    event NewRound(uint256 indexed round, bytes32 blockHash);
    /// @notice Emitted when the owner changes the round length; it applies from `round`'s start block.
    event RoundLengthSet(uint256 indexed round, uint256 roundLength);
    /// @notice Emitted when the owner changes the lock window.
    event RoundLockAmountSet(uint256 roundLockAmount);

    /// @notice The current round is already initialized.
    error RoundAlreadyInitialized(uint256 round);
    /// @notice A round length of zero, or one too large to store, was given.
    error InvalidRoundLength(uint256 roundLength);
    /// @notice A lock amount above 100% (1e6) was given.
    error InvalidRoundLockAmount(uint256 roundLockAmount);
    /// @notice `blockHash` was asked for a block that is not among the last 256 past blocks.
    error BlockHashUnavailable(uint256 blockNumber);

    /// @notice Initializes the current round: records the previous block's hash, fixes the active
    /// stake and the round's mintable supply. Anyone may call; reverts while paused.
    function initializeRound() external;

    /// @notice Sets the round length in blocks; round numbering stays continuous. Owner only.
    function setRoundLength(uint256 roundLength) external;

    /// @notice Sets the share of a round (1e6 scale) at its end during which it is locked. Owner only.
    function setRoundLockAmount(uint256 roundLockAmount) external;

    /// @notice The current block number.
    function blockNum() external view returns (uint256);

    /// @notice Hash of `blockNumber`, one of the last 256 past blocks.
    function blockHash(uint256 blockNumber) external view returns (bytes32);

    /// @notice Hash of the block before `round` was initialized (zero if it never was).
    function blockHashForRound(uint256 round) external view returns (bytes32);

    /// @notice The current round number.
    function currentRound() external view returns (uint256);

    /// @notice First block of the current round.
    function currentRoundStartBlock() external view returns (uint256);

    /// @notice Whether the current round has been initialized.
    function currentRoundInitialized() external view returns (bool);

    /// @notice Whether the current round is in its lock window (no commission changes).
    function currentRoundLocked() external view returns (bool);

    /// @notice Round length in blocks.
    function roundLength() external view returns (uint256);

    /// @notice Lock window as a share of the round length (1e6 scale).
    function roundLockAmount() external view returns (uint256);

    /// @notice The last round that was initialized.
    function lastInitializedRound() external view returns (uint256);

    /// @notice Round at whose start block the current round length took effect.
    function lastRoundLengthUpdateRound() external view returns (uint256);

    /// @notice Start block of `lastRoundLengthUpdateRound`.
    function lastRoundLengthUpdateStartBlock() external view returns (uint256);
}
