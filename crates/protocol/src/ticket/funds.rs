//! What redeeming a winning ticket pays: rules 11–14 of `TicketBroker.redeemWinningTicket`
//! (`_debitSender`), and the recipient's slice of the sender's reserve
//! (`TicketBroker.claimableReserve`).

use alloy::primitives::{Address, U256};
use serde::{Deserialize, Serialize};

use super::error::TicketError;
use crate::round::Round;

/// A sender's funds as the TicketBroker sees them, from the recipient's point of view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SenderFunds {
    /// `getSenderInfo(sender).sender.deposit`.
    pub deposit: U256,
    /// `getSenderInfo(sender).reserve.fundsRemaining`.
    pub reserve: U256,
    /// `getSenderInfo(sender).sender.withdrawRound` (zero: no unlock started).
    pub withdraw_round: U256,
    /// `claimableReserve(sender, recipient)`: what the recipient may still take from the reserve
    /// this round.
    pub claimable_reserve: U256,
}

impl SenderFunds {
    /// The most a ticket to this recipient can be paid now: the deposit plus the recipient's
    /// claimable reserve slice (capped by what the reserve still holds), `deposit + claimable` in
    /// `_debitSender`. A ticket whose face value is above this defers (see [`payable_amount`]).
    pub fn available(&self) -> U256 {
        self.deposit
            .saturating_add(self.claimable_reserve.min(self.reserve))
    }

    /// Whether the sender's unlock period is over in `round` (`withdrawRound != 0 && round >=
    /// withdrawRound`): its funds pay no ticket any more.
    pub fn is_unlocked(&self, round: Round) -> bool {
        !self.withdraw_round.is_zero() && round >= self.withdraw_round
    }

    /// The most one ticket to this recipient is paid in `round`: [`SenderFunds::available`], or
    /// nothing once the sender is unlocked.
    pub fn payable_now(&self, round: Round) -> U256 {
        if self.is_unlocked(round) {
            U256::ZERO
        } else {
            self.available()
        }
    }
}

/// Rules 11–14: what redeeming a ticket of `face_value` pays in `current_round`, as
/// `_debitSender` computes it.
///
/// A ticket is paid its full face value (from the deposit, any shortfall from the recipient's
/// claimable reserve slice) or not at all: when [`SenderFunds::available`] is below the face value
/// the contract reverts with `InsufficientFunds` ([`TicketError::InsufficientFunds`]) and the ticket
/// stays unused, to be redeemed later. The exception is the ticket's last redeemable round
/// (`last_round`, see [`super::is_last_round`]): there it pays everything available, and
/// `NothingToPay` when that is zero.
pub fn payable_amount(
    face_value: U256,
    sender: Address,
    recipient: Address,
    funds: &SenderFunds,
    current_round: Round,
    last_round: bool,
) -> Result<U256, TicketError> {
    if funds.is_unlocked(current_round) {
        return Err(TicketError::SenderUnlocked { sender });
    }
    if funds.deposit.is_zero() && funds.reserve.is_zero() {
        return Err(TicketError::NoFunds { sender });
    }
    let amount = if face_value <= funds.deposit {
        face_value
    } else {
        let available = funds.available();
        if available >= face_value {
            face_value
        } else if last_round {
            available
        } else {
            return Err(TicketError::InsufficientFunds {
                sender,
                recipient,
                face_value,
                available,
            });
        }
    };
    if amount.is_zero() {
        return Err(TicketError::NothingToPay { sender, recipient });
    }
    Ok(amount)
}

/// Each active orchestrator's slice of a reserve this round: `(fundsRemaining +
/// claimedInCurrentRound) / poolSize`, 0 for an empty pool. The TicketBroker divides by the
/// number of transcoders active this round; go-livepeer's max float divides by the live pool
/// size (the live TicketBroker's divisor).
pub fn reserve_slice(
    funds_remaining: U256,
    claimed_in_current_round: U256,
    pool_size: U256,
) -> U256 {
    funds_remaining
        .saturating_add(claimed_in_current_round)
        .checked_div(pool_size)
        .unwrap_or(U256::ZERO)
}

/// `claimableReserve(holder, claimant)`: the claimant's [`reserve_slice`] minus what it already
/// claimed this round (`claimedReserve`), never below 0; 0 when the reserve is empty or the
/// claimant is not an active transcoder.
pub fn claimable_reserve(
    funds_remaining: U256,
    claimed_in_current_round: U256,
    pool_size: U256,
    claimed_by_claimant: U256,
    claimant_active: bool,
) -> U256 {
    if funds_remaining.is_zero() || !claimant_active {
        return U256::ZERO;
    }
    reserve_slice(funds_remaining, claimed_in_current_round, pool_size)
        .saturating_sub(claimed_by_claimant)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROUND: u64 = 10;

    fn funds(deposit: u64, reserve: u64, claimable: u64, withdraw: u64) -> SenderFunds {
        SenderFunds {
            deposit: U256::from(deposit),
            reserve: U256::from(reserve),
            withdraw_round: U256::from(withdraw),
            claimable_reserve: U256::from(claimable),
        }
    }

    #[test]
    fn payable_amount_follows_debit_sender() {
        let sender = Address::repeat_byte(2);
        let recipient = Address::repeat_byte(3);
        let round = Round::new(ROUND);
        let pay_in = |last: bool, face: u64, funds: SenderFunds| {
            payable_amount(U256::from(face), sender, recipient, &funds, round, last)
        };
        let pay = |face: u64, funds: SenderFunds| pay_in(false, face, funds);
        let short = |face: u64, available: u64| {
            Err(TicketError::InsufficientFunds {
                sender,
                recipient,
                face_value: U256::from(face),
                available: U256::from(available),
            })
        };
        // The deposit covers it.
        assert_eq!(pay(100, funds(1000, 0, 0, 0)), Ok(U256::from(100u64)));
        assert_eq!(pay(100, funds(100, 0, 0, 0)), Ok(U256::from(100u64)));
        // Deposit + slice covers it: full face value.
        assert_eq!(pay(100, funds(40, 500, 300, 0)), Ok(U256::from(100u64)));
        assert_eq!(pay(100, funds(40, 500, 60, 0)), Ok(U256::from(100u64)));
        // Short: reverts, whatever part could be paid (never a partial payment).
        assert_eq!(pay(100, funds(40, 500, 30, 0)), short(100, 70));
        assert_eq!(pay(100, funds(40, 500, 59, 0)), short(100, 99));
        assert_eq!(pay(100, funds(0, 500, 0, 0)), short(100, 0));
        assert_eq!(pay(100, funds(99, 0, 0, 0)), short(100, 99));
        // The slice is capped by what the reserve holds.
        assert_eq!(pay(100, funds(40, 20, 300, 0)), short(100, 60));
        // Last round: pays what is available, NothingToPay when nothing is.
        assert_eq!(
            pay_in(true, 100, funds(40, 500, 30, 0)),
            Ok(U256::from(70u64))
        );
        assert_eq!(
            pay_in(true, 100, funds(40, 20, 300, 0)),
            Ok(U256::from(60u64))
        );
        assert_eq!(
            pay_in(true, 100, funds(40, 500, 300, 0)),
            Ok(U256::from(100u64))
        );
        assert_eq!(
            pay_in(true, 100, funds(0, 500, 0, 0)),
            Err(TicketError::NothingToPay { sender, recipient })
        );
        assert_eq!(
            pay(0, funds(10, 0, 0, 0)),
            Err(TicketError::NothingToPay { sender, recipient })
        );
        assert_eq!(
            pay(100, funds(0, 0, 0, 0)),
            Err(TicketError::NoFunds { sender })
        );
        // An unlock still running pays; a finished one does not.
        assert_eq!(
            pay(100, funds(1000, 0, 0, ROUND + 1)),
            Ok(U256::from(100u64))
        );
        assert_eq!(
            pay(100, funds(1000, 0, 0, ROUND)),
            Err(TicketError::SenderUnlocked { sender })
        );
    }

    #[test]
    fn available_is_capped_by_the_reserve() {
        assert_eq!(funds(40, 20, 300, 0).available(), U256::from(60u64));
        assert_eq!(funds(40, 500, 300, 0).available(), U256::from(340u64));
    }

    #[test]
    fn payable_now_is_deposit_plus_slice_while_locked() {
        let round = Round::new(ROUND);
        let f = |withdraw_round| funds(40, 20, 300, withdraw_round);
        assert_eq!(f(0).payable_now(round), U256::from(60u64));
        // Unlocking: still pays until the withdraw round.
        assert_eq!(f(ROUND + 1).payable_now(round), U256::from(60u64));
        assert!(!f(ROUND + 1).is_unlocked(round));
        assert_eq!(f(ROUND).payable_now(round), U256::ZERO);
        assert!(f(ROUND).is_unlocked(round) && !f(0).is_unlocked(Round::MAX));
    }

    #[test]
    fn reserve_slices() {
        let u = |n: u64| U256::from(n);
        // (70 left + 30 claimed) over 4 active: 25 each.
        assert_eq!(reserve_slice(u(70), u(30), u(4)), u(25));
        assert_eq!(reserve_slice(u(70), u(30), U256::ZERO), U256::ZERO);
        assert_eq!(claimable_reserve(u(70), u(30), u(4), u(10), true), u(15));
        assert_eq!(claimable_reserve(u(70), u(30), u(4), u(25), true), u(0));
        assert_eq!(claimable_reserve(u(70), u(30), u(4), u(99), true), u(0));
        assert_eq!(claimable_reserve(u(70), u(30), u(4), u(0), false), u(0));
        assert_eq!(claimable_reserve(u(0), u(30), u(4), u(0), true), u(0));
    }
}
