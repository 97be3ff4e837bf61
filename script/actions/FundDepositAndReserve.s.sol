// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ActionBase} from "./ActionBase.sol";
import {console} from "forge-std/console.sol";

/// @notice Broadcaster: adds ETH to the ticket deposit and the reserve (cancels an unlock under way).
/// @dev forge script script/actions/FundDepositAndReserve.s.sol:FundDepositAndReserve --rpc-url <url> --broadcast --private-key <key>
/// Env:
///   DEPOSIT  wei added to the deposit (pays winning tickets first)
///   RESERVE  wei added to the reserve (split among active orchestrators when the deposit runs out)
contract FundDepositAndReserve is ActionBase {
    function run() external {
        _setUp("fundDepositAndReserve");
        uint256 deposit = _envUint("DEPOSIT", "the deposit to add, in wei");
        uint256 reserve = _envUint("RESERVE", "the reserve to add, in wei");
        _requireNotPaused();
        uint256 value = deposit + reserve;
        _check(value != 0, "DEPOSIT and RESERVE are both 0");
        _check(
            sender.balance >= value,
            string.concat("fundDepositAndReserve ", _eth(value), ": balance is only ", _eth(sender.balance))
        );
        if (ticketBroker.isUnlockInProgress(sender)) console.log("fundDepositAndReserve: this cancels your unlock");

        vm.startBroadcast();
        ticketBroker.fundDepositAndReserve{value: value}(deposit, reserve);
        vm.stopBroadcast();
        console.log("fundDepositAndReserve: deposit +%s, reserve +%s", _eth(deposit), _eth(reserve));
    }
}
