//! The Ticket Redemption Service as go-livepeer's `-redeemerAddr` client meets it: the real
//! `livepeer-redeemer` binary against anvil with the protocol deployed by the Deploy script, and a
//! gRPC client generated from our `proto/redeemer.proto`.

mod common;

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use alloy::{
    primitives::{Address, U256},
    providers::{Provider, ext::AnvilApi},
    rpc::types::Filter,
    sol_types::SolEvent,
};
use anyhow::{Context, Result, bail, ensure};
use common::{ETH, Flavor, TicketNet};
use livepeer_bindings::ITicketBroker;
use livepeer_protocol::ticket::SignedTicket;
use livepeer_redeemer::{
    max_float::{FloatFunds, max_float},
    proto::{MaxFloatReq, ticket_redeemer_client::TicketRedeemerClient},
    wire,
};
use tokio_stream::StreamExt;
use tonic::{Code, transport::Channel};

const ORCH: usize = 1;
const OTHER_ORCH: usize = 5;
/// Broadcasters with a large deposit (pending tickets do not lower their max float).
const BULK: [usize; 3] = [2, 3, 4];
/// A broadcaster with a small deposit (pending tickets count against its max float).
const SMALL: usize = 6;

type Client = TicketRedeemerClient<Channel>;

/// The service binary, its state directory and gRPC port; killed on drop.
struct Service {
    child: Child,
    state: PathBuf,
    port: u16,
    args: Vec<String>,
}

impl Service {
    fn start(net: &TicketNet, state: &Path, port: u16) -> Result<Self> {
        Self::start_with(net, state, port, &[])
    }

    /// Started with `extra` flags after the common ones.
    fn start_with(net: &TicketNet, state: &Path, port: u16, extra: &[String]) -> Result<Self> {
        let mut args = vec![
            "--rpc-url".into(),
            net.endpoint(),
            "--controller".into(),
            net.controller.to_string(),
            "--state-dir".into(),
            state.display().to_string(),
            "--grpc-addr".into(),
            format!("127.0.0.1:{port}"),
            "--metrics-addr".into(),
            "127.0.0.1:0".into(),
            "--poll-interval".into(),
            "1".into(),
            "--max-float-refresh".into(),
            "1".into(),
        ];
        args.extend_from_slice(extra);
        let child = spawn(&args, net.key_hex(ORCH))?;
        Ok(Self {
            child,
            state: state.to_path_buf(),
            port,
            args,
        })
    }

    /// Kills the process (no shutdown: as a crash) and starts it again on the same state.
    fn crash_and_restart(&mut self, key: &str) -> Result<()> {
        self.child.kill()?;
        self.child.wait()?;
        self.child = spawn(&self.args, key)?;
        Ok(())
    }

    async fn client(&self) -> Result<Client> {
        Probe::new(&self.state.join("tls/cert.pem"), self.port)
            .connect()
            .await
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[String], key: &str) -> Result<Child> {
    Ok(Command::new(env!("CARGO_BIN_EXE_livepeer-redeemer"))
        .args(args)
        .env("REDEEMER_PRIVATE_KEY", key)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The formula's inputs read from the chain now.
async fn funds(net: &TicketNet, sender: Address) -> Result<FloatFunds> {
    let info = net.broker().getSenderInfo(sender).call().await?;
    Ok(FloatFunds {
        deposit: info.sender_.deposit,
        funds_remaining: info.reserve.fundsRemaining,
        claimed_in_current_round: info.reserve.claimedInCurrentRound,
        claimed_reserve: net
            .broker()
            .claimedReserve(sender, net.account(ORCH))
            .call()
            .await?,
        pool_size: net.bonding().getTranscoderPoolSize().call().await?,
    })
}

async fn max_float_of(client: &mut Client, sender: Address) -> Result<U256> {
    let reply = client
        .max_float(MaxFloatReq {
            sender: sender.to_vec(),
        })
        .await?
        .into_inner();
    Ok(wire::uint("max_float", &reply.max_float)?)
}

/// Polls until `f` holds or 60 s pass.
async fn eventually<F, Fut>(what: &str, mut f: F) -> Result<()>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<bool>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while tokio::time::Instant::now() < deadline {
        if f().await? {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("timed out waiting until {what}")
}

/// Two active orchestrators (the reserve is split in two), long rounds, funded broadcasters.
async fn setup() -> Result<TicketNet> {
    setup_on(Flavor::Ours).await
}

/// The same on `flavor`'s protocol.
async fn setup_on(flavor: Flavor) -> Result<TicketNet> {
    let net = TicketNet::start_on(flavor).await?;
    net.activate_orchestrator(ORCH, 1_000).await?;
    net.activate_orchestrator(OTHER_ORCH, 1_000).await?;
    net.set_round_length(5_000).await?;
    for b in BULK {
        net.fund_broadcaster(b, 10 * ETH, ETH).await?;
    }
    net.fund_broadcaster(SMALL, ETH / 20, ETH).await?;
    Ok(net)
}

#[tokio::test]
async fn three_nodes_queue_300_tickets_across_a_crash_and_max_float_follows_the_chain() -> Result<()>
{
    three_nodes_across_a_crash(Flavor::Ours).await
}

#[tokio::test]
async fn three_nodes_queue_300_tickets_across_a_crash_on_the_live_fixture() -> Result<()> {
    three_nodes_across_a_crash(Flavor::LiveFixture).await
}

async fn three_nodes_across_a_crash(flavor: Flavor) -> Result<()> {
    let net = setup_on(flavor).await?;
    let orch = net.account(ORCH);
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("state");
    let mut service = Service::start(&net, &state, free_port()?)?;
    let mut client = service.client().await?;

    // --- Max float against the formula, and the stream delivering each change.
    let small = net.account(SMALL);
    ensure!(
        max_float_of(&mut client, small).await?
            == max_float(&funds(&net, small).await?, U256::ZERO),
        "max float before any ticket"
    );
    let mut stream = client
        .monitor_max_float(MaxFloatReq {
            sender: small.to_vec(),
        })
        .await?
        .into_inner();
    let mut next = async || -> Result<U256> {
        let update = tokio::time::timeout(Duration::from_secs(30), stream.next())
            .await
            .context("no max float update within 30 s")?
            .context("the stream ended")??;
        Ok(wire::uint("max_float", &update.max_float)?)
    };
    let face = U256::from(ETH / 25); // 0.04 ETH: three times it is more than the 0.05 ETH deposit
    for nonce in 1..=2u64 {
        let before = funds(&net, small).await?;
        let ticket = net.ticket(SMALL, orch, face, U256::MAX, nonce).await?;
        client.queue_ticket(wire::ticket_message(&ticket)?).await?;
        ensure!(
            next().await? == max_float(&before, face),
            "queued ticket {nonce}: max float less its face value"
        );
        let redeemed = next().await?;
        ensure!(
            net.broker()
                .usedTickets(ticket.ticket.hash())
                .call()
                .await?,
            "ticket {nonce} redeemed when max float moved"
        );
        ensure!(
            redeemed == max_float(&funds(&net, small).await?, U256::ZERO),
            "redeemed ticket {nonce}: max float from the new funds"
        );
    }
    // The second ticket took 0.03 ETH from the reserve: a top-up and a new round both move it.
    let r = net
        .broker()
        .fundReserve()
        .value(U256::from(ETH))
        .from(small)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(r.status(), "fundReserve");
    ensure!(
        next().await? == max_float(&funds(&net, small).await?, U256::ZERO),
        "reserve funded"
    );
    net.next_round().await?;
    net.initialize_round().await?;
    ensure!(
        next().await? == max_float(&funds(&net, small).await?, U256::ZERO),
        "new round"
    );

    // --- Refusals: a foreign recipient, a malformed ticket.
    let foreign = net
        .ticket(BULK[0], net.account(OTHER_ORCH), face, U256::MAX, 9)
        .await?;
    let err = client
        .queue_ticket(wire::ticket_message(&foreign)?)
        .await
        .err()
        .context("a foreign recipient's ticket was accepted")?;
    ensure!(err.code() == Code::PermissionDenied, "{err:?}");
    let mut malformed =
        wire::ticket_message(&net.ticket(BULK[0], orch, face, U256::MAX, 9).await?)?;
    if let Some(p) = malformed.sender_params.as_mut() {
        p.sig.truncate(64);
    }
    let err = client
        .queue_ticket(malformed)
        .await
        .err()
        .context("a malformed ticket was accepted")?;
    ensure!(
        err.code() == Code::InvalidArgument && err.message().contains("TicketSenderParams.sig"),
        "{err:?}"
    );

    // --- Three nodes queue 300 tickets at once; the service crashes half way.
    let mut tickets: Vec<Vec<SignedTicket>> = vec![Vec::new(); 3];
    for n in 0..300u64 {
        let sender = BULK[(n % 3) as usize];
        let t = net
            .ticket(sender, orch, U256::from(ETH / 1000), U256::MAX, 1_000 + n)
            .await?;
        tickets[(n / 100) as usize].push(t);
    }
    let all: Vec<SignedTicket> = tickets.iter().flatten().cloned().collect();
    let accepted = Arc::new(AtomicUsize::new(0));
    let clients: Vec<_> = tickets
        .into_iter()
        .map(|batch| {
            let accepted = accepted.clone();
            let (state, port) = (service.state.clone(), service.port);
            tokio::spawn(async move { queue_all(batch, &state, port, &accepted).await })
        })
        .collect();
    eventually("150 tickets were accepted", || {
        let n = accepted.load(Ordering::SeqCst);
        async move { Ok(n >= 150) }
    })
    .await?;
    service.crash_and_restart(net.key_hex(ORCH))?;
    for c in clients {
        c.await??;
    }

    // --- Every winning ticket redeemed exactly once, none lost.
    eventually("every ticket is used on chain", || async {
        for t in &all {
            if !net.broker().usedTickets(t.ticket.hash()).call().await? {
                return Ok(false);
            }
        }
        Ok(true)
    })
    .await?;
    let logs = net
        .provider
        .get_logs(
            &Filter::new()
                .address(net.ticket_broker)
                .event_signature(ITicketBroker::WinningTicketRedeemed::SIGNATURE_HASH)
                .from_block(0),
        )
        .await?;
    let mut redemptions: HashMap<(Address, U256), usize> = HashMap::new();
    for log in logs {
        let e = ITicketBroker::WinningTicketRedeemed::decode_log(&log.inner)?;
        *redemptions.entry((e.sender, e.senderNonce)).or_default() += 1;
    }
    for t in &all {
        let n = redemptions
            .get(&(t.ticket.sender, t.ticket.sender_nonce))
            .copied()
            .unwrap_or(0);
        ensure!(
            n == 1,
            "ticket {} redeemed {n} times",
            t.ticket.sender_nonce
        );
    }
    ensure!(
        redemptions.len() == all.len() + 2,
        "{} redemptions for {} tickets",
        redemptions.len(),
        all.len() + 2
    );
    let mut client = service.client().await?;
    for b in BULK {
        let sender = net.account(b);
        let expected = max_float(&funds(&net, sender).await?, U256::ZERO);
        ensure!(
            max_float_of(&mut client, sender).await? == expected,
            "max float of {sender} after its tickets were redeemed"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_recipient_and_certificate_are_the_operators_choice() -> Result<()> {
    let net = setup().await?;
    let other = net.account(OTHER_ORCH);
    let dir = tempfile::tempdir()?;
    let port = free_port()?;

    // A generated certificate also names the --tls-hosts.
    let state = dir.path().join("generated");
    let service = Service::start_with(
        &net,
        &state,
        port,
        &["--tls-hosts".into(), "redeemer.internal,10.0.0.7".into()],
    )?;
    let cert = state.join("tls/cert.pem");
    let mut client = Probe {
        domain: "redeemer.internal",
        ..Probe::new(&cert, port)
    }
    .connect()
    .await?;
    let sender = net.account(BULK[0]);
    ensure!(
        max_float_of(&mut client, sender).await?
            == max_float(&funds(&net, sender).await?, U256::ZERO),
        "answers over a connection verified for redeemer.internal"
    );
    drop(service);

    // The operator's own pair, and another recipient than the sending account.
    let own = tempfile::tempdir()?;
    let pair = livepeer_redeemer::tls::load_or_generate(None, None, own.path(), &[])?;
    let key = own.path().join("tls/key.pem");
    let state = dir.path().join("given");
    let _service = Service::start_with(
        &net,
        &state,
        port,
        &[
            "--recipient".into(),
            other.to_string(),
            "--tls-cert".into(),
            pair.cert_path.display().to_string(),
            "--tls-key".into(),
            key.display().to_string(),
        ],
    )?;
    let mut client = Probe::new(&pair.cert_path, port).connect().await?;
    ensure!(
        !state.join("tls").exists(),
        "no certificate is generated when one is given"
    );
    let face = U256::from(ETH / 1000);
    let theirs = net.ticket(BULK[0], other, face, U256::MAX, 1).await?;
    client.queue_ticket(wire::ticket_message(&theirs)?).await?;
    let ours = net
        .ticket(BULK[0], net.account(ORCH), face, U256::MAX, 2)
        .await?;
    let err = client
        .queue_ticket(wire::ticket_message(&ours)?)
        .await
        .err()
        .context("the sending account's own ticket was accepted for another recipient")?;
    ensure!(err.code() == Code::PermissionDenied, "{err:?}");
    eventually("the recipient's ticket is redeemed", || async {
        Ok(net
            .broker()
            .usedTickets(theirs.ticket.hash())
            .call()
            .await?)
    })
    .await?;
    Ok(())
}

#[tokio::test]
async fn a_ticket_waits_until_its_parameters_expire_before_revealing_its_rand() -> Result<()> {
    let net = setup().await?;
    let dir = tempfile::tempdir()?;
    let state = dir.path().join("state");
    let service = Service::start(&net, &state, free_port()?)?;
    let mut client = service.client().await?;
    let ticket = net
        .ticket(
            BULK[0],
            net.account(ORCH),
            U256::from(ETH / 1000),
            U256::MAX,
            1,
        )
        .await?;
    let expires = net.provider.get_block_number().await? + 3;
    let mut msg = wire::ticket_message(&ticket)?;
    if let Some(p) = msg.ticket_params.as_mut() {
        p.expiration_block = wire::uint_bytes(U256::from(expires));
    }
    client.queue_ticket(msg).await?;
    // Several passes (one a second) go by with the parameters still valid.
    tokio::time::sleep(Duration::from_secs(4)).await;
    ensure!(
        !net.broker()
            .usedTickets(ticket.ticket.hash())
            .call()
            .await?,
        "redeemed while its parameters were still valid"
    );
    let listed = Command::new(env!("CARGO_BIN_EXE_livepeer-redeemer"))
        .arg("--list")
        .arg("--state-dir")
        .arg(&state)
        .output()?;
    let listed = String::from_utf8(listed.stdout)?;
    ensure!(
        listed.contains(&format!("\"holdUntilBlock\":{expires}"))
            && listed.contains("held until block"),
        "the queue shows the hold: {listed}"
    );
    net.provider.anvil_mine(Some(3), None).await?;
    eventually(
        "the ticket is redeemed once its parameters expired",
        || async {
            Ok(net
                .broker()
                .usedTickets(ticket.ticket.hash())
                .call()
                .await?)
        },
    )
    .await
}

/// One node: queues each ticket, reconnecting and retrying while the service is down.
async fn queue_all(
    tickets: Vec<SignedTicket>,
    state: &Path,
    port: u16,
    accepted: &AtomicUsize,
) -> Result<()> {
    let cert = state.join("tls/cert.pem");
    let service = Probe::new(&cert, port);
    let mut client = service.connect().await?;
    for t in tickets {
        let msg = wire::ticket_message(&t)?;
        loop {
            match client.queue_ticket(msg.clone()).await {
                Ok(_) => break,
                Err(status)
                    if status.code() == Code::Unavailable || status.code() == Code::Unknown =>
                {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    client = service.connect().await?;
                }
                Err(status) => bail!("ticket {} refused: {status:?}", t.ticket.sender_nonce),
            }
        }
        accepted.fetch_add(1, Ordering::SeqCst);
    }
    Ok(())
}

/// Connects to the service at `port` trusting the certificate at `cert` for `domain`.
struct Probe<'a> {
    cert: &'a Path,
    port: u16,
    domain: &'a str,
}

impl<'a> Probe<'a> {
    fn new(cert: &'a Path, port: u16) -> Self {
        Self {
            cert,
            port,
            domain: "localhost",
        }
    }

    async fn connect(&self) -> Result<Client> {
        common::grpc_client(self.cert, self.port, self.domain).await
    }
}
