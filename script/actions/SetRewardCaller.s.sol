// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Orchestrator: authorizes an account (e.g. a hot wallet running the reward bot) to call
/// reward on its behalf; the rewards still go to the orchestrator.
/// @dev forge script script/actions/SetRewardCaller.s.sol:SetRewardCaller --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   REWARD_CALLER  the account to authorize (0x0000000000000000000000000000000000000000 removes it)
contract SetRewardCaller is ActionBase {
    function run() external {
        _setUp("setRewardCaller");
        address rewardCaller = _envAddress("REWARD_CALLER", "the account allowed to call reward for you");
        _requireNotPaused();
        _requireRewardCallers();

        vm.startBroadcast();
        bondingManager.setRewardCaller(rewardCaller);
        vm.stopBroadcast();
        console.log("setRewardCaller: %s may call reward for %s", rewardCaller, sender);
    }
}
