//! `keeper-bench`: runs the real `livepeer-keeper` binary against a local devnet and reports
//! RPC requests per idle block and per acting round, blocks from round start to
//! initialization, and resident memory. Build first: `cargo build --release -p livepeer-keeper`,
//! then `target/release/keeper-bench` (or `cargo run --release -p livepeer-keeper --bin
//! keeper-bench`). Needs the pinned toolchain (`make deps`).

use std::{path::Path, process::Stdio, time::Duration};

use alloy::{
    primitives::U256,
    providers::{DynProvider, Provider, ProviderBuilder},
};
use anyhow::{Context, Result};
use livepeer_bindings::{IController, IRoundsManager, contract_id, names};
use livepeer_chain::testchain::{DEV_KEYS, MetricsScrape, TestChain, memory_kib};

const ROUND_LENGTH: u64 = 20;
const ROUNDS: u64 = 5;
/// How long the keeper may take to handle one block, and to start.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(10);
const START_TIMEOUT: Duration = Duration::from_secs(120);

async fn mine(provider: &DynProvider, blocks: u64) -> Result<u64> {
    let _: serde_json::Value = provider
        .raw_request("anvil_mine".into(), (U256::from(blocks),))
        .await?;
    Ok(provider.get_block_number().await?)
}

/// Figures of one run.
struct Figures {
    idle_per_block: f64,
    acting_per_round: f64,
    max_delay: u64,
    rss_mb: f64,
}

async fn bench(
    devnet: &TestChain,
    provider: &DynProvider,
    ws: bool,
    key_file: &Path,
) -> Result<Figures> {
    let keeper_bin = std::env::current_exe()?
        .parent()
        .context("no exe dir")?
        .join("livepeer-keeper");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let url = if ws {
        devnet.ws_url()
    } else {
        devnet.http_url()
    };
    let mut child = tokio::process::Command::new(&keeper_bin)
        .args([
            "--rpc-url",
            &url,
            "--controller",
            &devnet.controller.to_string(),
            "--private-key-file",
            &key_file.display().to_string(),
            "--metrics-addr",
            &format!("127.0.0.1:{port}"),
            "--poll-interval-ms",
            "250",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", keeper_bin.display()))?;
    let pid = child.id().context("no pid")?;
    let scrape = MetricsScrape::new(&format!("127.0.0.1:{port}"));
    let processed = |block| scrape.wait_for("keeper_processed_block", block, BLOCK_TIMEOUT);
    let rm = IRoundsManager::new(
        IController::new(devnet.controller, provider)
            .getContract(contract_id(names::ROUNDS_MANAGER))
            .call()
            .await?,
        provider,
    );
    // Settle: the keeper up and the current round initialized.
    let mut head = provider.get_block_number().await?;
    scrape
        .wait_for("keeper_processed_block", head, START_TIMEOUT)
        .await?;
    while rm.currentRound().call().await? > rm.lastInitializedRound().call().await? {
        head = mine(provider, 1).await?;
        processed(head).await?;
    }
    let (mut idle_requests, mut idle_blocks, mut acting_requests, mut delays) =
        (0, 0, 0, Vec::new());
    for _ in 0..ROUNDS {
        let start: u64 = rm.currentRoundStartBlock().call().await?.to::<u64>() + ROUND_LENGTH;
        // Idle blocks up to the one before the round starts, one at a time.
        let before = scrape.value("keeper_rpc_requests_total").await?;
        let mut blocks = 0;
        while head + 1 < start {
            head = mine(provider, 1).await?;
            processed(head).await?;
            blocks += 1;
        }
        idle_requests += scrape.value("keeper_rpc_requests_total").await? - before;
        idle_blocks += blocks;
        // Acting: the round's first block until the keeper is idle again.
        let before = scrape.value("keeper_rpc_requests_total").await?;
        let confirmed = scrape.value("keeper_txs_confirmed_total").await?;
        for _ in 0..6 {
            head = mine(provider, 1).await?;
            processed(head).await?;
            if scrape.value("keeper_txs_confirmed_total").await? > confirmed {
                break;
            }
        }
        // One more block: the keeper reads the state once and sees the round initialized.
        head = mine(provider, 1).await?;
        processed(head).await?;
        // Minus that last block's idle traffic (the idle rate measured so far).
        let idle_rate = idle_requests.div_ceil(idle_blocks.max(1));
        acting_requests += scrape.value("keeper_rpc_requests_total").await? - before - idle_rate;
        delays.push(scrape.value("keeper_round_init_delay_blocks").await?);
    }
    let (rss, hwm) = memory_kib(pid);
    let _ = tokio::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await;
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await??;
    let figures = Figures {
        idle_per_block: idle_requests as f64 / idle_blocks.max(1) as f64,
        acting_per_round: acting_requests as f64 / ROUNDS as f64,
        max_delay: delays.iter().copied().max().unwrap_or(0),
        rss_mb: hwm as f64 / 1024.0,
    };
    println!(
        "{mode}: idle {idle:.2} requests/block over {idle_blocks} blocks; acting {acting:.1} requests/round (round start to confirmation, idle reads of those blocks included); \
         blocks from round start to initialization {delays:?}; RSS {rss_mb:.1} MB (peak {hwm_mb:.1} MB); exit on SIGTERM: {status}",
        mode = if ws {
            "WebSocket (subscription)"
        } else {
            "HTTP (polling every 250 ms)"
        },
        idle = idle_requests as f64 / idle_blocks.max(1) as f64,
        acting = acting_requests as f64 / ROUNDS as f64,
        rss_mb = rss as f64 / 1024.0,
        hwm_mb = hwm as f64 / 1024.0,
    );
    Ok(figures)
}

#[tokio::main]
async fn main() -> Result<()> {
    let devnet = TestChain::start().await.context("starting the devnet")?;
    let provider = ProviderBuilder::new()
        .connect_http(devnet.http_url().parse()?)
        .erased();
    let _: serde_json::Value = provider
        .raw_request("evm_setAutomine".into(), (false,))
        .await?;
    let dir = tempfile::tempdir()?;
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, DEV_KEYS[1])?;
    let ws = bench(&devnet, &provider, true, &key_file).await?;
    let http = bench(&devnet, &provider, false, &key_file).await?;
    // For `make bench` (script/bench/report.js): written when target/bench/ exists.
    let dir = livepeer_chain::testchain::repo_root().join("target/bench");
    if dir.is_dir() {
        let row = |metric: &str, value: serde_json::Value, goal: &str| serde_json::json!({"metric": metric, "value": value, "goal": goal});
        let round1 = |v: f64| serde_json::json!((v * 10.0).round() / 10.0);
        let report = serde_json::json!({
            "title": "Round keeper (livepeer-keeper)",
            "note": format!("keeper-bench: the release binary against anvil + Deploy.s.sol (local), {ROUNDS} rounds per transport; requests counted by the keeper's own transport layer (a JSON-RPC batch counts once)."),
            "rows": [
                row("RPC requests per idle block, WebSocket", round1(ws.idle_per_block), "≤ 2"),
                row("RPC requests per idle block, HTTP polling", round1(http.idle_per_block), "≤ 2"),
                row("RPC requests per acting round, WebSocket", round1(ws.acting_per_round), "≤ 6"),
                row("RPC requests per acting round, HTTP polling", round1(http.acting_per_round), "≤ 6"),
                row("blocks from round start to initialization (max)", serde_json::json!(ws.max_delay.max(http.max_delay)), "first block (1 = included in the block after the round's first)"),
                row("resident memory, peak (MB)", round1(ws.rss_mb.max(http.rss_mb)), "< 30"),
            ]
        });
        std::fs::write(
            dir.join("40-keeper.json"),
            serde_json::to_string_pretty(&report)?,
        )?;
    }
    Ok(())
}
