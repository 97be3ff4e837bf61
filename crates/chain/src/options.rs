//! The options every bot shares, as flags, environment variables and config-file keys: one
//! [`CommonArgs`] (RPC, Controller, key, fees, metrics, health, logs) flattened into each bot's
//! command line and config file, and [`LoopArgs`] for the bots driven block by block (head
//! polling, gas ceiling, dry run).
//!
//! # Environment variables
//!
//! Each shared option reads one `LIVEPEER_*` variable, the same in every bot (`--rpc-url`:
//! `LIVEPEER_RPC_URL`, `--max-fee-gwei`: `LIVEPEER_MAX_FEE_GWEI`, …). The names each bot read
//! before (`KEEPER_*`, `REWARD_AGENT_*`, `REDEEMER_*`) are kept as [`EnvAlias`]es: an old
//! variable is read when the new one is not set; when both are, the new one wins. clap's `env`
//! takes one literal name, so [`parse`] picks, per option and before parsing, the name that is
//! set ([`with_env_aliases`]).
//!
//! # Config file
//!
//! `--config` names a TOML file whose keys are the flags' names (kebab-case; `rpc-urls` for
//! `--rpc-url`). serde cannot combine `#[serde(flatten)]` with `deny_unknown_fields`, so each
//! options struct reads its own keys from the file and a key none of them reads is refused with
//! its name ([`crate::config::ConfigFile`], [`CommonArgs::merge_file`]). Precedence, in
//! every bot: flag > environment > file > default ([`CommonArgs::or`], [`LoopArgs::or`]).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy::primitives::Address;
use clap::{Args, Command, Parser};
use serde::{Deserialize, de::DeserializeOwned};

use crate::{
    config::{ConfigError, ConfigFile, FeeOptions, KeyOptions, gwei, max_failed_reads, rpc_config},
    provider::RpcConfig,
    sender::FeePolicy,
    signer::KeySource,
};

/// The options of every bot (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Args, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct CommonArgs {
    /// TOML file with any of the options (kebab-case keys named like the flags, `rpc-urls` for
    /// --rpc-url); flags and environment variables override it.
    #[arg(long, env = "LIVEPEER_CONFIG")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    /// JSON-RPC endpoints, comma-separated, http(s):// or ws(s)://: later ones take over when one
    /// fails; a ws URL's heads are subscribed to.
    #[arg(long = "rpc-url", env = "LIVEPEER_RPC_URL", value_delimiter = ',')]
    #[serde(default)]
    pub rpc_urls: Vec<String>,
    /// Retries of a failed RPC request (with exponential backoff, across URLs) [default: 5].
    #[arg(long, env = "LIVEPEER_RPC_RETRIES")]
    pub rpc_retries: Option<u32>,
    /// The Controller address; every other contract is discovered from it.
    #[arg(long, env = "LIVEPEER_CONTROLLER")]
    pub controller: Option<Address>,
    /// Encrypted JSON keystore of the signing account (needs --password-file).
    #[arg(long, env = "LIVEPEER_KEYSTORE")]
    pub keystore: Option<PathBuf>,
    /// File holding the keystore password.
    #[arg(long, env = "LIVEPEER_PASSWORD_FILE")]
    pub password_file: Option<PathBuf>,
    /// File holding the hex private key of the signing account.
    #[arg(long, env = "LIVEPEER_PRIVATE_KEY_FILE")]
    pub private_key_file: Option<PathBuf>,
    /// Name of an environment variable holding the hex private key of the signing account.
    #[arg(long, env = "LIVEPEER_PRIVATE_KEY_ENV")]
    pub private_key_env: Option<String>,
    /// Cap on maxFeePerGas (gwei), replacements included [default: 100].
    #[arg(long, env = "LIVEPEER_MAX_FEE_GWEI")]
    pub max_fee_gwei: Option<f64>,
    /// Priority fee (gwei) [default: 0.01].
    #[arg(long, env = "LIVEPEER_PRIORITY_FEE_GWEI")]
    pub priority_fee_gwei: Option<f64>,
    /// Fee bump of a replacement, percent, at least 10 [default: 12].
    #[arg(long, env = "LIVEPEER_BUMP_PERCENT")]
    pub bump_percent: Option<u64>,
    /// Blocks without a receipt before a transaction is replaced [default: 3].
    #[arg(long, env = "LIVEPEER_REPLACE_AFTER_BLOCKS")]
    pub replace_after_blocks: Option<u64>,
    /// Confirmation depth (1 = the inclusion block) [default: 1].
    #[arg(long, env = "LIVEPEER_CONFIRMATIONS")]
    pub confirmations: Option<u64>,
    /// Address of the /metrics and /health server [default: 127.0.0.1 and the bot's port:
    /// keeper 9464, reward agent 9465, redeemer 9466].
    #[arg(long, env = "LIVEPEER_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Consecutive failed chain reads after which /health answers 503 [default: 3].
    #[arg(long, env = "LIVEPEER_MAX_FAILED_READS")]
    pub max_failed_reads: Option<u32>,
    /// Logs as JSON lines instead of text.
    #[arg(long, env = "LIVEPEER_LOG_JSON")]
    #[serde(default)]
    pub log_json: bool,
}

/// The options of a bot driven block by block (see the module docs).
#[derive(Debug, Clone, Default, PartialEq, Args, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct LoopArgs {
    /// Head polling interval in milliseconds when no ws URL is given [default: 1000].
    #[arg(long, env = "LIVEPEER_POLL_INTERVAL_MS")]
    pub poll_interval_ms: Option<u64>,
    /// Base fee (gwei) above which sending waits [default: none].
    #[arg(long, env = "LIVEPEER_GAS_CEILING_GWEI")]
    pub gas_ceiling_gwei: Option<f64>,
    /// Decide and log, never send.
    #[arg(long, env = "LIVEPEER_DRY_RUN")]
    #[serde(default)]
    pub dry_run: bool,
}

/// A list option is given when it is not empty; a switch when it is on.
fn list_or<T>(given: Vec<T>, file: Vec<T>) -> Vec<T> {
    if given.is_empty() { file } else { given }
}

impl CommonArgs {
    /// Every option not given (by flag or environment) taken from `file`.
    pub fn or(self, file: Self) -> Self {
        Self {
            config: self.config,
            rpc_urls: list_or(self.rpc_urls, file.rpc_urls),
            rpc_retries: self.rpc_retries.or(file.rpc_retries),
            controller: self.controller.or(file.controller),
            keystore: self.keystore.or(file.keystore),
            password_file: self.password_file.or(file.password_file),
            private_key_file: self.private_key_file.or(file.private_key_file),
            private_key_env: self.private_key_env.or(file.private_key_env),
            max_fee_gwei: self.max_fee_gwei.or(file.max_fee_gwei),
            priority_fee_gwei: self.priority_fee_gwei.or(file.priority_fee_gwei),
            bump_percent: self.bump_percent.or(file.bump_percent),
            replace_after_blocks: self.replace_after_blocks.or(file.replace_after_blocks),
            confirmations: self.confirmations.or(file.confirmations),
            metrics_addr: self.metrics_addr.or(file.metrics_addr),
            max_failed_reads: self.max_failed_reads.or(file.max_failed_reads),
            log_json: self.log_json || file.log_json,
        }
    }

    /// The RPC connection (at least one `--rpc-url`).
    pub fn rpc(&self) -> Result<RpcConfig, ConfigError> {
        rpc_config(self.rpc_urls.clone(), self.rpc_retries)
    }

    /// `--controller`, required.
    pub fn controller(&self) -> Result<Address, ConfigError> {
        self.controller.ok_or(ConfigError::Missing("--controller"))
    }

    /// The one key source given, if any (see [`KeyOptions::resolve`]).
    pub fn key(&self) -> Result<Option<KeySource>, ConfigError> {
        KeyOptions {
            keystore: self.keystore.clone(),
            password_file: self.password_file.clone(),
            private_key_file: self.private_key_file.clone(),
            private_key_env: self.private_key_env.clone(),
        }
        .resolve()
    }

    /// The key source, required.
    pub fn required_key(&self) -> Result<KeySource, ConfigError> {
        self.key()?.ok_or(ConfigError::Missing(
            "a key: --keystore + --password-file, --private-key-file or --private-key-env",
        ))
    }

    /// The sender's fee policy, defaults applied.
    pub fn fees(&self) -> Result<FeePolicy, ConfigError> {
        FeeOptions {
            max_fee_gwei: self.max_fee_gwei,
            priority_fee_gwei: self.priority_fee_gwei,
            bump_percent: self.bump_percent,
            replace_after_blocks: self.replace_after_blocks,
            confirmations: self.confirmations,
        }
        .resolve()
    }

    /// `--metrics-addr`, or `127.0.0.1:<default_port>`.
    pub fn metrics_addr_or(&self, default_port: u16) -> SocketAddr {
        self.metrics_addr
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], default_port)))
    }

    /// `--max-failed-reads`, default 3, at least 1.
    pub fn max_failed_reads(&self) -> Result<u32, ConfigError> {
        max_failed_reads(self.max_failed_reads)
    }
}

impl CommonArgs {
    /// Reads the `--config` file, if one is given: the shared options not given by flag or
    /// environment are taken from it (`looping` too, for a bot that has them), and the bot's own
    /// options `O` are returned; a key of no option is an error naming it. The file is read
    /// once: `config` is `None` afterwards.
    pub fn merge_file<O: DeserializeOwned>(
        &mut self,
        looping: Option<&mut LoopArgs>,
    ) -> Result<Option<O>, ConfigError> {
        let Some(path) = self.config.take() else {
            return Ok(None);
        };
        let mut file = ConfigFile::read(&path)?;
        let common: Self = file.take()?;
        *self = std::mem::take(self).or(common);
        if let Some(looping) = looping {
            let from_file: LoopArgs = file.take()?;
            *looping = std::mem::take(looping).or(from_file);
        }
        let own = file.take()?;
        file.finish()?;
        Ok(Some(own))
    }
}

impl LoopArgs {
    /// Every option not given (by flag or environment) taken from `file`.
    pub fn or(self, file: Self) -> Self {
        Self {
            poll_interval_ms: self.poll_interval_ms.or(file.poll_interval_ms),
            gas_ceiling_gwei: self.gas_ceiling_gwei.or(file.gas_ceiling_gwei),
            dry_run: self.dry_run || file.dry_run,
        }
    }

    /// The head polling interval (1 s by default).
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.poll_interval_ms.unwrap_or(1000))
    }

    /// The base fee ceiling in wei, if any.
    pub fn gas_ceiling(&self) -> Result<Option<u128>, ConfigError> {
        self.gas_ceiling_gwei.map(gwei).transpose()
    }
}

/// An environment variable a shared option was read from before its `LIVEPEER_*` name; still
/// read when the new one is not set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvAlias {
    /// The option's clap id: its field name (`rpc_urls`, `max_fee_gwei`).
    pub arg: &'static str,
    /// The old variable (`KEEPER_RPC_URLS`).
    pub old: &'static str,
}

impl EnvAlias {
    /// Option `arg` (its clap id) is also read from `old`.
    pub const fn new(arg: &'static str, old: &'static str) -> Self {
        Self { arg, old }
    }
}

/// `command` reading each aliased option from its old variable when that one is set and the
/// option's own is not (`is_set` says whether a variable is set); every aliased option's help
/// names its old variable. Aliases of unknown options are left out ([`unknown_aliases`]).
pub fn with_env_aliases(
    mut command: Command,
    aliases: &[EnvAlias],
    is_set: impl Fn(&str) -> bool,
) -> Command {
    for alias in aliases {
        let Some(arg) = command.get_arguments().find(|a| a.get_id() == alias.arg) else {
            continue;
        };
        let new_is_set = arg
            .get_env()
            .and_then(|name| name.to_str())
            .is_some_and(&is_set);
        let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        let use_old = !new_is_set && is_set(alias.old);
        command = command.mut_arg(alias.arg, |a| {
            let a = a.help(format!("{help} (old variable: {})", alias.old));
            if use_old { a.env(alias.old) } else { a }
        });
    }
    command
}

/// The aliases whose option `command` does not have (a test of each bot keeps this empty).
pub fn unknown_aliases(command: &Command, aliases: &[EnvAlias]) -> Vec<&'static str> {
    aliases
        .iter()
        .filter(|alias| !command.get_arguments().any(|a| a.get_id() == alias.arg))
        .map(|alias| alias.arg)
        .collect()
}

/// Parses the process's arguments and environment like [`Parser::parse`] (exiting with clap's
/// message on an error or for `--help`), with the old variable names of `aliases`.
pub fn parse<P: Parser>(aliases: &[EnvAlias]) -> P {
    let command = with_env_aliases(P::command(), aliases, |name| {
        std::env::var_os(name).is_some()
    });
    P::from_arg_matches_mut(&mut command.get_matches()).unwrap_or_else(|err| err.exit())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[derive(Debug, Parser)]
    struct Bot {
        #[command(flatten)]
        common: CommonArgs,
        #[command(flatten)]
        looping: LoopArgs,
    }

    const ALIASES: &[EnvAlias] = &[
        EnvAlias::new("controller", "BOT_CONTROLLER"),
        EnvAlias::new("rpc_urls", "BOT_RPC_URLS"),
    ];

    fn env_of(command: &Command, id: &str) -> Option<String> {
        command
            .get_arguments()
            .find(|a| a.get_id() == id)
            .and_then(|a| a.get_env())
            .map(|e| e.to_string_lossy().into_owned())
    }

    #[test]
    fn the_old_variable_is_read_only_when_the_new_one_is_not_set() {
        let set = |names: &'static [&'static str]| move |name: &str| names.contains(&name);
        let old_only = with_env_aliases(Bot::command(), ALIASES, set(&["BOT_CONTROLLER"]));
        assert_eq!(
            env_of(&old_only, "controller").as_deref(),
            Some("BOT_CONTROLLER")
        );
        assert_eq!(
            env_of(&old_only, "rpc_urls").as_deref(),
            Some("LIVEPEER_RPC_URL"),
            "an option whose old variable is unset keeps its name"
        );
        let both = with_env_aliases(
            Bot::command(),
            ALIASES,
            set(&["BOT_CONTROLLER", "LIVEPEER_CONTROLLER"]),
        );
        assert_eq!(
            env_of(&both, "controller").as_deref(),
            Some("LIVEPEER_CONTROLLER"),
            "the new name wins"
        );
        let none = with_env_aliases(Bot::command(), ALIASES, set(&[]));
        assert_eq!(
            env_of(&none, "controller").as_deref(),
            Some("LIVEPEER_CONTROLLER")
        );
    }

    #[test]
    fn the_help_names_the_old_variable() {
        let mut command = with_env_aliases(Bot::command(), ALIASES, |_| false);
        let help = command.render_long_help().to_string();
        assert!(help.contains("(old variable: BOT_CONTROLLER)"), "{help}");
        assert!(help.contains("LIVEPEER_CONTROLLER"), "{help}");
    }

    #[test]
    fn aliases_of_unknown_options_are_reported() {
        let wrong = [EnvAlias::new("no_such_option", "BOT_X")];
        assert_eq!(
            unknown_aliases(&Bot::command(), &wrong),
            vec!["no_such_option"]
        );
        assert!(unknown_aliases(&Bot::command(), ALIASES).is_empty());
        // Left out rather than a panic in clap's `mut_arg`.
        let _ = with_env_aliases(Bot::command(), &wrong, |_| true);
    }

    #[test]
    fn given_options_beat_the_file() {
        let given = CommonArgs {
            controller: Some(Address::with_last_byte(1)),
            rpc_urls: vec!["http://flag".into()],
            ..CommonArgs::default()
        };
        let file = CommonArgs {
            controller: Some(Address::with_last_byte(2)),
            rpc_urls: vec!["http://file".into()],
            max_fee_gwei: Some(2.0),
            log_json: true,
            ..CommonArgs::default()
        };
        let merged = given.or(file);
        assert_eq!(merged.controller, Some(Address::with_last_byte(1)));
        assert_eq!(merged.rpc_urls, vec!["http://flag".to_owned()]);
        assert_eq!(merged.max_fee_gwei, Some(2.0), "from the file");
        assert!(merged.log_json, "a switch on in the file is on");
        let looping = LoopArgs {
            poll_interval_ms: Some(5),
            ..LoopArgs::default()
        }
        .or(LoopArgs {
            poll_interval_ms: Some(9),
            dry_run: true,
            ..LoopArgs::default()
        });
        assert_eq!(looping.poll_interval(), Duration::from_millis(5));
        assert!(looping.dry_run);
    }

    #[test]
    fn resolution_applies_defaults_and_names_what_is_missing() -> Result<(), ConfigError> {
        let args = CommonArgs::default();
        assert!(matches!(args.rpc(), Err(ConfigError::Missing("--rpc-url"))));
        assert!(matches!(
            args.controller(),
            Err(ConfigError::Missing("--controller"))
        ));
        assert!(
            matches!(args.required_key(), Err(ConfigError::Missing(m)) if m.contains("--private-key-file"))
        );
        assert_eq!(args.metrics_addr_or(9464).port(), 9464);
        assert_eq!(args.max_failed_reads()?, 3);
        assert_eq!(args.fees()?.max_fee_per_gas, 100_000_000_000);
        let looping = LoopArgs {
            gas_ceiling_gwei: Some(1.5),
            ..LoopArgs::default()
        };
        assert_eq!(looping.gas_ceiling()?, Some(1_500_000_000));
        assert_eq!(looping.poll_interval(), Duration::from_secs(1));
        Ok(())
    }
}
