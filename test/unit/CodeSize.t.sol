// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Test} from "forge-std/Test.sol";

/// @notice Every contract the Deploy script puts on chain fits EIP-170's runtime limit, so it deploys on
/// Arbitrum One and Ethereum without special flags.
contract CodeSizeTest is Test {
    uint256 internal constant EIP170_LIMIT = 24_576;

    function test_deployableContractsFitEip170() public view {
        string[7] memory names = [
            "Controller.sol:Controller",
            "LivepeerToken.sol:LivepeerToken",
            "Minter.sol:Minter",
            "RoundsManager.sol:RoundsManager",
            "BondingManager.sol:BondingManager",
            "TicketBroker.sol:TicketBroker",
            "ServiceRegistry.sol:ServiceRegistry"
        ];
        for (uint256 i; i < names.length; i++) {
            uint256 size = vm.getDeployedCode(names[i]).length;
            assertGt(size, 0, string.concat(names[i], " has runtime code"));
            assertLe(size, EIP170_LIMIT, string.concat(names[i], " fits EIP-170"));
        }
    }
}
