//! Configuration: command-line flags, each with an environment variable, over an optional TOML
//! file (`--config`). Precedence: flag > environment > file > default.
//!
//! Orchestrators are listed with `--orchestrator ADDRESS=KEY` (repeatable) or as
//! `[[orchestrators]]` tables in the file. The key is the orchestrator's own key or the key of its
//! reward caller (LIP-118); the agent tells which from the key's address.

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use alloy::primitives::Address;
use clap::Parser;
pub use livepeer_chain::config::ConfigError;
use livepeer_chain::{
    config::{FeeOptions, KeyOptions, gwei, max_failed_reads, read_file, rpc_config},
    provider::RpcConfig,
    sender::FeePolicy,
    signer::KeySource,
};
use serde::Deserialize;

use crate::decide::{Policy, Profitability};

/// Command line of `livepeer-reward-agent`.
#[derive(Debug, Clone, Default, Parser, Deserialize)]
#[command(
    name = "livepeer-reward-agent",
    version,
    about = "Calls reward every round for one or more Livepeer orchestrators"
)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Cli {
    /// TOML file with any of the options below (kebab-case keys, `[[orchestrators]]` tables);
    /// flags and env override it.
    #[arg(long, env = "REWARD_AGENT_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// RPC URLs (http(s):// or ws(s)://), comma-separated; ws heads are subscribed to.
    #[arg(long = "rpc-url", env = "REWARD_AGENT_RPC_URLS", value_delimiter = ',')]
    #[serde(default)]
    pub rpc_urls: Vec<String>,
    /// The Controller address; every other contract is discovered from it.
    #[arg(long, env = "REWARD_AGENT_CONTROLLER")]
    pub controller: Option<Address>,
    /// An orchestrator and the key that calls reward for it: `ADDRESS=env:VAR`,
    /// `ADDRESS=file:PATH` or `ADDRESS=keystore:PATH:PASSWORD_FILE`. Repeatable.
    #[arg(
        long = "orchestrator",
        env = "REWARD_AGENT_ORCHESTRATORS",
        value_delimiter = ','
    )]
    #[serde(skip)]
    pub orchestrator_flags: Vec<OrchestratorFlag>,
    /// Orchestrators from the file.
    #[arg(skip)]
    #[serde(default)]
    pub orchestrators: Vec<OrchestratorEntry>,
    /// Base fee (gwei) above which sending waits (until the round ends) [default: none].
    #[arg(long, env = "REWARD_AGENT_GAS_CEILING_GWEI")]
    pub gas_ceiling_gwei: Option<f64>,
    /// Cap on maxFeePerGas (gwei), replacements included [default: 100].
    #[arg(long, env = "REWARD_AGENT_MAX_FEE_GWEI")]
    pub max_fee_gwei: Option<f64>,
    /// Priority fee (gwei) [default: 0.01].
    #[arg(long, env = "REWARD_AGENT_PRIORITY_FEE_GWEI")]
    pub priority_fee_gwei: Option<f64>,
    /// Blocks without a receipt before a reward is replaced with fresh hints [default: 3].
    #[arg(long, env = "REWARD_AGENT_REPLACE_AFTER_BLOCKS")]
    pub replace_after_blocks: Option<u64>,
    /// Longest wait between attempts after failures, in blocks (waits double from 1) [default: 8].
    #[arg(long, env = "REWARD_AGENT_MAX_BACKOFF_BLOCKS")]
    pub max_backoff_blocks: Option<u64>,
    /// Confirmation depth (1 = the inclusion block) [default: 1].
    #[arg(long, env = "REWARD_AGENT_CONFIRMATIONS")]
    pub confirmations: Option<u64>,
    /// Gas a reward is expected to use, for the profitability guard [default: 400000].
    #[arg(long, env = "REWARD_AGENT_REWARD_GAS")]
    pub reward_gas: Option<u64>,
    /// LPT price in ETH; with --max-gas-fraction enables the profitability guard.
    #[arg(long, env = "REWARD_AGENT_LPT_PRICE_ETH")]
    pub lpt_price_eth: Option<f64>,
    /// Skip a reward whose gas cost exceeds this fraction of the reward's value (e.g. 0.5).
    #[arg(long, env = "REWARD_AGENT_MAX_GAS_FRACTION")]
    pub max_gas_fraction: Option<f64>,
    /// Head polling interval in milliseconds when no ws URL is given [default: 1000].
    #[arg(long, env = "REWARD_AGENT_POLL_INTERVAL_MS")]
    pub poll_interval_ms: Option<u64>,
    /// Retries of a failed RPC request (with exponential backoff, across URLs) [default: 5].
    #[arg(long, env = "REWARD_AGENT_RPC_RETRIES")]
    pub rpc_retries: Option<u32>,
    /// Address of the /metrics and /health server [default: 127.0.0.1:9465].
    #[arg(long, env = "REWARD_AGENT_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Consecutive failed chain reads after which /health answers 503 [default: 3].
    #[arg(long, env = "REWARD_AGENT_MAX_FAILED_READS")]
    pub max_failed_reads: Option<u32>,
    /// Decide and log, never send.
    #[arg(long, env = "REWARD_AGENT_DRY_RUN")]
    #[serde(default)]
    pub dry_run: bool,
    /// Logs as JSON lines instead of text.
    #[arg(long, env = "REWARD_AGENT_LOG_JSON")]
    #[serde(default)]
    pub log_json: bool,
}

/// An `[[orchestrators]]` table of the config file: the address and exactly one key source.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct OrchestratorEntry {
    /// The orchestrator.
    pub address: Address,
    /// Encrypted JSON keystore (with `password-file`).
    pub keystore: Option<PathBuf>,
    /// File holding the keystore password.
    pub password_file: Option<PathBuf>,
    /// File holding the hex private key.
    pub private_key_file: Option<PathBuf>,
    /// Environment variable holding the hex private key.
    pub private_key_env: Option<String>,
}

/// `--orchestrator ADDRESS=KEY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrchestratorFlag(pub OrchestratorConfig);

impl FromStr for OrchestratorFlag {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, key) = s.split_once('=').ok_or(
            "expected ADDRESS=env:VAR, ADDRESS=file:PATH or ADDRESS=keystore:PATH:PASSWORD_FILE",
        )?;
        let address: Address = address
            .trim()
            .parse()
            .map_err(|e| format!("orchestrator address `{address}`: {e}"))?;
        let key = match key.split_once(':') {
            Some(("env", var)) if !var.is_empty() => KeySource::PrivateKeyEnv(var.to_owned()),
            Some(("file", path)) if !path.is_empty() => KeySource::PrivateKeyFile(path.into()),
            Some(("keystore", rest)) => match rest.split_once(':') {
                Some((keystore, password_file))
                    if !keystore.is_empty() && !password_file.is_empty() =>
                {
                    KeySource::Keystore {
                        keystore: keystore.into(),
                        password_file: password_file.into(),
                    }
                }
                _ => return Err("keystore key: expected keystore:PATH:PASSWORD_FILE".into()),
            },
            _ => {
                return Err(format!(
                    "unknown key `{key}`: use env:VAR, file:PATH or keystore:PATH:PASSWORD_FILE"
                ));
            }
        };
        Ok(Self(OrchestratorConfig { address, key }))
    }
}

/// One served orchestrator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrchestratorConfig {
    /// The orchestrator's address.
    pub address: Address,
    /// Its own key, or its reward caller's.
    pub key: KeySource,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// RPC connection.
    pub rpc: RpcConfig,
    /// The Controller.
    pub controller: Address,
    /// The orchestrators served.
    pub orchestrators: Vec<OrchestratorConfig>,
    /// Fees and confirmations of the sender.
    pub fees: FeePolicy,
    /// Decision policy (ceiling, guard, replacement, backoff).
    pub policy: Policy,
    /// Head polling interval.
    pub poll_interval: Duration,
    /// Metrics server address (`None`: no server).
    pub metrics_addr: Option<SocketAddr>,
    /// Consecutive failed reads that make `/health` unhealthy.
    pub max_failed_reads: u32,
    /// Never send.
    pub dry_run: bool,
}

impl OrchestratorEntry {
    fn resolve(self) -> Result<OrchestratorConfig, ConfigError> {
        let key = match (KeyOptions {
            keystore: self.keystore,
            password_file: self.password_file,
            private_key_file: self.private_key_file,
            private_key_env: self.private_key_env,
        })
        .resolve()
        {
            Ok(Some(key)) => key,
            _ => {
                return Err(ConfigError::Invalid(format!(
                    "orchestrator {}: give exactly one key: keystore + password-file, private-key-file or private-key-env",
                    self.address
                )));
            }
        };
        Ok(OrchestratorConfig {
            address: self.address,
            key,
        })
    }
}

impl Cli {
    /// Fills every option not given by flag or env from the `--config` file.
    pub fn merge_file(self) -> Result<Self, ConfigError> {
        let Some(path) = self.config.clone() else {
            return Ok(self);
        };
        let file: Cli = read_file(&path)?;
        Ok(self.or(file))
    }

    fn or(self, file: Cli) -> Self {
        Self {
            config: self.config,
            rpc_urls: if self.rpc_urls.is_empty() {
                file.rpc_urls
            } else {
                self.rpc_urls
            },
            controller: self.controller.or(file.controller),
            orchestrator_flags: self.orchestrator_flags,
            orchestrators: file.orchestrators,
            gas_ceiling_gwei: self.gas_ceiling_gwei.or(file.gas_ceiling_gwei),
            max_fee_gwei: self.max_fee_gwei.or(file.max_fee_gwei),
            priority_fee_gwei: self.priority_fee_gwei.or(file.priority_fee_gwei),
            replace_after_blocks: self.replace_after_blocks.or(file.replace_after_blocks),
            max_backoff_blocks: self.max_backoff_blocks.or(file.max_backoff_blocks),
            confirmations: self.confirmations.or(file.confirmations),
            reward_gas: self.reward_gas.or(file.reward_gas),
            lpt_price_eth: self.lpt_price_eth.or(file.lpt_price_eth),
            max_gas_fraction: self.max_gas_fraction.or(file.max_gas_fraction),
            poll_interval_ms: self.poll_interval_ms.or(file.poll_interval_ms),
            rpc_retries: self.rpc_retries.or(file.rpc_retries),
            metrics_addr: self.metrics_addr.or(file.metrics_addr),
            max_failed_reads: self.max_failed_reads.or(file.max_failed_reads),
            dry_run: self.dry_run || file.dry_run,
            log_json: self.log_json || file.log_json,
        }
    }

    /// Validates and applies defaults.
    pub fn resolve(self) -> Result<AgentConfig, ConfigError> {
        let cli = self.merge_file()?;
        let rpc = rpc_config(cli.rpc_urls, cli.rpc_retries)?;
        let controller = cli.controller.ok_or(ConfigError::Missing("--controller"))?;
        let mut orchestrators: Vec<OrchestratorConfig> =
            cli.orchestrator_flags.into_iter().map(|f| f.0).collect();
        for entry in cli.orchestrators {
            orchestrators.push(entry.resolve()?);
        }
        if orchestrators.is_empty() {
            return Err(ConfigError::Missing(
                "--orchestrator (or [[orchestrators]] in the file)",
            ));
        }
        for (i, o) in orchestrators.iter().enumerate() {
            if orchestrators[..i].iter().any(|p| p.address == o.address) {
                return Err(ConfigError::Invalid(format!(
                    "orchestrator {} is listed twice",
                    o.address
                )));
            }
        }
        let fees = FeeOptions {
            max_fee_gwei: cli.max_fee_gwei,
            priority_fee_gwei: cli.priority_fee_gwei,
            confirmations: cli.confirmations,
            ..FeeOptions::default()
        }
        .resolve()?;
        let fees = FeePolicy {
            // The agent replaces stuck rewards itself, with hints recomputed from the new pool.
            replace_after_blocks: u64::MAX,
            ..fees
        };
        let replace_after_blocks = cli.replace_after_blocks.unwrap_or(3).max(1);
        let profitability = match (cli.lpt_price_eth, cli.max_gas_fraction) {
            (Some(lpt_price_eth), Some(max_gas_fraction)) => {
                let positive = |v: f64| v.is_finite() && v > 0.0;
                if !positive(lpt_price_eth) || !positive(max_gas_fraction) {
                    return Err(ConfigError::Invalid(
                        "--lpt-price-eth and --max-gas-fraction must be positive numbers".into(),
                    ));
                }
                Some(Profitability {
                    lpt_price_eth,
                    max_gas_fraction,
                })
            }
            (None, None) => None,
            _ => {
                return Err(ConfigError::Invalid(
                    "the profitability guard needs both --lpt-price-eth and --max-gas-fraction"
                        .into(),
                ));
            }
        };
        let policy = Policy {
            gas_ceiling: cli.gas_ceiling_gwei.map(gwei).transpose()?,
            priority_fee: fees.priority_fee_per_gas,
            gas_estimate: cli.reward_gas.unwrap_or(400_000),
            profitability,
            replace_after_blocks,
            max_backoff_blocks: cli.max_backoff_blocks.unwrap_or(8).max(1),
        };
        Ok(AgentConfig {
            rpc,
            controller,
            orchestrators,
            fees,
            policy,
            poll_interval: Duration::from_millis(cli.poll_interval_ms.unwrap_or(1000)),
            metrics_addr: Some(
                cli.metrics_addr
                    .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 9465))),
            ),
            max_failed_reads: max_failed_reads(cli.max_failed_reads)?,
            dry_run: cli.dry_run,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTROLLER: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const O1: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    const O2: &str = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("livepeer-reward-agent").chain(args.iter().copied()))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    /// The operator page's examples (docs/orchestrators.md) must keep working as written.
    const ORCHESTRATORS_PAGE: &str = include_str!("../../../docs/orchestrators.md");

    #[test]
    fn documented_command_parses() {
        let lines: Vec<&str> = ORCHESTRATORS_PAGE
            .lines()
            .filter(|l| l.starts_with("target/release/livepeer-reward-agent "))
            .collect();
        assert_eq!(lines.len(), 1, "one documented command line");
        for line in lines {
            let args: Vec<&str> = line.split_whitespace().skip(1).collect();
            let cfg = parse(&args)
                .resolve()
                .unwrap_or_else(|e| unreachable!("{line}: {e}"));
            assert_eq!(cfg.rpc.urls.len(), 2, "rpc urls");
            assert_eq!(cfg.orchestrators.len(), 2, "orchestrators");
            assert_eq!(
                cfg.orchestrators[1].key,
                KeySource::PrivateKeyEnv("CALLER_KEY".into())
            );
            assert_eq!(cfg.policy.gas_ceiling, Some(1_000_000_000), "gas ceiling");
            assert!(cfg.policy.profitability.is_some(), "profitability guard");
            assert_eq!(
                cfg.metrics_addr,
                Some(SocketAddr::from(([127, 0, 0, 1], 9465)))
            );
            assert_eq!(cfg.max_failed_reads, 5, "--max-failed-reads");
        }
    }

    #[test]
    fn documented_config_file_parses() {
        let example = ORCHESTRATORS_PAGE
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| unreachable!("docs/orchestrators.md has no toml example"));
        // The example sits in a list item: its indentation is not part of the file.
        let example: String = example.lines().map(|l| format!("{}\n", l.trim())).collect();
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("agent.toml");
        std::fs::write(&path, example).unwrap_or_else(|_| unreachable!());
        let cfg = parse(&["--config", path.to_str().unwrap_or_default()])
            .resolve()
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(cfg.rpc.urls.len(), 1, "rpc-urls");
        assert_eq!(cfg.orchestrators.len(), 1, "[[orchestrators]]");
        assert_eq!(
            cfg.orchestrators[0].key,
            KeySource::PrivateKeyEnv("O1_KEY".into())
        );
        assert_eq!(cfg.max_failed_reads, 3, "max-failed-reads");
    }

    #[test]
    fn flags_resolve_with_defaults() {
        let o1 = format!("{O1}=env:O1_KEY");
        let o2 = format!("{O2}=keystore:/k.json:/pw");
        let cfg = parse(&[
            "--rpc-url",
            "http://a:8545",
            "--controller",
            CONTROLLER,
            "--orchestrator",
            &o1,
            "--orchestrator",
            &o2,
            "--gas-ceiling-gwei",
            "2",
        ])
        .resolve()
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(cfg.orchestrators.len(), 2);
        assert_eq!(
            cfg.orchestrators[0].key,
            KeySource::PrivateKeyEnv("O1_KEY".into())
        );
        assert!(matches!(
            cfg.orchestrators[1].key,
            KeySource::Keystore { .. }
        ));
        assert_eq!(cfg.policy.gas_ceiling, Some(2_000_000_000));
        assert_eq!(cfg.policy.profitability, None);
        assert_eq!(cfg.max_failed_reads, 3, "max-failed-reads default");
        assert_eq!(
            cfg.fees.replace_after_blocks,
            u64::MAX,
            "the agent replaces, not the sender"
        );
    }

    #[test]
    fn file_lists_orchestrators() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("agent.toml");
        std::fs::write(
            &path,
            format!(
                r#"
rpc-urls = ["http://file:8545"]
controller = "{CONTROLLER}"
lpt-price-eth = 0.003
max-gas-fraction = 0.25

[[orchestrators]]
address = "{O1}"
private-key-file = "/run/secrets/o1"

[[orchestrators]]
address = "{O2}"
private-key-env = "CALLER_KEY"
"#
            ),
        )
        .unwrap_or_else(|_| unreachable!());
        let cfg = parse(&["--config", path.to_str().unwrap_or_default()])
            .resolve()
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(cfg.orchestrators.len(), 2);
        assert_eq!(
            cfg.orchestrators[1].key,
            KeySource::PrivateKeyEnv("CALLER_KEY".into())
        );
        assert_eq!(
            cfg.policy.profitability,
            Some(Profitability {
                lpt_price_eth: 0.003,
                max_gas_fraction: 0.25
            })
        );
    }

    #[test]
    fn bad_input_is_explained() {
        let err = |args: &[&str]| {
            parse(args)
                .resolve()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert!(
            err(&["--rpc-url", "http://a", "--controller", CONTROLLER]).contains("--orchestrator")
        );
        let dup = format!("{O1}=env:A");
        assert!(
            err(&[
                "--rpc-url",
                "http://a",
                "--controller",
                CONTROLLER,
                "--orchestrator",
                &dup,
                "--orchestrator",
                &dup
            ])
            .contains("listed twice")
        );
        let o = format!("{O1}=env:A");
        assert!(
            err(&[
                "--rpc-url",
                "http://a",
                "--controller",
                CONTROLLER,
                "--orchestrator",
                &o,
                "--lpt-price-eth",
                "1"
            ])
            .contains("both")
        );
        assert!("0x01=env:A".parse::<OrchestratorFlag>().is_err());
        assert!(format!("{O1}=vault:x").parse::<OrchestratorFlag>().is_err());
    }
}
