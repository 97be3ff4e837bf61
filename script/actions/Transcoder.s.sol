// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Orchestrator: registers (optional self-bond) and sets the commission; joins the active set
/// from the next round when there is room or the stake beats the smallest member.
/// @dev forge script script/actions/Transcoder.s.sol:Transcoder --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   REWARD_CUT  share of rewards kept, 1e6 = 100% (100000 = 10%)
///   FEE_SHARE   share of fees paid to delegators, 1e6 = 100% (500000 = 50%)
///   SELF_BOND   optional: LPT in wei to bond to yourself first (registers you; approves as needed)
/// Not during the round's lock window; an active orchestrator calls reward first in the round.
contract Transcoder is ActionBase {
    function run() external {
        _setUp("transcoder");
        uint256 rewardCut = _envUint("REWARD_CUT", "the reward cut (1e6 = 100%)");
        uint256 feeShare = _envUint("FEE_SHARE", "the fee share (1e6 = 100%)");
        uint256 selfBond = vm.envOr("SELF_BOND", uint256(0));
        uint256 round = _requireRunningRound();
        _check(
            !roundsManager.currentRoundLocked(),
            string.concat(
                "round ",
                vm.toString(round),
                " is in its lock window: commission changes reopen in round ",
                vm.toString(round + 1)
            )
        );
        _check(rewardCut <= 1e6, string.concat("REWARD_CUT ", vm.toString(rewardCut), " is above 1000000 (100%)"));
        _check(feeShare <= 1e6, string.concat("FEE_SHARE ", vm.toString(feeShare), " is above 1000000 (100%)"));

        address[4] memory h;
        if (selfBond != 0) {
            uint256 balance = token.balanceOf(sender);
            _check(
                balance >= selfBond, string.concat("self-bond ", _lpt(selfBond), ": balance is only ", _lpt(balance))
            );
            h = _bondHints(selfBond, sender);
        } else {
            _check(
                bondingManager.isRegisteredTranscoder(sender),
                string.concat(vm.toString(sender), " is not registered: bond to yourself first (SELF_BOND=<wei>)")
            );
            _check(
                !bondingManager.isActiveTranscoder(sender) || _lastRewardRound(sender) == round,
                string.concat(
                    "active in round ",
                    vm.toString(round),
                    ": call reward (Reward.s.sol) before changing the commission"
                )
            );
            // Registered but out of the pool (evicted, or it was full): try to join.
            (h[2], h[3]) = _hint(_pool(), sender, bondingManager.transcoderTotalStake(sender), true);
        }

        vm.startBroadcast();
        if (selfBond != 0) {
            if (token.allowance(sender, address(bondingManager)) < selfBond) {
                token.approve(address(bondingManager), selfBond);
            }
            bondingManager.bondWithHint(selfBond, sender, h[0], h[1], h[2], h[3]);
            // The self-bond put us in the pool (or not, if it is full of larger stakes): no hint needed.
            (h[2], h[3]) = (address(0), address(0));
        }
        bondingManager.transcoderWithHint(rewardCut, feeShare, h[2], h[3]);
        vm.stopBroadcast();
        console.log("transcoder: %s rewardCut %s feeShare %s", sender, rewardCut, feeShare);
    }

    function _lastRewardRound(address transcoder) internal view returns (uint256 lastRewardRound) {
        (lastRewardRound,,,,,,,,,) = bondingManager.getTranscoder(transcoder);
    }
}
