//! The redeemer's persistent queue: an append-only journal of JSON lines, fsynced after every
//! record, compacted by an atomic rewrite (temp file, fsync, rename) when opened.
//!
//! File: `<state-dir>/journal.jsonl`. One record a line, tagged by `op`:
//!
//! | `op` | fields | meaning |
//! |---|---|---|
//! | `add` | `ticket` (a [`SignedTicket`]), `holdUntilBlock` (optional) | a winning ticket to redeem (ignored if its hash is known), not before that (L1) block |
//! | `sent` | `hashes`, `tx` | a transaction carrying these tickets was broadcast; for a ticket already in flight, a replacement of its transaction (either may be mined) |
//! | `redeemed` | `hash`, `tx` (or null) | the ticket is used on chain (by `tx`, or found used) |
//! | `retry` | `hash`, `reason` | an attempt failed; the ticket stays pending (attempts + 1) |
//! | `deferred` | `hash`, `reason` | not redeemable yet (e.g. unprofitable, underfunded); no attempt counted; a ticket in flight stays in flight |
//! | `released` | `hash`, `reason` | its transaction resolved without redeeming it through no fault of the ticket (the sender's funds fell short): pending again, no attempt counted |
//! | `dead` | `hash`, `reason` | the ticket will never be redeemed, and why |
//! | `inbox` | `offset` | bytes of the inbox file already taken into the journal |
//! | `intake` | `offset` | bytes of the gRPC intake file (`intake.jsonl`) already taken into the journal |
//!
//! One process writes a state directory at a time: [`Queue::open`] takes an exclusive lock on
//! `<state-dir>/lock` and refuses ([`QueueError::InUse`]) while another holds it.
//!
//! A ticket is journaled (and fsynced) before anything else happens to it, and a transaction's
//! `sent` record is written before its receipt is awaited, so a crash at any point loses nothing: on
//! restart an in-flight ticket is resolved from chain state (`usedTickets`, the receipt). A torn last
//! line (crash mid-write) is dropped on open.

use std::{
    collections::HashMap,
    fs::{self, File, OpenOptions},
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
};

use alloy::primitives::B256;
use serde::{Deserialize, Serialize};

use livepeer_protocol::ticket::SignedTicket;

/// Name of the journal file inside the state directory.
pub const JOURNAL_FILE: &str = "journal.jsonl";
/// Name of the lock file inside the state directory: a second writer would compact the journal
/// from under the first, whose records would then go to the replaced file and be lost.
pub const LOCK_FILE: &str = "lock";

/// A queue failure: I/O or a corrupt journal.
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// Reading or writing the journal failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A journal line (not the last one) does not parse.
    #[error("{path} line {line}: {source}")]
    Corrupt {
        /// The journal.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The parse error.
        source: serde_json::Error,
    },
    /// A record could not be serialized.
    #[error("serializing a journal record: {0}")]
    Serialize(#[from] serde_json::Error),
    /// Another process holds the state directory.
    #[error(
        "{dir} is in use by another redeemer (it holds {LOCK_FILE} there): give each redeemer its own --state-dir"
    )]
    InUse {
        /// The state directory.
        dir: PathBuf,
    },
}

/// Where a queued ticket stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum TicketStatus {
    /// Waiting to be redeemed.
    Pending,
    /// Carried by a broadcast transaction whose outcome is not known yet.
    InFlight {
        /// The transaction (the latest replacement, if it was replaced).
        tx: B256,
        /// Earlier transactions `tx` replaced (same nonce, lower fees), oldest first: any one of
        /// them may still be the one mined.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        replaced: Vec<B256>,
    },
    /// Used on chain: redeemed by `tx`, or found already used (`tx` unknown).
    Redeemed {
        /// The redeeming transaction, when it was ours and known.
        tx: Option<B256>,
    },
    /// Will never be redeemed.
    Dead {
        /// Why.
        reason: String,
    },
}

impl TicketStatus {
    /// In flight in `tx`, never replaced.
    pub fn in_flight(tx: B256) -> Self {
        Self::InFlight {
            tx,
            replaced: Vec::new(),
        }
    }

    /// Every transaction hash of a ticket in flight, oldest first (empty otherwise).
    pub fn in_flight_txs(&self) -> Vec<B256> {
        match self {
            Self::InFlight { tx, replaced } => replaced
                .iter()
                .copied()
                .chain(std::iter::once(*tx))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the ticket still needs work (pending or in flight).
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Pending | Self::InFlight { .. })
    }
}

/// A ticket in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedTicket {
    /// The ticket hash (`getTicketHash`), the queue key.
    pub hash: B256,
    /// The ticket, signature and `recipientRand`.
    pub signed: SignedTicket,
    /// Where it stands.
    pub status: TicketStatus,
    /// Failed redemption transactions so far.
    pub attempts: u32,
    /// The last reason it was not redeemed, if any.
    pub last_error: Option<String>,
    /// Not redeemed before this (L1) block: its ticket parameters' expiration block, until which
    /// revealing its `recipientRand` would let the sender pick losing tickets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_until_block: Option<u64>,
}

/// Test helpers shared by the crate's unit tests.
#[cfg(test)]
pub(crate) mod tests_support {
    use alloy::primitives::{Address, B256, Bytes, U256};
    use livepeer_protocol::ticket::{AuxData, SignedTicket, Ticket};

    use super::{QueuedTicket, TicketStatus};

    /// A ticket from `sender` worth `face_value` wei (not validly signed).
    pub fn ticket(sender: Address, face_value: u64) -> SignedTicket {
        SignedTicket {
            ticket: Ticket {
                recipient: Address::repeat_byte(0xee),
                sender,
                face_value: U256::from(face_value),
                win_prob: U256::MAX,
                sender_nonce: U256::from(face_value),
                recipient_rand_hash: B256::ZERO,
                aux_data: AuxData {
                    creation_round: U256::from(1u64),
                    creation_round_block_hash: B256::ZERO,
                }
                .encode(),
            },
            signature: Bytes::new(),
            recipient_rand: U256::ZERO,
        }
    }

    /// `signed` pending in a queue.
    pub fn queued(signed: SignedTicket) -> QueuedTicket {
        QueuedTicket {
            hash: signed.ticket.hash(),
            signed,
            status: TicketStatus::Pending,
            attempts: 0,
            last_error: None,
            hold_until_block: None,
        }
    }
}

/// One journal line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "camelCase")]
pub enum Record {
    /// A new ticket.
    Add {
        /// The ticket (boxed: it is most of the record's size).
        ticket: Box<SignedTicket>,
        /// Not redeemed before this (L1) block.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hold_until_block: Option<u64>,
    },
    /// A transaction carrying `hashes` was broadcast; for tickets already in flight, it replaces
    /// their transaction (both hashes are kept: either may be mined).
    Sent {
        /// The tickets it carries.
        hashes: Vec<B256>,
        /// The transaction hash.
        tx: B256,
    },
    /// The ticket is used on chain.
    Redeemed {
        /// The ticket.
        hash: B256,
        /// The transaction, if ours and known.
        tx: Option<B256>,
    },
    /// A redemption attempt failed; the ticket stays pending.
    Retry {
        /// The ticket.
        hash: B256,
        /// Why the attempt failed.
        reason: String,
    },
    /// The ticket is not redeemable yet; no attempt is counted.
    Deferred {
        /// The ticket.
        hash: B256,
        /// Why it waits.
        reason: String,
    },
    /// The ticket's transaction resolved without redeeming it, and not for a fault of the
    /// transaction (the sender's funds fell short of the face value meanwhile): pending again, no
    /// attempt counted.
    Released {
        /// The ticket.
        hash: B256,
        /// Why it was not redeemed.
        reason: String,
    },
    /// The ticket will never be redeemed.
    Dead {
        /// The ticket.
        hash: B256,
        /// Why.
        reason: String,
    },
    /// Bytes of the inbox file already ingested.
    Inbox {
        /// Byte offset.
        offset: u64,
    },
    /// Bytes of the gRPC intake file already ingested.
    Intake {
        /// Byte offset.
        offset: u64,
    },
}

/// The persistent queue (see the module docs for the file format).
#[derive(Debug)]
pub struct Queue {
    path: PathBuf,
    file: File,
    /// The state directory's lock, held while the queue is open for writing (released by the
    /// kernel however the process ends).
    _lock: Option<File>,
    tickets: Vec<QueuedTicket>,
    index: HashMap<B256, usize>,
    inbox_offset: u64,
    intake_offset: u64,
}

impl Queue {
    /// Opens (or creates) the queue in `dir`, replays its journal and compacts it.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, QueueError> {
        let dir = dir.as_ref();
        fs::create_dir_all(dir).map_err(|source| io(dir, source))?;
        let lock = lock(dir)?;
        let path = dir.join(JOURNAL_FILE);
        let mut queue = Self {
            file: open_append(&path)?,
            _lock: Some(lock),
            path,
            tickets: Vec::new(),
            index: HashMap::new(),
            inbox_offset: 0,
            intake_offset: 0,
        };
        for record in read_journal(&queue.path)? {
            queue.apply(record);
        }
        queue.compact()?;
        Ok(queue)
    }

    /// The queue in `dir` as its journal says, without compacting or writing it, so that it is
    /// safe to read while a redeemer runs on it (`--list`). [`Queue::record`] fails on it.
    pub fn read_only(dir: impl AsRef<Path>) -> Result<Self, QueueError> {
        let path = dir.as_ref().join(JOURNAL_FILE);
        let mut queue = Self {
            file: File::open(&path).map_err(|source| io(&path, source))?,
            _lock: None,
            path,
            tickets: Vec::new(),
            index: HashMap::new(),
            inbox_offset: 0,
            intake_offset: 0,
        };
        for record in read_journal(&queue.path)? {
            queue.apply(record);
        }
        Ok(queue)
    }

    /// Journals `record` (fsynced) and applies it.
    pub fn record(&mut self, record: Record) -> Result<(), QueueError> {
        let mut line = serde_json::to_vec(&record)?;
        line.push(b'\n');
        self.file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
            .map_err(|source| io(&self.path, source))?;
        self.apply(record);
        Ok(())
    }

    /// Adds a ticket; returns false (and writes nothing) when its hash is already queued, unless
    /// the queued one is dead and this one differs (e.g. a corrected `recipientRand`), which
    /// replaces it.
    pub fn add(&mut self, ticket: SignedTicket) -> Result<bool, QueueError> {
        self.add_held(ticket, None)
    }

    /// Queues a ticket to be redeemed no earlier than (L1) block `hold_until_block`; false if
    /// already queued.
    pub fn add_held(
        &mut self,
        ticket: SignedTicket,
        hold_until_block: Option<u64>,
    ) -> Result<bool, QueueError> {
        if !self.accepts(&ticket) {
            return Ok(false);
        }
        self.record(Record::Add {
            ticket: Box::new(ticket),
            hold_until_block,
        })?;
        Ok(true)
    }

    fn accepts(&self, ticket: &SignedTicket) -> bool {
        match self.get(&ticket.ticket.hash()) {
            None => true,
            Some(queued) => {
                matches!(queued.status, TicketStatus::Dead { .. }) && queued.signed != *ticket
            }
        }
    }

    /// Every ticket, in arrival order.
    pub fn tickets(&self) -> &[QueuedTicket] {
        &self.tickets
    }

    /// The ticket with this hash.
    pub fn get(&self, hash: &B256) -> Option<&QueuedTicket> {
        self.index.get(hash).and_then(|&i| self.tickets.get(i))
    }

    /// Tickets still needing work, in arrival order.
    pub fn open_tickets(&self) -> impl Iterator<Item = &QueuedTicket> {
        self.tickets.iter().filter(|t| t.status.is_open())
    }

    /// Bytes of the inbox already ingested.
    pub fn inbox_offset(&self) -> u64 {
        self.inbox_offset
    }

    /// Bytes of the gRPC intake file already ingested.
    pub fn intake_offset(&self) -> u64 {
        self.intake_offset
    }

    /// The journal file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn apply(&mut self, record: Record) {
        match record {
            Record::Add {
                ticket,
                hold_until_block,
            } => {
                if !self.accepts(&ticket) {
                    return;
                }
                let hash = ticket.ticket.hash();
                let queued = QueuedTicket {
                    hash,
                    signed: *ticket,
                    status: TicketStatus::Pending,
                    attempts: 0,
                    last_error: None,
                    hold_until_block,
                };
                match self.index.get(&hash).and_then(|&i| self.tickets.get_mut(i)) {
                    Some(dead) => *dead = queued,
                    None => {
                        self.index.insert(hash, self.tickets.len());
                        self.tickets.push(queued);
                    }
                }
            }
            Record::Sent { hashes, tx } => {
                for hash in hashes {
                    self.update(&hash, |t| {
                        let mut replaced = t.status.in_flight_txs();
                        replaced.retain(|h| *h != tx);
                        t.status = TicketStatus::InFlight { tx, replaced };
                    });
                }
            }
            Record::Redeemed { hash, tx } => {
                self.update(&hash, |t| t.status = TicketStatus::Redeemed { tx });
            }
            Record::Retry { hash, reason } => self.update(&hash, |t| {
                t.status = TicketStatus::Pending;
                t.attempts += 1;
                t.last_error = Some(reason);
            }),
            // A deferral never takes a ticket out of flight: only its transaction's resolution
            // (`redeemed`, `retry`, `dead`) does, so it is never sent twice at once.
            Record::Deferred { hash, reason } => self.update(&hash, |t| {
                if !matches!(t.status, TicketStatus::InFlight { .. }) {
                    t.status = TicketStatus::Pending;
                }
                t.last_error = Some(reason);
            }),
            Record::Released { hash, reason } => self.update(&hash, |t| {
                t.status = TicketStatus::Pending;
                t.last_error = Some(reason);
            }),
            Record::Dead { hash, reason } => self.update(&hash, |t| {
                t.last_error = Some(reason.clone());
                t.status = TicketStatus::Dead { reason };
            }),
            Record::Inbox { offset } => self.inbox_offset = offset,
            Record::Intake { offset } => self.intake_offset = offset,
        }
    }

    fn update(&mut self, hash: &B256, f: impl FnOnce(&mut QueuedTicket)) {
        if let Some(t) = self.index.get(hash).and_then(|&i| self.tickets.get_mut(i)) {
            f(t);
        }
    }

    /// Rewrites the journal as the minimal records giving the current state: temp file, fsync,
    /// rename over the journal, fsync of the directory.
    fn compact(&mut self) -> Result<(), QueueError> {
        let tmp = self.path.with_extension("jsonl.tmp");
        let mut out = Vec::new();
        let mut push = |record: &Record| -> Result<(), QueueError> {
            serde_json::to_writer(&mut out, record)?;
            out.push(b'\n');
            Ok(())
        };
        push(&Record::Inbox {
            offset: self.inbox_offset,
        })?;
        if self.intake_offset != 0 {
            push(&Record::Intake {
                offset: self.intake_offset,
            })?;
        }
        for t in &self.tickets {
            push(&Record::Add {
                ticket: Box::new(t.signed.clone()),
                hold_until_block: t.hold_until_block,
            })?;
            // Attempts are replayed as retries; the last one carries the last error.
            for i in 0..t.attempts {
                let reason = if i + 1 == t.attempts {
                    t.last_error.clone().unwrap_or_default()
                } else {
                    String::new()
                };
                push(&Record::Retry {
                    hash: t.hash,
                    reason,
                })?;
            }
            if t.attempts == 0
                && let Some(reason) = &t.last_error
                && t.status == TicketStatus::Pending
            {
                push(&Record::Deferred {
                    hash: t.hash,
                    reason: reason.clone(),
                })?;
            }
            match &t.status {
                TicketStatus::Pending => {}
                TicketStatus::InFlight { .. } => {
                    for tx in t.status.in_flight_txs() {
                        push(&Record::Sent {
                            hashes: vec![t.hash],
                            tx,
                        })?;
                    }
                }
                TicketStatus::Redeemed { tx } => push(&Record::Redeemed {
                    hash: t.hash,
                    tx: *tx,
                })?,
                TicketStatus::Dead { reason } => push(&Record::Dead {
                    hash: t.hash,
                    reason: reason.clone(),
                })?,
            }
        }
        let mut file = File::create(&tmp).map_err(|source| io(&tmp, source))?;
        file.write_all(&out)
            .and_then(|()| file.sync_all())
            .map_err(|source| io(&tmp, source))?;
        fs::rename(&tmp, &self.path).map_err(|source| io(&self.path, source))?;
        if let Some(dir) = self.path.parent() {
            File::open(dir)
                .and_then(|d| d.sync_all())
                .map_err(|source| io(dir, source))?;
        }
        self.file = open_append(&self.path)?;
        Ok(())
    }
}

/// Takes the exclusive lock of the state directory `dir`, or says who holds it.
fn lock(dir: &Path) -> Result<File, QueueError> {
    let path = dir.join(LOCK_FILE);
    let file = open_append(&path)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(fs::TryLockError::WouldBlock) => Err(QueueError::InUse {
            dir: dir.to_path_buf(),
        }),
        Err(fs::TryLockError::Error(source)) => Err(io(&path, source)),
    }
}

fn open_append(path: &Path) -> Result<File, QueueError> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|source| io(path, source))
}

fn read_journal(path: &Path) -> Result<Vec<Record>, QueueError> {
    let file = File::open(path).map_err(|source| io(path, source))?;
    let mut lines = Vec::new();
    for line in BufReader::new(file).lines() {
        lines.push(line.map_err(|source| io(path, source))?);
    }
    let last = lines.len();
    let mut records = Vec::with_capacity(last);
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(record) => records.push(record),
            // A torn final line is a write the crash interrupted: it never happened.
            Err(_) if i + 1 == last => {
                tracing::warn!(path = %path.display(), line = i + 1, "dropping torn last journal line");
            }
            Err(source) => {
                return Err(QueueError::Corrupt {
                    path: path.to_path_buf(),
                    line: i + 1,
                    source,
                });
            }
        }
    }
    Ok(records)
}

fn io(path: &Path, source: std::io::Error) -> QueueError {
    QueueError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::primitives::{Address, Bytes, U256};
    use livepeer_protocol::ticket::{AuxData, Ticket};

    fn ticket(nonce: u64) -> SignedTicket {
        SignedTicket {
            ticket: Ticket {
                recipient: Address::repeat_byte(1),
                sender: Address::repeat_byte(2),
                face_value: U256::from(5u64),
                win_prob: U256::MAX,
                sender_nonce: U256::from(nonce),
                recipient_rand_hash: B256::repeat_byte(3),
                aux_data: AuxData {
                    creation_round: U256::from(1u64),
                    creation_round_block_hash: B256::repeat_byte(4),
                }
                .encode(),
            },
            signature: Bytes::from(vec![1u8; 65]),
            recipient_rand: U256::from(nonce),
        }
    }

    #[test]
    fn state_survives_reopen_and_compaction() -> Result<(), QueueError> {
        let dir = tempfile::tempdir().map_err(|e| io(Path::new("tmp"), e))?;
        let (a, b, c, d) = (ticket(1), ticket(2), ticket(3), ticket(4));
        let (ha, hb, hc, hd) = (
            a.ticket.hash(),
            b.ticket.hash(),
            c.ticket.hash(),
            d.ticket.hash(),
        );
        let tx = B256::repeat_byte(9);
        {
            let mut q = Queue::open(dir.path())?;
            assert!(q.add(a.clone())?);
            assert!(!q.add(a.clone())?, "duplicate add is ignored");
            q.add(b)?;
            q.add(c)?;
            q.add(d)?;
            q.record(Record::Sent {
                hashes: vec![ha, hb],
                tx,
            })?;
            q.record(Record::Redeemed {
                hash: ha,
                tx: Some(tx),
            })?;
            q.record(Record::Retry {
                hash: hb,
                reason: "reverted".into(),
            })?;
            q.record(Record::Dead {
                hash: hc,
                reason: "TicketExpired".into(),
            })?;
            q.record(Record::Sent {
                hashes: vec![hd],
                tx,
            })?;
            q.record(Record::Inbox { offset: 123 })?;
        }
        for _ in 0..2 {
            let q = Queue::open(dir.path())?;
            assert_eq!(q.tickets().len(), 4);
            assert_eq!(q.inbox_offset(), 123);
            let status = |h| {
                q.get(&h)
                    .map(|t| (t.status.clone(), t.attempts, t.last_error.clone()))
            };
            assert_eq!(
                status(ha),
                Some((TicketStatus::Redeemed { tx: Some(tx) }, 0, None))
            );
            assert_eq!(
                status(hb),
                Some((TicketStatus::Pending, 1, Some("reverted".into())))
            );
            assert_eq!(
                status(hc),
                Some((
                    TicketStatus::Dead {
                        reason: "TicketExpired".into()
                    },
                    0,
                    Some("TicketExpired".into())
                ))
            );
            assert_eq!(status(hd), Some((TicketStatus::in_flight(tx), 0, None)));
            assert_eq!(q.open_tickets().count(), 2);
        }
        Ok(())
    }

    #[test]
    fn a_dead_ticket_is_replaced_by_a_corrected_copy_only() -> Result<(), QueueError> {
        let dir = tempfile::tempdir().map_err(|e| io(Path::new("tmp"), e))?;
        let mut q = Queue::open(dir.path())?;
        let bad = ticket(1);
        let hash = bad.ticket.hash();
        q.add(bad.clone())?;
        let mut fixed = bad.clone();
        fixed.recipient_rand = U256::from(42u64);
        assert!(!q.add(fixed.clone())?, "a pending ticket is not replaced");
        q.record(Record::Dead {
            hash,
            reason: "RecipientRandMismatch".into(),
        })?;
        assert!(!q.add(bad)?, "the same dead ticket is not re-added");
        assert!(
            q.add(fixed.clone())?,
            "a corrected copy replaces the dead one"
        );
        drop(q);
        let q = Queue::open(dir.path())?;
        assert_eq!(q.tickets().len(), 1);
        assert_eq!(
            q.get(&hash).map(|t| (&t.signed, &t.status)),
            Some((&fixed, &TicketStatus::Pending))
        );
        Ok(())
    }

    #[test]
    fn a_ticket_in_flight_stays_in_flight_until_its_transaction_resolves() -> Result<(), QueueError>
    {
        let dir = tempfile::tempdir().map_err(|source| io(Path::new("tmp"), source))?;
        let mut q = Queue::open(dir.path())?;
        let t = ticket(1);
        let hash = t.ticket.hash();
        assert!(q.add(t.clone())?);
        let tx = B256::repeat_byte(0xaa);
        q.record(Record::Sent {
            hashes: vec![hash],
            tx,
        })?;
        let in_flight = TicketStatus::in_flight(tx);
        let pending = |q: &Queue| {
            q.open_tickets()
                .filter(|t| t.status == TicketStatus::Pending)
                .count()
        };
        // Neither a deferral nor the same ticket arriving again puts it back to pending.
        q.record(Record::Deferred {
            hash,
            reason: "InsufficientFunds: x".into(),
        })?;
        assert!(!q.add(t)?);
        assert_eq!(
            q.get(&hash).map(|t| t.status.clone()),
            Some(in_flight.clone())
        );
        assert_eq!(pending(&q), 0);
        // Nor does reopening the queue.
        drop(q);
        let mut q = Queue::open(dir.path())?;
        assert_eq!(q.get(&hash).map(|t| t.status.clone()), Some(in_flight));
        assert_eq!(pending(&q), 0);
        // Its resolution does: a release (no attempt counted), or a retry.
        q.record(Record::Released {
            hash,
            reason: "InsufficientFunds: short".into(),
        })?;
        assert_eq!(pending(&q), 1);
        assert_eq!(q.get(&hash).map(|t| t.attempts), Some(0));
        q.record(Record::Sent {
            hashes: vec![hash],
            tx,
        })?;
        q.record(Record::Retry {
            hash,
            reason: "transaction reverted".into(),
        })?;
        assert_eq!(pending(&q), 1);
        assert_eq!(q.get(&hash).map(|t| t.attempts), Some(1));
        // A released ticket survives a reopen as pending with its reason.
        q.record(Record::Sent {
            hashes: vec![hash],
            tx,
        })?;
        q.record(Record::Released {
            hash,
            reason: "InsufficientFunds: short".into(),
        })?;
        drop(q);
        let q = Queue::open(dir.path())?;
        assert_eq!(pending(&q), 1);
        assert_eq!(
            q.get(&hash).and_then(|t| t.last_error.clone()).as_deref(),
            Some("InsufficientFunds: short")
        );
        Ok(())
    }

    #[test]
    fn a_read_only_view_leaves_the_running_queue_journaling_to_its_file() -> Result<(), QueueError>
    {
        let dir = tempfile::tempdir().map_err(|e| io(Path::new("tmp"), e))?;
        let mut running = Queue::open(dir.path())?;
        running.add_held(ticket(1), Some(77))?;
        let view = Queue::read_only(dir.path())?;
        assert_eq!(view.tickets().len(), 1);
        assert_eq!(view.tickets()[0].hold_until_block, Some(77));
        // The view did not replace the journal: what the running queue writes next is kept.
        running.add(ticket(2))?;
        drop(running);
        assert_eq!(Queue::open(dir.path())?.tickets().len(), 2);
        Ok(())
    }

    #[test]
    fn a_second_writer_on_the_same_state_dir_is_refused_until_the_first_is_gone()
    -> Result<(), QueueError> {
        let dir = tempfile::tempdir().map_err(|e| io(Path::new("tmp"), e))?;
        let mut running = Queue::open(dir.path())?;
        running.add(ticket(1))?;
        let second = Queue::open(dir.path());
        assert!(second.is_err(), "a second writer opened the queue");
        let Err(err) = second else { return Ok(()) };
        assert!(
            matches!(&err, QueueError::InUse { dir: d } if d == dir.path()),
            "{err}"
        );
        assert!(
            err.to_string()
                .contains("give each redeemer its own --state-dir"),
            "{err}"
        );
        // A read-only view (`--list`) takes no lock.
        assert_eq!(Queue::read_only(dir.path())?.tickets().len(), 1);
        drop(running);
        assert_eq!(Queue::open(dir.path())?.tickets().len(), 1);
        Ok(())
    }

    #[test]
    fn a_replacement_adds_its_hash_and_both_survive_compaction() -> Result<(), QueueError> {
        let dir = tempfile::tempdir().map_err(|source| io(Path::new("tmp"), source))?;
        let (a, b) = (ticket(1), ticket(2));
        let (ha, hb) = (a.ticket.hash(), b.ticket.hash());
        let (first, second) = (B256::repeat_byte(0x01), B256::repeat_byte(0x02));
        let mut q = Queue::open(dir.path())?;
        q.add(a)?;
        q.add(b)?;
        for tx in [first, second, second] {
            q.record(Record::Sent {
                hashes: vec![ha, hb],
                tx,
            })?;
        }
        let replaced = TicketStatus::InFlight {
            tx: second,
            replaced: vec![first],
        };
        assert_eq!(q.get(&ha).map(|t| t.status.clone()), Some(replaced.clone()));
        assert_eq!(replaced.in_flight_txs(), vec![first, second]);
        drop(q);
        let mut q = Queue::open(dir.path())?;
        for h in [ha, hb] {
            assert_eq!(q.get(&h).map(|t| t.status.clone()), Some(replaced.clone()));
        }
        // Resolved: no hash is carried into a later flight.
        q.record(Record::Retry {
            hash: ha,
            reason: "dropped".into(),
        })?;
        q.record(Record::Sent {
            hashes: vec![ha],
            tx: B256::repeat_byte(0x03),
        })?;
        assert_eq!(
            q.get(&ha).map(|t| t.status.clone()),
            Some(TicketStatus::in_flight(B256::repeat_byte(0x03)))
        );
        // The status as listed: `replaced` only when there is one.
        let listed = serde_json::to_value(&replaced)?;
        assert_eq!(listed["replaced"][0], serde_json::json!(first.to_string()));
        let plain = serde_json::to_value(TicketStatus::in_flight(first))?;
        assert!(plain.get("replaced").is_none(), "{plain}");
        Ok(())
    }

    #[test]
    fn torn_last_line_is_dropped_but_corruption_elsewhere_fails() -> Result<(), QueueError> {
        let dir = tempfile::tempdir().map_err(|e| io(Path::new("tmp"), e))?;
        {
            let mut q = Queue::open(dir.path())?;
            q.add(ticket(1))?;
        }
        let path = dir.path().join(JOURNAL_FILE);
        let mut f = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io(&path, e))?;
        f.write_all(br#"{"op":"add","tick"#)
            .map_err(|e| io(&path, e))?;
        drop(f);
        let q = Queue::open(dir.path())?;
        assert_eq!(q.tickets().len(), 1, "torn line dropped");
        drop(q);

        let text = fs::read_to_string(&path).map_err(|e| io(&path, e))?;
        fs::write(&path, format!("garbage\n{text}")).map_err(|e| io(&path, e))?;
        assert!(matches!(
            Queue::open(dir.path()),
            Err(QueueError::Corrupt { line: 1, .. })
        ));
        Ok(())
    }
}
