// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Broadcaster: cancels the unlock under way; the funds pay tickets again.
/// @dev forge script script/actions/CancelUnlock.s.sol:CancelUnlock --rpc-url <url> --broadcast --private-key <key>
/// Env: none.
contract CancelUnlock is ActionBase {
    function run() external {
        _setUp("cancelUnlock");
        _requireNotPaused();
        _check(ticketBroker.isUnlockInProgress(sender), "no unlock under way");

        vm.startBroadcast();
        ticketBroker.cancelUnlock();
        vm.stopBroadcast();
        console.log("cancelUnlock: %s", sender);
    }
}
