//! The command line.

use std::path::PathBuf;

use alloy::primitives::Address;
use clap::{Args, Parser, Subcommand};

use crate::units::Amount;

/// `lpt`: read and operate the Livepeer protocol from the command line.
#[derive(Debug, Parser)]
#[command(name = "lpt", version, about, propagate_version = true)]
pub struct Cli {
    /// Connection, key and output options.
    #[command(flatten)]
    pub global: Global,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// RPC URLs (http(s):// or ws(s)://), comma-separated; later ones are fallbacks.
    #[arg(
        long = "rpc-url",
        env = "LPT_RPC_URL",
        value_delimiter = ',',
        global = true
    )]
    pub rpc_urls: Vec<String>,
    /// The Controller address; every other contract is discovered from it.
    #[arg(long, env = "LPT_CONTROLLER", global = true)]
    pub controller: Option<Address>,
    /// A deployments JSON file (`contracts.Controller` is read from it) instead of --controller.
    #[arg(
        long,
        env = "LPT_DEPLOYMENTS",
        global = true,
        conflicts_with = "controller"
    )]
    pub deployments: Option<PathBuf>,
    /// Encrypted JSON keystore of the signing account (needs --password-file).
    #[arg(long, env = "LPT_KEYSTORE", global = true)]
    pub keystore: Option<PathBuf>,
    /// File holding the keystore password.
    #[arg(long, env = "LPT_PASSWORD_FILE", global = true)]
    pub password_file: Option<PathBuf>,
    /// File holding the hex private key.
    #[arg(long, env = "LPT_PRIVATE_KEY_FILE", global = true)]
    pub private_key_file: Option<PathBuf>,
    /// Name of an environment variable holding the hex private key (e.g. LPT_PRIVATE_KEY).
    #[arg(long, env = "LPT_PRIVATE_KEY_ENV", global = true)]
    pub private_key_env: Option<String>,
    /// Machine-readable JSON on stdout (amounts as decimal wei strings).
    #[arg(long, global = true)]
    pub json: bool,
    /// Send without asking for confirmation.
    #[arg(long, short = 'y', global = true)]
    pub yes: bool,
    /// Cap on maxFeePerGas, in gwei.
    #[arg(long, env = "LPT_MAX_FEE_GWEI", default_value_t = 100.0, global = true)]
    pub max_fee_gwei: f64,
    /// Priority fee (tip), in gwei.
    #[arg(
        long,
        env = "LPT_PRIORITY_FEE_GWEI",
        default_value_t = 0.001,
        global = true
    )]
    pub priority_fee_gwei: f64,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Round, lock, blocks to the next round, inflation, mintable LPT, active stake, bonding rate.
    Status,
    /// The transcoder pool (active set): stake, reward cut, fee share, last reward round.
    Pool,
    /// A delegator: bond, pending stake and fees, delegate, unbonding locks.
    Delegator(AccountArg),
    /// An orchestrator: stake, commission, activation, reward caller, service URI.
    Orchestrator(AccountArg),
    /// A broadcaster (ticket sender): deposit, reserve, unlock state; with --recipient, what a
    /// ticket to that orchestrator can be paid now.
    Sender(SenderArgs),
    /// Bond LPT to an orchestrator (to yourself: register as one), or move your bond.
    Bond(BondArgs),
    /// Move part of your bond into an unbonding lock.
    Unbond(UnbondArgs),
    /// Return an unbonding lock's LPT to your delegate (or, when fully unbonded, to --to).
    Rebond(RebondArgs),
    /// Withdraw the LPT of an unbonding lock whose unbonding period is over.
    WithdrawStake(LockArg),
    /// Withdraw earned ETH fees.
    WithdrawFees(WithdrawFeesArgs),
    /// Claim pending rewards and fees into your bond.
    Claim,
    /// Set your reward cut and fee share as an orchestrator (joins the pool if there is room).
    SetCommission(CommissionArgs),
    /// Authorize an address to call reward for you (LIP-118); `none` revokes.
    SetRewardCaller(RewardCallerArgs),
    /// Fund your broadcaster deposit and reserve (ETH).
    Fund(FundArgs),
    /// Start the unlock of your deposit and reserve.
    Unlock,
    /// Withdraw your deposit and reserve after the unlock period.
    Withdraw,
}

/// An account to show (default: the signer's address).
#[derive(Debug, Clone, Args)]
pub struct AccountArg {
    /// The address (default: the account of the configured key).
    pub address: Option<Address>,
}

/// `sender`.
#[derive(Debug, Clone, Args)]
pub struct SenderArgs {
    /// The broadcaster (default: the account of the configured key).
    pub address: Option<Address>,
    /// An orchestrator receiving its tickets: show its claimable reserve slice and `payable now`
    /// (deposit + slice), the most one ticket to it can be paid; a ticket of a higher face value is
    /// deferred (not paid) until the broadcaster adds funds, or paid that much in its last round.
    #[arg(long)]
    pub recipient: Option<Address>,
}

/// `bond`.
#[derive(Debug, Clone, Args)]
pub struct BondArgs {
    /// LPT to add (`1.5`, `1.5lpt`, `1000wei`); 0 moves an existing bond to --to.
    pub amount: Amount,
    /// The orchestrator to delegate to (your own address: self-bond).
    #[arg(long)]
    pub to: Address,
}

/// `unbond`.
#[derive(Debug, Clone, Args)]
pub struct UnbondArgs {
    /// LPT to unbond, or `all`.
    pub amount: String,
}

/// `rebond`.
#[derive(Debug, Clone, Args)]
pub struct RebondArgs {
    /// The unbonding lock id (see `lpt delegator`).
    #[arg(long)]
    pub lock: u64,
    /// Delegate to bond to when you have no bond left (rebondFromUnbonded).
    #[arg(long)]
    pub to: Option<Address>,
}

/// An unbonding lock.
#[derive(Debug, Clone, Args)]
pub struct LockArg {
    /// The unbonding lock id (see `lpt delegator`).
    #[arg(long)]
    pub lock: u64,
}

/// `withdraw-fees`.
#[derive(Debug, Clone, Args)]
pub struct WithdrawFeesArgs {
    /// ETH to withdraw (default: all pending fees).
    pub amount: Option<Amount>,
    /// Where to send the ETH (default: your address).
    #[arg(long)]
    pub recipient: Option<Address>,
}

/// `set-commission`.
#[derive(Debug, Clone, Args)]
pub struct CommissionArgs {
    /// Share of rewards you keep, in percent (`25`, `12.5%`).
    #[arg(long)]
    pub reward_cut: String,
    /// Share of fees paid to your delegators, in percent (`75`, `50%`).
    #[arg(long)]
    pub fee_share: String,
}

/// `set-reward-caller`.
#[derive(Debug, Clone, Args)]
pub struct RewardCallerArgs {
    /// The reward caller's address, or `none` to revoke.
    pub caller: String,
}

/// `fund`.
#[derive(Debug, Clone, Args)]
pub struct FundArgs {
    /// ETH added to the deposit (`0.1`, `0.1eth`, `1000wei`).
    #[arg(long, default_value = "0")]
    pub deposit: Amount,
    /// ETH added to the reserve.
    #[arg(long, default_value = "0")]
    pub reserve: Amount,
}
