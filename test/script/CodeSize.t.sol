// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {BondingManager} from "../../contracts/BondingManager.sol";
import {Controller} from "../../contracts/Controller.sol";
import {LivepeerToken} from "../../contracts/LivepeerToken.sol";
import {Minter} from "../../contracts/Minter.sol";
import {RoundsManager} from "../../contracts/RoundsManager.sol";
import {ServiceRegistry} from "../../contracts/ServiceRegistry.sol";
import {TicketBroker} from "../../contracts/TicketBroker.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Every contract the Deploy script creates must fit EIP-170 (24,576 bytes of runtime code),
/// the limit on Arbitrum One and on a default anvil; otherwise the deploy cannot go through.
contract CodeSizeTest is Test {
    uint256 internal constant EIP170_LIMIT = 24_576;

    function test_codeSize_everyDeployedContractFitsEip170() public {
        address token = address(new LivepeerToken(address(this)));
        _assertFits(token, "LivepeerToken");
        _assertFits(address(new Controller(address(this))), "Controller");
        _assertFits(address(new Minter(address(this), token, 0, 0, 0)), "Minter");
        _assertFits(address(new RoundsManager()), "RoundsManager");
        _assertFits(address(new TicketBroker()), "TicketBroker");
        _assertFits(address(new ServiceRegistry()), "ServiceRegistry");
        _assertFits(address(new BondingManager(token, address(1), address(1), address(1))), "BondingManager");
    }

    function _assertFits(address deployed, string memory name) internal view {
        assertLe(deployed.code.length, EIP170_LIMIT, string.concat(name, " runtime code over the EIP-170 limit"));
    }
}
