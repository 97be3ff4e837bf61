// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IBondingManager} from "../interfaces/IBondingManager.sol";
import {SortedListLib} from "../libraries/SortedListLib.sol";
import {BondingState, Delegator, Transcoder} from "./BondingTypes.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title ActiveSetLib
/// @notice Stake of delegates and the sorted active set: joining from the next round, eviction of the
/// tail, resignation, and the checkpoint of a member's stake for the round in progress.
library ActiveSetLib {
    using SafeCast for uint256;
    using SortedListLib for SortedListLib.List;

    uint32 internal constant NEVER = type(uint32).max;

    function increaseTotalStake(
        BondingState storage $,
        address delegate,
        uint256 amount,
        uint256 round,
        address prev,
        address next
    ) internal {
        Delegator storage d = $.delegators[delegate];
        uint256 stake = d.delegatedAmount;
        uint256 newStake = stake + amount;
        // Pool members are registered by construction (a full self-unbond resigns first).
        if ($.pool.contains(delegate)) {
            checkpointStake($.transcoders[delegate], stake, round);
            $.pool.updateKey(delegate, newStake.toUint96(), prev, next);
            $.nextRoundTotalActiveStake = ($.nextRoundTotalActiveStake + amount).toUint96();
        } else if (isRegistered($, delegate)) {
            tryToJoin($, delegate, newStake, round, prev, next);
        }
        d.delegatedAmount = newStake.toUint96();
    }

    function decreaseTotalStake(
        BondingState storage $,
        address delegate,
        uint256 amount,
        uint256 round,
        address prev,
        address next
    ) internal {
        Delegator storage d = $.delegators[delegate];
        uint256 stake = d.delegatedAmount;
        uint256 newStake = stake - amount;
        if ($.pool.contains(delegate)) {
            checkpointStake($.transcoders[delegate], stake, round);
            // forge-lint: disable-next-line(unsafe-typecast)
            $.pool.updateKey(delegate, uint96(newStake), prev, next); // below a key that fit
            // forge-lint: disable-next-line(unsafe-typecast)
            $.nextRoundTotalActiveStake = uint96($.nextRoundTotalActiveStake - amount);
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        d.delegatedAmount = uint96(newStake);
    }

    /// @dev Joins the pool from the next round if there is room or `stake` beats the tail (evicted).
    function tryToJoin(
        BondingState storage $,
        address transcoder,
        uint256 stake,
        uint256 round,
        address prev,
        address next
    ) internal {
        uint256 nextTotal = $.nextRoundTotalActiveStake;
        uint256 activationRound = round + 1;
        if ($.pool.size == $.pool.maxSize) {
            address tail = $.pool.tail;
            uint256 tailStake = $.delegators[tail].delegatedAmount;
            if (stake <= tailStake) return;
            leavePool($, tail, tailStake, round);
            nextTotal -= tailStake;
        }
        Transcoder storage t = $.transcoders[transcoder];
        checkpointStake(t, activeStake(t, $.delegators[transcoder].delegatedAmount, round), round);
        $.pool.insert(transcoder, stake.toUint96(), prev, next);
        // Evicted earlier this round and back already: it never stops being active, so it keeps this
        // round's reward and fees (the reference would make it skip the round).
        if (!isActive(t, round)) t.activationRound = activationRound.toUint32();
        t.deactivationRound = NEVER;
        $.nextRoundTotalActiveStake = (nextTotal + stake).toUint96();
        emit IBondingManager.TranscoderActivated(transcoder, activationRound);
    }

    function resign(BondingState storage $, address transcoder, uint256 round) internal {
        uint256 stake = $.delegators[transcoder].delegatedAmount;
        leavePool($, transcoder, stake, round);
        // forge-lint: disable-next-line(unsafe-typecast)
        $.nextRoundTotalActiveStake = uint96($.nextRoundTotalActiveStake - stake);
    }

    /// @dev Leaves the pool at the end of this round. `lastActiveStakeUpdateRound` stays (as in the
    /// live contracts); its pool keeps the stake at leaving, which is also the round's stake for its
    /// reward when nothing changed it earlier in the round (see `activeStake`).
    function leavePool(BondingState storage $, address transcoder, uint256 stake, uint256 round) internal {
        Transcoder storage t = $.transcoders[transcoder];
        // forge-lint: disable-next-line(unsafe-typecast)
        t.earningsPoolPerRound[t.lastActiveStakeUpdateRound].totalStake = uint96(stake); // a delegatedAmount
        $.pool.remove(transcoder);
        t.deactivationRound = (round + 1).toUint32();
        emit IBondingManager.TranscoderDeactivated(transcoder, round + 1);
    }

    /// @dev Before a member's first stake change in `round`, remember the stake the round started with.
    function checkpointStake(Transcoder storage t, uint256 stake, uint256 round) internal {
        if (t.lastActiveStakeUpdateRound <= round) {
            t.stakeBeforeUpdate = stake.toUint96();
            t.lastActiveStakeUpdateRound = (round + 1).toUint32();
        }
    }

    /// @dev Stake `t` is active with in `round` (the current or the next one): the checkpoint after a
    /// change in `round`, the stake at leaving for a member that left in `round` before any change,
    /// else the member's stake now.
    function activeStake(Transcoder storage t, uint256 delegatedAmount, uint256 round) internal view returns (uint256) {
        uint256 updateRound = t.lastActiveStakeUpdateRound;
        if (updateRound > round) return t.stakeBeforeUpdate;
        if (t.deactivationRound == round + 1) return t.earningsPoolPerRound[updateRound].totalStake;
        return delegatedAmount;
    }

    function isActive(Transcoder storage t, uint256 round) internal view returns (bool) {
        return t.activationRound <= round && round < t.deactivationRound;
    }

    /// @dev Registered = self-delegated with a bond.
    function isRegistered(BondingState storage $, address transcoder) internal view returns (bool) {
        Delegator storage d = $.delegators[transcoder];
        return d.delegateAddress == transcoder && d.bondedAmount != 0;
    }
}
