//! The chain layer shared by every Livepeer bot and the operator CLI.
//!
//! - [`provider`]: one JSON-RPC client over several HTTP / WebSocket URLs, with failover
//!   ([`failover::FailoverService`]), retries with exponential backoff
//!   ([`alloy::transports::layers::RetryBackoffLayer`]) and a request counter
//!   ([`counter::CountingLayer`]).
//! - [`config`]: what the bots' configurations share after parsing (config file, gwei, RPC,
//!   fee policy, key source).
//! - [`protocol`]: discovery of every protocol contract from the Controller address alone,
//!   through `Controller.getContract(keccak256(name))`, exactly as the live network is configured.
//! - [`signer`]: a local signer from a keystore + password file, a private-key file or an
//!   environment variable; the key never reaches a log line, an error or a `Debug` output.
//! - [`sender`]: a transaction sender (simulation, EIP-1559 fees under a cap, chain-sourced
//!   nonces behind a mutex, replacement of stuck transactions, confirmation depth with reorg
//!   detection) and [`revert`], which decodes reverts into the interfaces' custom errors and the
//!   plain `Error(string)` reasons of the live contracts.
//! - [`hints`]: the sorted-pool hints of the `*WithHint` calls, from a simulation of the pool.
//! - [`arbitrum`]: the block number contracts see (`l1BlockNumber` on Arbitrum) and the first
//!   block that saw a given one.
//! - [`blocks`]: a stream of new block heads, pushed over WebSocket when available, polled
//!   otherwise.
//! - [`server`]: the `/metrics` + `/health` HTTP server and the `tracing` set-up of every bot;
//!   [`health`]: the `/health` verdict they share (`--max-failed-reads` consecutive failed reads,
//!   or no successful read for too long).
//! - [`missed`]: the pure rule that counts a round ended with a bot's duty undone, whatever the
//!   cause, failed reads included.
//! - [`shutdown`]: the [`tokio_util::sync::CancellationToken`] every bot binary cancels on SIGINT
//!   or SIGTERM.
//! - [`devnet`]: spawns the pinned anvil and deploys the protocol with `script/Deploy.s.sol`
//!   (tests and benchmarks); [`proxy`]: a JSON-RPC proxy that fails on demand (outage tests);
//!   [`faults`]: the fault suite's harness (every fault the bots are tested against, the bots'
//!   binaries as processes, the scenario of each fault).

pub mod arbitrum;
pub mod blocks;
pub mod config;
pub mod counter;
pub mod devnet;
pub mod error;
pub mod failover;
pub mod faults;
pub mod health;
pub mod hints;
pub mod missed;
pub mod protocol;
pub mod provider;
pub mod proxy;
pub mod revert;
pub mod sender;
pub mod server;
pub mod shutdown;
pub mod signer;

pub use error::ChainError;
