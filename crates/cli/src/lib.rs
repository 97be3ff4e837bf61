//! `lpt`, the operator CLI of the Livepeer protocol, as a library: the binary only parses the
//! command line and prints what [`run`] returns.
//!
//! Reads (`status`, `pool`, `delegator`, `orchestrator`, `sender`) and writes (`bond`, `unbond`,
//! `rebond`, `withdraw-stake`, `withdraw-fees`, `claim`, `set-commission`, `set-reward-caller`,
//! `fund`, `unlock`, `withdraw`) and governance (`votes`, `proposals`, `proposal`, `vote`,
//! `propose`, `queue`, `execute`: [`gov`]) go through the shared chain layer (`livepeer-chain`): contracts
//! discovered from the Controller, sorted-pool hints from [`livepeer_protocol::pool`], transactions
//! simulated before they are sent and reverts decoded into the contracts' custom errors.

pub mod cli;
pub mod explain;
pub mod gov;
pub mod gov_read;
pub mod gov_write;
pub mod output;
pub mod read;
pub mod write;

use std::path::Path;

use alloy::{
    primitives::{Address, U256},
    providers::{DynProvider, Provider},
    signers::local::PrivateKeySigner,
};
use anyhow::{Context as _, anyhow, bail};
use livepeer_chain::{
    counter::RequestCounter,
    protocol::Protocol,
    provider::{Rpc, RpcConfig, connect, redact},
    signer::{KeySource, load_signer},
};

use livepeer_protocol::Round;

use crate::cli::{Cli, Command, Global};

/// What a command prints on stdout.
#[derive(Debug, Clone)]
pub struct Output {
    /// The `--json` form.
    pub json: serde_json::Value,
    /// The human form.
    pub human: String,
}

impl Output {
    /// The text to print for `json` mode or not.
    pub fn render(&self, json: bool) -> String {
        if json {
            let mut text = serde_json::to_string_pretty(&self.json).unwrap_or_default();
            text.push('\n');
            text
        } else {
            self.human.clone()
        }
    }
}

/// A connected session: provider, contracts, options.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The RPC client.
    pub rpc: Rpc,
    /// The protocol's contracts.
    pub protocol: Protocol,
    /// The global options.
    pub global: Global,
}

impl Ctx {
    /// The provider.
    pub fn provider(&self) -> &DynProvider {
        &self.rpc.provider
    }

    /// The signer from the key options; an error naming the options if none is configured.
    pub fn signer(&self) -> anyhow::Result<PrivateKeySigner> {
        let source = key_source(&self.global)?.ok_or_else(|| {
            anyhow!(
                "no key configured: pass --private-key-file <file>, --private-key-env <VAR> or --keystore <file> --password-file <file>"
            )
        })?;
        Ok(load_signer(&source)?)
    }

    /// `address`, or the configured key's address.
    pub fn account(&self, address: Option<Address>) -> anyhow::Result<Address> {
        match address {
            Some(address) => Ok(address),
            None => match key_source(&self.global)? {
                Some(source) => Ok(load_signer(&source)?.address()),
                None => bail!("give an address, or configure a key to use its address"),
            },
        }
    }
}

/// A round a contract answered (`what` names the call), checked: a value that cannot be a
/// round is an error, not a saturated number.
pub fn round_of(value: U256, what: &str) -> anyhow::Result<Round> {
    Round::try_from(value).with_context(|| format!("{what} did not answer a round"))
}

/// The key source from the options (`None` if no key option is given).
pub fn key_source(g: &Global) -> anyhow::Result<Option<KeySource>> {
    Ok(
        match (
            &g.keystore,
            &g.password_file,
            &g.private_key_file,
            &g.private_key_env,
        ) {
            (None, None, None, None) => None,
            (Some(keystore), Some(password_file), None, None) => Some(KeySource::Keystore {
                keystore: keystore.clone(),
                password_file: password_file.clone(),
            }),
            (Some(_), None, None, None) => bail!("--keystore needs --password-file"),
            (None, Some(_), None, None) => bail!("--password-file needs --keystore"),
            (None, None, Some(path), None) => Some(KeySource::PrivateKeyFile(path.clone())),
            (None, None, None, Some(var)) => Some(KeySource::PrivateKeyEnv(var.clone())),
            _ => bail!(
                "give one key: --keystore + --password-file, --private-key-file or --private-key-env"
            ),
        },
    )
}

/// The Controller address from the deployments file's `contracts.Controller`.
pub fn controller_from_file(path: &Path) -> anyhow::Result<Address> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read deployments file {}", path.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("deployments file {} is not JSON", path.display()))?;
    json.pointer("/contracts/Controller")
        .and_then(|v| v.as_str())
        .and_then(|s| s.parse::<Address>().ok())
        .ok_or_else(|| {
            anyhow!(
                "deployments file {} has no contracts.Controller address",
                path.display()
            )
        })
}

/// Connects and discovers the protocol.
pub async fn connect_ctx(global: &Global) -> anyhow::Result<Ctx> {
    if global.rpc_urls.is_empty() {
        bail!("no RPC URL: pass --rpc-url <url> or set LPT_RPC_URL");
    }
    let controller = match (global.controller, &global.deployments) {
        (Some(address), _) => address,
        (None, Some(path)) => controller_from_file(path)?,
        (None, None) => bail!(
            "no Controller: pass --controller <address> or --deployments <file> (or set LPT_CONTROLLER)"
        ),
    };
    let mut config = RpcConfig::new(global.rpc_urls.clone());
    config.max_retries = 2;
    let rpc = connect(&config, RequestCounter::new()).await?;
    let chain_id = rpc
        .provider
        .get_chain_id()
        .await
        .map_err(|err| anyhow!("cannot reach the RPC endpoint: {err}"))?;
    let code = rpc.provider.get_code_at(controller).await?;
    if code.is_empty() {
        bail!(
            "no contract at {controller} on chain {chain_id}: check --controller / --deployments"
        );
    }
    let protocol = Protocol::discover(rpc.provider.clone(), controller)
        .await
        .with_context(|| format!("{controller} does not look like a Livepeer Controller"))?;
    Ok(Ctx {
        rpc,
        protocol,
        global: global.clone(),
    })
}

/// Runs one command and returns what to print on stdout. A revert anywhere in the error is
/// described in words ([`explain::user_error`]).
pub async fn run(cli: Cli) -> anyhow::Result<String> {
    run_command(cli).await.map_err(explain::user_error)
}

async fn run_command(cli: Cli) -> anyhow::Result<String> {
    // Check the key options before any network access, so a typo fails fast.
    key_source(&cli.global)?;
    let ctx = connect_ctx(&cli.global).await?;
    let json = cli.global.json;
    let out = match cli.command {
        Command::Status => read::status(&ctx).await?,
        Command::Pool => read::pool(&ctx).await?,
        Command::Delegator(a) => read::delegator(&ctx, ctx.account(a.address)?).await?,
        Command::Orchestrator(a) => read::orchestrator(&ctx, ctx.account(a.address)?).await?,
        Command::Sender(a) => read::sender(&ctx, ctx.account(a.address)?, a.recipient).await?,
        Command::Bond(a) => write::bond(&ctx, a).await?,
        Command::Unbond(a) => write::unbond(&ctx, a).await?,
        Command::Rebond(a) => write::rebond(&ctx, a).await?,
        Command::WithdrawStake(a) => write::withdraw_stake(&ctx, a).await?,
        Command::WithdrawFees(a) => write::withdraw_fees(&ctx, a).await?,
        Command::Claim => write::claim(&ctx).await?,
        Command::SetCommission(a) => write::set_commission(&ctx, a).await?,
        Command::SetRewardCaller(a) => write::set_reward_caller(&ctx, a).await?,
        Command::Fund(a) => write::fund(&ctx, a).await?,
        Command::Unlock => write::unlock(&ctx).await?,
        Command::Withdraw => write::withdraw(&ctx).await?,
        Command::Votes(a) => gov_read::votes(&ctx, ctx.account(a.address)?, a.round).await?,
        Command::Proposals(a) => gov_read::proposals(&ctx, &a.scan).await?,
        Command::Proposal(a) => gov_read::proposal(&ctx, a.id, &a.scan).await?,
        Command::Vote(a) => gov_write::vote(&ctx, a).await?,
        Command::Propose(a) => gov_write::propose(&ctx, a).await?,
        Command::Queue(a) => gov_write::queue(&ctx, a).await?,
        Command::Execute(a) => gov_write::execute(&ctx, a).await?,
    };
    Ok(out.render(json))
}

/// An error as one line: the context chain joined with `: `, newlines folded, RPC URLs redacted
/// (API keys often live in their paths).
pub fn one_line(err: &anyhow::Error, rpc_urls: &[String]) -> String {
    let mut text = format!("{err:#}");
    for raw in rpc_urls {
        let Ok(url) = raw.parse::<url::Url>() else {
            continue;
        };
        let short = redact(&url);
        let mut bare = url.clone();
        let _ = bare.set_username("");
        let _ = bare.set_password(None);
        // Longest first, so a prefix never leaves the rest of a longer form behind.
        let mut forms = vec![raw.clone(), url.to_string(), bare.to_string()];
        forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
        for form in forms {
            let form = form.trim_end_matches('/');
            if form.len() > short.len() {
                text = text.replace(form, &short);
            }
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_folds_and_redacts() {
        let err = anyhow!("error sending request for url (http://127.0.0.1:9/APIKEY123)\nmore")
            .context("cannot reach the RPC endpoint");
        let urls = vec!["http://user:secret@127.0.0.1:9/APIKEY123".to_owned()];
        let line = one_line(&err, &urls);
        assert_eq!(
            line,
            "cannot reach the RPC endpoint: error sending request for url (http://127.0.0.1:9) more"
        );
    }
}
