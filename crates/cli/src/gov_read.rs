//! The governance read commands: `votes`, `proposals`, `proposal`.

use alloy::{
    primitives::{Address, U256},
    providers::Provider,
};
use anyhow::bail;
use livepeer_protocol::{
    Round,
    governor::{ProposalState, Tally, share, state_name, support_name},
    units::{lpt, percent_1e6},
};
use serde_json::{Value, json};

use crate::{
    Ctx, Output,
    cli::ScanArgs,
    gov::{self, CastVote, Governance, bonding_votes, first_line, voting_window},
    key_source,
    output::{kv, table},
};

fn s(v: U256) -> String {
    v.to_string()
}

fn delegate_text(account: Address, delegate: Address) -> String {
    if delegate == Address::ZERO {
        "none (nothing bonded)".to_owned()
    } else if delegate == account {
        format!("{delegate} (itself: an orchestrator)")
    } else {
        delegate.to_string()
    }
}

/// `votes [addr] [--round R]`.
pub async fn votes(ctx: &Ctx, addr: Address, round: Option<Round>) -> anyhow::Result<Output> {
    let bv = bonding_votes(ctx).await?;
    let clock = gov::clock_round(bv.clock().call().await?);
    let (votes, delegate, total, as_of) = match round {
        None => (
            bv.getVotes(addr).call().await?,
            bv.delegates(addr).call().await?,
            bv.totalSupply().call().await?,
            format!("the start of round {} (the next round)", clock.next()),
        ),
        Some(r) => {
            if r >= clock {
                let Some(latest) = clock.prev() else {
                    bail!("round {r} has not finished; no round has finished yet");
                };
                bail!("round {r} has not finished; latest is {latest}");
            }
            let r256 = r.to_u256();
            (
                bv.getPastVotes(addr, r256).call().await?,
                bv.delegatedAt(addr, r256).call().await?,
                bv.getPastTotalSupply(r256).call().await?,
                format!("the end of round {r}"),
            )
        }
    };
    let share = share(votes, total);
    let json = json!({
        "address": addr,
        "round": round.map(|r| r.to_string()),
        "currentRound": clock.to_string(),
        "votes": s(votes),
        "delegate": delegate,
        "totalVotes": s(total),
        "share": s(share),
    });
    let human = kv(&[
        ("address", addr.to_string()),
        (
            "voting power",
            format!(
                "{} ({} of the active stake)",
                lpt(votes),
                percent_1e6(share)
            ),
        ),
        ("as of", as_of),
        ("delegate", delegate_text(addr, delegate)),
        ("total voting power", lpt(total)),
    ]);
    Ok(Output { json, human })
}

/// The state name, or `state N` for a code OpenZeppelin does not have.
fn state_text(state: Option<ProposalState>, code: u8) -> String {
    state.map_or_else(|| state_name(code), |s| s.name().to_owned())
}

/// `proposals [--from-block B]`.
pub async fn proposals(ctx: &Ctx, scan: &ScanArgs) -> anyhow::Result<Output> {
    let gov = Governance::discover(ctx).await?;
    let from = gov::scan_start(ctx, &gov, scan.from_block).await?;
    let latest = ctx.provider().get_block_number().await?;
    let found = gov::scan_proposals(ctx, &gov, from, latest).await?;
    let mut items = Vec::new();
    let mut rows = Vec::new();
    for p in &found {
        let code = gov.governor.state(p.id).call().await?;
        let t = gov.tally(p.id).await?;
        let state = state_text(ProposalState::from_code(code), code);
        items.push(json!({
            "id": s(p.id),
            "state": state,
            "proposer": p.proposer,
            "snapshot": p.snapshot.to_string(),
            "deadline": p.deadline.to_string(),
            "for": s(t.for_votes),
            "against": s(t.against),
            "abstain": s(t.abstain),
            "title": first_line(&p.description, 200),
            "block": p.block,
        }));
        rows.push(vec![
            p.id.to_string(),
            state,
            p.proposer.to_string(),
            format!("{}–{}", p.snapshot.next(), p.deadline),
            lpt(t.for_votes),
            lpt(t.against),
            lpt(t.abstain),
            first_line(&p.description, 50),
        ]);
    }
    let json = json!({ "fromBlock": from, "toBlock": latest, "proposals": items });
    let human = if rows.is_empty() {
        format!("no proposals in blocks {from}–{latest}\n")
    } else {
        table(
            &[
                "id",
                "state",
                "proposer",
                "voting rounds",
                "for",
                "against",
                "abstain",
                "description",
            ],
            &rows,
        )
    };
    Ok(Output { json, human })
}

fn vote_json(v: &Option<CastVote>) -> Value {
    match v {
        Some(v) => json!({
            "support": support_name(v.support),
            "weight": s(v.weight),
            "reason": v.reason,
        }),
        None => Value::Null,
    }
}

fn vote_text(v: &Option<CastVote>, voted: bool) -> String {
    match (v, voted) {
        (Some(v), _) => {
            let reason = if v.reason.is_empty() {
                String::new()
            } else {
                format!(" (\"{}\")", first_line(&v.reason, 60))
            };
            format!("{} with {}{reason}", support_name(v.support), lpt(v.weight))
        }
        (None, true) => "voted (its VoteCast event was not found)".to_owned(),
        (None, false) => "has not voted".to_owned(),
    }
}

/// `proposal <id> [--from-block B]`.
pub async fn proposal(ctx: &Ctx, id: U256, scan: &ScanArgs) -> anyhow::Result<Output> {
    let gov = Governance::discover(ctx).await?;
    let p = gov::find_proposal(ctx, &gov, id, scan.from_block).await?;
    let round = gov.clock().await?;
    let code = gov.governor.state(id).call().await?;
    let state = ProposalState::from_code(code);
    let t: Tally = gov.tally(id).await?;
    let snapshot = p.snapshot.to_u256();
    // Quorum is a fraction of the active stake at the snapshot: known once the round is over.
    let quorum = if p.snapshot < round {
        Some(gov.governor.quorum(snapshot).call().await?)
    } else {
        None
    };
    let quota = gov.governor.quota().call().await?;
    let token = ctx.protocol.addresses.token;
    let actions = p.actions.describe(token);

    let mut json = json!({
        "id": s(id),
        "state": state_text(state, code),
        "proposer": p.proposer,
        "description": p.description,
        "snapshot": p.snapshot.to_string(),
        "deadline": p.deadline.to_string(),
        "votingOpensRound": p.snapshot.next().to_string(),
        "votingClosesRound": p.deadline.to_string(),
        "currentRound": round.to_string(),
        "votes": {
            "for": s(t.for_votes),
            "against": s(t.against),
            "abstain": s(t.abstain),
            "total": s(t.total()),
        },
        "quorum": quorum.map(s),
        "quorumReached": quorum.map(|q| t.quorum_reached(q)),
        "quota": s(quota),
        "passing": t.passing(quota),
        "actions": p.actions.targets.iter().zip(&p.actions.values).zip(&p.actions.calldatas).zip(&actions)
            .map(|(((target, value), data), text)| json!({
                "target": target, "value": s(*value), "calldata": data, "summary": text,
            }))
            .collect::<Vec<_>>(),
        "block": p.block,
        "you": Value::Null,
    });
    let pct = |part: U256| percent_1e6(t.share(part));
    let mut rows = vec![
        ("proposal", id.to_string()),
        ("state", state_text(state, code)),
        ("proposer", p.proposer.to_string()),
        ("description", first_line(&p.description, 80)),
        (
            "voting",
            voting_window(state, p.snapshot, p.deadline, round),
        ),
        (
            "for",
            format!("{} ({})", lpt(t.for_votes), pct(t.for_votes)),
        ),
        (
            "against",
            format!("{} ({})", lpt(t.against), pct(t.against)),
        ),
        (
            "abstain",
            format!("{} ({})", lpt(t.abstain), pct(t.abstain)),
        ),
        (
            "quorum",
            match quorum {
                Some(q) => format!(
                    "{} of votes needed, {} cast: {}",
                    lpt(q),
                    lpt(t.total()),
                    if t.quorum_reached(q) {
                        "reached"
                    } else {
                        "not reached"
                    }
                ),
                None => format!(
                    "set by the active stake at the end of round {} (not finished yet)",
                    p.snapshot
                ),
            },
        ),
        (
            "quota",
            format!(
                "{} of for + against must be for: {}",
                percent_1e6(quota),
                if (t.for_votes + t.against).is_zero() {
                    "no for or against votes yet"
                } else if t.passing(quota) {
                    "passing"
                } else {
                    "not passing"
                }
            ),
        ),
    ];
    for (i, text) in actions.iter().enumerate() {
        rows.push((if i == 0 { "actions" } else { "" }, text.clone()));
    }
    if state == Some(ProposalState::Queued) {
        let eta = gov.governor.proposalEta(id).call().await?;
        json["eta"] = json!(s(eta));
        rows.push(("executable from", format!("unix time {eta}")));
    }

    // Your vote and your orchestrator's, when a key is configured.
    if key_source(&ctx.global)?.is_some() {
        let me = ctx.account(None)?;
        let voted = gov.governor.hasVoted(id, me).call().await?;
        let mine = if voted {
            gov::vote_of(ctx, &gov, id, me, p.block).await?
        } else {
            None
        };
        // The delegate that counts is the one at the snapshot; before it ends, the current one.
        let (delegate, at_snapshot) = if p.snapshot < round {
            (gov.votes.delegatedAt(me, snapshot).call().await?, true)
        } else {
            (gov.votes.delegates(me).call().await?, false)
        };
        let weight = if at_snapshot {
            Some(gov.governor.getVotes(me, snapshot).call().await?)
        } else {
            None
        };
        rows.push(("you", me.to_string()));
        rows.push(("your vote", vote_text(&mine, voted)));
        if let Some(w) = weight {
            rows.push(("your votes", format!("{} at the snapshot", lpt(w))));
        }
        let mut you = json!({
            "address": me,
            "hasVoted": voted,
            "vote": vote_json(&mine),
            "votesAtSnapshot": weight.map(s),
            "delegate": delegate,
            "delegateAtSnapshot": at_snapshot,
            "delegateVote": Value::Null,
        });
        if delegate != Address::ZERO && delegate != me {
            let d_voted = gov.governor.hasVoted(id, delegate).call().await?;
            let d_vote = if d_voted {
                gov::vote_of(ctx, &gov, id, delegate, p.block).await?
            } else {
                None
            };
            // An orchestrator's VoteCast weight is its whole power at the snapshot: the stakes of
            // its delegators that voted themselves are then counted as they voted, not with it.
            let note = match (voted, d_voted) {
                (true, true) => {
                    "your own vote overrides it: your stake counts as you voted, and is taken out of that weight"
                }
                (true, false) => "your own vote overrides it: your stake counts as you voted",
                (false, true) => {
                    "your stake counts with its vote; your own vote would override it (`lpt vote`)"
                }
                (false, false) => "your own vote would override its vote for your stake",
            };
            rows.push((
                "your orchestrator",
                format!(
                    "{delegate}{}: {}; {note}",
                    if at_snapshot {
                        " (at the snapshot)"
                    } else {
                        " (now)"
                    },
                    vote_text(&d_vote, d_voted)
                ),
            ));
            you["delegateVote"] = json!({
                "address": delegate,
                "hasVoted": d_voted,
                "vote": vote_json(&d_vote),
            });
        }
        json["you"] = you;
    }
    Ok(Output {
        json,
        human: kv(&rows),
    })
}
