// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator: withdraws the LPT of an unbonding lock whose unbonding period is over.
/// @dev forge script script/actions/WithdrawStake.s.sol:WithdrawStake --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   LOCK_ID  the unbonding lock to withdraw
contract WithdrawStake is ActionBase {
    function run() external {
        _setUp("withdrawStake");
        uint256 lockId = _envUint("LOCK_ID", "the unbonding lock id");
        uint256 round = _requireRunningRound();
        (uint256 amount, uint256 withdrawRound) = _requireLock(sender, lockId);
        _check(
            withdrawRound <= round,
            string.concat(
                "lock ",
                vm.toString(lockId),
                " (",
                _lpt(amount),
                ") unlocks in round ",
                vm.toString(withdrawRound),
                ", current round ",
                vm.toString(round)
            )
        );

        vm.startBroadcast();
        bondingManager.withdrawStake(lockId);
        vm.stopBroadcast();
        console.log("withdrawStake: lock %s, %s to %s", lockId, _lpt(amount), sender);
    }
}
