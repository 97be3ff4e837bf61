//! `livepeer-redeemer`: redeems an orchestrator's winning tickets from a JSON-lines inbox, keeping
//! a persistent queue so that nothing is lost across failures and restarts.
//!
//! See the `livepeer_tickets::redeemer` docs for the inbox format and what one pass does.

use std::{path::PathBuf, time::Duration};

use alloy::{
    primitives::Address,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result};
use clap::Parser;
use livepeer_tickets::redeemer::{
    Redeemer, RedeemerConfig,
    chain::{Broker, ProviderSender},
    queue::Queue,
};
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

/// Redeems winning Livepeer tickets (TicketBroker.redeemWinningTicket / batchRedeemWinningTickets).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// JSON-RPC endpoint of the chain (Arbitrum One, or a devnet).
    #[arg(long, env = "LIVEPEER_RPC_URL", required_unless_present = "list")]
    rpc_url: Option<String>,

    /// Controller address; every other contract is looked up in it.
    #[arg(long, env = "LIVEPEER_CONTROLLER", required_unless_present = "list")]
    controller: Option<Address>,

    /// Hex private key of the account that sends redemptions (pays gas; fees always go to each
    /// ticket's recipient). Prefer the environment variable to the command line.
    #[arg(
        long,
        env = "REDEEMER_PRIVATE_KEY",
        hide_env_values = true,
        required_unless_present = "list"
    )]
    private_key: Option<String>,

    /// Directory of the persistent queue (`journal.jsonl`); created if missing.
    #[arg(long, env = "REDEEMER_STATE_DIR")]
    state_dir: PathBuf,

    /// JSON-lines file the orchestrator appends winning tickets to (one SignedTicket a line).
    #[arg(long, env = "REDEEMER_INBOX")]
    inbox: Option<PathBuf>,

    /// Run one pass and exit (non-zero if the pass failed).
    #[arg(long)]
    once: bool,

    /// Print the queue (one JSON object a ticket) and exit; needs no chain access.
    #[arg(long)]
    list: bool,

    /// Seconds between passes.
    #[arg(long, default_value_t = 5)]
    poll_interval: u64,

    /// Most tickets in one batchRedeemWinningTickets.
    #[arg(long, default_value_t = 20)]
    max_batch: usize,

    /// Failed redemption transactions after which a ticket is marked dead.
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,

    /// Redeem only when the payout is at least this percentage of the estimated gas cost.
    #[arg(long, default_value_t = 100)]
    min_profit_percent: u64,

    /// Seconds to wait for a receipt before leaving a transaction for the next pass.
    #[arg(long, default_value_t = 120)]
    receipt_timeout: u64,

    /// Gas limit headroom over the estimate, in percent.
    #[arg(long, default_value_t = 25)]
    gas_margin_percent: u64,
}

#[tokio::main]
async fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    if args.list {
        return list(&args);
    }
    let cancel = livepeer_chain::shutdown::on_signal().context("installing the signal handlers")?;
    run(args, cancel).await
}

/// Prints every queued ticket as one JSON line.
fn list(args: &Args) -> Result<()> {
    let queue = Queue::open(&args.state_dir)
        .with_context(|| format!("opening the queue in {}", args.state_dir.display()))?;
    for t in queue.tickets() {
        println!("{}", serde_json::to_string(t)?);
    }
    Ok(())
}

async fn run(args: Args, cancel: CancellationToken) -> Result<()> {
    let rpc_url = args.rpc_url.context("--rpc-url is required")?;
    let controller = args.controller.context("--controller is required")?;
    let signer: PrivateKeySigner = args
        .private_key
        .context("--private-key / REDEEMER_PRIVATE_KEY is required")?
        .trim()
        .parse()
        .context("the private key is not a 32-byte hex key")?;
    let from = signer.address();

    let reader = ProviderBuilder::new()
        .connect(&rpc_url)
        .await
        .with_context(|| format!("connecting to {rpc_url}"))?
        .erased();
    let writer = ProviderBuilder::new()
        .wallet(signer)
        .connect(&rpc_url)
        .await
        .with_context(|| format!("connecting to {rpc_url}"))?
        .erased();
    let broker = Broker::discover(reader, controller)
        .await
        .with_context(|| format!("discovering the contracts from Controller {controller}"))?;
    let queue = Queue::open(&args.state_dir)
        .with_context(|| format!("opening the queue in {}", args.state_dir.display()))?;
    tracing::info!(
        %from,
        ticket_broker = %broker.ticket_broker,
        queued = queue.open_tickets().count(),
        "redeemer started"
    );
    let config = RedeemerConfig {
        max_batch: args.max_batch,
        max_attempts: args.max_attempts,
        min_profit_percent: args.min_profit_percent,
        receipt_timeout: Duration::from_secs(args.receipt_timeout),
        poll_interval: Duration::from_secs(args.poll_interval),
        gas_margin_percent: args.gas_margin_percent,
    };
    let mut redeemer = Redeemer::new(
        broker,
        ProviderSender::new(writer, from),
        queue,
        args.inbox,
        config,
    );
    if args.once {
        let report = redeemer.process_once().await.context("redemption pass")?;
        tracing::info!(?report, "pass done");
        return Ok(());
    }
    redeemer.run(cancel).await.context("redeemer stopped")
}
