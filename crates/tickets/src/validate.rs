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
//! [`payable_amount`]. [`check_offline`] is the subset that needs no chain state (3, 7, 9, 10),
//! which is what `test/vectors/tickets.json` covers.

use alloy::primitives::{Address, B256, U256};
use serde::{Deserialize, Serialize};

use crate::{
    error::TicketError,
    ticket::{AuxData, SignedTicket, recipient_rand_hash, verify_signature},
};

/// What the rules need to know about the chain for one ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ChainState {
    /// `RoundsManager.currentRound()`.
    pub current_round: U256,
    /// `RoundsManager.lastInitializedRound()`.
    pub last_initialized_round: U256,
    /// `TicketBroker.ticketValidityPeriod()`.
    pub ticket_validity_period: U256,
    /// `RoundsManager.blockHashForRound(creationRound)` for the ticket's creation round (zero when
    /// none is recorded, or when `auxData` does not decode).
    pub recorded_block_hash: B256,
    /// `TicketBroker.usedTickets(ticketHash)`.
    pub used: bool,
}

/// A sender's funds as the TicketBroker sees them, from the recipient's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SenderFunds {
    /// `getSenderInfo(sender).sender.deposit`.
    pub deposit: U256,
    /// `getSenderInfo(sender).reserve.fundsRemaining`.
    pub reserve: U256,
    /// `getSenderInfo(sender).sender.withdrawRound` (zero: no unlock started).
    pub withdraw_round: U256,
    /// `claimableReserve(sender, recipient)`: what the recipient may still take from the reserve
    /// this round.
    pub claimable_reserve: U256,
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

impl SenderFunds {
    /// The most a ticket to this recipient can be paid now: the deposit plus the recipient's
    /// claimable reserve slice (capped by what the reserve still holds), `deposit + claimable` in
    /// `_debitSender`. A ticket whose face value is above this defers (see [`payable_amount`]).
    pub fn available(&self) -> U256 {
        self.deposit
            .saturating_add(self.claimable_reserve.min(self.reserve))
    }
}

/// Rules 11–13: what redeeming a ticket of `face_value` pays now, as `_debitSender` computes it.
///
/// A ticket is paid its full face value (from the deposit, any shortfall from the recipient's
/// claimable reserve slice) or not at all: when [`SenderFunds::available`] is below the face value
/// the contract reverts with `InsufficientFunds` ([`TicketError::InsufficientFunds`]) and the ticket
/// stays unused, to be redeemed later. The exception is the ticket's last redeemable round
/// (`last_round`, see [`is_last_round`]): there it pays everything available, and `NothingToPay`
/// when that is zero.
pub fn payable_amount(
    face_value: U256,
    sender: Address,
    recipient: Address,
    funds: &SenderFunds,
    current_round: U256,
    last_round: bool,
) -> Result<U256, TicketError> {
    if funds.withdraw_round != U256::ZERO && current_round >= funds.withdraw_round {
        return Err(TicketError::SenderUnlocked { sender });
    }
    if funds.deposit.is_zero() && funds.reserve.is_zero() {
        return Err(TicketError::NoFunds { sender });
    }
    let amount = if face_value <= funds.deposit {
        face_value
    } else {
        let available = funds.available();
        if available >= face_value {
            face_value
        } else if last_round {
            available
        } else {
            return Err(TicketError::InsufficientFunds {
                sender,
                recipient,
                face_value,
                available,
            });
        }
    };
    if amount.is_zero() {
        return Err(TicketError::NothingToPay { sender, recipient });
    }
    Ok(amount)
}

/// Whether `current_round` is the last round a ticket created in `creation_round` can be redeemed
/// in: `creationRound + ticketValidityPeriod == currentRound + 1`. In that round an underfunded
/// ticket is paid what is available instead of reverting `InsufficientFunds`.
pub fn is_last_round(
    creation_round: U256,
    ticket_validity_period: U256,
    current_round: U256,
) -> bool {
    creation_round.saturating_add(ticket_validity_period)
        == current_round.saturating_add(U256::from(1u64))
}

/// Whether a ticket created in `creation_round` can still be redeemed in `current_round`:
/// `creationRound + ticketValidityPeriod > currentRound`.
pub fn is_live(creation_round: U256, ticket_validity_period: U256, current_round: U256) -> bool {
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
    use crate::ticket::{Ticket, generate_recipient_rand};
    use alloy::signers::local::PrivateKeySigner;

    const ROUND: u64 = 10;

    fn signed(win_prob: U256) -> Result<(SignedTicket, ChainState), crate::ticket::SignError> {
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
            current_round: U256::from(ROUND),
            last_initialized_round: U256::from(ROUND),
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
    fn valid_ticket_passes() -> Result<(), crate::ticket::SignError> {
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
    fn each_rule_in_order() -> Result<(), crate::ticket::SignError> {
        let (t, chain) = signed(U256::MAX)?;

        let c = ChainState {
            last_initialized_round: U256::from(ROUND - 1),
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
            current_round: U256::from(ROUND + 1),
            last_initialized_round: U256::from(ROUND + 1),
            ..chain
        };
        assert_eq!(name(check_ticket(&t, &c)), "ok");
        let c = ChainState {
            current_round: U256::from(ROUND + 2),
            last_initialized_round: U256::from(ROUND + 2),
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
    fn payable_amount_follows_debit_sender() {
        let sender = Address::repeat_byte(2);
        let recipient = Address::repeat_byte(3);
        let round = U256::from(ROUND);
        let pay_in = |last: bool, face: u64, funds: SenderFunds| {
            payable_amount(U256::from(face), sender, recipient, &funds, round, last)
        };
        let pay = |face: u64, funds: SenderFunds| pay_in(false, face, funds);
        let funds = |deposit: u64, reserve: u64, claimable: u64, withdraw: u64| SenderFunds {
            deposit: U256::from(deposit),
            reserve: U256::from(reserve),
            withdraw_round: U256::from(withdraw),
            claimable_reserve: U256::from(claimable),
        };
        let short = |face: u64, available: u64| {
            Err(TicketError::InsufficientFunds {
                sender,
                recipient,
                face_value: U256::from(face),
                available: U256::from(available),
            })
        };
        // The deposit covers it.
        assert_eq!(pay(100, funds(1000, 0, 0, 0)), Ok(U256::from(100u64)));
        assert_eq!(pay(100, funds(100, 0, 0, 0)), Ok(U256::from(100u64)));
        // Deposit + slice covers it: full face value.
        assert_eq!(pay(100, funds(40, 500, 300, 0)), Ok(U256::from(100u64)));
        assert_eq!(pay(100, funds(40, 500, 60, 0)), Ok(U256::from(100u64)));
        // Short: reverts, whatever part could be paid (never a partial payment).
        assert_eq!(pay(100, funds(40, 500, 30, 0)), short(100, 70));
        assert_eq!(pay(100, funds(40, 500, 59, 0)), short(100, 99));
        assert_eq!(pay(100, funds(0, 500, 0, 0)), short(100, 0));
        assert_eq!(pay(100, funds(99, 0, 0, 0)), short(100, 99));
        // The slice is capped by what the reserve holds.
        assert_eq!(pay(100, funds(40, 20, 300, 0)), short(100, 60));
        // Last round: pays what is available, NothingToPay when nothing is.
        assert_eq!(
            pay_in(true, 100, funds(40, 500, 30, 0)),
            Ok(U256::from(70u64))
        );
        assert_eq!(
            pay_in(true, 100, funds(40, 20, 300, 0)),
            Ok(U256::from(60u64))
        );
        assert_eq!(
            pay_in(true, 100, funds(40, 500, 300, 0)),
            Ok(U256::from(100u64))
        );
        assert_eq!(
            pay_in(true, 100, funds(0, 500, 0, 0)),
            Err(TicketError::NothingToPay { sender, recipient })
        );
        assert_eq!(
            pay(0, funds(10, 0, 0, 0)),
            Err(TicketError::NothingToPay { sender, recipient })
        );
        assert_eq!(
            pay(100, funds(0, 0, 0, 0)),
            Err(TicketError::NoFunds { sender })
        );
        // An unlock still running pays; a finished one does not.
        assert_eq!(
            pay(100, funds(1000, 0, 0, ROUND + 1)),
            Ok(U256::from(100u64))
        );
        assert_eq!(
            pay(100, funds(1000, 0, 0, ROUND)),
            Err(TicketError::SenderUnlocked { sender })
        );
    }

    #[test]
    fn available_and_last_round() {
        let f = SenderFunds {
            deposit: U256::from(40u64),
            reserve: U256::from(20u64),
            withdraw_round: U256::ZERO,
            claimable_reserve: U256::from(300u64),
        };
        assert_eq!(f.available(), U256::from(60u64));
        let f = SenderFunds {
            reserve: U256::from(500u64),
            ..f
        };
        assert_eq!(f.available(), U256::from(340u64));
        let r = |x: u64| U256::from(x);
        // Created in 10 with a period of 2: redeemable in 10 and 11, 11 is the last.
        assert!(!is_last_round(r(10), r(2), r(10)));
        assert!(is_last_round(r(10), r(2), r(11)));
        assert!(!is_last_round(r(10), r(2), r(12)));
        assert!(is_live(r(10), r(2), r(11)) && !is_live(r(10), r(2), r(12)));
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
        assert!(!TicketError::RoundNotInitialized { round: U256::ZERO }.is_permanent());
        let short = TicketError::InsufficientFunds {
            sender: Address::ZERO,
            recipient: Address::ZERO,
            face_value: U256::from(2u64),
            available: U256::from(1u64),
        };
        assert!(!short.is_permanent());
        assert_eq!(short.contract_name(), "InsufficientFunds");
    }
}
