//! Configuration: command-line flags, each with an environment variable, over an optional TOML
//! file (`--config`). Precedence: flag > environment > file > default. The options every bot
//! shares are [`CommonArgs`] and [`LoopArgs`] (`LIVEPEER_*` variables; the keeper's old
//! `KEEPER_*` names still read, [`ENV_ALIASES`]); the keeper's own are `--keepers` and
//! `--turn-delay-blocks`.

use std::{net::SocketAddr, time::Duration};

use alloy::primitives::Address;
use clap::Parser;
pub use livepeer_chain::config::{ConfigError, gwei};
use livepeer_chain::{
    options::{CommonArgs, EnvAlias, LoopArgs},
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
    /// Addresses of every coordinated keeper, comma-separated (see the turn order in the docs).
    #[arg(long, env = "KEEPER_KEEPERS", value_delimiter = ',')]
    #[serde(default)]
    pub keepers: Vec<Address>,
    /// Blocks between consecutive keepers' turns [default: 2].
    #[arg(long, env = "KEEPER_TURN_DELAY_BLOCKS")]
    pub turn_delay_blocks: Option<u64>,
}

/// The keeper's environment variables from before the shared `LIVEPEER_*` names, still read.
pub const ENV_ALIASES: &[EnvAlias] = &[
    EnvAlias::new("config", "KEEPER_CONFIG"),
    EnvAlias::new("rpc_urls", "KEEPER_RPC_URLS"),
    EnvAlias::new("rpc_retries", "KEEPER_RPC_RETRIES"),
    EnvAlias::new("controller", "KEEPER_CONTROLLER"),
    EnvAlias::new("keystore", "KEEPER_KEYSTORE"),
    EnvAlias::new("password_file", "KEEPER_PASSWORD_FILE"),
    EnvAlias::new("private_key_file", "KEEPER_PRIVATE_KEY_FILE"),
    EnvAlias::new("private_key_env", "KEEPER_PRIVATE_KEY_ENV"),
    EnvAlias::new("max_fee_gwei", "KEEPER_MAX_FEE_GWEI"),
    EnvAlias::new("priority_fee_gwei", "KEEPER_PRIORITY_FEE_GWEI"),
    EnvAlias::new("bump_percent", "KEEPER_BUMP_PERCENT"),
    EnvAlias::new("replace_after_blocks", "KEEPER_REPLACE_AFTER_BLOCKS"),
    EnvAlias::new("confirmations", "KEEPER_CONFIRMATIONS"),
    EnvAlias::new("metrics_addr", "KEEPER_METRICS_ADDR"),
    EnvAlias::new("max_failed_reads", "KEEPER_MAX_FAILED_READS"),
    EnvAlias::new("log_json", "KEEPER_LOG_JSON"),
    EnvAlias::new("poll_interval_ms", "KEEPER_POLL_INTERVAL_MS"),
    EnvAlias::new("gas_ceiling_gwei", "KEEPER_GAS_CEILING_GWEI"),
    EnvAlias::new("dry_run", "KEEPER_DRY_RUN"),
];

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
            keepers: if self.keepers.is_empty() {
                own.keepers
            } else {
                self.keepers
            },
            turn_delay_blocks: self.turn_delay_blocks.or(own.turn_delay_blocks),
            ..self
        })
    }

    /// Validates and applies defaults.
    pub fn resolve(self) -> Result<KeeperConfig, ConfigError> {
        let cli = self.merge_file()?;
        let common = &cli.common;
        Ok(KeeperConfig {
            rpc: common.rpc()?,
            controller: common.controller()?,
            key: common.required_key()?,
            fees: common.fees()?,
            keepers: cli.keepers,
            turn_delay_blocks: cli.turn_delay_blocks.unwrap_or(2),
            gas_ceiling: cli.looping.gas_ceiling()?,
            poll_interval: cli.looping.poll_interval(),
            metrics_addr: Some(common.metrics_addr_or(9464)),
            max_failed_reads: common.max_failed_reads()?,
            dry_run: cli.looping.dry_run,
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
    fn every_old_variable_names_an_option() {
        use clap::CommandFactory;
        let command = Cli::command();
        assert!(livepeer_chain::options::unknown_aliases(&command, ENV_ALIASES).is_empty());
        assert_eq!(
            ENV_ALIASES.len(),
            19,
            "every shared option had a KEEPER_ name"
        );
    }

    #[test]
    fn unknown_file_key_is_an_error() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("keeper.toml");
        std::fs::write(&path, "rpc-url = 3\n").unwrap_or_else(|_| unreachable!());
        let err = parse(&["--config", path.to_str().unwrap_or_default()]).resolve();
        assert!(
            matches!(&err, Err(ConfigError::File { reason, .. }) if reason.contains("unknown key `rpc-url`")),
            "{err:?}"
        );
    }
}
