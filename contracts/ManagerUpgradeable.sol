// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {Manager} from "./Manager.sol";
import {Initializable} from "@openzeppelin/contracts-upgradeable/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts-upgradeable/proxy/utils/UUPSUpgradeable.sol";

/// @title ManagerUpgradeable
/// @notice Base of the protocol contracts that sit behind an ERC1967 proxy (UUPS).
/// @dev UUPS keeps calls cheap (no admin check on every call, unlike the transparent proxy) and
/// needs no ProxyAdmin: the protocol owner, `controller.owner()`, is the only upgrader.
/// State lives in ERC-7201 namespaces, so upgrades cannot collide storage by reordering.
abstract contract ManagerUpgradeable is Manager, Initializable, UUPSUpgradeable {
    /// @custom:oz-upgrades-unsafe-allow constructor
    constructor() {
        _disableInitializers();
    }

    function __Manager_init(address controller_) internal onlyInitializing {
        _setController(controller_);
    }

    /// @dev Only the protocol owner may upgrade.
    function _authorizeUpgrade(address) internal view override {
        _requireControllerOwner();
    }
}
