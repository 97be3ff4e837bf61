//! `cargo bench -p livepeer-redeemer --bench grpc`: the release `livepeer-redeemer` serving the
//! Ticket Redemption Service against anvil + Deploy.s.sol (local). Measures tickets accepted per
//! second with durability (each `QueueTicket` answers after its fsync) from concurrent clients,
//! `QueueTicket` latency (p50/p99) for one client and under load, gas per redeemed ticket as the
//! redeemer batches them, and the service's peak resident memory. Writes
//! `target/bench/50-redeemer.json` when `target/bench/` exists (`make bench`).
//!
//! `REDEEMER_BENCH_QUICK=1` runs a few tickets only and writes nothing: `make test` runs it so
//! that the bench keeps working; its figures are not reported.

#[path = "../tests/common/mod.rs"]
mod common;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use alloy::primitives::U256;
use anyhow::{Context, Result, ensure};
use common::{ETH, TicketNet};
use livepeer_chain::testchain::{MetricsScrape, memory_kib, repo_root};
use livepeer_redeemer::{
    proto::{self, ticket_redeemer_client::TicketRedeemerClient},
    wire,
};
use tonic::transport::Channel;

const ORCH: usize = 1;
const BROADCASTERS: [usize; 3] = [2, 3, 4];
/// Tickets sent one at a time by a single client (latency without contention).
const SEQUENTIAL: usize = 200;
/// Concurrent clients (HTTP/2 connections) and tickets each sends in the load run.
const CLIENTS: usize = 32;
const PER_CLIENT: usize = 100;

/// The run's sizes: (sequential, clients, per client) and whether figures are reported.
fn sizes() -> (usize, usize, usize, bool) {
    match std::env::var("REDEEMER_BENCH_QUICK").as_deref() {
        Ok("1") => (10, 4, 10, false),
        _ => (SEQUENTIAL, CLIENTS, PER_CLIENT, true),
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    let net = TicketNet::start().await?;
    net.activate_orchestrator(ORCH, 1_000).await?;
    net.set_round_length(100_000).await?;
    for b in BROADCASTERS {
        net.fund_broadcaster(b, 100 * ETH, ETH).await?;
    }
    let orch = net.account(ORCH);
    let (sequential, clients, per_client, report) = sizes();
    let total = sequential + clients * per_client;
    let mut tickets = Vec::with_capacity(total);
    for n in 0..total {
        let t = net
            .ticket(
                BROADCASTERS[n % BROADCASTERS.len()],
                orch,
                U256::from(ETH / 1000),
                U256::MAX,
                n as u64 + 1,
            )
            .await?;
        tickets.push(wire::ticket_message(&t)?);
    }

    let dir = tempfile::tempdir()?;
    let state = dir.path().join("state");
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut child = Command::new(env!("CARGO_BIN_EXE_livepeer-redeemer"))
        .args([
            "--rpc-url",
            &net.endpoint(),
            "--controller",
            &net.controller.to_string(),
        ])
        .arg("--state-dir")
        .arg(&state)
        .args(["--grpc-addr", &format!("127.0.0.1:{port}")])
        .args(["--metrics-addr", &metrics_addr.to_string()])
        .args(["--poll-interval", "1", "--max-batch", "20"])
        .env("REDEEMER_PRIVATE_KEY", net.key_hex(ORCH))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()?;
    let run = Run {
        net: &net,
        state: &state,
        port,
        metrics_addr: metrics_addr.to_string(),
        pid: child.id(),
        sequential,
        clients,
        per_client,
    };
    let result = run.measure(&tickets).await;
    let _ = child.kill();
    let _ = child.wait();
    let figures = result?;

    println!("{}", serde_json::to_string_pretty(&figures)?);
    let dir = repo_root().join("target/bench");
    if report && dir.is_dir() {
        std::fs::write(
            dir.join("50-redeemer.json"),
            serde_json::to_string_pretty(&figures)?,
        )?;
    }
    Ok(())
}

async fn connect(state: &std::path::Path, port: u16) -> Result<TicketRedeemerClient<Channel>> {
    common::grpc_client(&state.join("tls/cert.pem"), port, "localhost").await
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1e3
}

/// One bench run against a started service.
struct Run<'a> {
    net: &'a TicketNet,
    state: &'a std::path::Path,
    port: u16,
    metrics_addr: String,
    pid: u32,
    sequential: usize,
    clients: usize,
    per_client: usize,
}

impl Run<'_> {
    async fn measure(&self, tickets: &[proto::Ticket]) -> Result<serde_json::Value> {
        let (net, state, port, pid) = (self.net, self.state, self.port, self.pid);
        let (sequential, load) = tickets.split_at(self.sequential);

        // One client, one ticket at a time: the cost of one durable append.
        let mut client = connect(state, port).await?;
        let mut one: Vec<Duration> = Vec::with_capacity(sequential.len());
        for t in sequential {
            let start = Instant::now();
            client.queue_ticket(t.clone()).await?;
            one.push(start.elapsed());
        }
        one.sort();

        // Many clients at once: appends share a sync.
        let mut clients = Vec::with_capacity(self.clients);
        for _ in 0..self.clients {
            clients.push(connect(state, port).await?);
        }
        let start = Instant::now();
        let tasks: Vec<_> = clients
            .into_iter()
            .zip(load.chunks(self.per_client))
            .map(|(mut client, chunk)| {
                let chunk = chunk.to_vec();
                tokio::spawn(async move {
                    let mut latencies = Vec::with_capacity(chunk.len());
                    for t in chunk {
                        let sent = Instant::now();
                        client.queue_ticket(t).await?;
                        latencies.push(sent.elapsed());
                    }
                    anyhow::Ok(latencies)
                })
            })
            .collect();
        let mut loaded: Vec<Duration> = Vec::with_capacity(load.len());
        for t in tasks {
            loaded.extend(t.await??);
        }
        let elapsed = start.elapsed().as_secs_f64();
        loaded.sort();
        let per_second = load.len() as f64 / elapsed;

        // Every ticket redeemed, then gas per ticket from the service's own counters.
        let scrape = MetricsScrape::new(&self.metrics_addr);
        scrape
            .wait_for(
                "redeemer_tickets_redeemed_total",
                tickets.len() as u64,
                Duration::from_secs(600),
            )
            .await
            .context("not every ticket was redeemed within 10 minutes")?;
        let gas = scrape.value("redeemer_gas_used_total").await?;
        let txs = scrape.value("redeemer_txs_sent_total").await?;
        let (_, peak_kib) = memory_kib(pid);
        let used = net
            .broker()
            .usedTickets(wire_hash(&tickets[0])?)
            .call()
            .await?;
        ensure!(used, "the first ticket is used on chain");

        let round1 = |v: f64| serde_json::json!((v * 10.0).round() / 10.0);
        let row = |metric: &str, value: serde_json::Value, goal: &str| serde_json::json!({"metric": metric, "value": value, "goal": goal});
        Ok(serde_json::json!({
            "title": "Ticket Redemption Service (livepeer-redeemer --grpc-addr)",
            "note": format!(
                "cargo bench -p livepeer-redeemer --bench grpc: the release binary against anvil + Deploy.s.sol (local) on this machine (nproc {}); gRPC over TLS on loopback; every QueueTicket answers after its ticket is fsynced. {} tickets from one client one at a time, then {} from {} concurrent clients; all {} redeemed with batches of up to 20.",
                std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
                self.sequential,
                load.len(),
                self.clients,
                tickets.len()
            ),
            "rows": [
                row(&format!("tickets accepted per second, {} concurrent clients", self.clients), round1(per_second), "≥ 1,000"),
                row("QueueTicket latency p50, one client (ms)", round1(percentile(&one, 0.5)), "—"),
                row("QueueTicket latency p99, one client (ms)", round1(percentile(&one, 0.99)), "—"),
                row(&format!("QueueTicket latency p50, {} clients (ms)", self.clients), round1(percentile(&loaded, 0.5)), "—"),
                row(&format!("QueueTicket latency p99, {} clients (ms)", self.clients), round1(percentile(&loaded, 0.99)), "—"),
                row("gas per redeemed ticket, as batched", serde_json::json!(gas / tickets.len() as u64), "—"),
                row("redemption transactions", serde_json::json!(txs), "—"),
                row("resident memory of the service, peak (MB)", round1(peak_kib as f64 / 1024.0), "—"),
            ]
        }))
    }
}

fn wire_hash(msg: &proto::Ticket) -> Result<alloy::primitives::B256> {
    Ok(wire::signed_ticket(msg)
        .context("a ticket of ours")?
        .ticket
        .hash())
}
