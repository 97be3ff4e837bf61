// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../contracts/interfaces/IBondingManager.sol";
import {ActionBase} from "../../script/actions/ActionBase.sol";
import {ProtocolTest} from "../ProtocolTest.sol";

/// @dev Exposes the user scripts' hint computation on a given BondingManager.
contract HintHarness is ActionBase {
    constructor(IBondingManager bm) {
        bondingManager = bm;
    }

    function bondHints(address signer, uint256 amount, address to) external returns (address[4] memory) {
        sender = signer;
        return _bondHints(amount, to);
    }

    function hint(address delegate, uint256 newStake, bool registered) external view returns (address, address) {
        return _hint(_pool(), delegate, newStake, registered);
    }
}

/// @notice The hints the user scripts compute are the exact neighbours the pool ends up with.
contract HintsTest is ProtocolTest {
    HintHarness internal harness;
    address[] internal transcoders;
    address internal delegator = makeAddr("delegator");

    function setUp() public override {
        super.setUp();
        harness = new HintHarness(bm);
    }

    function testFuzz_bondHints_areTheNewNeighbours(uint256 seed, uint256 amount, uint256 pick) public {
        _registerPool(seed, 6);
        address to = transcoders[pick % transcoders.length];
        amount = bound(amount, 1, 2000 ether);

        address[4] memory h = harness.bondHints(delegator, amount, to);
        _fund(delegator, amount);
        vm.prank(delegator);
        bm.bondWithHint(amount, to, h[0], h[1], h[2], h[3]);
        _assertNeighbours(to, h[2], h[3]);
    }

    function testFuzz_bondHints_moveBetweenOrchestrators(uint256 seed, uint256 amount, uint256 from, uint256 to)
        public
    {
        _registerPool(seed, 6);
        address oldDelegate = transcoders[from % transcoders.length];
        uint256 n = transcoders.length;
        address newDelegate = transcoders[(from % n + 1 + to % (n - 1)) % n];
        amount = bound(amount, 1, 2000 ether);
        _bond(delegator, amount, oldDelegate);
        _nextRound();

        address[4] memory h = harness.bondHints(delegator, 0, newDelegate);
        vm.prank(delegator);
        bm.bondWithHint(0, newDelegate, h[0], h[1], h[2], h[3]);
        _assertNeighbours(newDelegate, h[2], h[3]);
        assertGt(bm.transcoderTotalStake(newDelegate), amount, "stake moved");
    }

    function testFuzz_hint_unbondIsTheNewNeighbours(uint256 seed, uint256 amount, uint256 pick) public {
        _registerPool(seed, 6);
        address t = transcoders[pick % transcoders.length];
        amount = bound(amount, 1, _bondedAmount(t) - 1);

        (address prev, address next) = harness.hint(t, bm.transcoderTotalStake(t) - amount, false);
        vm.prank(t);
        bm.unbondWithHint(amount, prev, next);
        _assertNeighbours(t, prev, next);
    }

    function test_bondHints_selfBondIntoAFullPoolEvictsTheTail() public {
        _registerPool(0x0102030405060708090a, NUM_ACTIVE_TRANSCODERS);
        assertEq(bm.getTranscoderPoolSize(), NUM_ACTIVE_TRANSCODERS, "pool full");
        address newcomer = makeAddr("newcomer");
        uint256 stake = 450 ether; // between the smallest and the largest

        address[4] memory h = harness.bondHints(newcomer, stake, newcomer);
        _fund(newcomer, stake);
        vm.prank(newcomer);
        bm.bondWithHint(stake, newcomer, h[0], h[1], h[2], h[3]);
        assertEq(bm.getTranscoderPoolSize(), NUM_ACTIVE_TRANSCODERS, "still full");
        _assertNeighbours(newcomer, h[2], h[3]);
    }

    /* HELPERS */

    /// @dev `n` transcoders with stakes 100..800 LPT drawn from `seed` (ties on purpose).
    function _registerPool(uint256 seed, uint256 n) internal {
        for (uint256 i; i < n; i++) {
            address t = makeAddr(string.concat("t", vm.toString(i)));
            transcoders.push(t);
            _registerTranscoder(t, 100 ether * (1 + ((seed >> (i * 8)) & 0xff) % 8), 0, 0);
        }
        _nextRound();
    }

    function _assertNeighbours(address id, address prev, address next) internal view {
        if (prev == address(0)) assertEq(bm.getFirstTranscoderInPool(), id, "hinted first");
        else assertEq(bm.getNextTranscoderInPool(prev), id, "prev hint is the new predecessor");
        assertEq(bm.getNextTranscoderInPool(id), next, "next hint is the new successor");
    }
}
