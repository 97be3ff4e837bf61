// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title IBondingManager
/// @notice Bonding and delegation, transcoder registration, the sorted active set, inflation
/// rewards and fee sharing with O(1) (LIP-36 cumulative factor) earnings, and unbonding locks.
/// @dev Percentages: rewardCut and feeShare use 1e6 = 100%; treasuryRewardCutRate uses 1e27 = 100%.
/// Hints: `*NewPosPrev` / `*NewPosNext` name the neighbours of a transcoder's new position in the
/// pool (descending by stake). Correct hints make the update O(1); wrong, stale or zero hints still
/// give the right list, only at the cost of a walk.
interface IBondingManager {
    enum TranscoderStatus {
        NotRegistered,
        Registered
    }

    enum DelegatorStatus {
        Pending,
        Bonded,
        Unbonded
    }

    /* EVENTS (signatures as on the live network) */

    event TranscoderUpdate(address indexed transcoder, uint256 rewardCut, uint256 feeShare);
    event TranscoderActivated(address indexed transcoder, uint256 activationRound);
    event TranscoderDeactivated(address indexed transcoder, uint256 deactivationRound);
    event Reward(address indexed transcoder, uint256 amount);
    event TreasuryReward(address indexed transcoder, address treasury, uint256 amount);
    event Bond(
        address indexed newDelegate,
        address indexed oldDelegate,
        address indexed delegator,
        uint256 additionalAmount,
        uint256 bondedAmount
    );
    event Unbond(
        address indexed delegate,
        address indexed delegator,
        uint256 unbondingLockId,
        uint256 amount,
        uint256 withdrawRound
    );
    event Rebond(address indexed delegate, address indexed delegator, uint256 unbondingLockId, uint256 amount);
    event TransferBond(
        address indexed oldDelegator,
        address indexed newDelegator,
        uint256 oldUnbondingLockId,
        uint256 newUnbondingLockId,
        uint256 amount
    );
    event WithdrawStake(address indexed delegator, uint256 unbondingLockId, uint256 amount, uint256 withdrawRound);
    event WithdrawFees(address indexed delegator, address recipient, uint256 amount);
    event EarningsClaimed(
        address indexed delegate,
        address indexed delegator,
        uint256 rewards,
        uint256 fees,
        uint256 startRound,
        uint256 endRound
    );
    event RewardCallerSet(address indexed transcoder, address indexed rewardCaller);

    /* EVENTS (parameters; ours) */

    event UnbondingPeriodSet(uint256 unbondingPeriod);
    event NumActiveTranscodersSet(uint256 numActiveTranscoders);
    event NextRoundTreasuryRewardCutRateSet(uint256 rate);
    event TreasuryRewardCutRateApplied(uint256 rate);
    event TreasuryBalanceCeilingSet(uint256 ceiling);

    /* ERRORS */

    /// @notice The current round has not been initialized yet.
    error RoundNotInitialized(uint256 round);
    /// @notice Commission changes are closed during the round's lock window.
    error RoundLocked(uint256 round);
    /// @notice A percentage above 100% was given (1e6 scale for commissions, 1e27 for the treasury rate).
    error PercentageAboveOne(uint256 value);
    /// @notice A zero amount was given where a positive one is required.
    error ZeroAmount();
    /// @notice The bond would delegate nothing: no new tokens and no existing bond to move.
    error ZeroDelegationAmount();
    /// @notice `amount` exceeds the `bonded` amount of the caller.
    error UnbondExceedsBonded(uint256 amount, uint256 bonded);
    /// @notice The caller needs a bond that has started (Bonded state).
    error DelegatorNotBonded(address delegator);
    /// @notice The caller needs some bonded stake (Pending or Bonded).
    error DelegatorUnbonded(address delegator);
    /// @notice The caller must have no bonded stake (Unbonded state).
    error DelegatorNotUnbonded(address delegator);
    /// @notice `delegator` has no unbonding lock `lockId` (never created, rebonded or withdrawn).
    error UnknownUnbondingLock(address delegator, uint256 lockId);
    /// @notice The lock only becomes withdrawable at `withdrawRound`.
    error UnbondingLockNotWithdrawable(uint256 lockId, uint256 withdrawRound, uint256 currentRound);
    /// @notice `transcoder` is not registered (self-bonded with stake).
    error TranscoderNotRegistered(address transcoder);
    /// @notice `transcoder` is not in the active set this round.
    error TranscoderNotActive(address transcoder);
    /// @notice An active transcoder changes its commission only after calling reward this round.
    error RewardNotCalledThisRound(address transcoder, uint256 round);
    /// @notice `transcoder` already called reward in `round`.
    error AlreadyRewarded(address transcoder, uint256 round);
    /// @notice A registered transcoder's stake is delegated to itself and nowhere else.
    error TranscoderCannotDelegate(address transcoder);
    /// @notice A third party may not self-delegate someone, nor change someone's delegate.
    error InvalidDelegate(address delegator, address delegate);
    /// @notice A third party may not force `delegator`'s claim before `transcoder` calls reward this round.
    error ClaimBeforeReward(address delegator, address transcoder);
    /// @notice `caller` is not the reward caller `transcoder` authorized.
    error NotRewardCaller(address caller, address transcoder);
    /// @notice Withdrawing `amount` exceeds the caller's `available` fees.
    error InsufficientFees(uint256 amount, uint256 available);
    /// @notice The active set cannot shrink below its current `size`.
    error ActiveSetBelowSize(uint256 numActiveTranscoders, uint256 size);
    /// @notice The active set size must fit in 32 bits.
    error ActiveSetTooLarge(uint256 numActiveTranscoders);
    /// @notice The unbonding period must be at least one round.
    error ZeroUnbondingPeriod();
    /// @notice A bond cannot be transferred to its own owner.
    error TransferToSelf();

    /* TRANSCODERS */

    /// @notice Sets the caller's commission (rewardCut, feeShare in 1e6) and tries to join the active
    /// set next round. Not in the lock window; an active transcoder must have called reward this round.
    function transcoder(uint256 rewardCut, uint256 feeShare) external;

    /// @notice `transcoder` with hints for the caller's position in the pool.
    function transcoderWithHint(uint256 rewardCut, uint256 feeShare, address newPosPrev, address newPosNext) external;

    /// @notice Mints the caller's share of this round's inflation (once per round, active only).
    function reward() external;

    /// @notice `reward` with hints for the caller's new position.
    function rewardWithHint(address newPosPrev, address newPosNext) external;

    /// @notice Authorizes `rewardCaller` to call reward for the caller (LIP-118); zero unsets.
    function setRewardCaller(address rewardCaller) external;

    /// @notice Reward caller authorized by each transcoder.
    function transcoderToRewardCaller(address transcoder) external view returns (address);

    /// @notice `reward` on behalf of `transcoder`, by its authorized reward caller. Rewards go to the transcoder.
    function rewardForTranscoder(address transcoder) external;

    /// @notice `rewardForTranscoder` with hints.
    function rewardForTranscoderWithHint(address transcoder, address newPosPrev, address newPosNext) external;

    /// @notice Credits `fees` wei of winning tickets to `transcoder` in the current round. TicketBroker only.
    /// @dev The `round` argument is kept for the live signature; fees always go to the current round.
    function updateTranscoderWithFees(address transcoder, uint256 fees, uint256 round) external;

    /// @notice Fixes this round's total active stake and treasury rate. RoundsManager only.
    function setCurrentRoundTotalActiveStake() external;

    /* DELEGATORS */

    /// @notice Bonds `amount` more LPT (pulled from the caller) and delegates the whole bond to `to`.
    function bond(uint256 amount, address to) external;

    /// @notice `bond` with hints for the old and the new delegate's positions.
    function bondWithHint(
        uint256 amount,
        address to,
        address oldDelegateNewPosPrev,
        address oldDelegateNewPosNext,
        address currDelegateNewPosPrev,
        address currDelegateNewPosNext
    ) external;

    /// @notice Bonds `amount` LPT from the caller on behalf of `owner` toward `to`. A third party
    /// cannot self-delegate `owner`, change its existing delegate, or force its claim before its
    /// active transcoder called reward this round.
    function bondForWithHint(
        uint256 amount,
        address owner,
        address to,
        address oldDelegateNewPosPrev,
        address oldDelegateNewPosNext,
        address currDelegateNewPosPrev,
        address currDelegateNewPosNext
    ) external;

    /// @notice Moves `amount` of the caller's bond into a new unbonding lock (withdrawable after
    /// the unbonding period). A transcoder that unbonds everything resigns.
    function unbond(uint256 amount) external;

    /// @notice `unbond` with hints for the delegate's new position.
    function unbondWithHint(uint256 amount, address newPosPrev, address newPosNext) external;

    /// @notice Returns the tokens of unbonding lock `unbondingLockId` to the caller's current delegate.
    function rebond(uint256 unbondingLockId) external;

    /// @notice `rebond` with hints.
    function rebondWithHint(uint256 unbondingLockId, address newPosPrev, address newPosNext) external;

    /// @notice For an unbonded caller: rebonds lock `unbondingLockId` toward `to`.
    function rebondFromUnbonded(address to, uint256 unbondingLockId) external;

    /// @notice `rebondFromUnbonded` with hints.
    function rebondFromUnbondedWithHint(address to, uint256 unbondingLockId, address newPosPrev, address newPosNext)
        external;

    /// @notice Moves `amount` of the caller's bond to `delegator` (who keeps or takes the caller's delegate).
    function transferBond(
        address delegator,
        uint256 amount,
        address oldDelegateNewPosPrev,
        address oldDelegateNewPosNext,
        address newDelegateNewPosPrev,
        address newDelegateNewPosNext
    ) external;

    /// @notice Sends the LPT of a matured unbonding lock to the caller.
    function withdrawStake(uint256 unbondingLockId) external;

    /// @notice Sends `amount` wei of the caller's fees to `recipient`.
    function withdrawFees(address payable recipient, uint256 amount) external;

    /// @notice Claims the caller's rewards and fees up to the current round (the argument is ignored,
    /// as on the live network). Costs the same whatever the number of unclaimed rounds.
    function claimEarnings(uint256 endRound) external;

    /* PARAMETERS (protocol owner) */

    function setUnbondingPeriod(uint64 unbondingPeriod) external;

    function setNumActiveTranscoders(uint256 numActiveTranscoders) external;

    /// @notice Sets the treasury's share of rewards (1e27 = 100%) from the next round on.
    function setTreasuryRewardCutRate(uint256 cutRate) external;

    /// @notice The treasury cut stops (from the next round) once the Treasury holds `ceiling` LPT.
    function setTreasuryBalanceCeiling(uint256 ceiling) external;

    /* VIEWS */

    /// @notice Bonded stake of `delegator` including unclaimed rewards, up to the current round.
    function pendingStake(address delegator, uint256 endRound) external view returns (uint256);

    /// @notice Fees of `delegator` including unclaimed fees, up to the current round.
    function pendingFees(address delegator, uint256 endRound) external view returns (uint256);

    function transcoderTotalStake(address transcoder) external view returns (uint256);

    function transcoderStatus(address transcoder) external view returns (TranscoderStatus);

    function delegatorStatus(address delegator) external view returns (DelegatorStatus);

    function getTranscoder(address transcoder)
        external
        view
        returns (
            uint256 lastRewardRound,
            uint256 rewardCut,
            uint256 feeShare,
            uint256 lastActiveStakeUpdateRound,
            uint256 activationRound,
            uint256 deactivationRound,
            uint256 activeCumulativeRewards,
            uint256 cumulativeRewards,
            uint256 cumulativeFees,
            uint256 lastFeeRound
        );

    function getTranscoderEarningsPoolForRound(address transcoder, uint256 round)
        external
        view
        returns (
            uint256 totalStake,
            uint256 transcoderRewardCut,
            uint256 transcoderFeeShare,
            uint256 cumulativeRewardFactor,
            uint256 cumulativeFeeFactor
        );

    function getDelegator(address delegator)
        external
        view
        returns (
            uint256 bondedAmount,
            uint256 fees,
            address delegateAddress,
            uint256 delegatedAmount,
            uint256 startRound,
            uint256 lastClaimRound,
            uint256 nextUnbondingLockId
        );

    function getDelegatorUnbondingLock(address delegator, uint256 unbondingLockId)
        external
        view
        returns (uint256 amount, uint256 withdrawRound);

    function getTranscoderPoolMaxSize() external view returns (uint256);

    function getTranscoderPoolSize() external view returns (uint256);

    function getFirstTranscoderInPool() external view returns (address);

    function getNextTranscoderInPool(address transcoder) external view returns (address);

    /// @notice Total active stake of the current round.
    function getTotalBonded() external view returns (uint256);

    function isActiveTranscoder(address transcoder) external view returns (bool);

    function isRegisteredTranscoder(address transcoder) external view returns (bool);

    function isValidUnbondingLock(address delegator, uint256 unbondingLockId) external view returns (bool);

    function unbondingPeriod() external view returns (uint64);

    function currentRoundTotalActiveStake() external view returns (uint256);

    function nextRoundTotalActiveStake() external view returns (uint256);

    /// @notice Number of transcoders active in the current round, fixed when the round was initialized.
    /// @dev Ours (not on the live network): the TicketBroker slices reserves by it.
    function currentRoundActivePoolSize() external view returns (uint256);

    function treasuryRewardCutRate() external view returns (uint256);

    function nextRoundTreasuryRewardCutRate() external view returns (uint256);

    function treasuryBalanceCeiling() external view returns (uint256);
}
