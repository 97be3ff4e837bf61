// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator: moves part of the bond into a new unbonding lock, withdrawable after the
/// unbonding period (WithdrawStake.s.sol) or rebondable before (Rebond.s.sol). An orchestrator that
/// unbonds everything resigns.
/// @dev forge script script/actions/Unbond.s.sol:Unbond --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   AMOUNT  LPT to unbond, in wei (at most the bonded amount including unclaimed rewards)
contract Unbond is ActionBase {
    function run() external {
        _setUp("unbond");
        uint256 amount = _envUint("AMOUNT", "the LPT to unbond, in wei");
        uint256 round = _requireRunningRound();
        _check(amount != 0, "AMOUNT is 0");
        uint256 bonded = _bonded(sender);
        _check(amount <= bonded, string.concat("unbond ", _lpt(amount), ": only ", _lpt(bonded), " bonded"));
        _requireBonded(sender, round);

        address delegate = _delegate(sender);
        address prev;
        address next;
        if (!(delegate == sender && amount == bonded)) {
            (prev, next) = _hint(_pool(), delegate, bondingManager.transcoderTotalStake(delegate) - amount, false);
        }
        (,,,,,, uint256 lockId) = bondingManager.getDelegator(sender);

        vm.startBroadcast();
        bondingManager.unbondWithHint(amount, prev, next);
        vm.stopBroadcast();
        console.log(
            "unbond: lock %s holds %s, withdrawable from round %s",
            lockId,
            _lpt(amount),
            round + bondingManager.unbondingPeriod()
        );
    }
}
