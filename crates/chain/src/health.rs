//! The `/health` verdict every bot shares: healthy while it reads the chain, unhealthy after
//! `--max-failed-reads` consecutive failed reads or when no read succeeded within the maximum
//! age. A "read" is what a bot needs to decide (the keeper's round state, the reward agent's
//! snapshot, a redeemer pass): a head that arrives while that read fails does not count as
//! success, so a node that serves heads but reverts every call still turns `/health` red.

use std::{
    sync::{Mutex, MutexGuard},
    time::{Duration, Instant},
};

/// Default of `--max-failed-reads`.
pub const DEFAULT_MAX_FAILED_READS: u32 = 3;

/// Records each chain read as ok or failed and gives the `/health` verdict.
#[derive(Debug)]
pub struct ReadHealth {
    max_failed_reads: u32,
    state: Mutex<ReadState>,
}

#[derive(Debug, Default, Clone, Copy)]
struct ReadState {
    last_ok: Option<Instant>,
    consecutive_failed: u32,
}

impl ReadHealth {
    /// Unhealthy from `max_failed_reads` consecutive failed reads (at least 1).
    pub fn new(max_failed_reads: u32) -> Self {
        Self {
            max_failed_reads: max_failed_reads.max(1),
            state: Mutex::new(ReadState::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, ReadState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records a successful read.
    pub fn ok(&self) {
        let mut state = self.lock();
        state.last_ok = Some(Instant::now());
        state.consecutive_failed = 0;
    }

    /// Records a failed read; returns the consecutive failures, this one included. Logs an error
    /// when they reach [`ReadHealth::max_failed_reads`], the read that turns `/health` to 503.
    pub fn failed(&self) -> u32 {
        let failed = {
            let mut state = self.lock();
            state.consecutive_failed = state.consecutive_failed.saturating_add(1);
            state.consecutive_failed
        };
        let limit = self.max_failed_reads;
        if failed == limit {
            tracing::error!(
                failed,
                limit,
                "CHAIN READS FAILING: {failed} in a row; /health is 503 until a read succeeds"
            );
        }
        failed
    }

    /// Failed reads since the last successful one.
    pub fn consecutive_failed(&self) -> u32 {
        self.lock().consecutive_failed
    }

    /// The configured limit.
    pub fn max_failed_reads(&self) -> u32 {
        self.max_failed_reads
    }

    /// `Ok` when healthy, otherwise why not (the `/health` body).
    pub fn verdict(&self, max_age: Duration) -> Result<(), String> {
        let state = *self.lock();
        verdict(
            state.last_ok.map(|t| t.elapsed()),
            state.consecutive_failed,
            self.max_failed_reads,
            max_age,
        )
    }
}

/// The rule: unhealthy when `consecutive_failed >= max_failed_reads`, when no read ever
/// succeeded, or when the last success is older than `max_age`. The error says every reason.
pub fn verdict(
    since_last_ok: Option<Duration>,
    consecutive_failed: u32,
    max_failed_reads: u32,
    max_age: Duration,
) -> Result<(), String> {
    let mut reasons = Vec::new();
    if consecutive_failed >= max_failed_reads.max(1) {
        reasons.push(format!(
            "{consecutive_failed} consecutive failed chain reads (limit {max_failed_reads})"
        ));
    }
    match since_last_ok {
        None => reasons.push("no successful chain read yet".to_owned()),
        Some(age) if age > max_age => reasons.push(format!(
            "no successful chain read in {} s (limit {} s)",
            age.as_secs(),
            max_age.as_secs()
        )),
        Some(_) => {}
    }
    if reasons.is_empty() {
        Ok(())
    } else {
        Err(reasons.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn the_limit_of_consecutive_failures_turns_it_unhealthy() {
        let recent = Some(Duration::from_secs(1));
        assert_eq!(verdict(recent, 0, 3, MINUTE), Ok(()));
        assert_eq!(verdict(recent, 2, 3, MINUTE), Ok(()), "below the limit");
        assert_eq!(
            verdict(recent, 5, 3, MINUTE),
            Err("5 consecutive failed chain reads (limit 3)".to_owned())
        );
        assert!(
            verdict(recent, 1, 0, MINUTE).is_err(),
            "a limit of 0 acts as 1"
        );
    }

    #[test]
    fn no_recent_success_is_unhealthy_and_every_reason_is_given() {
        assert_eq!(
            verdict(None, 0, 3, MINUTE),
            Err("no successful chain read yet".to_owned())
        );
        assert_eq!(
            verdict(Some(Duration::from_secs(90)), 4, 3, MINUTE),
            Err(
                "4 consecutive failed chain reads (limit 3); no successful chain read in 90 s (limit 60 s)"
                    .to_owned()
            )
        );
    }

    #[test]
    fn a_success_resets_the_count() {
        let health = ReadHealth::new(2);
        assert!(health.verdict(MINUTE).is_err(), "nothing read yet");
        health.ok();
        assert_eq!(health.verdict(MINUTE), Ok(()));
        assert_eq!(health.failed(), 1);
        assert_eq!(health.verdict(MINUTE), Ok(()));
        assert_eq!(health.failed(), 2);
        assert_eq!(
            health.verdict(MINUTE),
            Err("2 consecutive failed chain reads (limit 2)".to_owned())
        );
        health.ok();
        assert_eq!(health.consecutive_failed(), 0);
        assert_eq!(health.verdict(MINUTE), Ok(()));
    }
}
