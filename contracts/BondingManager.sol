// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ManagerUpgradeable} from "./ManagerUpgradeable.sol";
import {IBondingManager} from "./interfaces/IBondingManager.sol";
import {IMinter} from "./interfaces/IMinter.sol";
import {IRoundsManager} from "./interfaces/IRoundsManager.sol";
import {EarningsPoolLib} from "./libraries/EarningsPoolLib.sol";
import {MathLib} from "./libraries/MathLib.sol";
import {SortedListLib} from "./libraries/SortedListLib.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title BondingManager
/// @notice Delegation, the active transcoder set, inflation rewards and fees (see IBondingManager).
/// @dev Differences in internals from the reference, none visible in the economics:
/// - A pool member's stake for the round in progress is checkpointed in the transcoder record
///   (`stakeBeforeUpdate`) instead of writing next round's earnings pool on every stake change, and
///   per-round pools keep only the cumulative factors: a round's stake and commission are read from
///   the transcoder record while the round lasts (`getTranscoderEarningsPoolForRound` reports them
///   for the current and next round only).
/// - Fees after a reward in the same round use the exact previous reward factor
///   (`prevRewardRound`) instead of the reference's retroactive estimate.
/// - Records are packed (amounts in uint128, rounds in uint48/uint64) to cut storage traffic.
contract BondingManager is IBondingManager, ManagerUpgradeable {
    using EarningsPoolLib for EarningsPoolLib.EarningsPool;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;
    using SortedListLib for SortedListLib.List;

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
        uint64 prevRewardRound;
        // feeShare in force for the rest of `frozenFeeShareRound` after a commission change in it.
        uint32 frozenFeeShare;
        uint32 frozenFeeShareRound;
        mapping(uint256 round => EarningsPoolLib.EarningsPool) earningsPoolPerRound;
    }

    struct UnbondingLock {
        uint128 amount;
        uint64 withdrawRound;
    }

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
    struct BondingManagerStorage {
        uint128 currentRoundTotalActiveStake;
        uint128 nextRoundTotalActiveStake;
        uint96 treasuryRewardCutRate;
        uint96 nextRoundTreasuryRewardCutRate;
        uint64 unbondingPeriod;
        uint256 treasuryBalanceCeiling;
        SortedListLib.List pool;
        mapping(address transcoder => Transcoder) transcoders;
        mapping(address delegator => Delegator) delegators;
        mapping(address transcoder => address) rewardCallers;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.BondingManager")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE = 0xa98c8e44e385dba1a6c818fd593c099eabd6428ca857f74e5c71178734311a00;

    uint64 private constant NEVER = type(uint64).max;

    /// @dev LPT never changes address; holding it saves a registry lookup on every bond and reward.
    IERC20 private immutable _lpt;

    /// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
    constructor(address token) {
        require(token != address(0), ZeroAddress());
        _lpt = IERC20(token);
    }

    /// @notice Wires the proxy to `controller_` and sets the parameters (see the setters).
    function initialize(
        address controller_,
        uint64 unbondingPeriod_,
        uint256 numActiveTranscoders_,
        uint256 treasuryRewardCutRate_,
        uint256 treasuryBalanceCeiling_
    ) external initializer {
        __Manager_init(controller_);
        _setUnbondingPeriod(unbondingPeriod_);
        _setNumActiveTranscoders(numActiveTranscoders_);
        _setNextRoundTreasuryRewardCutRate(treasuryRewardCutRate_);
        _storage().treasuryRewardCutRate = uint96(treasuryRewardCutRate_); // bounded by the setter above
        _setTreasuryBalanceCeiling(treasuryBalanceCeiling_);
    }

    /* TRANSCODERS */

    /// @inheritdoc IBondingManager
    function transcoder(uint256 rewardCut, uint256 feeShare) external {
        transcoderWithHint(rewardCut, feeShare, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function transcoderWithHint(uint256 rewardCut, uint256 feeShare, address newPosPrev, address newPosNext) public {
        uint256 round = _requireRunningRound();
        require(!_roundsManager().currentRoundLocked(), RoundLocked(round));
        require(rewardCut <= MathLib.PERC_DIVISOR, PercentageAboveOne(rewardCut));
        require(feeShare <= MathLib.PERC_DIVISOR, PercentageAboveOne(feeShare));
        require(isRegisteredTranscoder(msg.sender), TranscoderNotRegistered(msg.sender));
        BondingManagerStorage storage $ = _storage();
        Transcoder storage t = $.transcoders[msg.sender];
        require(!_isActive(t, round) || t.lastRewardRound == round, RewardNotCalledThisRound(msg.sender, round));

        if (_isActive(t, round) && t.frozenFeeShareRound != round) {
            // Fees still to come this round are shared with the commission the round started with.
            (t.frozenFeeShare, t.frozenFeeShareRound) = (t.feeShare, uint32(round));
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        (t.rewardCut, t.feeShare) = (uint32(rewardCut), uint32(feeShare)); // both <= 1e6

        if (!$.pool.contains(msg.sender)) {
            _tryToJoinActiveSet(msg.sender, $.delegators[msg.sender].delegatedAmount, round, newPosPrev, newPosNext);
        }
        emit TranscoderUpdate(msg.sender, rewardCut, feeShare);
    }

    /// @inheritdoc IBondingManager
    function reward() external {
        _reward(msg.sender, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function rewardWithHint(address newPosPrev, address newPosNext) external {
        _reward(msg.sender, newPosPrev, newPosNext);
    }

    /// @inheritdoc IBondingManager
    function setRewardCaller(address rewardCaller) external {
        _requireNotPaused();
        _storage().rewardCallers[msg.sender] = rewardCaller;
        emit RewardCallerSet(msg.sender, rewardCaller);
    }

    /// @inheritdoc IBondingManager
    function transcoderToRewardCaller(address transcoder_) external view returns (address) {
        return _storage().rewardCallers[transcoder_];
    }

    /// @inheritdoc IBondingManager
    function rewardForTranscoder(address transcoder_) external {
        rewardForTranscoderWithHint(transcoder_, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function rewardForTranscoderWithHint(address transcoder_, address newPosPrev, address newPosNext) public {
        require(_storage().rewardCallers[transcoder_] == msg.sender, NotRewardCaller(msg.sender, transcoder_));
        _reward(transcoder_, newPosPrev, newPosNext);
    }

    /// @inheritdoc IBondingManager
    function updateTranscoderWithFees(address transcoder_, uint256 fees, uint256) external {
        _requireNotPaused();
        _requireCaller(TICKET_BROKER);
        require(isRegisteredTranscoder(transcoder_), TranscoderNotRegistered(transcoder_));
        uint256 round = _roundsManager().currentRound();
        Transcoder storage t = _storage().transcoders[transcoder_];
        // Fees need an active pool to be shared over: a non-active recipient gets nothing.
        require(_isActive(t, round), TranscoderNotActive(transcoder_));

        EarningsPoolLib.EarningsPool storage pool = t.earningsPoolPerRound[round];
        uint256 totalStake = _activeStake(t, _storage().delegators[transcoder_].delegatedAmount, round);
        uint256 feeShare = t.frozenFeeShareRound == round ? t.frozenFeeShare : t.feeShare;
        uint256 lastRewardRound = t.lastRewardRound;
        // The fees of round r are shared over the stake as it stood before round r's reward.
        uint256 prevCrf;
        uint256 activeCumulativeRewards;
        if (lastRewardRound == round) {
            prevCrf = t.earningsPoolPerRound[t.prevRewardRound].cumulativeRewardFactor;
            activeCumulativeRewards = t.activeCumulativeRewards;
        } else {
            prevCrf = t.earningsPoolPerRound[lastRewardRound].cumulativeRewardFactor;
            // reward() would make cumulativeRewards the active figure for this round.
            activeCumulativeRewards = t.cumulativeRewards;
        }
        uint256 lastFeeRound = t.lastFeeRound;
        uint256 prevCff = lastFeeRound < round ? t.earningsPoolPerRound[lastFeeRound].cumulativeFeeFactor : 0;

        uint256 delegatorsFees = MathLib.percOf(fees, feeShare, MathLib.PERC_DIVISOR);
        uint256 transcoderCommission = fees - delegatorsFees;
        // The transcoder's unclaimed rewards earn fees too; delegators never claim that part.
        uint256 rewardStakeFees = EarningsPoolLib.preciseShare(delegatorsFees, activeCumulativeRewards, totalStake);
        t.cumulativeFees = (t.cumulativeFees + rewardStakeFees + transcoderCommission).toUint128();
        pool.addFees(prevCff, prevCrf, delegatorsFees, totalStake);
        t.lastFeeRound = uint64(round);
    }

    /// @inheritdoc IBondingManager
    function setCurrentRoundTotalActiveStake() external {
        _requireCaller(ROUNDS_MANAGER);
        BondingManagerStorage storage $ = _storage();
        $.currentRoundTotalActiveStake = $.nextRoundTotalActiveStake;
        uint96 nextRate = $.nextRoundTreasuryRewardCutRate;
        if (nextRate != $.treasuryRewardCutRate) {
            $.treasuryRewardCutRate = nextRate;
            emit TreasuryRewardCutRateApplied(nextRate);
        }
    }

    /* DELEGATORS */

    /// @inheritdoc IBondingManager
    function bond(uint256 amount, address to) external {
        bondForWithHint(amount, msg.sender, to, address(0), address(0), address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function bondWithHint(
        uint256 amount,
        address to,
        address oldDelegateNewPosPrev,
        address oldDelegateNewPosNext,
        address currDelegateNewPosPrev,
        address currDelegateNewPosNext
    ) external {
        bondForWithHint(
            amount,
            msg.sender,
            to,
            oldDelegateNewPosPrev,
            oldDelegateNewPosNext,
            currDelegateNewPosPrev,
            currDelegateNewPosNext
        );
    }

    /// @inheritdoc IBondingManager
    function bondForWithHint(
        uint256 amount,
        address owner,
        address to,
        address oldDelegateNewPosPrev,
        address oldDelegateNewPosNext,
        address currDelegateNewPosPrev,
        address currDelegateNewPosNext
    ) public {
        uint256 round = _requireRunningRound();
        require(owner != address(0) && to != address(0), ZeroAddress());
        address oldDelegate = _storage().delegators[owner].delegateAddress;
        if (msg.sender != owner) {
            // A third party adds stake only: no forced self-delegation, no change of delegate.
            bool unbonded = _storage().delegators[owner].bondedAmount == 0;
            require(unbonded ? to != owner : oldDelegate == to, InvalidDelegate(owner, to));
        }
        _claim(owner, round, msg.sender != owner);

        uint256 delegationAmount =
            amount + _leaveOldDelegate(owner, oldDelegate, to, round, oldDelegateNewPosPrev, oldDelegateNewPosNext);
        require(delegationAmount != 0, ZeroDelegationAmount());
        _initPoolFactors(to, round);
        uint256 newBonded =
            _joinDelegate(owner, to, amount, delegationAmount, round, currDelegateNewPosPrev, currDelegateNewPosNext);

        emit Bond(to, oldDelegate, owner, amount, newBonded);
        if (amount != 0) _lpt.safeTransferFrom(msg.sender, address(_minter()), amount);
    }

    /// @inheritdoc IBondingManager
    function unbond(uint256 amount) external {
        unbondWithHint(amount, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function unbondWithHint(uint256 amount, address newPosPrev, address newPosNext) public {
        uint256 round = _requireRunningRound();
        _claim(msg.sender, round, false);
        _unbond(msg.sender, amount, round, newPosPrev, newPosNext);
    }

    /// @inheritdoc IBondingManager
    function rebond(uint256 unbondingLockId) external {
        rebondWithHint(unbondingLockId, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function rebondWithHint(uint256 unbondingLockId, address newPosPrev, address newPosNext) public {
        uint256 round = _requireRunningRound();
        require(_storage().delegators[msg.sender].bondedAmount != 0, DelegatorUnbonded(msg.sender));
        _claim(msg.sender, round, false);
        _rebond(msg.sender, unbondingLockId, round, newPosPrev, newPosNext);
    }

    /// @inheritdoc IBondingManager
    function rebondFromUnbonded(address to, uint256 unbondingLockId) external {
        rebondFromUnbondedWithHint(to, unbondingLockId, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function rebondFromUnbondedWithHint(address to, uint256 unbondingLockId, address newPosPrev, address newPosNext)
        public
    {
        uint256 round = _requireRunningRound();
        require(to != address(0), ZeroAddress());
        Delegator storage del = _storage().delegators[msg.sender];
        require(del.bondedAmount == 0, DelegatorNotUnbonded(msg.sender));
        _claim(msg.sender, round, false);
        del.startRound = uint48(round + 1);
        del.delegateAddress = to;
        // Without this a later claim would start from an empty pool (a past reference bug).
        _initPoolFactors(to, round);
        _rebond(msg.sender, unbondingLockId, round, newPosPrev, newPosNext);
    }

    /// @inheritdoc IBondingManager
    function transferBond(
        address delegator,
        uint256 amount,
        address oldDelegateNewPosPrev,
        address oldDelegateNewPosNext,
        address newDelegateNewPosPrev,
        address newDelegateNewPosNext
    ) external {
        uint256 round = _requireRunningRound();
        require(delegator != address(0), ZeroAddress());
        require(delegator != msg.sender, TransferToSelf());
        address delegate = _storage().delegators[msg.sender].delegateAddress;

        _claim(msg.sender, round, false);
        uint256 oldLockId = _unbond(msg.sender, amount, round, oldDelegateNewPosPrev, oldDelegateNewPosNext);
        uint256 newLockId = _moveLock(msg.sender, oldLockId, delegator);
        emit TransferBond(msg.sender, delegator, oldLockId, newLockId, amount);

        // The receiver's claim is forced by a third party: the griefing guard applies.
        _claim(delegator, round, true);
        Delegator storage newDel = _storage().delegators[delegator];
        if (newDel.bondedAmount == 0) {
            // An unbonded receiver takes the sender's delegate, but is never made to self-delegate.
            require(delegate != delegator, InvalidDelegate(delegator, delegate));
            newDel.delegateAddress = delegate;
            newDel.startRound = uint48(round + 1);
            _initPoolFactors(delegate, round);
        }
        _rebond(delegator, newLockId, round, newDelegateNewPosPrev, newDelegateNewPosNext);
    }

    /// @inheritdoc IBondingManager
    function withdrawStake(uint256 unbondingLockId) external {
        uint256 round = _requireRunningRound();
        Delegator storage del = _storage().delegators[msg.sender];
        UnbondingLock memory lock = del.unbondingLocks[unbondingLockId];
        require(lock.withdrawRound != 0, UnknownUnbondingLock(msg.sender, unbondingLockId));
        require(lock.withdrawRound <= round, UnbondingLockNotWithdrawable(unbondingLockId, lock.withdrawRound, round));
        delete del.unbondingLocks[unbondingLockId];
        emit WithdrawStake(msg.sender, unbondingLockId, lock.amount, lock.withdrawRound);
        _minter().trustedTransferTokens(msg.sender, lock.amount);
    }

    /// @inheritdoc IBondingManager
    function withdrawFees(address payable recipient, uint256 amount) external {
        uint256 round = _requireRunningRound();
        require(recipient != address(0), ZeroAddress());
        _claim(msg.sender, round, false);
        Delegator storage del = _storage().delegators[msg.sender];
        uint256 fees = del.fees;
        require(amount <= fees, InsufficientFees(amount, fees));
        del.fees = uint128(fees - amount);
        emit WithdrawFees(msg.sender, recipient, amount);
        _minter().trustedWithdrawETH(recipient, amount);
    }

    /// @inheritdoc IBondingManager
    function claimEarnings(uint256) external {
        uint256 round = _requireRunningRound();
        _claim(msg.sender, round, false);
    }

    /* PARAMETERS */

    /// @inheritdoc IBondingManager
    function setUnbondingPeriod(uint64 unbondingPeriod_) external {
        _requireControllerOwner();
        _setUnbondingPeriod(unbondingPeriod_);
    }

    /// @inheritdoc IBondingManager
    function setNumActiveTranscoders(uint256 numActiveTranscoders) external {
        _requireControllerOwner();
        _setNumActiveTranscoders(numActiveTranscoders);
    }

    /// @inheritdoc IBondingManager
    function setTreasuryRewardCutRate(uint256 cutRate) external {
        _requireControllerOwner();
        _setNextRoundTreasuryRewardCutRate(cutRate);
    }

    /// @inheritdoc IBondingManager
    function setTreasuryBalanceCeiling(uint256 ceiling) external {
        _requireControllerOwner();
        _setTreasuryBalanceCeiling(ceiling);
    }

    /* VIEWS */

    /// @inheritdoc IBondingManager
    function pendingStake(address delegator, uint256) external view returns (uint256 stake) {
        (stake,) = _pendingStakeAndFees(delegator, _roundsManager().currentRound());
    }

    /// @inheritdoc IBondingManager
    function pendingFees(address delegator, uint256) external view returns (uint256 fees) {
        (, fees) = _pendingStakeAndFees(delegator, _roundsManager().currentRound());
    }

    /// @inheritdoc IBondingManager
    function transcoderTotalStake(address transcoder_) external view returns (uint256) {
        return _storage().delegators[transcoder_].delegatedAmount;
    }

    /// @inheritdoc IBondingManager
    function transcoderStatus(address transcoder_) external view returns (TranscoderStatus) {
        return isRegisteredTranscoder(transcoder_) ? TranscoderStatus.Registered : TranscoderStatus.NotRegistered;
    }

    /// @inheritdoc IBondingManager
    function delegatorStatus(address delegator) public view returns (DelegatorStatus) {
        Delegator storage del = _storage().delegators[delegator];
        if (del.bondedAmount == 0) return DelegatorStatus.Unbonded;
        if (del.startRound > _roundsManager().currentRound()) return DelegatorStatus.Pending;
        return DelegatorStatus.Bonded;
    }

    /// @inheritdoc IBondingManager
    function getTranscoder(address transcoder_)
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
        )
    {
        Transcoder storage t = _storage().transcoders[transcoder_];
        deactivationRound = t.deactivationRound == NEVER ? type(uint256).max : t.deactivationRound;
        return (
            t.lastRewardRound,
            t.rewardCut,
            t.feeShare,
            t.lastActiveStakeUpdateRound,
            t.activationRound,
            deactivationRound,
            t.activeCumulativeRewards,
            t.cumulativeRewards,
            t.cumulativeFees,
            t.lastFeeRound
        );
    }

    /// @inheritdoc IBondingManager
    function getTranscoderEarningsPoolForRound(address transcoder_, uint256 round)
        external
        view
        returns (
            uint256 totalStake,
            uint256 transcoderRewardCut,
            uint256 transcoderFeeShare,
            uint256 cumulativeRewardFactor,
            uint256 cumulativeFeeFactor
        )
    {
        BondingManagerStorage storage $ = _storage();
        Transcoder storage t = $.transcoders[transcoder_];
        EarningsPoolLib.EarningsPool storage pool = t.earningsPoolPerRound[round];
        uint256 current = _roundsManager().currentRound();
        if ((round == current || round == current + 1) && _isActive(t, round)) {
            totalStake = _activeStake(t, $.delegators[transcoder_].delegatedAmount, round);
            transcoderRewardCut = t.rewardCut;
            transcoderFeeShare = t.frozenFeeShareRound == round ? t.frozenFeeShare : t.feeShare;
        }
        return
            (totalStake, transcoderRewardCut, transcoderFeeShare, pool.cumulativeRewardFactor, pool.cumulativeFeeFactor);
    }

    /// @inheritdoc IBondingManager
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
        )
    {
        Delegator storage del = _storage().delegators[delegator];
        return (
            del.bondedAmount,
            del.fees,
            del.delegateAddress,
            del.delegatedAmount,
            del.startRound,
            del.lastClaimRound,
            del.nextUnbondingLockId
        );
    }

    /// @inheritdoc IBondingManager
    function getDelegatorUnbondingLock(address delegator, uint256 unbondingLockId)
        external
        view
        returns (uint256 amount, uint256 withdrawRound)
    {
        UnbondingLock storage lock = _storage().delegators[delegator].unbondingLocks[unbondingLockId];
        return (lock.amount, lock.withdrawRound);
    }

    /// @inheritdoc IBondingManager
    function getTranscoderPoolMaxSize() external view returns (uint256) {
        return _storage().pool.maxSize;
    }

    /// @inheritdoc IBondingManager
    function getTranscoderPoolSize() external view returns (uint256) {
        return _storage().pool.size;
    }

    /// @inheritdoc IBondingManager
    function getFirstTranscoderInPool() external view returns (address) {
        return _storage().pool.head;
    }

    /// @inheritdoc IBondingManager
    function getNextTranscoderInPool(address transcoder_) external view returns (address) {
        return _storage().pool.nextOf(transcoder_);
    }

    /// @inheritdoc IBondingManager
    function getTotalBonded() external view returns (uint256) {
        return _storage().currentRoundTotalActiveStake;
    }

    /// @inheritdoc IBondingManager
    function isActiveTranscoder(address transcoder_) external view returns (bool) {
        return _isActive(_storage().transcoders[transcoder_], _roundsManager().currentRound());
    }

    /// @inheritdoc IBondingManager
    function isRegisteredTranscoder(address transcoder_) public view returns (bool) {
        Delegator storage del = _storage().delegators[transcoder_];
        return del.delegateAddress == transcoder_ && del.bondedAmount != 0;
    }

    /// @inheritdoc IBondingManager
    function isValidUnbondingLock(address delegator, uint256 unbondingLockId) external view returns (bool) {
        return _storage().delegators[delegator].unbondingLocks[unbondingLockId].withdrawRound != 0;
    }

    /// @inheritdoc IBondingManager
    function unbondingPeriod() external view returns (uint64) {
        return _storage().unbondingPeriod;
    }

    /// @inheritdoc IBondingManager
    function currentRoundTotalActiveStake() external view returns (uint256) {
        return _storage().currentRoundTotalActiveStake;
    }

    /// @inheritdoc IBondingManager
    function nextRoundTotalActiveStake() external view returns (uint256) {
        return _storage().nextRoundTotalActiveStake;
    }

    /// @inheritdoc IBondingManager
    function treasuryRewardCutRate() external view returns (uint256) {
        return _storage().treasuryRewardCutRate;
    }

    /// @inheritdoc IBondingManager
    function nextRoundTreasuryRewardCutRate() external view returns (uint256) {
        return _storage().nextRoundTreasuryRewardCutRate;
    }

    /// @inheritdoc IBondingManager
    function treasuryBalanceCeiling() external view returns (uint256) {
        return _storage().treasuryBalanceCeiling;
    }

    /* INTERNAL: REWARDS */

    function _reward(address transcoder_, address newPosPrev, address newPosNext) internal {
        uint256 round = _requireRunningRound();
        Transcoder storage t = _storage().transcoders[transcoder_];
        require(_isActive(t, round), TranscoderNotActive(transcoder_));
        require(t.lastRewardRound != round, AlreadyRewarded(transcoder_, round));

        uint256 stake = _activeStake(t, _storage().delegators[transcoder_].delegatedAmount, round);
        uint256 rewards = _mintRewards(transcoder_, stake);
        _shareRewards(t, stake, rewards, round);
        _increaseTotalStake(transcoder_, rewards, round, newPosPrev, newPosNext);
        emit Reward(transcoder_, rewards);
    }

    /// @dev Mints the pro-rata share of `stake` and pays the treasury its cut. Returns the rest.
    function _mintRewards(address transcoder_, uint256 stake) internal returns (uint256 rewards) {
        BondingManagerStorage storage $ = _storage();
        IMinter minter = _minter();
        rewards = minter.createReward(stake, $.currentRoundTotalActiveStake);
        uint256 treasuryRewards = MathLib.percOf(rewards, $.treasuryRewardCutRate, MathLib.PRECISE_DIVISOR);
        if (treasuryRewards == 0) return rewards;

        address treasury = _contract(TREASURY);
        // The cut is paid this round; once the ceiling is reached it stops from the next round.
        if ($.nextRoundTreasuryRewardCutRate != 0 && _lpt.balanceOf(treasury) >= $.treasuryBalanceCeiling) {
            _setNextRoundTreasuryRewardCutRate(0);
        }
        emit TreasuryReward(transcoder_, treasury, treasuryRewards);
        minter.trustedTransferTokens(treasury, treasuryRewards);
        return rewards - treasuryRewards;
    }

    /// @dev Commission to the transcoder, the rest over the pool through the reward factor.
    function _shareRewards(Transcoder storage t, uint256 totalStake, uint256 rewards, uint256 round) internal {
        uint256 activeCumulativeRewards = t.cumulativeRewards;
        uint256 commission = MathLib.percOf(rewards, t.rewardCut, MathLib.PERC_DIVISOR);
        uint256 delegatorsRewards = rewards - commission;
        // The transcoder's unclaimed rewards are stake too; delegators never claim that part.
        uint256 rewardStakeRewards =
            EarningsPoolLib.preciseShare(delegatorsRewards, activeCumulativeRewards, totalStake);
        t.activeCumulativeRewards = uint128(activeCumulativeRewards);
        t.cumulativeRewards = (activeCumulativeRewards + rewardStakeRewards + commission).toUint128();
        uint256 lastRewardRound = t.lastRewardRound;
        t.earningsPoolPerRound[round].addRewards(
            t.earningsPoolPerRound[lastRewardRound].cumulativeRewardFactor, delegatorsRewards, totalStake
        );
        t.prevRewardRound = uint64(lastRewardRound);
        t.lastRewardRound = uint64(round);
    }

    /* INTERNAL: EARNINGS */

    /// @dev Compounds `delegator`'s rewards and fees up to `round` (O(1)). `byThirdParty` enables the
    /// griefing guard: a claim forced before the delegate's reward would forfeit this round's reward.
    function _claim(address delegator, uint256 round, bool byThirdParty) internal {
        BondingManagerStorage storage $ = _storage();
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
                require(!_isActive(t, round) || t.lastRewardRound == round, ClaimBeforeReward(delegator, delegate));
            }
            (stake, newFees) = _pendingStakeAndFees(delegator, round);
            // Later claims start from this round's factors: make sure they are set.
            _initPoolFactors(delegate, round);
            if (delegate == delegator) (t.cumulativeRewards, t.cumulativeFees) = (0, 0);
        }

        emit EarningsClaimed(delegate, delegator, stake - bonded, newFees - fees, lastClaimRound + 1, round);
        del.lastClaimRound = uint48(round);
        (del.bondedAmount, del.fees) = (stake.toUint128(), newFees.toUint128());
    }

    function _foldTranscoderEarnings(Delegator storage del, Transcoder storage t, address transcoder_, uint256 round)
        internal
    {
        (uint256 rewards, uint256 fees) = (t.cumulativeRewards, t.cumulativeFees);
        if (rewards == 0 && fees == 0) return;
        (t.cumulativeRewards, t.cumulativeFees) = (0, 0);
        (del.bondedAmount, del.fees) = ((del.bondedAmount + rewards).toUint128(), (del.fees + fees).toUint128());
        emit EarningsClaimed(transcoder_, transcoder_, rewards, fees, round, round);
    }

    function _pendingStakeAndFees(address delegator, uint256 round)
        internal
        view
        returns (uint256 stake, uint256 fees)
    {
        BondingManagerStorage storage $ = _storage();
        Delegator storage del = $.delegators[delegator];
        (stake, fees) = (del.bondedAmount, del.fees);
        address delegate = del.delegateAddress;
        Transcoder storage t = $.transcoders[delegate];
        uint256 lastClaimRound = del.lastClaimRound;

        if (lastClaimRound < round) {
            EarningsPoolLib.EarningsPool storage start = t.earningsPoolPerRound[lastClaimRound];
            (uint256 endCrf, uint256 endCff) = _latestFactors(t, round);
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
    function _latestFactors(Transcoder storage t, uint256 round) internal view returns (uint256 crf, uint256 cff) {
        EarningsPoolLib.EarningsPool storage pool = t.earningsPoolPerRound[round];
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
    /// whose earnings start at `round` never reads an empty pool.
    function _initPoolFactors(address delegate, uint256 round) internal {
        Transcoder storage t = _storage().transcoders[delegate];
        EarningsPoolLib.EarningsPool storage pool = t.earningsPoolPerRound[round];
        (uint256 crf, uint256 cff) = _latestFactors(t, round);
        if (pool.cumulativeRewardFactor == 0 && crf != 0) pool.cumulativeRewardFactor = crf;
        if (pool.cumulativeFeeFactor == 0 && cff != 0) pool.cumulativeFeeFactor = cff;
    }

    /* INTERNAL: BONDS */

    /// @dev A new bond, or a bond moving to another delegate, starts next round; a moving bond leaves
    /// its old delegate's stake. Returns the stake that moves.
    function _leaveOldDelegate(
        address owner,
        address oldDelegate,
        address to,
        uint256 round,
        address prev,
        address next
    ) internal returns (uint256 moved) {
        Delegator storage del = _storage().delegators[owner];
        uint256 bonded = del.bondedAmount;
        if (bonded != 0 && oldDelegate == to) return 0;
        del.startRound = uint48(round + 1);
        if (bonded == 0) return 0;
        require(!isRegisteredTranscoder(owner), TranscoderCannotDelegate(owner));
        _decreaseTotalStake(oldDelegate, bonded, round, prev, next);
        return bonded;
    }

    function _joinDelegate(
        address owner,
        address to,
        uint256 amount,
        uint256 delegationAmount,
        uint256 round,
        address prev,
        address next
    ) internal returns (uint256 newBonded) {
        Delegator storage del = _storage().delegators[owner];
        del.delegateAddress = to;
        newBonded = del.bondedAmount + amount;
        del.bondedAmount = newBonded.toUint128();
        _increaseTotalStake(to, delegationAmount, round, prev, next);
    }

    /// @return lockId The unbonding lock created.
    function _unbond(address delegator, uint256 amount, uint256 round, address newPosPrev, address newPosNext)
        internal
        returns (uint256 lockId)
    {
        BondingManagerStorage storage $ = _storage();
        Delegator storage del = $.delegators[delegator];
        uint256 bonded = del.bondedAmount;
        require(bonded != 0 && del.startRound <= round, DelegatorNotBonded(delegator));
        require(amount != 0, ZeroAmount());
        require(amount <= bonded, UnbondExceedsBonded(amount, bonded));

        address delegate = del.delegateAddress;
        uint256 withdrawRound = round + $.unbondingPeriod;
        lockId = del.nextUnbondingLockId;
        del.unbondingLocks[lockId] = UnbondingLock(uint128(amount), uint64(withdrawRound));
        del.nextUnbondingLockId = uint128(lockId + 1);
        del.bondedAmount = uint128(bonded - amount);

        if (bonded == amount) {
            del.delegateAddress = address(0);
            del.startRound = 0;
            if ($.pool.contains(delegator)) _resign(delegator, round);
        }
        _decreaseTotalStake(delegate, amount, round, newPosPrev, newPosNext);
        emit Unbond(delegate, delegator, lockId, amount, withdrawRound);
    }

    /// @return newLockId The receiver's lock now holding what was `from`'s lock `lockId`.
    function _moveLock(address from, uint256 lockId, address to) internal returns (uint256 newLockId) {
        BondingManagerStorage storage $ = _storage();
        Delegator storage oldDel = $.delegators[from];
        Delegator storage newDel = $.delegators[to];
        newLockId = newDel.nextUnbondingLockId;
        newDel.unbondingLocks[newLockId] = oldDel.unbondingLocks[lockId];
        newDel.nextUnbondingLockId = uint128(newLockId + 1);
        delete oldDel.unbondingLocks[lockId];
    }

    function _rebond(address delegator, uint256 lockId, uint256 round, address newPosPrev, address newPosNext)
        internal
    {
        Delegator storage del = _storage().delegators[delegator];
        uint256 amount = del.unbondingLocks[lockId].amount;
        require(del.unbondingLocks[lockId].withdrawRound != 0, UnknownUnbondingLock(delegator, lockId));
        delete del.unbondingLocks[lockId];
        del.bondedAmount = (del.bondedAmount + amount).toUint128();
        address delegate = del.delegateAddress;
        _increaseTotalStake(delegate, amount, round, newPosPrev, newPosNext);
        emit Rebond(delegate, delegator, lockId, amount);
    }

    /* INTERNAL: ACTIVE SET */

    function _increaseTotalStake(address delegate, uint256 amount, uint256 round, address prev, address next) internal {
        BondingManagerStorage storage $ = _storage();
        Delegator storage d = $.delegators[delegate];
        uint256 stake = d.delegatedAmount;
        uint256 newStake = stake + amount;
        // Pool members are registered by construction (a full self-unbond resigns first).
        if ($.pool.contains(delegate)) {
            _checkpointStake($.transcoders[delegate], stake, round);
            $.pool.updateKey(delegate, newStake.toUint96(), prev, next);
            $.nextRoundTotalActiveStake = ($.nextRoundTotalActiveStake + amount).toUint128();
        } else if (isRegisteredTranscoder(delegate)) {
            _tryToJoinActiveSet(delegate, newStake, round, prev, next);
        }
        d.delegatedAmount = newStake.toUint128();
    }

    function _decreaseTotalStake(address delegate, uint256 amount, uint256 round, address prev, address next) internal {
        BondingManagerStorage storage $ = _storage();
        Delegator storage d = $.delegators[delegate];
        uint256 stake = d.delegatedAmount;
        uint256 newStake = stake - amount;
        if ($.pool.contains(delegate)) {
            _checkpointStake($.transcoders[delegate], stake, round);
            $.pool.updateKey(delegate, uint96(newStake), prev, next);
            $.nextRoundTotalActiveStake = uint128($.nextRoundTotalActiveStake - amount);
        }
        d.delegatedAmount = uint128(newStake);
    }

    /// @dev Joins the pool from the next round if there is room or `stake` beats the tail (evicted).
    function _tryToJoinActiveSet(address transcoder_, uint256 stake, uint256 round, address prev, address next)
        internal
    {
        BondingManagerStorage storage $ = _storage();
        uint256 nextTotal = $.nextRoundTotalActiveStake;
        uint256 activationRound = round + 1;
        if ($.pool.isFull()) {
            address tail = $.pool.tail;
            uint256 tailStake = $.delegators[tail].delegatedAmount;
            if (stake <= tailStake) return;
            _leavePool(tail, tailStake, round);
            nextTotal -= tailStake;
        }
        Transcoder storage t = $.transcoders[transcoder_];
        _checkpointStake(t, $.delegators[transcoder_].delegatedAmount, round);
        $.pool.insert(transcoder_, stake.toUint96(), prev, next);
        (t.activationRound, t.deactivationRound) = (uint64(activationRound), NEVER);
        $.nextRoundTotalActiveStake = (nextTotal + stake).toUint128();
        emit TranscoderActivated(transcoder_, activationRound);
    }

    function _resign(address transcoder_, uint256 round) internal {
        BondingManagerStorage storage $ = _storage();
        uint256 stake = $.delegators[transcoder_].delegatedAmount;
        _leavePool(transcoder_, stake, round);
        $.nextRoundTotalActiveStake = uint128($.nextRoundTotalActiveStake - stake);
    }

    /// @dev Leaves the pool at the end of this round; the round's stake stays frozen for its reward.
    function _leavePool(address transcoder_, uint256 stake, uint256 round) internal {
        BondingManagerStorage storage $ = _storage();
        Transcoder storage t = $.transcoders[transcoder_];
        _checkpointStake(t, stake, round);
        $.pool.remove(transcoder_);
        t.deactivationRound = uint64(round + 1);
        emit TranscoderDeactivated(transcoder_, round + 1);
    }

    /// @dev Before a pool member's first stake change in `round`, remember the stake the round started with.
    function _checkpointStake(Transcoder storage t, uint256 stake, uint256 round) internal {
        if (t.lastActiveStakeUpdateRound <= round) {
            t.stakeBeforeUpdate = uint128(stake);
            t.lastActiveStakeUpdateRound = uint64(round + 1);
        }
    }

    /// @dev Stake `t` is active with in `round` (the current or the next one).
    function _activeStake(Transcoder storage t, uint256 delegatedAmount, uint256 round)
        internal
        view
        returns (uint256)
    {
        return t.lastActiveStakeUpdateRound > round ? t.stakeBeforeUpdate : delegatedAmount;
    }

    function _isActive(Transcoder storage t, uint256 round) internal view returns (bool) {
        return t.activationRound <= round && round < t.deactivationRound;
    }

    /* INTERNAL: PARAMETERS */

    function _setUnbondingPeriod(uint64 period) internal {
        require(period != 0, ZeroUnbondingPeriod());
        _storage().unbondingPeriod = period;
        emit UnbondingPeriodSet(period);
    }

    function _setNumActiveTranscoders(uint256 num) internal {
        SortedListLib.List storage pool = _storage().pool;
        require(num >= pool.size && num <= type(uint32).max, ActiveSetBelowSize(num, pool.size));
        pool.setMaxSize(num);
        emit NumActiveTranscodersSet(num);
    }

    function _setNextRoundTreasuryRewardCutRate(uint256 rate) internal {
        require(rate <= MathLib.PRECISE_DIVISOR, PercentageAboveOne(rate));
        _storage().nextRoundTreasuryRewardCutRate = uint96(rate);
        emit NextRoundTreasuryRewardCutRateSet(rate);
    }

    function _setTreasuryBalanceCeiling(uint256 ceiling) internal {
        _storage().treasuryBalanceCeiling = ceiling;
        emit TreasuryBalanceCeilingSet(ceiling);
    }

    /* INTERNAL: PEERS */

    /// @dev Common preamble: not paused, round initialized. Returns the current round.
    function _requireRunningRound() internal view returns (uint256 round) {
        _requireNotPaused();
        IRoundsManager rm = _roundsManager();
        round = rm.currentRound();
        require(rm.lastInitializedRound() == round, RoundNotInitialized(round));
    }

    function _roundsManager() internal view returns (IRoundsManager) {
        return IRoundsManager(_contract(ROUNDS_MANAGER));
    }

    function _minter() internal view returns (IMinter) {
        return IMinter(_contract(MINTER));
    }

    function _storage() private pure returns (BondingManagerStorage storage $) {
        assembly {
            $.slot := STORAGE
        }
    }
}
