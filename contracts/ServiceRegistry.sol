// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ManagerUpgradeable} from "./ManagerUpgradeable.sol";
import {IServiceRegistry} from "./interfaces/IServiceRegistry.sol";

/// @title ServiceRegistry
/// @notice Orchestrators publish the URI at which broadcasters reach them.
contract ServiceRegistry is IServiceRegistry, ManagerUpgradeable {
    /// @custom:storage-location erc7201:livepeer.storage.ServiceRegistry
    struct ServiceRegistryStorage {
        mapping(address addr => string) serviceURI;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.ServiceRegistry")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE = 0x997e059f46fa4a90c7a8a8009c955afaf6e87747e5d6e34f217ec67a8e6cc500;

    /// @notice Wires the proxy to `controller_`.
    function initialize(address controller_) external initializer {
        __Manager_init(controller_);
    }

    /// @inheritdoc IServiceRegistry
    function setServiceURI(string calldata serviceURI) external {
        _storage().serviceURI[msg.sender] = serviceURI;
        emit ServiceURIUpdate(msg.sender, serviceURI);
    }

    /// @inheritdoc IServiceRegistry
    function getServiceURI(address addr) external view returns (string memory) {
        return _storage().serviceURI[addr];
    }

    function _storage() private pure returns (ServiceRegistryStorage storage $) {
        assembly {
            $.slot := STORAGE
        }
    }
}
