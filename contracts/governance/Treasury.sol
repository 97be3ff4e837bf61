// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {TimelockController} from "@openzeppelin/contracts/governance/TimelockController.sol";

/// @title Treasury
/// @notice Holds the treasury LPT (the reward cut) and executes what the LivepeerGovernor queued:
/// OpenZeppelin's TimelockController as is, with the governor as its proposer.
/// @dev Not upgradeable: a new Treasury is a new timelock, wired by the governor's `updateTimelock`.
contract Treasury is TimelockController {
    constructor(uint256 minDelay, address[] memory proposers, address[] memory executors, address admin)
        TimelockController(minDelay, proposers, executors, admin)
    {}
}
