//! drand timelock encryption, byte-compatible with Subtensor's commit-reveal v4 and
//! Python's bittensor-drand.
//!
//! A validator encrypts its weights ([`payload`]) to a future round of a drand beacon
//! ([`tlock`]); when the beacon publishes that round's signature, the chain (which
//! stores every pulse in `pallet_drand::Pulses`) decrypts and applies them. Finney
//! follows drand's [`quicknet`]; the local chain runs a [`LocalBeacon`] that signs
//! rounds the same way. [`reveal_round`] picks the round a commit targets.
//!
//! Written from Subtensor's `tle` (ideal-lab5/timelock rev 5416406) and bittensor-drand
//! on the arkworks 0.4 crates they use; no part of either is a dependency.
//!
//! | file | job |
//! |---|---|
//! | `curve` | points, encodings, the round's hash-to-G1, BLS verification |
//! | `ibe` | Boneh–Franklin FullIdent: the AES key to a round's identity |
//! | `ciphertext` | `TLECiphertext<TinyBLS381>`'s byte layout |
//! | `tlock` | encrypt / decrypt |
//! | `beacon` | a local beacon, pulse verification |

mod beacon;
mod ciphertext;
mod curve;
mod error;
mod ibe;
pub mod payload;
pub mod quicknet;
pub mod reveal_round;
pub mod tlock;

pub use beacon::{randomness, verify_pulse, LocalBeacon};
pub use ciphertext::CIPHER_SUITE;
pub use curve::{round_message, DST, PUBLIC_KEY_LEN, SIGNATURE_LEN};
pub use error::TlockError;
pub use payload::{encrypt_weights, revealed_weights, PayloadError, WeightsTlockPayload};
pub use tlock::{decrypt, encrypt};

#[cfg(test)]
mod tests;
