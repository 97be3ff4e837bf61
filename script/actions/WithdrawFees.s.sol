// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator or orchestrator: withdraws earned fees (ETH).
/// @dev forge script script/actions/WithdrawFees.s.sol:WithdrawFees --rpc-url <url> --broadcast --private-key <key>
/// Env (both optional):
///   AMOUNT     wei to withdraw (default: all fees, including unclaimed ones)
///   RECIPIENT  where the ETH goes (default: the signer)
contract WithdrawFees is ActionBase {
    function run() external {
        _setUp("withdrawFees");
        _requireRunningRound();
        uint256 fees = bondingManager.pendingFees(sender, 0);
        uint256 amount = vm.envOr("AMOUNT", fees);
        address recipient = vm.envOr("RECIPIENT", sender);
        _check(recipient != address(0), "RECIPIENT is the zero address");
        _check(amount != 0, "no fees to withdraw");
        _check(amount <= fees, string.concat("withdrawFees ", _eth(amount), ": only ", _eth(fees), " of fees"));

        vm.startBroadcast();
        bondingManager.withdrawFees(payable(recipient), amount);
        vm.stopBroadcast();
        console.log("withdrawFees: %s to %s", _eth(amount), recipient);
    }
}
