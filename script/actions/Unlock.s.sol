// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Broadcaster: starts the unlock; deposit and reserve become withdrawable after the unlock
/// period (Withdraw.s.sol), unless cancelled (CancelUnlock.s.sol) or refunded.
/// @dev forge script script/actions/Unlock.s.sol:Unlock --rpc-url <url> --broadcast --private-key <key>
/// Env: none.
contract Unlock is ActionBase {
    function run() external {
        _setUp("unlock");
        _requireNotPaused();
        (ITicketBroker.Sender memory info, ITicketBroker.ReserveInfo memory reserve) =
            ticketBroker.getSenderInfo(sender);
        _check(info.deposit != 0 || reserve.fundsRemaining != 0, "no deposit and no reserve to unlock");
        _check(
            info.withdrawRound == 0,
            string.concat("an unlock is already under way (withdraw from round ", vm.toString(info.withdrawRound), ")")
        );

        vm.startBroadcast();
        ticketBroker.unlock();
        vm.stopBroadcast();
        console.log("unlock: withdrawable from round %s", roundsManager.currentRound() + ticketBroker.unlockPeriod());
    }
}
