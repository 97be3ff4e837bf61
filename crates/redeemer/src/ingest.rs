//! Taking tickets into the queue: new complete lines of the inbox and of the gRPC intake (see the
//! crate docs for the format), journaled with the byte offset reached.

use std::{
    fs::File,
    io::{Read, Seek, SeekFrom},
    path::Path,
};

use crate::{RedeemerError, bot::RedeemerBot, intake::HandedOver, queue::Record};

/// A file tickets are taken from.
#[derive(Debug, Clone, Copy)]
enum Source {
    Inbox,
    Intake,
}

impl RedeemerBot {
    /// Takes new lines of the inbox and of the gRPC intake into the queue.
    pub(crate) fn ingest(&mut self) -> Result<usize, RedeemerError> {
        Ok(self.ingest_inbox()? + self.ingest_intake()?)
    }

    /// Takes new inbox lines into the queue.
    pub(crate) fn ingest_inbox(&mut self) -> Result<usize, RedeemerError> {
        let Some(path) = self.inbox.clone() else {
            return Ok(0);
        };
        self.ingest_file(&path, Source::Inbox)
    }

    /// Takes new lines of the gRPC intake into the queue.
    pub(crate) fn ingest_intake(&mut self) -> Result<usize, RedeemerError> {
        let Some(path) = self.intake.clone() else {
            return Ok(0);
        };
        self.ingest_file(&path, Source::Intake)
    }

    /// Takes the whole gRPC intake into the queue and empties it (nothing may append meanwhile).
    pub(crate) fn drain_intake(&mut self) -> Result<usize, RedeemerError> {
        let added = self.ingest_intake()?;
        if let Some(path) = self.intake.clone() {
            let empty = std::fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_len(0).and_then(|()| f.sync_all()));
            match empty {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(RedeemerError::Inbox { path, source }),
            }
            if self.queue.intake_offset() != 0 {
                self.queue.record(Record::Intake { offset: 0 })?;
            }
        }
        Ok(added)
    }

    fn ingest_file(&mut self, path: &Path, source: Source) -> Result<usize, RedeemerError> {
        let inbox_err = |e| RedeemerError::Inbox {
            path: path.to_path_buf(),
            source: e,
        };
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(inbox_err(e)),
        };
        let len = file.metadata().map_err(inbox_err)?.len();
        let recorded = match source {
            Source::Inbox => self.queue.inbox_offset(),
            Source::Intake => self.queue.intake_offset(),
        };
        let mut offset = recorded;
        if len < offset {
            tracing::warn!(path = %path.display(), "inbox shrank; reading it from the start");
            offset = 0;
        }
        if len == offset {
            return Ok(0);
        }
        file.seek(SeekFrom::Start(offset)).map_err(inbox_err)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(inbox_err)?;
        let Some(end) = bytes.iter().rposition(|&b| b == b'\n') else {
            return Ok(0);
        };
        let mut added = 0;
        for (i, line) in bytes[..end].split(|&b| b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            match serde_json::from_slice::<HandedOver>(line) {
                Ok(handed) => {
                    if self
                        .queue
                        .add_held(handed.signed, handed.params_expiration_block)?
                    {
                        added += 1;
                        self.metrics.count(|c| c.queued += 1);
                    }
                }
                Err(err) => tracing::warn!(
                    path = %path.display(),
                    offset,
                    line = i + 1,
                    %err,
                    "skipping an inbox line that is not a ticket"
                ),
            }
        }
        let new_offset = offset + end as u64 + 1;
        if new_offset != recorded {
            self.queue.record(match source {
                Source::Inbox => Record::Inbox { offset: new_offset },
                Source::Intake => Record::Intake { offset: new_offset },
            })?;
        }
        Ok(added)
    }
}
