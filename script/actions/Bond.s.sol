// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator: bonds LPT to an orchestrator, or moves the whole bond to another one.
/// @dev forge script script/actions/Bond.s.sol:Bond --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   AMOUNT  LPT to add, in wei (0 with an existing bond: move the bond to TO without adding)
///   TO      the orchestrator to delegate to (your own address: self-bond, which registers you)
/// Approves the BondingManager for AMOUNT first when the allowance is short.
contract Bond is ActionBase {
    function run() external {
        _setUp("bond");
        uint256 amount = _envUint("AMOUNT", "the LPT to bond, in wei");
        address to = _envAddress("TO", "the orchestrator to delegate to");
        _requireRunningRound();
        _check(to != address(0), "TO is the zero address");

        uint256 bonded = _bonded(sender);
        bool moving = bonded != 0 && _delegate(sender) != to;
        _check(amount != 0 || moving, "AMOUNT is 0 and there is no bond to move to TO");
        uint256 balance = token.balanceOf(sender);
        _check(balance >= amount, string.concat("bond ", _lpt(amount), ": balance is only ", _lpt(balance)));
        _check(
            !moving || !bondingManager.isRegisteredTranscoder(sender),
            "a registered orchestrator only bonds to itself (unbond everything first)"
        );
        address[4] memory h = _bondHints(amount, to);

        vm.startBroadcast();
        if (token.allowance(sender, address(bondingManager)) < amount) token.approve(address(bondingManager), amount);
        bondingManager.bondWithHint(amount, to, h[0], h[1], h[2], h[3]);
        vm.stopBroadcast();
        console.log("bond: %s bonded %s to %s", sender, _lpt(amount), to);
    }
}
