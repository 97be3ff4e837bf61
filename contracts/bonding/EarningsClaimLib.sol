// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {IBondingManager} from "../interfaces/IBondingManager.sol";
import {ActiveSetLib} from "./ActiveSetLib.sol";
import {BondingState, Delegator, EarningsPool, Transcoder} from "./BondingTypes.sol";
import {EarningsPoolLib} from "./EarningsPoolLib.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title EarningsClaimLib
/// @notice A delegator's rewards and fees since its last claim, in O(1) from cumulative factors
/// (LIP-36), and the claim that compounds them into its bond.
library EarningsClaimLib {
    using SafeCast for uint256;

    /// @dev Compounds `delegator`'s rewards and fees up to `round`. `byThirdParty` enables the
    /// griefing guard: a claim forced before the delegate's reward would forfeit this round's reward.
    function claim(BondingState storage $, address delegator, uint256 round, bool byThirdParty) internal {
        Delegator storage del = $.delegators[delegator];
        uint256 lastClaimRound = del.lastClaimRound;
        address delegate = del.delegateAddress;
        if (lastClaimRound >= round) {
            // Already claimed this round; a transcoder may have earned commission since (reward after
            // the claim): fold it in now so that a full unbond in the same round leaves nothing behind.
            if (delegate == delegator && delegate != address(0)) {
                _foldTranscoderEarnings(del, $.transcoders[delegate], delegator, round);
            }
            return;
        }

        uint256 bonded = del.bondedAmount;
        uint256 fees = del.fees;
        (uint256 stake, uint256 newFees) = (bonded, fees);
        if (delegate != address(0)) {
            Transcoder storage t = $.transcoders[delegate];
            if (byThirdParty) {
                require(
                    !ActiveSetLib.isActive(t, round) || t.lastRewardRound == round,
                    IBondingManager.ClaimBeforeReward(delegator, delegate)
                );
            }
            (stake, newFees) = pendingStakeAndFees($, delegator, round);
            // Later claims start from this round's factors: make sure they are set.
            initPoolFactors($, delegate, round);
            if (delegate == delegator) (t.cumulativeRewards, t.cumulativeFees) = (0, 0);
        }

        emit IBondingManager.EarningsClaimed(
            delegate, delegator, stake - bonded, newFees - fees, lastClaimRound + 1, round
        );
        del.lastClaimRound = round.toUint32();
        (del.bondedAmount, del.fees) = (stake.toUint96(), newFees.toUint96());
    }

    function pendingStakeAndFees(BondingState storage $, address delegator, uint256 round)
        internal
        view
        returns (uint256 stake, uint256 fees)
    {
        Delegator storage del = $.delegators[delegator];
        (stake, fees) = (del.bondedAmount, del.fees);
        address delegate = del.delegateAddress;
        Transcoder storage t = $.transcoders[delegate];
        uint256 lastClaimRound = del.lastClaimRound;

        if (lastClaimRound < round) {
            EarningsPool storage start = t.earningsPoolPerRound[lastClaimRound];
            (uint256 endCrf, uint256 endCff) = latestFactors(t, round);
            (stake, fees) = EarningsPoolLib.earnings(
                stake, fees, start.cumulativeRewardFactor, start.cumulativeFeeFactor, endCrf, endCff
            );
        }
        // A transcoder's own commission and reward-on-rewards accrue outside the factors.
        if (delegate == delegator && delegate != address(0)) {
            stake += t.cumulativeRewards;
            fees += t.cumulativeFees;
        }
    }

    /// @dev Factors of `round`, falling back to the last reward / fee round before it.
    function latestFactors(Transcoder storage t, uint256 round) internal view returns (uint256 crf, uint256 cff) {
        EarningsPool storage pool = t.earningsPoolPerRound[round];
        (crf, cff) = (pool.cumulativeRewardFactor, pool.cumulativeFeeFactor);
        uint256 lastRewardRound = t.lastRewardRound;
        if (crf == 0 && lastRewardRound < round && lastRewardRound != 0) {
            crf = t.earningsPoolPerRound[lastRewardRound].cumulativeRewardFactor;
        }
        uint256 lastFeeRound = t.lastFeeRound;
        if (cff == 0 && lastFeeRound < round && lastFeeRound != 0) {
            cff = t.earningsPoolPerRound[lastFeeRound].cumulativeFeeFactor;
        }
    }

    /// @dev Sets `delegate`'s factors for `round` from its latest ones if unset, so that a delegator
    /// whose earnings start at `round` never reads an empty pool (a past reference bug).
    function initPoolFactors(BondingState storage $, address delegate, uint256 round) internal {
        Transcoder storage t = $.transcoders[delegate];
        EarningsPool storage pool = t.earningsPoolPerRound[round];
        (uint256 crf, uint256 cff) = latestFactors(t, round);
        if (pool.cumulativeRewardFactor == 0 && crf != 0) pool.cumulativeRewardFactor = crf;
        if (pool.cumulativeFeeFactor == 0 && cff != 0) pool.cumulativeFeeFactor = cff;
    }

    function _foldTranscoderEarnings(Delegator storage del, Transcoder storage t, address transcoder, uint256 round)
        private
    {
        (uint256 rewards, uint256 fees) = (t.cumulativeRewards, t.cumulativeFees);
        if (rewards == 0 && fees == 0) return;
        (t.cumulativeRewards, t.cumulativeFees) = (0, 0);
        (del.bondedAmount, del.fees) = ((del.bondedAmount + rewards).toUint96(), (del.fees + fees).toUint96());
        emit IBondingManager.EarningsClaimed(transcoder, transcoder, rewards, fees, round, round);
    }
}
