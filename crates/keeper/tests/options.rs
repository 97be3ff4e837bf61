//! The keeper's environment variables on the real binary: the shared `LIVEPEER_*` names, the
//! old `KEEPER_*` ones still read, and the new one winning when both are set. The runs stop
//! before touching a chain: a bad value is refused by the parser, a good one reaches the RPC
//! URL, whose scheme is refused.

use std::process::Command;

const CONTROLLER: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/// Runs `livepeer-keeper` with only `env` set; returns its exit code and stderr.
fn keeper(env: &[(&str, &str)]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer-keeper"))
        .args(["--rpc-url", "ftp://nowhere", "--private-key-env", "NO_KEY"])
        .env_clear()
        .envs(env.iter().copied())
        .output()
        .unwrap_or_else(|e| unreachable!("running the keeper: {e}"));
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_old_variable_is_read_when_the_new_one_is_not_set() {
    let (code, err) = keeper(&[("KEEPER_CONTROLLER", "not-an-address")]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not-an-address"), "{err}");
    let (code, err) = keeper(&[("KEEPER_CONTROLLER", CONTROLLER)]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("unsupported scheme `ftp`"), "{err}");
}

#[test]
fn the_new_variable_wins_when_both_are_set() {
    let (code, err) = keeper(&[
        ("LIVEPEER_CONTROLLER", "bad-new"),
        ("KEEPER_CONTROLLER", CONTROLLER),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("bad-new"), "{err}");
    let (code, err) = keeper(&[
        ("LIVEPEER_CONTROLLER", CONTROLLER),
        ("KEEPER_CONTROLLER", "bad-old"),
    ]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("unsupported scheme `ftp`") && !err.contains("bad-old"),
        "{err}"
    );
}

#[test]
fn a_missing_option_is_named() {
    let (code, err) = keeper(&[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("missing --controller"), "{err}");
}
