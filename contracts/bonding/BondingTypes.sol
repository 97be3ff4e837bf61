// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {SortedListLib} from "../libraries/SortedListLib.sol";

/// @dev Round `r` of a transcoder: factors cumulative since the transcoder's first reward, and the
/// stake and commission the round was shared with. Those are written once a round is rewarded or
/// paid fees (and the stake when the transcoder leaves the pool) and kept forever, as clients of the
/// live contracts read them from past rounds.
struct EarningsPool {
    uint256 cumulativeRewardFactor;
    uint256 cumulativeFeeFactor;
    uint128 totalStake;
    uint32 transcoderRewardCut;
    uint32 transcoderFeeShare;
}

/// @dev A transcoder's record. Slots: rounds | commission + stake checkpoint | reward counters |
/// fee counter + bookkeeping | per-round factors.
struct Transcoder {
    uint64 lastRewardRound;
    uint64 lastActiveStakeUpdateRound;
    uint64 activationRound;
    uint64 deactivationRound;
    uint32 rewardCut;
    uint32 feeShare;
    uint64 lastFeeRound;
    // Pool stake for round `lastActiveStakeUpdateRound - 1`, taken before its first change.
    uint128 stakeBeforeUpdate;
    uint128 cumulativeRewards;
    uint128 activeCumulativeRewards;
    uint128 cumulativeFees;
    // The reward round before `lastRewardRound`: fees after a reward use its factor.
    uint32 prevRewardRound;
    // Commission the round `commissionChangeRound` started with, still in force for the rest of it
    // after a change made during it.
    uint32 roundRewardCut;
    uint32 roundFeeShare;
    uint32 commissionChangeRound;
    mapping(uint256 round => EarningsPool) earningsPoolPerRound;
}

struct UnbondingLock {
    uint128 amount;
    uint64 withdrawRound;
}

/// @dev Slots: amounts | delegate + rounds | stake delegated to this address + lock counter | locks.
struct Delegator {
    uint128 bondedAmount;
    uint128 fees;
    address delegateAddress;
    uint48 startRound;
    uint48 lastClaimRound;
    uint128 delegatedAmount;
    uint128 nextUnbondingLockId;
    mapping(uint256 id => UnbondingLock) unbondingLocks;
}

/// @custom:storage-location erc7201:livepeer.storage.BondingManager
struct BondingState {
    uint112 currentRoundTotalActiveStake;
    uint112 nextRoundTotalActiveStake;
    // Members of the active set in the current round, fixed when the round is initialized: the
    // reserve is sliced by it (the live pool shrinks as members resign mid-round).
    uint32 currentRoundActivePoolSize;
    uint96 treasuryRewardCutRate;
    uint96 nextRoundTreasuryRewardCutRate;
    uint64 unbondingPeriod;
    uint256 treasuryBalanceCeiling;
    SortedListLib.List pool;
    mapping(address transcoder => Transcoder) transcoders;
    mapping(address delegator => Delegator) delegators;
    mapping(address transcoder => address) rewardCallers;
}
