//! Every validity and redemption rule of `TicketBroker.redeemWinningTicket`, in the contract's order.
//!
//! The contract checks, in this order (each failure is the [`TicketError`] of the same name):
//!
//! 0. the current round is initialized (`RoundNotInitialized`);
//! 1. recipient non-zero (`ZeroRecipient`), 2. sender non-zero (`ZeroSender`);
//! 3. `auxData` is 64 bytes (`InvalidAuxDataLength`);
//! 4. a block hash is recorded for `creationRound` (`UnknownCreationRound`) and 5. equals
//!    `creationRoundBlockHash` (`CreationRoundBlockHashMismatch`);
//! 6. `creationRound + ticketValidityPeriod > currentRound` (`TicketExpired`);
//! 7. `keccak256(abi.encodePacked(recipientRand)) == recipientRandHash` (`RecipientRandMismatch`);
//! 8. not in `usedTickets` (`TicketUsed`);
//! 9. a 65-byte low-s signature by the sender (`InvalidSignature`);
//! 10. the ticket wins (`TicketDidNotWin`);
//! 11. the sender is still locked (`SenderUnlocked`), 12. has a deposit or reserve (`NoFunds`);
//! 13. the deposit and the recipient's reserve slice cover the face value (`InsufficientFunds`),
//!     except in the ticket's last redeemable round; 14. something can be paid (`NothingToPay`).
//!
//! Rules 0–10 are [`check_ticket`] (given the chain state in a [`ChainState`]); rules 11–14 are
//! [`super::payable_amount`]. [`check_offline`] is the subset that needs no chain state (3, 7, 9,
//! 10), which is what `test/vectors/tickets.json` covers.

use alloy::primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};

use super::{
    error::TicketError,
    hash::{AuxData, SignedTicket, recipient_rand_hash, verify_signature},
};
use crate::round::Round;

/// What the rules need to know about the chain for one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChainState {
    /// `RoundsManager.currentRound()`.
    pub current_round: Round,
    /// `RoundsManager.lastInitializedRound()`.
    pub last_initialized_round: Round,
    /// `TicketBroker.ticketValidityPeriod()`.
    pub ticket_validity_period: U256,
    /// `RoundsManager.blockHashForRound(creationRound)` for the ticket's creation round (zero when
    /// none is recorded, or when `auxData` does not decode).
    pub recorded_block_hash: B256,
    /// `TicketBroker.usedTickets(ticketHash)`.
    pub used: bool,
}

/// Checks rules 0–10 (everything but the sender's funds) and returns the decoded `auxData`.
pub fn check_ticket(signed: &SignedTicket, chain: &ChainState) -> Result<AuxData, TicketError> {
    if chain.last_initialized_round != chain.current_round {
        return Err(TicketError::RoundNotInitialized {
            round: chain.current_round,
        });
    }
    let ticket = &signed.ticket;
    if ticket.recipient == Address::ZERO {
        return Err(TicketError::ZeroRecipient);
    }
    if ticket.sender == Address::ZERO {
        return Err(TicketError::ZeroSender);
    }
    let aux = AuxData::decode(&ticket.aux_data)?;
    if chain.recorded_block_hash == B256::ZERO {
        return Err(TicketError::UnknownCreationRound {
            creation_round: aux.creation_round,
        });
    }
    if chain.recorded_block_hash != aux.creation_round_block_hash {
        return Err(TicketError::CreationRoundBlockHashMismatch {
            creation_round: aux.creation_round,
            recorded: chain.recorded_block_hash,
            given: aux.creation_round_block_hash,
        });
    }
    if !is_live(
        aux.creation_round,
        chain.ticket_validity_period,
        chain.current_round,
    ) {
        return Err(TicketError::TicketExpired {
            creation_round: aux.creation_round,
            current_round: chain.current_round,
        });
    }
    check_rand(signed)?;
    let ticket_hash = ticket.hash();
    if chain.used {
        return Err(TicketError::TicketUsed { ticket_hash });
    }
    check_signature_and_win(signed, ticket_hash)?;
    Ok(aux)
}

/// Checks the rules that need no chain state, in the contract's order: `auxData` length, the
/// `recipientRand` commitment, the signature, the lottery. This is what the shared vectors cover.
pub fn check_offline(signed: &SignedTicket) -> Result<AuxData, TicketError> {
    let aux = AuxData::decode(&signed.ticket.aux_data)?;
    check_rand(signed)?;
    check_signature_and_win(signed, signed.ticket.hash())?;
    Ok(aux)
}

/// Whether `current_round` is the last round a ticket created in `creation_round` can be redeemed
/// in: `creationRound + ticketValidityPeriod == currentRound + 1`. In that round an underfunded
/// ticket is paid what is available instead of reverting `InsufficientFunds`.
pub fn is_last_round(
    creation_round: U256,
    ticket_validity_period: U256,
    current_round: Round,
) -> bool {
    creation_round.saturating_add(ticket_validity_period)
        == current_round.to_u256().saturating_add(U256::from(1u64))
}

/// Whether a ticket created in `creation_round` can still be redeemed in `current_round`:
/// `creationRound + ticketValidityPeriod > currentRound`.
pub fn is_live(creation_round: U256, ticket_validity_period: U256, current_round: Round) -> bool {
    creation_round.saturating_add(ticket_validity_period) > current_round
}

fn check_rand(signed: &SignedTicket) -> Result<(), TicketError> {
    if recipient_rand_hash(signed.recipient_rand) != signed.ticket.recipient_rand_hash {
        return Err(TicketError::RecipientRandMismatch);
    }
    Ok(())
}

fn check_signature_and_win(signed: &SignedTicket, ticket_hash: B256) -> Result<(), TicketError> {
    verify_signature(ticket_hash, &signed.signature, signed.ticket.sender)
        .map_err(|reason| TicketError::InvalidSignature { reason })?;
    if !signed.is_winning() {
        return Err(TicketError::TicketDidNotWin);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ticket::{SignError, Ticket, generate_recipient_rand};
    use alloy::signers::local::PrivateKeySigner;

    const ROUND: u64 = 10;

    fn signed(win_prob: U256) -> Result<(SignedTicket, ChainState), SignError> {
        let signer = PrivateKeySigner::random();
        let rand = generate_recipient_rand().unwrap_or(U256::from(99u64));
        let block_hash = B256::repeat_byte(0x42);
        let ticket = Ticket {
            recipient: Address::repeat_byte(1),
            sender: signer.address(),
            face_value: U256::from(100u64),
            win_prob,
            sender_nonce: U256::from(1u64),
            recipient_rand_hash: recipient_rand_hash(rand),
            aux_data: AuxData {
                creation_round: U256::from(ROUND),
                creation_round_block_hash: block_hash,
            }
            .encode(),
        };
        let signature = ticket.sign_sync(&signer)?;
        let chain = ChainState {
            current_round: Round::new(ROUND),
            last_initialized_round: Round::new(ROUND),
            ticket_validity_period: U256::from(2u64),
            recorded_block_hash: block_hash,
            used: false,
        };
        Ok((
            SignedTicket {
                ticket,
                signature,
                recipient_rand: rand,
            },
            chain,
        ))
    }

    fn name(r: Result<AuxData, TicketError>) -> &'static str {
        match r {
            Ok(_) => "ok",
            Err(e) => e.contract_name(),
        }
    }

    #[test]
    fn valid_ticket_passes() -> Result<(), SignError> {
        let (t, chain) = signed(U256::MAX)?;
        assert_eq!(
            check_ticket(&t, &chain).map(|a| a.creation_round),
            Ok(U256::from(ROUND))
        );
        assert_eq!(
            check_offline(&t).map(|a| a.creation_round),
            Ok(U256::from(ROUND))
        );
        Ok(())
    }

    #[test]
    fn each_rule_in_order() -> Result<(), SignError> {
        let (t, chain) = signed(U256::MAX)?;

        let c = ChainState {
            last_initialized_round: Round::new(ROUND - 1),
            ..chain
        };
        // Round check comes before everything, even a zero recipient.
        let mut bad = t.clone();
        bad.ticket.recipient = Address::ZERO;
        assert_eq!(name(check_ticket(&bad, &c)), "RoundNotInitialized");
        assert_eq!(name(check_ticket(&bad, &chain)), "ZeroRecipient");

        let mut bad = t.clone();
        bad.ticket.sender = Address::ZERO;
        bad.ticket.aux_data = Default::default();
        assert_eq!(name(check_ticket(&bad, &chain)), "ZeroSender");

        let mut bad = t.clone();
        bad.ticket.aux_data = vec![0u8; 32].into();
        assert_eq!(name(check_ticket(&bad, &chain)), "InvalidAuxDataLength");

        let c = ChainState {
            recorded_block_hash: B256::ZERO,
            ..chain
        };
        assert_eq!(name(check_ticket(&t, &c)), "UnknownCreationRound");
        let c = ChainState {
            recorded_block_hash: B256::repeat_byte(1),
            ..chain
        };
        assert_eq!(name(check_ticket(&t, &c)), "CreationRoundBlockHashMismatch");

        // Valid through round + period - 1, expired at round + period.
        let c = ChainState {
            current_round: Round::new(ROUND + 1),
            last_initialized_round: Round::new(ROUND + 1),
            ..chain
        };
        assert_eq!(name(check_ticket(&t, &c)), "ok");
        let c = ChainState {
            current_round: Round::new(ROUND + 2),
            last_initialized_round: Round::new(ROUND + 2),
            ..chain
        };
        assert_eq!(name(check_ticket(&t, &c)), "TicketExpired");

        let mut bad = t.clone();
        bad.recipient_rand += U256::from(1u64);
        assert_eq!(name(check_ticket(&bad, &chain)), "RecipientRandMismatch");

        let c = ChainState {
            used: true,
            ..chain
        };
        // Used is checked before the signature.
        let mut bad = t.clone();
        bad.signature = Default::default();
        assert_eq!(name(check_ticket(&bad, &c)), "TicketUsed");
        assert_eq!(name(check_ticket(&bad, &chain)), "InvalidSignature");

        let (losing, chain) = signed(U256::ZERO)?;
        assert_eq!(name(check_ticket(&losing, &chain)), "TicketDidNotWin");
        Ok(())
    }

    #[test]
    fn permanence() {
        assert!(TicketError::TicketDidNotWin.is_permanent());
        assert!(TicketError::RecipientRandMismatch.is_permanent());
        assert!(
            !TicketError::NoFunds {
                sender: Address::ZERO
            }
            .is_permanent()
        );
        assert!(!TicketError::RoundNotInitialized { round: Round::ZERO }.is_permanent());
        let short = TicketError::InsufficientFunds {
            sender: Address::ZERO,
            recipient: Address::ZERO,
            face_value: U256::from(2u64),
            available: U256::from(1u64),
        };
        assert!(!short.is_permanent());
        assert_eq!(short.contract_name(), "InsufficientFunds");
    }

    #[test]
    fn last_round_and_expiry() {
        let (r, n) = (|x: u64| U256::from(x), Round::new);
        // Created in 10 with a period of 2: redeemable in 10 and 11, 11 is the last.
        assert!(!is_last_round(r(10), r(2), n(10)));
        assert!(is_last_round(r(10), r(2), n(11)));
        assert!(!is_last_round(r(10), r(2), n(12)));
        assert!(is_live(r(10), r(2), n(11)) && !is_live(r(10), r(2), n(12)));
        // A creation round no chain has: never last, live (it fails UnknownCreationRound first).
        assert!(!is_last_round(U256::MAX, r(2), n(11)));
        assert!(is_live(U256::MAX, r(2), n(11)));
    }
}
