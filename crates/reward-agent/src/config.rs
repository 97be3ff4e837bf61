//! Configuration: command-line flags, each with an environment variable, over an optional TOML
//! file (`--config`). Precedence: flag > environment > file > default. The options every bot
//! shares are [`CommonArgs`] and [`LoopArgs`] (`LIVEPEER_*` variables; the agent's old
//! `REWARD_AGENT_*` names still read, [`ENV_ALIASES`]).
//!
//! Orchestrators are listed with `--orchestrator ADDRESS=KEY` (repeatable) or as
//! `[[orchestrators]]` tables in the file. The key is the orchestrator's own key or the key of its
//! reward caller (LIP-118); the agent tells which from the key's address. An orchestrator listed
//! without a key (`--orchestrator ADDRESS`, a table with only `address`) uses the shared key
//! options (`--private-key-file`, `--private-key-env`, `--keystore` + `--password-file`).

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use alloy::primitives::Address;
use clap::Parser;
pub use livepeer_chain::config::ConfigError;
use livepeer_chain::{
    config::KeyOptions,
    options::{CommonArgs, EnvAlias, LoopArgs},
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
#[serde(rename_all = "kebab-case")]
pub struct Cli {
    /// The options every bot shares.
    #[command(flatten)]
    #[serde(skip)]
    pub common: CommonArgs,
    /// The options of a bot driven block by block.
    #[command(flatten)]
    #[serde(skip)]
    pub looping: LoopArgs,
    /// An orchestrator and the key that calls reward for it: `ADDRESS=env:VAR`,
    /// `ADDRESS=file:PATH` or `ADDRESS=keystore:PATH:PASSWORD_FILE`; `ADDRESS` alone uses the
    /// shared key options. Repeatable.
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
    /// Longest wait between attempts after failures, in blocks (waits double from 1) [default: 8].
    #[arg(long, env = "REWARD_AGENT_MAX_BACKOFF_BLOCKS")]
    pub max_backoff_blocks: Option<u64>,
    /// Gas a reward is expected to use, for the profitability guard [default: 400000].
    #[arg(long, env = "REWARD_AGENT_REWARD_GAS")]
    pub reward_gas: Option<u64>,
    /// LPT price in ETH; with --max-gas-fraction enables the profitability guard.
    #[arg(long, env = "REWARD_AGENT_LPT_PRICE_ETH")]
    pub lpt_price_eth: Option<f64>,
    /// Skip a reward whose gas cost exceeds this fraction of the reward's value (e.g. 0.5).
    #[arg(long, env = "REWARD_AGENT_MAX_GAS_FRACTION")]
    pub max_gas_fraction: Option<f64>,
}

/// The agent's environment variables from before the shared `LIVEPEER_*` names, still read.
pub const ENV_ALIASES: &[EnvAlias] = &[
    EnvAlias::new("config", "REWARD_AGENT_CONFIG"),
    EnvAlias::new("rpc_urls", "REWARD_AGENT_RPC_URLS"),
    EnvAlias::new("rpc_retries", "REWARD_AGENT_RPC_RETRIES"),
    EnvAlias::new("controller", "REWARD_AGENT_CONTROLLER"),
    EnvAlias::new("max_fee_gwei", "REWARD_AGENT_MAX_FEE_GWEI"),
    EnvAlias::new("priority_fee_gwei", "REWARD_AGENT_PRIORITY_FEE_GWEI"),
    EnvAlias::new("replace_after_blocks", "REWARD_AGENT_REPLACE_AFTER_BLOCKS"),
    EnvAlias::new("confirmations", "REWARD_AGENT_CONFIRMATIONS"),
    EnvAlias::new("metrics_addr", "REWARD_AGENT_METRICS_ADDR"),
    EnvAlias::new("max_failed_reads", "REWARD_AGENT_MAX_FAILED_READS"),
    EnvAlias::new("log_json", "REWARD_AGENT_LOG_JSON"),
    EnvAlias::new("poll_interval_ms", "REWARD_AGENT_POLL_INTERVAL_MS"),
    EnvAlias::new("gas_ceiling_gwei", "REWARD_AGENT_GAS_CEILING_GWEI"),
    EnvAlias::new("dry_run", "REWARD_AGENT_DRY_RUN"),
];

/// An `[[orchestrators]]` table of the config file: the address and at most one key source
/// (none: the shared key options).
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

/// `--orchestrator ADDRESS=KEY` (or `ADDRESS` alone: `key` is `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrchestratorFlag {
    /// The orchestrator.
    pub address: Address,
    /// Its key, if given.
    pub key: Option<KeySource>,
}

impl FromStr for OrchestratorFlag {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (address, key) = match s.split_once('=') {
            Some((address, key)) => (address, Some(key)),
            None => (s, None),
        };
        let address: Address = address
            .trim()
            .parse()
            .map_err(|e| format!("orchestrator address `{address}`: {e}"))?;
        let key = match key.map(|k| (k, k.split_once(':'))) {
            None => None,
            Some((_, Some(("env", var)))) if !var.is_empty() => {
                Some(KeySource::PrivateKeyEnv(var.to_owned()))
            }
            Some((_, Some(("file", path)))) if !path.is_empty() => {
                Some(KeySource::PrivateKeyFile(path.into()))
            }
            Some((_, Some(("keystore", rest)))) => match rest.split_once(':') {
                Some((keystore, password_file))
                    if !keystore.is_empty() && !password_file.is_empty() =>
                {
                    Some(KeySource::Keystore {
                        keystore: keystore.into(),
                        password_file: password_file.into(),
                    })
                }
                _ => return Err("keystore key: expected keystore:PATH:PASSWORD_FILE".into()),
            },
            Some((key, _)) => {
                return Err(format!(
                    "unknown key `{key}`: use env:VAR, file:PATH or keystore:PATH:PASSWORD_FILE"
                ));
            }
        };
        Ok(Self { address, key })
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
    /// The table's key: its own, or `shared` when it names none.
    fn resolve(self, shared: Option<&KeySource>) -> Result<OrchestratorConfig, ConfigError> {
        let own = KeyOptions {
            keystore: self.keystore,
            password_file: self.password_file,
            private_key_file: self.private_key_file,
            private_key_env: self.private_key_env,
        }
        .resolve();
        let key = match own {
            Ok(Some(key)) => key,
            Ok(None) => shared.cloned().ok_or_else(|| no_key(self.address))?,
            Err(_) => {
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

fn no_key(orchestrator: Address) -> ConfigError {
    ConfigError::Invalid(format!(
        "orchestrator {orchestrator} has no key: give it one (--orchestrator {orchestrator}=env:VAR, or a key in its [[orchestrators]] table) or give the shared key options (--private-key-file, --private-key-env, or --keystore with --password-file)"
    ))
}

impl Cli {
    /// The process's flags and environment ([`ENV_ALIASES`] included); exits with clap's
    /// message on an error or for `--help`.
    pub fn parse_args() -> Self {
        livepeer_chain::options::parse(ENV_ALIASES)
    }

    /// Fills every option not given by flag or env from the `--config` file (read once: the
    /// result names no file any more). A key of no option is an error naming it.
    pub fn merge_file(mut self) -> Result<Self, ConfigError> {
        let Some(own) = self.common.merge_file::<Self>(Some(&mut self.looping))? else {
            return Ok(self);
        };
        Ok(Self {
            orchestrators: own.orchestrators,
            max_backoff_blocks: self.max_backoff_blocks.or(own.max_backoff_blocks),
            reward_gas: self.reward_gas.or(own.reward_gas),
            lpt_price_eth: self.lpt_price_eth.or(own.lpt_price_eth),
            max_gas_fraction: self.max_gas_fraction.or(own.max_gas_fraction),
            ..self
        })
    }

    /// Validates and applies defaults.
    pub fn resolve(self) -> Result<AgentConfig, ConfigError> {
        let cli = self.merge_file()?;
        let common = &cli.common;
        let rpc = common.rpc()?;
        let controller = common.controller()?;
        let shared_key = common.key()?;
        let mut orchestrators = Vec::new();
        for flag in cli.orchestrator_flags {
            let key = match flag.key {
                Some(key) => key,
                None => shared_key.clone().ok_or_else(|| no_key(flag.address))?,
            };
            orchestrators.push(OrchestratorConfig {
                address: flag.address,
                key,
            });
        }
        for entry in cli.orchestrators {
            orchestrators.push(entry.resolve(shared_key.as_ref())?);
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
        if common.bump_percent.is_some() {
            tracing::warn!(
                "--bump-percent is not used by the reward agent: it replaces a stuck reward at the fee cap, with hints from the current pool"
            );
        }
        let fees = FeePolicy {
            // The agent replaces stuck rewards itself, with hints recomputed from the new pool.
            replace_after_blocks: u64::MAX,
            ..common.fees()?
        };
        let replace_after_blocks = common.replace_after_blocks.unwrap_or(3).max(1);
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
            gas_ceiling: cli.looping.gas_ceiling()?,
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
            poll_interval: cli.looping.poll_interval(),
            metrics_addr: Some(common.metrics_addr_or(9465)),
            max_failed_reads: common.max_failed_reads()?,
            dry_run: cli.looping.dry_run,
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

    /// `text` as `agent.toml` in a fresh directory (kept while the guard lives).
    fn config_file(text: &str) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("agent.toml");
        std::fs::write(&path, text).unwrap_or_else(|_| unreachable!());
        let path = path.to_str().unwrap_or_default().to_owned();
        (dir, path)
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
        let (_dir, path) = config_file(&format!(
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
        ));
        let cfg = parse(&["--config", &path])
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
        assert!(
            err(&[
                "--rpc-url",
                "http://a",
                "--controller",
                CONTROLLER,
                "--orchestrator",
                O1
            ])
            .contains("has no key"),
            "an orchestrator without a key needs the shared key options"
        );
    }

    #[test]
    fn orchestrators_without_a_key_use_the_shared_key() {
        let (_dir, path) = config_file(&format!(
            "private-key-file = \"/run/secrets/caller\"\n\n[[orchestrators]]\naddress = \"{O2}\"\n"
        ));
        let cfg = parse(&[
            "--config",
            &path,
            "--rpc-url",
            "http://a",
            "--controller",
            CONTROLLER,
            "--orchestrator",
            O1,
        ])
        .resolve()
        .unwrap_or_else(|e| unreachable!("{e}"));
        let shared = KeySource::PrivateKeyFile("/run/secrets/caller".into());
        assert_eq!(cfg.orchestrators.len(), 2);
        assert_eq!(cfg.orchestrators[0].key, shared, "flag without a key");
        assert_eq!(cfg.orchestrators[1].key, shared, "table without a key");
        assert_eq!(
            format!("{O1}=env:O1_KEY").parse::<OrchestratorFlag>(),
            Ok(OrchestratorFlag {
                address: O1.parse().unwrap_or_default(),
                key: Some(KeySource::PrivateKeyEnv("O1_KEY".into()))
            })
        );
    }

    #[test]
    fn every_old_variable_names_an_option() {
        use clap::CommandFactory;
        let command = Cli::command();
        assert!(livepeer_chain::options::unknown_aliases(&command, ENV_ALIASES).is_empty());
    }

    #[test]
    fn unknown_file_keys_are_named() {
        let (_dir, path) = config_file("orchestrator = \"x\"\n");
        let err = parse(&["--config", &path])
            .resolve()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("unknown key `orchestrator`"), "{err}");
    }
}
