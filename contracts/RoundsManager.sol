// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ManagerUpgradeable} from "./ManagerUpgradeable.sol";
import {IRoundsManager} from "./interfaces/IRoundsManager.sol";
import {MathLib} from "./libraries/MathLib.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title RoundsManager
/// @notice Block-based rounds; `initializeRound` is permissionless and may skip rounds.
contract RoundsManager is IRoundsManager, ManagerUpgradeable {
    using SafeCast for uint256;

    /// @dev The whole round clock in one slot: `currentRound()` and `initializeRound()` read it once.
    /// Rounds are uint32 as everywhere in the protocol (contracts/bonding/BondingTypes.sol).
    struct Clock {
        uint40 roundLength;
        uint24 roundLockAmount;
        uint64 lastRoundLengthUpdateStartBlock;
        uint32 lastRoundLengthUpdateRound;
        uint32 lastInitializedRound;
    }

    /// @custom:storage-location erc7201:livepeer.storage.RoundsManager
    struct RoundsManagerStorage {
        Clock clock;
        mapping(uint256 round => bytes32) blockHashForRound;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.RoundsManager")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE = 0x57c71e9c8469e418d5a2ff197e42e8a2337f17ad5f377d2eda058f475256ae00;

    /// @notice Wires the proxy to `controller_` and starts the clock: the round containing this block
    /// is `block.number / roundLength_`, as on the live network.
    function initialize(address controller_, uint256 roundLength_, uint256 roundLockAmount_) external initializer {
        __Manager_init(controller_);
        _setRoundLength(roundLength_);
        _setRoundLockAmount(roundLockAmount_);
    }

    /* ROUNDS */

    /// @inheritdoc IRoundsManager
    // slither-disable-next-line reentrancy-no-eth (calls the Controller-registered BondingManager and Minter)
    function initializeRound() external {
        _requireNotPaused();
        RoundsManagerStorage storage $ = _storage();
        Clock memory clock = $.clock;
        uint256 round = _currentRound(clock);
        require(clock.lastInitializedRound < round, RoundAlreadyInitialized(round));

        bytes32 hash = blockhash(block.number - 1);
        $.clock.lastInitializedRound = round.toUint32();
        $.blockHashForRound[round] = hash;

        // Active stake first: the Minter's inflation step reads it.
        _bondingManager().setCurrentRoundTotalActiveStake();
        _minter().setCurrentRewardTokens();

        emit NewRound(round, hash);
    }

    /* PARAMETERS */

    /// @inheritdoc IRoundsManager
    function setRoundLength(uint256 roundLength_) external {
        _requireControllerOwner();
        _setRoundLength(roundLength_);
    }

    /// @inheritdoc IRoundsManager
    function setRoundLockAmount(uint256 roundLockAmount_) external {
        _requireControllerOwner();
        _setRoundLockAmount(roundLockAmount_);
    }

    /* VIEWS */

    /// @inheritdoc IRoundsManager
    function blockNum() external view returns (uint256) {
        return block.number;
    }

    /// @inheritdoc IRoundsManager
    function blockHash(uint256 blockNumber) external view returns (bytes32) {
        require(blockNumber < block.number && block.number - blockNumber <= 256, BlockHashUnavailable(blockNumber));
        return blockhash(blockNumber);
    }

    /// @inheritdoc IRoundsManager
    function blockHashForRound(uint256 round) external view returns (bytes32) {
        return _storage().blockHashForRound[round];
    }

    /// @inheritdoc IRoundsManager
    function currentRound() external view returns (uint256) {
        return _currentRound(_storage().clock);
    }

    /// @inheritdoc IRoundsManager
    function currentRoundStartBlock() external view returns (uint256) {
        return _currentRoundStartBlock(_storage().clock);
    }

    /// @inheritdoc IRoundsManager
    function currentRoundInitialized() external view returns (bool) {
        Clock memory clock = _storage().clock;
        // slither-disable-next-line incorrect-equality (round numbers, not balances: nobody can push one)
        return clock.lastInitializedRound == _currentRound(clock);
    }

    /// @inheritdoc IRoundsManager
    function currentRoundLocked() external view returns (bool) {
        Clock memory clock = _storage().clock;
        uint256 lockBlocks = MathLib.percOf(clock.roundLength, clock.roundLockAmount, MathLib.PERC_DIVISOR);
        return block.number - _currentRoundStartBlock(clock) >= clock.roundLength - lockBlocks;
    }

    /// @inheritdoc IRoundsManager
    function roundLength() external view returns (uint256) {
        return _storage().clock.roundLength;
    }

    /// @inheritdoc IRoundsManager
    function roundLockAmount() external view returns (uint256) {
        return _storage().clock.roundLockAmount;
    }

    /// @inheritdoc IRoundsManager
    function lastInitializedRound() external view returns (uint256) {
        return _storage().clock.lastInitializedRound;
    }

    /// @inheritdoc IRoundsManager
    function lastRoundLengthUpdateRound() external view returns (uint256) {
        return _storage().clock.lastRoundLengthUpdateRound;
    }

    /// @inheritdoc IRoundsManager
    function lastRoundLengthUpdateStartBlock() external view returns (uint256) {
        return _storage().clock.lastRoundLengthUpdateStartBlock;
    }

    /* INTERNAL */

    function _currentRound(Clock memory clock) internal view returns (uint256) {
        return
            clock.lastRoundLengthUpdateRound + (block.number - clock.lastRoundLengthUpdateStartBlock)
                / clock.roundLength;
    }

    function _currentRoundStartBlock(Clock memory clock) internal view returns (uint256) {
        return clock.lastRoundLengthUpdateStartBlock + (_currentRound(clock) - clock.lastRoundLengthUpdateRound)
            * clock.roundLength;
    }

    /// @dev The new length applies from the start of the current round, so the round in progress is
    /// measured with it (as in the reference). The first call anchors the clock at genesis.
    function _setRoundLength(uint256 length) internal {
        require(length != 0 && length <= type(uint40).max, InvalidRoundLength(length));
        Clock storage clock = _storage().clock;
        if (clock.roundLength == 0) {
            uint256 round = block.number / length;
            clock.lastRoundLengthUpdateRound = round.toUint32();
            // slither-disable-next-line divide-before-multiply (intended: the start block of the round)
            clock.lastRoundLengthUpdateStartBlock = (round * length).toUint64();
        } else {
            Clock memory current = clock;
            uint256 round = _currentRound(current);
            clock.lastRoundLengthUpdateStartBlock = _currentRoundStartBlock(current).toUint64();
            clock.lastRoundLengthUpdateRound = round.toUint32();
        }
        clock.roundLength = length.toUint40();
        emit RoundLengthSet(clock.lastRoundLengthUpdateRound, length);
    }

    function _setRoundLockAmount(uint256 amount) internal {
        require(amount <= MathLib.PERC_DIVISOR, InvalidRoundLockAmount(amount));
        _storage().clock.roundLockAmount = amount.toUint24();
        emit RoundLockAmountSet(amount);
    }

    function _storage() private pure returns (RoundsManagerStorage storage $) {
        assembly {
            $.slot := STORAGE
        }
    }
}
