//! The ticket and what `TicketBroker.redeemWinningTicket` checks of it without chain state: its
//! hash (`getTicketHash`), the sender's eth_sign signature (65 bytes, low-s, as OpenZeppelin's
//! `ECDSA.tryRecover`), the recipient's commitment and the lottery.

use alloy::{
    primitives::{Address, B256, Bytes, Signature, U256, eip191_hash_message, keccak256},
    signers::{Signer, SignerSync},
    sol_types::SolValue,
};
use serde::{Deserialize, Serialize};

use super::error::{SignatureFault, TicketError};

/// Half the secp256k1 group order: signatures with a larger `s` are rejected (as OpenZeppelin's
/// `ECDSA.tryRecover` does).
pub const SECP256K1N_HALF: U256 = U256::from_be_slice(&[
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

/// Length of a valid `auxData`: `abi.encode(uint256 creationRound, bytes32 creationRoundBlockHash)`.
pub const AUX_DATA_LEN: usize = 64;

/// Length of a valid signature: `r ‖ s ‖ v`.
pub const SIGNATURE_LEN: usize = 65;

/// A TicketBroker ticket: the seven fields of `ITicketBroker.Ticket`, in the contract's order.
///
/// Serialized (serde) with the contract's field names; numbers as `0x` hex (decimal strings are
/// accepted too), `auxData` as `0x` hex bytes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ticket {
    /// The orchestrator paid by the ticket.
    pub recipient: Address,
    /// The broadcaster paying, whose deposit and reserve back the ticket.
    pub sender: Address,
    /// Amount paid (wei) if the ticket wins.
    pub face_value: U256,
    /// Winning probability out of 2^256: the ticket wins when its draw is below this.
    pub win_prob: U256,
    /// The sender's nonce, distinct for each ticket with the same `recipientRandHash`.
    pub sender_nonce: U256,
    /// The recipient's commitment `keccak256(abi.encodePacked(recipientRand))`.
    pub recipient_rand_hash: B256,
    /// `abi.encode(creationRound, creationRoundBlockHash)` (see [`AuxData`]).
    pub aux_data: Bytes,
}

impl Ticket {
    /// The ticket hash, exactly as `TicketBroker.getTicketHash`:
    /// `keccak256(abi.encodePacked(recipient, sender, faceValue, winProb, senderNonce,
    /// recipientRandHash, auxData))`.
    pub fn hash(&self) -> B256 {
        let mut packed = Vec::with_capacity(20 + 20 + 32 * 4 + self.aux_data.len());
        packed.extend_from_slice(self.recipient.as_slice());
        packed.extend_from_slice(self.sender.as_slice());
        packed.extend_from_slice(&self.face_value.to_be_bytes::<32>());
        packed.extend_from_slice(&self.win_prob.to_be_bytes::<32>());
        packed.extend_from_slice(&self.sender_nonce.to_be_bytes::<32>());
        packed.extend_from_slice(self.recipient_rand_hash.as_slice());
        packed.extend_from_slice(&self.aux_data);
        keccak256(packed)
    }

    /// The digest the sender signs: `keccak256("\x19Ethereum Signed Message:\n32" ‖ hash)`.
    pub fn signing_digest(&self) -> B256 {
        eth_sign_digest(self.hash())
    }

    /// Decodes `auxData` (fails with [`TicketError::InvalidAuxDataLength`] unless 64 bytes).
    pub fn aux(&self) -> Result<AuxData, TicketError> {
        AuxData::decode(&self.aux_data)
    }

    /// Signs the ticket with `signer` (the sender's key): a 65-byte low-s `r ‖ s ‖ v` signature
    /// with `v` in {27, 28} over the eth_sign digest of the hash.
    pub async fn sign<S: Signer + Send + Sync + ?Sized>(
        &self,
        signer: &S,
    ) -> Result<Bytes, SignError> {
        let signature = signer.sign_message(self.hash().as_slice()).await?;
        Ok(encode_signature(signature))
    }

    /// [`Ticket::sign`] for signers that sign synchronously (local keys).
    pub fn sign_sync<S: SignerSync + ?Sized>(&self, signer: &S) -> Result<Bytes, SignError> {
        let signature = signer.sign_message_sync(self.hash().as_slice())?;
        Ok(encode_signature(signature))
    }
}

/// A signer failed to sign a ticket.
#[derive(Debug, thiserror::Error)]
#[error("signing the ticket failed: {0}")]
pub struct SignError(#[from] alloy::signers::Error);

/// A signed ticket with the recipient's revealed random number: everything `redeemWinningTicket`
/// takes.
///
/// JSON form (one line of the redeemer's inbox):
/// `{"ticket":{"recipient":"0x…","sender":"0x…","faceValue":"0x…","winProb":"0x…",
/// "senderNonce":"0x…","recipientRandHash":"0x…","auxData":"0x…"},"signature":"0x…",
/// "recipientRand":"0x…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedTicket {
    /// The ticket.
    pub ticket: Ticket,
    /// The sender's signature as submitted (65 bytes when valid).
    pub signature: Bytes,
    /// The recipient's secret, revealed at redemption; its hash is the ticket's commitment.
    pub recipient_rand: U256,
}

impl SignedTicket {
    /// Whether the ticket wins the lottery (see [`is_winning`]).
    pub fn is_winning(&self) -> bool {
        is_winning(&self.signature, self.recipient_rand, self.ticket.win_prob)
    }
}

/// `creationRound` and `creationRoundBlockHash`, the decoded `auxData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuxData {
    /// The round the ticket was created in.
    pub creation_round: U256,
    /// `RoundsManager.blockHashForRound(creationRound)`.
    pub creation_round_block_hash: B256,
}

impl AuxData {
    /// `abi.encode(creationRound, creationRoundBlockHash)`: 64 bytes.
    pub fn encode(&self) -> Bytes {
        (self.creation_round, self.creation_round_block_hash)
            .abi_encode()
            .into()
    }

    /// Decodes 64 bytes of `auxData`; any other length is [`TicketError::InvalidAuxDataLength`].
    pub fn decode(aux_data: &[u8]) -> Result<Self, TicketError> {
        if aux_data.len() != AUX_DATA_LEN {
            return Err(TicketError::InvalidAuxDataLength {
                length: aux_data.len(),
            });
        }
        let (round, hash) = aux_data.split_at(32);
        Ok(Self {
            creation_round: U256::from_be_slice(round),
            creation_round_block_hash: B256::from_slice(hash),
        })
    }
}

/// The eth_sign digest of a ticket hash: `keccak256("\x19Ethereum Signed Message:\n32" ‖ hash)`.
pub fn eth_sign_digest(ticket_hash: B256) -> B256 {
    eip191_hash_message(ticket_hash)
}

/// A fresh random `recipientRand` from the operating system's generator.
pub fn generate_recipient_rand() -> Result<U256, RandomnessError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(RandomnessError)?;
    Ok(U256::from_be_bytes(bytes))
}

/// The operating system's random number generator failed.
#[derive(Debug, thiserror::Error)]
#[error("the system random number generator failed: {0}")]
pub struct RandomnessError(getrandom::Error);

/// A `recipientRand` derived from a recipient secret and a per-ticket-batch seed:
/// `keccak256(secret ‖ seed)`. Lets a recipient re-derive the number instead of storing it.
pub fn derive_recipient_rand(secret: &B256, seed: &[u8]) -> U256 {
    let mut data = Vec::with_capacity(32 + seed.len());
    data.extend_from_slice(secret.as_slice());
    data.extend_from_slice(seed);
    U256::from_be_bytes(keccak256(data).0)
}

/// The commitment to `recipientRand` put in a ticket: `keccak256(abi.encodePacked(recipientRand))`.
pub fn recipient_rand_hash(recipient_rand: U256) -> B256 {
    keccak256(recipient_rand.to_be_bytes::<32>())
}

/// The lottery: `uint256(keccak256(abi.encodePacked(sig, recipientRand))) < winProb`.
pub fn is_winning(signature: &[u8], recipient_rand: U256, win_prob: U256) -> bool {
    let mut data = Vec::with_capacity(signature.len() + 32);
    data.extend_from_slice(signature);
    data.extend_from_slice(&recipient_rand.to_be_bytes::<32>());
    U256::from_be_bytes(keccak256(data).0) < win_prob
}

/// Checks `signature` as the contract does: exactly 65 bytes `r ‖ s ‖ v`, `v` in {27, 28}, low
/// `s`, and `ecrecover(eth_sign_digest(ticket_hash))` equal to `sender`.
pub fn verify_signature(
    ticket_hash: B256,
    signature: &[u8],
    sender: Address,
) -> Result<(), SignatureFault> {
    let bytes: &[u8; SIGNATURE_LEN] = signature
        .try_into()
        .map_err(|_| SignatureFault::Length(signature.len()))?;
    let v = bytes[64];
    let parity = match v {
        27 => false,
        28 => true,
        other => return Err(SignatureFault::V(other)),
    };
    let parsed = Signature::from_bytes_and_parity(&bytes[..64], parity);
    if parsed.s() > SECP256K1N_HALF {
        return Err(SignatureFault::HighS);
    }
    let signer = parsed
        .recover_address_from_prehash(&eth_sign_digest(ticket_hash))
        .map_err(|_| SignatureFault::Unrecoverable)?;
    if signer != sender {
        return Err(SignatureFault::WrongSigner(signer));
    }
    Ok(())
}

/// Encodes a signature as the contract wants it: low-s, `r ‖ s ‖ v` with `v` in {27, 28}.
fn encode_signature(signature: Signature) -> Bytes {
    Bytes::copy_from_slice(&signature.normalized_s().as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::signers::local::PrivateKeySigner;

    fn ticket(signer: Address, rand: U256) -> Ticket {
        Ticket {
            recipient: Address::repeat_byte(0x11),
            sender: signer,
            face_value: U256::from(1_000u64),
            win_prob: U256::MAX,
            sender_nonce: U256::from(7u64),
            recipient_rand_hash: recipient_rand_hash(rand),
            aux_data: AuxData {
                creation_round: U256::from(3u64),
                creation_round_block_hash: B256::repeat_byte(0xab),
            }
            .encode(),
        }
    }

    #[test]
    fn aux_data_round_trips_and_rejects_other_lengths() {
        let aux = AuxData {
            creation_round: U256::from(1_003_218u64),
            creation_round_block_hash: B256::repeat_byte(7),
        };
        let encoded = aux.encode();
        assert_eq!(encoded.len(), AUX_DATA_LEN);
        assert_eq!(AuxData::decode(&encoded), Ok(aux));
        for len in [0usize, 32, 63, 65, 96] {
            assert_eq!(
                AuxData::decode(&vec![0u8; len]),
                Err(TicketError::InvalidAuxDataLength { length: len })
            );
        }
    }

    #[test]
    fn signs_low_s_and_verifies() -> Result<(), SignError> {
        let signer = PrivateKeySigner::random();
        let t = ticket(signer.address(), U256::from(77u64));
        let sig = t.sign_sync(&signer)?;
        assert_eq!(sig.len(), SIGNATURE_LEN);
        assert!(sig[64] == 27 || sig[64] == 28, "v in {{27, 28}}");
        assert_eq!(verify_signature(t.hash(), &sig, signer.address()), Ok(()));
        let other = Address::repeat_byte(0x22);
        assert_eq!(
            verify_signature(t.hash(), &sig, other),
            Err(SignatureFault::WrongSigner(signer.address()))
        );
        Ok(())
    }

    #[tokio::test]
    async fn async_and_sync_signing_agree() -> Result<(), SignError> {
        let signer = PrivateKeySigner::random();
        let t = ticket(signer.address(), U256::from(5u64));
        assert_eq!(t.sign(&signer).await?, t.sign_sync(&signer)?);
        Ok(())
    }

    #[test]
    fn high_s_twin_is_rejected() -> Result<(), SignError> {
        let signer = PrivateKeySigner::random();
        let t = ticket(signer.address(), U256::from(9u64));
        let sig = t.sign_sync(&signer)?;
        let parsed = Signature::from_raw(&sig).map_err(alloy::signers::Error::from)?;
        // The same point with s' = n - s and flipped parity recovers the same key: the malleable twin.
        let n = SECP256K1N_HALF * U256::from(2u64) + U256::from(1u64);
        let twin = Signature::new(parsed.r(), n - parsed.s(), !parsed.v());
        assert_eq!(
            verify_signature(t.hash(), &twin.as_bytes(), signer.address()),
            Err(SignatureFault::HighS)
        );
        Ok(())
    }

    #[test]
    fn recipient_rand_commitment_and_derivation() {
        let rand = U256::from(11u64);
        assert_eq!(
            recipient_rand_hash(rand),
            keccak256(B256::from(rand).as_slice())
        );
        let secret = B256::repeat_byte(1);
        assert_eq!(
            derive_recipient_rand(&secret, b"seed"),
            derive_recipient_rand(&secret, b"seed")
        );
        assert_ne!(
            derive_recipient_rand(&secret, b"seed"),
            derive_recipient_rand(&secret, b"other")
        );
        let (a, b) = (generate_recipient_rand(), generate_recipient_rand());
        assert!(matches!((a, b), (Ok(a), Ok(b)) if a != b));
    }

    #[test]
    fn lottery_bounds() {
        let sig = [1u8; 65];
        assert!(is_winning(&sig, U256::from(1u64), U256::MAX));
        assert!(!is_winning(&sig, U256::from(1u64), U256::ZERO));
    }

    #[test]
    fn half_order_constant_is_right() {
        let n = U256::from_str_radix(
            "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141",
            16,
        );
        assert_eq!(n.map(|n| n >> 1), Ok(SECP256K1N_HALF));
    }
}
