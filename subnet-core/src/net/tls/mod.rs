//! TLS 1.3 between validators and miners, each side proving its hotkey once per
//! connection.
//!
//! ## The construction
//!
//! Each neuron has an Ed25519 TLS key derived from its hotkey ([`identity`]) and a
//! self-signed certificate for it whose Subject Alternative Name carries the hotkey's
//! sr25519 signature over the certificate's public key and an expiry ([`binding`]).
//! Both sides present their certificate in a TLS 1.3 handshake (mutual TLS). Each
//! checks the other's binding ([`verifier`]) and TLS checks CertificateVerify, the
//! peer's signature over the handshake transcript with the certificate's key. So, once
//! the handshake completes:
//!
//! - the validator knows the miner holds a TLS key the hotkey it dialled vouched for
//!   (and, when the miner published its TLS key on chain with `serve_axon_tls`, that it
//!   is that key: a verifier built with the pinned key refuses any other);
//! - the miner knows the caller's hotkey, which feeds its blacklist, rate limits and
//!   stake priority for every request on the connection;
//! - every byte either way is encrypted and authenticated under keys from this
//!   handshake's fresh ECDHE, so requests carry no signature or nonce: a recorded
//!   request or handshake replayed on another connection fails, and answers are bound
//!   to the miner's hotkey.
//!
//! Cost: one sr25519 signature per certificate (renewed twice a week), one sr25519
//! verification per connection per side, and the TLS handshake (Ed25519, X25519);
//! nothing per request beyond TLS's record encryption.
//!
//! ## Threat model
//!
//! - A passive observer sees addresses, ports, timing and sizes, and the ClientHello
//!   (no SNI: miners are dialled by IP). Certificates travel encrypted in TLS 1.3, so
//!   not even who talks to whom is shown beyond the IPs.
//! - An active on-path attacker cannot read or alter traffic, or pose as either side,
//!   without that side's TLS key: presenting a captured certificate fails
//!   CertificateVerify; a certificate for its own key needs the hotkey's signature.
//! - A stolen TLS key (without the hotkey) works until its binding expires (at most
//!   [`binding::MAX_VALIDITY`]), and not at all against validators that pin the key the
//!   chain publishes once the miner publishes a new one.
//! - Out of scope: a miner relaying tasks to another miner (its answers are still its
//!   own to the validator), and denial of service beyond the handshake limits.

pub mod binding;
pub(crate) mod config;
pub mod identity;
pub mod verifier;

#[cfg(test)]
mod tests;

pub use binding::{check_certificate, CertError, HotkeyBinding, PeerIdentity};
pub use identity::{IdentityError, TlsIdentity, ED25519_ALGORITHM};
pub use verifier::{CallerVerifier, MinerVerifier};
