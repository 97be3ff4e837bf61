//! The Livepeer contracts' rules in Rust: every computation an off-chain tool must make exactly as
//! the contracts make it, in one place, with no chain access (no provider, no network, no files,
//! no runtime). Callers read the chain (`livepeer-chain`) and hand the values in.
//!
//! | module | rules | contract |
//! |---|---|---|
//! | [`round`] | the [`Round`] type: a `uint256` round checked once, then plain arithmetic | `RoundsManager.currentRound` |
//! | [`math`] | fixed-point percentages, their divisors and truncation order | `MathLib` |
//! | [`rewards`] | the stake `reward()` mints on, the amount minted, the treasury cut, the bonding rate | `BondingManager.reward*` (`_mintRewards`), `Minter.createReward`, `Minter.setCurrentRewardTokens` |
//! | [`pool`] | the sorted transcoder pool and the hints of every `*WithHint` call | `SortedListLib`, `ActiveSetLib` |
//! | [`ticket`] | ticket hash, signature, lottery, validity rules, payable amount, reserve slice | `TicketBroker.getTicketHash`, `redeemWinningTicket`, `claimableReserve` |
//! | [`units`] | LPT / ETH amounts and the percentage scales, typed and shown | `LivepeerToken` (18 decimals), `MathLib` scales |
//! | [`governor`] | vote codes, proposal states, quorum and quota, the Treasury salt | `LivepeerGovernor`, `TimelockController` |
//!
//! Each rule is tested against the contracts: the ticket rules by the vectors shared with the
//! Solidity tests (`test/vectors/tickets.json`), and rewards, hints, payable amounts and the
//! reserve slice by differential tests that drive the deployed contracts on anvil with random
//! inputs and compare (`crates/protocol/tests/`).

pub mod governor;
pub mod math;
pub mod pool;
pub mod rewards;
pub mod round;
pub mod ticket;
pub mod units;

pub use round::{NotARound, Round};
