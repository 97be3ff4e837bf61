//! Every `lpt` command against a real anvil with the protocol deployed by `script/Deploy.s.sol`
//! (through `livepeer_chain::testchain`), running the real binary, on both flavors of the protocol:
//! ours and the fixture of the live deployment (no LIP-118, `require` strings, live pool views).
//! `--json` output is parsed; bad input must exit non-zero with exactly one line on stderr.

#![allow(clippy::panic)] // a test fails by panicking

use std::{
    io::{Read as _, Write as _},
    process::{Child, Command, Output, Stdio},
    str::FromStr,
    sync::{Arc, Mutex},
    thread::JoinHandle,
    time::{Duration, Instant},
};

use alloy::{
    network::EthereumWallet,
    primitives::{Address, U256, keccak256},
    providers::{DynProvider, Provider, ProviderBuilder},
    signers::{SignerSync as _, local::PrivateKeySigner},
    sol_types::{SolCall as _, SolValue as _},
};
use livepeer_bindings::{
    IBondingManager, ILivepeerGovernor, ILivepeerToken, IRoundsManager, ITicketBroker,
};
use livepeer_chain::{
    protocol::Protocol,
    testchain::{DEV_KEYS, Flavor, TestChain},
};
use serde_json::Value;

type TestResult = Result<(), Box<dyn std::error::Error>>;

const O1: usize = 1;
const O2: usize = 2;
const DEL: usize = 3;
const BROADCASTER: usize = 4;
const CALLER: usize = 5;

fn address(i: usize) -> Address {
    PrivateKeySigner::from_str(DEV_KEYS[i])
        .map(|s| s.address())
        .unwrap_or_default()
}

fn e18(n: u64) -> U256 {
    U256::from(n) * U256::from(10).pow(U256::from(18))
}

struct Env {
    devnet: TestChain,
    flavor: Flavor,
    keys: tempfile::TempDir,
    wallet: DynProvider,
    protocol: Protocol,
}

/// A running `lpt` waiting at its confirmation prompt.
struct Prompted {
    child: Child,
    stderr: Arc<Mutex<Vec<u8>>>,
    reader: JoinHandle<()>,
}

impl Prompted {
    /// Waits until the confirmation prompt is on stderr.
    fn wait_for_prompt(&self) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while Instant::now() < deadline {
            let text = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
            if String::from_utf8_lossy(&text).contains("[y/N]") {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("no confirmation prompt");
    }

    /// Answers the prompt and waits for the exit.
    fn answer(mut self, answer: &str) -> Output {
        if let Some(mut input) = self.child.stdin.take() {
            let _ = input.write_all(answer.as_bytes());
        }
        let out = self
            .child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait lpt: {e}"));
        let _ = self.reader.join();
        let stderr = self.stderr.lock().map(|b| b.clone()).unwrap_or_default();
        Output { stderr, ..out }
    }
}

impl Env {
    async fn start(flavor: Flavor) -> Result<Self, Box<dyn std::error::Error>> {
        let devnet = TestChain::start_flavor(flavor).await?;
        let keys = tempfile::tempdir()?;
        for (i, key) in DEV_KEYS.iter().enumerate() {
            std::fs::write(keys.path().join(format!("key{i}")), format!("{key}\n"))?;
        }
        let signer = PrivateKeySigner::from_str(DEV_KEYS[0])?;
        let wallet = ProviderBuilder::new()
            .wallet(EthereumWallet::from(signer))
            .connect_http(devnet.http_url().parse()?)
            .erased();
        let protocol = Protocol::discover(wallet.clone(), devnet.controller).await?;
        Ok(Self {
            devnet,
            flavor,
            keys,
            wallet,
            protocol,
        })
    }

    /// Starts `lpt` (no `--yes`) and waits for its confirmation prompt.
    fn prompted(&self, key: usize, args: &[&str]) -> Prompted {
        let mut cmd = self.command(Some(key), args);
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn lpt: {e}"));
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut pipe = child.stderr.take().unwrap_or_else(|| panic!("no stderr"));
        let reader = std::thread::spawn({
            let stderr = stderr.clone();
            move || {
                let mut chunk = [0u8; 256];
                while let Ok(n) = pipe.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    if let Ok(mut buf) = stderr.lock() {
                        buf.extend_from_slice(&chunk[..n]);
                    }
                }
            }
        });
        let prompted = Prompted {
            child,
            stderr,
            reader,
        };
        prompted.wait_for_prompt();
        prompted
    }

    /// A provider signing with dev key `key`.
    fn wallet_of(&self, key: usize) -> Result<DynProvider, Box<dyn std::error::Error>> {
        Ok(ProviderBuilder::new()
            .wallet(EthereumWallet::from(PrivateKeySigner::from_str(
                DEV_KEYS[key],
            )?))
            .connect_http(self.devnet.http_url().parse()?)
            .erased())
    }

    /// `key` calls `reward()` for itself (as its reward agent would).
    async fn reward(&self, key: usize) -> TestResult {
        let receipt = IBondingManager::new(
            self.protocol.addresses.bonding_manager,
            self.wallet_of(key)?,
        )
        .reward()
        .send()
        .await?
        .get_receipt()
        .await?;
        assert!(receipt.status(), "reward of {}", address(key));
        Ok(())
    }

    fn command(&self, key: Option<usize>, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lpt"));
        for var in [
            "LPT_RPC_URL",
            "LPT_CONTROLLER",
            "LPT_DEPLOYMENTS",
            "LPT_PRIVATE_KEY_FILE",
        ] {
            cmd.env_remove(var);
        }
        cmd.arg("--rpc-url")
            .arg(self.devnet.http_url())
            .arg("--controller")
            .arg(self.devnet.controller.to_string());
        if let Some(k) = key {
            cmd.arg("--private-key-file")
                .arg(self.keys.path().join(format!("key{k}")));
        }
        cmd.args(args);
        cmd
    }

    fn run_with(&self, mut cmd: Command, stdin: &str) -> Output {
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn lpt: {e}"));
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("wait lpt: {e}"))
    }

    fn run(&self, key: Option<usize>, args: &[&str], stdin: &str) -> Output {
        self.run_with(self.command(key, args), stdin)
    }

    /// Runs with `--json --yes`, asserts success and parses stdout.
    fn json(&self, key: Option<usize>, args: &[&str]) -> Value {
        let mut all = args.to_vec();
        all.extend(["--json", "--yes"]);
        let out = self.run(key, &all, "");
        assert!(
            out.status.success(),
            "lpt {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "lpt {args:?}: stdout is not JSON ({e}): {}",
                String::from_utf8_lossy(&out.stdout)
            )
        })
    }

    /// A write: asserts every transaction succeeded; returns the JSON.
    fn send(&self, key: usize, args: &[&str]) -> Value {
        let v = self.json(Some(key), args);
        let txs = v["transactions"].as_array().cloned().unwrap_or_default();
        assert!(!txs.is_empty(), "lpt {args:?} sent nothing: {v}");
        for tx in &txs {
            assert_eq!(tx["status"], "success", "lpt {args:?}: {tx}");
            assert!(tx["hash"].as_str().is_some_and(|h| h.len() == 66), "{tx}");
        }
        v
    }

    /// Asserts failure with exactly one line on stderr containing `needle`.
    fn fails(&self, key: Option<usize>, args: &[&str], needle: &str) -> String {
        check_failure(&self.run(key, args, ""), args, needle)
    }

    /// Mines to the first block of the next round and initializes it.
    async fn next_round(&self) -> TestResult {
        self.mine_to_next_round().await?;
        IRoundsManager::new(self.protocol.addresses.rounds_manager, self.wallet.clone())
            .initializeRound()
            .send()
            .await?
            .get_receipt()
            .await?;
        let initialized = self
            .protocol
            .rounds_manager
            .currentRoundInitialized()
            .call()
            .await?;
        assert!(initialized, "round initialized");
        Ok(())
    }

    /// Mines to the first block of the next round, leaving it uninitialized.
    async fn mine_to_next_round(&self) -> TestResult {
        let rm = &self.protocol.rounds_manager;
        let block = self.wallet.get_block_number().await?;
        let start = rm.currentRoundStartBlock().call().await?;
        let length = rm.roundLength().call().await?;
        let blocks = (start + length).saturating_sub(U256::from(block));
        let _: Value = self
            .wallet
            .raw_request("anvil_mine".into(), (blocks,))
            .await?;
        Ok(())
    }

    async fn round(&self) -> Result<u64, Box<dyn std::error::Error>> {
        Ok(self
            .protocol
            .rounds_manager
            .currentRound()
            .call()
            .await?
            .to::<u64>())
    }

    fn pool_order(&self) -> Vec<String> {
        self.json(None, &["pool"])["transcoders"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|t| t["address"].as_str().unwrap_or_default().to_lowercase())
            .collect()
    }
}

fn check_failure(out: &Output, args: &[&str], needle: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!out.status.success(), "lpt {args:?} succeeded: {stderr}");
    let text = stderr.trim_end();
    // The confirmation summary (if any) precedes the error; the error itself is the last line.
    let last = text.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: "), "lpt {args:?}: {stderr}");
    assert!(
        last.contains(needle),
        "lpt {args:?}: expected `{needle}` in: {last}"
    );
    assert!(
        !text.contains("panicked"),
        "lpt {args:?} panicked: {stderr}"
    );
    last.to_owned()
}

fn lower(a: Address) -> String {
    a.to_string().to_lowercase()
}

fn wei(v: &Value) -> U256 {
    v.as_str()
        .and_then(|s| U256::from_str(s).ok())
        .unwrap_or_else(|| panic!("not a wei string: {v}"))
}

/// Argument errors need no chain: exit 2, one line.
#[test]
fn bad_arguments_exit_with_one_line() {
    let run = |args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_lpt"));
        cmd.env_remove("LPT_RPC_URL").env_remove("LPT_CONTROLLER");
        cmd.args(args);
        cmd.output().unwrap_or_else(|e| panic!("spawn: {e}"))
    };
    let to = "--to=0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    for (args, needle) in [
        (vec!["bond", "1.2.3", to], "is not an amount"),
        (vec!["bond", "-1", to], "error"),
        (vec!["bond", "5", "--to", "0x123"], "invalid value"),
        (vec!["frobnicate"], "unrecognized subcommand"),
        (vec!["fund", "--deposit", "1.5wei"], "whole number"),
        (vec!["delegator", "not-an-address"], "invalid value"),
        (vec!["votes", "--round", "soon"], "invalid value"),
        (vec!["proposals", "--from-block", "-"], "error"),
        (vec!["proposal", "x1"], "is not a proposal id"),
        (vec!["vote", "1", "maybe"], "write for, against or abstain"),
        (vec!["vote", "1", "for", "--reason"], "a value is required"),
        (
            vec!["propose", "--transfer", "1", "--description", "d"],
            "--to",
        ),
        (
            vec![
                "propose",
                "--transfer",
                "1",
                "--to",
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
                "--call",
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8:0xa9059cbb",
                "--description",
                "d",
            ],
            "cannot be used with",
        ),
        (
            vec![
                "propose",
                "--call",
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8:0xa9",
                "--description",
                "d",
            ],
            "4-byte function selector",
        ),
        (vec!["queue", "0x"], "is not a proposal id"),
        (vec!["execute"], "required"),
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    // Configuration errors: exit 1, one line, saying which flag to pass.
    let out = run(&["status"]);
    check_failure(&out, &["status"], "pass --rpc-url");
    let out = run(&["status", "--rpc-url", "http://127.0.0.1:9"]);
    check_failure(
        &out,
        &["status"],
        "pass --controller <address> or --deployments <file>",
    );
    let out = run(&[
        "claim",
        "--rpc-url",
        "http://127.0.0.1:9",
        "--controller",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
        "--keystore",
        "/nonexistent",
    ]);
    check_failure(&out, &["claim"], "--keystore needs --password-file");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_on_our_protocol() -> TestResult {
    every_command(Flavor::Ours).await
}

#[tokio::test(flavor = "multi_thread")]
async fn every_command_on_the_live_fixture() -> TestResult {
    every_command(Flavor::LiveFixture).await
}

async fn every_command(flavor: Flavor) -> TestResult {
    let env = Env::start(flavor).await?;
    let (o1, o2, del, bc, caller) = (
        address(O1),
        address(O2),
        address(DEL),
        address(BROADCASTER),
        address(CALLER),
    );
    let token = ILivepeerToken::new(env.protocol.addresses.token, env.wallet.clone());
    for who in [o1, o2, del] {
        token
            .transfer(who, e18(10_000))
            .send()
            .await?
            .get_receipt()
            .await?;
    }

    // --- reads and errors while the round is not initialized ---
    env.mine_to_next_round().await?;
    let status = env.json(None, &["status"]);
    assert_eq!(status["initialized"], false, "{status}");
    assert_eq!(status["paused"], false, "{status}");
    assert_eq!(status["poolMaxSize"], "10", "{status}");
    let round = env.round().await?;
    env.fails(
        Some(O1),
        &["bond", "1000", "--to", &o1.to_string(), "--yes"],
        &format!("round {round} is not initialized"),
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lpt"));
    cmd.env_remove("LPT_CONTROLLER").args([
        "--rpc-url",
        &env.devnet.http_url(),
        "--controller",
        &caller.to_string(),
        "status",
    ]);
    check_failure(&cmd.output()?, &["status"], "no contract at");
    env.fails(None, &["claim"], "no key configured");
    env.fails(None, &["delegator"], "give an address");
    // The deployments file works instead of --controller.
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("deployment.json");
    std::fs::write(
        &file,
        format!(
            r#"{{"contracts":{{"Controller":"{}"}}}}"#,
            env.devnet.controller
        ),
    )?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lpt"));
    cmd.env_remove("LPT_CONTROLLER")
        .args(["--rpc-url", &env.devnet.http_url(), "--deployments"])
        .arg(&file)
        .args(["status", "--json"]);
    let out = cmd.output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let via_file: Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(via_file["round"], status["round"]);
    // Human output is a table of values with units.
    let human = env.run(None, &["status"], "");
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("total supply") && text.contains("LPT"),
        "{text}"
    );

    // --- orchestrators register ---
    env.next_round().await?;
    let bond = env.send(O1, &["bond", "1000lpt", "--to", &o1.to_string()]);
    let calls: Vec<&str> = bond["transactions"]
        .as_array()
        .map(|a| a.iter().filter_map(|t| t["call"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(calls, ["approve", "bondWithHint"]);
    assert_eq!(wei(&bond["details"]["amount"]), e18(1000));
    env.send(O2, &["bond", "2000", "--to", &o2.to_string()]);
    assert_eq!(env.pool_order(), [lower(o2), lower(o1)], "pool by stake");
    env.fails(
        Some(O1),
        &[
            "set-commission",
            "--reward-cut",
            "101",
            "--fee-share",
            "50",
            "--yes",
        ],
        "--reward-cut: `101` is above 100%",
    );
    env.fails(
        Some(DEL),
        &[
            "set-commission",
            "--reward-cut",
            "10",
            "--fee-share",
            "50",
            "--yes",
        ],
        "is not a registered orchestrator",
    );
    env.send(
        O1,
        &["set-commission", "--reward-cut", "10", "--fee-share", "50%"],
    );
    env.send(
        O2,
        &[
            "set-commission",
            "--reward-cut",
            "12.5%",
            "--fee-share",
            "75",
        ],
    );
    let pool = env.json(None, &["pool"]);
    assert_eq!(pool["transcoders"][0]["rewardCut"], "125000", "{pool}");
    assert_eq!(pool["transcoders"][1]["feeShare"], "500000", "{pool}");
    assert_eq!(wei(&pool["transcoders"][0]["stake"]), e18(2000), "{pool}");
    let human = String::from_utf8_lossy(&env.run(None, &["pool"], "").stdout).into_owned();
    assert!(
        human.contains("2,000 LPT") && human.contains("12.5%"),
        "{human}"
    );

    // --- a delegator: confirmation, then a bond that reorders the pool ---
    let args = ["bond", "1500", "--to", &o1.to_string()];
    let refused = env.run(Some(DEL), &args, "n\n");
    let last = check_failure(&refused, &args, "not confirmed");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("bondWithHint"),
        "{last}"
    );
    env.fails(
        Some(DEL),
        &["bond", "1eth", "--to", &o1.to_string(), "--yes"],
        "in LPT, not ETH",
    );
    env.fails(
        Some(DEL),
        &["bond", "20000", "--to", &o1.to_string(), "--yes"],
        "your LPT balance is only 10,000 LPT",
    );
    let confirmed = env.run(Some(DEL), &[&args[..], &["--json"]].concat(), "y\n");
    assert!(
        confirmed.status.success(),
        "{}",
        String::from_utf8_lossy(&confirmed.stderr)
    );
    let v: Value = serde_json::from_slice(&confirmed.stdout)?;
    // O1 goes from 1000 to 2500, ahead of O2 (2000): new position is the head.
    assert_eq!(
        v["details"]["newDelegateHint"],
        serde_json::json!([Address::ZERO, o2]),
        "{v}"
    );
    assert_eq!(env.pool_order(), [lower(o1), lower(o2)]);
    let d = env.json(None, &["delegator", &del.to_string()]);
    assert_eq!(d["status"], "pending", "{d}");
    assert_eq!(
        d["delegate"].as_str().map(str::to_lowercase),
        Some(lower(o1))
    );
    assert_eq!(wei(&d["bonded"]), e18(1500));

    // --- unbond, rebond, withdraw-stake, claim ---
    env.fails(
        Some(DEL),
        &["unbond", "100", "--yes"],
        "your bond starts in round",
    );
    env.next_round().await?;
    let round = env.round().await?;
    // The contract's own refusal, in its dialect: O1 is active and has not called reward.
    let needle = match env.flavor {
        Flavor::Ours => format!("is active and has not called reward in round {round}"),
        Flavor::LiveFixture => "would revert: \"caller can't be active or must have already called reward for the current round\" (an active orchestrator calls reward first this round)".to_owned(),
    };
    env.fails(
        Some(O1),
        &[
            "set-commission",
            "--reward-cut",
            "10",
            "--fee-share",
            "50",
            "--yes",
        ],
        &needle,
    );
    env.fails(
        Some(DEL),
        &["unbond", "2000", "--yes"],
        "only 1,500 LPT bonded",
    );
    env.fails(
        Some(CALLER),
        &["unbond", "1", "--yes"],
        "has nothing bonded",
    );
    let unbond = env.send(DEL, &["unbond", "600"]);
    assert_eq!(unbond["details"]["lock"], "0", "{unbond}");
    assert_eq!(unbond["details"]["withdrawRound"], (round + 2).to_string());
    assert_eq!(env.pool_order(), [lower(o2), lower(o1)], "O1 fell to 1900");
    env.send(DEL, &["rebond", "--lock", "0"]);
    assert_eq!(env.pool_order(), [lower(o1), lower(o2)], "O1 back to 2500");
    env.fails(
        Some(DEL),
        &["rebond", "--lock", "0", "--yes"],
        "has no unbonding lock 0",
    );
    env.send(DEL, &["unbond", "100"]);
    env.fails(
        Some(DEL),
        &["withdraw-stake", "--lock", "1", "--yes"],
        &format!("unbonding lock 1 is withdrawable from round {}", round + 2),
    );
    env.fails(
        Some(DEL),
        &["withdraw-stake", "--lock", "7", "--yes"],
        "has no unbonding lock 7",
    );
    env.fails(
        Some(DEL),
        &["withdraw-fees", "--yes"],
        "has no fees to withdraw",
    );
    env.send(DEL, &["claim"]);
    let d = env.json(None, &["delegator", &del.to_string()]);
    assert_eq!(d["status"], "bonded");
    let locks = d["unbondingLocks"].as_array().cloned().unwrap_or_default();
    assert_eq!(locks.len(), 1, "{d}");
    assert_eq!(locks[0]["id"], "1");
    assert_eq!(locks[0]["withdrawable"], false);
    let before = wei(&d["lptBalance"]);
    env.next_round().await?;
    env.next_round().await?;
    env.send(DEL, &["withdraw-stake", "--lock", "1"]);
    let d = env.json(None, &["delegator", &del.to_string()]);
    assert_eq!(wei(&d["lptBalance"]), before + e18(100), "{d}");
    assert_eq!(d["unbondingLocks"], serde_json::json!([]));

    // Unbond everything, then rebond the lock to another orchestrator.
    let all = env.send(DEL, &["unbond", "all"]);
    let lock = all["details"]["lock"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    env.fails(
        Some(DEL),
        &["rebond", "--lock", &lock, "--yes"],
        "pass --to <orchestrator>",
    );
    env.send(DEL, &["rebond", "--lock", &lock, "--to", &o2.to_string()]);
    let d = env.json(None, &["delegator", &del.to_string()]);
    assert_eq!(
        d["delegate"].as_str().map(str::to_lowercase),
        Some(lower(o2))
    );
    assert_eq!(wei(&d["bonded"]), e18(1400));
    assert_eq!(env.pool_order(), [lower(o2), lower(o1)], "O2 3400, O1 1000");

    // --- reward caller (LIP-118: ours has it, the live deployment does not) ---
    env.fails(
        Some(O1),
        &["set-reward-caller", "nope", "--yes"],
        "is not an address",
    );
    match env.flavor {
        Flavor::Ours => {
            env.send(O1, &["set-reward-caller", &caller.to_string()]);
            let o = env.json(None, &["orchestrator", &o1.to_string()]);
            assert_eq!(
                o["rewardCaller"].as_str().map(str::to_lowercase),
                Some(lower(caller))
            );
            assert_eq!(o["rewardCallerSupported"], true);
            env.send(O1, &["set-reward-caller", "none"]);
            let o = env.json(Some(O1), &["orchestrator"]);
            assert_eq!(o["rewardCaller"], Address::ZERO.to_string());
            env.fails(
                Some(O1),
                &["set-reward-caller", "none", "--yes"],
                "already unset",
            );
        }
        Flavor::LiveFixture => {
            let last = env.fails(
                Some(O1),
                &["set-reward-caller", &caller.to_string(), "--yes"],
                "has no reward callers (LIP-118)",
            );
            assert!(last.contains("own key") && !last.contains("0x\""), "{last}");
            let o = env.json(None, &["orchestrator", &o1.to_string()]);
            assert_eq!(o["rewardCaller"], Value::Null, "{o}");
            assert_eq!(o["rewardCallerSupported"], false, "{o}");
            let human = env.run(None, &["orchestrator", &o1.to_string()], "");
            let text = String::from_utf8_lossy(&human.stdout);
            assert!(
                text.contains("reward caller       not supported by this deployment"),
                "{text}"
            );
        }
    }
    let o = env.json(None, &["orchestrator", &o1.to_string()]);
    assert_eq!(o["registered"], true);
    assert_eq!(o["active"], true);
    assert_eq!(o["rewardCut"], "100000");

    // --- a broadcaster: fund, unlock, withdraw ---
    env.fails(Some(BROADCASTER), &["fund", "--yes"], "nothing to fund");
    env.fails(
        Some(BROADCASTER),
        &["fund", "--deposit", "1lpt", "--yes"],
        "in ETH, not LPT",
    );
    env.fails(
        Some(BROADCASTER),
        &["unlock", "--yes"],
        "no deposit or reserve to unlock",
    );
    env.send(
        BROADCASTER,
        &["fund", "--deposit", "1eth", "--reserve", "0.5"],
    );
    let sdr = env.json(None, &["sender", &bc.to_string()]);
    assert_eq!(wei(&sdr["deposit"]), e18(1));
    assert_eq!(wei(&sdr["reserve"]), e18(1) / U256::from(2));
    assert_eq!(sdr["state"], "locked");
    assert!(
        sdr.get("payableNow").is_none(),
        "only with --recipient: {sdr}"
    );
    // With --recipient: O1's slice of the reserve, and the most one ticket to O1 is paid now.
    let to_o1 = env.json(
        None,
        &["sender", &bc.to_string(), "--recipient", &o1.to_string()],
    );
    let slice = wei(&to_o1["claimableReserve"]);
    assert!(
        slice > U256::ZERO && slice <= e18(1) / U256::from(2),
        "an active orchestrator's slice: {to_o1}"
    );
    assert_eq!(wei(&to_o1["payableNow"]), e18(1) + slice, "{to_o1}");
    assert_eq!(
        to_o1["recipient"].as_str().map(str::to_lowercase),
        Some(lower(o1))
    );
    // Not an orchestrator: no slice, the deposit alone.
    let to_caller = env.json(
        None,
        &[
            "sender",
            &bc.to_string(),
            "--recipient",
            &caller.to_string(),
        ],
    );
    assert_eq!(
        wei(&to_caller["claimableReserve"]),
        U256::ZERO,
        "{to_caller}"
    );
    assert_eq!(wei(&to_caller["payableNow"]), e18(1), "{to_caller}");
    let human = env.run(
        None,
        &["sender", &bc.to_string(), "--recipient", &o1.to_string()],
        "",
    );
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("claimable reserve") && text.contains("payable now"),
        "{text}"
    );

    // --- O1 redeems a winning ticket of the broadcaster, then withdraws its fees ---
    redeem_ticket(&env, O1, BROADCASTER, e18(1) / U256::from(10)).await?;
    let fees = wei(&env.json(None, &["delegator", &o1.to_string()])["pendingFees"]);
    assert!(fees > U256::ZERO, "O1 earned fees");
    let part = env.send(
        O1,
        &[
            "withdraw-fees",
            "1000wei",
            "--recipient",
            &caller.to_string(),
        ],
    );
    assert_eq!(part["details"]["amount"], "1000");
    assert_eq!(
        part["details"]["recipient"].as_str().map(str::to_lowercase),
        Some(lower(caller))
    );
    env.fails(
        Some(O1),
        &["withdraw-fees", "1lpt", "--yes"],
        "in ETH, not LPT",
    );
    env.fails(
        Some(O1),
        &["withdraw-fees", "10eth", "--yes"],
        "cannot withdraw 10 ETH",
    );
    let rest = env.send(O1, &["withdraw-fees"]);
    assert_eq!(wei(&rest["details"]["amount"]), fees - U256::from(1000));
    let o1_after = env.json(None, &["delegator", &o1.to_string()]);
    assert_eq!(wei(&o1_after["pendingFees"]), U256::ZERO, "{o1_after}");
    env.fails(
        Some(BROADCASTER),
        &["withdraw", "--yes"],
        "run `lpt unlock` first",
    );
    env.send(BROADCASTER, &["unlock"]);
    let sdr = env.json(Some(BROADCASTER), &["sender"]);
    assert_eq!(sdr["state"], "unlocking", "{sdr}");
    // Funding yourself cancels the unlock: the summary says so before sending.
    let refund = env.send(BROADCASTER, &["fund", "--deposit", "0.1"]);
    assert_eq!(refund["details"]["cancelsUnlock"], true, "{refund}");
    let sdr = env.json(Some(BROADCASTER), &["sender"]);
    assert_eq!(sdr["state"], "locked", "unlock cancelled: {sdr}");
    env.send(BROADCASTER, &["unlock"]);
    env.fails(
        Some(BROADCASTER),
        &["withdraw", "--yes"],
        "the unlock finishes in round",
    );
    env.next_round().await?;
    env.next_round().await?;
    let eth_before = wei(&env.json(None, &["sender", &bc.to_string()])["ethBalance"]);
    env.send(BROADCASTER, &["withdraw"]);
    let sdr = env.json(None, &["sender", &bc.to_string()]);
    assert_eq!(wei(&sdr["deposit"]), U256::ZERO);
    assert!(wei(&sdr["ethBalance"]) > eth_before, "{sdr}");

    // The final status: the active stake reflects the pool.
    let status = env.json(None, &["status"]);
    assert_eq!(status["initialized"], true);
    assert_eq!(wei(&status["totalActiveStake"]), e18(4400), "{status}");

    // --- `unbond all` resigns even when a reward lands between the read and the transaction ---
    // O1 (--json) and O2 (human) each read their stake, then call reward while lpt waits at the
    // prompt: the unbond of the amount read leaves the reward bonded, and lpt unbonds it too.
    let prompted = env.prompted(O1, &["unbond", "all", "--json"]);
    env.reward(O1).await?;
    let out = prompted.answer("y\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout)?;
    let txs = v["transactions"].as_array().cloned().unwrap_or_default();
    assert_eq!(txs.len(), 2, "the unbond and the rest's: {v}");
    assert!(txs.iter().all(|t| t["status"] == "success"), "{v}");
    assert!(wei(&v["details"]["restUnbonded"]) > U256::ZERO, "{v}");
    let o = env.json(None, &["orchestrator", &o1.to_string()]);
    assert_eq!(o["registered"], false, "O1 resigned: {o}");
    assert_eq!(wei(&o["selfBond"]), U256::ZERO, "{o}");
    assert_eq!(env.pool_order(), [lower(o2)], "O1 left the pool");

    let prompted = env.prompted(O2, &["unbond", "all"]);
    env.reward(O2).await?;
    let out = prompted.answer("y\n");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.matches("unbondWithHint: 0x").count(), 2, "{stdout}");
    assert!(
        stdout.contains("was unbonded in a second transaction"),
        "{stdout}"
    );
    assert!(stderr.contains("unbonding them too"), "{stderr}");
    let o = env.json(None, &["orchestrator", &o2.to_string()]);
    assert_eq!(o["registered"], false, "O2 resigned: {o}");
    // Without a reward in between, one transaction resigns (the delegator's bond stays with O2).
    let all = env.send(DEL, &["unbond", "all"]);
    assert_eq!(all["transactions"].as_array().map(Vec::len), Some(1));
    assert_eq!(all["details"].get("restUnbonded"), None, "{all}");
    Ok(())
}

/// `recipient` redeems a winning ticket (winProb = max) of `sender` worth `face_value`.
async fn redeem_ticket(env: &Env, recipient: usize, sender: usize, face_value: U256) -> TestResult {
    let p = &env.protocol;
    let round = p.rounds_manager.currentRound().call().await?;
    let block_hash = p.rounds_manager.blockHashForRound(round).call().await?;
    let rand = U256::from(42);
    let ticket = ITicketBroker::Ticket {
        recipient: address(recipient),
        sender: address(sender),
        faceValue: face_value,
        winProb: U256::MAX,
        senderNonce: U256::from(1),
        recipientRandHash: keccak256(rand.to_be_bytes::<32>()),
        auxData: (round, block_hash).abi_encode().into(),
    };
    let hash = p.ticket_broker.getTicketHash(ticket.clone()).call().await?;
    let sig = PrivateKeySigner::from_str(DEV_KEYS[sender])?.sign_message_sync(hash.as_slice())?;
    let wallet = env.wallet_of(recipient)?;
    let receipt = ITicketBroker::new(p.addresses.ticket_broker, wallet)
        .redeemWinningTicket(ticket, sig.as_bytes().into(), rand)
        .send()
        .await?
        .get_receipt()
        .await?;
    assert!(receipt.status(), "ticket redeemed");
    Ok(())
}

/// Governance end to end with the real binary on the protocol `script/Deploy.s.sol` deploys
/// (BondingVotes, LivepeerGovernor, Treasury registered in the Controller): stakes bonded, a
/// treasury grant proposed with `lpt propose --transfer`, votes by orchestrators and by
/// delegators overriding them (before and after their orchestrator), the tally read back with
/// `lpt proposal --json` equal to the stakes, then `lpt queue` and `lpt execute`, and the
/// recipient's LPT balance. Every refusal on the way is one `error:` line naming the fix.
#[tokio::test(flavor = "multi_thread")]
async fn governance_from_proposal_to_execution() -> TestResult {
    const D2: usize = 6;
    const RECIPIENT: usize = 7;
    let env = Env::start(Flavor::Ours).await?;
    let (o1, o2, del, d2, recipient) = (
        address(O1),
        address(O2),
        address(DEL),
        address(D2),
        address(RECIPIENT),
    );
    let ctrl = &env.protocol.controller;
    let governor_at = ctrl
        .getContract(livepeer_bindings::contract_id("LivepeerGovernor"))
        .call()
        .await?;
    let governor = ILivepeerGovernor::new(governor_at, env.wallet.clone());
    let treasury = governor.timelock().call().await?;
    let token = ILivepeerToken::new(env.protocol.addresses.token, env.wallet.clone());
    for (who, amount) in [(o1, 1000), (o2, 2000), (del, 1500), (d2, 500)] {
        token
            .transfer(who, e18(amount))
            .send()
            .await?
            .get_receipt()
            .await?;
    }
    // The Treasury holds LPT to grant (as the treasury cut of rewards would give it).
    token
        .transfer(treasury, e18(1000))
        .send()
        .await?
        .get_receipt()
        .await?;

    // --- stakes: O1 1000 self + DEL 1500, O2 2000 self + D2 500 ---
    env.next_round().await?;
    let no_votes = env.json(Some(DEL), &["votes"]);
    assert_eq!(wei(&no_votes["votes"]), U256::ZERO, "{no_votes}");
    assert_eq!(
        no_votes["delegate"],
        Address::ZERO.to_string(),
        "{no_votes}"
    );
    env.send(O1, &["bond", "1000", "--to", &o1.to_string()]);
    env.send(O2, &["bond", "2000", "--to", &o2.to_string()]);
    env.send(DEL, &["bond", "1500", "--to", &o1.to_string()]);
    env.send(D2, &["bond", "500", "--to", &o2.to_string()]);
    // getVotes is the power at the start of the next round: already there.
    let v = env.json(None, &["votes", &o1.to_string()]);
    assert_eq!(wei(&v["votes"]), e18(2500), "O1's delegated stake: {v}");
    assert_eq!(wei(&v["totalVotes"]), e18(5000), "{v}");
    assert_eq!(v["share"], "500000", "half the active stake: {v}");
    let bonded_round = env.round().await?;
    env.fails(
        None,
        &[
            "votes",
            &del.to_string(),
            "--round",
            &bonded_round.to_string(),
        ],
        &format!(
            "round {bonded_round} has not finished; latest is {}",
            bonded_round - 1
        ),
    );
    env.next_round().await?;
    let v = env.json(
        None,
        &[
            "votes",
            &del.to_string(),
            "--round",
            &bonded_round.to_string(),
        ],
    );
    assert_eq!(wei(&v["votes"]), e18(1500), "{v}");
    assert_eq!(
        v["delegate"].as_str().map(str::to_lowercase),
        Some(lower(o1)),
        "{v}"
    );
    let human = String::from_utf8_lossy(&env.run(Some(O2), &["votes"], "").stdout).into_owned();
    assert!(
        human.contains("2,500 LPT") && human.contains("itself: an orchestrator"),
        "{human}"
    );

    // --- the proposal: a grant of 100 LPT to RECIPIENT ---
    let threshold = governor.proposalThreshold().call().await?;
    let grant = [
        "propose",
        "--transfer",
        "100",
        "--to",
        &recipient.to_string(),
        "--description",
        "Grant: 100 LPT to the recipient\nfor the tests",
    ];
    if !threshold.is_zero() {
        let needle = "proposing needs";
        let last = env.fails(Some(RECIPIENT), &[&grant[..], &["--yes"]].concat(), needle);
        assert!(
            last.contains("had 0 LPT") && last.contains("bond"),
            "{last}"
        );
    }
    env.fails(
        Some(O2),
        &["propose", "--description", "nothing", "--yes"],
        "nothing to propose",
    );
    let refused = env.run(Some(O2), &grant, "n\n");
    let last = check_failure(&refused, &grant, "not confirmed");
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains(&format!("LivepeerToken.transfer({recipient}, 100 LPT)")),
        "{last}"
    );
    let proposed = env.send(O2, &grant);
    let id = proposed["proposalId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(!id.is_empty(), "{proposed}");
    assert_eq!(proposed["details"]["proposalId"], id.as_str(), "{proposed}");
    env.fails(
        Some(O2),
        &[&grant[..], &["--yes"]].concat(),
        "already exists (Pending)",
    );
    // Any calls with --call: the same grant as raw calldata (a second proposal).
    let calldata = ILivepeerToken::transferCall {
        to: recipient,
        value: e18(1),
    }
    .abi_encode();
    let call = format!(
        "{}:{}",
        env.protocol.addresses.token,
        alloy::primitives::hex::encode_prefixed(&calldata)
    );
    let raw = env.send(
        O1,
        &[
            "propose",
            "--call",
            &call,
            "--description",
            "Raw call: 1 LPT",
        ],
    );
    let raw_id = raw["proposalId"].as_str().unwrap_or_default().to_owned();
    // The Treasury (a TimelockController) changes its own delay only through a proposal: this one
    // passes and runs first, so the grant then waits for a real delay.
    let update = livepeer_bindings::TimelockController::updateDelayCall {
        newDelay: U256::from(60),
    }
    .abi_encode();
    let delay_call = format!(
        "{treasury}:{}",
        alloy::primitives::hex::encode_prefixed(&update)
    );
    let delayed = env.send(
        O1,
        &[
            "propose",
            "--call",
            &delay_call,
            "--description",
            "Treasury delay: 60 s",
        ],
    );
    let delay_id = delayed["proposalId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // A grant larger than the Treasury holds: proposed with a note, later refused at execute.
    let big = env.send(
        O1,
        &[
            "propose",
            "--transfer",
            "5000",
            "--to",
            &recipient.to_string(),
            "--description",
            "Grant: 5000 LPT",
        ],
    );
    let big_id = big["proposalId"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        wei(&big["details"]["note"]["treasuryBalance"]),
        e18(1000),
        "{big}"
    );
    assert_eq!(wei(&big["details"]["note"]["grant"]), e18(5000), "{big}");

    let list = env.json(None, &["proposals"]);
    let items = list["proposals"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 4, "{list}");
    assert_eq!(items[0]["id"], id.as_str(), "{list}");
    assert_eq!(items[0]["state"], "Pending", "{list}");
    assert_eq!(
        items[0]["title"], "Grant: 100 LPT to the recipient",
        "{list}"
    );
    assert_eq!(items[1]["id"], raw_id.as_str(), "{list}");
    let _: Value = env.wallet.raw_request("anvil_mine".into(), (1,)).await?;
    let latest = env.wallet.get_block_number().await?;
    let later = env.json(None, &["proposals", "--from-block", &latest.to_string()]);
    assert_eq!(later["proposals"], serde_json::json!([]), "{later}");
    env.fails(
        None,
        &["proposals", "--from-block", &(latest + 1000).to_string()],
        &format!(
            "--from-block {} is after the latest block ({latest}): pass a block at or before it",
            latest + 1000
        ),
    );
    let human = String::from_utf8_lossy(&env.run(None, &["proposals"], "").stdout).into_owned();
    assert!(
        human.contains("Pending") && human.contains("Grant: 100 LPT"),
        "{human}"
    );

    // Pending: voting opens after the snapshot round.
    let p = env.json(None, &["proposal", &id]);
    let snapshot: u64 = p["snapshot"].as_str().unwrap_or_default().parse()?;
    let deadline: u64 = p["deadline"].as_str().unwrap_or_default().parse()?;
    let delay = governor.votingDelay().call().await?.to::<u64>();
    let period = governor.votingPeriod().call().await?.to::<u64>();
    let round = env.round().await?;
    assert_eq!(
        (snapshot, deadline),
        (round + delay, round + delay + period),
        "{p}"
    );
    assert_eq!(
        p["quorum"],
        Value::Null,
        "not known before the snapshot: {p}"
    );
    env.fails(
        Some(O1),
        &["vote", &id, "for", "--yes"],
        &format!(
            "is Pending, not Active: voting opens in round {}",
            snapshot + 1
        ),
    );
    env.fails(
        Some(O1),
        &["queue", &id, "--yes"],
        "only a Succeeded proposal can be queued",
    );
    env.fails(
        Some(O1),
        &["proposal", "12345"],
        "there is no proposal 12345",
    );

    // --- voting: D2 overrides O2 before O2 votes, DEL overrides O1 after ---
    while env.round().await? <= snapshot {
        env.next_round().await?;
    }
    let abstain = env.send(D2, &["vote", &id, "abstain"]);
    assert_eq!(
        abstain["details"]["weight"],
        e18(500).to_string(),
        "{abstain}"
    );
    assert_eq!(
        abstain["details"]["overrides"]
            .as_str()
            .map(str::to_lowercase),
        Some(lower(o2)),
        "{abstain}"
    );
    let o2_vote = env.send(O2, &["vote", &id, "for", "--reason", "good grant"]);
    assert_eq!(o2_vote["transactions"][0]["call"], "castVoteWithReason");
    env.send(O1, &["vote", &id, "for"]);
    env.send(O1, &["vote", &delay_id, "for"]);
    env.send(O2, &["vote", &delay_id, "for"]);
    env.send(O1, &["vote", &big_id, "for"]);
    env.send(O2, &["vote", &big_id, "for"]);
    let confirmed = env.run(Some(DEL), &["vote", &id, "against", "--json"], "y\n");
    assert!(
        confirmed.status.success(),
        "{}",
        String::from_utf8_lossy(&confirmed.stderr)
    );
    env.fails(
        Some(DEL),
        &["vote", &id, "for", "--yes"],
        "already voted on proposal",
    );
    env.fails(
        Some(RECIPIENT),
        &["vote", &id, "for", "--yes"],
        &format!("had 0 votes at the snapshot (the end of round {snapshot})"),
    );

    // The tally equals the stakes: for = O1 1000 (its 2500 less DEL's 1500) + O2 2000 (its 2500
    // less D2's 500), against = DEL 1500, abstain = D2 500.
    let p = env.json(Some(DEL), &["proposal", &id]);
    assert_eq!(p["state"], "Active", "{p}");
    assert_eq!(wei(&p["votes"]["for"]), e18(3000), "{p}");
    assert_eq!(wei(&p["votes"]["against"]), e18(1500), "{p}");
    assert_eq!(wei(&p["votes"]["abstain"]), e18(500), "{p}");
    assert_eq!(wei(&p["votes"]["total"]), e18(5000), "{p}");
    assert_eq!(p["quorumReached"], true, "{p}");
    assert_eq!(p["passing"], true, "{p}");
    assert_eq!(p["you"]["hasVoted"], true, "{p}");
    assert_eq!(p["you"]["vote"]["support"], "against", "{p}");
    assert_eq!(wei(&p["you"]["votesAtSnapshot"]), e18(1500), "{p}");
    assert_eq!(
        p["you"]["delegateVote"]["address"]
            .as_str()
            .map(str::to_lowercase),
        Some(lower(o1)),
        "{p}"
    );
    assert_eq!(p["you"]["delegateVote"]["vote"]["support"], "for", "{p}");
    let o2_view = env.json(Some(O2), &["proposal", &id]);
    assert_eq!(o2_view["you"]["vote"]["reason"], "good grant", "{o2_view}");
    let human =
        String::from_utf8_lossy(&env.run(Some(DEL), &["proposal", &id], "").stdout).into_owned();
    assert!(
        human.contains("3,000 LPT (60%)") && human.contains("your own vote overrides it"),
        "{human}"
    );

    // --- after the deadline: queue, then execute once the Treasury's delay is over ---
    while env.round().await? <= deadline {
        env.next_round().await?;
    }
    env.fails(
        Some(RECIPIENT),
        &["execute", &id, "--yes"],
        &format!("queue it first: `lpt queue {id}`"),
    );
    // The delay change first: with the local config's delay of 0 it runs at once.
    let timelock = livepeer_bindings::TimelockController::new(treasury, env.wallet.clone());
    let before_delay = timelock.getMinDelay().call().await?;
    env.send(O1, &["queue", &delay_id]);
    env.send(O1, &["execute", &delay_id]);
    assert_eq!(
        timelock.getMinDelay().call().await?,
        U256::from(60),
        "new delay"
    );
    env.send(O1, &["queue", &big_id]);
    let queued = env.send(RECIPIENT, &["queue", &id]);
    assert_eq!(queued["transactions"][0]["call"], "queue", "{queued}");
    assert!(
        before_delay < U256::from(60),
        "the delay grew: {before_delay}"
    );
    let p = env.json(None, &["proposal", &id, "--from-block", "0"]);
    assert_eq!(p["state"], "Queued", "{p}");
    assert!(p["eta"].as_str().is_some(), "{p}");
    env.fails(
        Some(RECIPIENT),
        &["execute", &id, "--yes"],
        "the Treasury's delay ends at unix time",
    );
    let _: Value = env
        .wallet
        .raw_request("evm_increaseTime".into(), (61u64,))
        .await?;
    let _: Value = env.wallet.raw_request("anvil_mine".into(), (1,)).await?;
    env.fails(
        Some(O1),
        &["execute", &big_id, "--yes"],
        &format!("proposal {big_id} transfers 5,000 LPT but the Treasury holds 1,000 LPT: the execution would revert until it holds 4,000 LPT more"),
    );
    let before = token.balanceOf(recipient).call().await?;
    let executed = env.send(RECIPIENT, &["execute", &id]);
    assert_eq!(executed["transactions"][0]["call"], "execute", "{executed}");
    assert_eq!(
        token.balanceOf(recipient).call().await? - before,
        e18(100),
        "the grant"
    );
    let p = env.json(None, &["proposal", &id]);
    assert_eq!(p["state"], "Executed", "{p}");
    // The raw-call proposal got no votes: defeated, so it cannot be queued.
    env.fails(
        Some(O1),
        &["queue", &raw_id, "--yes"],
        "is Defeated: only a Succeeded proposal can be queued",
    );
    Ok(())
}
