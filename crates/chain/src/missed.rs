//! Rounds that ended with a bot's duty undone, whatever the cause: the pure rule behind
//! `keeper_rounds_missed_total` and `reward_agent_missed_rounds_total`.
//!
//! A duty is owed once per round (the keeper: the round initialized, by anyone; the reward agent:
//! the orchestrator rewarded while it is active). Every block the bot calls
//! [`RoundDuty::advance`] with the head and, when its read of the chain succeeded, what that read
//! says ([`Observation`]). A round counts as missed when it ended and the duty was owed at the
//! bot's last knowledge of it:
//!
//! - read at that round and still owed: missed (failed sends, simulation reverts, a guard that
//!   held it back, nothing to mint: the cause does not matter);
//! - never read in that round (every read failed, or the bot saw no head): owed if the last good
//!   read said so for unseen rounds ([`Observation::owed_unseen`]), unless a later read shows the
//!   duty done in it ([`Observation::last_done`]);
//! - while reads fail but heads arrive, a round ends at the bounds of the last good read
//!   (`round_start + round_length`, then every `round_length` blocks), so the count grows during
//!   the outage, not only after it.
//!
//! A round is judged once: a later read never counts it again nor takes it back.

use livepeer_protocol::Round;

/// What one successful read says about the duty in the current round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Observation {
    /// `RoundsManager.currentRound()`.
    pub round: Round,
    /// `RoundsManager.currentRoundStartBlock()`.
    pub round_start: u64,
    /// `RoundsManager.roundLength()`.
    pub round_length: u64,
    /// The duty is owed in `round` and not done yet.
    pub owed: bool,
    /// The latest round in which the duty is known done (`lastInitializedRound`,
    /// `lastRewardRound`): it was not missed.
    pub last_done: Round,
    /// Whether the duty is owed in a later round the bot does not manage to read (the keeper:
    /// always; the reward agent: the orchestrator is active).
    pub owed_unseen: bool,
}

/// Most rounds judged at once; a larger gap (a round number out of range) restarts the tracking
/// without counting.
pub const MAX_GAP: u64 = 100_000;

/// The tracking of one duty (see the module docs). Starts knowing nothing: the first
/// observation sets it, so a restart never counts rounds from before it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RoundDuty {
    round: Round,
    end: u64,
    length: u64,
    owed: bool,
    owed_unseen: bool,
    judged: Round,
}

impl RoundDuty {
    /// The round being tracked (0: nothing read yet).
    pub fn round(&self) -> Round {
        self.round
    }

    /// Whether the duty is owed in the tracked round, as far as the bot knows.
    pub fn owed(&self) -> bool {
        self.owed
    }

    /// Records that the duty was done in `round` (e.g. our transaction confirmed) before the
    /// next read can show it.
    pub fn done(&mut self, round: Round) {
        if round == self.round {
            self.owed = false;
        }
    }

    /// Moves to `head`, with the observation of a read at it if the read succeeded. Returns the
    /// rounds that ended with the duty owed, oldest first, each once.
    pub fn advance(&mut self, head: u64, seen: Option<&Observation>) -> Vec<Round> {
        let mut missed = Vec::new();
        match seen {
            Some(o) => {
                if !self.round.is_zero()
                    && self.round < o.round
                    && o.round.since(self.round) <= MAX_GAP
                {
                    // The tracked round ended, and any round between it and `o.round`.
                    while self.round < o.round {
                        if self.owed && self.round != o.last_done {
                            self.judge(&mut missed);
                        }
                        self.judged = self.judged.max(self.round);
                        self.round = self.round.next();
                        self.owed = self.owed_unseen;
                    }
                }
                self.round = o.round;
                self.end = o.round_start.saturating_add(o.round_length);
                self.length = o.round_length;
                self.owed = o.owed;
                self.owed_unseen = o.owed_unseen;
            }
            None => {
                if self.round.is_zero() || self.length == 0 {
                    return missed;
                }
                let mut steps = 0;
                while head >= self.end && steps < MAX_GAP {
                    if self.owed {
                        self.judge(&mut missed);
                    }
                    self.judged = self.judged.max(self.round);
                    self.round = self.round.next();
                    self.end = self.end.saturating_add(self.length);
                    self.owed = self.owed_unseen;
                    steps += 1;
                }
            }
        }
        missed
    }

    fn judge(&self, missed: &mut Vec<Round>) {
        if self.round > self.judged {
            missed.push(self.round);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 20-block rounds: round `r` starts at block `20 r`.
    fn seen(round: u64, owed: bool, last_done: u64, owed_unseen: bool) -> Observation {
        Observation {
            round: Round::new(round),
            round_start: 20 * round,
            round_length: 20,
            owed,
            last_done: Round::new(last_done),
            owed_unseen,
        }
    }

    fn rounds(numbers: &[u64]) -> Vec<Round> {
        numbers.iter().copied().map(Round::new).collect()
    }

    #[test]
    fn a_round_read_as_owed_until_it_ended_is_missed_once() {
        let mut d = RoundDuty::default();
        assert!(d.advance(100, Some(&seen(5, true, 4, true))).is_empty());
        assert!(d.advance(119, Some(&seen(5, true, 4, true))).is_empty());
        assert_eq!(d.advance(120, Some(&seen(6, true, 4, true))), rounds(&[5]));
        assert!(d.advance(121, Some(&seen(6, false, 6, true))).is_empty());
        assert!(
            d.advance(140, Some(&seen(7, true, 6, true))).is_empty(),
            "done in round 6"
        );
    }

    #[test]
    fn a_confirmed_duty_is_not_missed_when_the_next_read_fails() {
        let mut d = RoundDuty::default();
        d.advance(118, Some(&seen(5, true, 4, true)));
        d.done(Round::new(4));
        assert!(d.owed(), "another round");
        d.done(Round::new(5));
        assert!(d.advance(120, None).is_empty());
    }

    #[test]
    fn done_in_the_last_block_shows_in_the_next_read() {
        let mut d = RoundDuty::default();
        d.advance(119, Some(&seen(5, true, 4, true)));
        // Rewarded in block 119: the read at 120 (round 6) says the last done round is 5.
        assert!(d.advance(120, Some(&seen(6, true, 5, true))).is_empty());
    }

    #[test]
    fn rounds_pass_while_reads_fail_and_heads_arrive() {
        let mut d = RoundDuty::default();
        d.advance(101, Some(&seen(5, false, 5, true)));
        assert!(d.advance(110, None).is_empty());
        assert!(d.advance(120, None).is_empty(), "round 5 was done");
        assert!(d.advance(139, None).is_empty());
        assert_eq!(d.advance(140, None), rounds(&[6]), "round 6 ended unread");
        assert_eq!(
            d.advance(185, None),
            rounds(&[7, 8]),
            "one head can end several"
        );
        // Reads come back in round 9, which shows 8 was done after all: counted already.
        assert!(d.advance(186, Some(&seen(9, true, 8, true))).is_empty());
        assert_eq!(d.advance(200, Some(&seen(10, true, 8, true))), rounds(&[9]));
    }

    #[test]
    fn rounds_of_a_full_outage_count_when_reads_come_back() {
        let mut d = RoundDuty::default();
        d.advance(101, Some(&seen(5, false, 5, true)));
        // No head at all for three rounds, then a read in round 8 where 7 shows done.
        assert_eq!(d.advance(165, Some(&seen(8, true, 7, true))), rounds(&[6]));
    }

    #[test]
    fn nothing_is_owed_in_unseen_rounds_when_the_last_read_said_so() {
        // The reward agent's orchestrator was not active: nothing owed while blind.
        let mut d = RoundDuty::default();
        d.advance(101, Some(&seen(5, false, 2, false)));
        assert!(d.advance(170, None).is_empty());
        assert!(d.advance(171, Some(&seen(8, false, 2, false))).is_empty());
        // Active, not rewarded, then blind for two rounds: every one of them is missed.
        d.advance(172, Some(&seen(8, true, 2, true)));
        assert_eq!(
            d.advance(215, Some(&seen(10, true, 2, true))),
            rounds(&[8, 9])
        );
    }

    #[test]
    fn nothing_counts_before_the_first_read_or_without_a_round_length() {
        let mut d = RoundDuty::default();
        assert!(d.advance(5_000, None).is_empty());
        assert_eq!(d.round(), Round::ZERO);
        d.advance(
            10,
            Some(&Observation {
                round_length: 0,
                ..seen(1, true, 0, true)
            }),
        );
        assert!(d.advance(10_000, None).is_empty());
    }

    #[test]
    fn a_round_length_change_never_counts_a_round_twice() {
        let mut d = RoundDuty::default();
        d.advance(101, Some(&seen(5, true, 4, true)));
        assert_eq!(d.advance(121, None), rounds(&[5]));
        // The length grew: round 5 is still current at 125, and ends later.
        let longer = Observation {
            round_length: 40,
            round_start: 100,
            ..seen(5, true, 4, true)
        };
        assert!(d.advance(125, Some(&longer)).is_empty());
        assert!(
            d.advance(141, Some(&seen(6, true, 4, true))).is_empty(),
            "round 5 was judged"
        );
        assert!(d.owed());
        assert_eq!(d.round(), Round::new(6));
    }

    #[test]
    fn an_absurd_gap_restarts_without_counting() {
        let mut d = RoundDuty::default();
        d.advance(101, Some(&seen(5, true, 4, true)));
        assert!(
            d.advance(102, Some(&seen(u64::MAX / 40, true, 4, true)))
                .is_empty()
        );
    }
}
