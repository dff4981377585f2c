//! The signed request header: who asks whom, for what, when, and a proof of it.
//!
//! ## The signed message
//!
//! The caller signs, with its sr25519 hotkey in the Substrate signing context
//! (`b"substrate"`), exactly these bytes:
//!
//! ```text
//! b"subnet-rpc/v1\n"             14 bytes, domain separation
//! caller hotkey                  32 bytes (sr25519 public key)
//! target hotkey                  32 bytes (the miner addressed)
//! netuid                         u16, little endian
//! protocol version               u64, little endian (the subnet's version)
//! nonce                          u64, little endian: nanoseconds since the Unix epoch
//! body hash                      32 bytes: blake2b-256 of the request body
//! task name length               u16, little endian
//! task name                      UTF-8 bytes
//! ```
//!
//! On the wire the header is those bytes followed by the 64-byte signature
//! ([`SignedHeader::encode`]). A miner checks, cheapest first and before any work:
//! the target is itself, the version is one it speaks, the nonce is within the clock
//! window, the body matches its hash, the signature is the caller's, and the nonce
//! is newer than the last one accepted from that caller (replays are refused).

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

use crate::keys::{verify, Keypair};

const DOMAIN: &[u8] = b"subnet-rpc/v1\n";
/// The longest task name accepted.
pub const MAX_TASK_NAME: usize = 256;

/// Why a request was refused before reaching the miner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// The header bytes do not parse (truncated, too long, not UTF-8, trailing bytes).
    #[error("malformed header: {0}")]
    Malformed(&'static str),
    /// The header's target hotkey is not this miner's.
    #[error("the request is addressed to another hotkey")]
    WrongTarget,
    /// The caller speaks another protocol version (`SubnetSpec::VERSION`).
    #[error("protocol version {theirs} is not one this miner speaks ({ours})")]
    IncompatibleVersion {
        /// The version this miner speaks.
        ours: u64,
        /// The version the caller signed.
        theirs: u64,
    },
    /// The header names another netuid.
    #[error("the request is for subnet {theirs}, this is subnet {ours}")]
    WrongSubnet {
        /// This miner's netuid.
        ours: u16,
        /// The netuid the caller signed.
        theirs: u16,
    },
    /// The nonce is further from this miner's clock than the window allows, or further
    /// behind the caller's newest nonce than requests may be reordered.
    #[error("the nonce is outside the accepted window (skew {skew_ms} ms)")]
    StaleNonce {
        /// Nonce minus local clock, milliseconds (negative: the nonce is in the past).
        skew_ms: i64,
    },
    /// The body's blake2b-256 hash differs from the signed one.
    #[error("the body does not match its signed hash")]
    BodyHashMismatch,
    /// The sr25519 signature does not verify against the caller's hotkey.
    #[error("the signature is not the caller's")]
    BadSignature,
    /// The (caller, nonce) pair was already accepted once.
    #[error("the nonce was already used by this caller")]
    Replay,
}

/// The fields a caller signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The caller's hotkey (sr25519 public key).
    pub caller: [u8; 32],
    /// The miner's hotkey the request is addressed to.
    pub target: [u8; 32],
    /// The subnet the request is for.
    pub netuid: u16,
    /// The subnet's protocol version (`SubnetSpec::VERSION`).
    pub version: u64,
    /// Nanoseconds since the Unix epoch when signed; orders a caller's requests and bounds
    /// replays.
    pub nonce: u64,
    /// blake2b-256 of the request body.
    pub body_hash: [u8; 32],
    /// The task name, as in the body's envelope.
    pub task: String,
}

/// A header and the caller's signature over it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeader {
    /// The signed fields.
    pub header: Header,
    /// The caller's sr25519 signature over [`Header::message`].
    pub signature: [u8; 64],
}

/// blake2b-256 of a request body, as signed in [`Header::body_hash`].
pub fn body_hash(body: &[u8]) -> [u8; 32] {
    Blake2b::<U32>::digest(body).into()
}

/// Nanoseconds since the Unix epoch, now.
pub fn now_nanos() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
}

impl Header {
    /// The exact bytes that are signed (see the module documentation).
    pub fn message(&self) -> Vec<u8> {
        let mut m = Vec::with_capacity(DOMAIN.len() + 32 + 32 + 2 + 8 + 8 + 32 + 2 + self.task.len());
        m.extend_from_slice(DOMAIN);
        m.extend_from_slice(&self.caller);
        m.extend_from_slice(&self.target);
        m.extend_from_slice(&self.netuid.to_le_bytes());
        m.extend_from_slice(&self.version.to_le_bytes());
        m.extend_from_slice(&self.nonce.to_le_bytes());
        m.extend_from_slice(&self.body_hash);
        m.extend_from_slice(&(self.task.len() as u16).to_le_bytes());
        m.extend_from_slice(self.task.as_bytes());
        m
    }

    /// Sign as `caller` (whose public key must be `self.caller`).
    pub fn sign(self, caller: &Keypair) -> SignedHeader {
        let signature = caller.sign(&self.message());
        SignedHeader { header: self, signature }
    }
}

impl SignedHeader {
    /// A header for `body`, signed now by `caller`.
    pub fn new(caller: &Keypair, target: [u8; 32], netuid: u16, version: u64, task: &str, body: &[u8]) -> Self {
        Header { caller: caller.public_key().0, target, netuid, version, nonce: now_nanos(), body_hash: body_hash(body), task: task.to_string() }
            .sign(caller)
    }

    /// Wire form: the signed message, then the signature.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = self.header.message();
        out.extend_from_slice(&self.signature);
        out
    }

    /// Parse the wire form; never panics, whatever the bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, AuthError> {
        let mut r = Reader(bytes);
        if r.take(DOMAIN.len())? != DOMAIN {
            return Err(AuthError::Malformed("unknown protocol prefix"));
        }
        let caller = r.array::<32>()?;
        let target = r.array::<32>()?;
        let netuid = u16::from_le_bytes(r.array::<2>()?);
        let version = u64::from_le_bytes(r.array::<8>()?);
        let nonce = u64::from_le_bytes(r.array::<8>()?);
        let body_hash = r.array::<32>()?;
        let len = u16::from_le_bytes(r.array::<2>()?) as usize;
        if len > MAX_TASK_NAME {
            return Err(AuthError::Malformed("task name too long"));
        }
        let task = std::str::from_utf8(r.take(len)?).map_err(|_| AuthError::Malformed("task name is not UTF-8"))?.to_string();
        let signature = r.array::<64>()?;
        if !r.0.is_empty() {
            return Err(AuthError::Malformed("trailing bytes"));
        }
        Ok(Self { header: Header { caller, target, netuid, version, nonce, body_hash, task }, signature })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], AuthError> {
        if self.0.len() < n {
            return Err(AuthError::Malformed("truncated"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn array<const N: usize>(&mut self) -> Result<[u8; N], AuthError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }
}

/// A miner's checks on a request, in three steps so that the server can put its
/// blacklist between the cheap claims and the costly signature check:
/// [`Verifier::check_claims`], [`Verifier::check_proof`], then
/// [`ReplayGuard::accept`] for a verified caller.
#[derive(Debug, Clone)]
pub struct Verifier {
    me: [u8; 32],
    netuid: u16,
    version: u64,
    window: Duration,
}

impl Verifier {
    /// Checks for requests to `me` on `netuid` speaking `version`, accepting nonces
    /// within `window` of the local clock.
    pub fn new(me: [u8; 32], netuid: u16, version: u64, window: Duration) -> Self {
        Self { me, netuid, version, window }
    }

    /// The unsigned claims, cheapest first: target, subnet, version, clock window.
    pub fn check_claims(&self, h: &Header, now: u64) -> Result<(), AuthError> {
        if h.target != self.me {
            return Err(AuthError::WrongTarget);
        }
        if h.netuid != self.netuid {
            return Err(AuthError::WrongSubnet { ours: self.netuid, theirs: h.netuid });
        }
        if h.version != self.version {
            return Err(AuthError::IncompatibleVersion { ours: self.version, theirs: h.version });
        }
        let skew = h.nonce as i128 - now as i128;
        if skew.unsigned_abs() > self.window.as_nanos() {
            return Err(AuthError::StaleNonce { skew_ms: (skew / 1_000_000).clamp(i64::MIN as i128, i64::MAX as i128) as i64 });
        }
        Ok(())
    }

    /// The proof: the body matches its hash and the caller signed the header.
    pub fn check_proof(&self, signed: &SignedHeader, body: &[u8]) -> Result<(), AuthError> {
        let h = &signed.header;
        if body_hash(body) != h.body_hash {
            return Err(AuthError::BodyHashMismatch);
        }
        if !verify(&h.caller, &h.message(), &signed.signature) {
            return Err(AuthError::BadSignature);
        }
        Ok(())
    }

    /// How far a nonce may be from the local clock.
    pub fn window(&self) -> Duration {
        self.window
    }
}

/// Replay protection: every (caller, nonce) is accepted at most once.
///
/// A validator sends many requests at once, and they may arrive out of order, so a
/// strictly increasing nonce (Bittensor's axon rule) would refuse honest traffic.
/// Instead each caller has a floor: nonces more than `reorder` older than its newest
/// accepted nonce are refused, and above the floor the nonces seen are remembered.
/// Memory is bounded per caller (`max_per_caller`, the floor rises past the oldest)
/// and in callers (`max_callers`, the stalest caller forgotten: its nonces are outside
/// the clock window by then, or soon are). Only verified callers reach this guard, so
/// no one can spend another caller's memory.
#[derive(Debug)]
pub struct ReplayGuard {
    reorder: u64,
    max_per_caller: usize,
    max_callers: usize,
    callers: HashMap<[u8; 32], NonceWindow>,
}

#[derive(Debug, Default)]
struct NonceWindow {
    /// Nonces at or below this are refused.
    floor: u64,
    seen: std::collections::BTreeSet<u64>,
}

impl ReplayGuard {
    /// Nonces up to `reorder` behind a caller's newest are still accepted once.
    pub fn new(reorder: Duration) -> Self {
        Self { reorder: reorder.as_nanos() as u64, max_per_caller: 1 << 16, max_callers: 4096, callers: HashMap::new() }
    }

    /// Accept `nonce` from `caller` if it was never accepted before.
    pub fn accept(&mut self, caller: &[u8; 32], nonce: u64) -> Result<(), AuthError> {
        if !self.callers.contains_key(caller) && self.callers.len() >= self.max_callers {
            if let Some(stalest) = self.callers.iter().min_by_key(|(_, w)| w.newest()).map(|(k, _)| *k) {
                self.callers.remove(&stalest);
            }
        }
        let w = self.callers.entry(*caller).or_default();
        if nonce <= w.floor {
            // Too far behind this caller's newest to tell a replay from a late request.
            let behind = w.newest().saturating_sub(nonce) / 1_000_000;
            return Err(AuthError::StaleNonce { skew_ms: -i64::try_from(behind).unwrap_or(i64::MAX) });
        }
        if !w.seen.insert(nonce) {
            return Err(AuthError::Replay);
        }
        let floor = w.newest().saturating_sub(self.reorder).max(w.floor);
        if floor > w.floor {
            w.floor = floor;
            w.seen = w.seen.split_off(&(floor + 1));
        }
        while w.seen.len() > self.max_per_caller {
            w.floor = w.seen.pop_first().unwrap_or(w.floor);
        }
        Ok(())
    }
}

impl NonceWindow {
    fn newest(&self) -> u64 {
        self.seen.last().copied().unwrap_or(self.floor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> (Keypair, Keypair) {
        (Keypair::from_uri("//Alice").unwrap(), Keypair::from_uri("//Bob").unwrap())
    }

    fn setup() -> (Keypair, Checks, [u8; 32]) {
        let (validator, miner) = keys();
        let me = miner.public_key().0;
        (validator, Checks(Verifier::new(me, 7, 1, Duration::from_secs(30)), ReplayGuard::new(Duration::from_secs(2))), me)
    }

    /// All three steps, as the server runs them.
    struct Checks(Verifier, ReplayGuard);

    impl Checks {
        fn check(&mut self, signed: &SignedHeader, body: &[u8], now: u64) -> Result<(), AuthError> {
            self.0.check_claims(&signed.header, now)?;
            self.0.check_proof(signed, body)?;
            self.1.accept(&signed.header.caller, signed.header.nonce)
        }
    }

    #[test]
    fn a_fresh_signed_request_passes_once() {
        let (v, mut verifier, me) = setup();
        let body = br#"{"task":"Add","body":{"a":1,"b":2}}"#;
        let signed = SignedHeader::new(&v, me, 7, 1, "Add", body);
        let wire = signed.encode();
        let decoded = SignedHeader::decode(&wire).unwrap();
        assert_eq!(decoded, signed);
        verifier.check(&decoded, body, now_nanos()).unwrap();
        assert_eq!(verifier.check(&decoded, body, now_nanos()), Err(AuthError::Replay));
    }

    #[test]
    fn every_rejection_has_its_reason() {
        let (v, mut verifier, me) = setup();
        let body = b"payload";
        let now = now_nanos();
        let header = |f: &dyn Fn(&mut Header)| {
            let mut h =
                Header { caller: v.public_key().0, target: me, netuid: 7, version: 1, nonce: now, body_hash: body_hash(body), task: "T".into() };
            f(&mut h);
            h.sign(&v)
        };
        assert_eq!(verifier.check(&header(&|h| h.target = [9; 32]), body, now), Err(AuthError::WrongTarget));
        assert_eq!(verifier.check(&header(&|h| h.netuid = 8), body, now), Err(AuthError::WrongSubnet { ours: 7, theirs: 8 }));
        assert_eq!(verifier.check(&header(&|h| h.version = 2), body, now), Err(AuthError::IncompatibleVersion { ours: 1, theirs: 2 }));
        assert!(matches!(verifier.check(&header(&|h| h.nonce = now - 31_000_000_000), body, now), Err(AuthError::StaleNonce { .. })));
        assert!(matches!(verifier.check(&header(&|h| h.nonce = now + 31_000_000_000), body, now), Err(AuthError::StaleNonce { .. })));
        assert_eq!(verifier.check(&header(&|_| {}), b"tampered", now), Err(AuthError::BodyHashMismatch));
        // Signed by someone else than the claimed caller.
        let mut forged = header(&|_| {});
        forged.header.caller = me;
        assert_eq!(verifier.check(&forged, body, now), Err(AuthError::BadSignature));
        // A field changed after signing.
        let mut altered = header(&|_| {});
        altered.header.task = "U".into();
        assert_eq!(verifier.check(&altered, body, now), Err(AuthError::BadSignature));
        // Requests signed concurrently may arrive out of order: an older nonce after a
        // newer one is fine once, and only once.
        verifier.check(&header(&|h| h.nonce = now + 5), body, now).unwrap();
        verifier.check(&header(&|h| h.nonce = now + 4), body, now).unwrap();
        assert_eq!(verifier.check(&header(&|h| h.nonce = now + 4), body, now), Err(AuthError::Replay));
        // Beyond the reorder window behind the newest, it is refused as stale (it may
        // never have been seen: a late request, not necessarily a replay).
        verifier.check(&header(&|h| h.nonce = now + 3_000_000_000), body, now).unwrap();
        assert!(matches!(verifier.check(&header(&|h| h.nonce = now + 6), body, now), Err(AuthError::StaleNonce { skew_ms: -2999 })));
    }

    #[test]
    fn decoding_random_and_truncated_bytes_never_panics() {
        let (v, _, me) = setup();
        let wire = SignedHeader::new(&v, me, 7, 1, "Add", b"x").encode();
        for cut in 0..wire.len() {
            assert!(SignedHeader::decode(&wire[..cut]).is_err());
        }
        let mut longer = wire.clone();
        longer.push(0);
        assert_eq!(SignedHeader::decode(&longer), Err(AuthError::Malformed("trailing bytes")));
        let mut seed = 0x51u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 300) as usize;
            let mut bytes: Vec<u8> = (0..len).map(|i| (seed.rotate_left(i as u32 % 64) & 0xff) as u8).collect();
            if seed.is_multiple_of(3) && bytes.len() >= DOMAIN.len() {
                bytes[..DOMAIN.len()].copy_from_slice(DOMAIN); // get past the prefix check
            }
            let _ = SignedHeader::decode(&bytes);
        }
    }

    #[test]
    fn replay_memory_stays_bounded() {
        let mut guard = ReplayGuard::new(Duration::from_secs(2));
        guard.max_callers = 8;
        guard.max_per_caller = 100;
        let now = now_nanos();
        for i in 0..20u8 {
            guard.accept(&[i; 32], now + i as u64).unwrap();
        }
        assert!(guard.callers.len() <= 8);
        for n in 0..1000 {
            guard.accept(&[0; 32], now + n).unwrap_or(());
        }
        let w = &guard.callers[&[0; 32]];
        assert!(w.seen.len() <= 100);
        // What was forgotten is refused, not accepted again.
        assert!(matches!(guard.accept(&[0; 32], now + 1), Err(AuthError::StaleNonce { .. })));
    }
}
