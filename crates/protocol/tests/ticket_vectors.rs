//! Every case of `test/vectors/tickets.json` (shared with the Solidity tests): hash, signature
//! reproduction with the test key, and the outcome of the offline rules.

#[path = "common/vectors.rs"]
mod common;

use alloy::signers::local::PrivateKeySigner;
use anyhow::{Result, ensure};
use livepeer_protocol::ticket::{SignedTicket, TicketError, check_offline};

fn outcome(signed: &SignedTicket) -> String {
    match check_offline(signed) {
        Ok(_) => "win".into(),
        Err(TicketError::TicketDidNotWin) => "lose".into(),
        Err(e) => e.contract_name().into(),
    }
}

#[test]
fn every_vector_passes() -> Result<()> {
    let file = common::load_vectors()?;
    ensure!(file.version == 1, "vector file version {}", file.version);
    ensure!(
        file.vectors.len() >= 20,
        "only {} vectors",
        file.vectors.len()
    );
    let mut failures = Vec::new();
    for v in &file.vectors {
        if v.ticket.hash() != v.ticket_hash {
            failures.push(format!(
                "{}: hash {} != {}",
                v.name,
                v.ticket.hash(),
                v.ticket_hash
            ));
        }
        let signed = SignedTicket {
            ticket: v.ticket.clone(),
            signature: v.signature.clone(),
            recipient_rand: v.recipient_rand,
        };
        let got = outcome(&signed);
        if got != v.expected {
            failures.push(format!(
                "{}: outcome {got}, expected {}",
                v.name, v.expected
            ));
        }
    }
    ensure!(
        failures.is_empty(),
        "failing vectors:\n{}",
        failures.join("\n")
    );
    Ok(())
}

#[test]
fn valid_signatures_are_reproduced_by_signing() -> Result<()> {
    // RFC 6979 signatures are deterministic: signing a vector's ticket with its test key gives the
    // vector's signature byte for byte, for every case whose signature was made normally.
    let file = common::load_vectors()?;
    let mut checked = 0;
    for v in file.vectors.iter().filter(|v| {
        matches!(
            v.expected.as_str(),
            "win" | "lose" | "RecipientRandMismatch" | "InvalidAuxDataLength"
        ) || v.name == "sig_wrong_signer"
    }) {
        let signer = PrivateKeySigner::from_bytes(&v.signer_key)?;
        let sig = v.ticket.sign_sync(&signer)?;
        ensure!(
            sig == v.signature,
            "{}: signature {sig} != {}",
            v.name,
            v.signature
        );
        checked += 1;
    }
    ensure!(checked >= 15, "only {checked} signatures reproduced");
    Ok(())
}

#[test]
fn vector_names_are_unique_and_cover_every_expected_outcome() -> Result<()> {
    let file = common::load_vectors()?;
    let mut names: Vec<&str> = file.vectors.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    ensure!(names.len() == before, "duplicate vector names");
    for expected in [
        "win",
        "lose",
        "InvalidAuxDataLength",
        "RecipientRandMismatch",
        "InvalidSignature",
    ] {
        ensure!(
            file.vectors.iter().any(|v| v.expected == expected),
            "no vector expects {expected}"
        );
    }
    Ok(())
}
