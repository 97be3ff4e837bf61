//! Livepeer probabilistic-micropayment tickets, exactly as the TicketBroker sees them.
//!
//! | rule | contract | here |
//! |---|---|---|
//! | ticket hash | `TicketBroker.getTicketHash` | [`Ticket::hash`] |
//! | the digest the sender signs (eth_sign) | `redeemWinningTicket` | [`Ticket::signing_digest`], [`Ticket::sign`] / [`Ticket::sign_sync`] (65 bytes, low-s, `v` in {27, 28}) |
//! | `auxData` | `redeemWinningTicket` | [`AuxData`]: `abi.encode(creationRound, creationRoundBlockHash)` |
//! | the recipient's commitment | `redeemWinningTicket` | [`recipient_rand_hash`] ([`generate_recipient_rand`], [`derive_recipient_rand`] make the number) |
//! | signature check, lottery | `redeemWinningTicket` | [`verify_signature`], [`is_winning`] |
//! | validity rules 0–10, in the contract's order | `redeemWinningTicket` | [`check_ticket`], [`check_offline`]; each failure a [`TicketError`] named after the contract's custom error |
//! | expiry, last redeemable round | `redeemWinningTicket` | [`is_live`], [`is_last_round`] |
//! | what a ticket pays (rules 11–14) | `redeemWinningTicket` (`_debitSender`) | [`payable_amount`], [`SenderFunds`] |
//! | the recipient's reserve slice | `TicketBroker.claimableReserve` | [`claimable_reserve`], [`reserve_slice`] |
//!
//! The recipient side (queue, redemption, the gRPC Ticket Redemption Service) is the
//! `livepeer-redeemer` crate.
//!
//! # Broadcaster: make and sign a ticket
//!
//! ```
//! use alloy::{primitives::{Address, B256, U256}, signers::local::PrivateKeySigner};
//! use livepeer_protocol::ticket::{AuxData, SignedTicket, Ticket, generate_recipient_rand, recipient_rand_hash};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let broadcaster = PrivateKeySigner::random();
//! // The orchestrator keeps `rand` secret and hands out its hash.
//! let rand = generate_recipient_rand()?;
//! let ticket = Ticket {
//!     recipient: Address::repeat_byte(0x11),
//!     sender: broadcaster.address(),
//!     face_value: U256::from(10u64).pow(U256::from(15u64)),
//!     win_prob: U256::MAX / U256::from(1000u64), // wins 1 time in 1000
//!     sender_nonce: U256::from(1u64),
//!     recipient_rand_hash: recipient_rand_hash(rand),
//!     aux_data: AuxData { creation_round: U256::from(42u64), creation_round_block_hash: B256::ZERO }.encode(),
//! };
//! let signature = ticket.sign_sync(&broadcaster)?;
//! let signed = SignedTicket { ticket, signature, recipient_rand: rand };
//! // The orchestrator checks it and keeps it for redemption if it won.
//! let _won = signed.is_winning();
//! # Ok(())
//! # }
//! ```

mod error;
mod funds;
mod hash;
mod validate;

pub use error::{SignatureFault, TicketError};
pub use funds::{SenderFunds, claimable_reserve, payable_amount, reserve_slice};
pub use hash::{
    AUX_DATA_LEN, AuxData, RandomnessError, SECP256K1N_HALF, SIGNATURE_LEN, SignError,
    SignedTicket, Ticket, derive_recipient_rand, eth_sign_digest, generate_recipient_rand,
    is_winning, recipient_rand_hash, verify_signature,
};
pub use validate::{ChainState, check_offline, check_ticket, is_last_round, is_live};
