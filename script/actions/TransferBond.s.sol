// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator: moves part of the bond to another account, which keeps its orchestrator (or
/// takes the sender's if it has no bond).
/// @dev forge script script/actions/TransferBond.s.sol:TransferBond --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   TO      the account receiving the bond
///   AMOUNT  LPT to transfer, in wei
contract TransferBond is ActionBase {
    function run() external {
        _setUp("transferBond");
        address to = _envAddress("TO", "the account receiving the bond");
        uint256 amount = _envUint("AMOUNT", "the LPT to transfer, in wei");
        uint256 round = _requireRunningRound();
        _check(to != address(0), "TO is the zero address");
        _check(to != sender, "TO is the sender");
        _check(amount != 0, "AMOUNT is 0");
        uint256 bonded = _bonded(sender);
        _check(amount <= bonded, string.concat("transferBond ", _lpt(amount), ": only ", _lpt(bonded), " bonded"));
        _requireBonded(sender, round);

        address[4] memory h = _transferHints(to, amount, bonded, round);

        vm.startBroadcast();
        bondingManager.transferBond(to, amount, h[0], h[1], h[2], h[3]);
        vm.stopBroadcast();
        console.log("transferBond: %s from %s to %s", _lpt(amount), sender, to);
    }

    /// @dev Checks the receiver side, and returns [old delegate prev, next, new delegate prev, next]:
    /// the sender's delegate loses `amount` first, then the receiver's delegate gains it.
    function _transferHints(address to, uint256 amount, uint256 bonded, uint256 round)
        internal
        view
        returns (address[4] memory h)
    {
        address delegate = _delegate(sender);
        bool receiverBonded = _bonded(to) != 0;
        address newDelegate = receiverBonded ? _delegate(to) : delegate;
        _check(receiverBonded || delegate != to, "TO is your orchestrator: its stake can only come from its own bond");
        _requireReceiverClaimable(to, round);

        Pool memory p = _pool();
        if (delegate == sender && amount == bonded) {
            _leave(p, sender); // the sender resigns
        } else {
            (h[0], h[1]) = _hint(p, delegate, bondingManager.transcoderTotalStake(delegate) - amount, false);
        }
        uint256 newStake = bondingManager.transcoderTotalStake(newDelegate) + (newDelegate == delegate ? 0 : amount);
        (h[2], h[3]) = _hint(p, newDelegate, newStake, bondingManager.isRegisteredTranscoder(newDelegate));
    }

    /// @dev The transfer claims the receiver's earnings as a third party: not before its active
    /// orchestrator called reward this round.
    function _requireReceiverClaimable(address to, uint256 round) internal view {
        (,, address receiverDelegate,,, uint256 lastClaimRound,) = bondingManager.getDelegator(to);
        if (lastClaimRound >= round || receiverDelegate == address(0)) return;
        if (!bondingManager.isActiveTranscoder(receiverDelegate)) return;
        (uint256 lastRewardRound,,,,,,,,,) = bondingManager.getTranscoder(receiverDelegate);
        _check(
            lastRewardRound == round,
            string.concat(
                "the receiver's orchestrator ",
                vm.toString(receiverDelegate),
                " has not called reward in round ",
                vm.toString(round),
                " yet: transfer after it does"
            )
        );
    }
}
