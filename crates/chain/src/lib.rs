//! The chain layer shared by every Livepeer bot and the operator CLI.
//!
//! - [`provider`]: one JSON-RPC client over several HTTP / WebSocket URLs, with failover
//!   ([`failover::FailoverService`]), retries with exponential backoff
//!   ([`alloy::transports::layers::RetryBackoffLayer`]) and a request counter
//!   ([`counter::CountingLayer`]).
//! - [`options`]: the flags, environment variables (`LIVEPEER_*`, with each bot's old names as
//!   aliases) and config-file keys every bot shares; [`config`]: their resolution (config file,
//!   gwei, RPC, fee policy, key source).
//! - [`protocol`]: discovery of every protocol contract from the Controller address alone,
//!   through `Controller.getContract(keccak256(name))`, exactly as the live network is configured.
//! - [`signer`]: a local signer from a keystore + password file, a private-key file or an
//!   environment variable; the key never reaches a log line, an error or a `Debug` output.
//! - [`sender`]: a transaction sender (simulation, EIP-1559 fees under a cap, chain-sourced
//!   nonces behind a mutex, replacement of stuck transactions, confirmation depth with reorg
//!   detection) and [`revert`], which decodes reverts into the interfaces' custom errors and the
//!   plain `Error(string)` reasons of the live contracts.
//! - [`pool`]: reads the sorted transcoder pool, whose `*WithHint` hints `livepeer-protocol`
//!   computes.
//! - [`arbitrum`]: the block number contracts see (`l1BlockNumber` on Arbitrum) and the first
//!   block that saw a given one.
//! - [`engine`]: the block loop every bot runs on: head → the bot's read → its pure `decide` →
//!   transactions sent and followed (one in flight per account), health and metrics hooks.
//! - [`blocks`]: a stream of new block heads, pushed over WebSocket when available, polled
//!   otherwise.
//! - [`server`]: the `/metrics` + `/health` HTTP server and the `tracing` set-up of every bot;
//!   [`health`]: the `/health` verdict they share (`--max-failed-reads` consecutive failed reads,
//!   or no successful read for too long).
//! - [`missed`]: the pure rule that counts a round ended with a bot's duty undone, whatever the
//!   cause, failed reads included.
//! - [`shutdown`]: the [`tokio_util::sync::CancellationToken`] every bot binary cancels on SIGINT
//!   or SIGTERM.
//! - [`testchain`]: spawns the pinned anvil and deploys the protocol with `script/Deploy.s.sol`
//!   (tests and benchmarks); [`proxy`]: a JSON-RPC proxy that fails on demand (outage tests);
//!   [`faults`]: the fault suite's harness (every fault the bots are tested against, the bots'
//!   binaries as processes, the scenario of each fault).

pub mod arbitrum;
pub mod blocks;
pub mod config;
pub mod counter;
pub mod engine;
pub mod error;
pub mod failover;
pub mod faults;
pub mod health;
pub mod missed;
pub mod options;
pub mod pool;
pub mod protocol;
pub mod provider;
pub mod proxy;
pub mod revert;
pub mod sender;
pub mod server;
pub mod shutdown;
pub mod signer;
pub mod testchain;

pub use error::ChainError;
