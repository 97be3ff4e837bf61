//! The governance write commands: `vote`, `propose`, `queue`, `execute`. Each checks what the
//! governor would refuse (state, vote already cast, no votes, proposal threshold, the Treasury's
//! delay) and says it in words before anything is sent; then the usual plan, confirmation and
//! simulated send of [`crate::write`].

use alloy::{
    eips::BlockNumberOrTag,
    primitives::{Address, B256, U256},
    providers::Provider,
};
use anyhow::{anyhow, bail};
use livepeer_protocol::{
    Round,
    governor::{ProposalState, description_hash, state_name, timelock_salts},
    units::{Unit, lpt},
};
use serde_json::json;

use crate::{
    Ctx, Output,
    cli::{ProposalArgs, ProposeArgs, VoteArgs},
    gov::{self, Actions, Governance, first_line, voting_window},
    write::{Plan, execute as send},
};

fn s(v: U256) -> String {
    v.to_string()
}

/// The state of `id`, refusing an id the governor does not know.
async fn proposal_state(
    gov: &Governance,
    id: U256,
) -> anyhow::Result<(Option<ProposalState>, u8, Round, Round)> {
    let (snapshot, deadline) = gov.require_proposal(id).await?;
    let code = gov.governor.state(id).call().await?;
    Ok((ProposalState::from_code(code), code, snapshot, deadline))
}

/// `vote <id> for|against|abstain [--reason TEXT]`.
pub async fn vote(ctx: &Ctx, args: VoteArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let gov = Governance::discover(ctx).await?;
    let id = args.id;
    let (state, code, snapshot, deadline) = proposal_state(&gov, id).await?;
    let round = gov.clock().await?;
    if state != Some(ProposalState::Active) {
        bail!(
            "proposal {id} is {}, not Active: voting {}",
            state_name(code),
            voting_window(state, snapshot, deadline, round)
        );
    }
    if gov.governor.hasVoted(id, me).call().await? {
        bail!("{me} already voted on proposal {id}: a vote cannot be changed");
    }
    let at = snapshot.to_u256();
    let weight = gov.governor.getVotes(me, at).call().await?;
    if weight.is_zero() {
        bail!(
            "{me} had 0 votes at the snapshot (the end of round {snapshot}): only stake bonded to a registered orchestrator by then counts"
        );
    }
    let delegate = gov.votes.delegatedAt(me, at).call().await?;
    let mut plan = Plan::new("vote", me);
    plan.item("proposal", id.to_string(), s(id));
    plan.item("support", args.support.name(), args.support.name());
    plan.item("weight", lpt(weight), s(weight));
    if delegate != me && delegate != Address::ZERO {
        let voted = gov.governor.hasVoted(id, delegate).call().await?;
        plan.item(
            "overrides",
            format!(
                "your orchestrator {delegate}'s vote for your stake ({})",
                if voted {
                    "it has voted: your stake leaves its vote"
                } else {
                    "it has not voted yet"
                }
            ),
            delegate.to_string(),
        );
    }
    plan.item(
        "voting",
        voting_window(state, snapshot, deadline, round),
        deadline.to_string(),
    );
    let governor = &gov.governor;
    match &args.reason {
        Some(reason) => {
            plan.item("reason", first_line(reason, 80), reason.clone());
            plan.tx(
                "castVoteWithReason",
                governor
                    .castVoteWithReason(id, args.support.code(), reason.clone())
                    .into_transaction_request(),
            );
        }
        None => plan.tx(
            "castVote",
            governor
                .castVote(id, args.support.code())
                .into_transaction_request(),
        ),
    }
    send(ctx, signer, plan).await
}

/// `propose (--transfer <amount> --to <addr> | --call <target>:<calldata>…) --description <text>`.
pub async fn propose(ctx: &Ctx, args: ProposeArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let description = args.description.trim().to_owned();
    if description.is_empty() {
        bail!("--description is empty: say what the proposal is for (its first line is the title)");
    }
    let token = ctx.protocol.addresses.token;
    let (actions, grant) = match (&args.transfer, args.to, args.calls.is_empty()) {
        (Some(amount), Some(to), true) => {
            let amount = amount
                .of(Unit::Lpt)
                .map_err(|e| anyhow!("--transfer: {e}"))?;
            if amount.is_zero() {
                bail!("--transfer is 0: give the LPT the Treasury grants");
            }
            if to == Address::ZERO {
                bail!("--to is the zero address: give the grant's recipient");
            }
            (Actions::transfer(token, to, amount), Some(amount))
        }
        (None, None, false) => (Actions::calls(&args.calls), None),
        _ => bail!(
            "nothing to propose: pass --transfer <amount> --to <address> (a treasury grant), or --call <target>:<calldata> (repeatable)"
        ),
    };
    let gov = Governance::discover(ctx).await?;
    let governor = &gov.governor;
    let round = gov.clock().await?;
    // OpenZeppelin's propose checks the proposer's votes at the end of the last round.
    let threshold = governor.proposalThreshold().call().await?;
    let past = round.saturating_sub(1);
    let power = if round.is_zero() {
        U256::ZERO
    } else {
        governor.getVotes(me, past.to_u256()).call().await?
    };
    if power < threshold {
        bail!(
            "proposing needs {} of votes at the end of the last round (round {past}); {me} had {}: bond {} more (stake counts from the round after it is bonded)",
            lpt(threshold),
            lpt(power),
            lpt(threshold - power)
        );
    }
    let hash = description_hash(&description);
    let id = governor
        .hashProposal(
            actions.targets.clone(),
            actions.values.clone(),
            actions.calldatas.clone(),
            hash,
        )
        .call()
        .await?;
    if !governor.proposalSnapshot(id).call().await?.is_zero() {
        let code = governor.state(id).call().await?;
        bail!(
            "proposal {id} with these actions and this description already exists ({}): change the description to propose again",
            state_name(code)
        );
    }
    let delay = gov::count_of(
        governor.votingDelay().call().await?,
        "LivepeerGovernor.votingDelay()",
    )?;
    let period = gov::count_of(
        governor.votingPeriod().call().await?,
        "LivepeerGovernor.votingPeriod()",
    )?;
    let snapshot = round.saturating_add(delay);
    let deadline = snapshot.saturating_add(period);

    let mut plan = Plan::new("propose", me);
    plan.item("proposal id", id.to_string(), s(id));
    let texts = actions.describe(token);
    plan.item("actions", texts.join("; "), json!(texts));
    plan.item(
        "description",
        first_line(&description, 80),
        description.clone(),
    );
    plan.item(
        "voting",
        format!("from round {} through round {deadline}", snapshot.next()),
        json!({ "snapshot": snapshot.to_string(), "deadline": deadline.to_string() }),
    );
    plan.item(
        "your votes",
        format!("{} (threshold {})", lpt(power), lpt(threshold)),
        s(power),
    );
    if let Some(amount) = grant {
        let treasury = *gov.treasury.address();
        let held = ctx.protocol.token.balanceOf(treasury).call().await?;
        if held < amount {
            plan.item(
                "note",
                format!(
                    "the Treasury holds {} now: the grant can be executed only once it holds {}",
                    lpt(held),
                    lpt(amount)
                ),
                json!({ "treasuryBalance": s(held), "grant": s(amount) }),
            );
        }
    }
    plan.tx(
        "propose",
        governor
            .propose(
                actions.targets.clone(),
                actions.values.clone(),
                actions.calldatas.clone(),
                description,
            )
            .into_transaction_request(),
    );
    let mut out = send(ctx, signer, plan).await?;
    out.json["proposalId"] = json!(s(id));
    out.human.push_str(&format!(
        "proposal {id}: voting from round {} through round {deadline}\n",
        snapshot.next()
    ));
    Ok(out)
}

/// The Treasury's operation id of a proposal queued for `eta`: a batch with no predecessor and
/// one of the governor's salts ([`timelock_salts`]), the one scheduled for `eta`.
async fn operation_id(
    gov: &Governance,
    actions: &Actions,
    hash: B256,
    eta: U256,
) -> anyhow::Result<Option<B256>> {
    for salt in timelock_salts(*gov.governor.address(), hash) {
        let op = gov
            .treasury
            .hashOperationBatch(
                actions.targets.clone(),
                actions.values.clone(),
                actions.calldatas.clone(),
                B256::ZERO,
                salt,
            )
            .call()
            .await?;
        if gov.treasury.getTimestamp(op).call().await? == eta {
            return Ok(Some(op));
        }
    }
    Ok(None)
}

async fn latest_timestamp(ctx: &Ctx) -> anyhow::Result<u64> {
    Ok(ctx
        .provider()
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await?
        .map(|b| b.header.timestamp)
        .unwrap_or_default())
}

/// Why a proposal in `state` cannot be queued (or executed), in words.
fn not_ready(
    action: &str,
    id: U256,
    state: Option<ProposalState>,
    code: u8,
    deadline: Round,
    round: Round,
) -> String {
    let why = match state {
        Some(ProposalState::Pending | ProposalState::Active) => {
            format!("voting closes at the end of round {deadline} (current round {round})")
        }
        Some(ProposalState::Defeated) => {
            "it did not pass (quorum not reached, or not enough for votes)".to_owned()
        }
        Some(ProposalState::Succeeded) => format!("queue it first: `lpt queue {id}`"),
        Some(ProposalState::Queued) => format!("it is already queued: `lpt execute {id}`"),
        Some(ProposalState::Executed) => "it was already executed".to_owned(),
        Some(ProposalState::Canceled) => "it was canceled".to_owned(),
        Some(ProposalState::Expired) => "it expired".to_owned(),
        None => "unknown state".to_owned(),
    };
    let needs = if action == "queue" {
        "Succeeded"
    } else {
        "Queued"
    };
    format!(
        "proposal {id} is {}: only a {needs} proposal can be {action}d; {why}",
        state_name(code)
    )
}

/// The governance contracts and proposal `args.id`, refused unless it is in state `needed` for
/// `action` (`queue` or `execute`).
async fn proposal_in(
    ctx: &Ctx,
    args: &ProposalArgs,
    action: &str,
    needed: ProposalState,
) -> anyhow::Result<(Governance, gov::Proposal)> {
    let gov = Governance::discover(ctx).await?;
    let id = args.id;
    let (state, code, _, deadline) = proposal_state(&gov, id).await?;
    if state != Some(needed) {
        let round = gov.clock().await?;
        bail!("{}", not_ready(action, id, state, code, deadline, round));
    }
    let p = gov::find_proposal(ctx, &gov, id, args.scan.from_block).await?;
    Ok((gov, p))
}

/// The start of a queue or execute summary: the proposal, its description and its actions.
fn proposal_plan(ctx: &Ctx, action: &'static str, me: Address, p: &gov::Proposal) -> Plan {
    let mut plan = Plan::new(action, me);
    plan.item("proposal", p.id.to_string(), s(p.id));
    plan.item(
        "description",
        first_line(&p.description, 80),
        p.description.clone(),
    );
    let texts = p.actions.describe(ctx.protocol.addresses.token);
    plan.item("actions", texts.join("; "), json!(texts));
    plan
}

/// `queue <id>`.
pub async fn queue(ctx: &Ctx, args: ProposalArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let (gov, p) = proposal_in(ctx, &args, "queue", ProposalState::Succeeded).await?;
    let hash = p.description_hash();
    let delay = gov.treasury.getMinDelay().call().await?;
    let ready = U256::from(latest_timestamp(ctx).await?) + delay;
    let mut plan = proposal_plan(ctx, "queue", me, &p);
    plan.item(
        "executable",
        format!("after the Treasury's delay of {delay} s (about unix time {ready})"),
        s(ready),
    );
    plan.tx(
        "queue",
        gov.governor
            .queue(
                p.actions.targets.clone(),
                p.actions.values.clone(),
                p.actions.calldatas.clone(),
                hash,
            )
            .into_transaction_request(),
    );
    send(ctx, signer, plan).await
}

/// `execute <id>`.
pub async fn execute(ctx: &Ctx, args: ProposalArgs) -> anyhow::Result<Output> {
    let signer = ctx.signer()?;
    let me = signer.address();
    let id = args.id;
    let (gov, p) = proposal_in(ctx, &args, "execute", ProposalState::Queued).await?;
    let hash = p.description_hash();
    // The governor's own record of when the Treasury may run it (OpenZeppelin 4 and 5 alike).
    let eta = gov.governor.proposalEta(id).call().await?;
    if eta.is_zero() {
        bail!("proposal {id} is Queued but the governor reports no Treasury operation for it");
    }
    let now = latest_timestamp(ctx).await?;
    if eta > U256::from(now) {
        bail!(
            "proposal {id} is queued; the Treasury's delay ends at unix time {eta} ({} s after the latest block's {now}): execute then",
            eta - U256::from(now)
        );
    }
    let op = operation_id(&gov, &p.actions, hash, eta).await?;
    let token = ctx.protocol.addresses.token;
    let granted = p.actions.lpt_granted(token);
    if !granted.is_zero() {
        let held = ctx
            .protocol
            .token
            .balanceOf(*gov.treasury.address())
            .call()
            .await?;
        if held < granted {
            bail!(
                "proposal {id} transfers {} but the Treasury holds {}: the execution would revert until it holds {} more",
                lpt(granted),
                lpt(held),
                lpt(granted - held)
            );
        }
    }
    let value: U256 = p.actions.values.iter().copied().sum();
    let mut plan = proposal_plan(ctx, "execute", me, &p);
    if let Some(op) = op {
        plan.item("treasury operation", op.to_string(), op.to_string());
    }
    plan.tx(
        "execute",
        gov.governor
            .execute(
                p.actions.targets.clone(),
                p.actions.values.clone(),
                p.actions.calldatas.clone(),
                hash,
            )
            .value(value)
            .into_transaction_request(),
    );
    send(ctx, signer, plan).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_say_the_state_and_what_to_do() {
        let id = U256::from(42);
        let r = Round::new;
        assert_eq!(
            not_ready("queue", id, Some(ProposalState::Active), 1, r(15), r(12)),
            "proposal 42 is Active: only a Succeeded proposal can be queued; voting closes at the end of round 15 (current round 12)"
        );
        assert_eq!(
            not_ready(
                "execute",
                id,
                Some(ProposalState::Succeeded),
                4,
                r(15),
                r(16)
            ),
            "proposal 42 is Succeeded: only a Queued proposal can be executed; queue it first: `lpt queue 42`"
        );
        assert!(
            not_ready("queue", id, Some(ProposalState::Defeated), 3, r(15), r(16))
                .contains("did not pass")
        );
    }
}
