// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator with a bond: returns an unbonding lock's LPT to the current orchestrator.
/// @dev forge script script/actions/Rebond.s.sol:Rebond --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   LOCK_ID  the unbonding lock to rebond (the id Unbond.s.sol printed; the Unbond event's unbondingLockId)
/// Without a bond use RebondFromUnbonded.s.sol.
contract Rebond is ActionBase {
    function run() external {
        _setUp("rebond");
        uint256 lockId = _envUint("LOCK_ID", "the unbonding lock id");
        _requireRunningRound();
        _check(_bonded(sender) != 0, "nothing is bonded: use RebondFromUnbonded.s.sol with TO");
        (uint256 amount,) = _requireLock(sender, lockId);

        address delegate = _delegate(sender);
        (address prev, address next) = _hint(
            _pool(),
            delegate,
            bondingManager.transcoderTotalStake(delegate) + amount,
            delegate == sender || bondingManager.isRegisteredTranscoder(delegate)
        );

        vm.startBroadcast();
        bondingManager.rebondWithHint(lockId, prev, next);
        vm.stopBroadcast();
        console.log("rebond: lock %s, %s back to %s", lockId, _lpt(amount), delegate);
    }
}
