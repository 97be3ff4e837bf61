// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Orchestrator (or its reward caller): mints this round's reward, once per round, active only.
/// @dev forge script script/actions/Reward.s.sol:Reward --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   TRANSCODER  optional: the orchestrator to call reward for (default: the signer). When it is not
///               the signer, the signer must be its reward caller (SetRewardCaller.s.sol).
contract Reward is ActionBase {
    function run() external {
        _setUp("reward");
        address transcoder = vm.envOr("TRANSCODER", sender);
        uint256 round = _requireRunningRound();
        if (transcoder != sender) {
            address caller = bondingManager.transcoderToRewardCaller(transcoder);
            _check(
                caller == sender,
                string.concat(
                    vm.toString(sender),
                    " is not the reward caller of ",
                    vm.toString(transcoder),
                    " (it is ",
                    vm.toString(caller),
                    ")"
                )
            );
        }
        _check(
            bondingManager.isActiveTranscoder(transcoder),
            string.concat(vm.toString(transcoder), " is not active in round ", vm.toString(round))
        );
        (uint256 lastRewardRound,,,,,,,,,) = bondingManager.getTranscoder(transcoder);
        _check(
            lastRewardRound != round,
            string.concat(vm.toString(transcoder), " already called reward in round ", vm.toString(round))
        );

        uint256 rewards = _expectedRewards(transcoder, round);
        (address prev, address next) =
            _hint(_pool(), transcoder, bondingManager.transcoderTotalStake(transcoder) + rewards, true);

        vm.startBroadcast();
        if (transcoder == sender) bondingManager.rewardWithHint(prev, next);
        else bondingManager.rewardForTranscoderWithHint(transcoder, prev, next);
        vm.stopBroadcast();
        console.log("reward: %s, about %s", transcoder, _lpt(rewards));
    }

    /// @dev The reward the stake will get, less the treasury cut (for the hint; an estimate is enough,
    /// a wrong hint only costs a walk).
    function _expectedRewards(address transcoder, uint256 round) internal view returns (uint256) {
        // The round's stake as the live views hold it: the pool of the last stake update, unless that
        // is next round's (a change this round), then the current round's.
        (,,, uint256 updateRound,,,,,,) = bondingManager.getTranscoder(transcoder);
        (uint256 activeStake,,,,) =
            bondingManager.getTranscoderEarningsPoolForRound(transcoder, updateRound <= round ? updateRound : round);
        uint256 total = bondingManager.currentRoundTotalActiveStake();
        if (total == 0) return 0;
        uint256 rewards = minter.currentMintableTokens() * (activeStake * 1e9 / total) / 1e9;
        return rewards - rewards * bondingManager.treasuryRewardCutRate() / 1e27;
    }
}
