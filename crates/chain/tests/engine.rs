//! The engine on a bare anvil (no protocol), with a bot that sends plain transfers: the order of
//! a tick, one transaction in flight per lane, replacement of the one in flight, wake-ups, dry
//! runs and failed reads. Automine is off: the tests mine each block and wait until the engine
//! has handled it.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
    rpc::types::TransactionRequest,
    signers::local::PrivateKeySigner,
};
use anyhow::{Context, Result, ensure};
use livepeer_chain::{
    ChainError,
    blocks::Head,
    counter::RequestCounter,
    engine::{Bot, Engine, Event, Read, Tick, Tx},
    health::ReadHealth,
    provider::{Rpc, RpcConfig, connect},
    sender::{FeePolicy, NonceMode, TxSender, poll_until},
    testchain::{DEV_KEYS, TestChain},
};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What the test bot asks for.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    /// Send 1 wei to the recipient.
    Pay(NonceMode),
    /// What `decide` saw at this tick (observed as a log line).
    Saw(String),
}

/// Sends `orders[block]` payments at `block` (`Next`; not at a tick where one landed), one
/// replacement on a wake-up, and says what it saw at every tick.
struct Payer {
    provider: DynProvider,
    me: Address,
    orders: BTreeMap<u64, usize>,
    health: ReadHealth,
    fail_reads: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<String>>>,
    processed: Arc<AtomicU64>,
}

impl Bot for Payer {
    type State = u64;
    type Memory = u64;
    type Action = Action;

    fn health(&self) -> &ReadHealth {
        &self.health
    }

    async fn read(&mut self, tick: &Tick<'_, Action>, _confirmed: &u64) -> Result<u64, ChainError> {
        if self.fail_reads.load(Ordering::Relaxed) {
            return Err(ChainError::Build("read failure injected".into()));
        }
        Ok(self
            .provider
            .get_transaction_count(self.me)
            .block_id(tick.head.number.into())
            .await?)
    }

    /// The memory counts the confirmed payments.
    fn decide(
        &self,
        tick: &Tick<'_, Action>,
        read: Read<'_, u64>,
        confirmed: u64,
    ) -> (Vec<Action>, u64) {
        let confirmed = confirmed + tick.landed.iter().filter(|l| l.result.is_ok()).count() as u64;
        let seen = match read {
            Read::Done(nonce) => format!("nonce {nonce}"),
            Read::Failed(_) => "read failed".into(),
            Read::Skipped => "skipped".into(),
        };
        let since: String = tick
            .in_flight
            .iter()
            .map(|f| format!(" since {}", f.since))
            .collect();
        let mut actions = vec![Action::Saw(format!(
            "saw {seen}, landed {}, in flight {}{since}, woken {}, confirmed {confirmed}",
            tick.landed.len(),
            tick.in_flight.len(),
            tick.woken
        ))];
        if tick.woken && tick.lane_busy(self.me) {
            actions.push(Action::Pay(NonceMode::ReplaceInFlight));
        } else if let Some(count) = self.orders.get(&tick.head.number)
            && tick.landed.is_empty()
        {
            actions.extend((0..*count).map(|_| Action::Pay(NonceMode::Next)));
        }
        (actions, confirmed)
    }

    fn encode(&self, action: &Action) -> Option<Tx> {
        match action {
            Action::Pay(mode) => Some(Tx {
                lane: self.me,
                request: TransactionRequest::default()
                    .to(Address::with_last_byte(0xee))
                    .value(U256::from(1)),
                mode: *mode,
            }),
            Action::Saw(_) => None,
        }
    }

    fn observe(&mut self, head: Head, event: Event<'_, u64, Action>) {
        let line = match event {
            Event::Head | Event::Read(_) => return,
            Event::Processed => {
                self.processed.store(head.number, Ordering::SeqCst);
                return;
            }
            Event::Action(Action::Saw(what)) => what.clone(),
            Event::Action(action) => format!("action {action:?}"),
            Event::DryRun(action) => format!("dry run {action:?}"),
            Event::Sent { .. } => "sent".into(),
            Event::Replaced { .. } => "replaced".into(),
            Event::Reorged { .. } => "reorged".into(),
            Event::Landed(landed) => format!(
                "landed {} after {} hashes",
                if landed.result.is_ok() {
                    "ok"
                } else {
                    "failed"
                },
                landed.hashes.len()
            ),
            Event::ReadFailed(_) => "read failed".into(),
            Event::HeadFailed(_) => "head failed".into(),
        };
        if let Ok(mut log) = self.log.lock() {
            log.push(format!("{}: {line}", head.number));
        }
    }
}

struct Run {
    net: Net,
    wake: Arc<Notify>,
    cancel: CancellationToken,
    handle: tokio::task::JoinHandle<Payer>,
}

/// A bare anvil with automine off, and a [`Payer`] paying `orders` (block offsets from the
/// current head) from the first dev account.
struct Setup {
    net: Net,
    payer: Payer,
}

/// The anvil, the payer's sender, and what the payer shares with the test.
struct Net {
    devnet: TestChain,
    rpc: Rpc,
    provider: DynProvider,
    sender: Arc<TxSender>,
    head: u64,
    log: Arc<Mutex<Vec<String>>>,
    processed: Arc<AtomicU64>,
    fail_reads: Arc<AtomicBool>,
}

async fn setup(orders: &[(u64, usize)], confirmations: u64) -> Result<Setup> {
    let devnet = TestChain::start_bare().await?;
    let mut config = RpcConfig::new(vec![devnet.http_url()]);
    config.max_retries = 0;
    let rpc = connect(&config, RequestCounter::new()).await?;
    let provider = rpc.provider.clone();
    let _: serde_json::Value = provider
        .raw_request("evm_setAutomine".into(), (false,))
        .await?;
    let signer: PrivateKeySigner = DEV_KEYS[1].parse()?;
    let me = signer.address();
    let policy = FeePolicy {
        replace_after_blocks: 100,
        confirmations,
        ..FeePolicy::default()
    };
    let sender = Arc::new(TxSender::new(provider.clone(), signer, policy).await?);
    let head = provider.get_block_number().await?;
    let (log, processed) = (Arc::default(), Arc::new(AtomicU64::new(u64::MAX)));
    let fail_reads = Arc::new(AtomicBool::new(false));
    let payer = Payer {
        provider: provider.clone(),
        me,
        orders: orders.iter().map(|(b, n)| (head + b, *n)).collect(),
        health: ReadHealth::new(2),
        fail_reads: fail_reads.clone(),
        log: Arc::clone(&log),
        processed: processed.clone(),
    };
    let net = Net {
        devnet,
        rpc,
        provider,
        sender,
        head,
        log,
        processed,
        fail_reads,
    };
    Ok(Setup { net, payer })
}

impl Setup {
    /// The log lines of block `block`, without the block number.
    fn at(&self, block: u64) -> Vec<String> {
        lines_at(&self.net.log, block)
    }

    /// One pass of the payer from `confirmed`, waiting `patience` for its transaction.
    async fn pass(&mut self, confirmed: u64, patience: Duration) -> u64 {
        let cancel = CancellationToken::new();
        Engine::new(
            &mut self.payer,
            self.net.rpc.clone(),
            Duration::from_millis(10),
        )
        .with_lane(self.net.sender.clone())
        .run_pass(confirmed, patience, &cancel)
        .await
        .1
    }
}

fn lines_at(log: &Mutex<Vec<String>>, block: u64) -> Vec<String> {
    let prefix = format!("{block}: ");
    log.lock()
        .map(|l| l.clone())
        .unwrap_or_default()
        .iter()
        .filter_map(|l| l.strip_prefix(&prefix).map(str::to_owned))
        .collect()
}

impl Run {
    async fn start(orders: &[(u64, usize)], dry_run: bool) -> Result<Self> {
        Self::start_with(orders, dry_run, None, 1).await
    }

    /// Started with idle ticks every `idle`, if given, transactions confirmed at `confirmations`
    /// blocks.
    async fn start_with(
        orders: &[(u64, usize)],
        dry_run: bool,
        idle: Option<Duration>,
        confirmations: u64,
    ) -> Result<Self> {
        let Setup { net, payer } = setup(orders, confirmations).await?;
        let wake = Arc::new(Notify::new());
        let mut engine = Engine::new(payer, net.rpc.clone(), Duration::from_millis(10))
            .with_lane(net.sender.clone())
            .dry_run(dry_run)
            .woken_by(wake.clone());
        if let Some(idle) = idle {
            engine = engine.tick_at_least_every(idle);
        }
        let cancel = CancellationToken::new();
        let token = cancel.clone();
        let handle = tokio::spawn(async move { engine.run(&token).await });
        let head = net.head;
        let run = Self {
            net,
            wake,
            cancel,
            handle,
        };
        run.wait_processed(head).await?;
        Ok(run)
    }

    /// The block the bot's orders count from.
    async fn head(&self) -> Result<u64> {
        Ok(self.net.provider.get_block_number().await?)
    }

    async fn wait_processed(&self, block: u64) -> Result<()> {
        let done = poll_until(
            Duration::from_millis(5),
            Duration::from_secs(20),
            || async {
                let at = self.net.processed.load(Ordering::SeqCst);
                at != u64::MAX && at >= block
            },
        )
        .await;
        ensure!(done, "block {block} not processed; log: {:?}", self.lines());
        Ok(())
    }

    /// Mines one block and waits until the engine has handled it.
    async fn step(&self) -> Result<u64> {
        let _: serde_json::Value = self
            .net
            .provider
            .raw_request("anvil_mine".into(), (U256::from(1),))
            .await?;
        let head = self.head().await?;
        self.wait_processed(head).await?;
        Ok(head)
    }

    fn lines(&self) -> Vec<String> {
        self.net.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The log lines of block `block`, without the block number.
    fn at(&self, block: u64) -> Vec<String> {
        lines_at(&self.net.log, block)
    }

    /// Fails unless the log lines of `block` are `expected`.
    fn expect(&self, block: u64, expected: &[&str]) -> Result<()> {
        let lines = self.at(block);
        ensure!(lines == expected, "block {block}: {lines:?}");
        Ok(())
    }

    async fn transactions_in(&self, block: u64) -> Result<usize> {
        let block = self
            .net
            .provider
            .get_block_by_number(block.into())
            .await?
            .context("no block")?;
        Ok(block.transactions.len())
    }

    async fn stop(self) -> Result<Payer> {
        self.cancel.cancel();
        let bot = self.handle.await?;
        drop(self.net.devnet);
        Ok(bot)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_transaction_is_followed_before_the_read_and_lands_at_the_next_tick() -> Result<()> {
    let run = Run::start(&[(1, 1)], false).await?;
    let start = run.head().await?;
    let sent_at = run.step().await?;
    ensure!(sent_at == start + 1);
    run.expect(
        sent_at,
        &[
            "saw nonce 0, landed 0, in flight 0, woken false, confirmed 0",
            "action Pay(Next)",
            "sent",
        ],
    )?;
    let mined = run.step().await?;
    ensure!(
        run.transactions_in(mined).await? == 1,
        "mined at the next block"
    );
    // The sender saw the receipt before the read: the read already shows the new nonce.
    run.expect(
        mined,
        &[
            "landed ok after 1 hashes",
            "saw nonce 1, landed 1, in flight 0, woken false, confirmed 1",
        ],
    )?;
    let idle = run.step().await?;
    run.expect(
        idle,
        &["saw nonce 1, landed 0, in flight 0, woken false, confirmed 1"],
    )?;
    run.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lane_carries_one_transaction_and_a_replacement_takes_its_place() -> Result<()> {
    // Two payments ordered in the same block: the second is refused (the lane is busy).
    let run = Run::start(&[(1, 2)], false).await?;
    let sent_at = run.step().await?;
    let sent = run.at(sent_at).iter().filter(|l| *l == "sent").count();
    ensure!(sent == 1, "one transaction per lane: {:?}", run.at(sent_at));
    // A wake-up before the next block: a tick at the same head, which replaces it.
    run.wake.notify_one();
    let replaced = poll_until(
        Duration::from_millis(5),
        Duration::from_secs(20),
        || async { run.at(sent_at).iter().filter(|l| *l == "sent").count() == 2 },
    )
    .await;
    ensure!(replaced, "no replacement: {:?}", run.at(sent_at));
    ensure!(
        run.at(sent_at).contains(&format!(
            "saw nonce 0, landed 0, in flight 1 since {sent_at}, woken true, confirmed 0"
        )),
        "{:?}",
        run.at(sent_at)
    );
    let mined = run.step().await?;
    ensure!(
        run.transactions_in(mined).await? == 1,
        "the replacement took the first one's nonce"
    );
    ensure!(
        run.at(mined).first().map(String::as_str) == Some("landed ok after 1 hashes"),
        "{:?}",
        run.at(mined)
    );
    run.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dry_run_sends_nothing_and_failed_reads_turn_health_red() -> Result<()> {
    let run = Run::start(&[(1, 1)], true).await?;
    let block = run.step().await?;
    ensure!(
        run.at(block).contains(&"dry run Pay(Next)".to_owned()),
        "{:?}",
        run.at(block)
    );
    let next = run.step().await?;
    ensure!(run.transactions_in(next).await? == 0, "nothing sent");
    run.net.fail_reads.store(true, Ordering::Relaxed);
    let failed = run.step().await?;
    run.expect(
        failed,
        &[
            "read failed",
            "saw read failed, landed 0, in flight 0, woken false, confirmed 0",
        ],
    )?;
    run.step().await?;
    let bot = run.stop().await?;
    ensure!(bot.health.consecutive_failed() == 2);
    ensure!(bot.health.verdict(Duration::from_secs(60)).is_err(), "503");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_follows_what_it_sends_until_it_lands_and_threads_the_memory() -> Result<()> {
    let mut s = setup(&[(0, 1)], 1).await?;
    let head = s.net.head;
    // The pass sends at the current head and waits for its transaction, mined a moment later.
    let provider = s.net.provider.clone();
    let miner = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        provider
            .raw_request::<_, serde_json::Value>("anvil_mine".into(), (U256::from(1),))
            .await
    });
    let confirmed = s.pass(5, Duration::from_secs(20)).await;
    miner.await??;
    ensure!(
        confirmed == 6,
        "the memory went through the pass: {confirmed}"
    );
    ensure!(
        s.at(head)
            == [
                "saw nonce 0, landed 0, in flight 0, woken false, confirmed 5",
                "action Pay(Next)",
                "sent",
            ],
        "{:?}",
        s.at(head)
    );
    ensure!(
        s.at(head + 1)
            == [
                "landed ok after 1 hashes",
                "saw nonce 1, landed 1, in flight 0, woken false, confirmed 6",
            ],
        "{:?}",
        s.at(head + 1)
    );
    // The next pass starts from that memory; nothing to send: one tick.
    let confirmed = s.pass(confirmed, Duration::from_secs(20)).await;
    ensure!(confirmed == 6);
    ensure!(s.at(head + 1).len() == 3, "{:?}", s.at(head + 1));
    drop(s.net.devnet);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pass_leaves_a_stuck_transaction_after_its_patience_and_lands_a_refused_one_at_once()
-> Result<()> {
    let mut s = setup(&[(0, 1)], 1).await?;
    let head = s.net.head;
    // No block comes: the pass gives up on its transaction after its patience.
    let started = std::time::Instant::now();
    s.pass(0, Duration::from_millis(500)).await;
    ensure!(started.elapsed() >= Duration::from_millis(500));
    ensure!(
        s.at(head)
            .ends_with(&["sent".to_owned(), "landed failed after 1 hashes".to_owned()]),
        "left in flight: {:?}",
        s.at(head)
    );
    // The same order again at the same head: the account's nonce is taken, the send is refused
    // before anything goes out, and lands at once rather than at a next head.
    let started = std::time::Instant::now();
    s.pass(0, Duration::from_secs(60)).await;
    ensure!(
        started.elapsed() < Duration::from_secs(30),
        "waited for a head: {:?}",
        started.elapsed()
    );
    ensure!(
        s.at(head).ends_with(&[
            "landed failed after 0 hashes".to_owned(),
            "saw nonce 0, landed 1, in flight 0, woken false, confirmed 0".to_owned(),
        ]),
        "{:?}",
        s.at(head)
    );
    drop(s.net.devnet);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_ticks_come_without_blocks() -> Result<()> {
    let run = Run::start_with(&[], false, Some(Duration::from_millis(100)), 1).await?;
    let head = run.head().await?;
    let idle = "saw nonce 0, landed 0, in flight 0, woken false, confirmed 0";
    let ticked = poll_until(
        Duration::from_millis(20),
        Duration::from_secs(20),
        || async { run.at(head).iter().filter(|l| *l == idle).count() >= 3 },
    )
    .await;
    ensure!(ticked, "{:?}", run.at(head));
    run.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn heads_come_while_idle_ticks_come_as_often_as_polls() -> Result<()> {
    // Idle ticks every 10 ms, heads polled every 10 ms: each tick between heads must not put
    // the next poll off again.
    let run = Run::start_with(&[], false, Some(Duration::from_millis(10)), 1).await?;
    for _ in 0..3 {
        run.step().await?;
    }
    run.stop().await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reorg_rebroadcast_restarts_the_flights_clock() -> Result<()> {
    // Confirmed at 3 blocks: still followed once mined.
    let run = Run::start_with(&[(1, 1)], false, None, 3).await?;
    let sent_at = run.step().await?;
    let mined = run.step().await?;
    ensure!(run.transactions_in(mined).await? == 1, "mined");
    ensure!(
        run.at(mined)
            .iter()
            .any(|l| l.contains(&format!("in flight 1 since {sent_at},"))),
        "{:?}",
        run.at(mined)
    );
    // The block that holds it is replaced by an empty one: the sender rebroadcasts it, and the
    // flight's clock (what a bot's replacement counts from) starts again there.
    let _: serde_json::Value = run
        .net
        .provider
        .raw_request("anvil_reorg".into(), (1u64, Vec::<()>::new()))
        .await?;
    let mut rebroadcast = None;
    for _ in 0..5 {
        let block = run.step().await?;
        if run.at(block).iter().any(|l| l == "reorged") {
            rebroadcast = Some(block);
            break;
        }
    }
    let block = rebroadcast.context("the reorg was not noticed")?;
    ensure!(
        run.at(block)
            .iter()
            .any(|l| l.contains(&format!("in flight 1 since {block},"))),
        "the clock restarted at the rebroadcast: {:?}",
        run.at(block)
    );
    run.stop().await?;
    Ok(())
}
