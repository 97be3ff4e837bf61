// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title SortedListLib
/// @notice Doubly linked list of addresses sorted by key, descending, with a maximum size.
/// @dev A node's `next` pointer and key share one slot, so walking the list costs one SLOAD a step.
/// Hints (`prevHint`, `nextHint`) name the neighbours of the new position; a correct hint makes an
/// insert O(1), a wrong or stale one only costs a walk (from the hint when it still helps, from the
/// head otherwise). Ties go ahead of existing equal keys, as in the reference.
library SortedListLib {
    struct Node {
        address next;
        uint96 key;
    }

    struct List {
        mapping(address id => Node) nodes;
        mapping(address id => address) prev;
        address head;
        uint32 size;
        uint32 maxSize;
        address tail;
    }

    error ListFull(uint256 maxSize);
    error AlreadyInList(address id);
    error NotInList(address id);
    error ZeroKey(address id);
    error ZeroId();
    error MaxSizeBelowSize(uint256 maxSize, uint256 size);

    /* VIEWS */

    function contains(List storage list, address id) internal view returns (bool) {
        return list.nodes[id].key != 0;
    }

    function isFull(List storage list) internal view returns (bool) {
        return list.size == list.maxSize;
    }

    function keyOf(List storage list, address id) internal view returns (uint256) {
        return list.nodes[id].key;
    }

    function nextOf(List storage list, address id) internal view returns (address) {
        return list.nodes[id].next;
    }

    function prevOf(List storage list, address id) internal view returns (address) {
        return list.prev[id];
    }

    /* MUTATIONS */

    function setMaxSize(List storage list, uint256 maxSize) internal {
        require(maxSize >= list.size && maxSize <= type(uint32).max, MaxSizeBelowSize(maxSize, list.size));
        // forge-lint: disable-next-line(unsafe-typecast)
        list.maxSize = uint32(maxSize);
    }

    function insert(List storage list, address id, uint96 key, address prevHint, address nextHint) internal {
        require(id != address(0), ZeroId());
        require(key != 0, ZeroKey(id));
        require(!contains(list, id), AlreadyInList(id));
        require(list.size < list.maxSize, ListFull(list.maxSize));
        (address prev, address next) = _findPosition(list, key, prevHint, nextHint);
        _link(list, id, key, prev, next);
        list.size++;
    }

    function remove(List storage list, address id) internal {
        require(contains(list, id), NotInList(id));
        _unlink(list, id);
        delete list.nodes[id];
        delete list.prev[id];
        list.size--;
    }

    /// @dev Keeps the node in place when its neighbours still bracket the new key (the common case of
    /// a small stake change), otherwise moves it to the hinted position.
    function updateKey(List storage list, address id, uint96 newKey, address prevHint, address nextHint) internal {
        require(newKey != 0, ZeroKey(id));
        Node storage node = list.nodes[id];
        require(node.key != 0, NotInList(id));
        address next = node.next;
        // A hint naming the current predecessor spares reading the back pointer.
        address prev =
            (prevHint == address(0) ? list.head == id : list.nodes[prevHint].next == id) ? prevHint : list.prev[id];
        if (
            (prev == address(0) || list.nodes[prev].key >= newKey)
                && (next == address(0) || newKey >= list.nodes[next].key)
        ) {
            node.key = newKey;
            return;
        }
        _unlink(list, id);
        delete list.nodes[id]; // so the search below cannot step onto the detached node
        (prev, next) = _findPosition(list, newKey, prevHint, nextHint);
        _link(list, id, newKey, prev, next);
    }

    /* POSITION FINDING */

    function _findPosition(List storage list, uint256 key, address prevHint, address nextHint)
        private
        view
        returns (address prev, address next)
    {
        if (_isValidPosition(list, key, prevHint, nextHint)) return (prevHint, nextHint);
        if (prevHint != address(0) && list.nodes[prevHint].key >= key) return _descend(list, key, prevHint);
        if (nextHint != address(0) && contains(list, nextHint) && key >= list.nodes[nextHint].key) {
            return _ascend(list, key, nextHint);
        }
        if (list.size == 0) return (address(0), address(0));
        return _descend(list, key, list.head);
    }

    function _isValidPosition(List storage list, uint256 key, address prev, address next) private view returns (bool) {
        if (prev == address(0) && next == address(0)) return list.size == 0;
        if (prev == address(0)) return list.head == next && key >= list.nodes[next].key;
        Node storage prevNode = list.nodes[prev];
        if (next == address(0)) return list.tail == prev && prevNode.key >= key;
        return prevNode.next == next && prevNode.key >= key && key >= list.nodes[next].key;
    }

    /// @dev Walks toward the tail from `start`, a member whose key is >= `key` (or the head).
    function _descend(List storage list, uint256 key, address start) private view returns (address, address) {
        if (start == list.head && key >= list.nodes[start].key) return (address(0), start);
        address prev = start;
        Node storage node = list.nodes[prev];
        address next = node.next;
        while (next != address(0)) {
            Node storage nextNode = list.nodes[next];
            if (nextNode.key <= key) break;
            prev = next;
            next = nextNode.next;
        }
        return (prev, next);
    }

    /// @dev Walks toward the head from `start`, a member whose key is <= `key`.
    function _ascend(List storage list, uint256 key, address start) private view returns (address, address) {
        address next = start;
        address prev = list.prev[next];
        while (prev != address(0) && list.nodes[prev].key < key) {
            next = prev;
            prev = list.prev[prev];
        }
        return (prev, next);
    }

    /* LINKING */

    function _link(List storage list, address id, uint96 key, address prev, address next) private {
        list.nodes[id] = Node(next, key);
        list.prev[id] = prev;
        if (prev == address(0)) list.head = id;
        else list.nodes[prev].next = id;
        if (next == address(0)) list.tail = id;
        else list.prev[next] = id;
    }

    function _unlink(List storage list, address id) private {
        address prev = list.prev[id];
        address next = list.nodes[id].next;
        if (prev == address(0)) list.head = next;
        else list.nodes[prev].next = next;
        if (next == address(0)) list.tail = prev;
        else list.prev[next] = prev;
    }
}
