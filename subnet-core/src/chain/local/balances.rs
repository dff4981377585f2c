//! Balance transfers as Subtensor's `Balances` pallet makes them: `pallet_balances`'
//! `transfer_allow_death`, `transfer_keep_alive` and `transfer_all`, which all go
//! through `fungible::Mutate::transfer` (polkadot-sdk `substrate/frame/balances`,
//! `impl_fungible.rs`, and `frame/support/src/traits/tokens/fungible/regular.rs`).
//!
//! The rules, in the order the chain checks them:
//! - the sender must hold the amount (`Token::FundsUnavailable`);
//! - keeping the sender alive (`keep_alive`), it may not fall below the existential
//!   deposit (`Token::NotExpendable`); allowing death, it is reaped when it does, and
//!   what is left below the deposit is lost (`DustLost`);
//! - the receiver must end with at least the existential deposit
//!   (`Token::BelowMinimum`);
//! - a transfer to oneself changes nothing and raises no event.

use super::LocalChain;
use crate::chain::types::{AccountId, Balance, Signer};
use crate::chain::ChainError;

/// Subtensor's `ExistentialDeposit`: 500 rao (`runtime/src/lib.rs`, `EXISTENTIAL_DEPOSIT`).
pub const EXISTENTIAL_DEPOSIT: Balance = 500;

/// Whether a transfer may reap the sender (`frame_support::traits::tokens::Preservation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Preservation {
    /// The sender may fall below the existential deposit and be reaped
    /// (`transfer_allow_death`, `transfer_all` without `keep_alive`).
    Expendable,
    /// The sender must keep at least the existential deposit (`transfer_keep_alive`,
    /// `transfer_all` with `keep_alive`).
    Preserve,
}

/// What a successful transfer did, for the events the chain deposits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Transferred {
    /// The amount moved (`Transfer`'s `amount`); 0 when nothing moved.
    pub amount: Balance,
    /// The sender was reaped with this much below the deposit lost (`DustLost`).
    pub dust_lost: Option<Balance>,
    /// The receiver's account was created with this free balance (`Endowed`).
    pub endowed: Option<Balance>,
    /// Sender and receiver are the same account: nothing happened, no events.
    pub to_self: bool,
}

impl LocalChain {
    /// What `who` can transfer (`reducible_balance` with `Fortitude::Polite` and no
    /// holds or freezes): everything, or everything above the existential deposit when
    /// the account must stay alive.
    pub fn transferable(&self, who: &AccountId, preservation: Preservation) -> Balance {
        let free = self.balance(who);
        match preservation {
            Preservation::Expendable => free,
            Preservation::Preserve => free.saturating_sub(EXISTENTIAL_DEPOSIT),
        }
    }

    /// Move `amount` of the signer's free balance to `dest`
    /// (`pallet_balances::transfer_allow_death` with [`Preservation::Expendable`],
    /// `transfer_keep_alive` with [`Preservation::Preserve`]).
    pub fn transfer(&mut self, from: &dyn Signer, dest: AccountId, amount: Balance, preservation: Preservation) -> Result<Transferred, ChainError> {
        let source = from.account_id();
        // `can_withdraw`, then `into_result(keep_nonzero = preservation != Expendable)`.
        let left = self.balance(&source).checked_sub(amount).ok_or(ChainError::FundsUnavailable)?;
        let reaped = amount > 0 && left < EXISTENTIAL_DEPOSIT;
        if reaped && preservation == Preservation::Preserve {
            return Err(ChainError::NotExpendable);
        }
        // `can_deposit(dest, amount, Provenance::Extant)`: nothing to check for 0.
        let before = self.balance(&dest);
        if amount > 0 && before.saturating_add(amount) < EXISTENTIAL_DEPOSIT {
            return Err(ChainError::BelowMinimum);
        }
        if source == dest {
            return Ok(Transferred { to_self: true, ..Transferred::default() });
        }
        let mut done = Transferred { amount, ..Transferred::default() };
        if reaped {
            // The account is removed; what it still held is dust, lost from the supply.
            self.balances.remove(&source);
            if left > 0 {
                self.supply.burned += left;
                done.dust_lost = Some(left);
            }
        } else {
            self.balances.insert(source, left);
        }
        if amount > 0 {
            let after = before + amount;
            self.balances.insert(dest, after);
            if before == 0 {
                done.endowed = Some(after);
            }
        }
        Ok(done)
    }

    /// `pallet_balances::transfer_all`: everything the signer can transfer; with
    /// `keep_alive`, all but the existential deposit.
    pub fn transfer_all(&mut self, from: &dyn Signer, dest: AccountId, keep_alive: bool) -> Result<Transferred, ChainError> {
        let preservation = if keep_alive { Preservation::Preserve } else { Preservation::Expendable };
        let amount = self.transferable(&from.account_id(), preservation);
        self.transfer(from, dest, amount, preservation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chain::local::LocalChainConfig;

    const TAO: Balance = 1_000_000_000;

    fn chain() -> (LocalChain, AccountId, AccountId) {
        let (alice, bob) = (AccountId([1; 32]), AccountId([2; 32]));
        (LocalChain::new(LocalChainConfig::dev(alice, &[alice], 10 * TAO)), alice, bob)
    }

    #[test]
    fn a_transfer_moves_the_amount_and_creates_the_receiver() {
        let (mut c, alice, bob) = chain();
        let done = c.transfer(&alice, bob, 3 * TAO, Preservation::Expendable).unwrap();
        assert_eq!(done, Transferred { amount: 3 * TAO, endowed: Some(3 * TAO), ..Transferred::default() });
        assert_eq!((c.balance(&alice), c.balance(&bob)), (7 * TAO, 3 * TAO));
        // The receiver exists now: no second `Endowed`.
        assert_eq!(c.transfer(&alice, bob, TAO, Preservation::Preserve).unwrap().endowed, None);
        assert_eq!(c.circulating(), 10 * TAO);
    }

    #[test]
    fn more_than_the_free_balance_is_unavailable() {
        let (mut c, alice, bob) = chain();
        for p in [Preservation::Expendable, Preservation::Preserve] {
            assert_eq!(c.transfer(&alice, bob, 10 * TAO + 1, p), Err(ChainError::FundsUnavailable));
        }
        // An account that never existed has nothing to send.
        assert_eq!(c.transfer(&bob, alice, 1, Preservation::Expendable), Err(ChainError::FundsUnavailable));
        assert_eq!(c.balance(&alice), 10 * TAO);
    }

    #[test]
    fn keep_alive_keeps_the_existential_deposit() {
        let (mut c, alice, bob) = chain();
        // Down to the deposit exactly is allowed, one rao below is not.
        assert_eq!(c.transfer(&alice, bob, 10 * TAO - EXISTENTIAL_DEPOSIT + 1, Preservation::Preserve), Err(ChainError::NotExpendable));
        assert_eq!(c.transfer(&alice, bob, 10 * TAO, Preservation::Preserve), Err(ChainError::NotExpendable));
        c.transfer(&alice, bob, 10 * TAO - EXISTENTIAL_DEPOSIT, Preservation::Preserve).unwrap();
        assert_eq!(c.balance(&alice), EXISTENTIAL_DEPOSIT);
    }

    #[test]
    fn allowing_death_reaps_the_sender_and_loses_the_dust() {
        let (mut c, alice, bob) = chain();
        let done = c.transfer(&alice, bob, 10 * TAO - 100, Preservation::Expendable).unwrap();
        assert_eq!(done.dust_lost, Some(100));
        assert_eq!(c.balance(&alice), 0);
        assert!(c.accounts().all(|(a, _)| *a != alice), "the sender is reaped");
        // The dust left the supply: endowed - burned still balances what circulates.
        let s = c.supply();
        assert_eq!(c.circulating(), s.endowed - s.burned + s.paid_out);
        assert_eq!(s.burned, 100);
    }

    #[test]
    fn the_receiver_must_reach_the_existential_deposit() {
        let (mut c, alice, bob) = chain();
        assert_eq!(c.transfer(&alice, bob, EXISTENTIAL_DEPOSIT - 1, Preservation::Expendable), Err(ChainError::BelowMinimum));
        c.transfer(&alice, bob, EXISTENTIAL_DEPOSIT, Preservation::Expendable).unwrap();
        // Once it exists, any amount tops it up.
        c.transfer(&alice, bob, 1, Preservation::Expendable).unwrap();
        assert_eq!(c.balance(&bob), EXISTENTIAL_DEPOSIT + 1);
    }

    #[test]
    fn zero_and_self_transfers_change_nothing() {
        let (mut c, alice, bob) = chain();
        assert_eq!(c.transfer(&alice, bob, 0, Preservation::Preserve).unwrap(), Transferred::default());
        assert_eq!(c.balance(&bob), 0);
        let to_self = c.transfer(&alice, alice, 10 * TAO, Preservation::Expendable).unwrap();
        assert!(to_self.to_self);
        assert_eq!(c.balance(&alice), 10 * TAO);
        // The checks still run first: keeping alive, oneself included.
        assert_eq!(c.transfer(&alice, alice, 10 * TAO, Preservation::Preserve), Err(ChainError::NotExpendable));
    }

    #[test]
    fn transfer_all_with_keep_alive_leaves_the_deposit() {
        let (mut c, alice, bob) = chain();
        let done = c.transfer_all(&alice, bob, true).unwrap();
        assert_eq!(done.amount, 10 * TAO - EXISTENTIAL_DEPOSIT);
        assert_eq!((c.balance(&alice), c.balance(&bob)), (EXISTENTIAL_DEPOSIT, 10 * TAO - EXISTENTIAL_DEPOSIT));
        // Nothing left to move while staying alive: a transfer of 0.
        assert_eq!(c.transfer_all(&alice, bob, true).unwrap().amount, 0);
        // Without keep_alive the rest goes and the account is reaped, with no dust.
        let done = c.transfer_all(&alice, bob, false).unwrap();
        assert_eq!((done.amount, done.dust_lost), (EXISTENTIAL_DEPOSIT, None));
        assert_eq!((c.balance(&alice), c.balance(&bob)), (0, 10 * TAO));
    }
}
