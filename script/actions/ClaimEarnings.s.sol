// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator: claims rewards and fees up to the current round into the bond (costs the same
/// whatever the number of rounds; bond, unbond and withdrawFees claim on their own too).
/// @dev forge script script/actions/ClaimEarnings.s.sol:ClaimEarnings --rpc-url <url> --broadcast --private-key <key>
/// Env: none.
contract ClaimEarnings is ActionBase {
    function run() external {
        _setUp("claimEarnings");
        uint256 round = _requireRunningRound();
        uint256 stake = bondingManager.pendingStake(sender, 0);
        uint256 fees = bondingManager.pendingFees(sender, 0);
        _check(stake != 0 || fees != 0, string.concat(vm.toString(sender), " has no bond and no fees"));

        vm.startBroadcast();
        bondingManager.claimEarnings(round);
        vm.stopBroadcast();
        console.log("claimEarnings: bonded %s, fees %s", _lpt(stake), _eth(fees));
    }
}
