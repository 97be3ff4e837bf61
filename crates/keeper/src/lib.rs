//! The round-initializing keeper, a bot on the engine ([`livepeer_chain::engine`]).
//!
//! Each new block the keeper reads `currentRound()`, `lastInitializedRound()`,
//! `currentRoundStartBlock()`, `roundLength()` and its balance (one JSON-RPC batch, at that
//! block; [`bot::read_state`]), and the pure [`step::step`] decides, with the turn order of
//! [`decide`] and the keeper's [`step::Memory`]. When the round needs initializing and it is this
//! keeper's turn, the engine sends `RoundsManager.initializeRound()` through the shared
//! [`livepeer_chain::sender::TxSender`] (simulation first, EIP-1559 under a cap, replacement when
//! stuck, reorg-aware confirmation); while it is in flight the keeper reads nothing.
//!
//! - [`config`]: flags, environment and config file; [`keeper`]: the set-up;
//!   [`bot`]: the keeper's read, encoding, metrics and logs; [`metrics`]: `/metrics`.
//!
//! # Coordinating several keepers
//!
//! No messages between keepers: every keeper is configured with the same set of addresses
//! (`--keepers`). For round `r` each keeper's score is `keccak256(uint256(r) ‖ address)`; sorted
//! scores give ranks `0..n`. The round's blocks are cut into windows of `--turn-delay-blocks`
//! blocks, owned in turn by rank 0, 1, …, n-1, then rank 0 again. A keeper sends only in its own
//! window: rank 0 in the round's first block, rank 1 if the round is still uninitialized one
//! window later, and so on. Exactly one keeper may send at any block. A keeper outside the set is
//! a backup that acts once every member had a window. Details in [`decide`].
//!
//! # No local state
//!
//! Everything is read from the chain each block: a restart never skips a round, and a
//! transaction sent before a restart is seen as pending (the account's `pending` nonce is
//! ahead of `latest`), so it is waited for rather than duplicated, and replaced at the fee cap
//! if it is still stuck after `--replace-after-blocks`.

pub mod bot;
pub mod config;
pub mod decide;
pub mod keeper;
pub mod metrics;
pub mod step;

pub use keeper::{Keeper, KeeperError};

pub use livepeer_chain::server::init_tracing;
