// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ManagerUpgradeable} from "./ManagerUpgradeable.sol";
import {IBondingManager} from "./interfaces/IBondingManager.sol";
import {IRoundsManager} from "./interfaces/IRoundsManager.sol";
import {ITicketBroker} from "./interfaces/ITicketBroker.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";

/// @title TicketBroker
/// @notice Deposits, reserves and winning-ticket redemption (see ITicketBroker).
/// @dev ETH stays with the Minter, as in the reference: funding moves it there once, and redemption,
/// the hot path, is then pure accounting (fees are paid out later by BondingManager.withdrawFees).
contract TicketBroker is ITicketBroker, ManagerUpgradeable {
    using SafeCast for uint256;

    /// @dev A sender's whole account in one slot: deposit, remaining reserve and unlock round (amounts
    /// uint96 and rounds uint32, as everywhere in the protocol: contracts/bonding/BondingTypes.sol).
    struct Account {
        uint96 deposit;
        uint96 reserve;
        uint32 withdrawRound;
    }

    /// @dev What a redemption reads once per transaction; the block hash is a one-entry cache.
    struct RedeemContext {
        IRoundsManager rm;
        uint256 round;
        uint256 validityPeriod;
        uint256 knownCreationRound;
        bytes32 knownBlockHash;
    }

    /// @custom:storage-location erc7201:livepeer.storage.TicketBroker
    struct TicketBrokerStorage {
        // Durations in rounds, as wide as the setters have always accepted (they share no slot worth
        // narrowing for); an unlock whose round would not fit a uint32 reverts.
        uint64 unlockPeriod;
        uint64 ticketValidityPeriod;
        mapping(address sender => Account) accounts;
        mapping(address holder => mapping(uint256 round => uint256)) claimedForRound;
        mapping(address holder => mapping(uint256 round => mapping(address claimant => uint256))) claimedBy;
        mapping(bytes32 ticketHash => bool) usedTickets;
    }

    // keccak256(abi.encode(uint256(keccak256("livepeer.storage.TicketBroker")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant STORAGE = 0xb310c717a1c9c0a5da79d2ad8c0a67f4b6d75bbdaa1cfa09992a08486e364800;

    /// @notice Wires the proxy to `controller_` and sets the periods (in rounds).
    function initialize(address controller_, uint256 unlockPeriod_, uint256 ticketValidityPeriod_)
        external
        initializer
    {
        __Manager_init(controller_);
        _setUnlockPeriod(unlockPeriod_);
        _setTicketValidityPeriod(ticketValidityPeriod_);
    }

    /* FUNDING */

    /// @inheritdoc ITicketBroker
    function fundDeposit() external payable {
        _fund(msg.sender, msg.value, 0);
    }

    /// @inheritdoc ITicketBroker
    function fundReserve() external payable {
        _fund(msg.sender, 0, msg.value);
    }

    /// @inheritdoc ITicketBroker
    function fundDepositAndReserve(uint256 depositAmount, uint256 reserveAmount) external payable {
        fundDepositAndReserveFor(msg.sender, depositAmount, reserveAmount);
    }

    /// @inheritdoc ITicketBroker
    function fundDepositAndReserveFor(address addr, uint256 depositAmount, uint256 reserveAmount) public payable {
        require(msg.value == depositAmount + reserveAmount, ValueSplitMismatch(msg.value, depositAmount, reserveAmount));
        require(addr != address(0), ZeroAddress());
        _fund(addr, depositAmount, reserveAmount);
    }

    /* EXIT */

    /// @inheritdoc ITicketBroker
    function unlock() external {
        _requireNotPaused();
        Account storage account = _storage().accounts[msg.sender];
        require(account.deposit != 0 || account.reserve != 0, NoFunds(msg.sender));
        require(account.withdrawRound == 0, UnlockInProgress(msg.sender));
        uint256 round = _roundsManager().currentRound();
        uint256 withdrawRound = round + _storage().unlockPeriod;
        account.withdrawRound = withdrawRound.toUint32();
        emit Unlock(msg.sender, round, withdrawRound);
    }

    /// @inheritdoc ITicketBroker
    function cancelUnlock() external {
        _requireNotPaused();
        Account storage account = _storage().accounts[msg.sender];
        require(account.withdrawRound != 0, NoUnlockInProgress(msg.sender));
        account.withdrawRound = 0;
        emit UnlockCancelled(msg.sender);
    }

    /// @inheritdoc ITicketBroker
    function withdraw() external {
        _requireNotPaused();
        Account memory account = _storage().accounts[msg.sender];
        require(account.deposit != 0 || account.reserve != 0, NoFunds(msg.sender));
        require(account.withdrawRound != 0, NoUnlockInProgress(msg.sender));
        uint256 round = _roundsManager().currentRound();
        require(round >= account.withdrawRound, StillLocked(account.withdrawRound, round));

        // Effects before the transfer: a re-entering receiver finds an empty account. The slot is
        // cleared whole (`delete` would read it again to keep its 32 unused bits).
        Account storage stored = _storage().accounts[msg.sender];
        assembly ("memory-safe") {
            sstore(stored.slot, 0)
        }
        emit Withdrawal(msg.sender, account.deposit, account.reserve);
        _minter().trustedWithdrawETH(payable(msg.sender), uint256(account.deposit) + account.reserve);
    }

    /* REDEMPTION */

    /// @inheritdoc ITicketBroker
    function redeemWinningTicket(Ticket calldata ticket, bytes calldata sig, uint256 recipientRand) external {
        _requireNotPaused();
        RedeemContext memory ctx = _redeemContext();
        require(ctx.rm.lastInitializedRound() == ctx.round, RoundNotInitialized(ctx.round));

        (uint256 amount, bytes memory failure) = _redeem(ticket, sig, recipientRand, ctx);
        if (failure.length != 0) {
            assembly ("memory-safe") {
                revert(add(failure, 32), mload(failure))
            }
        }
        // Reverts unless the recipient is an active registered transcoder: the ticket then stays unused.
        _bondingManager().updateTranscoderWithFees(ticket.recipient, amount, ctx.round);
    }

    /// @inheritdoc ITicketBroker
    function batchRedeemWinningTickets(
        Ticket[] calldata tickets,
        bytes[] calldata sigs,
        uint256[] calldata recipientRands
    ) external {
        uint256 count = tickets.length;
        require(count == sigs.length && count == recipientRands.length, BatchLengthMismatch());
        // Paused or uninitialized: every ticket would fail, so none is touched.
        if (count == 0 || controller().paused()) return;
        RedeemContext memory ctx = _redeemContext();
        if (ctx.rm.lastInitializedRound() != ctx.round) return;

        // Tickets are validated here, not through a reverting self-call, and the fees of a run of tickets
        // to one recipient reach the BondingManager in one call.
        IBondingManager bm = _bondingManager();
        // slither-disable-next-line uninitialized-local (no recipient before the first ticket)
        address recipient;
        // slither-disable-next-line uninitialized-local (set with the first ticket's recipient)
        bool recipientPayable;
        // slither-disable-next-line uninitialized-local (nothing owed before the first ticket)
        uint256 owed;
        for (uint256 i; i < count; i++) {
            Ticket calldata ticket = tickets[i];
            if (i == 0 || ticket.recipient != recipient) {
                _payFees(bm, recipient, owed, ctx.round);
                owed = 0;
                recipient = ticket.recipient;
                // What updateTranscoderWithFees requires, checked before any ticket of the run is used.
                recipientPayable = bm.isActiveTranscoder(recipient) && bm.isRegisteredTranscoder(recipient);
            }
            if (!recipientPayable) continue;
            (uint256 amount,) = _redeem(ticket, sigs[i], recipientRands[i], ctx);
            owed += amount;
        }
        _payFees(bm, recipient, owed, ctx.round);
    }

    /* PARAMETERS */

    /// @inheritdoc ITicketBroker
    function setUnlockPeriod(uint256 unlockPeriod_) external {
        _requireControllerOwner();
        _setUnlockPeriod(unlockPeriod_);
    }

    /// @inheritdoc ITicketBroker
    function setTicketValidityPeriod(uint256 ticketValidityPeriod_) external {
        _requireControllerOwner();
        _setTicketValidityPeriod(ticketValidityPeriod_);
    }

    /* VIEWS */

    /// @inheritdoc ITicketBroker
    function isUnlockInProgress(address sender) external view returns (bool) {
        return _storage().accounts[sender].withdrawRound != 0;
    }

    /// @inheritdoc ITicketBroker
    function getSenderInfo(address sender) external view returns (Sender memory sender_, ReserveInfo memory reserve) {
        Account memory account = _storage().accounts[sender];
        sender_ = Sender(account.deposit, account.withdrawRound);
        reserve = getReserveInfo(sender);
    }

    /// @inheritdoc ITicketBroker
    function getTicketHash(Ticket calldata ticket) external pure returns (bytes32) {
        return _ticketHash(ticket);
    }

    /// @inheritdoc ITicketBroker
    function getReserveInfo(address reserveHolder) public view returns (ReserveInfo memory) {
        uint256 round = _roundsManager().currentRound();
        TicketBrokerStorage storage $ = _storage();
        return ReserveInfo($.accounts[reserveHolder].reserve, $.claimedForRound[reserveHolder][round]);
    }

    /// @inheritdoc ITicketBroker
    function claimableReserve(address reserveHolder, address claimant) external view returns (uint256) {
        uint256 round = _roundsManager().currentRound();
        return _claimableReserve(reserveHolder, claimant, _storage().accounts[reserveHolder].reserve, round);
    }

    /// @inheritdoc ITicketBroker
    function claimedReserve(address reserveHolder, address claimant) external view returns (uint256) {
        return _storage().claimedBy[reserveHolder][_roundsManager().currentRound()][claimant];
    }

    /// @inheritdoc ITicketBroker
    function usedTickets(bytes32 ticketHash) external view returns (bool) {
        return _storage().usedTickets[ticketHash];
    }

    /// @inheritdoc ITicketBroker
    function unlockPeriod() external view returns (uint256) {
        return _storage().unlockPeriod;
    }

    /// @inheritdoc ITicketBroker
    function ticketValidityPeriod() external view returns (uint256) {
        return _storage().ticketValidityPeriod;
    }

    /* INTERNAL */

    function _fund(address addr, uint256 depositAmount, uint256 reserveAmount) internal {
        _requireNotPaused();
        Account storage account = _storage().accounts[addr];
        if (depositAmount != 0) {
            account.deposit = (account.deposit + depositAmount).toUint96();
            emit DepositFunded(addr, depositAmount);
        }
        if (reserveAmount != 0) {
            account.reserve = (account.reserve + reserveAmount).toUint96();
            emit ReserveFunded(addr, reserveAmount);
        }
        // Only the owner's own funding cancels its unlock (a third party's once did: a past bug).
        if (msg.sender == addr && account.withdrawRound != 0) {
            account.withdrawRound = 0;
            emit UnlockCancelled(addr);
        }
        uint256 value = depositAmount + reserveAmount;
        if (value != 0) _minter().depositETH{value: value}();
    }

    /// @dev What a redemption reads once per transaction; a batch shares it across its tickets.
    function _redeemContext() internal view returns (RedeemContext memory ctx) {
        ctx.rm = _roundsManager();
        ctx.round = ctx.rm.currentRound();
        ctx.validityPeriod = _storage().ticketValidityPeriod;
    }

    /// @dev Validates, debits the sender, marks the ticket used and emits; pays nothing into the
    /// BondingManager (the caller does). On failure nothing is written and `failure` is the revert data.
    function _redeem(Ticket calldata ticket, bytes calldata sig, uint256 recipientRand, RedeemContext memory ctx)
        internal
        returns (uint256 amount, bytes memory failure)
    {
        bytes32 ticketHash = _ticketHash(ticket);
        failure = _checkWinningTicket(ticket, ticketHash, sig, recipientRand, ctx);
        if (failure.length != 0) return (0, failure);
        // The check above found the ticket unexpired, so this is its last round or an earlier one.
        (amount, failure) =
            _debitSender(ticket, ctx.round, ctx.knownCreationRound + ctx.validityPeriod == ctx.round + 1);
        if (failure.length != 0) return (0, failure);

        _storage().usedTickets[ticketHash] = true;
        emit WinningTicketTransfer(ticket.sender, ticket.recipient, amount);
        emit WinningTicketRedeemed(
            ticket.sender,
            ticket.recipient,
            ticket.faceValue,
            ticket.winProb,
            ticket.senderNonce,
            recipientRand,
            ticket.auxData
        );
    }

    /// @dev Every rule of PROTOCOL.md, in its order; returns the first broken rule's revert data.
    function _checkWinningTicket(
        Ticket calldata ticket,
        bytes32 ticketHash,
        bytes calldata sig,
        uint256 recipientRand,
        RedeemContext memory ctx
    ) internal view returns (bytes memory) {
        if (ticket.recipient == address(0)) {
            return abi.encodeWithSelector(ZeroRecipient.selector);
        }
        if (ticket.sender == address(0)) return abi.encodeWithSelector(ZeroSender.selector);

        bytes calldata auxData = ticket.auxData;
        if (auxData.length != 64) return abi.encodeWithSelector(InvalidAuxDataLength.selector, auxData.length);
        uint256 creationRound = uint256(bytes32(auxData[:32]));
        bytes32 creationRoundBlockHash = bytes32(auxData[32:]);
        // Tickets of a batch mostly share a creation round: look its block hash up once.
        if (ctx.knownBlockHash == 0 || ctx.knownCreationRound != creationRound) {
            (ctx.knownCreationRound, ctx.knownBlockHash) = (creationRound, ctx.rm.blockHashForRound(creationRound));
        }
        bytes32 recorded = ctx.knownBlockHash;
        if (recorded == 0) return abi.encodeWithSelector(UnknownCreationRound.selector, creationRound);
        if (recorded != creationRoundBlockHash) {
            return abi.encodeWithSelector(
                CreationRoundBlockHashMismatch.selector, creationRound, recorded, creationRoundBlockHash
            );
        }
        // No overflow: creationRound has a recorded block hash, so it is a real round.
        if (creationRound + ctx.validityPeriod <= ctx.round) {
            return abi.encodeWithSelector(TicketExpired.selector, creationRound, ctx.round);
        }

        if (keccak256(abi.encodePacked(recipientRand)) != ticket.recipientRandHash) {
            return abi.encodeWithSelector(RecipientRandMismatch.selector);
        }
        if (_storage().usedTickets[ticketHash]) return abi.encodeWithSelector(TicketUsed.selector, ticketHash);
        // Exactly 65 bytes (no EIP-2098 second draw) and low-s, as ECDSA.tryRecoverCalldata enforces.
        if (sig.length != 65) return abi.encodeWithSelector(InvalidSignature.selector);
        // slither-disable-next-line unused-return (the third value is the error argument, unused)
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecoverCalldata(MessageHashUtils.toEthSignedMessageHash(ticketHash), sig);
        if (err != ECDSA.RecoverError.NoError || signer != ticket.sender) {
            return abi.encodeWithSelector(InvalidSignature.selector);
        }
        if (uint256(keccak256(abi.encodePacked(sig, recipientRand))) >= ticket.winProb) {
            return abi.encodeWithSelector(TicketDidNotWin.selector);
        }
        return "";
    }

    /// @dev Debits the face value from the deposit, then from the recipient's reserve slice. Short of
    /// it, the ticket is paid all the two hold only in its last redeemable round (`lastRound`): earlier,
    /// paying less would let a 1-wei top-up burn a ticket for 1 wei. Writes nothing when it fails.
    function _debitSender(Ticket calldata ticket, uint256 round, bool lastRound)
        internal
        returns (uint256 amount, bytes memory failure)
    {
        address sender = ticket.sender;
        Account storage stored = _storage().accounts[sender];
        Account memory account = stored;
        if (account.withdrawRound != 0 && round >= account.withdrawRound) {
            return (0, abi.encodeWithSelector(SenderUnlocked.selector, sender));
        }
        if (account.deposit == 0 && account.reserve == 0) {
            return (0, abi.encodeWithSelector(NoFunds.selector, sender));
        }

        uint256 faceValue = ticket.faceValue;
        // slither-disable-next-line uninitialized-local (zero when the deposit covers the ticket)
        uint256 fromReserve;
        if (faceValue <= account.deposit) {
            amount = faceValue;
        } else {
            uint256 claimable = _claimableReserve(sender, ticket.recipient, account.reserve, round);
            amount = account.deposit + claimable;
            if (amount >= faceValue) {
                (amount, fromReserve) = (faceValue, faceValue - account.deposit);
            } else if (lastRound) {
                fromReserve = claimable;
            } else {
                return
                    (0, abi.encodeWithSelector(InsufficientFunds.selector, sender, ticket.recipient, faceValue, amount));
            }
        }
        if (amount == 0) return (0, abi.encodeWithSelector(NothingToPay.selector, sender, ticket.recipient));

        if (fromReserve != 0) {
            TicketBrokerStorage storage $ = _storage();
            $.claimedForRound[sender][round] += fromReserve;
            $.claimedBy[sender][round][ticket.recipient] += fromReserve;
            emit ReserveClaimed(sender, ticket.recipient, fromReserve);
        }
        // amount - fromReserve <= deposit and fromReserve <= reserve (a slice of it).
        // forge-lint: disable-start(unsafe-typecast)
        (account.deposit, account.reserve) =
        (account.deposit - uint96(amount - fromReserve), account.reserve - uint96(fromReserve));
        // forge-lint: disable-end(unsafe-typecast)
        (stored.deposit, stored.reserve) = (account.deposit, account.reserve);
    }

    function _payFees(IBondingManager bm, address recipient, uint256 amount, uint256 round) internal {
        if (amount != 0) bm.updateTranscoderWithFees(recipient, amount, round);
    }

    function _ticketHash(Ticket calldata ticket) internal pure returns (bytes32) {
        return keccak256(
            abi.encodePacked(
                ticket.recipient,
                ticket.sender,
                ticket.faceValue,
                ticket.winProb,
                ticket.senderNonce,
                ticket.recipientRandHash,
                ticket.auxData
            )
        );
    }

    /// @dev (remaining + claimed this round) / pool size - claimed by `claimant` this round; active only.
    function _claimableReserve(address holder, address claimant, uint256 remaining, uint256 round)
        internal
        view
        returns (uint256)
    {
        if (remaining == 0) return 0;
        IBondingManager bm = _bondingManager();
        if (!bm.isActiveTranscoder(claimant)) return 0;
        // Sliced by the set active this round, not the live pool, which shrinks as members resign
        // mid-round while staying active (the reference divides by the live pool: Sybil resignations
        // could grow their slices).
        uint256 poolSize = bm.currentRoundActivePoolSize();
        if (poolSize == 0) return 0;
        TicketBrokerStorage storage $ = _storage();
        uint256 slice = (remaining + $.claimedForRound[holder][round]) / poolSize;
        uint256 already = $.claimedBy[holder][round][claimant];
        return slice > already ? slice - already : 0;
    }

    function _setUnlockPeriod(uint256 period) internal {
        require(period != 0, ZeroPeriod());
        _storage().unlockPeriod = period.toUint64();
        emit UnlockPeriodSet(period);
    }

    function _setTicketValidityPeriod(uint256 period) internal {
        require(period != 0, ZeroPeriod());
        _storage().ticketValidityPeriod = period.toUint64();
        emit TicketValidityPeriodSet(period);
    }

    function _storage() private pure returns (TicketBrokerStorage storage $) {
        assembly {
            $.slot := STORAGE
        }
    }
}
