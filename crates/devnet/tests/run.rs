//! Runs the real `livepeer-devnet` binary (anvil, Deploy.s.sol, the keeper, reward agent and
//! redeemer as child processes) with small numbers and checks its report.

#![allow(clippy::panic)] // a test fails by panicking

mod common;

use std::process::Command;

#[test]
fn devnet_runs_two_rounds_and_passes_its_consistency_check()
-> Result<(), Box<dyn std::error::Error>> {
    common::build_bots()?;

    let work = tempfile::tempdir()?;
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer-devnet"))
        .args(["--rounds", "2", "--orchestrators", "2", "--delegators", "2"])
        .arg("--work-dir")
        .arg(work.path())
        .output()?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "exit status {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    for needle in [
        "per-round table",
        "round inflation",
        "reward O0",
        "reward O1",
        "won/redm",
        "active stake",
        "bonding",
        "[ok] every round initialized (2 rounds",
        "[ok] every active orchestrator rewarded every round (4 orchestrator-rounds",
        "[ok] LPT: supply",
        "[ok] LPT: Minter",
        "= bonded + unbonding",
        "[ok] ETH: Minter",
        "unwithdrawn fees",
        "[ok] every winning ticket redeemed",
        "consistency check: PASSED",
        // The treasury grant: proposed, voted with an override, queued, executed, checked.
        "governance check (treasury grant",
        "governance: quorum reached",
        "is Executed",
        "governance: Treasury",
        "governance check: PASSED",
        "stopped keeper",
        "stopped reward-agent",
        "stopped redeemer",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("[FAIL]"), "a check failed:\n{stdout}");
    // Two table rows, one per round, each with a reward for both orchestrators.
    let rows: Vec<&str> = stdout
        .lines()
        .skip_while(|l| !l.starts_with("round inflation"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(rows.len(), 2, "two rounds in the table:\n{stdout}");
    for row in rows {
        assert!(
            !row.contains(" - "),
            "every orchestrator rewarded in {row:?}"
        );
    }
    for log in ["keeper.log", "reward-agent.log", "redeemer.log"] {
        assert!(work.path().join(log).is_file(), "{log} written");
    }
    Ok(())
}
