// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IServiceRegistry
/// @notice Where orchestrators publish the URI broadcasters reach them at.
interface IServiceRegistry {
    /// @notice Emitted when `addr` publishes a new service URI.
    event ServiceURIUpdate(address indexed addr, string serviceURI);

    /// @notice Publishes the caller's service URI.
    function setServiceURI(string calldata serviceURI) external;

    /// @notice The service URI published by `addr` (empty if none).
    function getServiceURI(address addr) external view returns (string memory);
}
