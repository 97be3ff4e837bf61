//! Configuration: command-line flags, each with an environment variable, over an optional TOML
//! file (`--config`). Precedence: flag > environment > file > default.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy::primitives::Address;
use clap::Parser;
pub use livepeer_chain::config::{ConfigError, gwei};
use livepeer_chain::{
    config::{FeeOptions, KeyOptions, max_failed_reads, read_file, rpc_config},
    provider::RpcConfig,
    sender::FeePolicy,
    signer::KeySource,
};
use serde::Deserialize;

/// Command line of `livepeer-keeper`.
#[derive(Debug, Clone, Default, Parser, Deserialize)]
#[command(
    name = "livepeer-keeper",
    version,
    about = "Initializes every Livepeer round at its first block"
)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Cli {
    /// TOML file with any of the options below (kebab-case keys); flags and env override it.
    #[arg(long, env = "KEEPER_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// RPC URLs (http(s):// or ws(s)://), comma-separated; ws heads are subscribed to.
    #[arg(long = "rpc-url", env = "KEEPER_RPC_URLS", value_delimiter = ',')]
    #[serde(default)]
    pub rpc_urls: Vec<String>,
    /// The Controller address; every other contract is discovered from it.
    #[arg(long, env = "KEEPER_CONTROLLER")]
    pub controller: Option<Address>,
    /// Encrypted JSON keystore of the signing account (needs --password-file).
    #[arg(long, env = "KEEPER_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// File holding the keystore password.
    #[arg(long, env = "KEEPER_PASSWORD_FILE")]
    pub password_file: Option<PathBuf>,
    /// File holding the hex private key.
    #[arg(long, env = "KEEPER_PRIVATE_KEY_FILE")]
    pub private_key_file: Option<PathBuf>,
    /// Name of an environment variable holding the hex private key (e.g. KEEPER_PRIVATE_KEY).
    #[arg(long, env = "KEEPER_PRIVATE_KEY_ENV")]
    pub private_key_env: Option<String>,
    /// Addresses of every coordinated keeper, comma-separated (see the turn order in the docs).
    #[arg(long, env = "KEEPER_KEEPERS", value_delimiter = ',')]
    #[serde(default)]
    pub keepers: Vec<Address>,
    /// Blocks between consecutive keepers' turns [default: 2].
    #[arg(long, env = "KEEPER_TURN_DELAY_BLOCKS")]
    pub turn_delay_blocks: Option<u64>,
    /// Base fee (gwei) above which sending waits and the alert metric is set [default: none].
    #[arg(long, env = "KEEPER_GAS_CEILING_GWEI")]
    pub gas_ceiling_gwei: Option<f64>,
    /// Cap on maxFeePerGas (gwei), replacements included [default: 100].
    #[arg(long, env = "KEEPER_MAX_FEE_GWEI")]
    pub max_fee_gwei: Option<f64>,
    /// Priority fee (gwei) [default: 0.01].
    #[arg(long, env = "KEEPER_PRIORITY_FEE_GWEI")]
    pub priority_fee_gwei: Option<f64>,
    /// Fee bump of a replacement, percent, at least 10 [default: 12].
    #[arg(long, env = "KEEPER_BUMP_PERCENT")]
    pub bump_percent: Option<u64>,
    /// Blocks without a receipt before a transaction is replaced [default: 3].
    #[arg(long, env = "KEEPER_REPLACE_AFTER_BLOCKS")]
    pub replace_after_blocks: Option<u64>,
    /// Confirmation depth (1 = the inclusion block) [default: 1].
    #[arg(long, env = "KEEPER_CONFIRMATIONS")]
    pub confirmations: Option<u64>,
    /// Head polling interval in milliseconds when no ws URL is given [default: 1000].
    #[arg(long, env = "KEEPER_POLL_INTERVAL_MS")]
    pub poll_interval_ms: Option<u64>,
    /// Retries of a failed RPC request (with exponential backoff, across URLs) [default: 5].
    #[arg(long, env = "KEEPER_RPC_RETRIES")]
    pub rpc_retries: Option<u32>,
    /// Address of the /metrics and /health server [default: 127.0.0.1:9464].
    #[arg(long, env = "KEEPER_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Consecutive failed chain reads after which /health answers 503 [default: 3].
    #[arg(long, env = "KEEPER_MAX_FAILED_READS")]
    pub max_failed_reads: Option<u32>,
    /// Decide and log, never send.
    #[arg(long, env = "KEEPER_DRY_RUN")]
    #[serde(default)]
    pub dry_run: bool,
    /// Logs as JSON lines instead of text.
    #[arg(long, env = "KEEPER_LOG_JSON")]
    #[serde(default)]
    pub log_json: bool,
}

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct KeeperConfig {
    /// RPC connection.
    pub rpc: RpcConfig,
    /// The Controller.
    pub controller: Address,
    /// Where the key comes from.
    pub key: KeySource,
    /// Coordinated keeper set.
    pub keepers: Vec<Address>,
    /// Blocks between turns.
    pub turn_delay_blocks: u64,
    /// Base fee ceiling (wei).
    pub gas_ceiling: Option<u128>,
    /// Fees and confirmations.
    pub fees: FeePolicy,
    /// Head polling interval.
    pub poll_interval: Duration,
    /// Metrics server address (`None`: no server).
    pub metrics_addr: Option<SocketAddr>,
    /// Consecutive failed reads that make `/health` unhealthy.
    pub max_failed_reads: u32,
    /// Never send.
    pub dry_run: bool,
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
        let list = |a: Vec<String>, b: Vec<String>| if a.is_empty() { b } else { a };
        Self {
            config: self.config,
            rpc_urls: list(self.rpc_urls, file.rpc_urls),
            controller: self.controller.or(file.controller),
            keystore: self.keystore.or(file.keystore),
            password_file: self.password_file.or(file.password_file),
            private_key_file: self.private_key_file.or(file.private_key_file),
            private_key_env: self.private_key_env.or(file.private_key_env),
            keepers: if self.keepers.is_empty() {
                file.keepers
            } else {
                self.keepers
            },
            turn_delay_blocks: self.turn_delay_blocks.or(file.turn_delay_blocks),
            gas_ceiling_gwei: self.gas_ceiling_gwei.or(file.gas_ceiling_gwei),
            max_fee_gwei: self.max_fee_gwei.or(file.max_fee_gwei),
            priority_fee_gwei: self.priority_fee_gwei.or(file.priority_fee_gwei),
            bump_percent: self.bump_percent.or(file.bump_percent),
            replace_after_blocks: self.replace_after_blocks.or(file.replace_after_blocks),
            confirmations: self.confirmations.or(file.confirmations),
            poll_interval_ms: self.poll_interval_ms.or(file.poll_interval_ms),
            rpc_retries: self.rpc_retries.or(file.rpc_retries),
            metrics_addr: self.metrics_addr.or(file.metrics_addr),
            max_failed_reads: self.max_failed_reads.or(file.max_failed_reads),
            dry_run: self.dry_run || file.dry_run,
            log_json: self.log_json || file.log_json,
        }
    }

    /// Validates and applies defaults.
    pub fn resolve(self) -> Result<KeeperConfig, ConfigError> {
        let cli = self.merge_file()?;
        let rpc = rpc_config(cli.rpc_urls, cli.rpc_retries)?;
        let controller = cli.controller.ok_or(ConfigError::Missing("--controller"))?;
        let key = KeyOptions {
            keystore: cli.keystore,
            password_file: cli.password_file,
            private_key_file: cli.private_key_file,
            private_key_env: cli.private_key_env,
        }
        .resolve()?
        .ok_or(ConfigError::Missing(
            "a key: --keystore + --password-file, --private-key-file or --private-key-env",
        ))?;
        let fees = FeeOptions {
            max_fee_gwei: cli.max_fee_gwei,
            priority_fee_gwei: cli.priority_fee_gwei,
            bump_percent: cli.bump_percent,
            replace_after_blocks: cli.replace_after_blocks,
            confirmations: cli.confirmations,
        }
        .resolve()?;
        Ok(KeeperConfig {
            rpc,
            controller,
            key,
            keepers: cli.keepers,
            turn_delay_blocks: cli.turn_delay_blocks.unwrap_or(2),
            gas_ceiling: cli.gas_ceiling_gwei.map(gwei).transpose()?,
            fees,
            poll_interval: Duration::from_millis(cli.poll_interval_ms.unwrap_or(1000)),
            metrics_addr: Some(
                cli.metrics_addr
                    .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 9464))),
            ),
            max_failed_reads: max_failed_reads(cli.max_failed_reads)?,
            dry_run: cli.dry_run,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("livepeer-keeper").chain(args.iter().copied()))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn flags_resolve_with_defaults() {
        let cfg = parse(&[
            "--rpc-url",
            "http://a:8545,ws://b:8546",
            "--controller",
            "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            "--private-key-env",
            "KEY",
            "--gas-ceiling-gwei",
            "1.5",
        ])
        .resolve()
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(cfg.rpc.urls.len(), 2);
        assert_eq!(cfg.gas_ceiling, Some(1_500_000_000));
        assert_eq!(cfg.turn_delay_blocks, 2);
        assert_eq!(cfg.key, KeySource::PrivateKeyEnv("KEY".into()));
        assert_eq!(cfg.max_failed_reads, 3, "max-failed-reads default");
        assert!(!cfg.dry_run);
    }

    #[test]
    fn max_failed_reads_is_at_least_one() {
        let args = |n: &'static str| {
            vec![
                "--rpc-url",
                "http://a:8545",
                "--controller",
                "0x5FbDB2315678afecb367f032d93F642f64180aa3",
                "--private-key-env",
                "KEY",
                "--max-failed-reads",
                n,
            ]
        };
        let cfg = parse(&args("5"))
            .resolve()
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(cfg.max_failed_reads, 5);
        let err = parse(&args("0")).resolve().err().map(|e| e.to_string());
        assert!(
            err.as_deref()
                .is_some_and(|e| e.contains("--max-failed-reads")),
            "{err:?}"
        );
    }

    #[test]
    fn file_fills_what_flags_leave_out() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("keeper.toml");
        std::fs::write(
            &path,
            r#"
rpc-urls = ["http://file:8545"]
controller = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
private-key-file = "/run/secrets/key"
turn-delay-blocks = 4
keepers = ["0x70997970C51812dc3A010C7d01b50e0d17dc79C8"]
dry-run = true
"#,
        )
        .unwrap_or_else(|_| unreachable!());
        let cfg = parse(&[
            "--config",
            path.to_str().unwrap_or_default(),
            "--turn-delay-blocks",
            "7",
        ])
        .resolve()
        .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(cfg.rpc.urls, vec!["http://file:8545".to_owned()]);
        assert_eq!(cfg.turn_delay_blocks, 7, "flag beats file");
        assert_eq!(cfg.keepers.len(), 1);
        assert!(cfg.dry_run);
        assert_eq!(
            cfg.key,
            KeySource::PrivateKeyFile("/run/secrets/key".into())
        );
    }

    /// The operator page (docs/keeper-operators.md): its examples must keep working as written.
    const OPERATOR_PAGE: &str = include_str!("../../../docs/keeper-operators.md");

    /// The page's config file example, written to `dir/keeper.toml`.
    fn documented_config_file(dir: &std::path::Path) -> std::path::PathBuf {
        let example = OPERATOR_PAGE
            .split("```toml\n")
            .nth(1)
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| unreachable!("docs/keeper-operators.md has no toml example"));
        let path = dir.join("keeper.toml");
        std::fs::write(&path, example).unwrap_or_else(|_| unreachable!());
        path
    }

    #[test]
    fn documented_commands_parse() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let file = documented_config_file(dir.path());
        let lines: Vec<&str> = OPERATOR_PAGE
            .lines()
            .filter_map(|l| {
                l.split_once("target/release/livepeer-keeper ")
                    .map(|(_, args)| args)
            })
            .collect();
        assert_eq!(lines.len(), 3, "documented command lines");
        for line in lines {
            let args: Vec<&str> = line
                .split_whitespace()
                .map(|a| {
                    if a == "keeper.toml" {
                        file.to_str().unwrap_or_default()
                    } else {
                        a
                    }
                })
                .collect();
            let cfg = parse(&args)
                .resolve()
                .unwrap_or_else(|e| unreachable!("{line}: {e}"));
            assert!(!cfg.rpc.urls.is_empty(), "{line}: rpc urls");
        }
    }

    /// The example in docs/keeper-operators.md is a working config file with every value as described.
    #[test]
    fn documented_config_file_parses() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = documented_config_file(dir.path());
        let cfg = parse(&["--config", path.to_str().unwrap_or_default()])
            .resolve()
            .unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(cfg.rpc.urls.len(), 2, "rpc-urls");
        assert_eq!(cfg.keepers.len(), 2, "keepers");
        assert_eq!(cfg.turn_delay_blocks, 2, "turn-delay-blocks");
        assert_eq!(cfg.gas_ceiling, Some(500_000_000), "gas-ceiling-gwei");
        assert_eq!(cfg.fees.max_fee_per_gas, 5_000_000_000, "max-fee-gwei");
        assert_eq!(
            cfg.fees.priority_fee_per_gas, 10_000_000,
            "priority-fee-gwei"
        );
        assert_eq!(cfg.fees.replace_after_blocks, 3, "replace-after-blocks");
        assert_eq!(cfg.fees.confirmations, 1, "confirmations");
        assert_eq!(
            cfg.metrics_addr,
            Some(SocketAddr::from(([127, 0, 0, 1], 9464))),
            "metrics-addr"
        );
        assert_eq!(
            cfg.key,
            KeySource::PrivateKeyFile("/run/secrets/keeper-key".into()),
            "private-key-file"
        );
        assert_eq!(cfg.max_failed_reads, 3, "max-failed-reads");
    }

    #[test]
    fn two_key_sources_are_rejected() {
        let err = parse(&[
            "--rpc-url",
            "http://a",
            "--controller",
            "0x5FbDB2315678afecb367f032d93F642f64180aa3",
            "--private-key-env",
            "KEY",
            "--private-key-file",
            "k",
        ])
        .resolve()
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(err.contains("exactly one key source"), "{err}");
    }

    #[test]
    fn unknown_file_key_is_an_error() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("keeper.toml");
        std::fs::write(&path, "rpc-url = 3\n").unwrap_or_else(|_| unreachable!());
        let err = parse(&["--config", path.to_str().unwrap_or_default()]).resolve();
        assert!(matches!(err, Err(ConfigError::File { .. })));
    }
}
