// SPDX-License-Identifier: MIT
pragma solidity ^0.8.27;

/// @title ITicketBroker
/// @notice Probabilistic micropayments. A broadcaster (sender) funds a deposit and a reserve, then
/// pays orchestrators (recipients) with signed lottery tickets; a winning ticket pays its face value
/// from the deposit, any shortfall from the recipient's slice of the reserve, as fees through the
/// BondingManager.
/// @dev Ticket hash: keccak256(abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce,
/// recipientRandHash, auxData)); signature: 65 bytes, low-s, by the sender over the eth_sign digest of
/// the hash; win: uint256(keccak256(abi.encodePacked(sig, recipientRand))) < winProb;
/// auxData = abi.encode(creationRound, creationRoundBlockHash).
interface ITicketBroker {
    struct Ticket {
        address recipient;
        address sender;
        uint256 faceValue;
        uint256 winProb;
        uint256 senderNonce;
        bytes32 recipientRandHash;
        bytes auxData;
    }

    struct Sender {
        uint256 deposit;
        uint256 withdrawRound;
    }

    struct ReserveInfo {
        uint256 fundsRemaining;
        uint256 claimedInCurrentRound;
    }

    /* EVENTS (signatures as on the live network) */

    event DepositFunded(address indexed sender, uint256 amount);
    event ReserveFunded(address indexed reserveHolder, uint256 amount);
    event ReserveClaimed(address indexed reserveHolder, address claimant, uint256 amount);
    event WinningTicketRedeemed(
        address indexed sender,
        address indexed recipient,
        uint256 faceValue,
        uint256 winProb,
        uint256 senderNonce,
        uint256 recipientRand,
        bytes auxData
    );
    event WinningTicketTransfer(address indexed sender, address indexed recipient, uint256 amount);
    event Unlock(address indexed sender, uint256 startRound, uint256 endRound);
    event UnlockCancelled(address indexed sender);
    event Withdrawal(address indexed sender, uint256 deposit, uint256 reserve);

    /* EVENTS (parameters; ours) */

    event UnlockPeriodSet(uint256 unlockPeriod);
    event TicketValidityPeriodSet(uint256 ticketValidityPeriod);

    /* ERRORS */

    /// @notice The current round has not been initialized yet.
    error RoundNotInitialized(uint256 round);
    /// @notice msg.value must equal deposit + reserve.
    error ValueSplitMismatch(uint256 value, uint256 deposit, uint256 reserve);
    /// @notice The sender has neither deposit nor reserve.
    error NoFunds(address sender);
    /// @notice An unlock is already under way for `sender`.
    error UnlockInProgress(address sender);
    /// @notice `sender` has no unlock under way.
    error NoUnlockInProgress(address sender);
    /// @notice Funds unlock only at `withdrawRound`.
    error StillLocked(uint256 withdrawRound, uint256 currentRound);
    /// @notice The ticket names no recipient.
    error ZeroRecipient();
    /// @notice The ticket names no sender.
    error ZeroSender();
    /// @notice auxData must be exactly 64 bytes: abi.encode(creationRound, creationRoundBlockHash).
    error InvalidAuxDataLength(uint256 length);
    /// @notice The ticket's creation round was never initialized (no block hash recorded).
    error UnknownCreationRound(uint256 creationRound);
    /// @notice The ticket's block hash is not the one recorded for its creation round.
    error CreationRoundBlockHashMismatch(uint256 creationRound, bytes32 recorded, bytes32 given);
    /// @notice The ticket expired: creationRound + ticketValidityPeriod <= currentRound.
    error TicketExpired(uint256 creationRound, uint256 currentRound);
    /// @notice keccak256(recipientRand) does not match the ticket's recipientRandHash.
    error RecipientRandMismatch();
    /// @notice The ticket was already redeemed.
    error TicketUsed(bytes32 ticketHash);
    /// @notice The signature is not a 65-byte low-s signature by the sender over the ticket hash.
    error InvalidSignature();
    /// @notice The ticket did not win.
    error TicketDidNotWin();
    /// @notice The sender's unlock period is over: its funds can no longer pay tickets.
    error SenderUnlocked(address sender);
    /// @notice Neither the deposit nor the recipient's reserve slice can pay anything now; the ticket is
    /// left unused so it can be redeemed later.
    error NothingToPay(address sender, address recipient);
    /// @notice The deposit plus the recipient's reserve slice (`available`) is below the face value
    /// before the ticket's last redeemable round: the ticket is left unused, to be paid in full later.
    error InsufficientFunds(address sender, address recipient, uint256 faceValue, uint256 available);
    /// @notice The three batch arrays differ in length.
    error BatchLengthMismatch();
    /// @notice A period of zero rounds was given.
    error ZeroPeriod();

    /* FUNDING */

    function fundDeposit() external payable;

    function fundReserve() external payable;

    function fundDepositAndReserve(uint256 depositAmount, uint256 reserveAmount) external payable;

    /// @notice Funds `addr`'s deposit and reserve. Funding your own account cancels your unlock; a third
    /// party's funding never does.
    function fundDepositAndReserveFor(address addr, uint256 depositAmount, uint256 reserveAmount) external payable;

    /* EXIT */

    /// @notice Starts the unlock: funds become withdrawable at currentRound + unlockPeriod.
    function unlock() external;

    function cancelUnlock() external;

    /// @notice Withdraws deposit and remaining reserve once the unlock period is over.
    function withdraw() external;

    /* REDEMPTION */

    /// @notice Redeems a winning ticket for its face value, from the deposit and then the recipient's
    /// reserve slice. When those cannot cover it, it reverts with InsufficientFunds and the ticket stays
    /// unused, except in the ticket's last redeemable round, which pays all they hold.
    function redeemWinningTicket(Ticket calldata ticket, bytes calldata sig, uint256 recipientRand) external;

    /// @notice Redeems several tickets; each succeeds or fails on its own, the batch never reverts
    /// (a failed ticket stays unused). Fees of consecutive tickets to the same recipient are paid into
    /// the BondingManager in one call.
    function batchRedeemWinningTickets(
        Ticket[] calldata tickets,
        bytes[] calldata sigs,
        uint256[] calldata recipientRands
    ) external;

    /* PARAMETERS (protocol owner) */

    function setUnlockPeriod(uint256 unlockPeriod) external;

    function setTicketValidityPeriod(uint256 ticketValidityPeriod) external;

    /* VIEWS */

    function isUnlockInProgress(address sender) external view returns (bool);

    function getSenderInfo(address sender) external view returns (Sender memory sender_, ReserveInfo memory reserve);

    function getTicketHash(Ticket calldata ticket) external pure returns (bytes32);

    function getReserveInfo(address reserveHolder) external view returns (ReserveInfo memory);

    /// @notice What `claimant` may still take from `reserveHolder`'s reserve this round: an equal slice per
    /// member of the active pool, for active transcoders only.
    function claimableReserve(address reserveHolder, address claimant) external view returns (uint256);

    /// @notice What `claimant` took from `reserveHolder`'s reserve this round.
    function claimedReserve(address reserveHolder, address claimant) external view returns (uint256);

    function usedTickets(bytes32 ticketHash) external view returns (bool);

    function unlockPeriod() external view returns (uint256);

    function ticketValidityPeriod() external view returns (uint256);
}
