// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Orchestrator: publishes the URI broadcasters reach it at.
/// @dev forge script script/actions/SetServiceURI.s.sol:SetServiceURI --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   SERVICE_URI  e.g. https://orchestrator.example.com:8935
contract SetServiceURI is ActionBase {
    function run() external {
        _setUp("setServiceURI");
        string memory uri = vm.envOr("SERVICE_URI", string(""));
        _check(bytes(uri).length != 0, "set SERVICE_URI to the URI broadcasters reach you at");

        vm.startBroadcast();
        serviceRegistry.setServiceURI(uri);
        vm.stopBroadcast();
        console.log("setServiceURI: %s -> %s", sender, uri);
    }
}
