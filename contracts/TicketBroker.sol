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

    /// @dev A sender's whole account in one slot: deposit, remaining reserve and unlock round.
    struct Account {
        uint96 deposit;
        uint96 reserve;
        uint64 withdrawRound;
    }

    /// @custom:storage-location erc7201:livepeer.storage.TicketBroker
    struct TicketBrokerStorage {
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
        account.withdrawRound = withdrawRound.toUint64();
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

        // Effects before the transfer: a re-entering receiver finds an empty account.
        delete _storage().accounts[msg.sender];
        emit Withdrawal(msg.sender, account.deposit, account.reserve);
        _minter().trustedWithdrawETH(payable(msg.sender), uint256(account.deposit) + account.reserve);
    }

    /* REDEMPTION */

    /// @inheritdoc ITicketBroker
    function redeemWinningTicket(Ticket memory ticket, bytes memory sig, uint256 recipientRand) public {
        _requireNotPaused();
        IRoundsManager rm = _roundsManager();
        uint256 round = rm.currentRound();
        require(rm.lastInitializedRound() == round, RoundNotInitialized(round));

        bytes32 ticketHash = getTicketHash(ticket);
        uint256 creationRound = _requireValidWinningTicket(ticket, ticketHash, sig, recipientRand, rm, round);

        uint256 amount = _debitSender(ticket, round);
        _storage().usedTickets[ticketHash] = true;
        emit WinningTicketTransfer(ticket.sender, ticket.recipient, amount);
        _emitRedeemed(ticket, recipientRand);
        // Reverts unless the recipient is an active registered transcoder: the ticket then stays unused.
        _bondingManager().updateTranscoderWithFees(ticket.recipient, amount, creationRound);
    }

    /// @inheritdoc ITicketBroker
    function batchRedeemWinningTickets(Ticket[] memory tickets, bytes[] memory sigs, uint256[] memory recipientRands)
        external
    {
        require(tickets.length == sigs.length && sigs.length == recipientRands.length, BatchLengthMismatch());
        for (uint256 i; i < tickets.length; i++) {
            // Each ticket stands alone: a failure only skips it.
            try this.redeemWinningTicket(tickets[i], sigs[i], recipientRands[i]) {} catch {}
        }
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
    function getTicketHash(Ticket memory ticket) public pure returns (bytes32) {
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

    /// @dev Every rule of PROTOCOL.md, in its order. Returns the ticket's creation round.
    function _requireValidWinningTicket(
        Ticket memory ticket,
        bytes32 ticketHash,
        bytes memory sig,
        uint256 recipientRand,
        IRoundsManager rm,
        uint256 round
    ) internal view returns (uint256 creationRound) {
        require(ticket.recipient != address(0), ZeroRecipient());
        require(ticket.sender != address(0), ZeroSender());

        bytes memory auxData = ticket.auxData;
        require(auxData.length == 64, InvalidAuxDataLength(auxData.length));
        bytes32 creationRoundBlockHash;
        assembly ("memory-safe") {
            creationRound := mload(add(auxData, 32))
            creationRoundBlockHash := mload(add(auxData, 64))
        }
        bytes32 recorded = rm.blockHashForRound(creationRound);
        require(recorded != bytes32(0), UnknownCreationRound(creationRound));
        require(
            recorded == creationRoundBlockHash,
            CreationRoundBlockHashMismatch(creationRound, recorded, creationRoundBlockHash)
        );
        require(creationRound + _storage().ticketValidityPeriod > round, TicketExpired(creationRound, round));

        require(keccak256(abi.encodePacked(recipientRand)) == ticket.recipientRandHash, RecipientRandMismatch());
        require(!_storage().usedTickets[ticketHash], TicketUsed(ticketHash));
        // Exactly 65 bytes (no EIP-2098 second draw) and low-s, as ECDSA.tryRecover enforces.
        require(sig.length == 65, InvalidSignature());
        (address signer, ECDSA.RecoverError err,) =
            ECDSA.tryRecover(MessageHashUtils.toEthSignedMessageHash(ticketHash), sig);
        require(err == ECDSA.RecoverError.NoError && signer == ticket.sender, InvalidSignature());
        require(uint256(keccak256(abi.encodePacked(sig, recipientRand))) < ticket.winProb, TicketDidNotWin());
    }

    /// @dev Debits min(faceValue, deposit + recipient's claimable reserve) from the sender; never zero.
    function _debitSender(Ticket memory ticket, uint256 round) internal returns (uint256 amount) {
        Account storage stored = _storage().accounts[ticket.sender];
        Account memory account = stored;
        require(account.withdrawRound == 0 || round < account.withdrawRound, SenderUnlocked(ticket.sender));
        require(account.deposit != 0 || account.reserve != 0, NoFunds(ticket.sender));

        // Pay the most the funds allow right now; a ticket is never burned for less.
        if (ticket.faceValue <= account.deposit) {
            amount = ticket.faceValue;
            // forge-lint: disable-next-line(unsafe-typecast)
            account.deposit -= uint96(amount); // amount <= deposit
        } else {
            uint256 shortfall = ticket.faceValue - account.deposit;
            uint256 fromReserve = _claimFromReserve(ticket.sender, ticket.recipient, account.reserve, shortfall, round);
            amount = uint256(account.deposit) + fromReserve;
            account.deposit = 0;
            // forge-lint: disable-next-line(unsafe-typecast)
            account.reserve -= uint96(fromReserve); // fromReserve <= reserve
        }
        require(amount != 0, NothingToPay(ticket.sender, ticket.recipient));
        (stored.deposit, stored.reserve) = (account.deposit, account.reserve);
    }

    function _emitRedeemed(Ticket memory ticket, uint256 recipientRand) internal {
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

    /// @dev Takes up to `amount` from the recipient's slice of the sender's reserve this round.
    function _claimFromReserve(address holder, address claimant, uint256 remaining, uint256 amount, uint256 round)
        internal
        returns (uint256 claimed)
    {
        uint256 claimable = _claimableReserve(holder, claimant, remaining, round);
        claimed = amount < claimable ? amount : claimable;
        if (claimed == 0) return 0;
        TicketBrokerStorage storage $ = _storage();
        $.claimedForRound[holder][round] += claimed;
        $.claimedBy[holder][round][claimant] += claimed;
        emit ReserveClaimed(holder, claimant, claimed);
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
