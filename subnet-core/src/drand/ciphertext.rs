//! The byte layout of a timelock ciphertext: `tle`'s `TLECiphertext<TinyBLS381>`
//! serialised with arkworks 0.4 `serialize_compressed`, which Subtensor reads back
//! with `deserialize_compressed` (`reveal_commits.rs` `reveal_crv3_commits_for_subnet`).
//!
//! Fields in declaration order; a `Vec<u8>` is its length as a little-endian u64,
//! then its bytes (ark-serialize's rule for sequences):
//!
//! ```text
//! header: u  compressed G2 point (96)      U = rP
//!         v  u64 len (32) + 32 bytes       sigma xor H2(e(Q_id, P_pub)^r)
//!         w  u64 len (32) + 32 bytes       key xor H4(sigma)
//! body:      u64 len + AESOutput { ciphertext: u64 len + AES-GCM ct‖tag, nonce: u64 len (12) + nonce }
//! cipher_suite: u64 len (8) + b"AES_GCM_"
//! ```
//!
//! Parsing follows what the chain accepts: bytes after the last field (and after the
//! AES output inside `body`) are ignored, and the cipher suite is not checked, as
//! `deserialize_compressed` and `tld` do neither. It is stricter in one place: `v`
//! and `w` must be 32 bytes (any other length can never decrypt in `tle`, and some
//! make its `cross_product_32`/`h4` index out of bounds).

use ark_bls12_381::G2Affine;
use ark_serialize::{CanonicalDeserialize, CanonicalSerialize};

use super::curve::PUBLIC_KEY_LEN;
use super::TlockError;

/// `tle` `AESGCMStreamCipherProvider::CIPHER_SUITE`.
pub const CIPHER_SUITE: &[u8] = b"AES_GCM_";
/// AES-GCM's 96-bit nonce (`tle` `AES_GCM_NONCE_LEN`).
pub(crate) const NONCE_LEN: usize = 12;

/// The IBE part: the 32-byte AES key encrypted to a round's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) u: G2Affine,
    pub(crate) v: [u8; 32],
    pub(crate) w: [u8; 32],
}

/// A parsed ciphertext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Ciphertext {
    pub(crate) header: Header,
    /// AES-256-GCM output: ciphertext followed by the 16-byte tag.
    pub(crate) sealed: Vec<u8>,
    pub(crate) nonce: [u8; NONCE_LEN],
    pub(crate) cipher_suite: Vec<u8>,
}

impl Ciphertext {
    /// The exact bytes `TLECiphertext::serialize_compressed` writes.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut body = Vec::with_capacity(8 + self.sealed.len() + 8 + NONCE_LEN);
        put_vec(&mut body, &self.sealed);
        put_vec(&mut body, &self.nonce);

        let mut out = Vec::with_capacity(PUBLIC_KEY_LEN + 2 * 40 + 8 + body.len() + 8 + self.cipher_suite.len());
        self.header.u.serialize_compressed(&mut out).expect("writing a G2 point to a Vec cannot fail");
        put_vec(&mut out, &self.header.v);
        put_vec(&mut out, &self.header.w);
        put_vec(&mut out, &body);
        put_vec(&mut out, &self.cipher_suite);
        out
    }

    /// Parse as the chain does (see the module docs for what is ignored).
    pub(crate) fn parse(bytes: &[u8]) -> Result<Self, TlockError> {
        let mut r = Reader(bytes);
        let u_bytes = r.take(PUBLIC_KEY_LEN).ok_or(TlockError::Malformed("shorter than the header's G2 point"))?;
        let u = G2Affine::deserialize_compressed(u_bytes).map_err(|_| TlockError::Malformed("header U is not a G2 point"))?;
        let v = r.vec("header V")?.try_into().map_err(|_| TlockError::Malformed("header V is not 32 bytes"))?;
        let w = r.vec("header W")?.try_into().map_err(|_| TlockError::Malformed("header W is not 32 bytes"))?;
        let body = r.vec("body")?;
        let cipher_suite = r.vec("cipher suite")?.to_vec();

        let mut b = Reader(body);
        let sealed = b.vec("AES ciphertext")?.to_vec();
        let nonce = b.vec("AES nonce")?.try_into().map_err(|_| TlockError::Malformed("AES nonce is not 12 bytes"))?;
        Ok(Ciphertext { header: Header { u, v, w }, sealed, nonce, cipher_suite })
    }
}

fn put_vec(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// A cursor that never reads past its slice.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }

    /// A length-prefixed byte vector; the length is checked against what is left
    /// before anything is allocated.
    fn vec(&mut self, what: &'static str) -> Result<&'a [u8], TlockError> {
        let malformed = TlockError::Malformed(what);
        let len = self.take(8).ok_or(malformed.clone())?;
        let len = u64::from_le_bytes(len.try_into().expect("took 8 bytes"));
        let len = usize::try_from(len).map_err(|_| malformed.clone())?;
        self.take(len).ok_or(malformed)
    }
}
