// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IBondingManager
/// @notice Bonding, delegation, the active transcoder set, rewards and fees.
/// @dev Only the part the rounds and inflation machinery depends on is declared so far; the full
/// surface of PROTOCOL.md lands with the BondingManager itself.
interface IBondingManager {
    /// @notice Fixes the current round's total active stake from the next-round total. RoundsManager only.
    function setCurrentRoundTotalActiveStake() external;

    /// @notice Total stake of the active set in the current round.
    function currentRoundTotalActiveStake() external view returns (uint256);
}
