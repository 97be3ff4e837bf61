// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IBondingManager} from "./interfaces/IBondingManager.sol";
import {IController} from "./interfaces/IController.sol";
import {IManager} from "./interfaces/IManager.sol";
import {IMinter} from "./interfaces/IMinter.sol";
import {IRoundsManager} from "./interfaces/IRoundsManager.sol";

/// @title Manager
/// @notice Base of every protocol contract: the Controller link, pause checks and caller checks.
/// @dev The Controller address lives in an ERC-7201 namespace so the same base serves proxied and
/// plain contracts without ever colliding with their own storage.
abstract contract Manager is IManager {
    /// @custom:storage-location erc7201:livepeer.storage.Manager
    struct ManagerStorage {
        IController controller;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.Manager")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant MANAGER_STORAGE = 0x130df29cc34f1d716edf0c75b6daff6eef52f7842e72ce6f21b15ba4f0c49200;

    /* REGISTRY IDS (keccak256 of the names the live network registers) */

    bytes32 internal constant BONDING_MANAGER = keccak256("BondingManager");
    bytes32 internal constant MINTER = keccak256("Minter");
    bytes32 internal constant ROUNDS_MANAGER = keccak256("RoundsManager");
    bytes32 internal constant TICKET_BROKER = keccak256("TicketBroker");
    bytes32 internal constant JOBS_MANAGER = keccak256("JobsManager");
    bytes32 internal constant LIVEPEER_TOKEN = keccak256("LivepeerToken");
    bytes32 internal constant SERVICE_REGISTRY = keccak256("ServiceRegistry");
    bytes32 internal constant TREASURY = keccak256("Treasury");
    bytes32 internal constant BONDING_VOTES = keccak256("BondingVotes");

    /* EXTERNAL */

    /// @inheritdoc IManager
    function controller() public view returns (IController) {
        return _managerStorage().controller;
    }

    /// @inheritdoc IManager
    function setController(address newController) external {
        require(msg.sender == address(controller()), CallerNotController(msg.sender));
        _setController(newController);
    }

    /* INTERNAL */

    function _setController(address newController) internal {
        require(newController != address(0), ZeroAddress());
        _managerStorage().controller = IController(newController);
        emit SetController(newController);
    }

    /// @dev Address registered in the Controller under `id`.
    function _contract(bytes32 id) internal view returns (address) {
        return controller().getContract(id);
    }

    function _roundsManager() internal view virtual returns (IRoundsManager) {
        return IRoundsManager(_contract(ROUNDS_MANAGER));
    }

    function _bondingManager() internal view returns (IBondingManager) {
        return IBondingManager(_contract(BONDING_MANAGER));
    }

    function _minter() internal view virtual returns (IMinter) {
        return IMinter(_contract(MINTER));
    }

    function _requireNotPaused() internal view {
        require(!controller().paused(), SystemPaused());
    }

    function _requirePaused() internal view {
        require(controller().paused(), SystemNotPaused());
    }

    function _requireControllerOwner() internal view {
        require(msg.sender == controller().owner(), CallerNotControllerOwner(msg.sender));
    }

    /// @dev Reverts unless the caller is the contract registered under `id`.
    function _requireCaller(bytes32 id) internal view {
        require(msg.sender == _contract(id), UnauthorizedCaller(msg.sender, id));
    }

    function _managerStorage() private pure returns (ManagerStorage storage $) {
        assembly {
            $.slot := MANAGER_STORAGE
        }
    }
}
