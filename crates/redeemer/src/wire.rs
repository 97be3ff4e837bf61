//! The wire form of go-livepeer's Ticket Redemption Service ([`crate::proto`]) to and from our
//! types: integers as big-endian bytes without leading zeros, addresses as 20 bytes.

use alloy::primitives::{Address, B256, Bytes, U256};
use livepeer_protocol::ticket::{AuxData, SIGNATURE_LEN, SignedTicket, Ticket};

use crate::proto;

/// A field of a gRPC ticket that cannot be a ticket; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {problem}")]
pub struct FieldError {
    /// The protobuf field, as `message.field`.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: String,
}

fn field_error(field: &'static str, problem: impl Into<String>) -> FieldError {
    FieldError {
        field,
        problem: problem.into(),
    }
}

/// An unsigned integer of at most 32 big-endian bytes (empty is zero).
pub fn uint(field: &'static str, bytes: &[u8]) -> Result<U256, FieldError> {
    U256::try_from_be_slice(bytes).ok_or_else(|| {
        field_error(
            field,
            format!("{} bytes is more than a uint256 (32 bytes)", bytes.len()),
        )
    })
}

/// A 20-byte address.
pub fn address(field: &'static str, bytes: &[u8]) -> Result<Address, FieldError> {
    Address::try_from(bytes).map_err(|_| {
        field_error(
            field,
            format!("an address is 20 bytes, got {}", bytes.len()),
        )
    })
}

fn hash(field: &'static str, bytes: &[u8]) -> Result<B256, FieldError> {
    B256::try_from(bytes)
        .map_err(|_| field_error(field, format!("a hash is 32 bytes, got {}", bytes.len())))
}

/// Big-endian bytes without leading zeros (zero is empty), Go's `big.Int.Bytes()`.
pub fn uint_bytes(value: U256) -> Vec<u8> {
    let bytes = value.to_be_bytes_vec();
    let first = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
    bytes[first..].to_vec()
}

/// The ticket a `QueueTicket` request carries. The expiration parameters are read from
/// `Ticket.expiration_params` (what go-livepeer fills), else from `TicketParams.expiration_params`.
pub fn signed_ticket(msg: &proto::Ticket) -> Result<SignedTicket, FieldError> {
    let params = msg
        .ticket_params
        .as_ref()
        .ok_or_else(|| field_error("Ticket.ticket_params", "missing"))?;
    let sender_params = msg
        .sender_params
        .as_ref()
        .ok_or_else(|| field_error("Ticket.sender_params", "missing"))?;
    let expiration = msg
        .expiration_params
        .as_ref()
        .or(params.expiration_params.as_ref())
        .ok_or_else(|| field_error("Ticket.expiration_params", "missing"))?;
    if expiration.creation_round < 0 {
        return Err(field_error(
            "TicketExpirationParams.creation_round",
            format!("negative ({})", expiration.creation_round),
        ));
    }
    if sender_params.sig.len() != SIGNATURE_LEN {
        return Err(field_error(
            "TicketSenderParams.sig",
            format!(
                "a signature is {SIGNATURE_LEN} bytes, got {}",
                sender_params.sig.len()
            ),
        ));
    }
    let ticket = Ticket {
        recipient: address("TicketParams.recipient", &params.recipient)?,
        sender: address("Ticket.sender", &msg.sender)?,
        face_value: uint("TicketParams.face_value", &params.face_value)?,
        win_prob: uint("TicketParams.win_prob", &params.win_prob)?,
        sender_nonce: U256::from(sender_params.sender_nonce),
        recipient_rand_hash: hash(
            "TicketParams.recipient_rand_hash",
            &params.recipient_rand_hash,
        )?,
        aux_data: AuxData {
            creation_round: U256::from(expiration.creation_round.unsigned_abs()),
            creation_round_block_hash: hash(
                "TicketExpirationParams.creation_round_block_hash",
                &expiration.creation_round_block_hash,
            )?,
        }
        .encode(),
    };
    Ok(SignedTicket {
        ticket,
        signature: Bytes::copy_from_slice(&sender_params.sig),
        recipient_rand: uint("Ticket.recipient_rand", &msg.recipient_rand)?,
    })
}

/// `TicketParams.expiration_block`: the block the ticket's parameters expire at, if given (empty
/// or zero: none).
pub fn params_expiration_block(msg: &proto::Ticket) -> Result<Option<u64>, FieldError> {
    let Some(params) = &msg.ticket_params else {
        return Ok(None);
    };
    let block = uint("TicketParams.expiration_block", &params.expiration_block)?;
    if block.is_zero() {
        return Ok(None);
    }
    u64::try_from(block)
        .map(Some)
        .map_err(|_| field_error("TicketParams.expiration_block", "not a block number"))
}

/// The `QueueTicket` request go-livepeer's client sends for `signed` (for tests and tools).
pub fn ticket_message(signed: &SignedTicket) -> Result<proto::Ticket, FieldError> {
    let t = &signed.ticket;
    let aux = t
        .aux()
        .map_err(|e| field_error("Ticket.expiration_params", e.to_string()))?;
    let creation_round = i64::try_from(aux.creation_round).map_err(|_| {
        field_error(
            "TicketExpirationParams.creation_round",
            "does not fit an int64",
        )
    })?;
    let sender_nonce = u32::try_from(t.sender_nonce).map_err(|_| {
        field_error(
            "TicketSenderParams.sender_nonce",
            "go-livepeer's nonces are uint32",
        )
    })?;
    Ok(proto::Ticket {
        ticket_params: Some(proto::TicketParams {
            recipient: t.recipient.to_vec(),
            face_value: uint_bytes(t.face_value),
            win_prob: uint_bytes(t.win_prob),
            recipient_rand_hash: t.recipient_rand_hash.to_vec(),
            seed: Vec::new(),
            expiration_block: Vec::new(),
            expiration_params: None,
        }),
        sender: t.sender.to_vec(),
        expiration_params: Some(proto::TicketExpirationParams {
            creation_round,
            creation_round_block_hash: aux.creation_round_block_hash.to_vec(),
        }),
        sender_params: Some(proto::TicketSenderParams {
            sender_nonce,
            sig: signed.signature.to_vec(),
        }),
        recipient_rand: uint_bytes(signed.recipient_rand),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> SignedTicket {
        SignedTicket {
            ticket: Ticket {
                recipient: Address::repeat_byte(1),
                sender: Address::repeat_byte(2),
                face_value: U256::from(1_000_000u64),
                win_prob: U256::MAX / U256::from(3u64),
                sender_nonce: U256::from(7u64),
                recipient_rand_hash: B256::repeat_byte(3),
                aux_data: AuxData {
                    creation_round: U256::from(42u64),
                    creation_round_block_hash: B256::repeat_byte(4),
                }
                .encode(),
            },
            signature: Bytes::from(vec![5u8; 65]),
            recipient_rand: U256::ZERO,
        }
    }

    #[test]
    fn a_ticket_survives_the_round_trip_and_zero_is_empty() -> Result<(), FieldError> {
        let signed = sample();
        let msg = ticket_message(&signed)?;
        assert!(msg.recipient_rand.is_empty());
        assert_eq!(
            msg.ticket_params.as_ref().map(|p| p.face_value.clone()),
            Some(vec![0x0f, 0x42, 0x40])
        );
        assert_eq!(signed_ticket(&msg)?, signed);
        Ok(())
    }

    #[test]
    fn expiration_falls_back_to_the_ticket_params_copy() -> Result<(), FieldError> {
        let signed = sample();
        let mut msg = ticket_message(&signed)?;
        let exp = msg.expiration_params.take();
        if let Some(p) = msg.ticket_params.as_mut() {
            p.expiration_params = exp;
        }
        assert_eq!(signed_ticket(&msg)?, signed);
        Ok(())
    }

    type Breaker = Box<dyn Fn(&mut proto::Ticket)>;

    #[test]
    fn each_malformed_field_is_named() -> Result<(), FieldError> {
        let good = ticket_message(&sample())?;
        let cases: Vec<(&str, Breaker)> = vec![
            ("Ticket.sender", Box::new(|m| m.sender = vec![1; 19])),
            (
                "TicketParams.recipient",
                Box::new(|m| {
                    if let Some(p) = m.ticket_params.as_mut() {
                        p.recipient = vec![]
                    }
                }),
            ),
            (
                "TicketParams.face_value",
                Box::new(|m| {
                    if let Some(p) = m.ticket_params.as_mut() {
                        p.face_value = vec![1; 33]
                    }
                }),
            ),
            (
                "TicketParams.win_prob",
                Box::new(|m| {
                    if let Some(p) = m.ticket_params.as_mut() {
                        p.win_prob = vec![1; 40]
                    }
                }),
            ),
            (
                "TicketParams.recipient_rand_hash",
                Box::new(|m| {
                    if let Some(p) = m.ticket_params.as_mut() {
                        p.recipient_rand_hash = vec![1; 31]
                    }
                }),
            ),
            (
                "TicketSenderParams.sig",
                Box::new(|m| {
                    if let Some(p) = m.sender_params.as_mut() {
                        p.sig = vec![1; 64]
                    }
                }),
            ),
            (
                "TicketExpirationParams.creation_round",
                Box::new(|m| {
                    if let Some(p) = m.expiration_params.as_mut() {
                        p.creation_round = -1
                    }
                }),
            ),
            (
                "TicketExpirationParams.creation_round_block_hash",
                Box::new(|m| {
                    if let Some(p) = m.expiration_params.as_mut() {
                        p.creation_round_block_hash = vec![1; 2]
                    }
                }),
            ),
            (
                "Ticket.recipient_rand",
                Box::new(|m| m.recipient_rand = vec![1; 33]),
            ),
            ("Ticket.ticket_params", Box::new(|m| m.ticket_params = None)),
            ("Ticket.sender_params", Box::new(|m| m.sender_params = None)),
            (
                "Ticket.expiration_params",
                Box::new(|m| m.expiration_params = None),
            ),
        ];
        for (field, break_it) in cases {
            let mut msg = good.clone();
            break_it(&mut msg);
            let named = signed_ticket(&msg).err().map(|e| e.field);
            assert_eq!(named, Some(field), "{field}: refused naming it");
        }
        Ok(())
    }
}
