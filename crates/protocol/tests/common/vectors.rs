//! The shared ticket vectors, `test/vectors/tickets.json` (also read by the Solidity tests and the
//! redeemer's anvil tests).

use alloy::primitives::{B256, U256};
use anyhow::{Context, Result};
use livepeer_protocol::ticket::Ticket;

/// One case of `test/vectors/tickets.json`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Vector {
    /// Unique name.
    pub name: String,
    /// The ticket.
    pub ticket: Ticket,
    /// The test key that signed it.
    pub signer_key: B256,
    /// Expected `getTicketHash`.
    pub ticket_hash: B256,
    /// The signature as submitted.
    pub signature: alloy::primitives::Bytes,
    /// The revealed random number.
    pub recipient_rand: U256,
    /// "win", "lose" or an ITicketBroker error name.
    pub expected: String,
}

/// The vector file.
#[derive(Debug, serde::Deserialize)]
pub struct VectorFile {
    /// Format version.
    pub version: u64,
    /// The cases.
    pub vectors: Vec<Vector>,
}

/// Reads `test/vectors/tickets.json`.
pub fn load_vectors() -> Result<VectorFile> {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../test/vectors/tickets.json");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
