// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IBondingManager} from "../../../contracts/interfaces/IBondingManager.sol";
import {ProtocolTest} from "../../ProtocolTest.sol";

/// @notice Shared state readers for the delegator entry-point suites (Bond, Unbond, ...).
abstract contract DelegatorTest is ProtocolTest {
    struct DelegatorView {
        uint256 bondedAmount;
        uint256 fees;
        address delegateAddress;
        uint256 delegatedAmount;
        uint256 startRound;
        uint256 lastClaimRound;
        uint256 nextUnbondingLockId;
    }

    address internal t1 = makeAddr("t1");
    address internal t2 = makeAddr("t2");
    address internal carol = makeAddr("carol");
    address internal dave = makeAddr("dave");

    function _del(address who) internal view returns (DelegatorView memory d) {
        (
            d.bondedAmount,
            d.fees,
            d.delegateAddress,
            d.delegatedAmount,
            d.startRound,
            d.lastClaimRound,
            d.nextUnbondingLockId
        ) = bm.getDelegator(who);
    }

    function _round() internal view returns (uint256) {
        return roundsManager.currentRound();
    }

    function _status(address who) internal view returns (uint8) {
        return uint8(bm.delegatorStatus(who));
    }

    function _stake(address delegate) internal view returns (uint256) {
        return bm.transcoderTotalStake(delegate);
    }

    function _lock(address who, uint256 id) internal view returns (uint256 amount, uint256 withdrawRound) {
        return bm.getDelegatorUnbondingLock(who, id);
    }

    /// @dev The pool from head to tail.
    function _poolOrder() internal view returns (address[] memory order) {
        order = new address[](bm.getTranscoderPoolSize());
        address cur = bm.getFirstTranscoderInPool();
        for (uint256 i; i < order.length; ++i) {
            order[i] = cur;
            cur = bm.getNextTranscoderInPool(cur);
        }
        assertEq(cur, address(0), "pool ends after size entries");
    }

    function _assertPool(address[] memory expected, string memory what) internal view {
        address[] memory order = _poolOrder();
        assertEq(order.length, expected.length, string.concat(what, ": pool size"));
        for (uint256 i; i < order.length; ++i) {
            assertEq(order[i], expected[i], string.concat(what, ": pool position"));
        }
    }

    function _pool2(address a, address b) internal pure returns (address[] memory p) {
        p = new address[](2);
        (p[0], p[1]) = (a, b);
    }

    /// @dev Rolls into the next round WITHOUT initializing it. Returns that round.
    function _rollUninitialized() internal returns (uint256) {
        vm.roll(roundsManager.currentRoundStartBlock() + ROUND_LENGTH);
        return roundsManager.currentRound();
    }

    function _pending() internal pure returns (uint8) {
        return uint8(IBondingManager.DelegatorStatus.Pending);
    }

    function _bonded() internal pure returns (uint8) {
        return uint8(IBondingManager.DelegatorStatus.Bonded);
    }

    function _unbonded() internal pure returns (uint8) {
        return uint8(IBondingManager.DelegatorStatus.Unbonded);
    }
}
