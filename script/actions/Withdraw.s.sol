// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ITicketBroker} from "../../contracts/interfaces/ITicketBroker.sol";
import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Broadcaster: withdraws deposit and remaining reserve once the unlock period is over.
/// @dev forge script script/actions/Withdraw.s.sol:Withdraw --rpc-url <url> --broadcast --private-key <key>
/// Env: none.
contract Withdraw is ActionBase {
    function run() external {
        _setUp("withdraw");
        _requireNotPaused();
        (ITicketBroker.Sender memory info, ITicketBroker.ReserveInfo memory reserve) =
            ticketBroker.getSenderInfo(sender);
        uint256 total = info.deposit + reserve.fundsRemaining;
        _check(total != 0, "no deposit and no reserve to withdraw");
        _check(info.withdrawRound != 0, "no unlock under way: run Unlock.s.sol first");
        uint256 round = roundsManager.currentRound();
        _check(
            round >= info.withdrawRound,
            string.concat(
                "funds unlock in round ", vm.toString(info.withdrawRound), ", current round ", vm.toString(round)
            )
        );

        vm.startBroadcast();
        ticketBroker.withdraw();
        vm.stopBroadcast();
        console.log("withdraw: %s to %s", _eth(total), sender);
    }
}
