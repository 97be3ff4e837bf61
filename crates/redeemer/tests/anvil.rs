//! The ticket library and the redeemer against the real contracts: anvil + `script/Deploy.s.sol`.

mod common;

use std::{
    io::Write,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{B256, U256},
    providers::{DynProvider, Provider, ProviderBuilder, ext::AnvilApi},
};
use anyhow::{Context, Result, ensure};
use common::{ETH, Flavor, TicketNet};
use livepeer_chain::{
    proxy::{Fault, FaultProxy},
    sender::{FeePolicy, TxSender},
};
use livepeer_protocol::ticket::check_offline;
use livepeer_redeemer::{
    PassReport, Redeemer, RedeemerConfig,
    chain::Broker,
    queue::{Queue, Record, TicketStatus},
};

const ORCH: usize = 1;
const BROADCASTER: usize = 2;

fn config() -> RedeemerConfig {
    RedeemerConfig {
        receipt_timeout: Duration::from_secs(10),
        head_poll_interval: Duration::from_millis(50),
        ..RedeemerConfig::default()
    }
}

/// `config()` with a pass waiting only briefly for its transaction: with blocks stopped, it is
/// left in flight.
fn quick() -> RedeemerConfig {
    RedeemerConfig {
        receipt_timeout: Duration::from_millis(300),
        ..config()
    }
}

async fn redeemer(
    net: &TicketNet,
    sender: Arc<TxSender>,
    dir: &Path,
    inbox: Option<PathBuf>,
    config: RedeemerConfig,
) -> Result<Redeemer> {
    let broker = Broker::discover(net.provider.clone(), net.controller).await?;
    Ok(Redeemer::new(
        broker,
        sender,
        Queue::open(dir)?,
        inbox,
        config,
    ))
}

/// The fee policy of the tests: the default cap, replacement after two blocks.
fn fees() -> FeePolicy {
    FeePolicy {
        replace_after_blocks: 2,
        ..FeePolicy::default()
    }
}

/// The chain layer's sender for the orchestrator's account, over `provider`.
async fn sender_over(net: &TicketNet, provider: DynProvider) -> Result<Arc<TxSender>> {
    Ok(Arc::new(
        TxSender::new(provider, net.signer(ORCH), fees()).await?,
    ))
}

/// The chain layer's sender for the orchestrator's account.
async fn orch_sender(net: &TicketNet) -> Result<Arc<TxSender>> {
    sender_over(net, net.provider.clone()).await
}

/// An active orchestrator and a funded broadcaster (10 ETH deposit, 1 ETH reserve).
async fn funded_devnet() -> Result<TicketNet> {
    funded(Flavor::Ours).await
}

/// The same on `flavor`'s protocol.
async fn funded(flavor: Flavor) -> Result<TicketNet> {
    let net = TicketNet::start_on(flavor).await?;
    net.activate_orchestrator(ORCH, 1_000).await?;
    net.fund_broadcaster(BROADCASTER, 10 * ETH, ETH).await?;
    Ok(net)
}

fn status(r: &Redeemer, hash: B256) -> Option<TicketStatus> {
    r.queue().get(&hash).map(|t| t.status.clone())
}

#[tokio::test]
async fn contract_ticket_hash_equals_ours_for_every_vector() -> Result<()> {
    let net = TicketNet::start().await?;
    let broker = net.broker();
    let file = common::load_vectors()?;
    for v in &file.vectors {
        let onchain = broker.getTicketHash(v.ticket.clone().into()).call().await?;
        ensure!(
            onchain == v.ticket.hash(),
            "{}: contract {onchain} != ours {}",
            v.name,
            v.ticket.hash()
        );
        ensure!(
            onchain == v.ticket_hash,
            "{}: contract {onchain} != vector",
            v.name
        );
    }
    Ok(())
}

#[tokio::test]
async fn sign_then_redeem_single_and_batch() -> Result<()> {
    sign_then_redeem(Flavor::Ours).await
}

/// The same against the fixture of the live deployment.
#[tokio::test]
async fn sign_then_redeem_single_and_batch_on_the_live_fixture() -> Result<()> {
    sign_then_redeem(Flavor::LiveFixture).await
}

async fn sign_then_redeem(flavor: Flavor) -> Result<()> {
    let net = funded(flavor).await?;
    let orch = net.account(ORCH);
    let bm = net.bonding();
    let broker = net.broker();
    let face = U256::from(ETH / 10);

    // A ticket signed by the broadcaster with the library: the contract agrees on its hash.
    let t = net.ticket(BROADCASTER, orch, face, U256::MAX, 1).await?;
    ensure!(
        broker.getTicketHash(t.ticket.clone().into()).call().await? == t.ticket.hash(),
        "hash"
    );
    check_offline(&t).context("library rules")?;

    let fees_before = bm.pendingFees(orch, U256::ZERO).call().await?;
    let dir = tempfile::tempdir()?;
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, config()).await?;
    ensure!(r.submit(t.clone())?, "new ticket");
    let report = r.process_once().await?;
    let hash = t.ticket.hash();
    ensure!(report.redeemed == vec![hash], "single redeemed: {report:?}");
    ensure!(
        report.transactions.len() == 1,
        "one transaction: {report:?}"
    );
    ensure!(
        status(&r, hash)
            == Some(TicketStatus::Redeemed {
                tx: Some(report.transactions[0])
            }),
        "queue status {:?}",
        status(&r, hash)
    );
    ensure!(broker.usedTickets(hash).call().await?, "ticket marked used");
    let fees = bm.pendingFees(orch, U256::ZERO).call().await? - fees_before;
    // The orchestrator is its own only delegator: it gets the whole face value (rounding aside).
    ensure!(
        fees <= face && face - fees <= U256::from(10u64),
        "pending fees grew by {fees}, face {face}"
    );
    let info = broker
        .getSenderInfo(net.account(BROADCASTER))
        .call()
        .await?;
    ensure!(
        info.sender_.deposit == U256::from(10 * ETH) - face,
        "deposit debited"
    );

    // Three more ready at once go in one batchRedeemWinningTickets.
    let mut hashes = Vec::new();
    for nonce in 2..5 {
        let t = net
            .ticket(BROADCASTER, orch, face, U256::MAX, nonce)
            .await?;
        hashes.push(t.ticket.hash());
        r.submit(t)?;
    }
    let report = r.process_once().await?;
    ensure!(
        report.transactions.len() == 1,
        "one batch transaction: {report:?}"
    );
    ensure!(report.redeemed == hashes, "batch redeemed: {report:?}");
    let receipt = net
        .provider
        .get_transaction_receipt(report.transactions[0])
        .await?
        .context("batch receipt")?;
    let redeemed_events = receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.topic0() == Some(&<livepeer_bindings::ITicketBroker::WinningTicketRedeemed as alloy::sol_types::SolEvent>::SIGNATURE_HASH))
        .count();
    ensure!(
        redeemed_events == 3,
        "{redeemed_events} WinningTicketRedeemed events"
    );
    for h in &hashes {
        ensure!(broker.usedTickets(*h).call().await?, "batch ticket used");
    }
    let info = broker
        .getSenderInfo(net.account(BROADCASTER))
        .call()
        .await?;
    ensure!(
        info.sender_.deposit == U256::from(10 * ETH) - face * U256::from(4u64),
        "deposit after batch"
    );

    // Nothing left to do: a further pass sends nothing.
    let report = r.process_once().await?;
    ensure!(report == PassReport::default(), "idle pass: {report:?}");
    Ok(())
}

fn append(path: &Path, text: &str) -> Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(text.as_bytes())?;
    Ok(())
}

#[tokio::test]
async fn restart_resumes_pending_and_in_flight_tickets() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let face = U256::from(ETH / 100);
    let mut tickets = Vec::new();
    for nonce in 1..=5 {
        tickets.push(
            net.ticket(BROADCASTER, orch, face, U256::MAX, nonce)
                .await?,
        );
    }
    let hashes: Vec<B256> = tickets.iter().map(|t| t.ticket.hash()).collect();
    let lines: Vec<String> = tickets
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<_, _>>()?;

    let dir = tempfile::tempdir()?;
    let inbox = dir.path().join("inbox.jsonl");
    let state = dir.path().join("state");
    // Two complete lines, a blank one, and half of the third (still being written).
    let (head, tail) = lines[2].split_at(lines[2].len() / 2);
    append(&inbox, &format!("{}\n{}\n\n{head}", lines[0], lines[1]))?;

    // Blocks stop: the first process broadcasts and dies before its transaction is mined.
    net.provider.anvil_set_auto_mine(false).await?;
    let in_flight_tx = {
        let mut first = redeemer(
            &net,
            orch_sender(&net).await?,
            &state,
            Some(inbox.clone()),
            quick(),
        )
        .await?;
        let report = first.process_once().await?;
        ensure!(
            report.ingested == 2,
            "only complete lines ingested: {report:?}"
        );
        ensure!(report.transactions.len() == 1, "one batch sent: {report:?}");
        let tx = report.transactions[0];
        for h in &hashes[..2] {
            ensure!(
                status(&first, *h) == Some(TicketStatus::in_flight(tx)),
                "in flight"
            );
        }
        // More arrives while it is down: the rest of line 3, line 4, and one through the API.
        append(&inbox, &format!("{tail}\n{}\n", lines[3]))?;
        ensure!(first.submit(tickets[4].clone())?, "submitted");
        tx
        // `first` is dropped here without another pass: the process "crashes".
    };
    // Its transaction is mined while it is down.
    net.provider.anvil_mine(Some(1), None).await?;
    net.provider.anvil_set_auto_mine(true).await?;

    let mut second = redeemer(
        &net,
        orch_sender(&net).await?,
        &state,
        Some(inbox.clone()),
        config(),
    )
    .await?;
    ensure!(
        second.queue().tickets().len() == 3,
        "queue survived the restart"
    );
    let report = second.process_once().await?;
    ensure!(
        report.ingested == 2,
        "rest of the inbox ingested: {report:?}"
    );
    for h in &hashes[..2] {
        ensure!(
            status(&second, *h)
                == Some(TicketStatus::Redeemed {
                    tx: Some(in_flight_tx)
                }),
            "in-flight ticket resolved from its receipt {in_flight_tx}: {:?} {report:?}",
            status(&second, *h)
        );
    }
    for h in &hashes[2..] {
        ensure!(
            matches!(
                status(&second, *h),
                Some(TicketStatus::Redeemed { tx: Some(_) })
            ),
            "pending ticket redeemed after restart: {:?}",
            status(&second, *h)
        );
        ensure!(net.broker().usedTickets(*h).call().await?, "used on chain");
    }
    drop(second);

    // The journal holds the final state and the inbox position.
    let queue = Queue::open(&state)?;
    ensure!(queue.tickets().len() == 5, "five tickets journaled");
    ensure!(queue.open_tickets().count() == 0, "none open");
    ensure!(
        queue.inbox_offset() == std::fs::metadata(&inbox)?.len(),
        "inbox fully consumed"
    );
    Ok(())
}

/// Every record of `r`'s journal, in order.
fn journal(r: &Redeemer) -> Result<Vec<Record>> {
    std::fs::read_to_string(r.queue().path())?
        .lines()
        .map(|line| Ok(serde_json::from_str(line)?))
        .collect()
}

/// One gwei.
const GWEI: u128 = 1_000_000_000;

/// Runs a pass of `r` with blocks stopped (its redemption stays in the pool), then pauses the
/// protocol with a higher tip: both are mined in the same block, the pause first, so the
/// redemption reverts on chain. Returns the pass's report.
async fn send_then_pause(net: &TicketNet, r: &mut Redeemer) -> Result<PassReport> {
    net.provider.anvil_set_auto_mine(false).await?;
    let report = r.process_once().await?;
    ensure!(report.transactions.len() == 1, "sent: {report:?}");
    let _pending = net
        .controller()
        .pause()
        .from(net.deployer)
        .gas(200_000)
        .max_priority_fee_per_gas(100 * GWEI)
        .max_fee_per_gas(1_000 * GWEI)
        .send()
        .await?;
    net.provider.anvil_mine(Some(1), None).await?;
    net.provider.anvil_set_auto_mine(true).await?;
    ensure!(
        net.controller().paused().call().await?,
        "the protocol is paused"
    );
    Ok(report)
}

#[tokio::test]
async fn reverted_redemption_is_kept_for_retry_then_dead_after_max_attempts() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let controller = net.controller();
    let dir = tempfile::tempdir()?;
    let cfg = RedeemerConfig {
        max_attempts: 2,
        ..quick()
    };
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, cfg).await?;

    let t = net
        .ticket(BROADCASTER, orch, U256::from(ETH), U256::MAX, 1)
        .await?;
    let hash = t.ticket.hash();
    r.submit(t)?;
    let sent = send_then_pause(&net, &mut r).await?;
    let report = r.process_once().await?;
    ensure!(report.retried == vec![hash], "retried: {report:?}");
    let receipt = net
        .provider
        .get_transaction_receipt(sent.transactions[0])
        .await?
        .context("receipt")?;
    ensure!(!receipt.status(), "the redemption really reverted on chain");
    let queued = r.queue().get(&hash).context("queued")?;
    ensure!(queued.status == TicketStatus::Pending, "kept pending");
    ensure!(queued.attempts == 1, "one attempt");
    // The attempt's reason (the same pass then found it waiting on the paused protocol).
    let reason = journal(&r)?
        .into_iter()
        .find_map(|record| match record {
            Record::Retry { hash: h, reason } if h == hash => Some(reason),
            _ => None,
        })
        .unwrap_or_default();
    ensure!(
        reason.contains("reverted") && reason.contains("SystemPaused"),
        "reason: {reason}"
    );
    ensure!(!net.broker().usedTickets(hash).call().await?, "not used");

    // While paused the simulation fails: the ticket waits without spending an attempt.
    let report = r.process_once().await?;
    ensure!(
        report.deferred == vec![hash] && report.transactions.is_empty(),
        "waits: {report:?}"
    );
    ensure!(
        r.queue().get(&hash).map(|t| t.attempts) == Some(1),
        "no attempt spent"
    );

    let ok = controller
        .unpause()
        .from(net.deployer)
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(ok.status(), "unpause");
    let report = r.process_once().await?;
    ensure!(
        report.redeemed == vec![hash],
        "redeemed on retry: {report:?}"
    );
    ensure!(net.broker().usedTickets(hash).call().await?, "used");
    Ok(())
}

#[tokio::test]
async fn failed_attempts_up_to_the_limit_mark_the_ticket_dead() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let dir = tempfile::tempdir()?;
    let cfg = RedeemerConfig {
        max_attempts: 1,
        ..quick()
    };
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, cfg).await?;
    let t = net
        .ticket(BROADCASTER, orch, U256::from(ETH), U256::MAX, 1)
        .await?;
    let hash = t.ticket.hash();
    r.submit(t)?;
    send_then_pause(&net, &mut r).await?;
    let report = r.process_once().await?;
    ensure!(report.dead == vec![hash], "dead: {report:?}");
    match status(&r, hash) {
        Some(TicketStatus::Dead { reason }) => {
            ensure!(
                reason.contains("gave up after 1") && reason.contains("reverted"),
                "reason: {reason}"
            )
        }
        other => anyhow::bail!("expected dead, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn invalid_tickets_die_with_their_rule_and_unpayable_ones_wait_until_expiry() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    const UNFUNDED: usize = 3;
    let face = U256::from(ETH / 10);

    let mut bad_rand = net.ticket(BROADCASTER, orch, face, U256::MAX, 1).await?;
    bad_rand.recipient_rand += U256::from(1u64);
    let losing = net.ticket(BROADCASTER, orch, face, U256::ZERO, 2).await?;
    let mut wrong_signer = net.ticket(BROADCASTER, orch, face, U256::MAX, 3).await?;
    wrong_signer.signature = wrong_signer.ticket.sign(&net.signer(4)).await?;
    let unfunded = net.ticket(UNFUNDED, orch, face, U256::MAX, 4).await?;
    let dust = net
        .ticket(BROADCASTER, orch, U256::from(1u64), U256::MAX, 5)
        .await?;

    let dir = tempfile::tempdir()?;
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, config()).await?;
    for t in [&bad_rand, &losing, &wrong_signer, &unfunded, &dust] {
        r.submit(t.clone())?;
    }
    let report = r.process_once().await?;
    ensure!(report.transactions.is_empty(), "nothing sent: {report:?}");
    fn dead_reason(r: &Redeemer, t: &livepeer_protocol::ticket::SignedTicket) -> String {
        match status(r, t.ticket.hash()) {
            Some(TicketStatus::Dead { reason }) => reason,
            other => format!("not dead: {other:?}"),
        }
    }
    ensure!(
        dead_reason(&r, &bad_rand).starts_with("RecipientRandMismatch"),
        "{}",
        dead_reason(&r, &bad_rand)
    );
    ensure!(
        dead_reason(&r, &losing).starts_with("TicketDidNotWin"),
        "{}",
        dead_reason(&r, &losing)
    );
    ensure!(
        dead_reason(&r, &wrong_signer).starts_with("InvalidSignature"),
        "{}",
        dead_reason(&r, &wrong_signer)
    );
    let waiting = |r: &Redeemer, t: &livepeer_protocol::ticket::SignedTicket| {
        r.queue()
            .get(&t.ticket.hash())
            .map(|q| (q.status.clone(), q.last_error.clone().unwrap_or_default()))
    };
    let (s, why) = waiting(&r, &unfunded).context("queued")?;
    ensure!(
        s == TicketStatus::Pending && why.starts_with("NoFunds"),
        "unfunded: {s:?} {why}"
    );
    let (s, why) = waiting(&r, &dust).context("queued")?;
    ensure!(
        s == TicketStatus::Pending && why.starts_with("unprofitable"),
        "dust: {s:?} {why}"
    );

    // ticketValidityPeriod is 2 rounds: two rounds later both waiting tickets are dead as expired.
    net.next_round().await?;
    net.next_round().await?;
    let report = r.process_once().await?;
    ensure!(report.dead.len() == 2, "expired: {report:?}");
    ensure!(
        dead_reason(&r, &unfunded).starts_with("TicketExpired"),
        "{}",
        dead_reason(&r, &unfunded)
    );
    ensure!(
        dead_reason(&r, &dust).starts_with("TicketExpired"),
        "{}",
        dead_reason(&r, &dust)
    );
    ensure!(r.queue().open_tickets().count() == 0, "nothing open");
    Ok(())
}

fn redeemer_bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_livepeer-redeemer"))
}

#[tokio::test]
async fn binary_redeems_the_inbox_once_and_lists_the_queue() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let t = net
        .ticket(BROADCASTER, orch, U256::from(ETH / 10), U256::MAX, 1)
        .await?;
    let dir = tempfile::tempdir()?;
    let inbox = dir.path().join("inbox.jsonl");
    append(
        &inbox,
        &format!("{}\nnot a ticket\n", serde_json::to_string(&t)?),
    )?;
    let state = dir.path().join("state");
    let key = net.key_hex(ORCH);

    let out = redeemer_bin()
        .args([
            "--rpc-url",
            &net.endpoint(),
            "--controller",
            &net.controller.to_string(),
        ])
        .arg("--state-dir")
        .arg(&state)
        .arg("--inbox")
        .arg(&inbox)
        .arg("--once")
        .env("REDEEMER_PRIVATE_KEY", key)
        .env("RUST_LOG", "info")
        .output()?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    ensure!(out.status.success(), "--once failed: {stderr}");
    ensure!(
        !stderr.contains(&key[2..]),
        "the key never appears in the logs"
    );
    ensure!(
        net.broker().usedTickets(t.ticket.hash()).call().await?,
        "redeemed by the binary"
    );

    let out = redeemer_bin()
        .arg("--list")
        .arg("--state-dir")
        .arg(&state)
        .output()?;
    ensure!(out.status.success(), "--list failed");
    let listed: Vec<serde_json::Value> = String::from_utf8(out.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    ensure!(
        listed.len() == 1,
        "one ticket listed (the bad line skipped): {listed:?}"
    );
    ensure!(
        listed[0]["status"]["state"] == "redeemed",
        "listed as redeemed: {listed:?}"
    );
    ensure!(
        listed[0]["hash"] == t.ticket.hash().to_string(),
        "listed hash"
    );
    Ok(())
}

#[tokio::test]
async fn binary_fails_over_to_the_next_url_and_reads_a_key_file() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let t = net
        .ticket(BROADCASTER, orch, U256::from(ETH / 10), U256::MAX, 1)
        .await?;
    let dir = tempfile::tempdir()?;
    let inbox = dir.path().join("inbox.jsonl");
    append(&inbox, &format!("{}\n", serde_json::to_string(&t)?))?;
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, format!("{}\n", net.key_hex(ORCH)))?;
    // Nothing listens on port 9: every request must go to the second URL.
    let urls = format!("http://127.0.0.1:9,{}", net.endpoint());
    let run = |extra_env: Option<&str>| {
        let mut cmd = redeemer_bin();
        cmd.args([
            "--rpc-url",
            &urls,
            "--controller",
            &net.controller.to_string(),
        ])
        .arg("--state-dir")
        .arg(dir.path().join("state"))
        .arg("--inbox")
        .arg(&inbox)
        .arg("--private-key-file")
        .arg(&key_file)
        .arg("--once")
        .env_remove("REDEEMER_PRIVATE_KEY");
        if let Some(key) = extra_env {
            cmd.env("REDEEMER_PRIVATE_KEY", key);
        }
        cmd.output()
    };

    let out = run(Some(net.key_hex(ORCH)))?;
    ensure!(!out.status.success(), "two key sources are refused");
    ensure!(
        String::from_utf8_lossy(&out.stderr).contains("two keys given"),
        "says which: {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = run(None)?;
    ensure!(
        out.status.success(),
        "--once over the failover URLs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(
        net.broker().usedTickets(t.ticket.hash()).call().await?,
        "redeemed through the second URL with the key file"
    );
    Ok(())
}

#[tokio::test]
async fn binary_runs_until_sigterm_and_rejects_a_bad_key() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let t = net
        .ticket(BROADCASTER, orch, U256::from(ETH / 10), U256::MAX, 1)
        .await?;
    let dir = tempfile::tempdir()?;
    let inbox = dir.path().join("inbox.jsonl");
    let state = dir.path().join("state");
    let key = net.key_hex(ORCH);
    let base = |cmd: &mut std::process::Command| {
        cmd.args([
            "--rpc-url",
            &net.endpoint(),
            "--controller",
            &net.controller.to_string(),
        ])
        .arg("--state-dir")
        .arg(&state)
        .arg("--inbox")
        .arg(&inbox)
        .args(["--poll-interval", "1"]);
    };

    let mut bad = redeemer_bin();
    base(&mut bad);
    let out = bad
        .env("REDEEMER_PRIVATE_KEY", "0x1234")
        .arg("--once")
        .output()?;
    ensure!(!out.status.success(), "a bad key fails");
    ensure!(
        String::from_utf8_lossy(&out.stderr).contains("private key"),
        "says what is wrong"
    );

    let metrics_addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    let mut cmd = redeemer_bin();
    base(&mut cmd);
    let started = std::time::Instant::now();
    let mut child = cmd
        .args(["--metrics-addr", &metrics_addr.to_string()])
        .args(["--max-failed-reads", "2"])
        .env("REDEEMER_PRIVATE_KEY", key)
        .stderr(std::process::Stdio::null())
        .spawn()?;
    // The ticket arrives while the redeemer runs; poll the chain until it is redeemed.
    append(&inbox, &format!("{}\n", serde_json::to_string(&t)?))?;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let polled = async {
        while tokio::time::Instant::now() < deadline {
            if net.broker().usedTickets(t.ticket.hash()).call().await? {
                return anyhow::Ok(true);
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        Ok(false)
    }
    .await;
    // Its metrics say so too (the counter moves once the pass has journaled the redemption).
    let scrape = livepeer_chain::testchain::MetricsScrape::new(&metrics_addr.to_string());
    let counted = scrape
        .wait_for(
            "redeemer_tickets_redeemed_total",
            1,
            Duration::from_secs(20),
        )
        .await;
    let health = health(metrics_addr).await;
    // One pass a --poll-interval (1 s), not more.
    let passes = scrape.value("redeemer_passes_total").await;
    // The sending account's balance, for the low-balance alert (1e22 wei: read as a float).
    let balance = scrape
        .samples()
        .await
        .map(|s| s.get("redeemer_signer_balance_wei").copied());
    let elapsed = started.elapsed().as_secs();
    // Stop the child whatever the poll found, then judge.
    let term = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    ensure!(term.success(), "kill -TERM");
    let status = child.wait()?;
    ensure!(polled?, "the running redeemer redeemed the ticket");
    counted?;
    ensure!(health? == (200, "ok\n".to_owned()), "/health");
    let passes = passes?;
    ensure!(
        passes >= 1 && passes <= elapsed + 2,
        "{passes} passes in {elapsed} s"
    );
    ensure!(status.success(), "clean exit on SIGTERM: {status}");
    let sender = key
        .parse::<alloy::signers::local::PrivateKeySigner>()?
        .address();
    let on_chain: f64 = net.provider.get_balance(sender).await?.into();
    let balance = balance?.context("no redeemer_signer_balance_wei")?;
    ensure!(
        balance > 1e18 && balance >= on_chain,
        "signer balance {balance} (now {on_chain}: gas spent since)"
    );
    Ok(())
}

#[tokio::test]
async fn a_refused_transaction_spends_no_attempt_and_the_ticket_waits() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let t = net
        .ticket(BROADCASTER, orch, U256::from(ETH / 10), U256::MAX, 1)
        .await?;
    let hash = t.ticket.hash();
    let dir = tempfile::tempdir()?;
    let cfg = RedeemerConfig {
        max_attempts: 1,
        ..config()
    };
    // The sender's node answers everything but refuses every transaction.
    let proxy = FaultProxy::start(&net.endpoint()).await?;
    proxy.set(Fault::RefuseSends);
    let refusing = ProviderBuilder::new()
        .connect_http(proxy.url().parse()?)
        .erased();
    {
        let mut r = redeemer(
            &net,
            sender_over(&net, refusing).await?,
            dir.path(),
            None,
            cfg.clone(),
        )
        .await?;
        r.submit(t)?;
        for _ in 0..3 {
            let report = r.process_once().await?;
            ensure!(report.deferred == vec![hash], "waits: {report:?}");
        }
        let q = r.queue().get(&hash).context("queued")?;
        ensure!(
            q.status == TicketStatus::Pending && q.attempts == 0,
            "no attempt: {q:?}"
        );
        ensure!(
            q.last_error.as_deref().is_some_and(
                |e| e.starts_with("sending failed") && e.contains("transaction refused")
            ),
            "reason: {:?}",
            q.last_error
        );
    }
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, cfg).await?;
    let report = r.process_once().await?;
    ensure!(
        report.redeemed == vec![hash],
        "redeemed once the node takes it: {report:?}"
    );
    Ok(())
}

/// `GET http://<addr>/health`: the status code and the body.
async fn health(addr: std::net::SocketAddr) -> Result<(u16, String)> {
    let response = alloy::transports::http::reqwest::get(format!("http://{addr}/health")).await?;
    Ok((response.status().as_u16(), response.text().await?))
}

#[tokio::test]
async fn a_ticket_that_expires_while_reads_fail_is_missed_and_health_says_why() -> Result<()> {
    use livepeer_chain::{
        counter::RequestCounter,
        provider::{RpcConfig, connect},
        server,
        testchain::MetricsScrape,
    };
    use livepeer_redeemer::metrics::RedeemerMetrics;

    // The broadcaster has no funds: its ticket waits, and expires during an outage.
    let net = TicketNet::start().await?;
    net.activate_orchestrator(ORCH, 1_000).await?;
    let face_value = U256::from(ETH / 10);
    let t = net
        .ticket(BROADCASTER, net.account(ORCH), face_value, U256::MAX, 1)
        .await?;
    let proxy = FaultProxy::start(&net.endpoint()).await?;
    let mut rpc = RpcConfig::new(vec![proxy.url()]);
    rpc.max_retries = 0;
    let counter = RequestCounter::new();
    let reader = connect(&rpc, counter.clone()).await?.provider;
    let broker = Broker::discover(reader, net.controller).await?;
    let metrics = Arc::new(RedeemerMetrics::new(counter, 3));
    let cancel = tokio_util::sync::CancellationToken::new();
    let addr = server::serve(
        "127.0.0.1:0".parse()?,
        metrics.clone(),
        Duration::from_secs(60),
        cancel.clone(),
    )
    .await?;
    let dir = tempfile::tempdir()?;
    let mut r = Redeemer::new(
        broker,
        orch_sender(&net).await?,
        Queue::open(dir.path())?,
        None,
        config(),
    )
    .with_metrics(metrics.clone());
    let hash = t.ticket.hash();
    ensure!(r.submit(t)?, "queued");
    let report = r.process_once().await?;
    ensure!(report.deferred == vec![hash], "waits: {report:?}");
    ensure!(health(addr).await? == (200, "ok\n".to_owned()));
    ensure!(
        metrics.queue().waiting.get("NoFunds") == Some(&1),
        "{:?}",
        metrics.queue()
    );

    proxy.set(Fault::Down);
    for _ in 0..3 {
        ensure!(
            r.process_once().await.is_err(),
            "the pass fails on its reads"
        );
    }
    let (code, body) = health(addr).await?;
    ensure!(code == 503, "unhealthy after 3 failed passes");
    ensure!(
        body.contains("3 consecutive failed chain reads (limit 3)"),
        "{body}"
    );
    ensure!(
        metrics.counters().read_errors == 3,
        "{:?}",
        metrics.counters()
    );
    // ticketValidityPeriod (2) rounds pass while the redeemer cannot read.
    net.next_round().await?;
    net.next_round().await?;

    proxy.set(Fault::Pass);
    let report = r.process_once().await?;
    ensure!(report.dead == vec![hash], "expired: {report:?}");
    let counters = metrics.counters();
    ensure!(counters.expired == 1, "{counters:?}");
    ensure!(counters.face_value_expired == face_value, "{counters:?}");
    ensure!(
        counters.redeemed == 0 && counters.queued == 1,
        "{counters:?}"
    );
    ensure!(
        health(addr).await? == (200, "ok\n".to_owned()),
        "healthy again"
    );
    let scrape = MetricsScrape::new(&addr.to_string());
    ensure!(scrape.value("redeemer_tickets_expired_total").await? == 1);
    ensure!(scrape.value("redeemer_read_errors_total").await? == 3);
    ensure!(
        scrape
            .value("redeemer_tickets_dead{reason=\"TicketExpired\"}")
            .await?
            == 1
    );
    ensure!(scrape.value("redeemer_tickets{status=\"dead\"}").await? == 1);
    let samples = scrape.samples().await?;
    ensure!(
        samples.get("redeemer_expired_face_value_wei_total") == Some(&(ETH as f64 / 10.0)),
        "{samples:?}"
    );
    cancel.cancel();
    Ok(())
}

/// A broadcaster of its own with a small deposit and reserve (0.1 ETH each), for underfunded
/// tickets. The orchestrator is the only active one: its reserve slice is the whole reserve.
const SMALL: usize = 5;
const SMALL_FUNDS: u128 = ETH / 10;

async fn small_broadcaster(flavor: Flavor) -> Result<TicketNet> {
    let net = TicketNet::start_on(flavor).await?;
    net.activate_orchestrator(ORCH, 1_000).await?;
    net.fund_broadcaster(SMALL, SMALL_FUNDS, SMALL_FUNDS)
        .await?;
    Ok(net)
}

/// A 0.5 ETH ticket from SMALL to ORCH, more than SMALL can pay, submitted to a fresh redeemer.
async fn submit_half_eth_ticket(net: &TicketNet) -> Result<(B256, tempfile::TempDir, Redeemer)> {
    let t = net
        .ticket(SMALL, net.account(ORCH), U256::from(ETH / 2), U256::MAX, 1)
        .await?;
    let hash = t.ticket.hash();
    let dir = tempfile::tempdir()?;
    let mut r = redeemer(net, orch_sender(net).await?, dir.path(), None, config()).await?;
    r.submit(t)?;
    Ok((hash, dir, r))
}

/// The pass deferred `hash` for want of funds and sent nothing.
fn ensure_deferred(r: &Redeemer, report: &PassReport, hash: B256, when: &str) -> Result<()> {
    ensure!(
        report.deferred == vec![hash] && report.transactions.is_empty(),
        "{when}: deferred, nothing sent: {report:?}"
    );
    let why = last_error(r, hash);
    ensure!(
        why.starts_with("InsufficientFunds"),
        "{when}: reason: {why}"
    );
    Ok(())
}

fn last_error(r: &Redeemer, hash: B256) -> String {
    r.queue()
        .get(&hash)
        .and_then(|t| t.last_error.clone())
        .unwrap_or_default()
}

#[tokio::test]
async fn underfunded_then_topped_up() -> Result<()> {
    underfunded_then_topped_up_on(Flavor::Ours).await
}

#[tokio::test]
async fn underfunded_then_topped_up_on_the_live_fixture() -> Result<()> {
    underfunded_then_topped_up_on(Flavor::LiveFixture).await
}

async fn underfunded_then_topped_up_on(flavor: Flavor) -> Result<()> {
    let net = small_broadcaster(flavor).await?;
    let broker = net.broker();
    // 0.5 ETH against 0.1 deposit + 0.1 reserve slice: it defers.
    let face = U256::from(ETH / 2);
    let (hash, _dir, mut r) = submit_half_eth_ticket(&net).await?;

    for pass in 0..2 {
        let report = r.process_once().await?;
        ensure_deferred(&r, &report, hash, &format!("pass {pass}"))?;
        ensure!(
            status(&r, hash) == Some(TicketStatus::Pending),
            "pending: {:?}",
            status(&r, hash)
        );
        ensure!(
            r.queue().get(&hash).map(|t| t.attempts) == Some(0),
            "no attempt counted"
        );
    }
    let text = r.metrics().render();
    ensure!(
        text.contains("redeemer_tickets_deferred 1\n"),
        "deferred gauge:\n{text}"
    );
    ensure!(
        text.contains(&format!("redeemer_deferred_face_value_wei {face}\n")),
        "deferred face value gauge:\n{text}"
    );
    // The contract agrees: nothing was paid, the ticket is unused.
    ensure!(!broker.usedTickets(hash).call().await?, "still unused");

    // The sender tops its deposit up to cover the face value: redeemed in full at the next pass.
    let top_up = face - U256::from(SMALL_FUNDS);
    let receipt = broker
        .fundDeposit()
        .value(top_up)
        .from(net.account(SMALL))
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "fundDeposit reverted");
    let report = r.process_once().await?;
    ensure!(
        report.redeemed == vec![hash] && report.transactions.len() == 1,
        "redeemed after the top-up: {report:?}"
    );
    ensure!(broker.usedTickets(hash).call().await?, "used on chain");
    let info = broker.getSenderInfo(net.account(SMALL)).call().await?;
    ensure!(
        info.sender_.deposit.is_zero() && info.reserve.fundsRemaining == U256::from(SMALL_FUNDS),
        "paid in full from the deposit, reserve untouched: deposit {} reserve {}",
        info.sender_.deposit,
        info.reserve.fundsRemaining
    );

    // Exactly once: later passes send nothing.
    let report = r.process_once().await?;
    ensure!(report.transactions.is_empty(), "nothing more: {report:?}");
    let c = r.metrics().counters();
    ensure!(
        c.txs_sent == 1 && c.redeemed == 1 && c.face_value_redeemed == face,
        "{c:?}"
    );
    ensure!(
        r.metrics()
            .render()
            .contains("redeemer_tickets_deferred 0\n"),
        "no longer deferred"
    );
    Ok(())
}

#[tokio::test]
async fn underfunded_until_last_round() -> Result<()> {
    underfunded_until_last_round_on(Flavor::Ours).await
}

#[tokio::test]
async fn underfunded_until_last_round_on_the_live_fixture() -> Result<()> {
    underfunded_until_last_round_on(Flavor::LiveFixture).await
}

async fn underfunded_until_last_round_on(flavor: Flavor) -> Result<()> {
    let net = small_broadcaster(flavor).await?;
    let orch = net.account(ORCH);
    let broker = net.broker();
    let (hash, _dir, mut r) = submit_half_eth_ticket(&net).await?;

    let report = r.process_once().await?;
    ensure_deferred(&r, &report, hash, "its first round")?;

    // ticketValidityPeriod is 2: the next round is its last. It is paid what is claimable there:
    // the whole deposit and the orchestrator's slice of the reserve (all of it: the only one active).
    net.next_round().await?;
    let report = r.process_once().await?;
    ensure!(
        report.redeemed == vec![hash] && report.transactions.len() == 1,
        "redeemed in its last round: {report:?}"
    );
    ensure!(broker.usedTickets(hash).call().await?, "used on chain");
    let info = broker.getSenderInfo(net.account(SMALL)).call().await?;
    ensure!(
        info.sender_.deposit.is_zero() && info.reserve.fundsRemaining.is_zero(),
        "deposit and reserve paid out: deposit {} reserve {}",
        info.sender_.deposit,
        info.reserve.fundsRemaining
    );
    let claimed = broker
        .claimedReserve(net.account(SMALL), orch)
        .call()
        .await?;
    ensure!(
        claimed == U256::from(SMALL_FUNDS),
        "claimed the reserve slice: {claimed}"
    );
    let report = r.process_once().await?;
    ensure!(report.transactions.is_empty(), "nothing more: {report:?}");
    ensure!(r.metrics().counters().expired == 0, "not lost to expiry");
    Ok(())
}

#[tokio::test]
async fn an_expired_ticket_used_before_is_not_counted_as_lost() -> Result<()> {
    // Redeemed by one redeemer; queued again, after it expired, on another with its own state (a
    // rival host, or a journal lost to a crash): it was paid, so it is not reported lost.
    let net = funded_devnet().await?;
    let t = net
        .ticket(
            BROADCASTER,
            net.account(ORCH),
            U256::from(ETH / 10),
            U256::MAX,
            1,
        )
        .await?;
    let hash = t.ticket.hash();
    let first_dir = tempfile::tempdir()?;
    let mut first = redeemer(
        &net,
        orch_sender(&net).await?,
        first_dir.path(),
        None,
        config(),
    )
    .await?;
    first.submit(t.clone())?;
    let report = first.process_once().await?;
    ensure!(report.redeemed == vec![hash], "redeemed: {report:?}");
    net.next_round().await?;
    net.next_round().await?;
    let second_dir = tempfile::tempdir()?;
    let mut second = redeemer(
        &net,
        orch_sender(&net).await?,
        second_dir.path(),
        None,
        config(),
    )
    .await?;
    second.submit(t)?;
    let report = second.process_once().await?;
    ensure!(
        report.redeemed == vec![hash] && report.dead.is_empty() && report.transactions.is_empty(),
        "known redeemed, nothing sent: {report:?}"
    );
    ensure!(
        second.metrics().counters().expired == 0,
        "not lost to expiry"
    );
    ensure!(
        matches!(status(&second, hash), Some(TicketStatus::Redeemed { .. })),
        "{:?}",
        status(&second, hash)
    );
    Ok(())
}

#[tokio::test]
async fn an_underfunded_ticket_that_expires_is_counted_as_lost() -> Result<()> {
    // Deferred, then never looked at in its last round (the redeemer was not running): it expires
    // unredeemed, and its face value is counted as lost.
    let net = TicketNet::start().await?;
    net.activate_orchestrator(ORCH, 1_000).await?;
    net.fund_broadcaster(SMALL, SMALL_FUNDS, 0).await?;
    let face = U256::from(ETH / 2);
    let (hash, _dir, mut r) = submit_half_eth_ticket(&net).await?;
    let report = r.process_once().await?;
    ensure!(report.deferred == vec![hash], "deferred: {report:?}");
    // Skip its last round entirely: two rounds on, it is expired.
    net.next_round().await?;
    net.next_round().await?;
    let report = r.process_once().await?;
    ensure!(report.dead == vec![hash], "dead: {report:?}");
    let c = r.metrics().counters();
    ensure!(
        c.expired == 1 && c.face_value_expired == face,
        "counted as lost to expiry: {c:?}"
    );
    let text = r.metrics().render();
    ensure!(
        text.contains(&format!("redeemer_expired_face_value_wei_total {face}\n"))
            && text.contains("redeemer_tickets_deferred 0\n"),
        "{text}"
    );
    Ok(())
}

#[tokio::test]
async fn a_ticket_in_flight_is_never_sent_again() -> Result<()> {
    a_ticket_in_flight_is_never_sent_again_on(Flavor::Ours).await
}

#[tokio::test]
async fn a_ticket_in_flight_is_never_sent_again_on_the_live_fixture() -> Result<()> {
    a_ticket_in_flight_is_never_sent_again_on(Flavor::LiveFixture).await
}

async fn a_ticket_in_flight_is_never_sent_again_on(flavor: Flavor) -> Result<()> {
    let net = funded(flavor).await?;
    let orch = net.account(ORCH);
    let face = U256::from(ETH / 10);
    let t = net.ticket(BROADCASTER, orch, face, U256::MAX, 1).await?;
    let hash = t.ticket.hash();
    let dir = tempfile::tempdir()?;
    let quick = RedeemerConfig {
        receipt_timeout: Duration::from_millis(300),
        ..config()
    };
    let mut r = redeemer(
        &net,
        orch_sender(&net).await?,
        dir.path(),
        None,
        quick.clone(),
    )
    .await?;
    r.submit(t.clone())?;

    // Blocks stop: the redemption stays in the mempool.
    net.provider.anvil_set_auto_mine(false).await?;
    let report = r.process_once().await?;
    ensure!(report.transactions.len() == 1, "sent once: {report:?}");
    let tx = report.transactions[0];
    ensure!(
        status(&r, hash) == Some(TicketStatus::in_flight(tx)),
        "in flight: {:?}",
        status(&r, hash)
    );
    // Passes while it is pending, the ticket arriving again, a restart: nothing is sent again.
    for _ in 0..3 {
        let report = r.process_once().await?;
        ensure!(report.transactions.is_empty(), "not sent again: {report:?}");
        ensure!(
            status(&r, hash) == Some(TicketStatus::in_flight(tx)),
            "still in flight: {:?}",
            status(&r, hash)
        );
    }
    ensure!(!r.submit(t)?, "the same ticket is not queued twice");
    drop(r);
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, quick).await?;
    let report = r.process_once().await?;
    ensure!(
        report.transactions.is_empty() && status(&r, hash) == Some(TicketStatus::in_flight(tx)),
        "after a restart, still in flight and not resent: {report:?}"
    );
    let pool: serde_json::Value = net.provider.raw_request("txpool_status".into(), ()).await?;
    ensure!(
        pool["pending"] == serde_json::json!("0x1") || pool["pending"] == serde_json::json!(1),
        "one transaction in the mempool: {pool}"
    );

    // Mined: resolved as redeemed, still without another transaction.
    net.provider.anvil_mine(Some(1), None).await?;
    net.provider.anvil_set_auto_mine(true).await?;
    let report = r.process_once().await?;
    ensure!(
        report.redeemed == vec![hash] && report.transactions.is_empty(),
        "resolved from its receipt: {report:?}"
    );
    ensure!(
        status(&r, hash) == Some(TicketStatus::Redeemed { tx: Some(tx) }),
        "{:?}",
        status(&r, hash)
    );
    Ok(())
}

#[tokio::test]
async fn an_underfunded_ticket_is_rechecked_only_when_funds_or_the_round_change() -> Result<()> {
    use livepeer_chain::{
        counter::RequestCounter,
        provider::{RpcConfig, connect},
    };
    let net = small_broadcaster(Flavor::Ours).await?;
    let orch = net.account(ORCH);
    let face = U256::from(ETH / 2);
    let t = net.ticket(SMALL, orch, face, U256::MAX, 1).await?;
    let hash = t.ticket.hash();
    // Reads go through a counting provider: a full check costs more requests than a look at the
    // sender's funds.
    let counter = RequestCounter::new();
    let reader = connect(&RpcConfig::new(vec![net.endpoint()]), counter.clone())
        .await?
        .provider;
    let broker = Broker::discover(reader, net.controller).await?;
    let dir = tempfile::tempdir()?;
    let mut r = Redeemer::new(
        broker,
        orch_sender(&net).await?,
        Queue::open(dir.path())?,
        None,
        config(),
    );
    r.submit(t)?;
    let pass = async |r: &mut Redeemer| -> Result<(PassReport, u64)> {
        let before = counter.requests();
        let report = r.process_once().await?;
        Ok((report, counter.requests() - before))
    };
    let (report, full) = pass(&mut r).await?;
    ensure!(report.deferred == vec![hash], "deferred: {report:?}");
    // Nothing changed: only the funds are read.
    let (report, skipped) = pass(&mut r).await?;
    ensure!(report.deferred == vec![hash], "still deferred: {report:?}");
    ensure!(
        skipped < full,
        "an unchanged deferral is not checked again ({skipped} requests, a full check {full})"
    );
    // Funds changed but still short (the reserve grows: the slice too): checked again, deferred
    // with the new amount available.
    let receipt = net
        .broker()
        .fundReserve()
        .value(U256::from(ETH / 10))
        .from(net.account(SMALL))
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "fundReserve reverted");
    let (report, after_change) = pass(&mut r).await?;
    ensure!(report.deferred == vec![hash], "still short: {report:?}");
    ensure!(
        after_change == full,
        "checked again: {after_change} vs {full}"
    );
    let why = last_error(&r, hash);
    ensure!(
        why.contains(&format!("at most {}", U256::from(3 * ETH / 10))),
        "the new amount available: {why}"
    );
    Ok(())
}

#[tokio::test]
async fn a_ticket_outrun_by_another_is_deferred_without_an_attempt() -> Result<()> {
    a_ticket_outrun_by_another_on(Flavor::Ours).await
}

#[tokio::test]
async fn a_ticket_outrun_by_another_is_deferred_without_an_attempt_on_the_live_fixture()
-> Result<()> {
    a_ticket_outrun_by_another_on(Flavor::LiveFixture).await
}

/// The redeemer's transaction is mined after another redemption that leaves the sender short: it
/// reverts, and the ticket is deferred (no attempt spent), not retried towards death.
async fn a_ticket_outrun_by_another_on(flavor: Flavor) -> Result<()> {
    const OTHER: usize = 6;
    let net = small_broadcaster(flavor).await?;
    let orch = net.account(ORCH);
    // Each 0.15 ETH; together more than the 0.2 ETH the sender can pay this round.
    let face = U256::from(15 * ETH / 100);
    let ours = net.ticket(SMALL, orch, face, U256::MAX, 1).await?;
    let theirs = net.ticket(SMALL, orch, face, U256::MAX, 2).await?;
    let hash = ours.ticket.hash();
    let dir = tempfile::tempdir()?;
    let quick = RedeemerConfig {
        receipt_timeout: Duration::from_millis(300),
        ..config()
    };
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, quick).await?;
    r.submit(ours)?;

    net.provider.anvil_set_auto_mine(false).await?;
    let report = r.process_once().await?;
    ensure!(report.transactions.len() == 1, "sent: {report:?}");
    let tx = report.transactions[0];
    // Someone else redeems the other ticket with a higher tip: mined first, in the same block.
    let gwei = 1_000_000_000u128;
    let _pending = net
        .broker()
        .redeemWinningTicket(
            theirs.ticket.clone().into(),
            theirs.signature.clone(),
            theirs.recipient_rand,
        )
        .from(net.account(OTHER))
        .gas(1_000_000)
        .max_priority_fee_per_gas(100 * gwei)
        .max_fee_per_gas(1_000 * gwei)
        .send()
        .await?;
    net.provider.anvil_mine(Some(1), None).await?;
    net.provider.anvil_set_auto_mine(true).await?;
    ensure!(
        net.broker()
            .usedTickets(theirs.ticket.hash())
            .call()
            .await?,
        "the other ticket was redeemed first"
    );
    let receipt = net
        .provider
        .get_transaction_receipt(tx)
        .await?
        .context("our transaction mined")?;
    ensure!(!receipt.status(), "ours reverted for lack of funds");

    let report = r.process_once().await?;
    ensure!(
        report.deferred.contains(&hash) && report.retried.is_empty() && report.dead.is_empty(),
        "deferred, not retried: {report:?}"
    );
    let queued = r.queue().get(&hash).context("queued")?;
    ensure!(
        queued.status == TicketStatus::Pending && queued.attempts == 0,
        "pending without an attempt: {queued:?}"
    );
    let why = last_error(&r, hash);
    ensure!(why.starts_with("InsufficientFunds"), "{why}");
    ensure!(
        r.metrics()
            .render()
            .contains("redeemer_tickets_deferred 1\n"),
        "counted as deferred"
    );

    // Funds return: redeemed in full.
    let receipt = net
        .broker()
        .fundDeposit()
        .value(face)
        .from(net.account(SMALL))
        .send()
        .await?
        .get_receipt()
        .await?;
    ensure!(receipt.status(), "fundDeposit reverted");
    let report = r.process_once().await?;
    ensure!(report.redeemed == vec![hash], "redeemed: {report:?}");
    Ok(())
}

#[tokio::test]
async fn a_stuck_redemption_is_replaced_and_every_ticket_redeemed_once() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let broker = net.broker();
    let face = U256::from(ETH / 10);
    let dir = tempfile::tempdir()?;
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, quick()).await?;
    let mut hashes = Vec::new();
    for nonce in 1..=3 {
        let t = net
            .ticket(BROADCASTER, orch, face, U256::MAX, nonce)
            .await?;
        hashes.push(t.ticket.hash());
        r.submit(t)?;
    }
    let deposit = async || -> Result<U256> {
        Ok(broker
            .getSenderInfo(net.account(BROADCASTER))
            .call()
            .await?
            .sender_
            .deposit)
    };
    let before = deposit().await?;

    // Blocks stop; the batch goes out priced for the tiny base fee of the moment.
    net.provider.anvil_set_auto_mine(false).await?;
    let report = r.process_once().await?;
    ensure!(report.transactions.len() == 1, "one batch: {report:?}");
    let first = report.transactions[0];
    // Then the base fee jumps far above its max fee: it is stuck while blocks go by, until the
    // sender replaces it (after two blocks) with fees for the new base fee.
    let _: serde_json::Value = net
        .provider
        .raw_request(
            "anvil_setNextBlockBaseFeePerGas".into(),
            (U256::from(20 * GWEI),),
        )
        .await?;
    let mut replacement = None;
    for _ in 0..20 {
        net.provider.anvil_mine(Some(1), None).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let report = r.process_once().await?;
        ensure!(
            report.transactions.is_empty() && report.redeemed.is_empty(),
            "nothing sent or redeemed while stuck: {report:?}"
        );
        if let Some(TicketStatus::InFlight { tx, replaced }) = status(&r, hashes[0])
            && !replaced.is_empty()
        {
            ensure!(replaced == vec![first], "replaces the first: {replaced:?}");
            replacement = Some(tx);
            break;
        }
    }
    let replacement = replacement.context("the stuck transaction was never replaced")?;
    ensure!(replacement != first, "a new hash");
    ensure!(
        net.provider.get_transaction_receipt(first).await?.is_none(),
        "the first is not mined"
    );
    ensure!(
        r.metrics().counters().txs_replaced == 1,
        "{:?}",
        r.metrics().counters()
    );
    // Both hashes are journaled for every ticket, the replacement already before it is mined.
    let sent: Vec<(Vec<B256>, B256)> = journal(&r)?
        .into_iter()
        .filter_map(|record| match record {
            Record::Sent { hashes, tx } => Some((hashes, tx)),
            _ => None,
        })
        .collect();
    ensure!(
        sent == vec![(hashes.clone(), first), (hashes.clone(), replacement)],
        "journaled: {sent:?}"
    );

    // The process dies; the replacement is mined meanwhile; a restart resolves by its hash.
    drop(r);
    net.provider.anvil_mine(Some(1), None).await?;
    net.provider.anvil_set_auto_mine(true).await?;
    let receipt = net
        .provider
        .get_transaction_receipt(replacement)
        .await?
        .context("the replacement is mined")?;
    ensure!(receipt.status(), "the replacement succeeded");
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, quick()).await?;
    ensure!(
        status(&r, hashes[0])
            == Some(TicketStatus::InFlight {
                tx: replacement,
                replaced: vec![first]
            }),
        "both hashes survive the restart: {:?}",
        status(&r, hashes[0])
    );
    let report = r.process_once().await?;
    ensure!(
        report.redeemed == hashes && report.transactions.is_empty(),
        "resolved from the replacement's receipt: {report:?}"
    );
    for h in &hashes {
        ensure!(
            status(&r, *h)
                == Some(TicketStatus::Redeemed {
                    tx: Some(replacement)
                }),
            "{:?}",
            status(&r, *h)
        );
        ensure!(broker.usedTickets(*h).call().await?, "used on chain");
    }
    // Exactly once: three redemptions in the one mined transaction, three face values debited.
    let events = receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.topic0() == Some(&<livepeer_bindings::ITicketBroker::WinningTicketRedeemed as alloy::sol_types::SolEvent>::SIGNATURE_HASH))
        .count();
    ensure!(events == 3, "{events} WinningTicketRedeemed events");
    ensure!(
        before - deposit().await? == face * U256::from(3u64),
        "debited three face values"
    );
    let report = r.process_once().await?;
    ensure!(report == PassReport::default(), "idle: {report:?}");
    Ok(())
}

#[tokio::test]
async fn binary_reads_a_config_file_under_its_flags_and_environment() -> Result<()> {
    let net = funded_devnet().await?;
    let t = net
        .ticket(
            BROADCASTER,
            net.account(ORCH),
            U256::from(ETH / 10),
            U256::MAX,
            1,
        )
        .await?;
    let hash = t.ticket.hash();
    let dir = tempfile::tempdir()?;
    let inbox = dir.path().join("inbox.jsonl");
    append(&inbox, &format!("{}\n", serde_json::to_string(&t)?))?;
    let key_file = dir.path().join("key");
    std::fs::write(&key_file, net.key_hex(ORCH))?;
    let state = dir.path().join("state");
    let file = dir.path().join("redeemer.toml");
    // Everything from the file; its RPC URL is dead and its fee cap (1 wei) under any base fee.
    std::fs::write(
        &file,
        format!(
            r#"rpc-urls = ["http://127.0.0.1:9"]
rpc-retries = 0
controller = "{}"
private-key-file = {:?}
state-dir = {:?}
inbox = {:?}
max-fee-gwei = 0.000000001
receipt-timeout = 5
head-poll-interval-ms = 100
"#,
            net.controller,
            key_file.display().to_string(),
            state.display().to_string(),
            inbox.display().to_string()
        ),
    )?;
    let run = |max_fee_env: Option<&str>| {
        let mut cmd = redeemer_bin();
        cmd.arg("--config")
            .arg(&file)
            .args(["--rpc-url", &net.endpoint(), "--once"])
            .env_remove("REDEEMER_PRIVATE_KEY")
            .env_remove("REDEEMER_MAX_FEE_GWEI");
        if let Some(gwei) = max_fee_env {
            cmd.env("REDEEMER_MAX_FEE_GWEI", gwei);
        }
        cmd.output()
    };
    let listed = || -> Result<serde_json::Value> {
        let out = redeemer_bin()
            .arg("--config")
            .arg(&file)
            .arg("--list")
            .output()?;
        ensure!(out.status.success(), "--list from the file's state dir");
        Ok(serde_json::from_slice(&out.stdout)?)
    };

    // The flag's URL replaces the file's; the file's fee cap holds: the node refuses the
    // transaction, the ticket waits.
    let out = run(None)?;
    ensure!(
        out.status.success(),
        "--once: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(
        !net.broker().usedTickets(hash).call().await?,
        "nothing redeemed under a 1 wei fee cap"
    );
    let queued = listed()?;
    ensure!(
        queued["status"]["state"] == "pending"
            && queued["lastError"]
                .as_str()
                .is_some_and(|e| e.starts_with("sending failed")),
        "waits: {queued}"
    );

    // The environment overrides the file's fee cap: redeemed.
    let out = run(Some("100"))?;
    ensure!(
        out.status.success(),
        "--once: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(
        net.broker().usedTickets(hash).call().await?,
        "redeemed under the environment's cap"
    );
    ensure!(
        listed()?["status"]["state"] == "redeemed",
        "listed as redeemed"
    );
    Ok(())
}

#[tokio::test]
async fn a_redemption_stuck_since_before_a_restart_is_taken_over() -> Result<()> {
    let net = funded_devnet().await?;
    let orch = net.account(ORCH);
    let broker = net.broker();
    let face = U256::from(ETH / 10);
    let dir = tempfile::tempdir()?;
    let gas_limit = async |limit: u64| -> Result<()> {
        let ok: bool = net
            .provider
            .raw_request("evm_setBlockGasLimit".into(), (U256::from(limit),))
            .await?;
        ensure!(ok, "evm_setBlockGasLimit");
        Ok(())
    };
    let mut hashes = Vec::new();
    let first = {
        let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, quick()).await?;
        for nonce in 1..=1 {
            let t = net
                .ticket(BROADCASTER, orch, face, U256::MAX, nonce)
                .await?;
            hashes.push(t.ticket.hash());
            r.submit(t)?;
        }
        net.provider.anvil_set_auto_mine(false).await?;
        let report = r.process_once().await?;
        ensure!(report.transactions.len() == 1, "sent: {report:?}");
        report.transactions[0]
        // The process dies with its transaction in the pool.
    };
    // Blocks too small for it: it stays in the pool, unmined, while blocks go by.
    gas_limit(50_000).await?;
    let mut r = redeemer(&net, orch_sender(&net).await?, dir.path(), None, quick()).await?;
    let in_flight = TicketStatus::in_flight(first);
    for _ in 0..2 {
        let report = r.process_once().await?;
        ensure!(
            report == PassReport::default() && status(&r, hashes[0]) == Some(in_flight.clone()),
            "waits for it (--replace-after-blocks): {report:?}"
        );
        net.provider.anvil_mine(Some(1), None).await?;
    }
    ensure!(
        net.provider
            .get_transaction_by_hash(first)
            .await?
            .is_some_and(|tx| tx.block_number.is_none()),
        "still pending"
    );
    // Two blocks later it is still there: the restarted redeemer replaces it.
    gas_limit(30_000_000).await?;
    let report = r.process_once().await?;
    ensure!(
        report.redeemed.is_empty() && report.transactions.is_empty(),
        "nothing new sent: {report:?}"
    );
    let takeover = match status(&r, hashes[0]) {
        Some(TicketStatus::InFlight { tx, replaced }) if replaced == vec![first] => tx,
        other => anyhow::bail!("not taken over: {other:?}"),
    };
    ensure!(
        r.metrics().counters().txs_replaced == 1,
        "{:?}",
        r.metrics().counters()
    );
    net.provider.anvil_mine(Some(1), None).await?;
    net.provider.anvil_set_auto_mine(true).await?;
    let report = r.process_once().await?;
    ensure!(
        report.redeemed == hashes,
        "redeemed by the takeover: {report:?}"
    );
    for h in &hashes {
        ensure!(
            status(&r, *h) == Some(TicketStatus::Redeemed { tx: Some(takeover) }),
            "{:?}",
            status(&r, *h)
        );
        ensure!(broker.usedTickets(*h).call().await?, "used on chain");
    }
    ensure!(
        net.provider.get_transaction_receipt(first).await?.is_none(),
        "the stuck one was replaced, never mined"
    );
    let info = broker
        .getSenderInfo(net.account(BROADCASTER))
        .call()
        .await?;
    ensure!(
        info.sender_.deposit == U256::from(10 * ETH) - face,
        "paid once"
    );
    Ok(())
}

/// A redemption is not sent in a round's last block (it would land in the next round's first,
/// which no keeper can have initialized yet), and one that lands before its round's
/// initialization all the same (here the round's last block is full) costs its tickets no
/// attempt: they are redeemed once the round is initialized.
#[tokio::test]
async fn a_redemption_never_lands_before_its_rounds_initialization_at_the_tickets_cost()
-> Result<()> {
    use livepeer_chain::faults::net::{Actor, FaultNet, ROUND_LENGTH};
    let net = FaultNet::start().await?;
    let sender =
        Arc::new(TxSender::new(net.provider.clone(), Actor::Redeemer.signer()?, fees()).await?);
    let dir = tempfile::tempdir()?;
    let broker = Broker::discover(net.provider.clone(), net.devnet.controller).await?;
    let mut r = Redeemer::new(broker, sender, Queue::open(dir.path())?, None, quick());
    let attempts = |r: &Redeemer, hash: B256| r.queue().get(&hash).map_or(0, |t| t.attempts);
    let used = async |hash: B256| -> Result<bool> {
        Ok(net.protocol.ticket_broker.usedTickets(hash).call().await?)
    };

    // At the round's last block the ticket waits.
    let start = net.mine_to_next_round().await?;
    net.initialize_round().await?;
    let a = common::fault_net_ticket(&net, 1).await?;
    r.submit(a.clone())?;
    net.mine(start + ROUND_LENGTH - 1 - net.head().await?)
        .await?;
    let report = r.process_once().await?;
    ensure!(
        report.transactions.is_empty() && report.deferred == vec![a.ticket.hash()],
        "nothing sent at the round's last block: {report:?}"
    );
    ensure!(
        r.queue()
            .get(&a.ticket.hash())
            .and_then(|t| t.last_error.clone())
            .is_some_and(|e| e.starts_with("RoundEnding")),
        "says why"
    );
    // In the next round, once initialized, it is redeemed.
    let start = net.mine(1).await?;
    net.initialize_round().await?;
    r.process_once().await?;
    net.mine(1).await?;
    let report = r.process_once().await?;
    ensure!(report.redeemed == vec![a.ticket.hash()], "{report:?}");
    ensure!(attempts(&r, a.ticket.hash()) == 0, "no attempt spent");

    // Sent two blocks before the round ends, kept out of its full last block: it lands in the
    // next round's first block, before the initialization, and redeems nothing.
    let b = common::fault_net_ticket(&net, 2).await?;
    let c = common::fault_net_ticket(&net, 3).await?;
    r.submit(b.clone())?;
    r.submit(c.clone())?;
    net.mine(start + ROUND_LENGTH - 2 - net.head().await?)
        .await?;
    let report = r.process_once().await?;
    ensure!(report.transactions.len() == 1, "one batch sent: {report:?}");
    net.mine_congested(Actor::Congestion.address()?).await?;
    net.relieve().await?;
    let landed = net.mine(1).await?;
    ensure!(
        landed == start + ROUND_LENGTH,
        "the next round's first block"
    );
    let report = r.process_once().await?;
    let (hb, hc) = (b.ticket.hash(), c.ticket.hash());
    ensure!(
        !used(hb).await? && !used(hc).await?,
        "nothing redeemed there"
    );
    ensure!(
        report.deferred.contains(&hb) && report.deferred.contains(&hc),
        "back to waiting: {report:?}"
    );
    ensure!(
        attempts(&r, hb) == 0 && attempts(&r, hc) == 0,
        "no attempt counted: {:?}",
        r.queue().get(&hb)
    );
    net.initialize_round().await?;
    r.process_once().await?;
    net.mine(1).await?;
    r.process_once().await?;
    ensure!(
        used(hb).await? && used(hc).await?,
        "redeemed once the round is initialized"
    );

    // The same, but the batch lands in the block that initializes the round, ahead of the
    // initialization (anvil orders a block by max fee: a lower one puts it last): still no
    // attempt, and the pass that finds it
    // sends them again at once (the round is initialized by then).
    let start = net.round().await?.start;
    let d = common::fault_net_ticket(&net, 4).await?;
    let e = common::fault_net_ticket(&net, 5).await?;
    r.submit(d.clone())?;
    r.submit(e.clone())?;
    net.mine(start + ROUND_LENGTH - 2 - net.head().await?)
        .await?;
    let report = r.process_once().await?;
    ensure!(report.transactions.len() == 1, "one batch sent: {report:?}");
    let batch = report.transactions[0];
    net.mine_congested(Actor::Congestion.address()?).await?;
    net.relieve().await?;
    let base_fee = net
        .provider
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await?
        .and_then(|b| b.header.base_fee_per_gas)
        .context("a base fee")?;
    let init = net
        .protocol
        .rounds_manager
        .initializeRound()
        .from(Actor::Deployer.address()?)
        .into_transaction_request()
        .max_fee_per_gas(u128::from(base_fee) * 2)
        .max_priority_fee_per_gas(0);
    let init = *net.provider.send_transaction(init).await?.tx_hash();
    let landed = net.mine(1).await?;
    let index = async |tx: B256| -> Result<(Option<u64>, Option<u64>)> {
        let receipt = net.receipt(tx).await?.context("mined")?;
        Ok((receipt.block_number, receipt.transaction_index))
    };
    let ((batch_block, batch_at), (init_block, init_at)) =
        (index(batch).await?, index(init).await?);
    ensure!(
        batch_block == Some(landed) && init_block == Some(landed) && batch_at < init_at,
        "set-up: the batch ahead of the initialization in block {landed}: {batch_block:?}/{batch_at:?} {init_block:?}/{init_at:?}"
    );
    let (hd, he) = (d.ticket.hash(), e.ticket.hash());
    ensure!(!used(hd).await? && !used(he).await?, "nothing redeemed");
    let report = r.process_once().await?;
    ensure!(
        attempts(&r, hd) == 0 && attempts(&r, he) == 0,
        "no attempt counted: {:?}",
        r.queue().get(&hd)
    );
    ensure!(
        report.transactions.len() == 1,
        "sent again by the same pass: {report:?}"
    );
    net.mine(1).await?;
    r.process_once().await?;
    ensure!(used(hd).await? && used(he).await?, "redeemed");
    Ok(())
}
