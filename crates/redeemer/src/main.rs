//! `livepeer-redeemer`: redeems an orchestrator's winning tickets from a JSON-lines inbox, keeping
//! a persistent queue so that nothing is lost across failures and restarts.
//!
//! See the `livepeer_redeemer` crate docs for the inbox format and what one pass does, and
//! [`livepeer_redeemer::config`] for the options.

use std::{path::Path, sync::Arc, time::Duration};

use alloy::primitives::Address;
use anyhow::{Context, Result};
use livepeer_chain::{counter::RequestCounter, provider::connect, sender::TxSender, server};
use livepeer_redeemer::{
    Redeemer,
    chain::Broker,
    config::{Cli, Mode, ServiceSettings, Settings},
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

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse_args()
        .merge_file()
        .context("invalid configuration")?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if cli.common.log_json {
        logs.json().init();
    } else {
        logs.init();
    }
    match cli.resolve().context("invalid configuration")? {
        Mode::List { state_dir } => list(&state_dir),
        Mode::Run(settings) => {
            let cancel =
                livepeer_chain::shutdown::on_signal().context("installing the signal handlers")?;
            run(*settings, cancel).await
        }
    }
}

/// Prints every queued ticket as one JSON line.
fn list(state_dir: &Path) -> Result<()> {
    // Read only: a running redeemer may be appending to the journal.
    let queue = Queue::read_only(state_dir)
        .with_context(|| format!("opening the queue in {}", state_dir.display()))?;
    for t in queue.tickets() {
        println!("{}", serde_json::to_string(t)?);
    }
    Ok(())
}

async fn run(settings: Settings, cancel: CancellationToken) -> Result<()> {
    let signer = settings.key.load()?;
    let from = signer.address();
    let counter = RequestCounter::new();
    let metrics = Arc::new(RedeemerMetrics::new(
        counter.clone(),
        settings.max_failed_reads,
    ));

    // One failover transport for reads, sends and heads.
    let rpc = connect(&settings.rpc, counter)
        .await
        .context("connecting to the RPC endpoints")?;
    let controller = settings.controller;
    let broker = Broker::discover(rpc.provider.clone(), controller)
        .await
        .with_context(|| format!("discovering the contracts from Controller {controller}"))?;
    let addresses = broker.protocol().addresses;
    let rpc_provider = rpc.provider.clone();
    let sender = TxSender::new(rpc.provider.clone(), signer, settings.fees.clone())
        .await
        .context("setting up the transaction sender")?;
    let queue = Queue::open(&settings.state_dir)
        .with_context(|| format!("opening the queue in {}", settings.state_dir.display()))?;
    tracing::info!(
        %from,
        ticket_broker = %broker.ticket_broker(),
        queued = queue.open_tickets().count(),
        max_fee_per_gas = settings.fees.max_fee_per_gas,
        "redeemer started"
    );
    let config = settings.redeemer.clone();
    let mut redeemer = Redeemer::new(
        broker,
        Arc::new(sender),
        queue,
        settings.inbox.clone(),
        config.clone(),
    )
    .with_heads(rpc)
    .with_metrics(metrics.clone());
    if let Some(service) = &settings.service {
        let recipient = service.recipient.unwrap_or(from);
        let reader = FundsReader::new(
            rpc_provider,
            addresses.ticket_broker,
            addresses.bonding_manager,
            recipient,
        );
        redeemer = start_service(
            &settings.state_dir,
            service,
            recipient,
            reader,
            metrics.clone(),
            redeemer,
            cancel.clone(),
        )
        .await?;
    }
    if settings.once {
        let report = redeemer.process_once().await.context("redemption pass")?;
        tracing::info!(?report, "pass done");
        return Ok(());
    }
    // A pass may wait up to --receipt-timeout for a receipt: healthy while one succeeded within
    // a minute (or 10 poll intervals) plus that.
    let health_age =
        (config.poll_interval * 10).max(Duration::from_secs(60)) + config.receipt_timeout;
    let bound = server::serve(settings.metrics_addr, metrics, health_age, cancel.clone())
        .await
        .with_context(|| format!("serving metrics at {}", settings.metrics_addr))?;
    tracing::info!(%bound, "metrics and health served");
    redeemer.run(cancel).await.context("redeemer stopped")
}

/// Takes the intake left from the last run into the queue, then serves the Ticket Redemption
/// Service and keeps max float fresh until `cancel`.
async fn start_service(
    state_dir: &Path,
    service: &ServiceSettings,
    recipient: Address,
    reader: FundsReader,
    metrics: Arc<RedeemerMetrics>,
    redeemer: Redeemer,
    cancel: CancellationToken,
) -> Result<Redeemer> {
    let intake = Intake::open(state_dir).context("opening the gRPC intake")?;
    let floats = Arc::new(MaxFloats::new());
    let wake = Arc::new(Notify::new());
    let mut redeemer = redeemer
        .with_intake(intake.path().to_path_buf())
        .with_wake(wake.clone())
        .with_max_floats(floats.clone());
    let taken = redeemer
        .drain_intake()
        .context("taking the intake into the queue")?;
    metrics.watch_max_floats(floats.clone());
    let tls = tls::load_or_generate(
        service.tls.as_ref().map(|(cert, _)| cert.as_path()),
        service.tls.as_ref().map(|(_, key)| key.as_path()),
        state_dir,
        &service.tls_hosts,
    )?;
    let grpc = TicketService::new(
        recipient,
        intake,
        floats.clone(),
        reader.clone(),
        wake,
        metrics.clone(),
    );
    let (bound, _server) = grpc::serve(service.addr, &tls, grpc, cancel.clone())
        .await
        .with_context(|| format!("serving the Ticket Redemption Service at {}", service.addr))?;
    tokio::spawn(grpc::refresh_max_floats(
        floats,
        reader,
        service.max_float_refresh,
        metrics,
        cancel,
    ));
    tracing::info!(
        %bound,
        %recipient,
        certificate = %tls.cert_path.display(),
        taken_from_intake = taken,
        "ticket redemption service listening (go-livepeer: -redeemerAddr)"
    );
    Ok(redeemer)
}
