//! The durable intake of tickets handed over by gRPC: `<state-dir>/intake.jsonl`, one
//! [`HandedOver`] a line (the inbox format), appended and fsynced before `QueueTicket` answers.
//!
//! One writer thread appends: every ticket waiting when it wakes goes out in one write and one
//! `fdatasync` (group commit), so many concurrent callers share a sync. The redeemer takes the
//! file into its queue like the inbox (the offset reached is journaled; duplicates are dropped by
//! ticket hash) and empties it when it starts, before the service accepts anything.

use std::{
    fs::{File, OpenOptions},
    io::Write,
    path::{Path, PathBuf},
    sync::mpsc,
};

use livepeer_protocol::ticket::SignedTicket;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;

/// One line of the inbox or the intake: a [`SignedTicket`] and, optionally, the block its ticket
/// parameters expire at (`paramsExpirationBlock`, go-livepeer's `TicketParams.expiration_block`).
/// The ticket is not redeemed before that block: until then the recipient still accepts tickets
/// made with the same `recipientRandHash`, and revealing `recipientRand` would let the sender
/// send only losing ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HandedOver {
    /// The ticket.
    #[serde(flatten)]
    pub signed: SignedTicket,
    /// Not redeemed before this (L1) block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub params_expiration_block: Option<u64>,
}

/// Name of the intake file inside the state directory.
pub const INTAKE_FILE: &str = "intake.jsonl";

/// An intake failure.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Writing or syncing the file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The writer thread is gone (the service is stopping).
    #[error("the intake writer stopped")]
    Stopped,
}

type Job = (Vec<u8>, oneshot::Sender<Result<(), String>>);

/// The appending side; clone it for each caller.
#[derive(Debug, Clone)]
pub struct Intake {
    jobs: mpsc::Sender<Job>,
    path: PathBuf,
}

impl Intake {
    /// Opens (creates) the intake in `dir` and starts its writer thread, which ends when every
    /// [`Intake`] clone is dropped.
    pub fn open(dir: &Path) -> Result<Self, IntakeError> {
        let path = dir.join(INTAKE_FILE);
        let io = |source| IntakeError::Io {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(io)?;
        let (jobs, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("intake-writer".into())
            .spawn(move || write_loop(file, rx))
            .map_err(io)?;
        Ok(Self { jobs, path })
    }

    /// The intake file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `ticket` and returns once it is on disk.
    pub async fn append(&self, ticket: &HandedOver) -> Result<(), IntakeError> {
        let mut line = serde_json::to_vec(ticket).map_err(|e| IntakeError::Io {
            path: self.path.clone(),
            source: e.into(),
        })?;
        line.push(b'\n');
        let (done, wait) = oneshot::channel();
        self.jobs
            .send((line, done))
            .map_err(|_| IntakeError::Stopped)?;
        match wait.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(message)) => Err(IntakeError::Io {
                path: self.path.clone(),
                source: std::io::Error::other(message),
            }),
            Err(_) => Err(IntakeError::Stopped),
        }
    }
}

/// Writes every waiting job in one write and one sync, then answers them all.
fn write_loop(mut file: File, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        batch.extend(jobs.try_iter());
        let bytes: Vec<u8> = batch.iter().flat_map(|(line, _)| line.clone()).collect();
        let result = file
            .write_all(&bytes)
            .and_then(|()| file.sync_data())
            .map_err(|e| e.to_string());
        if let Err(err) = &result {
            tracing::error!(%err, tickets = batch.len(), "writing the intake failed");
        }
        for (_, done) in batch {
            // A caller that gave up (timeout) no longer waits: nothing to tell it.
            let _ = done.send(result.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::Address;

    fn ticket(nonce: u64) -> SignedTicket {
        crate::queue::tests_support::ticket(Address::repeat_byte(2), nonce)
    }

    #[tokio::test]
    async fn concurrent_appends_are_all_on_disk_when_they_return()
    -> Result<(), Box<dyn std::error::Error>> {
        let dir = tempfile::tempdir()?;
        let intake = Intake::open(dir.path())?;
        let tasks: Vec<_> = (0..50)
            .map(|n| {
                let intake = intake.clone();
                let handed = HandedOver {
                    signed: ticket(n),
                    params_expiration_block: Some(n),
                };
                tokio::spawn(async move { intake.append(&handed).await })
            })
            .collect();
        for t in tasks {
            t.await??;
        }
        let text = std::fs::read_to_string(dir.path().join(INTAKE_FILE))?;
        let mut nonces: Vec<u64> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<SignedTicket>(l).map(|t| t.ticket.sender_nonce.to::<u64>())
            })
            .collect::<Result<_, _>>()?;
        nonces.sort_unstable();
        assert_eq!(nonces, (0..50).collect::<Vec<_>>());
        Ok(())
    }
}
