// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SortedListLib} from "../../contracts/libraries/SortedListLib.sol";

/// @notice Exposes SortedListLib on one list so tests can drive it with external calls.
contract SortedListHarness {
    using SortedListLib for SortedListLib.List;

    SortedListLib.List internal _list;

    function setMaxSize(uint256 newMaxSize) external {
        _list.setMaxSize(newMaxSize);
    }

    function insert(address id, uint96 key, address prevHint, address nextHint) external {
        _list.insert(id, key, prevHint, nextHint);
    }

    function remove(address id) external {
        _list.remove(id);
    }

    function updateKey(address id, uint96 newKey, address prevHint, address nextHint) external {
        _list.updateKey(id, newKey, prevHint, nextHint);
    }

    function contains(address id) external view returns (bool) {
        return _list.contains(id);
    }

    function isFull() external view returns (bool) {
        return _list.isFull();
    }

    function keyOf(address id) external view returns (uint256) {
        return _list.keyOf(id);
    }

    function nextOf(address id) external view returns (address) {
        return _list.nextOf(id);
    }

    function prevOf(address id) external view returns (address) {
        return _list.prevOf(id);
    }

    function head() external view returns (address) {
        return _list.head;
    }

    function tail() external view returns (address) {
        return _list.tail;
    }

    function size() external view returns (uint256) {
        return _list.size;
    }

    function maxSize() external view returns (uint256) {
        return _list.maxSize;
    }
}
