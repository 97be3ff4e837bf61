//! Governance: the rules the `lpt` governance commands share (vote support, proposal states,
//! tally, quorum and quota, the treasury-grant calldata, the Treasury's operation id) as pure
//! functions, plus finding the governance contracts through the Controller and the governor's
//! `ProposalCreated` / `VoteCast` events with bounded, chunked `eth_getLogs`.
//!
//! Timepoints are rounds (BondingVotes' clock). A proposal created in round `c` has its snapshot
//! at `c + votingDelay` (votes as of the end of that round) and its deadline at
//! `snapshot + votingPeriod`: voting is open from round `snapshot + 1` through round `deadline`.

use std::str::FromStr;

use alloy::{
    primitives::{Address, B256, Bytes, U256, address},
    providers::{DynProvider, Provider},
    rpc::types::{Filter, Log},
    sol_types::{SolCall, SolEvent},
};
use anyhow::{Context as _, anyhow, bail};
use livepeer_bindings::{
    IBondingVotes, ILivepeerGovernor, ILivepeerToken, TimelockController, contract_id, names,
};

use livepeer_chain::arbitrum;

use livepeer_protocol::{
    Round,
    governor::{ProposalState, Tally, description_hash},
    units::lpt,
};

use crate::{Ctx, round_of};

/// One `--call <target>:<calldata hex>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSpec {
    /// The contract the Treasury calls.
    pub target: Address,
    /// The calldata.
    pub data: Bytes,
}

impl FromStr for CallSpec {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let (target, data) = raw.trim().split_once(':').ok_or_else(|| {
            format!("`{raw}` is not a call: write <target address>:<calldata hex>, e.g. 0xAbc…:0xa9059cbb…")
        })?;
        let target = target
            .trim()
            .parse::<Address>()
            .map_err(|_| format!("`{target}` (before the `:`) is not an address"))?;
        let hex = data.trim();
        let hex = hex
            .strip_prefix("0x")
            .or_else(|| hex.strip_prefix("0X"))
            .unwrap_or(hex);
        if hex.len() < 8 {
            return Err(format!(
                "`{data}` is not calldata: give at least the 4-byte function selector, in hex"
            ));
        }
        let bytes = alloy::hex::decode(hex).map_err(|_| {
            format!("`{data}` is not calldata: an even number of hex digits after the `:`")
        })?;
        Ok(Self {
            target,
            data: bytes.into(),
        })
    }
}

/// A proposal's actions, in the governor's argument order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    /// Contracts the Treasury calls.
    pub targets: Vec<Address>,
    /// ETH sent with each call.
    pub values: Vec<U256>,
    /// Each call's calldata.
    pub calldatas: Vec<Bytes>,
}

impl Actions {
    /// A treasury grant: the Treasury calls LPT `transfer(to, amount)`, value 0.
    pub fn transfer(token: Address, to: Address, amount: U256) -> Self {
        Self {
            targets: vec![token],
            values: vec![U256::ZERO],
            calldatas: vec![transfer_calldata(to, amount)],
        }
    }

    /// Arbitrary calls, value 0 each.
    pub fn calls(calls: &[CallSpec]) -> Self {
        Self {
            targets: calls.iter().map(|c| c.target).collect(),
            values: vec![U256::ZERO; calls.len()],
            calldatas: calls.iter().map(|c| c.data.clone()).collect(),
        }
    }

    /// The LPT the actions transfer out of the Treasury (`transfer` calls on the token).
    pub fn lpt_granted(&self, token: Address) -> U256 {
        self.targets
            .iter()
            .zip(&self.calldatas)
            .filter(|(target, _)| **target == token)
            .filter_map(|(_, data)| ILivepeerToken::transferCall::abi_decode(data).ok())
            .map(|call| call.value)
            .fold(U256::ZERO, |sum, value| sum.saturating_add(value))
    }

    /// Each action in words (an LPT transfer decoded).
    pub fn describe(&self, token: Address) -> Vec<String> {
        self.targets
            .iter()
            .zip(&self.values)
            .zip(&self.calldatas)
            .map(|((target, value), data)| describe_action(token, *target, *value, data))
            .collect()
    }
}

/// LPT `transfer(to, amount)` calldata.
pub fn transfer_calldata(to: Address, amount: U256) -> Bytes {
    ILivepeerToken::transferCall { to, value: amount }
        .abi_encode()
        .into()
}

/// One action in words: `LivepeerToken.transfer(0x…, 100 LPT)`, or the raw call.
pub fn describe_action(token: Address, target: Address, value: U256, data: &Bytes) -> String {
    let with_value = |text: String| {
        if value.is_zero() {
            text
        } else {
            format!("{text} with {value} wei")
        }
    };
    if target == token
        && let Ok(call) = ILivepeerToken::transferCall::abi_decode(data)
    {
        return with_value(format!(
            "LivepeerToken.transfer({}, {})",
            call.to,
            lpt(call.value)
        ));
    }
    with_value(format!("call {target} with {data}"))
}

/// The first line of a description, trimmed, cut to `max` characters (with `…`).
pub fn first_line(description: &str, max: usize) -> String {
    let line = description
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let line = line.trim_start_matches('#').trim();
    if line.chars().count() > max {
        let cut: String = line.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        line.to_owned()
    }
}

/// When voting opens and closes, in words (after "voting"), for a refusal or a summary.
pub fn voting_window(
    state: Option<ProposalState>,
    snapshot: Round,
    deadline: Round,
    round: Round,
) -> String {
    let opens = snapshot.next();
    match state {
        Some(ProposalState::Pending) => format!(
            "opens in round {opens} (current round {round}) and closes at the end of round {deadline}"
        ),
        Some(ProposalState::Active) => {
            format!("is open through round {deadline} (current round {round})")
        }
        _ => format!("was open from round {opens} through round {deadline}"),
    }
}

/// BondingVotes' ERC-6372 clock (a `uint48`, so always a round).
pub fn clock_round(clock: alloy::primitives::aliases::U48) -> Round {
    Round::new(clock.to::<u64>())
}

/// A count of rounds or blocks the contracts answered (`what` names the call), checked.
pub fn count_of(value: U256, what: &str) -> anyhow::Result<u64> {
    u64::try_from(value).map_err(|_| anyhow!("{what} answered {value}, above 2^64"))
}

/// The governance contracts.
#[derive(Debug, Clone)]
pub struct Governance {
    /// `LivepeerGovernor`.
    pub governor: ILivepeerGovernor::ILivepeerGovernorInstance<DynProvider>,
    /// `BondingVotes`.
    pub votes: IBondingVotes::IBondingVotesInstance<DynProvider>,
    /// The Treasury (the governor's timelock).
    pub treasury: TimelockController::TimelockControllerInstance<DynProvider>,
}

async fn registered(ctx: &Ctx, name: &'static str) -> anyhow::Result<Address> {
    let controller = ctx.protocol.addresses.controller;
    let address = ctx
        .protocol
        .controller
        .getContract(contract_id(name))
        .call()
        .await
        .with_context(|| format!("looking up {name} in the Controller"))?;
    if address == Address::ZERO {
        bail!(
            "the Controller {controller} has no {name} registered: governance is not deployed on this network (it needs BondingVotes, LivepeerGovernor and Treasury)"
        );
    }
    Ok(address)
}

/// `BondingVotes`, from the Controller.
pub async fn bonding_votes(
    ctx: &Ctx,
) -> anyhow::Result<IBondingVotes::IBondingVotesInstance<DynProvider>> {
    let address = registered(ctx, names::BONDING_VOTES).await?;
    Ok(IBondingVotes::new(address, ctx.provider().clone()))
}

impl Governance {
    /// The governor and BondingVotes from the Controller; the Treasury as the governor's timelock.
    pub async fn discover(ctx: &Ctx) -> anyhow::Result<Self> {
        let votes = bonding_votes(ctx).await?;
        let address = registered(ctx, names::LIVEPEER_GOVERNOR).await?;
        let governor = ILivepeerGovernor::new(address, ctx.provider().clone());
        let timelock = governor
            .timelock()
            .call()
            .await
            .context("reading the governor's timelock (the Treasury)")?;
        Ok(Self {
            treasury: TimelockController::new(timelock, ctx.provider().clone()),
            governor,
            votes,
        })
    }

    /// The current round (the governor's clock).
    pub async fn clock(&self) -> anyhow::Result<Round> {
        Ok(clock_round(self.votes.clock().call().await?))
    }

    /// Fails with `there is no proposal <id>` unless the governor knows `id`; its snapshot and
    /// deadline rounds.
    pub async fn require_proposal(&self, id: U256) -> anyhow::Result<(Round, Round)> {
        let snapshot = self.governor.proposalSnapshot(id).call().await?;
        if snapshot.is_zero() {
            bail!("there is no proposal {id} (see `lpt proposals`)");
        }
        let deadline = self.governor.proposalDeadline(id).call().await?;
        Ok((
            round_of(snapshot, "LivepeerGovernor.proposalSnapshot()")?,
            round_of(deadline, "LivepeerGovernor.proposalDeadline()")?,
        ))
    }

    /// A proposal's state.
    pub async fn state(&self, id: U256) -> anyhow::Result<Option<ProposalState>> {
        Ok(ProposalState::from_code(
            self.governor.state(id).call().await?,
        ))
    }

    /// A proposal's votes.
    pub async fn tally(&self, id: U256) -> anyhow::Result<Tally> {
        let v = self.governor.proposalVotes(id).call().await?;
        Ok(Tally {
            against: v.againstVotes,
            for_votes: v.forVotes,
            abstain: v.abstainVotes,
        })
    }
}

/// A proposal as its `ProposalCreated` event carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The id.
    pub id: U256,
    /// Who proposed it.
    pub proposer: Address,
    /// What the Treasury will run.
    pub actions: Actions,
    /// The snapshot round (`voteStart`).
    pub snapshot: Round,
    /// The deadline round (`voteEnd`).
    pub deadline: Round,
    /// The full description.
    pub description: String,
    /// The block it was created in.
    pub block: u64,
}

impl Proposal {
    /// The proposal of a `ProposalCreated` log (`None` for another log, or rounds that are none).
    fn from_log(log: &Log) -> Option<Self> {
        let decoded = log
            .log_decode::<ILivepeerGovernor::ProposalCreated>()
            .ok()?;
        let e = decoded.inner.data;
        Some(Self {
            id: e.proposalId,
            proposer: e.proposer,
            actions: Actions {
                targets: e.targets,
                values: e.values,
                calldatas: e.calldatas,
            },
            snapshot: Round::try_from(e.voteStart).ok()?,
            deadline: Round::try_from(e.voteEnd).ok()?,
            description: e.description,
            block: log.block_number.unwrap_or_default(),
        })
    }

    /// `keccak256(description)`.
    pub fn description_hash(&self) -> B256 {
        description_hash(&self.description)
    }
}

/// First `eth_getLogs` range, in blocks; doubled after each answer up to [`MAX_LOG_CHUNK`] (or
/// below the last refused range), halved after each refusal down to [`MIN_LOG_CHUNK`].
pub const FIRST_LOG_CHUNK: u64 = 10_000;
/// The widest range asked for at once.
pub const MAX_LOG_CHUNK: u64 = 1_000_000;
/// The narrowest range before giving up.
pub const MIN_LOG_CHUNK: u64 = 100;

/// Chunk sizes of a log scan: grows after answers, never again to a size the node refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogChunks {
    /// The next range to ask for.
    pub size: u64,
    /// The widest range to grow to: below the smallest refused one.
    pub ceiling: u64,
}

impl Default for LogChunks {
    fn default() -> Self {
        Self {
            size: FIRST_LOG_CHUNK,
            ceiling: MAX_LOG_CHUNK,
        }
    }
}

impl LogChunks {
    /// After an answer: doubled, up to the ceiling.
    pub fn answered(&mut self) {
        self.size = (self.size * 2).min(self.ceiling);
    }

    /// After a refusal: halved, and the ceiling with it (a node that refuses 20,000 blocks is not
    /// asked for 20,000 again). `false` when a refused range is already the narrowest.
    pub fn refused(&mut self) -> bool {
        if self.size <= MIN_LOG_CHUNK {
            return false;
        }
        self.size = (self.size / 2).max(MIN_LOG_CHUNK);
        self.ceiling = self.size;
        true
    }
}

/// The logs of `filter` (its address and topics) in blocks `from..=to`, in chunks
/// ([`LogChunks`]), so one request never spans more than [`MAX_LOG_CHUNK`] blocks.
pub async fn get_logs_chunked(
    provider: &DynProvider,
    filter: &Filter,
    from: u64,
    to: u64,
) -> anyhow::Result<Vec<Log>> {
    let mut logs = Vec::new();
    let mut start = from;
    let mut chunks = LogChunks::default();
    while start <= to {
        let end = to.min(start.saturating_add(chunks.size - 1));
        let range = filter.clone().from_block(start).to_block(end);
        match provider.get_logs(&range).await {
            Ok(mut found) => {
                logs.append(&mut found);
                start = end + 1;
                chunks.answered();
            }
            Err(err) => {
                if !chunks.refused() {
                    return Err(anyhow!(
                        "the node refused eth_getLogs for blocks {start}–{end} ({err}): pass --from-block closer to the proposals, or use another RPC endpoint"
                    ));
                }
            }
        }
    }
    Ok(logs)
}

/// The live LivepeerGovernor on Arbitrum One (chain 42161) and the block its proxy was deployed
/// in (livepeer/protocol's deployment record): known, so no history search, which pruned nodes
/// refuse.
pub const ARBITRUM_ONE_GOVERNOR: (u64, Address, u64) = (
    42_161,
    address!("cFE4E2879B786C3aa075813F0E364bb5acCb6aa0"),
    139_793_525,
);

/// The block the contract at `address` was deployed in: a binary search of `eth_getCode` over
/// history (about 30 requests on a long chain). Needs a node that serves past state.
pub async fn deployment_block(provider: &DynProvider, address: Address) -> anyhow::Result<u64> {
    let (chain, governor, block) = ARBITRUM_ONE_GOVERNOR;
    if address == governor && provider.get_chain_id().await? == chain {
        return Ok(block);
    }
    let latest = provider.get_block_number().await?;
    let has_code = async |block: u64| -> anyhow::Result<bool> {
        let code = provider
            .get_code_at(address)
            .number(block)
            .await
            .map_err(|err| {
                anyhow!(
                    "cannot find the governor's deployment block (no state of block {block} on this node: {err}): pass --from-block <block>"
                )
            })?;
        Ok(!code.is_empty())
    };
    if !has_code(latest).await? {
        bail!("no contract at {address} at the latest block");
    }
    let (mut lo, mut hi) = (0u64, latest);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if has_code(mid).await? {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    Ok(lo)
}

/// Refuses a `--from-block` after the latest block (nothing could be found there).
pub fn require_not_past(from: u64, latest: u64) -> anyhow::Result<()> {
    if from > latest {
        bail!(
            "--from-block {from} is after the latest block ({latest}): pass a block at or before it"
        );
    }
    Ok(())
}

/// The first block to scan: `--from-block`, or the governor's deployment block.
pub async fn scan_start(
    ctx: &Ctx,
    gov: &Governance,
    from_block: Option<u64>,
) -> anyhow::Result<u64> {
    match from_block {
        Some(block) => {
            require_not_past(block, ctx.provider().get_block_number().await?)?;
            Ok(block)
        }
        None => deployment_block(ctx.provider(), *gov.governor.address()).await,
    }
}

/// Every proposal created in blocks `from..=to`, oldest first.
pub async fn scan_proposals(
    ctx: &Ctx,
    gov: &Governance,
    from: u64,
    to: u64,
) -> anyhow::Result<Vec<Proposal>> {
    let filter = Filter::new()
        .address(*gov.governor.address())
        .event_signature(ILivepeerGovernor::ProposalCreated::SIGNATURE_HASH);
    let logs = get_logs_chunked(ctx.provider(), &filter, from, to).await?;
    Ok(logs.iter().filter_map(Proposal::from_log).collect())
}

/// The `ProposalCreated` event of `id`. Without `--from-block`, the round the proposal was
/// created in (its snapshot less the voting delay) narrows the scan to its last blocks first;
/// the rest, from the governor's deployment, is scanned only if it is not there.
pub async fn find_proposal(
    ctx: &Ctx,
    gov: &Governance,
    id: U256,
    from_block: Option<u64>,
) -> anyhow::Result<Proposal> {
    let (snapshot, _) = gov.require_proposal(id).await?;
    let latest = ctx.provider().get_block_number().await?;
    let find = |found: Vec<Proposal>| found.into_iter().find(|p| p.id == id);
    if let Some(from) = from_block {
        require_not_past(from, latest)?;
        return find(scan_proposals(ctx, gov, from, latest).await?).ok_or_else(|| {
            anyhow!("proposal {id}'s ProposalCreated event is not in blocks {from}–{latest}: pass an earlier --from-block")
        });
    }
    let rm = &ctx.protocol.rounds_manager;
    let round = gov.clock().await?;
    let delay = count_of(
        gov.governor.votingDelay().call().await?,
        "LivepeerGovernor.votingDelay()",
    )?;
    let length = count_of(
        rm.roundLength().call().await?,
        "RoundsManager.roundLength()",
    )?;
    let start = count_of(
        rm.currentRoundStartBlock().call().await?,
        "RoundsManager.currentRoundStartBlock()",
    )?;
    let created = snapshot.saturating_sub(delay);
    // One round of margin: round lengths may have changed since.
    let rounds_back = round.since(created).saturating_add(1);
    // Round start blocks are the block numbers contracts see (L1 blocks on Arbitrum): the scan
    // starts at the first block that saw the estimate.
    let seen = start.saturating_sub(rounds_back.saturating_mul(length));
    let estimate = arbitrum::first_block_seeing(ctx.provider(), seen, latest).await?;
    if let Some(p) = find(scan_proposals(ctx, gov, estimate, latest).await?) {
        return Ok(p);
    }
    let deployed = deployment_block(ctx.provider(), *gov.governor.address()).await?;
    if deployed < estimate
        && let Some(p) = find(scan_proposals(ctx, gov, deployed, estimate - 1).await?)
    {
        return Ok(p);
    }
    bail!(
        "proposal {id} exists but its ProposalCreated event was not found from block {deployed}: pass --from-block <block it was created in>"
    )
}

/// A `VoteCast` of `voter` on `id` (the latest, if the node has several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CastVote {
    /// Support code.
    pub support: u8,
    /// Weight at the snapshot (before any override).
    pub weight: U256,
    /// The reason given.
    pub reason: String,
}

/// `voter`'s `VoteCast` on proposal `id`, scanning from `from` (the proposal's block).
pub async fn vote_of(
    ctx: &Ctx,
    gov: &Governance,
    id: U256,
    voter: Address,
    from: u64,
) -> anyhow::Result<Option<CastVote>> {
    let latest = ctx.provider().get_block_number().await?;
    let filter = Filter::new()
        .address(*gov.governor.address())
        .event_signature(vec![
            ILivepeerGovernor::VoteCast::SIGNATURE_HASH,
            ILivepeerGovernor::VoteCastWithParams::SIGNATURE_HASH,
        ])
        .topic1(voter.into_word());
    let logs = get_logs_chunked(ctx.provider(), &filter, from, latest).await?;
    let mut found = None;
    for log in &logs {
        if let Ok(v) = log.log_decode::<ILivepeerGovernor::VoteCast>() {
            let e = v.inner.data;
            if e.proposalId == id {
                found = Some(CastVote {
                    support: e.support,
                    weight: e.weight,
                    reason: e.reason,
                });
            }
        } else if let Ok(v) = log.log_decode::<ILivepeerGovernor::VoteCastWithParams>() {
            let e = v.inner.data;
            if e.proposalId == id {
                found = Some(CastVote {
                    support: e.support,
                    weight: e.weight,
                    reason: e.reason,
                });
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{address, hex};

    use super::*;

    fn e18(n: u64) -> U256 {
        U256::from(n) * U256::from(10).pow(U256::from(18))
    }

    #[test]
    fn call_specs_parse_and_say_what_is_wrong() -> Result<(), String> {
        let target = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
        let spec: CallSpec = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8:0xa9059cbb00".parse()?;
        assert_eq!(spec.target, target);
        assert_eq!(spec.data, Bytes::from(hex!("a9059cbb00")));
        let bare: CallSpec = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8:A9059CBB".parse()?;
        assert_eq!(bare.data, Bytes::from(hex!("a9059cbb")));
        for (bad, needle) in [
            ("0x7099", "is not a call"),
            ("0x1234:0xa9059cbb", "is not an address"),
            (
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8:0xa9",
                "4-byte function selector",
            ),
            (
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8:0xa9059cbb0",
                "even number of hex digits",
            ),
            (
                "0x70997970C51812dc3A010C7d01b50e0d17dc79C8:0xzz059cbb",
                "even number of hex digits",
            ),
        ] {
            let err = bad.parse::<CallSpec>().err().unwrap_or_default();
            assert!(err.contains(needle), "{bad}: {err}");
        }
        Ok(())
    }

    #[test]
    fn transfer_calldata_is_erc20_transfer() {
        let to = address!("70997970C51812dc3A010C7d01b50e0d17dc79C8");
        let data = transfer_calldata(to, e18(100));
        // transfer(address,uint256) = 0xa9059cbb, then the padded address and amount.
        let expected = hex!(
            "a9059cbb"
            "00000000000000000000000070997970c51812dc3a010c7d01b50e0d17dc79c8"
            "0000000000000000000000000000000000000000000000056bc75e2d63100000"
        );
        assert_eq!(data, Bytes::from(expected));
        let token = address!("5FbDB2315678afecb367f032d93F642f64180aa3");
        let actions = Actions::transfer(token, to, e18(100));
        assert_eq!(actions.targets, [token]);
        assert_eq!(actions.values, [U256::ZERO]);
        assert_eq!(
            actions.describe(token),
            [format!("LivepeerToken.transfer({to}, 100 LPT)")]
        );
        // The same calldata to another contract is shown raw.
        let other = describe_action(to, token, U256::from(5), &data);
        assert!(
            other.starts_with(&format!("call {token} with 0xa9059cbb")),
            "{other}"
        );
        assert!(other.ends_with("with 5 wei"), "{other}");
    }

    #[test]
    fn calls_keep_their_order_with_zero_value() {
        let a = address!("0000000000000000000000000000000000000001");
        let b = address!("0000000000000000000000000000000000000002");
        let specs = [
            CallSpec {
                target: a,
                data: Bytes::from(vec![1, 2, 3, 4]),
            },
            CallSpec {
                target: b,
                data: Bytes::from(vec![5, 6, 7, 8]),
            },
        ];
        let actions = Actions::calls(&specs);
        assert_eq!(actions.targets, [a, b]);
        assert_eq!(actions.values, [U256::ZERO, U256::ZERO]);
        assert_eq!(actions.calldatas[1], Bytes::from(vec![5, 6, 7, 8]));
    }

    #[test]
    fn first_lines_and_windows() {
        let r = Round::new;
        assert_eq!(first_line("\n# Grant\nbody", 40), "Grant");
        assert_eq!(first_line("abcdefghij", 5), "abcd…");
        assert_eq!(first_line("", 5), "");
        assert_eq!(
            voting_window(Some(ProposalState::Pending), r(5), r(15), r(5)),
            "opens in round 6 (current round 5) and closes at the end of round 15"
        );
        assert_eq!(
            voting_window(Some(ProposalState::Defeated), r(5), r(15), r(20)),
            "was open from round 6 through round 15"
        );
    }

    #[test]
    fn log_chunks_grow_and_shrink_within_bounds() {
        let mut chunks = LogChunks::default();
        chunks.answered();
        assert_eq!(chunks.size, 20_000);
        for _ in 0..10 {
            chunks.answered();
        }
        assert_eq!(chunks.size, MAX_LOG_CHUNK, "never above the widest range");
        chunks = LogChunks {
            size: 150,
            ceiling: MAX_LOG_CHUNK,
        };
        assert!(chunks.refused());
        assert_eq!(chunks.size, MIN_LOG_CHUNK);
        assert!(!chunks.refused(), "a refused narrowest range ends the scan");
    }

    #[test]
    fn lpt_granted_sums_the_token_transfers_only() {
        let token = address!("0000000000000000000000000000000000000001");
        let other = address!("0000000000000000000000000000000000000002");
        let to = address!("0000000000000000000000000000000000000003");
        let mut actions = Actions::transfer(token, to, U256::from(7));
        actions.targets.extend([token, other]);
        actions.values.extend([U256::ZERO, U256::ZERO]);
        actions.calldatas.extend([
            transfer_calldata(to, U256::from(5)),
            transfer_calldata(to, U256::from(100)),
        ]);
        assert_eq!(
            actions.lpt_granted(token),
            U256::from(12),
            "the call to another contract is not LPT"
        );
        assert_eq!(Actions::default().lpt_granted(token), U256::ZERO);
    }

    #[test]
    fn a_start_block_after_the_head_is_refused() {
        assert!(require_not_past(10, 10).is_ok());
        assert_eq!(
            require_not_past(999_999, 555).map_err(|e| e.to_string()),
            Err(
                "--from-block 999999 is after the latest block (555): pass a block at or before it"
                    .to_owned()
            )
        );
    }

    #[test]
    fn log_chunks_never_grow_back_to_a_refused_size() {
        // A node capped at 10,000 blocks per request.
        let mut chunks = LogChunks::default();
        chunks.answered();
        assert_eq!(chunks.size, 20_000);
        assert!(chunks.refused());
        assert_eq!(chunks.size, FIRST_LOG_CHUNK);
        for _ in 0..5 {
            chunks.answered();
            assert_eq!(
                chunks.size, FIRST_LOG_CHUNK,
                "stays at the size that was answered"
            );
        }
    }
}
