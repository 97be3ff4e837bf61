//! Shutdown on a signal: the one place every bot binary turns SIGINT / SIGTERM into the
//! [`CancellationToken`] its loop `select!`s on.

use tokio_util::sync::CancellationToken;

/// A token that is cancelled when the process receives SIGINT (Ctrl-C) or SIGTERM; the signal
/// is logged (`"SIGINT: shutting down"` / `"SIGTERM: shutting down"`) before the cancellation.
///
/// The handlers are installed before this returns, so a signal that arrives afterwards never
/// takes the default action (killing the process) but cancels the token. Must be called inside
/// a Tokio runtime. Fails only if a handler cannot be installed. Outside Unix only Ctrl-C is
/// watched.
pub fn on_signal() -> std::io::Result<CancellationToken> {
    let cancel = CancellationToken::new();
    let on_signal = cancel.clone();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt())?;
        let mut term = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            tokio::select! {
                _ = int.recv() => tracing::info!("SIGINT: shutting down"),
                _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
            }
            on_signal.cancel();
        });
    }
    #[cfg(not(unix))]
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            tracing::info!("SIGINT: shutting down");
            on_signal.cancel();
        }
    });
    Ok(cancel)
}

#[cfg(all(test, unix))]
mod tests {
    use std::time::Duration;

    use super::*;

    /// Sends SIGTERM to this very test process (through `kill(1)`, no FFI): the handler installed
    /// by [`on_signal`] must catch it and cancel the token instead of the process dying.
    #[tokio::test]
    async fn sigterm_cancels_the_token() -> anyhow::Result<()> {
        let cancel = on_signal()?;
        assert!(!cancel.is_cancelled(), "not cancelled before any signal");
        let status = std::process::Command::new("kill")
            .args(["-TERM", &std::process::id().to_string()])
            .status()?;
        anyhow::ensure!(status.success(), "kill -TERM {}", std::process::id());
        tokio::time::timeout(Duration::from_secs(10), cancel.cancelled())
            .await
            .map_err(|_| anyhow::anyhow!("SIGTERM did not cancel the token within 10 s"))?;
        Ok(())
    }
}
