//! The BondingManager's sorted transcoder pool and the hints of its `*WithHint` calls:
//! `SortedListLib` (`insert`, `updateKey`, `remove`) and `ActiveSetLib` (`increaseTotalStake`,
//! `decreaseTotalStake`, `tryToJoin`, the tail's eviction), as `bondWithHint`, `unbondWithHint`,
//! `rebondWithHint`, `rebondFromUnbondedWithHint`, `transcoderWithHint` and `rewardWithHint` apply
//! them.
//!
//! Every stake-changing call has a `*WithHint` variant taking the new position's neighbours
//! (`newPosPrev`, `newPosNext`). A correct hint makes the list update O(1); a wrong one costs a
//! walk. The hints here come from simulating, on a snapshot of the pool, exactly what the
//! contract will do (the same rules as `script/actions/ActionBase.sol`, whose hints are
//! fuzz-tested against the contract):
//!
//! - a member whose current neighbours still bracket its new stake stays where it is (ties
//!   included), and its hint is those neighbours;
//! - otherwise it moves: the new position is before the first member whose stake is `<=` the new
//!   stake (ties go ahead of existing equal keys);
//! - a registered non-member joins: into free room, or, when the pool is full, only if it beats
//!   the tail, which is evicted first;
//! - anyone else is not in the pool and needs no hint (zero addresses).
//!
//! [`Pool`] is a pure value; `livepeer_chain::pool::read_pool` fills it from the chain. Apply
//! changes in the order the contract makes them (an old delegate before the new one) on the same
//! [`Pool`], so the second hint sees the first change.

use alloy::primitives::{Address, U256};

/// The neighbours of a new position (`Address::ZERO` = none: head or tail).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hint {
    /// The member before the new position (higher or equal stake).
    pub prev: Address,
    /// The member after the new position (lower or equal stake).
    pub next: Address,
}

/// A snapshot of the transcoder pool, head first (descending stake).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pool {
    entries: Vec<(Address, U256)>,
    max_size: usize,
}

impl Pool {
    /// A pool with `entries` in list order (head first) and room for `max_size` members.
    pub fn new(entries: Vec<(Address, U256)>, max_size: usize) -> Self {
        Self { entries, max_size }
    }

    /// A pool whose maximum size is unknown (e.g. a snapshot that does not carry it): a non-member
    /// is assumed to fit.
    pub fn unbounded(entries: Vec<(Address, U256)>) -> Self {
        Self::new(entries, usize::MAX)
    }

    /// The members and their stakes, head first.
    pub fn entries(&self) -> &[(Address, U256)] {
        &self.entries
    }

    /// The members, head first.
    pub fn members(&self) -> Vec<Address> {
        self.entries.iter().map(|(member, _)| *member).collect()
    }

    /// The maximum size (`numActiveTranscoders`).
    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// Position of `id` (0 = head), if it is a member.
    pub fn position(&self, id: Address) -> Option<usize> {
        self.entries.iter().position(|(member, _)| *member == id)
    }

    /// The stake of `id` if it is a member.
    pub fn stake_of(&self, id: Address) -> Option<U256> {
        self.position(id).map(|at| self.entries[at].1)
    }

    fn id_at(&self, at: Option<usize>) -> Address {
        at.and_then(|i| self.entries.get(i))
            .map_or(Address::ZERO, |(id, _)| *id)
    }

    /// The hint for `delegate`'s stake becoming `new_stake`, and the snapshot updated as the
    /// contract will update the pool. `registered` says whether a non-member may join (it is
    /// ignored for members).
    pub fn update(&mut self, delegate: Address, new_stake: U256, registered: bool) -> Hint {
        match self.position(delegate) {
            Some(at) => {
                let prev_ok = at == 0 || self.entries[at - 1].1 >= new_stake;
                let next_ok = at + 1 == self.entries.len() || new_stake >= self.entries[at + 1].1;
                if prev_ok && next_ok {
                    self.entries[at].1 = new_stake;
                    return Hint {
                        prev: self.id_at(at.checked_sub(1)),
                        next: self.id_at(Some(at + 1)),
                    };
                }
                self.entries.remove(at);
            }
            None => {
                if !registered || new_stake.is_zero() {
                    return Hint::default();
                }
                if self.entries.len() >= self.max_size {
                    match self.entries.last() {
                        Some((_, tail)) if new_stake > *tail => {
                            self.entries.pop(); // the tail is evicted
                        }
                        _ => return Hint::default(),
                    }
                }
            }
        }
        let pos = self
            .entries
            .iter()
            .position(|(_, stake)| *stake <= new_stake)
            .unwrap_or(self.entries.len());
        let hint = Hint {
            prev: self.id_at(pos.checked_sub(1)),
            next: self.id_at(Some(pos)),
        };
        self.entries.insert(pos, (delegate, new_stake));
        hint
    }

    /// `delegate` leaves the pool (a transcoder unbonding everything resigns).
    pub fn leave(&mut self, delegate: Address) {
        if let Some(at) = self.position(delegate) {
            self.entries.remove(at);
        }
    }
}

/// What [`bond_hints`] needs to know about a `bondWithHint(amount, to, ...)` by `owner`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BondChange {
    /// The bonding account.
    pub owner: Address,
    /// The new delegate.
    pub to: Address,
    /// LPT added.
    pub amount: U256,
    /// The owner's bond after the claim the call makes first (`pendingStake`).
    pub bonded: U256,
    /// The owner's current delegate (zero if none).
    pub old_delegate: Address,
    /// `transcoderTotalStake(old_delegate)`.
    pub old_delegate_stake: U256,
    /// `transcoderTotalStake(to)`.
    pub to_stake: U256,
    /// `isRegisteredTranscoder(to)`.
    pub to_registered: bool,
}

/// Hints of `bondWithHint`: `[oldDelegateNewPosPrev, oldDelegateNewPosNext,
/// currDelegateNewPosPrev, currDelegateNewPosNext]`. A bond moving to another delegate leaves
/// the old one first.
pub fn bond_hints(pool: &mut Pool, change: &BondChange) -> [Address; 4] {
    let moving = !change.bonded.is_zero() && change.old_delegate != change.to;
    let mut hints = [Address::ZERO; 4];
    if moving {
        let hint = pool.update(
            change.old_delegate,
            change.old_delegate_stake.saturating_sub(change.bonded),
            false,
        );
        hints[0] = hint.prev;
        hints[1] = hint.next;
    }
    let stake = change.to_stake + change.amount + if moving { change.bonded } else { U256::ZERO };
    let hint = pool.update(
        change.to,
        stake,
        change.to == change.owner || change.to_registered,
    );
    hints[2] = hint.prev;
    hints[3] = hint.next;
    hints
}

/// Hint of `unbondWithHint(amount, ...)` by `delegator`, bonded `bonded` to `delegate` whose
/// total stake is `delegate_stake`. A transcoder unbonding its whole self-bond resigns and needs
/// no hint.
pub fn unbond_hint(
    pool: &mut Pool,
    delegator: Address,
    delegate: Address,
    amount: U256,
    bonded: U256,
    delegate_stake: U256,
) -> Hint {
    if delegate == delegator && amount == bonded {
        pool.leave(delegator);
        return Hint::default();
    }
    pool.update(delegate, delegate_stake.saturating_sub(amount), false)
}

/// Hint of `rebondWithHint` / `rebondFromUnbondedWithHint` by `delegator`: `amount` returns to
/// `delegate` (stake `delegate_stake`, `isRegisteredTranscoder` = `delegate_registered`).
pub fn rebond_hint(
    pool: &mut Pool,
    delegator: Address,
    delegate: Address,
    amount: U256,
    delegate_stake: U256,
    delegate_registered: bool,
) -> Hint {
    pool.update(
        delegate,
        delegate_stake + amount,
        delegate == delegator || delegate_registered,
    )
}

/// Hint of `rewardWithHint` / `rewardForTranscoderWithHint`: `transcoder`'s key becomes
/// `new_stake` (its stake plus the reward, [`crate::rewards::RewardEstimate::new_stake`]). A
/// transcoder still active but out of the pool this round rejoins if it fits and is `registered`
/// (`isRegisteredTranscoder`: evicted, not resigned); the contract ignores the hint of one that
/// does not join.
pub fn reward_hint(
    pool: &mut Pool,
    transcoder: Address,
    new_stake: U256,
    registered: bool,
) -> Hint {
    pool.update(transcoder, new_stake, registered)
}

/// Hint of `transcoderWithHint` by a registered `transcoder` with total stake `stake`: a member
/// does not move (zero hint), a non-member tries to join.
pub fn transcoder_hint(pool: &mut Pool, transcoder: Address, stake: U256) -> Hint {
    if pool.position(transcoder).is_some() {
        return Hint::default();
    }
    pool.update(transcoder, stake, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    /// A line-by-line model of `SortedListLib` (insert, updateKey, remove), recording whether the
    /// hint was taken as is (no walk).
    #[derive(Debug, Default)]
    struct Model {
        ids: Vec<Address>,
        keys: Vec<U256>,
        max: usize,
    }

    impl Model {
        fn idx(&self, id: Address) -> Option<usize> {
            self.ids.iter().position(|x| *x == id)
        }
        fn key(&self, id: Address) -> U256 {
            self.idx(id).map_or(U256::ZERO, |i| self.keys[i])
        }
        fn next_of(&self, id: Address) -> Address {
            self.idx(id)
                .and_then(|i| self.ids.get(i + 1))
                .copied()
                .unwrap_or_default()
        }
        fn valid(&self, key: U256, prev: Address, next: Address) -> bool {
            let head = self.ids.first().copied().unwrap_or_default();
            let tail = self.ids.last().copied().unwrap_or_default();
            if prev.is_zero() && next.is_zero() {
                return self.ids.is_empty();
            }
            if prev.is_zero() {
                return head == next && key >= self.key(next);
            }
            if self.idx(prev).is_none() {
                return false;
            }
            if next.is_zero() {
                return tail == prev && self.key(prev) >= key;
            }
            self.next_of(prev) == next && self.key(prev) >= key && key >= self.key(next)
        }
        /// Position by walking from the head (what any fallback path ends with).
        fn walk(&self, key: U256) -> usize {
            self.keys
                .iter()
                .position(|k| *k <= key)
                .unwrap_or(self.ids.len())
        }
        fn link(&mut self, id: Address, key: U256, prev: Address) {
            let at = if prev.is_zero() {
                0
            } else {
                self.idx(prev).map_or(0, |i| i + 1)
            };
            self.ids.insert(at, id);
            self.keys.insert(at, key);
        }
        /// Returns whether the hint was used without a walk.
        fn insert(&mut self, id: Address, key: U256, hint: Hint) -> bool {
            assert!(self.ids.len() < self.max, "list full");
            self.insert_unchecked(id, key, hint)
        }
        fn update_key(&mut self, id: Address, key: U256, hint: Hint) -> bool {
            let at = self.idx(id).unwrap_or_else(|| unreachable!());
            let prev_ok = at == 0 || self.keys[at - 1] >= key;
            let next_ok = at + 1 == self.ids.len() || key >= self.keys[at + 1];
            if prev_ok && next_ok {
                self.keys[at] = key;
                // The contract takes the hint's prev only to spare a read; staying put is O(1).
                let prev = at.checked_sub(1).map_or(Address::ZERO, |i| self.ids[i]);
                let next = self.ids.get(at + 1).copied().unwrap_or_default();
                return hint == Hint { prev, next };
            }
            self.ids.remove(at);
            self.keys.remove(at);
            self.insert_unchecked(id, key, hint)
        }
        fn insert_unchecked(&mut self, id: Address, key: U256, hint: Hint) -> bool {
            if self.valid(key, hint.prev, hint.next) {
                self.link(id, key, hint.prev);
                return true;
            }
            let at = self.walk(key);
            self.ids.insert(at, id);
            self.keys.insert(at, key);
            false
        }
        fn remove(&mut self, id: Address) {
            if let Some(at) = self.idx(id) {
                self.ids.remove(at);
                self.keys.remove(at);
            }
        }
        /// `ActiveSetLib.increase/decreaseTotalStake` + `tryToJoin` on the model.
        fn change(&mut self, id: Address, key: U256, registered: bool, hint: Hint) -> bool {
            if self.idx(id).is_some() {
                return self.update_key(id, key, hint);
            }
            if !registered || key.is_zero() {
                return hint == Hint::default();
            }
            if self.ids.len() == self.max {
                let tail = *self.keys.last().unwrap_or(&U256::ZERO);
                if key <= tail {
                    return hint == Hint::default();
                }
                let tail_id = *self.ids.last().unwrap_or(&Address::ZERO);
                self.remove(tail_id);
            }
            self.insert(id, key, hint)
        }
        fn entries(&self) -> Vec<(Address, U256)> {
            self.ids
                .iter()
                .copied()
                .zip(self.keys.iter().copied())
                .collect()
        }
    }

    fn addr(i: u8) -> Address {
        Address::with_last_byte(i + 1)
    }

    #[test]
    fn new_member_goes_ahead_of_equal_stakes() {
        let mut pool = Pool::new(
            vec![(addr(0), U256::from(30)), (addr(1), U256::from(20))],
            5,
        );
        let hint = pool.update(addr(2), U256::from(20), true);
        assert_eq!(
            hint,
            Hint {
                prev: addr(0),
                next: addr(1)
            }
        );
        assert_eq!(pool.position(addr(2)), Some(1));
    }

    #[test]
    fn member_bracketed_by_neighbours_stays() {
        let mut pool = Pool::new(
            vec![
                (addr(0), U256::from(30)),
                (addr(1), U256::from(20)),
                (addr(2), U256::from(10)),
            ],
            5,
        );
        // Raised to equal its predecessor: still bracketed, stays behind it.
        let hint = pool.update(addr(1), U256::from(30), false);
        assert_eq!(
            hint,
            Hint {
                prev: addr(0),
                next: addr(2)
            }
        );
        assert_eq!(pool.position(addr(1)), Some(1));
        // Raised above: moves to the head.
        let hint = pool.update(addr(2), U256::from(31), false);
        assert_eq!(
            hint,
            Hint {
                prev: Address::ZERO,
                next: addr(0)
            }
        );
        assert_eq!(pool.position(addr(2)), Some(0));
    }

    #[test]
    fn full_pool_evicts_the_tail_only_when_beaten() {
        let mut pool = Pool::new(
            vec![(addr(0), U256::from(30)), (addr(1), U256::from(20))],
            2,
        );
        assert_eq!(pool.update(addr(2), U256::from(20), true), Hint::default());
        assert_eq!(pool.entries().len(), 2);
        let hint = pool.update(addr(2), U256::from(21), true);
        assert_eq!(
            hint,
            Hint {
                prev: addr(0),
                next: Address::ZERO
            }
        );
        assert_eq!(pool.position(addr(1)), None);
    }

    #[test]
    fn unregistered_non_member_needs_no_hint() {
        let mut pool = Pool::new(vec![(addr(0), U256::from(30))], 5);
        assert_eq!(pool.update(addr(1), U256::from(50), false), Hint::default());
        assert_eq!(pool.entries().len(), 1);
    }

    #[test]
    fn moving_bond_leaves_old_delegate_first() {
        // owner 9 moves 15 from delegate 0 (30) to delegate 2 (10).
        let mut pool = Pool::new(
            vec![
                (addr(0), U256::from(30)),
                (addr(1), U256::from(20)),
                (addr(2), U256::from(10)),
            ],
            5,
        );
        let hints = bond_hints(
            &mut pool,
            &BondChange {
                owner: addr(9),
                to: addr(2),
                amount: U256::ZERO,
                bonded: U256::from(15),
                old_delegate: addr(0),
                old_delegate_stake: U256::from(30),
                to_stake: U256::from(10),
                to_registered: true,
            },
        );
        // 0 drops to 15: between 1 (20) and 2 (10). 2 rises to 25: the head.
        assert_eq!(hints, [addr(1), addr(2), Address::ZERO, addr(1)]);
        let order: Vec<Address> = pool.entries().iter().map(|(a, _)| *a).collect();
        assert_eq!(order, vec![addr(2), addr(1), addr(0)]);
    }

    /// `(prev, next)` of [`reward_hint`] in an unbounded pool of `(member, key)`.
    fn reward(members: &[(u8, u64)], id: u8, key: u64) -> (Address, Address) {
        let mut pool = unbounded(members);
        let hint = reward_hint(&mut pool, addr(id), U256::from(key), true);
        (hint.prev, hint.next)
    }

    fn unbounded(members: &[(u8, u64)]) -> Pool {
        Pool::unbounded(
            members
                .iter()
                .map(|&(a, k)| (addr(a), U256::from(k)))
                .collect(),
        )
    }

    #[test]
    fn reward_keeps_a_member_in_place_when_its_neighbours_still_bracket_it() {
        let p = [(1, 100), (2, 50), (3, 10)];
        assert_eq!(reward(&p, 2, 60), (addr(1), addr(3)));
        assert_eq!(
            reward(&p, 2, 100),
            (addr(1), addr(3)),
            "tie with prev stays"
        );
        assert_eq!(
            reward(&p, 1, 500),
            (Address::ZERO, addr(2)),
            "head stays head"
        );
        assert_eq!(
            reward(&p, 3, 11),
            (addr(2), Address::ZERO),
            "tail stays tail"
        );
    }

    #[test]
    fn reward_moves_a_member_above_the_first_key_it_reaches() {
        let p = [(1, 100), (2, 50), (3, 10)];
        assert_eq!(reward(&p, 3, 70), (addr(1), addr(2)));
        assert_eq!(
            reward(&p, 3, 50),
            (addr(2), Address::ZERO),
            "a tie with the predecessor stays put"
        );
        assert_eq!(
            reward(&[(1, 100), (2, 50), (3, 10), (4, 5)], 4, 50),
            (addr(1), addr(2)),
            "a mover goes before the members it ties with"
        );
        assert_eq!(reward(&p, 2, 101), (Address::ZERO, addr(1)));
        let mut pool = unbounded(&p);
        reward_hint(&mut pool, addr(3), U256::from(101), true);
        assert_eq!(pool.members(), vec![addr(3), addr(1), addr(2)]);
    }

    #[test]
    fn reward_of_a_non_member_inserts_it() {
        let p = [(1, 100), (2, 50)];
        assert_eq!(reward(&p, 9, 75), (addr(1), addr(2)));
        assert_eq!(reward(&p, 9, 1), (addr(2), Address::ZERO));
        assert_eq!(reward(&[], 9, 1), (Address::ZERO, Address::ZERO));
        let mut pool = unbounded(&p);
        assert_eq!(
            reward_hint(&mut pool, addr(9), U256::from(75), false),
            Hint::default(),
            "resigned this round: stays out"
        );
        assert_eq!(pool.members(), vec![addr(1), addr(2)]);
    }

    /// Random pools and stake changes (with many ties): the hint is always taken as is by the
    /// SortedListLib model, and the pool ends up as predicted.
    #[test]
    fn fuzz_hints_match_sorted_list_semantics() {
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..3000 {
            let max = rng.gen_range(1..8usize);
            let size = rng.gen_range(0..=max);
            let mut keys: Vec<u64> = (0..size).map(|_| rng.gen_range(1..6)).collect();
            keys.sort_unstable_by(|a, b| b.cmp(a));
            let entries: Vec<(Address, U256)> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| (addr(i as u8), U256::from(*k)))
                .collect();
            let mut model = Model {
                ids: entries.iter().map(|e| e.0).collect(),
                keys: entries.iter().map(|e| e.1).collect(),
                max,
            };
            let mut pool = Pool::new(entries, max);
            for _ in 0..4 {
                let id = addr(rng.gen_range(0..10));
                let key = U256::from(rng.gen_range(0..7u64));
                let registered = rng.gen_bool(0.7);
                if key.is_zero() {
                    pool.leave(id);
                    model.remove(id);
                    continue;
                }
                let hint = pool.update(id, key, registered);
                let direct = model.change(id, key, registered, hint);
                assert!(direct, "hint {hint:?} not taken for {id} -> {key}");
                assert_eq!(pool.entries(), model.entries().as_slice());
            }
        }
    }
}
