// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ManagerUpgradeable} from "./ManagerUpgradeable.sol";
import {ActiveSetLib} from "./bonding/ActiveSetLib.sol";
import {BondingState, Delegator, EarningsPool, Transcoder, UnbondingLock} from "./bonding/BondingTypes.sol";
import {EarningsClaimLib} from "./bonding/EarningsClaimLib.sol";
import {EarningsPoolLib} from "./bonding/EarningsPoolLib.sol";
import {IBondingManager} from "./interfaces/IBondingManager.sol";
import {IBondingVotes} from "./interfaces/IBondingVotes.sol";
import {IMinter} from "./interfaces/IMinter.sol";
import {IRoundsManager} from "./interfaces/IRoundsManager.sol";
import {MathLib} from "./libraries/MathLib.sol";
import {SortedListLib} from "./libraries/SortedListLib.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title BondingManager
/// @notice Delegation, the active transcoder set, inflation rewards and fees (see IBondingManager).
/// @dev Differences in internals from the reference, none visible in the economics or the views:
/// - A pool member's stake for the round in progress is checkpointed in the transcoder record
///   (`stakeBeforeUpdate`) instead of writing next round's earnings pool on every stake change. A
///   round's pool stores its stake and commission once the round is rewarded or paid fees (kept
///   forever, as in the reference); the stake at `lastActiveStakeUpdateRound` is the member's stake
///   while it is in the pool, stored only when it leaves. `getTranscoderEarningsPoolForRound` returns
///   what the reference would have stored for those rounds.
/// - Fees after a reward in the same round use the exact previous reward factor
///   (`prevRewardRound`) instead of the reference's retroactive estimate.
/// - Records are packed (amounts in uint96, rounds in uint32; see BondingTypes) to cut storage traffic.
contract BondingManager is IBondingManager, ManagerUpgradeable {
    using ActiveSetLib for BondingState;
    using ActiveSetLib for Transcoder;
    using EarningsClaimLib for BondingState;
    using EarningsPoolLib for Transcoder;
    using SafeCast for uint256;
    using SafeERC20 for IERC20;
    using SortedListLib for SortedListLib.List;

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.BondingManager")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE = 0xa98c8e44e385dba1a6c818fd593c099eabd6428ca857f74e5c71178734311a00;

    /// @dev LPT never changes address; holding it saves a registry lookup on every bond and reward.
    IERC20 private immutable _lpt;
    /// @dev BondingVotes sits behind its own proxy, so its address is as fixed as the token's.
    IBondingVotes private immutable _votes;
    /// @dev So does the RoundsManager: holding it saves a registry lookup on every operation (each one
    /// checks the round). Registering another RoundsManager takes an upgrade of this contract.
    IRoundsManager private immutable _rounds;
    /// @dev The Minter, which holds the protocol's LPT and ETH: holding it saves a registry lookup on
    /// every bond, reward and withdrawal. Migrating to another Minter takes an upgrade of this contract.
    IMinter private immutable _custodian;

    /// @custom:oz-upgrades-unsafe-allow constructor state-variable-immutable
    constructor(address token, address votes, address rounds, address minter_) {
        require(
            token != address(0) && votes != address(0) && rounds != address(0) && minter_ != address(0), ZeroAddress()
        );
        (_lpt, _votes, _rounds, _custodian) =
        (IERC20(token), IBondingVotes(votes), IRoundsManager(rounds), IMinter(minter_));
    }

    /// @notice The BondingVotes every change of bonding state is reported to.
    function bondingVotes() external view returns (address) {
        return address(_votes);
    }

    /// @notice The RoundsManager whose rounds this contract follows.
    function roundsManager() external view returns (address) {
        return address(_rounds);
    }

    /// @notice The Minter that holds this contract's LPT and ETH and mints its rewards.
    function minter() external view returns (address) {
        return address(_custodian);
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
        _storage().treasuryRewardCutRate = treasuryRewardCutRate_.toUint96();
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
        BondingState storage $ = _storage();
        Transcoder storage t = $.transcoders[msg.sender];
        require(!t.isActive(round) || t.lastRewardRound == round, RewardNotCalledThisRound(msg.sender, round));

        if (t.isActive(round) && t.commissionChangeRound != round) {
            // Fees still to come this round are shared with the commission the round started with.
            (t.roundRewardCut, t.roundFeeShare, t.commissionChangeRound) = (t.rewardCut, t.feeShare, round.toUint32());
        }
        // forge-lint: disable-next-line(unsafe-typecast)
        (t.rewardCut, t.feeShare) = (uint32(rewardCut), uint32(feeShare)); // both <= 1e6

        if (!$.pool.contains(msg.sender)) {
            // Joining changes the total active stake.
            _report(IBondingVotes.Phase.Before, round, msg.sender, address(0), address(0));
            _storage().tryToJoin(msg.sender, $.delegators[msg.sender].delegatedAmount, round, newPosPrev, newPosNext);
            _report(IBondingVotes.Phase.After, round, msg.sender, address(0), address(0));
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
        // Pool members are registered; only an evicted member needs the full check.
        require(
            _storage().pool.contains(transcoder_) || isRegisteredTranscoder(transcoder_),
            TranscoderNotRegistered(transcoder_)
        );
        uint256 round = _currentRound();
        Transcoder storage t = _storage().transcoders[transcoder_];
        // Fees need an active pool to be shared over: a non-active recipient gets nothing.
        require(t.isActive(round), TranscoderNotActive(transcoder_));
        t.shareFees(fees, t.activeStake(_storage().delegators[transcoder_].delegatedAmount, round), round);
    }

    /// @inheritdoc IBondingManager
    function setCurrentRoundTotalActiveStake() external {
        require(msg.sender == address(_rounds), UnauthorizedCaller(msg.sender, ROUNDS_MANAGER));
        BondingState storage $ = _storage();
        ($.currentRoundTotalActiveStake, $.currentRoundActivePoolSize) = ($.nextRoundTotalActiveStake, $.pool.size);
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
        _report(IBondingVotes.Phase.Before, round, owner, oldDelegate, to);
        _storage().claim(owner, round, msg.sender != owner);

        uint256 delegationAmount =
            amount + _leaveOldDelegate(owner, oldDelegate, to, round, oldDelegateNewPosPrev, oldDelegateNewPosNext);
        require(delegationAmount != 0, ZeroDelegationAmount());
        _storage().initPoolFactors(to, round);
        uint256 newBonded =
            _joinDelegate(owner, to, amount, delegationAmount, round, currDelegateNewPosPrev, currDelegateNewPosNext);

        emit Bond(to, oldDelegate, owner, amount, newBonded);
        _report(IBondingVotes.Phase.After, round, owner, oldDelegate, to);
        if (amount != 0) _lpt.safeTransferFrom(msg.sender, address(_minter()), amount);
    }

    /// @inheritdoc IBondingManager
    function unbond(uint256 amount) external {
        unbondWithHint(amount, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function unbondWithHint(uint256 amount, address newPosPrev, address newPosNext) public {
        uint256 round = _requireRunningRound();
        Delegator storage del = _storage().delegators[msg.sender];
        (uint256 bondedBefore, bool claimedThisRound) = (del.bondedAmount, del.lastClaimRound >= round);
        address delegate = del.delegateAddress;
        _report(IBondingVotes.Phase.Before, round, msg.sender, delegate, address(0));
        _storage().claim(msg.sender, round, false);
        // Commission folded on full unbond: a transcoder that already claimed this round and unbonds
        // its whole bond also unbonds the commission the claim just folded in, so it resigns.
        if (claimedThisRound && amount == bondedBefore) amount = del.bondedAmount;
        _unbond(msg.sender, amount, round, newPosPrev, newPosNext);
        _report(IBondingVotes.Phase.After, round, msg.sender, delegate, address(0));
    }

    /// @inheritdoc IBondingManager
    function rebond(uint256 unbondingLockId) external {
        rebondWithHint(unbondingLockId, address(0), address(0));
    }

    /// @inheritdoc IBondingManager
    function rebondWithHint(uint256 unbondingLockId, address newPosPrev, address newPosNext) public {
        uint256 round = _requireRunningRound();
        require(_storage().delegators[msg.sender].bondedAmount != 0, DelegatorUnbonded(msg.sender));
        address delegate = _storage().delegators[msg.sender].delegateAddress;
        _report(IBondingVotes.Phase.Before, round, msg.sender, delegate, address(0));
        _storage().claim(msg.sender, round, false);
        _rebond(msg.sender, unbondingLockId, round, newPosPrev, newPosNext);
        _report(IBondingVotes.Phase.After, round, msg.sender, delegate, address(0));
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
        _report(IBondingVotes.Phase.Before, round, msg.sender, to, address(0));
        _storage().claim(msg.sender, round, false);
        del.startRound = (round + 1).toUint32();
        del.delegateAddress = to;
        // Without this a later claim would start from an empty pool (a past reference bug).
        _storage().initPoolFactors(to, round);
        _rebond(msg.sender, unbondingLockId, round, newPosPrev, newPosNext);
        _report(IBondingVotes.Phase.After, round, msg.sender, to, address(0));
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
        _report(IBondingVotes.Phase.Before, round, msg.sender, delegate, delegator);
        // A bonded receiver's stake goes to its own delegate.
        _report(IBondingVotes.Phase.Before, round, _storage().delegators[delegator].delegateAddress, delegate, delegate);

        _storage().claim(msg.sender, round, false);
        uint256 oldLockId = _unbond(msg.sender, amount, round, oldDelegateNewPosPrev, oldDelegateNewPosNext);
        uint256 newLockId = _moveLock(msg.sender, oldLockId, delegator);
        emit TransferBond(msg.sender, delegator, oldLockId, newLockId, amount);

        // The receiver's claim is forced by a third party: the griefing guard applies.
        _storage().claim(delegator, round, true);
        Delegator storage newDel = _storage().delegators[delegator];
        if (newDel.bondedAmount == 0) {
            // An unbonded receiver takes the sender's delegate, but is never made to self-delegate.
            require(delegate != delegator, InvalidDelegate(delegator, delegate));
            newDel.delegateAddress = delegate;
            newDel.startRound = (round + 1).toUint32();
            _storage().initPoolFactors(delegate, round);
        }
        _rebond(delegator, newLockId, round, newDelegateNewPosPrev, newDelegateNewPosNext);
        _report(IBondingVotes.Phase.After, round, msg.sender, delegate, delegator);
        _report(IBondingVotes.Phase.After, round, _storage().delegators[delegator].delegateAddress, delegate, delegate);
    }

    /// @inheritdoc IBondingManager
    function withdrawStake(uint256 unbondingLockId) external {
        uint256 round = _requireRunningRound();
        Delegator storage del = _storage().delegators[msg.sender];
        UnbondingLock memory lock = del.unbondingLocks[unbondingLockId];
        require(lock.withdrawRound != 0, UnknownUnbondingLock(msg.sender, unbondingLockId));
        require(lock.withdrawRound <= round, UnbondingLockNotWithdrawable(unbondingLockId, lock.withdrawRound, round));
        _clearLock(del.unbondingLocks[unbondingLockId]);
        emit WithdrawStake(msg.sender, unbondingLockId, lock.amount, lock.withdrawRound);
        _payOut(msg.sender, lock.amount);
    }

    /// @inheritdoc IBondingManager
    function withdrawFees(address payable recipient, uint256 amount) external {
        uint256 round = _requireRunningRound();
        require(recipient != address(0), ZeroAddress());
        _report(IBondingVotes.Phase.Before, round, msg.sender, address(0), address(0));
        _storage().claim(msg.sender, round, false);
        _report(IBondingVotes.Phase.After, round, msg.sender, address(0), address(0));
        Delegator storage del = _storage().delegators[msg.sender];
        uint256 fees = del.fees;
        require(amount <= fees, InsufficientFees(amount, fees));
        del.fees = (fees - amount).toUint96();
        emit WithdrawFees(msg.sender, recipient, amount);
        _minter().trustedWithdrawETH(recipient, amount);
    }

    /// @inheritdoc IBondingManager
    function claimEarnings(uint256) external {
        uint256 round = _requireRunningRound();
        _report(IBondingVotes.Phase.Before, round, msg.sender, address(0), address(0));
        _storage().claim(msg.sender, round, false);
        _report(IBondingVotes.Phase.After, round, msg.sender, address(0), address(0));
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
        // slither-disable-next-line unused-return (only the stake is asked for)
        (stake,) = _storage().pendingStakeAndFees(delegator, _currentRound());
    }

    /// @inheritdoc IBondingManager
    function pendingFees(address delegator, uint256) external view returns (uint256 fees) {
        // slither-disable-next-line unused-return (only the fees are asked for)
        (, fees) = _storage().pendingStakeAndFees(delegator, _currentRound());
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
        if (del.startRound > _currentRound()) return DelegatorStatus.Pending;
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
        deactivationRound = t.deactivationRound == ActiveSetLib.NEVER ? type(uint256).max : t.deactivationRound;
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
        BondingState storage $ = _storage();
        Transcoder storage t = $.transcoders[transcoder_];
        EarningsPool storage pool = t.earningsPoolPerRound[round];
        (totalStake, transcoderRewardCut, transcoderFeeShare) =
        (pool.totalStake, pool.transcoderRewardCut, pool.transcoderFeeShare);
        uint256 updateRound = t.lastActiveStakeUpdateRound;
        if (round == updateRound && $.pool.contains(transcoder_)) {
            // The reference writes a member's stake to this pool on every change.
            totalStake = $.delegators[transcoder_].delegatedAmount;
        } else if (totalStake == 0 && updateRound == round + 1 && t.isActive(round)) {
            // A change during `round` first copies the stake `round` started with into its pool.
            totalStake = t.stakeBeforeUpdate;
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
        return _storage().transcoders[transcoder_].isActive(_currentRound());
    }

    /// @inheritdoc IBondingManager
    function isRegisteredTranscoder(address transcoder_) public view returns (bool) {
        return _storage().isRegistered(transcoder_);
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
    function currentRoundActivePoolSize() external view returns (uint256) {
        return _storage().currentRoundActivePoolSize;
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
        require(t.isActive(round), TranscoderNotActive(transcoder_));
        require(t.lastRewardRound != round, AlreadyRewarded(transcoder_, round));

        BondingState storage $ = _storage();
        uint256 stake = t.activeStake($.delegators[transcoder_].delegatedAmount, round);
        _report(IBondingVotes.Phase.Before, round, transcoder_, address(0), address(0));
        uint256 minted = _minter().createReward(stake, $.currentRoundTotalActiveStake);
        uint256 rewards = minted - _payTreasuryCut(transcoder_, minted);
        t.shareRewards(rewards, stake, round);
        $.increaseTotalStake(transcoder_, rewards, round, newPosPrev, newPosNext);
        emit Reward(transcoder_, rewards);
        _report(IBondingVotes.Phase.After, round, transcoder_, address(0), address(0));
    }

    /// @dev Pays the Treasury its cut of `minted` (minted for `transcoder_`) and returns it. The cut is
    /// paid this round; once the Treasury holds the ceiling the rate drops to 0 from the next.
    function _payTreasuryCut(address transcoder_, uint256 minted) internal returns (uint256 cut) {
        BondingState storage $ = _storage();
        cut = EarningsPoolLib.treasuryCut(minted, $.treasuryRewardCutRate);
        if (cut == 0) return 0;

        address treasury = _contract(TREASURY);
        if ($.nextRoundTreasuryRewardCutRate != 0 && _lpt.balanceOf(treasury) >= $.treasuryBalanceCeiling) {
            _setNextRoundTreasuryRewardCutRate(0);
        }
        emit TreasuryReward(transcoder_, treasury, cut);
        _payOut(treasury, cut);
    }

    /// @dev Pays `amount` of the LPT in the Minter's custody to `to`: moved directly under the allowance
    /// the Minter grants this contract (~7k cheaper than a call into the Minter), or through the Minter
    /// while it has not granted one (the Minter grants it on that payout).
    function _payOut(address to, uint256 amount) internal {
        IMinter custodian = _custodian;
        // slither-disable-next-line arbitrary-send-erc20 (from is the Minter, an immutable set at deployment, never the caller's choice)
        try _lpt.transferFrom(address(custodian), to, amount) returns (bool paid) {
            if (paid) return;
        } catch {}
        custodian.trustedTransferTokens(to, amount);
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
        del.startRound = (round + 1).toUint32();
        if (bonded == 0) return 0;
        require(!isRegisteredTranscoder(owner), TranscoderCannotDelegate(owner));
        _storage().decreaseTotalStake(oldDelegate, bonded, round, prev, next);
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
        del.bondedAmount = newBonded.toUint96();
        _storage().increaseTotalStake(to, delegationAmount, round, prev, next);
    }

    /// @return lockId The unbonding lock created.
    function _unbond(address delegator, uint256 amount, uint256 round, address newPosPrev, address newPosNext)
        internal
        returns (uint256 lockId)
    {
        BondingState storage $ = _storage();
        Delegator storage del = $.delegators[delegator];
        uint256 bonded = del.bondedAmount;
        require(bonded != 0 && del.startRound <= round, DelegatorNotBonded(delegator));
        require(amount != 0, ZeroAmount());
        require(amount <= bonded, UnbondExceedsBonded(amount, bonded));

        address delegate = del.delegateAddress;
        uint256 withdrawRound = round + $.unbondingPeriod;
        lockId = del.nextUnbondingLockId;
        del.unbondingLocks[lockId] = UnbondingLock(amount.toUint96(), withdrawRound.toUint32());
        del.nextUnbondingLockId = (lockId + 1).toUint96();
        del.bondedAmount = (bonded - amount).toUint96();

        if (bonded == amount) {
            del.delegateAddress = address(0);
            del.startRound = 0;
            if ($.pool.contains(delegator)) _storage().resign(delegator, round);
        }
        _storage().decreaseTotalStake(delegate, amount, round, newPosPrev, newPosNext);
        emit Unbond(delegate, delegator, lockId, amount, withdrawRound);
    }

    /// @return newLockId The receiver's lock now holding what was `from`'s lock `lockId`.
    function _moveLock(address from, uint256 lockId, address to) internal returns (uint256 newLockId) {
        BondingState storage $ = _storage();
        Delegator storage oldDel = $.delegators[from];
        Delegator storage newDel = $.delegators[to];
        newLockId = newDel.nextUnbondingLockId;
        newDel.unbondingLocks[newLockId] = oldDel.unbondingLocks[lockId];
        newDel.nextUnbondingLockId = (newLockId + 1).toUint96();
        _clearLock(oldDel.unbondingLocks[lockId]);
    }

    function _rebond(address delegator, uint256 lockId, uint256 round, address newPosPrev, address newPosNext)
        internal
    {
        Delegator storage del = _storage().delegators[delegator];
        uint256 amount = del.unbondingLocks[lockId].amount;
        require(del.unbondingLocks[lockId].withdrawRound != 0, UnknownUnbondingLock(delegator, lockId));
        _clearLock(del.unbondingLocks[lockId]);
        del.bondedAmount = (del.bondedAmount + amount).toUint96();
        address delegate = del.delegateAddress;
        _storage().increaseTotalStake(delegate, amount, round, newPosPrev, newPosNext);
        emit Rebond(delegate, delegator, lockId, amount);
    }

    /// @dev Clears the lock's whole slot at once (`delete` would read it again to keep its unused bits).
    function _clearLock(UnbondingLock storage lock) private {
        assembly ("memory-safe") {
            sstore(lock.slot, 0)
        }
    }

    /* INTERNAL: VOTES */

    /// @dev Reports the records of `a`, `b` and `c` (zero and repeated addresses skipped) to
    /// BondingVotes: `Before` an operation changes any of them, `After` it is done.
    function _report(IBondingVotes.Phase phase, uint256 round, address a, address b, address c) internal {
        _reportOne(phase, round, a);
        if (b != a) _reportOne(phase, round, b);
        if (c != a && c != b) _reportOne(phase, round, c);
    }

    function _reportOne(IBondingVotes.Phase phase, uint256 round, address account) private {
        if (account == address(0)) return;
        BondingState storage $ = _storage();
        Delegator storage d = $.delegators[account];
        (uint256 bonded, address delegate, uint256 lastClaimRound) =
            (d.bondedAmount, d.delegateAddress, d.lastClaimRound);
        uint256 total = $.nextRoundTotalActiveStake;
        // Only a self-delegated account's stake and reward round are votes (not read for the others).
        uint256 delegated;
        uint256 lastRewardRound;
        if (delegate == account) {
            (delegated, lastRewardRound) = (d.delegatedAmount, $.transcoders[account].lastRewardRound);
        }
        address votes = address(_votes);
        bytes4 selector = IBondingVotes.checkpointBondingState.selector;
        // Encoded by hand: the typed call does not fit under EIP-170 next to everything else.
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, selector)
            mstore(add(p, 0x04), phase)
            mstore(add(p, 0x24), round)
            mstore(add(p, 0x44), account)
            mstore(add(p, 0x64), bonded)
            mstore(add(p, 0x84), delegate)
            mstore(add(p, 0xa4), delegated)
            mstore(add(p, 0xc4), lastClaimRound)
            mstore(add(p, 0xe4), lastRewardRound)
            mstore(add(p, 0x104), total)
            if iszero(call(gas(), votes, 0, p, 0x124, 0, 0)) {
                returndatacopy(p, 0, returndatasize())
                revert(p, returndatasize())
            }
        }
    }

    /* INTERNAL: PARAMETERS */

    function _setUnbondingPeriod(uint64 period) internal {
        require(period != 0, ZeroUnbondingPeriod());
        _storage().unbondingPeriod = uint256(period).toUint32();
        emit UnbondingPeriodSet(period);
    }

    function _setNumActiveTranscoders(uint256 num) internal {
        SortedListLib.List storage pool = _storage().pool;
        require(num <= type(uint32).max, ActiveSetTooLarge(num));
        require(num >= pool.size, ActiveSetBelowSize(num, pool.size));
        pool.setMaxSize(num);
        emit NumActiveTranscodersSet(num);
    }

    function _setNextRoundTreasuryRewardCutRate(uint256 rate) internal {
        require(rate <= MathLib.PRECISE_DIVISOR, PercentageAboveOne(rate));
        _storage().nextRoundTreasuryRewardCutRate = rate.toUint96();
        emit NextRoundTreasuryRewardCutRateSet(rate);
    }

    function _setTreasuryBalanceCeiling(uint256 ceiling) internal {
        _storage().treasuryBalanceCeiling = ceiling;
        emit TreasuryBalanceCeilingSet(ceiling);
    }

    /* INTERNAL: PEERS */

    function _roundsManager() internal view override returns (IRoundsManager) {
        return _rounds;
    }

    function _minter() internal view override returns (IMinter) {
        return _custodian;
    }

    function _currentRound() internal view returns (uint256) {
        return _rounds.currentRound();
    }

    /// @dev Common preamble: not paused, round initialized. Returns the current round.
    function _requireRunningRound() internal view returns (uint256 round) {
        _requireNotPaused();
        IRoundsManager rm = _roundsManager();
        round = _currentRound();
        require(rm.lastInitializedRound() == round, RoundNotInitialized(round));
    }

    function _storage() private pure returns (BondingState storage $) {
        assembly {
            $.slot := STORAGE
        }
    }
}
