// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

import {SortedListLib} from "../libraries/SortedListLib.sol";

// Widths: every round is a uint32 and every amount of LPT or ETH a uint96, so that the fields an
// operation reads together share a slot (the slot plans below).
// - uint32 rounds: 4.29e9 rounds. A round lasts at least one block and, on Arbitrum One,
//   `block.number` is Ethereum's (12 s): 1-block rounds would last 1,600 years (the live round is
//   6,377 blocks). Round counts (the unbonding period) take the same width. BondingVotes keeps rounds
//   in 32 bits too.
// - uint96 amounts: 7.9e28 wei, i.e. 79 billion LPT (2,400 times today's supply of 33 million; the
//   sorted pool's keys are uint96) or 79 billion ETH (660 times all the ETH there is).
// - Percentages (<= 1e6) are uint32, rates (<= 1e27) uint96, cumulative factors (unbounded) uint256.
// The same widths hold in the RoundsManager's clock and the TicketBroker's accounts. Wider on purpose:
// the Minter's two per-round amounts (uint128: they fill their slot, so the round's start writes it
// without reading it), the TicketBroker's periods (uint64, the range their setters accept, alone in
// their slot) and block numbers (uint64). The unbonding lock counter is a uint96, the rest of its slot.
// Every narrowing write goes through SafeCast: a value beyond its width reverts, never wraps.

/// @dev Round `r` of a transcoder: factors cumulative since the transcoder's first reward, and the
/// stake and commission the round was shared with. Those are written once a round is rewarded or
/// paid fees (and the stake when the transcoder leaves the pool) and kept forever, as clients of the
/// live contracts read them from past rounds.
struct EarningsPool {
    uint256 cumulativeRewardFactor;
    uint256 cumulativeFeeFactor;
    uint96 totalStake;
    uint32 transcoderRewardCut;
    uint32 transcoderFeeShare;
}

/// @dev A transcoder's record. Slots: the rounds every earnings operation and claim reads, with the
/// reward cut | its own unclaimed rewards, with the fee share | its unclaimed fees and the stake
/// checkpoint | per-round pools. A reward or a fee payment touches the first three slots only.
struct Transcoder {
    uint32 lastRewardRound;
    uint32 lastFeeRound;
    // The reward round before `lastRewardRound`: fees after a reward use its factor.
    uint32 prevRewardRound;
    uint32 activationRound;
    uint32 deactivationRound;
    uint32 lastActiveStakeUpdateRound;
    // The round whose commission is `roundRewardCut` / `roundFeeShare`: the one it started with,
    // still in force for the rest of it after a change made during it.
    uint32 commissionChangeRound;
    uint32 rewardCut;
    uint96 cumulativeRewards;
    uint96 activeCumulativeRewards;
    uint32 feeShare;
    uint32 roundFeeShare;
    uint96 cumulativeFees;
    // Pool stake for round `lastActiveStakeUpdateRound - 1`, taken before its first change.
    uint96 stakeBeforeUpdate;
    uint32 roundRewardCut;
    mapping(uint256 round => EarningsPool) earningsPoolPerRound;
}

struct UnbondingLock {
    uint96 amount;
    uint32 withdrawRound;
}

/// @dev Slots: delegate + bond (all a registration check reads) | fees, rounds and the lock counter
/// (with the first slot, all a claim or an unbond reads; the counter shares a slot that is never zero
/// once bonded, so a first unbond does not pay for a new slot) | stake delegated to this address |
/// locks.
struct Delegator {
    address delegateAddress;
    uint96 bondedAmount;
    uint96 fees;
    uint32 startRound;
    uint32 lastClaimRound;
    uint96 nextUnbondingLockId;
    uint96 delegatedAmount;
    mapping(uint256 id => UnbondingLock) unbondingLocks;
}

/// @custom:storage-location erc7201:livepeer.storage.BondingManager
/// @dev Slots: the stakes and sizes a round starts with, with the unbonding period (round
/// initialization, bonding and unbonding) | treasury rates | ceiling | pool | records.
struct BondingState {
    uint96 currentRoundTotalActiveStake;
    uint96 nextRoundTotalActiveStake;
    // Members of the active set in the current round, fixed when the round is initialized: the
    // reserve is sliced by it (the live pool shrinks as members resign mid-round).
    uint32 currentRoundActivePoolSize;
    uint32 unbondingPeriod;
    uint96 treasuryRewardCutRate;
    uint96 nextRoundTreasuryRewardCutRate;
    uint256 treasuryBalanceCeiling;
    SortedListLib.List pool;
    mapping(address transcoder => Transcoder) transcoders;
    mapping(address delegator => Delegator) delegators;
    mapping(address transcoder => address) rewardCallers;
}
