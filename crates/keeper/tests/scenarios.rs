//! The keeper on a real anvil with the protocol deployed by `script/Deploy.s.sol` (`local`
//! config, 20-block rounds). The tests mine blocks themselves and wait until every keeper has
//! handled each new head, so timing never decides the outcome.
//!
//! What only in-process keepers show: several keepers taking turns, the first one down,
//! `--dry-run`, reverts decoded, reads failing while heads arrive. The faults every bot is tested
//! against (outage and failover, reorg, base-fee spike, stuck, nonce gap, crash after sending, a
//! rival, gas above the ceiling) run on the real binary in `tests/faults.rs`.

mod common;

use std::time::Duration;

use alloy::providers::Provider;
use anyhow::{Result, ensure};
use common::{Net, ROUND_LENGTH, RunningKeeper, address_of, wait_processed};
use livepeer_chain::testchain::Flavor;
use livepeer_keeper::{decide::turn_rank, metrics::Metrics};
use livepeer_protocol::Round;

/// Lets the keepers initialize the round they start in, then returns the head.
async fn settle_first_round(net: &Net, keepers: &[&RunningKeeper]) -> Result<()> {
    let head = net.head().await?;
    wait_processed(keepers, head).await?;
    for _ in 0..10 {
        let (current, last, _) = net.round_state().await?;
        if current == last {
            return Ok(());
        }
        net.step(1, keepers).await?;
    }
    anyhow::bail!("the starting round was never initialized")
}

/// Steps one block at a time from the round start until the round is initialized; returns the
/// initialization block's distance from the round start.
async fn run_round(net: &Net, keepers: &[&RunningKeeper], max_blocks: u64) -> Result<(u64, u64)> {
    let start = net.to_block_before_next_round(keepers).await?;
    let (round_before, _, _) = net.round_state().await?;
    net.step(1, keepers).await?; // the round's first block
    let (round, _, s) = net.round_state().await?;
    ensure!(
        round == round_before + 1 && s == start,
        "round did not advance at {start}"
    );
    for _ in 0..max_blocks {
        net.step(1, keepers).await?;
        let (_, last, _) = net.round_state().await?;
        if last == round {
            let events = net.new_round_blocks(start, net.head().await?).await?;
            ensure!(events.len() == 1, "NewRound events {events:?}");
            return Ok((round, events[0].1 - start));
        }
    }
    anyhow::bail!("round {round} not initialized within {max_blocks} blocks")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_keeper_initializes_twenty_rounds_in_their_first_or_second_block() -> Result<()> {
    one_keeper_initializes_rounds(Flavor::Ours, 20).await
}

/// The same on the fixture of the live deployment (its `require` strings, its views).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_keeper_initializes_rounds_on_the_live_fixture() -> Result<()> {
    one_keeper_initializes_rounds(Flavor::LiveFixture, 5).await
}

async fn one_keeper_initializes_rounds(flavor: Flavor, rounds: u64) -> Result<()> {
    let net = Net::start_on(flavor).await?;
    let keeper = net.spawn(net.config(1, &[1], true)?);
    settle_first_round(&net, &[&keeper]).await?;
    let from = net.head().await?;
    let confirmed_before = Metrics::get(&keeper.metrics.txs_confirmed);
    for _ in 0..rounds {
        let (round, delay) = run_round(&net, &[&keeper], 3).await?;
        ensure!(
            delay <= 1,
            "round {round} initialized {delay} blocks after its start"
        );
    }
    let txs = net.rounds_manager_txs(from + 1, net.head().await?).await?;
    ensure!(
        txs.len() as u64 == rounds && txs.iter().all(|(_, ok)| *ok),
        "{txs:?}"
    );
    ensure!(Metrics::get(&keeper.metrics.txs_confirmed) - confirmed_before == rounds);
    ensure!(Metrics::get(&keeper.metrics.init_delay_blocks) == 1);
    keeper.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_keepers_send_exactly_one_transaction_per_round() -> Result<()> {
    let net = Net::start().await?;
    let set = [1, 2, 3];
    let keepers: Vec<RunningKeeper> = set
        .iter()
        .map(|i| net.config(*i, &set, *i != 2).map(|c| net.spawn(c)))
        .collect::<Result<_>>()?;
    let refs: Vec<&RunningKeeper> = keepers.iter().collect();
    settle_first_round(&net, &refs).await?;
    let from = net.head().await?;
    let sent_before: u64 = keepers
        .iter()
        .map(|k| Metrics::get(&k.metrics.txs_sent))
        .sum();
    let rounds = 8;
    for _ in 0..rounds {
        let (round, delay) = run_round(&net, &refs, 3).await?;
        ensure!(
            delay <= 1,
            "round {round} initialized {delay} blocks after its start"
        );
    }
    let txs = net.rounds_manager_txs(from + 1, net.head().await?).await?;
    ensure!(txs.len() == rounds, "one transaction per round: {txs:?}");
    ensure!(
        txs.iter().all(|(_, ok)| *ok),
        "a transaction reverted: {txs:?}"
    );
    let sent: u64 = keepers
        .iter()
        .map(|k| Metrics::get(&k.metrics.txs_sent))
        .sum();
    ensure!(sent - sent_before == rounds as u64, "sent {sent}");
    let senders = keepers
        .iter()
        .filter(|k| Metrics::get(&k.metrics.txs_sent) > 0)
        .count();
    ensure!(senders >= 2, "the work rotates between keepers");
    for k in keepers {
        ensure!(Metrics::get(&k.metrics.txs_reverted) == 0);
        k.stop().await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_keeper_steps_in_when_the_first_is_down() -> Result<()> {
    let net = Net::start().await?;
    let set = [1, 2, 3];
    let absent = address_of(1);
    let keepers: Vec<RunningKeeper> = [2, 3]
        .iter()
        .map(|i| net.config(*i, &set, false).map(|c| net.spawn(c)))
        .collect::<Result<_>>()?;
    let refs: Vec<&RunningKeeper> = keepers.iter().collect();
    settle_first_round(&net, &refs).await?;
    let set_addresses: Vec<_> = set.iter().map(|i| address_of(*i)).collect();
    let mut covered = 0;
    for _ in 0..15 {
        let (round, delay) = run_round(&net, &refs, 8).await?;
        let absent_rank = turn_rank(Round::new(round), absent, &set_addresses);
        // The live keeper whose window comes first after the absent one's.
        let expected_max = if absent_rank == 0 { 2 + 1 } else { 1 };
        ensure!(
            delay <= expected_max,
            "round {round}: absent keeper rank {absent_rank}, initialized after {delay} blocks"
        );
        if absent_rank == 0 {
            ensure!(
                delay == 3,
                "the rank-1 keeper acts at its window (start + 2), mined at + 3"
            );
            covered += 1;
            if covered == 2 {
                break;
            }
        }
    }
    ensure!(covered == 2, "the absent keeper never had the first turn");
    for k in keepers {
        ensure!(Metrics::get(&k.metrics.txs_reverted) == 0);
        k.stop().await?;
    }
    Ok(())
}

/// Heads that jump (a slow poll, a node catching up) can show the keeper its confirmation and
/// the next round's first block at once: that round is initialized from that head, not a block
/// later.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_confirmation_seen_in_the_next_round_does_not_delay_that_round() -> Result<()> {
    let net = Net::start().await?;
    let keeper = net.spawn(net.config(1, &[1], false)?);
    settle_first_round(&net, &[&keeper]).await?;
    let start = net.to_block_before_next_round(&[&keeper]).await?;
    net.step(1, &[&keeper]).await?; // sent at the round's first block
    let sent = Metrics::get(&keeper.metrics.txs_sent);
    let confirmed = Metrics::get(&keeper.metrics.txs_confirmed);
    // It lands in the next block; the next head the keeper sees is the next round's first.
    net.step(ROUND_LENGTH, &[&keeper]).await?;
    ensure!(
        Metrics::get(&keeper.metrics.txs_confirmed) == confirmed + 1,
        "the first round's transaction confirmed"
    );
    ensure!(
        Metrics::get(&keeper.metrics.txs_sent) == sent + 1,
        "the next round's initializeRound() sent from that same head"
    );
    net.step(1, &[&keeper]).await?;
    let next = start + ROUND_LENGTH;
    let events = net.new_round_blocks(next, net.head().await?).await?;
    ensure!(
        events.len() == 1 && events[0].1 == next + 1,
        "initialized in its first block: {events:?}"
    );
    keeper.stop().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reverts_decode_into_the_interface_errors() -> Result<()> {
    use alloy::{rpc::types::TransactionRequest, sol_types::SolCall};
    use livepeer_bindings::IRoundsManager;
    use livepeer_chain::{
        ChainError, counter::RequestCounter, provider::connect, revert::RevertReason,
        sender::TxSender, signer::load_signer,
    };
    let net = Net::start().await?;
    let config = net.config(1, &[1], false)?;
    let rpc = connect(&config.rpc, RequestCounter::new()).await?;
    let sender =
        TxSender::new(rpc.provider.clone(), load_signer(&config.key)?, config.fees).await?;
    let tx = TransactionRequest::default()
        .to(net.rounds_manager)
        .input(IRoundsManager::initializeRoundCall {}.abi_encode().into());
    let (current, last, _) = net.round_state().await?;
    if current > last {
        ensure!(
            sender.simulate(&tx).await.is_ok(),
            "simulation passes while uninitialized"
        );
        // Initialize through anvil's unlocked dev account #2, automined.
        net.automine(true).await?;
        net.provider
            .send_transaction(tx.clone().from(address_of(2)))
            .await?
            .get_receipt()
            .await?;
        net.automine(false).await?;
    }
    match sender.simulate(&tx).await {
        Err(ChainError::SimulationReverted(reason)) => {
            ensure!(reason.is_round_already_initialized(), "{reason}");
            ensure!(matches!(reason, RevertReason::RoundsManager(_)), "{reason}");
        }
        other => anyhow::bail!("expected RoundAlreadyInitialized, got {other:?}"),
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_decides_but_never_sends() -> Result<()> {
    let net = Net::start().await?;
    let mut config = net.config(1, &[1], false)?;
    config.dry_run = true;
    let keeper = net.spawn(config);
    let head = net.head().await?;
    wait_processed(&[&keeper], head).await?;
    net.to_block_before_next_round(&[&keeper]).await?;
    net.step(2, &[&keeper]).await?;
    let (current, last, _) = net.round_state().await?;
    ensure!(current > last, "nothing initialized the round");
    ensure!(Metrics::get(&keeper.metrics.dry_run_skips) >= 1);
    ensure!(Metrics::get(&keeper.metrics.txs_sent) == 0);
    keeper.stop().await
}

/// `GET http://<addr>/health`: the status code and the body.
async fn health(addr: std::net::SocketAddr) -> Result<(u16, String)> {
    let response = alloy::transports::http::reqwest::get(format!("http://{addr}/health")).await?;
    Ok((response.status().as_u16(), response.text().await?))
}

/// Polls `/health` until it answers `status`; returns the body.
async fn wait_health(addr: std::net::SocketAddr, status: u16) -> Result<String> {
    for _ in 0..400 {
        let (code, body) = health(addr).await?;
        if code == status {
            return Ok(body);
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    anyhow::bail!("/health never answered {status}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rounds_that_end_while_reads_fail_are_missed_and_health_says_why() -> Result<()> {
    use livepeer_chain::{
        proxy::{Fault, FaultProxy},
        testchain::MetricsScrape,
    };
    let net = Net::start().await?;
    let proxy = FaultProxy::start(&net.devnet.http_url()).await?;
    let mut config = net.config(1, &[1], false)?;
    config.rpc.urls = vec![proxy.url()];
    config.rpc.max_retries = 0;
    let addr: std::net::SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
    config.metrics_addr = Some(addr);
    config.max_failed_reads = 3;
    let keeper = net.spawn(config);
    settle_first_round(&net, &[&keeper]).await?;
    // At the start of a fresh round, so the outage below begins and ends where the test says.
    run_round(&net, &[&keeper], 3).await?;
    let scrape = MetricsScrape::new(&addr.to_string());
    ensure!(scrape.value("keeper_rounds_missed_total").await? == 0);
    ensure!(wait_health(addr, 200).await? == "ok\n");

    // Heads keep coming but every eth_call reverts (the live failure): three blocks, three
    // failed reads, and /health says so.
    proxy.set(Fault::RevertCalls);
    for _ in 0..3 {
        net.step(1, &[&keeper]).await?;
    }
    ensure!(
        Metrics::get(&keeper.metrics.read_errors) >= 3,
        "failed reads counted"
    );
    let body = wait_health(addr, 503).await?;
    ensure!(
        body.contains("consecutive failed chain reads (limit 3)"),
        "{body}"
    );
    // Into the next round and past its end: nobody initializes it (the keeper cannot read).
    let (round, last, start) = net.round_state().await?;
    ensure!(round == last, "round {round} initialized before the outage");
    net.step(start + ROUND_LENGTH - net.head().await?, &[&keeper])
        .await?;
    ensure!(
        Metrics::get(&keeper.metrics.rounds_missed) == 0,
        "round {} has not ended",
        round + 1
    );
    net.step(ROUND_LENGTH, &[&keeper]).await?;
    ensure!(
        Metrics::get(&keeper.metrics.rounds_missed) == 1,
        "round {} ended uninitialized during the outage",
        round + 1
    );
    ensure!(scrape.value("keeper_rounds_missed_total").await? == 1);
    ensure!(scrape.value("keeper_read_errors_total").await? >= 5);

    // Reads come back: the current round is initialized, the missed one stays counted.
    proxy.set(Fault::Pass);
    let mut initialized = false;
    for _ in 0..4 {
        net.step(1, &[&keeper]).await?;
        let (current, last, _) = net.round_state().await?;
        if current == last && current == round + 2 {
            initialized = true;
            break;
        }
    }
    ensure!(
        initialized,
        "round {} initialized after the outage",
        round + 2
    );
    // The keeper has seen it initialized before the next outage begins.
    net.step(1, &[&keeper]).await?;
    ensure!(Metrics::get(&keeper.metrics.last_initialized_round) == round + 2);
    ensure!(wait_health(addr, 200).await? == "ok\n", "healthy again");
    ensure!(scrape.value("keeper_consecutive_failed_reads").await? == 0);

    // A full outage (no heads either) across a round: counted when the node is back.
    proxy.set(Fault::Down);
    let errors = Metrics::get(&keeper.metrics.read_errors);
    let noticed = livepeer_chain::sender::poll_until(
        Duration::from_millis(20),
        Duration::from_secs(20),
        || async { Metrics::get(&keeper.metrics.read_errors) >= errors + 3 },
    )
    .await;
    ensure!(noticed, "failed head reads counted");
    wait_health(addr, 503).await?;
    let (_, _, start) = net.round_state().await?;
    let head = net
        .mine(start + 2 * ROUND_LENGTH - net.head().await?)
        .await?;
    proxy.set(Fault::Pass);
    wait_processed(&[&keeper], head).await?;
    ensure!(
        Metrics::get(&keeper.metrics.rounds_missed) == 2,
        "round {} passed unseen and uninitialized: {}",
        round + 3,
        Metrics::get(&keeper.metrics.rounds_missed)
    );
    wait_health(addr, 200).await?;
    let (current, _, _) = net.round_state().await?;
    ensure!(current == round + 4);
    keeper.stop().await
}
