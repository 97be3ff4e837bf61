//! Why a ticket is not redeemable: one variant per rule, named after the TicketBroker's custom
//! errors.

use alloy::primitives::{Address, B256, U256};

use crate::round::Round;

/// A broken validity or redemption rule.
///
/// Each variant has the name of the `ITicketBroker` custom error the contract reverts with for the
/// same rule ([`TicketError::contract_name`] returns it), so off-chain and on-chain outcomes can be
/// compared one to one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketError {
    /// The current round has not been initialized (redemption is checked first for this).
    #[error("round {round} is not initialized")]
    RoundNotInitialized {
        /// The current round.
        round: Round,
    },
    /// The ticket names no recipient.
    #[error("the ticket names no recipient")]
    ZeroRecipient,
    /// The ticket names no sender.
    #[error("the ticket names no sender")]
    ZeroSender,
    /// `auxData` is not exactly 64 bytes.
    #[error("auxData is {length} bytes, expected 64 (abi.encode(creationRound, blockHash))")]
    InvalidAuxDataLength {
        /// The length found.
        length: usize,
    },
    /// No block hash is recorded for the ticket's creation round (never initialized).
    #[error("creation round {creation_round} was never initialized")]
    UnknownCreationRound {
        /// The round named by `auxData`.
        creation_round: U256,
    },
    /// The block hash in `auxData` is not the one recorded for the creation round.
    #[error("block hash {given} is not the one recorded for round {creation_round} ({recorded})")]
    CreationRoundBlockHashMismatch {
        /// The round named by `auxData`.
        creation_round: U256,
        /// The hash the RoundsManager recorded.
        recorded: B256,
        /// The hash in `auxData`.
        given: B256,
    },
    /// `creationRound + ticketValidityPeriod <= currentRound`.
    #[error("ticket of round {creation_round} expired (current round {current_round})")]
    TicketExpired {
        /// The round named by `auxData`.
        creation_round: U256,
        /// The current round.
        current_round: Round,
    },
    /// `keccak256(abi.encodePacked(recipientRand)) != recipientRandHash`.
    #[error("recipientRand does not match recipientRandHash")]
    RecipientRandMismatch,
    /// The ticket was already redeemed.
    #[error("ticket {ticket_hash} was already redeemed")]
    TicketUsed {
        /// The ticket's hash.
        ticket_hash: B256,
    },
    /// Not a 65-byte low-s signature with `v` in {27, 28} by the sender over the ticket's eth_sign
    /// digest.
    #[error("invalid signature: {reason}")]
    InvalidSignature {
        /// Which part of the check failed (not part of the contract's error).
        reason: SignatureFault,
    },
    /// `keccak256(sig ‖ recipientRand) >= winProb`.
    #[error("the ticket did not win")]
    TicketDidNotWin,
    /// The sender's unlock period is over: its funds can no longer pay tickets.
    #[error("sender {sender} has unlocked its funds")]
    SenderUnlocked {
        /// The ticket's sender.
        sender: Address,
    },
    /// The sender has neither deposit nor reserve.
    #[error("sender {sender} has no deposit and no reserve")]
    NoFunds {
        /// The ticket's sender.
        sender: Address,
    },
    /// The deposit and the recipient's reserve slice together are below the face value: the ticket
    /// is not paid (never partly) and stays unused, redeemable once the sender's funds cover it or
    /// in its last round. A deferral, not a failure.
    #[error(
        "{sender} can pay {recipient} at most {available} wei now, below the face value {face_value}"
    )]
    InsufficientFunds {
        /// The ticket's sender.
        sender: Address,
        /// The ticket's recipient.
        recipient: Address,
        /// The ticket's face value.
        face_value: U256,
        /// Deposit + the recipient's claimable reserve slice.
        available: U256,
    },
    /// Neither the deposit nor the recipient's reserve slice can pay anything now.
    #[error("nothing can be paid to {recipient} from {sender} right now")]
    NothingToPay {
        /// The ticket's sender.
        sender: Address,
        /// The ticket's recipient.
        recipient: Address,
    },
}

impl TicketError {
    /// The name of the `ITicketBroker` custom error the contract reverts with for this rule.
    pub fn contract_name(&self) -> &'static str {
        match self {
            Self::RoundNotInitialized { .. } => "RoundNotInitialized",
            Self::ZeroRecipient => "ZeroRecipient",
            Self::ZeroSender => "ZeroSender",
            Self::InvalidAuxDataLength { .. } => "InvalidAuxDataLength",
            Self::UnknownCreationRound { .. } => "UnknownCreationRound",
            Self::CreationRoundBlockHashMismatch { .. } => "CreationRoundBlockHashMismatch",
            Self::TicketExpired { .. } => "TicketExpired",
            Self::RecipientRandMismatch => "RecipientRandMismatch",
            Self::TicketUsed { .. } => "TicketUsed",
            Self::InvalidSignature { .. } => "InvalidSignature",
            Self::TicketDidNotWin => "TicketDidNotWin",
            Self::SenderUnlocked { .. } => "SenderUnlocked",
            Self::NoFunds { .. } => "NoFunds",
            Self::NothingToPay { .. } => "NothingToPay",
            Self::InsufficientFunds { .. } => "InsufficientFunds",
        }
    }

    /// `"<ContractErrorName>: <message>"`, the form the redeemer records reasons in.
    pub fn to_string_named(&self) -> String {
        format!("{}: {self}", self.contract_name())
    }

    /// Whether the ticket can never be redeemed after this error, whatever happens on chain later.
    ///
    /// The others (round not initialized, sender without funds or unlocked, funds short of the face
    /// value, nothing payable) can
    /// clear before the ticket expires; [`TicketError::TicketUsed`] is final too.
    pub fn is_permanent(&self) -> bool {
        !matches!(
            self,
            Self::RoundNotInitialized { .. }
                | Self::SenderUnlocked { .. }
                | Self::NoFunds { .. }
                | Self::NothingToPay { .. }
                | Self::InsufficientFunds { .. }
        )
    }
}

/// Which part of the signature check failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureFault {
    /// Not exactly 65 bytes (EIP-2098 64-byte signatures included).
    #[error("expected 65 bytes, got {0}")]
    Length(usize),
    /// `v` is neither 27 nor 28.
    #[error("v is {0}, expected 27 or 28")]
    V(u8),
    /// `s` is above half the curve order (malleable "high-s" form).
    #[error("s is in the upper half of the curve order")]
    HighS,
    /// No public key can be recovered (e.g. `r` or `s` zero or out of range).
    #[error("no key recovers from the signature")]
    Unrecoverable,
    /// The key recovered is not the sender's.
    #[error("signed by {0}, not by the sender")]
    WrongSigner(Address),
}
