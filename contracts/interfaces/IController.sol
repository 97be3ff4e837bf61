// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IController
/// @notice Owner-controlled registry of protocol contracts plus the protocol-wide pause switch.
/// @dev Clients are configured with the Controller address alone and resolve everything else
/// with `getContract(keccak256(name))`.
interface IController {
    /// @notice Emitted when a registry entry is written.
    event SetContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash);
    /// @notice Emitted when the protocol is paused.
    event Pause();
    /// @notice Emitted when the protocol owner changes.
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    /// @notice Emitted when the protocol is unpaused.
    event Unpause();

    /// @notice Only the protocol owner may call this.
    error CallerNotOwner(address caller);
    /// @notice The owner cannot be the zero address.
    error ZeroOwner();
    /// @notice `pause()` was called while the protocol is already paused.
    error AlreadyPaused();
    /// @notice `unpause()` was called while the protocol is not paused.
    error NotPaused();

    /// @notice Registers `contractAddress` (built from `gitCommitHash`) under `id = keccak256(name)`.
    /// @dev Owner only. A zero address removes the entry.
    function setContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash) external;

    /// @notice Points the manager registered under `id` at a new Controller. Owner only.
    function updateController(bytes32 id, address controller) external;

    /// @notice Address and source commit registered under `id` (zero when unset).
    function getContractInfo(bytes32 id) external view returns (address, bytes20);

    /// @notice Address registered under `id` (zero when unset).
    function getContract(bytes32 id) external view returns (address);

    /// @notice Pauses every protocol entry point that moves funds. Owner only.
    function pause() external;

    /// @notice Lifts the pause. Owner only.
    function unpause() external;

    /// @notice Whether the protocol is paused.
    function paused() external view returns (bool);

    /// @notice The protocol owner: registry writer, pauser, parameter setter and upgrader.
    function owner() external view returns (address);

    /// @notice Hands the protocol over to `newOwner` (may be a multisig). Owner only.
    function transferOwnership(address newOwner) external;
}
