// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IController} from "./interfaces/IController.sol";
import {IManager} from "./interfaces/IManager.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title Controller
/// @notice Registry of protocol contracts and the global pause switch.
contract Controller is IController, Ownable {
    struct ContractInfo {
        address contractAddress;
        bytes20 gitCommitHash;
    }

    /// @inheritdoc IController
    /// @dev Packed with Ownable's `_owner`, so a manager's pause and owner checks share one slot.
    bool public paused;

    mapping(bytes32 id => ContractInfo) internal _registry;

    constructor(address initialOwner) Ownable(initialOwner) {}

    /* REGISTRY */

    /// @inheritdoc IController
    function setContractInfo(bytes32 id, address contractAddress, bytes20 gitCommitHash) external onlyOwner {
        _registry[id] = ContractInfo(contractAddress, gitCommitHash);
        emit SetContractInfo(id, contractAddress, gitCommitHash);
    }

    /// @inheritdoc IController
    function updateController(bytes32 id, address controller) external onlyOwner {
        IManager(_registry[id].contractAddress).setController(controller);
    }

    /// @inheritdoc IController
    function getContractInfo(bytes32 id) external view returns (address, bytes20) {
        ContractInfo storage info = _registry[id];
        return (info.contractAddress, info.gitCommitHash);
    }

    /// @inheritdoc IController
    function getContract(bytes32 id) external view returns (address) {
        return _registry[id].contractAddress;
    }

    /* PAUSE */

    /// @inheritdoc IController
    function pause() external onlyOwner {
        require(!paused, AlreadyPaused());
        paused = true;
        emit Pause();
    }

    /// @inheritdoc IController
    function unpause() external onlyOwner {
        require(paused, NotPaused());
        paused = false;
        emit Unpause();
    }

    /* OWNERSHIP (re-declared for the interface) */

    /// @inheritdoc IController
    function owner() public view override(IController, Ownable) returns (address) {
        return super.owner();
    }

    /// @inheritdoc IController
    function transferOwnership(address newOwner) public override(IController, Ownable) {
        super.transferOwnership(newOwner);
    }
}
