//! Configuration of `livepeer-redeemer`: command-line flags, most with an environment variable,
//! over an optional TOML file (`--config`, kebab-case keys). Precedence: flag > environment >
//! file > default. The options every bot shares (RPC failover, Controller, key sources, fee
//! policy, metrics, logs) are [`CommonArgs`] (`LIVEPEER_*` variables; the redeemer's old
//! `REDEEMER_*` names still read, [`ENV_ALIASES`]).

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use alloy::{primitives::Address, signers::local::PrivateKeySigner};
use clap::Parser;
pub use livepeer_chain::config::{ConfigError, gwei};
use livepeer_chain::{
    options::{CommonArgs, EnvAlias},
    provider::RpcConfig,
    sender::FeePolicy,
    signer::{KeySource, load_signer},
};
use serde::Deserialize;

use crate::RedeemerConfig;

/// Default address of the `/metrics` and `/health` server.
pub const DEFAULT_METRICS_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 9466);

/// Command line of `livepeer-redeemer`.
#[derive(Debug, Clone, Default, Parser, Deserialize)]
#[command(
    name = "livepeer-redeemer",
    version,
    about = "Redeems winning Livepeer tickets (TicketBroker.redeemWinningTicket / batchRedeemWinningTickets)"
)]
#[serde(rename_all = "kebab-case")]
pub struct Cli {
    /// The options every bot shares (the config file takes any option but the private key
    /// itself, --once and --list).
    #[command(flatten)]
    #[serde(skip)]
    pub common: CommonArgs,

    /// Hex private key of the account that sends redemptions (pays gas; fees always go to each
    /// ticket's recipient). Prefer the environment variable, a key file or a keystore to the
    /// command line. Exactly one key source. Never read from the config file.
    #[arg(long, env = "REDEEMER_PRIVATE_KEY", hide_env_values = true)]
    #[serde(skip)]
    pub private_key: Option<String>,

    /// Directory of the persistent queue (`journal.jsonl`); created if missing. Required.
    #[arg(long, env = "REDEEMER_STATE_DIR")]
    pub state_dir: Option<PathBuf>,

    /// JSON-lines file the orchestrator appends winning tickets to (one SignedTicket a line).
    #[arg(long, env = "REDEEMER_INBOX")]
    pub inbox: Option<PathBuf>,

    /// Run one pass and exit (non-zero if the pass failed).
    #[arg(long)]
    #[serde(skip)]
    pub once: bool,

    /// Print the queue (one JSON object a ticket) and exit; needs no chain access.
    #[arg(long)]
    #[serde(skip)]
    pub list: bool,

    /// Seconds between passes [default: 5].
    #[arg(long, env = "REDEEMER_POLL_INTERVAL")]
    pub poll_interval: Option<u64>,

    /// Most tickets in one batchRedeemWinningTickets [default: 20].
    #[arg(long, env = "REDEEMER_MAX_BATCH")]
    pub max_batch: Option<usize>,

    /// Failed redemption transactions after which a ticket is marked dead [default: 5].
    #[arg(long, env = "REDEEMER_MAX_ATTEMPTS")]
    pub max_attempts: Option<u32>,

    /// Redeem only when the payout is at least this percentage of the estimated gas cost
    /// [default: 100].
    #[arg(long, env = "REDEEMER_MIN_PROFIT_PERCENT")]
    pub min_profit_percent: Option<u64>,

    /// Seconds a pass waits for its transaction to be confirmed before leaving it in flight
    /// (still followed, and replaced when stuck) for a later pass [default: 120].
    #[arg(long, env = "REDEEMER_RECEIPT_TIMEOUT")]
    pub receipt_timeout: Option<u64>,

    /// Gas limit headroom over the estimate, in percent [default: 25].
    #[arg(long, env = "REDEEMER_GAS_MARGIN_PERCENT")]
    pub gas_margin_percent: Option<u64>,

    /// Head polling interval in milliseconds while a transaction is followed, when no ws URL is
    /// given [default: 1000].
    #[arg(long, env = "REDEEMER_HEAD_POLL_INTERVAL_MS")]
    pub head_poll_interval_ms: Option<u64>,

    /// Serve go-livepeer's Ticket Redemption Service (gRPC over TLS) at this address, for an
    /// orchestrator started with `-redeemerAddr <host:port>`. Off unless given; not with --once.
    #[arg(long, env = "REDEEMER_GRPC_ADDR")]
    pub grpc_addr: Option<SocketAddr>,

    /// The orchestrator whose tickets the service takes (tickets for anyone else are refused)
    /// [default: the sending account].
    #[arg(long, env = "REDEEMER_RECIPIENT")]
    pub recipient: Option<Address>,

    /// PEM certificate of the service (with --tls-key) [default: a self-signed one generated on
    /// first start in `<state-dir>/tls/`].
    #[arg(long, env = "REDEEMER_TLS_CERT")]
    pub tls_cert: Option<PathBuf>,

    /// PEM private key of --tls-cert.
    #[arg(long, env = "REDEEMER_TLS_KEY")]
    pub tls_key: Option<PathBuf>,

    /// Extra host names or IPs for the generated certificate, comma-separated (it always has
    /// `localhost` and `127.0.0.1`).
    #[arg(long, env = "REDEEMER_TLS_HOSTS", value_delimiter = ',')]
    #[serde(default)]
    pub tls_hosts: Vec<String>,

    /// Seconds between reads of the watched senders' funds for max float; a sender is also read
    /// at once when one of its tickets is redeemed or dies [default: 2].
    #[arg(long, env = "REDEEMER_MAX_FLOAT_REFRESH")]
    pub max_float_refresh: Option<u64>,
}

/// The redeemer's environment variables from before the shared `LIVEPEER_*` names, still read
/// (`--rpc-url` and `--controller` had theirs already).
pub const ENV_ALIASES: &[EnvAlias] = &[
    EnvAlias::new("config", "REDEEMER_CONFIG"),
    EnvAlias::new("rpc_retries", "REDEEMER_RPC_RETRIES"),
    EnvAlias::new("keystore", "REDEEMER_KEYSTORE"),
    EnvAlias::new("password_file", "REDEEMER_PASSWORD_FILE"),
    EnvAlias::new("private_key_file", "REDEEMER_PRIVATE_KEY_FILE"),
    EnvAlias::new("private_key_env", "REDEEMER_PRIVATE_KEY_ENV"),
    EnvAlias::new("max_fee_gwei", "REDEEMER_MAX_FEE_GWEI"),
    EnvAlias::new("priority_fee_gwei", "REDEEMER_PRIORITY_FEE_GWEI"),
    EnvAlias::new("bump_percent", "REDEEMER_BUMP_PERCENT"),
    EnvAlias::new("replace_after_blocks", "REDEEMER_REPLACE_AFTER_BLOCKS"),
    EnvAlias::new("confirmations", "REDEEMER_CONFIRMATIONS"),
    EnvAlias::new("metrics_addr", "REDEEMER_METRICS_ADDR"),
    EnvAlias::new("max_failed_reads", "REDEEMER_MAX_FAILED_READS"),
    EnvAlias::new("log_json", "REDEEMER_LOG_JSON"),
];

/// The gRPC Ticket Redemption Service's settings (`--grpc-addr` given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceSettings {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The recipient whose tickets are taken; `None`: the sending account.
    pub recipient: Option<Address>,
    /// The operator's certificate and key, if given (else generated).
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Extra names for a generated certificate.
    pub tls_hosts: Vec<String>,
    /// Between reads of the watched senders' funds.
    pub max_float_refresh: Duration,
}

/// Where the sending key comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum Key {
    /// `--private-key` / `REDEEMER_PRIVATE_KEY` (hex).
    Hex(String),
    /// A key file, key variable or keystore, as every bot has them.
    Source(KeySource),
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Hex(_) => f.write_str("Hex(<redacted>)"),
            Self::Source(source) => f.debug_tuple("Source").field(source).finish(),
        }
    }
}

impl Key {
    /// Loads the signer; an error never shows the key.
    pub fn load(&self) -> Result<PrivateKeySigner, ConfigError> {
        match self {
            Self::Hex(hex) => hex.trim().parse().map_err(|_| {
                ConfigError::Invalid("the private key is not a 32-byte hex key".into())
            }),
            Self::Source(source) => {
                load_signer(source).map_err(|e| ConfigError::Invalid(e.to_string()))
            }
        }
    }
}

/// What the binary is asked to do.
#[derive(Debug, Clone)]
pub enum Mode {
    /// `--list`: print the queue in this state directory.
    List {
        /// The state directory.
        state_dir: PathBuf,
    },
    /// Redeem (once with `--once`, else until SIGINT / SIGTERM).
    Run(Box<Settings>),
}

/// The resolved configuration of a redeeming run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// RPC connection.
    pub rpc: RpcConfig,
    /// The Controller.
    pub controller: Address,
    /// The sending key.
    pub key: Key,
    /// The queue's directory.
    pub state_dir: PathBuf,
    /// The inbox file.
    pub inbox: Option<PathBuf>,
    /// One pass, then exit.
    pub once: bool,
    /// The redeemer's tuning.
    pub redeemer: RedeemerConfig,
    /// Fees, replacement and confirmations of the sender.
    pub fees: FeePolicy,
    /// Metrics server address.
    pub metrics_addr: SocketAddr,
    /// Consecutive failed passes that make `/health` unhealthy.
    pub max_failed_reads: u32,
    /// The gRPC service, when `--grpc-addr` is given.
    pub service: Option<ServiceSettings>,
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
        let Some(file) = self.common.merge_file::<Self>(None)? else {
            return Ok(self);
        };
        Ok(Self {
            state_dir: self.state_dir.or(file.state_dir),
            inbox: self.inbox.or(file.inbox),
            poll_interval: self.poll_interval.or(file.poll_interval),
            max_batch: self.max_batch.or(file.max_batch),
            max_attempts: self.max_attempts.or(file.max_attempts),
            min_profit_percent: self.min_profit_percent.or(file.min_profit_percent),
            receipt_timeout: self.receipt_timeout.or(file.receipt_timeout),
            gas_margin_percent: self.gas_margin_percent.or(file.gas_margin_percent),
            head_poll_interval_ms: self.head_poll_interval_ms.or(file.head_poll_interval_ms),
            grpc_addr: self.grpc_addr.or(file.grpc_addr),
            recipient: self.recipient.or(file.recipient),
            tls_cert: self.tls_cert.or(file.tls_cert),
            tls_key: self.tls_key.or(file.tls_key),
            tls_hosts: if self.tls_hosts.is_empty() {
                file.tls_hosts
            } else {
                self.tls_hosts
            },
            max_float_refresh: self.max_float_refresh.or(file.max_float_refresh),
            ..self
        })
    }

    /// Merges the file, validates and applies defaults.
    pub fn resolve(self) -> Result<Mode, ConfigError> {
        let cli = self.merge_file()?;
        let state_dir = cli
            .state_dir
            .clone()
            .ok_or(ConfigError::Missing("--state-dir"))?;
        if cli.list {
            return Ok(Mode::List { state_dir });
        }
        let common = &cli.common;
        let rpc = common.rpc()?;
        let controller = common.controller()?;
        let key = match (cli.private_key.clone(), common.key()?) {
            (Some(hex), None) => Key::Hex(hex),
            (None, Some(source)) => Key::Source(source),
            (None, None) => {
                return Err(ConfigError::Missing(
                    "a key: set REDEEMER_PRIVATE_KEY, or pass --private-key-file, --private-key-env, or --keystore with --password-file",
                ));
            }
            (Some(_), Some(_)) => {
                return Err(ConfigError::Invalid(
                    "two keys given: REDEEMER_PRIVATE_KEY / --private-key and a key file, variable or keystore; keep one".into(),
                ));
            }
        };
        let fees = common.fees()?;
        let service = match cli.grpc_addr {
            None => None,
            Some(_) if cli.once => {
                return Err(ConfigError::Invalid(
                    "--grpc-addr serves until stopped; it cannot be used with --once".into(),
                ));
            }
            Some(addr) => Some(ServiceSettings {
                addr,
                recipient: cli.recipient,
                tls: match (cli.tls_cert, cli.tls_key) {
                    (Some(cert), Some(key)) => Some((cert, key)),
                    (None, None) => None,
                    _ => {
                        return Err(ConfigError::Invalid(
                            "give both --tls-cert and --tls-key, or neither (a self-signed pair is then generated)".into(),
                        ));
                    }
                },
                tls_hosts: cli.tls_hosts,
                max_float_refresh: Duration::from_secs(cli.max_float_refresh.unwrap_or(2).max(1)),
            }),
        };
        let defaults = RedeemerConfig::default();
        let redeemer = RedeemerConfig {
            max_batch: cli.max_batch.unwrap_or(defaults.max_batch),
            max_attempts: cli.max_attempts.unwrap_or(defaults.max_attempts),
            min_profit_percent: cli
                .min_profit_percent
                .unwrap_or(defaults.min_profit_percent),
            receipt_timeout: cli
                .receipt_timeout
                .map_or(defaults.receipt_timeout, Duration::from_secs),
            poll_interval: cli
                .poll_interval
                .map_or(defaults.poll_interval, Duration::from_secs),
            gas_margin_percent: cli
                .gas_margin_percent
                .unwrap_or(defaults.gas_margin_percent),
            head_poll_interval: cli
                .head_poll_interval_ms
                .map_or(defaults.head_poll_interval, Duration::from_millis),
        };
        Ok(Mode::Run(Box::new(Settings {
            rpc,
            controller,
            key,
            state_dir,
            inbox: cli.inbox,
            once: cli.once,
            redeemer,
            fees,
            metrics_addr: common.metrics_addr.unwrap_or(DEFAULT_METRICS_ADDR),
            max_failed_reads: common.max_failed_reads()?,
            service,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTROLLER: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

    fn parse(args: &[&str]) -> Cli {
        Cli::try_parse_from(std::iter::once("livepeer-redeemer").chain(args.iter().copied()))
            .unwrap_or_else(|e| unreachable!("{e}"))
    }

    fn run(mode: Result<Mode, ConfigError>) -> Settings {
        match mode {
            Ok(Mode::Run(settings)) => *settings,
            other => unreachable!("{other:?}"),
        }
    }

    #[test]
    fn flags_resolve_with_defaults() {
        let cfg = run(parse(&[
            "--rpc-url",
            "http://a:8545,ws://b:8546",
            "--controller",
            CONTROLLER,
            "--private-key-env",
            "KEY",
            "--state-dir",
            "/var/lib/redeemer",
        ])
        .resolve());
        assert_eq!(cfg.rpc.urls.len(), 2);
        assert_eq!(cfg.key, Key::Source(KeySource::PrivateKeyEnv("KEY".into())));
        assert_eq!(cfg.redeemer.max_batch, 20);
        assert_eq!(cfg.redeemer.poll_interval, Duration::from_secs(5));
        assert_eq!(cfg.redeemer.receipt_timeout, Duration::from_secs(120));
        assert_eq!(cfg.fees.max_fee_per_gas, 100_000_000_000);
        assert_eq!(cfg.metrics_addr, DEFAULT_METRICS_ADDR);
        assert_eq!(cfg.max_failed_reads, 3);
        assert!(!cfg.once);
    }

    #[test]
    fn the_grpc_service_is_configured_from_flags_or_the_file() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("redeemer.toml");
        std::fs::write(
            &path,
            format!(
                r#"
rpc-urls = ["http://file:8545"]
controller = "{CONTROLLER}"
private-key-file = "/run/secrets/key"
state-dir = "/var/lib/redeemer"
grpc-addr = "0.0.0.0:8990"
recipient = "{CONTROLLER}"
tls-hosts = ["redeemer.internal"]
max-float-refresh = 7
"#
            ),
        )
        .unwrap_or_else(|_| unreachable!());
        let file = path.to_str().unwrap_or_default();
        let cfg = run(parse(&["--config", file]).resolve());
        let service = cfg.service.unwrap_or_else(|| unreachable!("no service"));
        assert_eq!(service.addr.port(), 8990);
        assert_eq!(
            service.recipient.map(|a| a.to_string()),
            Some(CONTROLLER.to_string())
        );
        assert_eq!(service.tls_hosts, vec!["redeemer.internal".to_string()]);
        assert_eq!(service.max_float_refresh, Duration::from_secs(7));
        assert_eq!(service.tls, None, "a certificate is generated");
        // Without --grpc-addr there is no service; with --once it is refused.
        let base = ["--rpc-url", "http://a:8545", "--controller", CONTROLLER];
        let key = ["--private-key-env", "KEY", "--state-dir", "/tmp/r"];
        let plain: Vec<&str> = base.iter().chain(key.iter()).copied().collect();
        assert!(run(parse(&plain).resolve()).service.is_none());
        let once: Vec<&str> = plain
            .iter()
            .copied()
            .chain(["--grpc-addr", "127.0.0.1:1", "--once"])
            .collect();
        assert!(
            matches!(parse(&once).resolve(), Err(ConfigError::Invalid(m)) if m.contains("--once"))
        );
        let half: Vec<&str> = plain
            .iter()
            .copied()
            .chain(["--grpc-addr", "127.0.0.1:1", "--tls-cert", "c.pem"])
            .collect();
        assert!(
            matches!(parse(&half).resolve(), Err(ConfigError::Invalid(m)) if m.contains("--tls-key"))
        );
    }

    #[test]
    fn file_fills_what_flags_leave_out() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("redeemer.toml");
        std::fs::write(
            &path,
            format!(
                r#"
rpc-urls = ["http://file:8545", "http://backup:8545"]
controller = "{CONTROLLER}"
private-key-file = "/run/secrets/key"
state-dir = "/var/lib/redeemer"
inbox = "/var/lib/orchestrator/tickets.jsonl"
max-batch = 7
max-fee-gwei = 2.5
replace-after-blocks = 6
confirmations = 2
metrics-addr = "0.0.0.0:9999"
"#
            ),
        )
        .unwrap_or_else(|_| unreachable!());
        let cfg = run(parse(&[
            "--config",
            path.to_str().unwrap_or_default(),
            "--max-batch",
            "3",
        ])
        .resolve());
        assert_eq!(cfg.rpc.urls.len(), 2, "rpc-urls");
        assert_eq!(cfg.redeemer.max_batch, 3, "flag beats file");
        assert_eq!(cfg.fees.max_fee_per_gas, 2_500_000_000, "max-fee-gwei");
        assert_eq!(cfg.fees.replace_after_blocks, 6, "replace-after-blocks");
        assert_eq!(cfg.fees.confirmations, 2, "confirmations");
        assert_eq!(cfg.state_dir, PathBuf::from("/var/lib/redeemer"));
        assert_eq!(
            cfg.key,
            Key::Source(KeySource::PrivateKeyFile("/run/secrets/key".into()))
        );
        assert_eq!(cfg.metrics_addr.port(), 9999);
    }

    /// The config file example of docs/orchestrators.md (the one in the redeemer's section).
    #[test]
    fn documented_config_file_parses() {
        const PAGE: &str = include_str!("../../../docs/orchestrators.md");
        let example = PAGE
            .split("## Redeem winning tickets")
            .nth(1)
            .and_then(|section| section.split("```toml\n").nth(1))
            .and_then(|rest| rest.split("```").next())
            .unwrap_or_else(|| unreachable!("no toml example in the redeemer's section"));
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("redeemer.toml");
        std::fs::write(&path, example).unwrap_or_else(|_| unreachable!());
        let cfg = run(parse(&["--config", path.to_str().unwrap_or_default()]).resolve());
        assert_eq!(cfg.rpc.urls.len(), 2, "rpc-urls");
        assert_eq!(
            cfg.key,
            Key::Source(KeySource::PrivateKeyFile(
                "/run/secrets/redeemer-key".into()
            ))
        );
        assert_eq!(cfg.fees.max_fee_per_gas, 5_000_000_000, "max-fee-gwei");
        assert_eq!(cfg.fees.replace_after_blocks, 3, "replace-after-blocks");
        assert!(cfg.inbox.is_some(), "inbox");
    }

    #[test]
    fn list_needs_only_the_state_dir() {
        match parse(&["--list", "--state-dir", "/tmp/q"]).resolve() {
            Ok(Mode::List { state_dir }) => assert_eq!(state_dir, PathBuf::from("/tmp/q")),
            other => unreachable!("{other:?}"),
        }
        assert!(matches!(
            parse(&["--list"]).resolve(),
            Err(ConfigError::Missing("--state-dir"))
        ));
    }

    #[test]
    fn key_sources_are_exclusive_and_never_shown() {
        let base = [
            "--rpc-url",
            "http://a",
            "--controller",
            CONTROLLER,
            "--state-dir",
            "/tmp/q",
        ];
        let with = |extra: &[&str]| {
            let args: Vec<&str> = base.iter().chain(extra).copied().collect();
            parse(&args).resolve()
        };
        let two = with(&["--private-key", "0x12", "--private-key-file", "k"])
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(two.contains("two keys given"), "{two}");
        let none = with(&[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(none.contains("REDEEMER_PRIVATE_KEY"), "{none}");
        let cfg = run(with(&["--private-key", "0x1234"]));
        assert!(!format!("{cfg:?}").contains("1234"), "the key is redacted");
        let err = cfg
            .key
            .load()
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("private key") && !err.contains("1234"),
            "{err}"
        );
    }

    #[test]
    fn every_old_variable_names_an_option() {
        use clap::CommandFactory;
        let command = Cli::command();
        assert!(livepeer_chain::options::unknown_aliases(&command, ENV_ALIASES).is_empty());
    }

    #[test]
    fn unknown_or_secret_file_keys_are_errors() {
        let dir = tempfile::tempdir().unwrap_or_else(|_| unreachable!());
        let path = dir.path().join("redeemer.toml");
        for text in ["rpc-url = 3\n", "private-key = \"0x12\"\n", "once = true\n"] {
            std::fs::write(&path, text).unwrap_or_else(|_| unreachable!());
            let err = parse(&["--config", path.to_str().unwrap_or_default()]).resolve();
            assert!(
                matches!(&err, Err(ConfigError::File { reason, .. }) if reason.contains("unknown key")),
                "{text}: {err:?}"
            );
        }
    }
}
