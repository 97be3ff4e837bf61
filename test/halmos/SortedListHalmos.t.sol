// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SortedListHarness} from "../mocks/SortedListHarness.sol";
import {Test} from "forge-std/Test.sol";

/// @notice Symbolic properties (halmos, `make halmos`) of SortedListLib on small lists (max size 3):
/// insert, remove and updateKey keep the list sorted (descending), doubly linked and of the right size,
/// for every key and every hint among the members (or zero).
contract SortedListHalmos is Test {
    address internal constant A = address(0xA);
    address internal constant B = address(0xB);
    address internal constant C = address(0xC);
    address internal constant D = address(0xD);

    SortedListHarness internal list;

    function setUp() public {
        list = new SortedListHarness();
        list.setMaxSize(3);
    }

    /* PROPERTIES */

    function check_insert_oneNode(uint96 key) public {
        vm.assume(key != 0);
        list.insert(A, key, address(0), address(0));
        assert(list.size() == 1);
        assert(list.head() == A && list.tail() == A);
        assert(list.keyOf(A) == key && list.contains(A));
        _checkWellFormed(1);
    }

    /// @notice Three inserts with exact-or-empty hints: sorted, linked both ways, size 3, full.
    function check_insert_threeSorted(uint96 ka, uint96 kb, uint96 kc) public {
        vm.assume(ka != 0 && kb != 0 && kc != 0);
        list.insert(A, ka, address(0), address(0));
        list.insert(B, kb, address(0), address(0));
        list.insert(C, kc, address(0), address(0));
        assert(list.isFull());
        _checkWellFormed(3);
    }

    /// @notice Any hints (stale, wrong or right, among the members and zero) still insert in order.
    function check_insert_anyHintsSorted(uint96 ka, uint96 kb, uint96 kc, uint8 p, uint8 n) public {
        vm.assume(ka != 0 && kb != 0 && kc != 0);
        list.insert(A, ka, address(0), address(0));
        list.insert(B, kb, address(0), address(0));
        list.insert(C, kc, _member(p), _member(n));
        _checkWellFormed(3);
    }

    function check_insert_fullReverts(uint96 key) public {
        vm.assume(key != 0);
        _fill(3, 2, 1);
        (bool ok,) = address(list).call(abi.encodeCall(SortedListHarness.insert, (D, key, address(0), address(0))));
        assert(!ok);
        _checkWellFormed(3);
    }

    function check_insert_zeroKeyOrDuplicateReverts(uint96 key) public {
        vm.assume(key != 0);
        list.insert(A, key, address(0), address(0));
        (bool ok,) = address(list).call(abi.encodeCall(SortedListHarness.insert, (B, 0, address(0), address(0))));
        assert(!ok);
        (ok,) = address(list).call(abi.encodeCall(SortedListHarness.insert, (A, key, address(0), address(0))));
        assert(!ok);
        assert(list.size() == 1);
    }

    /// @notice Removing any member of a 3-list leaves the other two sorted and linked, size 2.
    function check_remove_keepsOrderAndSize(uint96 ka, uint96 kb, uint96 kc, uint8 which) public {
        _fill(ka, kb, kc);
        address gone = which % 3 == 0 ? A : which % 3 == 1 ? B : C;
        list.remove(gone);
        assert(!list.contains(gone));
        assert(list.keyOf(gone) == 0 && list.nextOf(gone) == address(0) && list.prevOf(gone) == address(0));
        _checkWellFormed(2);
    }

    function check_remove_nonMemberReverts(uint96 ka) public {
        vm.assume(ka != 0);
        list.insert(A, ka, address(0), address(0));
        (bool ok,) = address(list).call(abi.encodeCall(SortedListHarness.remove, (B)));
        assert(!ok);
        assert(list.size() == 1);
    }

    /// @notice Updating any member to any key, with any previous-node hint (stale, wrong or right, among
    /// the members and zero), keeps the list sorted, linked both ways and of size 3.
    function check_updateKey_anyPrevHintKeepsOrder(uint96 ka, uint96 kb, uint96 kc, uint8 which, uint96 newKey, uint8 p)
        public
    {
        _update(ka, kb, kc, which, newKey, _member(p), address(0));
    }

    /// @notice The same with any next-node hint.
    function check_updateKey_anyNextHintKeepsOrder(uint96 ka, uint96 kb, uint96 kc, uint8 which, uint96 newKey, uint8 n)
        public
    {
        _update(ka, kb, kc, which, newKey, address(0), _member(n));
    }

    function check_updateKey_zeroKeyOrNonMemberReverts(uint96 ka, uint96 key) public {
        vm.assume(ka != 0 && key != 0);
        list.insert(A, ka, address(0), address(0));
        (bool ok,) = address(list).call(abi.encodeCall(SortedListHarness.updateKey, (A, 0, address(0), address(0))));
        assert(!ok);
        (ok,) = address(list).call(abi.encodeCall(SortedListHarness.updateKey, (B, key, address(0), address(0))));
        assert(!ok);
        assert(list.keyOf(A) == ka && list.size() == 1);
    }

    /// @notice The maximum size can never drop below the current size.
    function check_setMaxSize_neverBelowSize(uint96 ka, uint96 kb, uint256 newMax) public {
        vm.assume(ka != 0 && kb != 0);
        list.insert(A, ka, address(0), address(0));
        list.insert(B, kb, address(0), address(0));
        (bool ok,) = address(list).call(abi.encodeCall(SortedListHarness.setMaxSize, (newMax)));
        assert(ok == (newMax >= 2 && newMax <= type(uint32).max));
        assert(list.maxSize() >= list.size());
    }

    /// @notice A key change that stays between the neighbours' keys leaves the links untouched.
    function check_updateKey_inPlaceKeepsLinks(uint96 ka, uint96 kb, uint96 kc, uint96 newKey) public {
        vm.assume(ka >= kb && kb >= kc && kc != 0 && newKey <= ka && newKey >= kc && newKey != 0);
        _fill(ka, kb, kc);
        address head = list.head();
        address middle = list.nextOf(head);
        address tail = list.tail();
        list.updateKey(middle, newKey, address(0), address(0));
        assert(list.head() == head && list.nextOf(head) == middle && list.nextOf(middle) == tail);
        assert(list.keyOf(middle) == newKey);
        _checkWellFormed(3);
    }

    /* HELPERS */

    function _update(uint96 ka, uint96 kb, uint96 kc, uint8 which, uint96 newKey, address prevHint, address nextHint)
        internal
    {
        // Insertion order only relabels the members; fixing it keeps the run short.
        vm.assume(newKey != 0 && ka >= kb && kb >= kc);
        _fill(ka, kb, kc);
        address id = which % 3 == 0 ? A : which % 3 == 1 ? B : C;
        list.updateKey(id, newKey, prevHint, nextHint);
        assert(list.keyOf(id) == newKey);
        _checkWellFormed(3);
    }

    function _fill(uint96 ka, uint96 kb, uint96 kc) internal {
        vm.assume(ka != 0 && kb != 0 && kc != 0);
        list.insert(A, ka, address(0), address(0));
        list.insert(B, kb, address(0), address(0));
        list.insert(C, kc, address(0), address(0));
    }

    function _member(uint8 i) internal pure returns (address) {
        i %= 4;
        return i == 0 ? address(0) : i == 1 ? A : i == 2 ? B : C;
    }

    /// @dev Walks head to tail: `size` nodes, keys descending and non-zero, back pointers consistent.
    function _checkWellFormed(uint256 size) internal view {
        assert(list.size() == size);
        address prev = address(0);
        address node = list.head();
        uint256 count;
        uint256 lastKey = type(uint256).max;
        while (node != address(0) && count <= size) {
            assert(list.prevOf(node) == prev);
            uint256 key = list.keyOf(node);
            assert(key != 0 && key <= lastKey);
            lastKey = key;
            prev = node;
            node = list.nextOf(node);
            count++;
        }
        assert(count == size);
        assert(list.tail() == prev);
    }
}
