// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IController} from "./IController.sol";

/// @title IManager
/// @notice Shared surface of every protocol contract that is wired to the Controller.
interface IManager {
    /// @notice Emitted when the contract is pointed at a new Controller.
    event SetController(address controller);

    /// @notice The caller is not the Controller this contract is wired to.
    error CallerNotController(address caller);
    /// @notice The caller is not the protocol owner (`controller.owner()`).
    error CallerNotControllerOwner(address caller);
    /// @notice The caller is not the protocol contract registered under `expected`.
    error UnauthorizedCaller(address caller, bytes32 expected);
    /// @notice The protocol is paused; the call needs it running.
    error SystemPaused();
    /// @notice The protocol is running; the call needs it paused.
    error SystemNotPaused();
    /// @notice A zero address was given where a real one is required.
    error ZeroAddress();

    /// @notice The Controller this contract reads its peers and pause state from.
    function controller() external view returns (IController);

    /// @notice Rewires the contract to `newController`. Callable only by the current Controller.
    function setController(address newController) external;
}
