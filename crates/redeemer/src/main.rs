//! `livepeer-redeemer`: redeems an orchestrator's winning tickets from a JSON-lines inbox, keeping
//! a persistent queue so that nothing is lost across failures and restarts.
//!
//! See the `livepeer_redeemer` crate docs for the inbox format and what one pass does.

use std::{net::SocketAddr, path::PathBuf, sync::Arc, time::Duration};

use alloy::{
    primitives::Address,
    providers::{Provider, ProviderBuilder},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, bail};
use clap::Parser;
use livepeer_chain::protocol::Protocol;
use livepeer_chain::{
    config::{KeyOptions, max_failed_reads},
    counter::RequestCounter,
    provider::{RpcConfig, connect},
    server,
    signer::load_signer,
};
use livepeer_redeemer::{
    Redeemer, RedeemerConfig,
    chain::{Broker, ProviderSender},
    grpc::{self, TicketService},
    intake::Intake,
    max_float::{FundsReader, MaxFloats},
    metrics::RedeemerMetrics,
    queue::Queue,
    tls,
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing_subscriber::EnvFilter;

/// Redeems winning Livepeer tickets (TicketBroker.redeemWinningTicket / batchRedeemWinningTickets).
#[derive(Debug, Parser)]
#[command(version, about)]
struct Args {
    /// JSON-RPC endpoints of the chain (Arbitrum One, or a devnet), comma-separated: later ones
    /// take over when one fails; failed requests are retried with backoff.
    #[arg(
        long,
        env = "LIVEPEER_RPC_URL",
        value_delimiter = ',',
        required_unless_present = "list"
    )]
    rpc_url: Vec<String>,

    /// Controller address; every other contract is looked up in it.
    #[arg(long, env = "LIVEPEER_CONTROLLER", required_unless_present = "list")]
    controller: Option<Address>,

    /// Hex private key of the account that sends redemptions (pays gas; fees always go to each
    /// ticket's recipient). Prefer the environment variable, a key file or a keystore to the
    /// command line. Exactly one key source.
    #[arg(long, env = "REDEEMER_PRIVATE_KEY", hide_env_values = true)]
    private_key: Option<String>,

    /// File holding the hex private key of the sending account.
    #[arg(long, env = "REDEEMER_PRIVATE_KEY_FILE")]
    private_key_file: Option<PathBuf>,

    /// Name of an environment variable holding the hex private key.
    #[arg(long, env = "REDEEMER_PRIVATE_KEY_ENV")]
    private_key_env: Option<String>,

    /// Encrypted JSON keystore of the sending account (needs --password-file).
    #[arg(long, env = "REDEEMER_KEYSTORE")]
    keystore: Option<PathBuf>,

    /// File holding the keystore password.
    #[arg(long, env = "REDEEMER_PASSWORD_FILE")]
    password_file: Option<PathBuf>,

    /// Directory of the persistent queue (`journal.jsonl`); created if missing.
    #[arg(long, env = "REDEEMER_STATE_DIR")]
    state_dir: PathBuf,

    /// JSON-lines file the orchestrator appends winning tickets to (one SignedTicket a line).
    #[arg(long, env = "REDEEMER_INBOX")]
    inbox: Option<PathBuf>,

    /// Run one pass and exit (non-zero if the pass failed).
    #[arg(long)]
    once: bool,

    /// Print the queue (one JSON object a ticket) and exit; needs no chain access and is safe
    /// while a redeemer runs on the same state directory.
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

    /// Address of the /metrics and /health server (not with --once).
    #[arg(long, env = "REDEEMER_METRICS_ADDR", default_value = "127.0.0.1:9466")]
    metrics_addr: SocketAddr,

    /// Passes in a row failing on chain reads after which /health answers 503.
    #[arg(long, env = "REDEEMER_MAX_FAILED_READS", default_value_t = 3)]
    max_failed_reads: u32,

    /// Serve go-livepeer's Ticket Redemption Service (gRPC over TLS) at this address, for an
    /// orchestrator started with `-redeemerAddr <host:port>`. Off unless given.
    #[arg(long, env = "REDEEMER_GRPC_ADDR", conflicts_with = "once")]
    grpc_addr: Option<SocketAddr>,

    /// The orchestrator whose tickets the service takes (tickets for anyone else are refused).
    /// Default: the sending account.
    #[arg(long, env = "REDEEMER_RECIPIENT")]
    recipient: Option<Address>,

    /// PEM certificate of the service (with --tls-key). Default: a self-signed one generated on
    /// first start in `<state-dir>/tls/`.
    #[arg(long, env = "REDEEMER_TLS_CERT", requires = "tls_key")]
    tls_cert: Option<PathBuf>,

    /// PEM private key of --tls-cert.
    #[arg(long, env = "REDEEMER_TLS_KEY", requires = "tls_cert")]
    tls_key: Option<PathBuf>,

    /// Extra host names or IPs for the generated certificate, comma-separated (it always has
    /// `localhost` and `127.0.0.1`).
    #[arg(long, env = "REDEEMER_TLS_HOSTS", value_delimiter = ',')]
    tls_hosts: Vec<String>,

    /// Seconds between reads of the watched senders' funds for max float (a sender is also read
    /// at once when one of its tickets is redeemed or dies).
    #[arg(long, env = "REDEEMER_MAX_FLOAT_REFRESH", default_value_t = 2)]
    max_float_refresh: u64,
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

/// The sending key: `--private-key` / `REDEEMER_PRIVATE_KEY`, or one of the key file, key
/// variable and keystore options every bot shares.
fn load_key(args: &Args) -> Result<PrivateKeySigner> {
    let shared = KeyOptions {
        keystore: args.keystore.clone(),
        password_file: args.password_file.clone(),
        private_key_file: args.private_key_file.clone(),
        private_key_env: args.private_key_env.clone(),
    }
    .resolve()?;
    match (&args.private_key, shared) {
        (Some(hex), None) => hex
            .trim()
            .parse()
            .context("the private key is not a 32-byte hex key"),
        (None, Some(source)) => Ok(load_signer(&source)?),
        (None, None) => bail!(
            "no key: set REDEEMER_PRIVATE_KEY, or pass --private-key-file, --private-key-env, or --keystore with --password-file"
        ),
        (Some(_), Some(_)) => bail!(
            "two keys given: REDEEMER_PRIVATE_KEY / --private-key and a key file, variable or keystore; keep one"
        ),
    }
}

/// Prints every queued ticket as one JSON line.
fn list(args: &Args) -> Result<()> {
    // Read only: a running redeemer may be appending to the journal.
    let queue = Queue::read_only(&args.state_dir)
        .with_context(|| format!("opening the queue in {}", args.state_dir.display()))?;
    for t in queue.tickets() {
        println!("{}", serde_json::to_string(t)?);
    }
    Ok(())
}

async fn run(args: Args, cancel: CancellationToken) -> Result<()> {
    let controller = args.controller.context("--controller is required")?;
    let signer = load_key(&args)?;
    let from = signer.address();
    let counter = RequestCounter::new();
    let metrics = Arc::new(RedeemerMetrics::new(
        counter.clone(),
        max_failed_reads(Some(args.max_failed_reads))?,
    ));

    // One failover transport for reads and sends; the writer adds nonce, gas and signing.
    let rpc = connect(&RpcConfig::new(args.rpc_url.clone()), counter)
        .await
        .context("connecting to the RPC endpoints")?;
    let reader = rpc.provider.clone();
    let writer = ProviderBuilder::new()
        .wallet(signer)
        .connect_provider(rpc.provider)
        .erased();
    let broker = Broker::discover(reader.clone(), controller)
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
    let ticket_broker = broker.ticket_broker;
    let mut redeemer = Redeemer::new(
        broker,
        ProviderSender::new(writer, from),
        queue,
        args.inbox.clone(),
        config,
    )
    .with_metrics(metrics.clone());
    if let Some(addr) = args.grpc_addr {
        redeemer = start_service(
            &args,
            addr,
            redeemer,
            Service {
                provider: reader,
                controller,
                ticket_broker,
                recipient: args.recipient.unwrap_or(from),
                metrics: metrics.clone(),
            },
            cancel.clone(),
        )
        .await?;
    }
    if args.once {
        let report = redeemer.process_once().await.context("redemption pass")?;
        tracing::info!(?report, "pass done");
        return Ok(());
    }
    // A pass may wait up to --receipt-timeout for a receipt: healthy while one succeeded within
    // a minute (or 10 poll intervals) plus that.
    let health_age = (Duration::from_secs(args.poll_interval) * 10).max(Duration::from_secs(60))
        + Duration::from_secs(args.receipt_timeout);
    let bound = server::serve(args.metrics_addr, metrics, health_age, cancel.clone())
        .await
        .with_context(|| format!("serving metrics at {}", args.metrics_addr))?;
    tracing::info!(%bound, "metrics and health served");
    redeemer.run(cancel).await.context("redeemer stopped")
}

/// What the gRPC service needs besides the flags.
struct Service {
    provider: alloy::providers::DynProvider,
    controller: Address,
    ticket_broker: Address,
    recipient: Address,
    metrics: Arc<RedeemerMetrics>,
}

/// Takes the intake left from the last run into the queue, then serves the Ticket Redemption
/// Service and keeps max float fresh until `cancel`.
async fn start_service(
    args: &Args,
    addr: SocketAddr,
    redeemer: Redeemer<ProviderSender>,
    service: Service,
    cancel: CancellationToken,
) -> Result<Redeemer<ProviderSender>> {
    let bonding_manager = Protocol::discover(service.provider.clone(), service.controller)
        .await
        .context("looking up the BondingManager for max float")?
        .addresses
        .bonding_manager;
    let intake = Intake::open(&args.state_dir).context("opening the gRPC intake")?;
    let floats = Arc::new(MaxFloats::new());
    let wake = Arc::new(Notify::new());
    let mut redeemer = redeemer
        .with_intake(intake.path().to_path_buf())
        .with_wake(wake.clone())
        .with_max_floats(floats.clone());
    let taken = redeemer
        .drain_intake()
        .context("taking the intake into the queue")?;
    service.metrics.watch_max_floats(floats.clone());
    let tls = tls::load_or_generate(
        args.tls_cert.as_deref(),
        args.tls_key.as_deref(),
        &args.state_dir,
        &args.tls_hosts,
    )?;
    let reader = FundsReader::new(
        service.provider,
        service.ticket_broker,
        bonding_manager,
        service.recipient,
    );
    let grpc = TicketService::new(
        service.recipient,
        intake,
        floats.clone(),
        reader.clone(),
        wake,
        service.metrics.clone(),
    );
    let (bound, _server) = grpc::serve(addr, &tls, grpc, cancel.clone())
        .await
        .with_context(|| format!("serving the Ticket Redemption Service at {addr}"))?;
    tokio::spawn(grpc::refresh_max_floats(
        floats,
        reader,
        Duration::from_secs(args.max_float_refresh.max(1)),
        service.metrics,
        cancel,
    ));
    tracing::info!(
        %bound,
        recipient = %service.recipient,
        certificate = %tls.cert_path.display(),
        taken_from_intake = taken,
        "ticket redemption service listening (go-livepeer: -redeemerAddr)"
    );
    Ok(redeemer)
}
