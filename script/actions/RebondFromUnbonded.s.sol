// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Delegator with nothing bonded: bonds an unbonding lock's LPT to an orchestrator.
/// @dev forge script script/actions/RebondFromUnbonded.s.sol:RebondFromUnbonded --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   TO       the orchestrator to delegate to
///   LOCK_ID  the unbonding lock to rebond
contract RebondFromUnbonded is ActionBase {
    function run() external {
        _setUp("rebondFromUnbonded");
        address to = _envAddress("TO", "the orchestrator to delegate to");
        uint256 lockId = _envUint("LOCK_ID", "the unbonding lock id");
        _requireRunningRound();
        _check(to != address(0), "TO is the zero address");
        uint256 bonded = _bonded(sender);
        _check(bonded == 0, string.concat(_lpt(bonded), " still bonded: use Rebond.s.sol"));
        (uint256 amount,) = _requireLock(sender, lockId);

        (address prev, address next) = _hint(
            _pool(),
            to,
            bondingManager.transcoderTotalStake(to) + amount,
            to == sender || bondingManager.isRegisteredTranscoder(to)
        );

        vm.startBroadcast();
        bondingManager.rebondFromUnbondedWithHint(to, lockId, prev, next);
        vm.stopBroadcast();
        console.log("rebondFromUnbonded: lock %s, %s bonded to %s", lockId, _lpt(amount), to);
    }
}
