//! Helpers several test modules share: well-known accounts and keys by number.

use subnet_core::chain::AccountId;
use subnet_core::keys::Keypair;

/// Account `i`: 32 bytes of `i` (no key behind it; for chain bookkeeping).
pub fn acct(i: u8) -> AccountId {
    AccountId([i; 32])
}

/// A real sr25519 key pair from the seed `[i; 32]`, for anything that signs.
pub fn seeded_key(i: u8) -> Keypair {
    Keypair::from_seed(&[i; 32]).unwrap()
}
