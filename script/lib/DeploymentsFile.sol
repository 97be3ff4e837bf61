// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Script} from "forge-std/Script.sol";

/// @notice Where the deployments JSON lives: `DEPLOYMENTS_FILE` if set, else `deployments/<chainId>.json`.
abstract contract DeploymentsFile is Script {
    /// @notice `DEPLOYMENTS_FILE` if set, else `deployments/<chainId>.json`.
    function deploymentsPath() public view returns (string memory) {
        string memory path = vm.envOr("DEPLOYMENTS_FILE", string(""));
        if (bytes(path).length != 0) return path;
        return string.concat(vm.projectRoot(), "/deployments/", vm.toString(block.chainid), ".json");
    }
}
