//! Which rounds count in `reward_agent_missed_rounds_total`: an orchestrator the agent serves,
//! active in a round and not rewarded by its end, whatever the cause. The rule itself is
//! [`livepeer_chain::missed::RoundDuty`]; this module says what the agent's snapshot means for
//! it.
//!
//! - A round read with the orchestrator active and `lastRewardRound` behind it is owed, whether
//!   the agent then sent nothing (unprofitable, gas above the ceiling, not authorized, computed
//!   reward 0, round never initialized, protocol paused) or sent and failed.
//! - While snapshots fail, rounds end at the bounds of the last good snapshot
//!   (`roundStartBlock + roundLength`, compared with the heads that still arrive), and each one
//!   is owed if the orchestrator was last known active.

use livepeer_chain::missed::Observation;

use crate::{decide::Standing, lens::Snapshot};

/// A block number or round length (the lens reads them as `uint256`).
fn to_u64(value: alloy::primitives::U256) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

/// What snapshot `s` says about the reward of an orchestrator that stands as `standing` says.
pub fn observation(s: &Snapshot, standing: &Standing) -> Observation {
    Observation {
        round: standing.round,
        round_start: to_u64(s.roundStartBlock),
        round_length: to_u64(s.roundLength),
        owed: standing.owed(),
        last_done: standing.last_reward,
        owed_unseen: standing.active,
    }
}

#[cfg(test)]
mod tests {
    use alloy::primitives::{Address, U256};
    use livepeer_chain::missed::RoundDuty;
    use livepeer_protocol::Round;

    use super::*;
    use crate::lens::LensOrchestrator;

    fn snapshot(block: u64, round: u64, initialized: u64) -> Snapshot {
        Snapshot {
            blockNumber: U256::from(block),
            baseFee: U256::from(1),
            paused: false,
            bondingManager: Address::ZERO,
            currentRound: U256::from(round),
            lastInitializedRound: U256::from(initialized),
            roundStartBlock: U256::from(round * 20),
            roundLength: U256::from(20),
            mintableTokens: U256::ZERO,
            mintedTokens: U256::ZERO,
            totalActiveStake: U256::ZERO,
            treasuryRewardCutRate: U256::ZERO,
            orchestrators: vec![],
            pool: vec![],
            balances: vec![],
        }
    }

    fn orchestrator(active: bool, last_reward: u64) -> LensOrchestrator {
        LensOrchestrator {
            orchestrator: Address::with_last_byte(1),
            rewardCaller: Address::ZERO,
            active,
            lastRewardRound: U256::from(last_reward),
            lastActiveStakeUpdateRound: U256::ZERO,
            lastUpdatePoolStake: U256::ZERO,
            roundPoolStake: U256::ZERO,
            totalStake: U256::ZERO,
        }
    }

    /// A read at a block: `(round, active, lastRewardRound)`, `None` when it failed.
    type Read = (u64, Option<(u64, bool, u64)>);

    /// Runs the reads of one orchestrator through the rule.
    fn missed(reads: &[Read]) -> Vec<u64> {
        let mut duty = RoundDuty::default();
        reads
            .iter()
            .flat_map(|&(block, read)| {
                let seen = read.map(|(round, active, last_reward)| {
                    let (s, o) = (
                        snapshot(block, round, round),
                        orchestrator(active, last_reward),
                    );
                    observation(&s, &Standing::of(&s, &o, o.orchestrator))
                });
                duty.advance(block, seen.as_ref())
            })
            .map(Round::get)
            .collect()
    }

    #[test]
    fn an_active_orchestrator_not_rewarded_by_the_round_end_is_missed_whatever_the_cause() {
        // Read every block, never rewarded in round 5 (unprofitable, no funds, reward 0: the
        // snapshot only says it was not rewarded).
        assert_eq!(
            missed(&[
                (100, Some((5, true, 4))),
                (119, Some((5, true, 4))),
                (120, Some((6, true, 4)))
            ]),
            vec![5]
        );
        // Rewarded in the round's last block.
        assert!(missed(&[(100, Some((5, true, 4))), (120, Some((6, true, 5)))]).is_empty());
        // Inactive: nothing owed.
        assert!(missed(&[(100, Some((5, false, 0))), (120, Some((6, false, 0)))]).is_empty());
    }

    #[test]
    fn rounds_that_pass_while_snapshots_fail_are_missed() {
        // The live case: the lens reverted every block, heads kept coming.
        assert_eq!(
            missed(&[
                (101, Some((5, true, 5))),
                (102, None),
                (120, None),
                (139, None),
                (140, None),
                (160, None),
            ]),
            vec![6, 7],
            "last known active, rounds 6 and 7 ended unread"
        );
        // An outage without heads either: counted at the first read after it.
        assert_eq!(
            missed(&[(101, Some((5, true, 4))), (165, Some((8, true, 7)))]),
            vec![5, 6]
        );
    }

    #[test]
    fn an_uninitialized_round_is_owed_too() {
        let (s, o) = (snapshot(100, 5, 4), orchestrator(true, 4));
        let seen = observation(&s, &Standing::of(&s, &o, o.orchestrator));
        assert!(seen.owed, "no reward is possible, and none was made");
    }
}
