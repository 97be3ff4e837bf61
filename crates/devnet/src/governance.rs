//! The treasury grant: once the Treasury holds LPT (the treasury cut of the rewards), an
//! orchestrator proposes through the LivepeerGovernor that the Treasury transfer part of it to a
//! grantee; when the proposal is Active the orchestrators vote and one delegator votes against
//! its orchestrator (an override); once it has Succeeded it is queued and executed.
//!
//! The steps run at the same point of a round as the delegator's action (every orchestrator
//! rewarded, so no reward lands after them and no orchestrator key is in use by the reward
//! agent). Voting takes `votingDelay + votingPeriod` rounds, more than a default run has, so
//! [`Grant::finish`] mines the remaining blocks at once (`anvil_mine`) after the bots have
//! stopped, then queues and executes; [`Grant::check`] is the governance part of the final check.
//!
//! Timepoints are rounds (BondingVotes' clock). A proposal made in round `r` has its snapshot at
//! `r + votingDelay` (weights as of the end of that round), is Active from the round after it to
//! its deadline `snapshot + votingPeriod`, and can be queued in the round after the deadline.

use alloy::{
    eips::BlockId,
    primitives::{Address, B256, Bytes, U256, keccak256},
    providers::DynProvider,
    rpc::types::TransactionRequest,
    sol_types::SolCall,
};
use anyhow::{Context as _, Result, bail, ensure};
use livepeer_bindings::{
    IBondingVotes::{self, IBondingVotesInstance},
    ILivepeerGovernor::{self, ILivepeerGovernorInstance},
    ILivepeerToken, contract_id, names,
};

use livepeer_protocol::{
    Round,
    governor::{self, Ballot, ProposalState, Support, overridable_tally, state_name, support_name},
    units::format_fixed,
};

use crate::{
    economy::{Delegator, Orchestrator, dev_signer},
    net::Net,
};

/// The support codes the devnet's voters cast.
pub(crate) const AGAINST: u8 = Support::Against.code();
pub(crate) const FOR: u8 = Support::For.code();

/// Who votes how: orchestrator O0 against and the others for (O0 for when it is alone), so the
/// proposal passes whatever the stakes; then one delegator whose delegate at the snapshot is a
/// voting orchestrator votes the other way, preferring O0's delegators. `delegate_at[j]` is the
/// orchestrator delegator `j` was bonded to at the snapshot (`None`: none of them). Returns the
/// orchestrators' supports and the overriding delegator with its support.
pub(crate) fn plan_votes(
    orchestrators: usize,
    delegate_at: &[Option<usize>],
) -> (Vec<u8>, Option<(usize, u8)>) {
    let supports: Vec<u8> = (0..orchestrators)
        .map(|i| {
            if i == 0 && orchestrators > 1 {
                AGAINST
            } else {
                FOR
            }
        })
        .collect();
    let pick = delegate_at
        .iter()
        .position(|d| *d == Some(0))
        .or_else(|| delegate_at.iter().position(Option::is_some));
    let overrider = pick.and_then(|j| {
        let o = delegate_at[j]?;
        let theirs = *supports.get(o)?;
        Some((j, if theirs == FOR { AGAINST } else { FOR }))
    });
    (supports, overrider)
}

/// A cast vote: the voter's label (`O1`, `D0`), address and support.
struct Cast {
    label: String,
    voter: Address,
    support: u8,
}

struct Proposal {
    id: U256,
    proposer: usize,
    round: Round,
    grant: U256,
    targets: Vec<Address>,
    values: Vec<U256>,
    calldatas: Vec<Bytes>,
    description_hash: B256,
    snapshot: Round,
    deadline: Round,
}

/// The grant's progress through the governor.
pub(crate) struct Grant {
    governor: ILivepeerGovernorInstance<DynProvider>,
    votes: IBondingVotesInstance<DynProvider>,
    treasury: Address,
    recipient: Address,
    proposal: Option<Proposal>,
    casts: Vec<Cast>,
    queued: bool,
    /// The block the execution was mined in.
    executed_in: Option<u64>,
}

impl Grant {
    /// Looks the governance contracts up in the Controller; the grantee is a fresh dev account.
    pub(crate) async fn discover(net: &Net) -> Result<Self> {
        let ctrl = &net.p.controller;
        let lookup = async |name: &'static str| -> Result<Address> {
            let a = ctrl.getContract(contract_id(name)).call().await?;
            ensure!(
                a != Address::ZERO,
                "{name} is not registered in the Controller"
            );
            Ok(a)
        };
        let governor = ILivepeerGovernor::new(
            lookup(names::LIVEPEER_GOVERNOR).await?,
            net.provider.clone(),
        );
        let votes = IBondingVotes::new(lookup(names::BONDING_VOTES).await?, net.provider.clone());
        let treasury = lookup(names::TREASURY).await?;
        let timelock = governor.timelock().call().await?;
        ensure!(
            timelock == treasury,
            "the governor's timelock {timelock} is not the registered Treasury {treasury}"
        );
        Ok(Self {
            governor,
            votes,
            treasury,
            recipient: dev_signer("grantee", 0)?.address(),
            proposal: None,
            casts: Vec::new(),
            queued: false,
            executed_in: None,
        })
    }

    /// The next governance step due in the current round, if any, and its description: propose
    /// (once the Treasury holds LPT), vote (once Active), queue (once Succeeded), execute.
    pub(crate) async fn step(
        &mut self,
        net: &Net,
        orchs: &[Orchestrator],
        dels: &[Delegator],
    ) -> Result<Option<String>> {
        let Some(p) = &self.proposal else {
            return self.propose(net, orchs).await;
        };
        let state = ProposalState::from_code(self.governor.state(p.id).call().await?);
        match state {
            Some(ProposalState::Active) if self.casts.is_empty() => {
                self.vote(net, orchs, dels).await.map(Some)
            }
            Some(ProposalState::Succeeded) if !self.queued => self.queue(net).await.map(Some),
            Some(ProposalState::Queued) => self.execute(net).await.map(Some),
            _ => Ok(None),
        }
    }

    /// Finishes the grant after the economy's rounds (bots stopped): mines to the round the next
    /// step needs, votes if nobody has, queues and executes.
    pub(crate) async fn finish(
        &mut self,
        net: &Net,
        orchs: &[Orchestrator],
        dels: &[Delegator],
    ) -> Result<()> {
        let Some(p) = &self.proposal else {
            bail!("no grant proposed: the Treasury never held LPT");
        };
        let (id, snapshot, deadline) = (p.id, p.snapshot, p.deadline);
        while self.executed_in.is_none() {
            let code = self.governor.state(id).call().await?;
            let voted = !self.casts.is_empty();
            let target = match ProposalState::from_code(code) {
                Some(ProposalState::Pending) => snapshot.next(),
                Some(ProposalState::Active) if voted => deadline.next(),
                Some(ProposalState::Active | ProposalState::Succeeded | ProposalState::Queued) => {
                    if let Some(done) = self.step(net, orchs, dels).await? {
                        println!("governance: {done}");
                    }
                    continue;
                }
                _ => bail!(
                    "grant proposal is {} in round {}",
                    state_name(code),
                    net.current_round().await?
                ),
            };
            let mined = net.mine_to_round(target).await?;
            println!("governance: mined {mined} blocks to round {target} (anvil_mine)");
        }
        Ok(())
    }

    async fn propose(&mut self, net: &Net, orchs: &[Orchestrator]) -> Result<Option<String>> {
        let token = &net.p.token;
        let balance = token.balanceOf(self.treasury).call().await?;
        if balance.is_zero() {
            return Ok(None);
        }
        // The proposer's votes are read at the end of the previous round.
        let round = net.current_round().await?;
        let threshold = self.governor.proposalThreshold().call().await?;
        let mut proposer = None;
        for (i, o) in orchs.iter().enumerate() {
            let v = self
                .votes
                .getPastVotes(o.signer.address(), round.saturating_sub(1).to_u256())
                .call()
                .await?;
            if v >= threshold {
                proposer = Some(i);
                break;
            }
        }
        let Some(proposer) = proposer else {
            return Ok(None);
        };
        let grant = balance / U256::from(2);
        let calldata: Bytes = ILivepeerToken::transferCall {
            to: self.recipient,
            value: grant,
        }
        .abi_encode()
        .into();
        let targets = vec![net.p.addresses.token];
        let values = vec![U256::ZERO];
        let calldatas = vec![calldata];
        let description = format!(
            "TestChain grant: {} LPT from the Treasury to {} (round {round})",
            format_fixed(grant, 6),
            self.recipient
        );
        let description_hash = keccak256(description.as_bytes());
        let from = orchs[proposer].signer.address();
        let tx = net
            .fresh_nonce(
                from,
                self.governor
                    .propose(
                        targets.clone(),
                        values.clone(),
                        calldatas.clone(),
                        description,
                    )
                    .from(from)
                    .into_transaction_request(),
            )
            .await?;
        net.send("propose", tx).await?;
        let id = self
            .governor
            .hashProposal(
                targets.clone(),
                values.clone(),
                calldatas.clone(),
                description_hash,
            )
            .call()
            .await?;
        let snapshot = Round::try_from(self.governor.proposalSnapshot(id).call().await?)
            .context("LivepeerGovernor.proposalSnapshot()")?;
        let deadline = Round::try_from(self.governor.proposalDeadline(id).call().await?)
            .context("LivepeerGovernor.proposalDeadline()")?;
        self.proposal = Some(Proposal {
            id,
            proposer,
            round,
            grant,
            targets,
            values,
            calldatas,
            description_hash,
            snapshot,
            deadline,
        });
        Ok(Some(format!(
            "O{proposer} proposes a grant of {} LPT (Treasury holds {}): snapshot round {snapshot}, voting until round {deadline}",
            format_fixed(grant, 2),
            format_fixed(balance, 2)
        )))
    }

    async fn vote(
        &mut self,
        net: &Net,
        orchs: &[Orchestrator],
        dels: &[Delegator],
    ) -> Result<String> {
        let (id, snapshot) = match &self.proposal {
            Some(p) => (p.id, p.snapshot.to_u256()),
            None => bail!("voting without a proposal"),
        };
        let mut delegate_at = Vec::with_capacity(dels.len());
        for d in dels {
            let a = d.signer.address();
            let weight = self.votes.getPastVotes(a, snapshot).call().await?;
            let to = self.votes.delegatedAt(a, snapshot).call().await?;
            let orch = orchs.iter().position(|o| o.signer.address() == to);
            delegate_at.push(orch.filter(|_| !weight.is_zero()));
        }
        let (supports, overrider) = plan_votes(orchs.len(), &delegate_at);
        let mut casts: Vec<Cast> = orchs
            .iter()
            .zip(&supports)
            .enumerate()
            .map(|(i, (o, s))| Cast {
                label: format!("O{i}"),
                voter: o.signer.address(),
                support: *s,
            })
            .collect();
        if let Some((j, s)) = overrider {
            casts.push(Cast {
                label: format!("D{j}"),
                voter: dels[j].signer.address(),
                support: s,
            });
        }
        // Different senders: sent together, mined in the same block.
        let mut txs: Vec<(String, TransactionRequest)> = Vec::with_capacity(casts.len());
        for c in &casts {
            let tx = self
                .governor
                .castVote(id, c.support)
                .from(c.voter)
                .into_transaction_request();
            txs.push((
                format!("castVote ({})", c.label),
                net.fresh_nonce(c.voter, tx).await?,
            ));
        }
        net.send_all(txs).await?;
        let done = casts
            .iter()
            .map(|c| format!("{} {}", c.label, support_name(c.support)))
            .collect::<Vec<_>>()
            .join(", ");
        self.casts = casts;
        Ok(format!("votes: {done}"))
    }

    async fn queue(&mut self, net: &Net) -> Result<String> {
        let p = self
            .proposal
            .as_ref()
            .context("queueing without a proposal")?;
        net.send(
            "queue",
            self.governor
                .queue(
                    p.targets.clone(),
                    p.values.clone(),
                    p.calldatas.clone(),
                    p.description_hash,
                )
                .from(net.deployer)
                .into_transaction_request(),
        )
        .await?;
        self.queued = true;
        Ok("grant queued in the Treasury".into())
    }

    async fn execute(&mut self, net: &Net) -> Result<String> {
        let p = self
            .proposal
            .as_ref()
            .context("executing without a proposal")?;
        let receipt = net
            .send(
                "execute",
                self.governor
                    .execute(
                        p.targets.clone(),
                        p.values.clone(),
                        p.calldatas.clone(),
                        p.description_hash,
                    )
                    .from(net.deployer)
                    .into_transaction_request(),
            )
            .await?;
        let block = receipt
            .block_number
            .context("execute receipt without a block")?;
        self.executed_in = Some(block);
        Ok(format!(
            "grant executed in block {block}: {} LPT to {}",
            format_fixed(p.grant, 2),
            self.recipient
        ))
    }

    /// The governance part of the final check, one line each: the tally equals the model of the
    /// snapshot's weights (which equal the BondingManager's stakes at the end of that round),
    /// the override happened, quorum reached, state Executed, the Treasury paid exactly the grant
    /// to the grantee. `Ok(true)` when all passed.
    pub(crate) async fn check(&self, net: &Net) -> Result<bool> {
        let mut results: Vec<(bool, String)> = Vec::new();
        let Some(p) = &self.proposal else {
            println!("governance check: [FAIL] no grant proposed");
            return Ok(false);
        };
        let snap = p.snapshot.to_u256();

        // The snapshot's weights and delegates, and the BondingManager's stakes at the end of
        // that round (a transcoder's delegated stake, a delegator's pending stake).
        let end = net.round_start(p.snapshot).await? + net.round_length - 1;
        let at = BlockId::number(end);
        let bm = &net.p.bonding_manager;
        let mut ballots = Vec::new();
        let mut mismatched = Vec::new();
        for c in &self.casts {
            let weight = self.votes.getPastVotes(c.voter, snap).call().await?;
            let delegate = self.votes.delegatedAt(c.voter, snap).call().await?;
            let stake = if delegate == c.voter {
                bm.getDelegator(c.voter)
                    .block(at)
                    .call()
                    .await?
                    .delegatedAmount
            } else {
                bm.pendingStake(c.voter, snap).block(at).call().await?
            };
            if stake != weight {
                mismatched.push(format!(
                    "{}: votes {} stake {}",
                    c.label,
                    format_fixed(weight, 6),
                    format_fixed(stake, 6)
                ));
            }
            ballots.push(Ballot {
                voter: c.voter,
                support: c.support,
                weight,
                delegate,
            });
        }
        results.push((
            mismatched.is_empty() && !ballots.is_empty(),
            format!(
                "governance: {} voters' weights at snapshot round {} = their stakes at its last block {end} (mismatch {mismatched:?})",
                ballots.len(),
                p.snapshot
            ),
        ));

        let model = overridable_tally(&ballots);
        let (against, for_, abstain) = {
            let v = self.governor.proposalVotes(p.id).call().await?;
            (v.againstVotes, v.forVotes, v.abstainVotes)
        };
        results.push((
            [against, for_, abstain] == model,
            format!(
                "governance: tally against {} / for {} / abstain {} = model {} / {} / {}",
                format_fixed(against, 6),
                format_fixed(for_, 6),
                format_fixed(abstain, 6),
                format_fixed(model[0], 6),
                format_fixed(model[1], 6),
                format_fixed(model[2], 6)
            ),
        ));

        // The override: a delegator voted differently from the transcoder it was bonded to.
        let overrides: Vec<String> = ballots
            .iter()
            .zip(&self.casts)
            .filter_map(|(b, c)| {
                let (theirs, o) = ballots.iter().zip(&self.casts).find(|(t, _)| {
                    t.voter == b.delegate && t.delegate == t.voter && t.voter != b.voter
                })?;
                (theirs.support != b.support && !b.weight.is_zero()).then(|| {
                    format!(
                        "{} ({} LPT) voted {}, out of {}'s {}",
                        c.label,
                        format_fixed(b.weight, 2),
                        support_name(b.support),
                        o.label,
                        support_name(theirs.support)
                    )
                })
            })
            .collect();
        results.push((
            !overrides.is_empty(),
            format!("governance: override: {}", overrides.join("; ")),
        ));

        let quorum = self.governor.quorum(snap).call().await?;
        let total = self.votes.getPastTotalSupply(snap).call().await?;
        let numerator = self.governor.quorumNumerator().call().await?;
        let denominator = self.governor.quorumDenominator().call().await?;
        let quorum_model = governor::quorum(total, numerator, denominator).unwrap_or_default();
        let counted = against + for_ + abstain;
        results.push((
            quorum == quorum_model && counted >= quorum,
            format!(
                "governance: quorum reached: counted {} >= quorum {} ({numerator}/{denominator} of active stake {})",
                format_fixed(counted, 2),
                format_fixed(quorum, 2),
                format_fixed(total, 2)
            ),
        ));

        let state = self.governor.state(p.id).call().await?;
        results.push((
            ProposalState::from_code(state) == Some(ProposalState::Executed),
            format!(
                "governance: proposal by O{} in round {} is {} (deadline round {})",
                p.proposer,
                p.round,
                state_name(state),
                p.deadline
            ),
        ));

        match self.executed_in {
            Some(b) => {
                let token = &net.p.token;
                let before = BlockId::number(b - 1);
                let after = BlockId::number(b);
                let t0 = token.balanceOf(self.treasury).block(before).call().await?;
                let t1 = token.balanceOf(self.treasury).block(after).call().await?;
                let r0 = token.balanceOf(self.recipient).block(before).call().await?;
                let r1 = token.balanceOf(self.recipient).block(after).call().await?;
                results.push((
                    t0 >= t1 && t0 - t1 == p.grant && r1 >= r0 && r1 - r0 == p.grant,
                    format!(
                        "governance: Treasury {} -> {} LPT, grantee {} -> {} LPT in block {b} (grant {})",
                        format_fixed(t0, 6),
                        format_fixed(t1, 6),
                        format_fixed(r0, 6),
                        format_fixed(r1, 6),
                        format_fixed(p.grant, 6)
                    ),
                ));
            }
            None => results.push((false, "governance: grant not executed".into())),
        }

        println!("governance check (treasury grant {}):", p.id);
        let mut ok = true;
        for (pass, what) in &results {
            ok &= pass;
            println!("  [{}] {what}", if *pass { "ok" } else { "FAIL" });
        }
        println!("governance check: {}", if ok { "PASSED" } else { "FAILED" });
        Ok(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_always_has_an_override_and_a_passing_majority_of_orchestrators() {
        // Three orchestrators: O0 against, the rest for; O0's delegator D0 overrides with for.
        let (supports, overrider) = plan_votes(3, &[Some(0), Some(1), Some(2), Some(0)]);
        assert_eq!(supports, vec![AGAINST, FOR, FOR]);
        assert_eq!(overrider, Some((0, FOR)));
        // Nobody on O0: the first delegator on a voting orchestrator goes against it.
        assert_eq!(plan_votes(3, &[None, Some(2)]).1, Some((1, AGAINST)));
        // One orchestrator votes for; its delegator against.
        assert_eq!(plan_votes(1, &[Some(0)]), (vec![FOR], Some((0, AGAINST))));
        // No delegator bonded to an orchestrator: no override.
        assert_eq!(plan_votes(2, &[None]).1, None);
    }
}
