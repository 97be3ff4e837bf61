// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ManagerUpgradeable} from "../ManagerUpgradeable.sol";
import {EarningsPoolLib} from "../bonding/EarningsPoolLib.sol";
import {IBondingManager} from "../interfaces/IBondingManager.sol";
import {IBondingVotes} from "../interfaces/IBondingVotes.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title BondingVotes
/// @notice Stake as voting power, by round (see IBondingVotes).
/// @dev Copy-on-write history. The BondingManager's records are the state from each account's
/// `liveSince` round on; before its first change in a later round, the BondingManager reports the
/// record it is about to change and it is kept as a past entry (one slot). So a round in which an
/// account does not change costs nothing, and a lookup is a binary search over the account's past
/// entries or a read of the live record. The next round's total active stake is kept the same way.
contract BondingVotes is IBondingVotes, ManagerUpgradeable {
    using SafeCast for uint256;

    /// @dev An account's state at the start of a round. For a registered transcoder `amount` is its
    /// delegated stake and `round` its last reward round; for anyone else they are its bond and its
    /// last claim round.
    struct State {
        uint256 amount;
        uint256 round;
        bool registered;
    }

    /// @dev Every history entry is one word whose low 32 bits are the round it starts at:
    /// - past state: start (32) | round (32) | registered (8) | amount (128, from bit 128);
    /// - past delegate (written only when it changes): since (32) | delegate (160, from bit 64);
    /// - past total: start (32) | stake (from bit 32).
    struct Account {
        uint32 count;
        // The BondingManager's live record applies from this round on; 0: never bonded.
        uint32 liveSince;
        uint32 delegateCount;
        // Delegate of the newest past entry.
        address lastDelegate;
        mapping(uint256 index => uint256) past;
        mapping(uint256 index => uint256) delegates;
    }

    /// @custom:storage-location erc7201:livepeer.storage.BondingVotes
    struct VotesState {
        // The BondingManager as last read from the Controller (re-read when another address calls).
        address bondingManager;
        uint32 totalCount;
        uint32 totalLiveSince;
        mapping(uint256 index => uint256) totals;
        mapping(address account => Account) accounts;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.BondingVotes")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE = 0xa7742b6c242c4771c4008d81f4d9261a7ca79386386c2ea41aa946c6c6377400;
    // Transient: the record of an account as the current operation found it (events compare with it).
    bytes32 private constant T_BEFORE = keccak256("livepeer.transient.BondingVotes.before");
    bytes32 private constant T_TOTAL = keccak256("livepeer.transient.BondingVotes.total");
    uint256 private constant SET = 1 << 255;

    /// @notice Wires the proxy to `controller_`.
    function initialize(address controller_) external initializer {
        __Manager_init(controller_);
    }

    /* METADATA */

    /// @inheritdoc IBondingVotes
    function name() external pure returns (string memory) {
        return "Livepeer Voting Power";
    }

    /// @inheritdoc IBondingVotes
    function symbol() external pure returns (string memory) {
        return "vLPT";
    }

    /// @inheritdoc IBondingVotes
    function decimals() external pure returns (uint8) {
        return 18;
    }

    /// @inheritdoc IBondingVotes
    function clock() public view returns (uint48) {
        return _roundsManager().currentRound().toUint48();
    }

    /// @inheritdoc IBondingVotes
    // forge-lint: disable-next-line(mixed-case-function)
    function CLOCK_MODE() external pure returns (string memory) {
        return "mode=livepeer_round";
    }

    /* VOTES */

    /// @inheritdoc IBondingVotes
    function getVotes(address account) external view returns (uint256 votes) {
        (votes,) = getVotesAndDelegateAtRoundStart(account, uint256(clock()) + 1);
    }

    /// @inheritdoc IBondingVotes
    function getPastVotes(address account, uint256 round) external view returns (uint256 votes) {
        (votes,) = getVotesAndDelegateAtRoundStart(account, _finished(round) + 1);
    }

    /// @inheritdoc IBondingVotes
    function totalSupply() external view returns (uint256) {
        return getTotalActiveStakeAt(uint256(clock()) + 1);
    }

    /// @inheritdoc IBondingVotes
    function getPastTotalSupply(uint256 round) external view returns (uint256) {
        return getTotalActiveStakeAt(_finished(round) + 1);
    }

    /// @inheritdoc IBondingVotes
    function delegates(address account) external view returns (address delegateAddress) {
        (, delegateAddress) = getVotesAndDelegateAtRoundStart(account, uint256(clock()) + 1);
    }

    /// @inheritdoc IBondingVotes
    function delegatedAt(address account, uint256 round) external view returns (address delegateAddress) {
        (, delegateAddress) = getVotesAndDelegateAtRoundStart(account, _finished(round) + 1);
    }

    /// @inheritdoc IBondingVotes
    function delegate(address) external pure {
        revert MustCallBondingManager("bond");
    }

    /// @inheritdoc IBondingVotes
    function delegateBySig(address, uint256, uint256, uint8, bytes32, bytes32) external pure {
        revert MustCallBondingManager("bondFor");
    }

    /// @inheritdoc IBondingVotes
    function hasCheckpoint(address account) external view returns (bool) {
        return _storage().accounts[account].liveSince != 0;
    }

    /// @inheritdoc IBondingVotes
    function getTotalActiveStakeAt(uint256 round) public view returns (uint256) {
        _notAfterNextRound(round);
        VotesState storage $ = _storage();
        uint256 liveSince = $.totalLiveSince;
        if (liveSince != 0 && round >= liveSince) return _bm().nextRoundTotalActiveStake();
        (bool found, uint256 word) = _search($.totals, $.totalCount, round);
        return found ? word >> 32 : 0;
    }

    /// @inheritdoc IBondingVotes
    function getVotesAndDelegateAtRoundStart(address account, uint256 round)
        public
        view
        returns (uint256 votes, address delegateAddress)
    {
        _notAfterNextRound(round);
        State memory state;
        (state, delegateAddress) = _stateAt(account, round);
        if (state.amount == 0 || state.registered) return (state.amount, delegateAddress);

        // A delegator: its bond grown by its delegate's rewards since its last claim, if the delegate
        // is a registered transcoder at that round (else nothing).
        (State memory transcoder,) = _stateAt(delegateAddress, round);
        if (!transcoder.registered) return (0, delegateAddress);
        if (transcoder.round < state.round) return (state.amount, delegateAddress);
        uint256 startFactor = _rewardFactor(delegateAddress, state.round);
        uint256 endFactor = _rewardFactor(delegateAddress, transcoder.round);
        votes = EarningsPoolLib.preciseShare(state.amount, endFactor, startFactor);
    }

    /* HOOK */

    /// @inheritdoc IBondingVotes
    function checkpointBondingState(
        Phase phase,
        uint256 round,
        address account,
        Bonding calldata bonding,
        uint256 nextRoundTotalActiveStake
    ) external {
        VotesState storage $ = _storage();
        address bm = $.bondingManager;
        if (msg.sender != bm) {
            bm = _contract(BONDING_MANAGER);
            require(msg.sender == bm, InvalidCaller(msg.sender, bm));
            $.bondingManager = bm;
        }
        uint256 nextRound = round + 1;
        if (phase == Phase.Before) {
            _before(account, bonding, nextRound);
            if (_tload(T_TOTAL) == 0) _tstore(T_TOTAL, SET | nextRoundTotalActiveStake);
        } else {
            _after(account, bonding);
            _afterTotal(nextRoundTotalActiveStake, nextRound);
        }
    }

    /* INTERNAL: WRITES */

    /// @dev Keeps the record in force since `liveSince` as a past entry before its first change in
    /// this round, and remembers the record for this transaction's events.
    function _before(address account, Bonding calldata bonding, uint256 nextRound) internal {
        bytes32 key = _beforeKey(account);
        if (_tload(key) == 0) _remember(key, bonding);

        Account storage acc = _storage().accounts[account];
        uint256 liveSince = acc.liveSince;
        if (liveSince == nextRound) return;
        if (liveSince != 0) {
            uint256 count = acc.count;
            bool registered = _isRegistered(account, bonding.delegateAddress, bonding.bondedAmount);
            uint256 amount = registered ? bonding.delegatedAmount : bonding.bondedAmount;
            uint256 stateRound = registered ? bonding.lastRewardRound : bonding.lastClaimRound;
            acc.past[count] = liveSince | (uint256(stateRound.toUint32()) << 32) | (registered ? 1 << 64 : 0)
                | (uint256(amount.toUint128()) << 128);
            // forge-lint: disable-next-line(unsafe-typecast) (at most one entry per round, and rounds fit in 32 bits (liveSince))
            acc.count = uint32(count + 1);
            address delegateAddress = bonding.delegateAddress;
            if (delegateAddress != acc.lastDelegate) {
                uint256 delegateCount = acc.delegateCount;
                acc.delegates[delegateCount] = liveSince | (uint256(uint160(delegateAddress)) << 64);
                // forge-lint: disable-next-line(unsafe-typecast) (at most one entry per round)
                (acc.delegateCount, acc.lastDelegate) = (uint32(delegateCount + 1), delegateAddress);
            }
        }
        acc.liveSince = nextRound.toUint32();
    }

    /// @dev The ERC-5805 events of the change since the `Before` report.
    function _after(address account, Bonding calldata bonding) internal {
        bytes32 key = _beforeKey(account);
        uint256 word = _tload(key);
        require(word != 0, MissingBeforeCheckpoint(account));
        uint256 amounts = _tload(bytes32(uint256(key) + 1));
        _remember(key, bonding);
        // forge-lint: disable-start(unsafe-typecast) (unpacking the fields _remember packed)
        address oldDelegate = address(uint160(word));
        uint256 oldLastClaimRound = uint32(word >> 160);
        (uint256 oldBonded, uint256 oldDelegated) = (uint128(amounts), amounts >> 128);
        // forge-lint: disable-end(unsafe-typecast)

        address newDelegate = bonding.delegateAddress;
        if (oldDelegate != newDelegate) emit DelegateChanged(account, oldDelegate, newDelegate);
        uint256 oldVotes = _isRegistered(account, oldDelegate, oldBonded) ? oldDelegated : 0;
        uint256 newVotes = _isRegistered(account, newDelegate, bonding.bondedAmount) ? bonding.delegatedAmount : 0;
        if (oldVotes != newVotes) emit DelegateVotesChanged(account, oldVotes, newVotes);
        if (oldBonded != bonding.bondedAmount || oldLastClaimRound != bonding.lastClaimRound) {
            emit DelegatorBondedAmountChanged(
                account, oldBonded, oldLastClaimRound, bonding.bondedAmount, bonding.lastClaimRound
            );
        }
    }

    /// @dev Keeps the total in force since `totalLiveSince` before its first change in this round.
    function _afterTotal(uint256 nextRoundTotalActiveStake, uint256 nextRound) internal {
        uint256 word = _tload(T_TOTAL);
        uint256 oldTotal = word & ~SET;
        if (word == 0 || oldTotal == nextRoundTotalActiveStake) return;
        _tstore(T_TOTAL, SET | nextRoundTotalActiveStake);
        VotesState storage $ = _storage();
        uint256 liveSince = $.totalLiveSince;
        if (liveSince == nextRound) return;
        if (liveSince != 0) {
            uint256 count = $.totalCount;
            $.totals[count] = liveSince | (uint256(oldTotal.toUint224()) << 32);
            // forge-lint: disable-next-line(unsafe-typecast) (at most one entry per round)
            $.totalCount = uint32(count + 1);
        }
        $.totalLiveSince = nextRound.toUint32();
    }

    /* INTERNAL: LOOKUPS */

    /// @dev `account`'s state at the start of `round` and its delegate then.
    function _stateAt(address account, uint256 round)
        internal
        view
        returns (State memory state, address delegateAddress)
    {
        Account storage acc = _storage().accounts[account];
        uint256 liveSince = acc.liveSince;
        if (liveSince == 0) return (state, address(0));
        if (round >= liveSince) return _live(account);

        (bool found, uint256 word) = _search(acc.past, acc.count, round);
        if (!found) return (state, address(0));
        // forge-lint: disable-start(unsafe-typecast) (unpacking a past entry, see Account)
        state = State({amount: word >> 128, round: uint32(word >> 32), registered: (word >> 64) & 1 == 1});
        (, uint256 delegateWord) = _search(acc.delegates, acc.delegateCount, round);
        delegateAddress = address(uint160(delegateWord >> 64));
        // forge-lint: disable-end(unsafe-typecast)
    }

    function _live(address account) internal view returns (State memory state, address delegateAddress) {
        IBondingManager bm = _bm();
        uint256 bonded;
        uint256 delegated;
        uint256 lastClaimRound;
        // slither-disable-next-line unused-return (fees, start round and lock counter are not votes)
        (bonded,, delegateAddress, delegated,, lastClaimRound,) = bm.getDelegator(account);
        state.registered = _isRegistered(account, delegateAddress, bonded);
        if (state.registered) {
            // slither-disable-next-line unused-return (only the last reward round is needed)
            (uint256 lastRewardRound,,,,,,,,,) = bm.getTranscoder(account);
            (state.amount, state.round) = (delegated, lastRewardRound);
        } else {
            (state.amount, state.round) = (bonded, lastClaimRound);
        }
    }

    /// @dev The last of `count` entries starting at or before `round` (binary search on the low 32 bits).
    function _search(mapping(uint256 => uint256) storage entries, uint256 count, uint256 round)
        internal
        view
        returns (bool found, uint256 word)
    {
        (uint256 low, uint256 high) = (0, count);
        while (low < high) {
            uint256 mid = (low + high) / 2;
            if (uint32(entries[mid]) > round) high = mid;
            else low = mid + 1;
        }
        if (low == 0) return (false, 0);
        return (true, entries[low - 1]);
    }

    function _rewardFactor(address transcoder, uint256 round) internal view returns (uint256) {
        // slither-disable-next-line unused-return (only the reward factor is needed)
        (,,, uint256 factor,) = _bm().getTranscoderEarningsPoolForRound(transcoder, round);
        // A round without a factor counts as 1 (a lookup must never revert on it).
        return EarningsPoolLib.orOne(factor);
    }

    /* INTERNAL: HELPERS */

    function _isRegistered(address account, address delegateAddress, uint256 bonded) internal pure returns (bool) {
        return delegateAddress == account && bonded != 0;
    }

    /// @dev Reverts unless `round` has finished; returns it.
    function _finished(uint256 round) internal view returns (uint256) {
        uint256 current = clock();
        require(round < current, FutureLookup(round, current == 0 ? 0 : current - 1));
        return round;
    }

    function _notAfterNextRound(uint256 round) internal view {
        uint256 next = uint256(clock()) + 1;
        require(round <= next, FutureLookup(round, next));
    }

    function _bm() internal view returns (IBondingManager) {
        address cached = _storage().bondingManager;
        return IBondingManager(cached != address(0) ? cached : _contract(BONDING_MANAGER));
    }

    /// @dev Keeps `bonding` for this transaction: delegate | last claim round | set, then the amounts.
    function _remember(bytes32 key, Bonding calldata bonding) private {
        _tstore(key, SET | (bonding.lastClaimRound << 160) | uint160(bonding.delegateAddress));
        _tstore(bytes32(uint256(key) + 1), (bonding.delegatedAmount << 128) | bonding.bondedAmount);
    }

    function _beforeKey(address account) private pure returns (bytes32) {
        return keccak256(abi.encode(T_BEFORE, account));
    }

    function _tload(bytes32 key) private view returns (uint256 value) {
        assembly {
            value := tload(key)
        }
    }

    function _tstore(bytes32 key, uint256 value) private {
        assembly {
            tstore(key, value)
        }
    }

    function _storage() private pure returns (VotesState storage $) {
        assembly {
            $.slot := STORAGE
        }
    }
}
