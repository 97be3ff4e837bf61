// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {ServiceRegistry} from "../../contracts/ServiceRegistry.sol";

/// @notice Next versions used to prove that state survives an upgrade.
contract RoundsManagerV2 is RoundsManager {
    function version() external pure returns (uint256) {
        return 2;
    }
}

contract ServiceRegistryV2 is ServiceRegistry {
    function version() external pure returns (uint256) {
        return 2;
    }
}
