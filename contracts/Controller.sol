// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IController} from "./interfaces/IController.sol";
import {IManager} from "./interfaces/IManager.sol";

/// @title Controller
/// @notice Registry of protocol contracts and the global pause switch.
contract Controller is IController {
    struct ContractInfo {
        address contractAddress;
        bytes20 gitCommitHash;
    }

    /// @inheritdoc IController
    address public owner;
    /// @inheritdoc IController
    /// @dev Packed with `owner`: a manager's pause and owner checks read one slot.
    bool public paused;

    mapping(bytes32 id => ContractInfo) internal _registry;

    modifier onlyOwner() {
        require(msg.sender == owner, CallerNotOwner(msg.sender));
        _;
    }

    constructor(address initialOwner) {
        _transferOwnership(initialOwner);
    }

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

    /* OWNERSHIP */

    /// @inheritdoc IController
    function transferOwnership(address newOwner) external onlyOwner {
        _transferOwnership(newOwner);
    }

    function _transferOwnership(address newOwner) internal {
        require(newOwner != address(0), ZeroOwner());
        emit OwnershipTransferred(owner, newOwner);
        owner = newOwner;
    }
}
