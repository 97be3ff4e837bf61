//! The command line.

use std::path::PathBuf;

use alloy::primitives::{Address, U256};
use clap::{Args, Parser, Subcommand};
use livepeer_protocol::{Round, governor::Support, units::Amount};

use crate::gov::CallSpec;

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
    /// Voting power (stake) and delegate, now or at the end of a finished round.
    Votes(VotesArgs),
    /// Treasury proposals: state, votes, rounds, description.
    Proposals(ProposalsArgs),
    /// One proposal: state, tally, quorum, quota, your vote and your orchestrator's.
    Proposal(ProposalArgs),
    /// Vote on an active proposal (a delegator's vote overrides its orchestrator's).
    Vote(VoteArgs),
    /// Propose a treasury grant (`--transfer`) or any calls (`--call`) for the Treasury to run.
    Propose(ProposeArgs),
    /// Queue a succeeded proposal in the Treasury (timelock).
    Queue(ProposalArgs),
    /// Execute a queued proposal once the Treasury's delay is over.
    Execute(ProposalArgs),
}

/// `votes`.
#[derive(Debug, Clone, Args)]
pub struct VotesArgs {
    /// The account (default: the account of the configured key).
    pub address: Option<Address>,
    /// A finished round: the power and delegate as of its end (default: now, i.e. the power
    /// at the start of the next round).
    #[arg(long)]
    pub round: Option<Round>,
}

/// Where to look for the governor's `ProposalCreated` events.
#[derive(Debug, Clone, Args)]
pub struct ScanArgs {
    /// First block to scan for proposals (default: the governor's deployment block).
    #[arg(long)]
    pub from_block: Option<u64>,
}

/// `proposals`.
#[derive(Debug, Clone, Args)]
pub struct ProposalsArgs {
    /// Where to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// A proposal id (decimal, or 0x hex as some explorers show it).
pub fn parse_proposal_id(text: &str) -> Result<U256, String> {
    let t = text.trim();
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() => U256::from_str_radix(hex, 16),
        None if !t.is_empty() => U256::from_str_radix(t, 10),
        _ => Err(alloy::primitives::ruint::ParseError::InvalidDigit('?')),
    };
    parsed.map_err(|_| {
        format!("`{text}` is not a proposal id (the decimal id `lpt proposals` shows, or 0x hex)")
    })
}

/// `proposal`, `queue`, `execute`.
#[derive(Debug, Clone, Args)]
pub struct ProposalArgs {
    /// The proposal id (as `lpt proposals` shows it).
    #[arg(value_parser = parse_proposal_id)]
    pub id: U256,
    /// Where to scan.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `vote`.
#[derive(Debug, Clone, Args)]
pub struct VoteArgs {
    /// The proposal id.
    #[arg(value_parser = parse_proposal_id)]
    pub id: U256,
    /// `for`, `against` or `abstain`.
    pub support: Support,
    /// A reason, recorded on chain with the vote (castVoteWithReason).
    #[arg(long)]
    pub reason: Option<String>,
}

/// `propose`.
#[derive(Debug, Clone, Args)]
pub struct ProposeArgs {
    /// LPT the Treasury transfers (a grant), to --to.
    #[arg(long, requires = "to", conflicts_with = "calls")]
    pub transfer: Option<Amount>,
    /// The grant's recipient.
    #[arg(long, requires = "transfer")]
    pub to: Option<Address>,
    /// A call for the Treasury to make, `<target>:<calldata hex>` (repeatable, in order).
    #[arg(long = "call", value_name = "TARGET:CALLDATA")]
    pub calls: Vec<CallSpec>,
    /// What the proposal is for (the first line is its title).
    #[arg(long)]
    pub description: String,
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

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;

    fn parse(args: &[&str]) -> Result<Command, String> {
        Cli::try_parse_from([&["lpt"], args].concat())
            .map(|cli| cli.command)
            .map_err(|e| e.to_string())
    }

    const TO: &str = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    #[test]
    fn governance_commands_parse() -> Result<(), String> {
        match parse(&["votes", TO, "--round", "7"])? {
            Command::Votes(a) => {
                assert_eq!(a.address.map(|a| a.to_string()), Some(TO.to_owned()));
                assert_eq!(a.round, Some(Round::new(7)));
            }
            other => return Err(format!("{other:?}")),
        }
        match parse(&["votes"])? {
            Command::Votes(a) => assert!(a.address.is_none() && a.round.is_none()),
            other => return Err(format!("{other:?}")),
        }
        match parse(&["proposals", "--from-block", "100"])? {
            Command::Proposals(a) => assert_eq!(a.scan.from_block, Some(100)),
            other => return Err(format!("{other:?}")),
        }
        match parse(&["proposal", "0x2a"])? {
            Command::Proposal(a) => assert_eq!(a.id, U256::from(42)),
            other => return Err(format!("{other:?}")),
        }
        match parse(&["vote", "42", "AGAINST", "--reason", "too much"])? {
            Command::Vote(a) => {
                assert_eq!((a.id, a.support), (U256::from(42), Support::Against));
                assert_eq!(a.reason.as_deref(), Some("too much"));
            }
            other => return Err(format!("{other:?}")),
        }
        match parse(&[
            "propose",
            "--transfer",
            "100lpt",
            "--to",
            TO,
            "--description",
            "Grant",
        ])? {
            Command::Propose(a) => {
                assert_eq!(
                    a.transfer.map(|t| t.wei),
                    Some(U256::from(100u64) * U256::from(10u64).pow(U256::from(18)))
                );
                assert!(a.calls.is_empty());
                assert_eq!(a.description, "Grant");
            }
            other => return Err(format!("{other:?}")),
        }
        let call = format!("{TO}:0xa9059cbb");
        match parse(&[
            "propose",
            "--call",
            &call,
            "--call",
            &call,
            "--description",
            "x",
        ])? {
            Command::Propose(a) => assert_eq!(a.calls.len(), 2),
            other => return Err(format!("{other:?}")),
        }
        for (cmd, id) in [("queue", "5"), ("execute", "5")] {
            match parse(&[cmd, id, "--from-block", "1"])? {
                Command::Queue(a) | Command::Execute(a) => {
                    assert_eq!((a.id, a.scan.from_block), (U256::from(5), Some(1)));
                }
                other => return Err(format!("{other:?}")),
            }
        }
        Ok(())
    }

    #[test]
    fn bad_governance_arguments_are_refused() {
        let call = format!("{TO}:0xa9059cbb");
        for (args, needle) in [
            (vec!["vote", "1", "maybe"], "is not a vote"),
            (vec!["vote", "x1", "for"], "is not a proposal id"),
            (vec!["proposal", "-1"], "error"),
            (vec!["votes", "--round", "soon"], "invalid value"),
            (
                vec!["propose", "--transfer", "1", "--description", "d"],
                "--to",
            ),
            (
                vec!["propose", "--to", TO, "--description", "d"],
                "--transfer",
            ),
            (
                vec![
                    "propose",
                    "--transfer",
                    "1",
                    "--to",
                    TO,
                    "--call",
                    &call,
                    "--description",
                    "d",
                ],
                "cannot be used with",
            ),
            (
                vec!["propose", "--call", "0x12:ab", "--description", "d"],
                "is not an address",
            ),
            (
                vec!["propose", "--transfer", "1", "--to", TO],
                "--description",
            ),
            (
                vec![
                    "propose",
                    "--transfer",
                    "1.2.3",
                    "--to",
                    TO,
                    "--description",
                    "d",
                ],
                "is not an amount",
            ),
        ] {
            let err = parse(&args).err().unwrap_or_default();
            assert!(err.contains(needle), "{args:?}: {err}");
        }
        assert_eq!(parse_proposal_id(" 0X10 "), Ok(U256::from(16)));
        assert!(parse_proposal_id("").is_err());
    }
}
