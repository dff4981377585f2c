//! Keys and wallets: sr25519 key pairs compatible with Substrate and Bittensor, SS58
//! addresses, and bittensor-wallet's on-disk wallets and keyfiles.
//!
//! ```
//! use subnet_core::keys::{verify, Keypair};
//!
//! let alice = Keypair::from_uri("//Alice").unwrap();
//! assert_eq!(alice.ss58_address(), "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY");
//! let sig = alice.sign(b"hello");
//! assert!(verify(alice.public_key().as_bytes(), b"hello", &sig));
//! ```
//!
//! Secret material (phrases, seeds, secret keys, passwords) is zeroed on drop where
//! this module holds it, is never part of a `Debug` output or an error message, and is
//! reachable only through the `expose_*` methods of [`Keypair`].
//!
//! Derivation follows `sp_core::sr25519`: mnemonic → entropy → PBKDF2-HMAC-SHA512
//! (`substrate-bip39`) → 32-byte mini secret key → schnorrkel expansion in
//! `ExpansionMode::Ed25519`; hard junctions use schnorrkel's
//! `hard_derive_mini_secret_key` (a merlin transcript, not the blake2b
//! "SchnorrRistrettoHDKD" hash, which is ed25519's hard derivation in Substrate).

mod error;
pub mod keyfile;
mod pair;
pub mod ss58;
mod wallet;

pub use error::{KeyError, WalletError};
pub use pair::{verify, Keypair, PublicKey, DEV_PHRASE, SIGNING_CONTEXT};
pub use wallet::{default_wallets_path, read_keypair, Wallet};
