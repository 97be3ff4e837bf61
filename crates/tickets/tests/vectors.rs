//! Every case of `test/vectors/tickets.json` (shared with the Solidity tests): hash, signature
//! reproduction with the test key, and the outcome of the offline rules.

use std::{fs, path::PathBuf};

use alloy::{
    primitives::{B256, Bytes, U256},
    signers::local::PrivateKeySigner,
};
use livepeer_tickets::{SignedTicket, Ticket, TicketError, check_offline};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Vector {
    name: String,
    ticket: Ticket,
    signer_key: B256,
    ticket_hash: B256,
    signature: Bytes,
    recipient_rand: U256,
    expected: String,
}

#[derive(Debug, Deserialize)]
struct File {
    version: u64,
    vectors: Vec<Vector>,
}

fn load() -> File {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test/vectors/tickets.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn outcome(signed: &SignedTicket) -> String {
    match check_offline(signed) {
        Ok(_) => "win".into(),
        Err(TicketError::TicketDidNotWin) => "lose".into(),
        Err(e) => e.contract_name().into(),
    }
}

#[test]
fn every_vector_passes() {
    let file = load();
    assert_eq!(file.version, 1, "vector file version");
    assert!(file.vectors.len() >= 20, "vector count");
    let mut failures = Vec::new();
    for v in &file.vectors {
        if v.ticket.hash() != v.ticket_hash {
            failures.push(format!("{}: hash {} != {}", v.name, v.ticket.hash(), v.ticket_hash));
        }
        let signed = SignedTicket {
            ticket: v.ticket.clone(),
            signature: v.signature.clone(),
            recipient_rand: v.recipient_rand,
        };
        let got = outcome(&signed);
        if got != v.expected {
            failures.push(format!("{}: outcome {got}, expected {}", v.name, v.expected));
        }
    }
    assert!(failures.is_empty(), "failing vectors:\n{}", failures.join("\n"));
}

#[test]
fn valid_signatures_are_reproduced_by_signing() {
    // RFC 6979 signatures are deterministic: signing the vector's ticket with its test key must give
    // the vector's signature byte for byte, for every case whose signature was made normally.
    let file = load();
    let mut checked = 0;
    for v in file.vectors.iter().filter(|v| {
        v.expected == "win"
            || v.expected == "lose"
            || v.expected == "RecipientRandMismatch"
            || v.expected == "InvalidAuxDataLength"
            || v.name == "sig_wrong_signer"
    }) {
        let signer = PrivateKeySigner::from_bytes(&v.signer_key).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let sig = v.ticket.sign_sync(&signer).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(sig, v.signature, "{}: signature", v.name);
        checked += 1;
    }
    assert!(checked >= 15, "signatures reproduced: {checked}");
}

#[test]
fn vector_names_are_unique_and_cover_every_expected_error() {
    let file = load();
    let mut names: Vec<&str> = file.vectors.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "unique names");
    for expected in ["win", "lose", "InvalidAuxDataLength", "RecipientRandMismatch", "InvalidSignature"] {
        assert!(
            file.vectors.iter().any(|v| v.expected == expected),
            "a vector expects {expected}"
        );
    }
}
