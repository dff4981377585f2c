//! sr25519 key pairs as Substrate and Bittensor derive them.

use std::fmt;

use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use schnorrkel::derive::{ChainCode, Derivation};
use schnorrkel::{ExpansionMode, MiniSecretKey, SecretKey};
use zeroize::Zeroizing;

use super::{ss58, KeyError};

/// Substrate's signing context for sr25519 (`sp_core::sr25519`).
pub const SIGNING_CONTEXT: &[u8] = b"substrate";

/// The development phrase behind `//Alice`, `//Bob`, ... (Substrate's `DEV_PHRASE`).
pub const DEV_PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

/// An sr25519 public key (a Substrate/Bittensor account id).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey(pub [u8; 32]);

impl PublicKey {
    /// Parses an SS58 address (any prefix).
    pub fn from_ss58(address: &str) -> Result<Self, KeyError> {
        ss58::decode(address).map(|(_, key)| PublicKey(key))
    }

    /// Parses a 32-byte public key in hex, with or without `0x`.
    pub fn from_hex(s: &str) -> Result<Self, KeyError> {
        Ok(PublicKey(decode_hex_array::<32>(s, "public key")?))
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// The SS58 address with Bittensor's prefix 42.
    pub fn ss58(&self) -> String {
        ss58::encode(ss58::BITTENSOR_SS58_PREFIX, &self.0)
    }

    /// `0x`-prefixed lowercase hex.
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Verifies an sr25519 signature made with the `substrate` context.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        verify(&self.0, message, signature)
    }
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey({})", self.ss58())
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ss58())
    }
}

/// Verifies an sr25519 `signature` (64 bytes) of `message` by `public_key` (32 bytes),
/// in Substrate's `substrate` signing context. Malformed inputs simply fail.
pub fn verify(public_key: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let Ok(public) = schnorrkel::PublicKey::from_bytes(public_key) else {
        return false;
    };
    let Ok(signature) = schnorrkel::Signature::from_bytes(signature) else {
        return false;
    };
    public.verify_simple(SIGNING_CONTEXT, message, &signature).is_ok()
}

/// An sr25519 key pair.
///
/// Besides the key itself it remembers, when known, the BIP39 phrase and the 32-byte
/// seed (Substrate's "mini secret key") it came from, so that keyfiles written for it
/// carry the same fields bittensor-wallet writes. All secret material is zeroed on
/// drop and never shown by `Debug`.
#[derive(Clone)]
pub struct Keypair {
    inner: schnorrkel::Keypair,
    seed: Option<Zeroizing<[u8; 32]>>,
    phrase: Option<Zeroizing<String>>,
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keypair").field("ss58", &self.ss58_address()).field("secret", &"<redacted>").finish()
    }
}

impl Keypair {
    /// A key from a 32-byte seed (mini secret key), expanded as Substrate does.
    pub fn from_seed(seed: &[u8; 32]) -> Result<Self, KeyError> {
        let mini = MiniSecretKey::from_bytes(seed).map_err(|_| KeyError::InvalidSecretKey)?;
        Ok(Keypair { inner: mini.expand_to_keypair(ExpansionMode::Ed25519), seed: Some(Zeroizing::new(*seed)), phrase: None })
    }

    /// A key from a 32-byte seed in hex (`0x` optional).
    pub fn from_seed_hex(seed_hex: &str) -> Result<Self, KeyError> {
        let seed = Zeroizing::new(decode_hex_array::<32>(seed_hex, "seed")?);
        Self::from_seed(&seed)
    }

    /// A key from an English BIP39 mnemonic and optional password, as Substrate and
    /// bittensor-wallet derive it (entropy → PBKDF2-HMAC-SHA512 with salt
    /// `"mnemonic" + password`, 2048 rounds → first 32 bytes as the seed).
    pub fn from_mnemonic(phrase: &str, password: Option<&str>) -> Result<Self, KeyError> {
        let mnemonic =
            bip39::Mnemonic::parse_in_normalized(bip39::Language::English, phrase).map_err(|e| KeyError::InvalidMnemonic(mnemonic_error(e)))?;
        let entropy = Zeroizing::new(mnemonic.to_entropy());
        let mini = substrate_bip39::mini_secret_from_entropy(&entropy, password.unwrap_or(""))
            .map_err(|_| KeyError::InvalidMnemonic("bad entropy length".into()))?;
        let mut kp = Self::from_seed(&mini.to_bytes())?;
        kp.phrase = Some(Zeroizing::new(mnemonic.to_string()));
        Ok(kp)
    }

    /// A key from a 64-byte sr25519 secret key: the canonical schnorrkel encoding
    /// (32-byte scalar + 32-byte nonce), which bittensor-wallet writes as `privateKey`.
    pub fn from_secret_key_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        check_len(bytes, 64, "secret key")?;
        let secret = SecretKey::from_bytes(bytes).map_err(|_| KeyError::InvalidSecretKey)?;
        Ok(Self::from_secret(secret))
    }

    /// A key from a 64-byte secret key in the "ed25519-compatible" expanded form
    /// (scalar multiplied by the cofactor), as py-sr25519-bindings and polkadot-js write.
    pub fn from_ed25519_secret_key_bytes(bytes: &[u8]) -> Result<Self, KeyError> {
        check_len(bytes, 64, "secret key")?;
        let secret = SecretKey::from_ed25519_bytes(bytes).map_err(|_| KeyError::InvalidSecretKey)?;
        Ok(Self::from_secret(secret))
    }

    fn from_secret(secret: SecretKey) -> Self {
        Keypair { inner: secret.to_keypair(), seed: None, phrase: None }
    }

    /// A key from a Substrate secret URI: `<phrase | 0xseed | empty>[//hard][/soft]...[///password]`.
    ///
    /// An empty phrase means the development phrase, so `//Alice`, `//Bob`,
    /// `//Alice//stash` give the well-known development accounts. Junctions are
    /// encoded as Substrate does: a decimal number as a little-endian `u64`, anything
    /// else as a SCALE string; codes longer than 32 bytes are hashed with blake2b-256.
    /// Hard junctions use schnorrkel's `hard_derive_mini_secret_key` (as `sp_core`),
    /// soft ones `derived_key_simple`.
    pub fn from_uri(suri: &str) -> Result<Self, KeyError> {
        let (base, password, junctions) = parse_suri(suri)?;
        let mut kp = if base.is_empty() {
            Self::from_mnemonic(DEV_PHRASE, password)?
        } else if let Some(hex_seed) = base.strip_prefix("0x") {
            if password.is_some() {
                return Err(KeyError::InvalidUri("a password only applies to a mnemonic"));
            }
            Self::from_seed_hex(hex_seed)?
        } else {
            Self::from_mnemonic(base, password)?
        };
        if junctions.is_empty() {
            return Ok(kp);
        }
        let mut secret = kp.inner.secret.clone();
        let mut seed = kp.seed.take();
        for junction in junctions {
            match junction {
                Junction::Hard(cc) => {
                    let (mini, _) = secret.hard_derive_mini_secret_key(Some(ChainCode(cc)), b"");
                    secret = mini.expand(ExpansionMode::Ed25519);
                    seed = seed.map(|_| Zeroizing::new(mini.to_bytes()));
                }
                Junction::Soft(cc) => {
                    secret = secret.derived_key_simple(ChainCode(cc), b"").0;
                    seed = None;
                }
            }
        }
        Ok(Keypair { inner: secret.to_keypair(), seed, phrase: None })
    }

    /// A fresh key from a new random mnemonic of `words` words (12, 15, 18, 21 or 24).
    /// The phrase is available once through [`Keypair::expose_mnemonic`] so it can be
    /// shown to the user for backup.
    pub fn generate(words: usize) -> Result<Self, KeyError> {
        let len = match words {
            12 | 15 | 18 | 21 | 24 => words / 3 * 4,
            _ => return Err(KeyError::InvalidWordCount(words)),
        };
        let mut entropy = Zeroizing::new([0u8; 32]);
        getrandom::getrandom(&mut entropy[..len]).map_err(|e| KeyError::Rng(e.to_string()))?;
        let mnemonic = bip39::Mnemonic::from_entropy(&entropy[..len]).map_err(|e| KeyError::InvalidMnemonic(mnemonic_error(e)))?;
        let phrase = Zeroizing::new(mnemonic.to_string());
        Self::from_mnemonic(&phrase, None)
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.inner.public.to_bytes())
    }

    /// The SS58 address (prefix 42).
    pub fn ss58_address(&self) -> String {
        self.public_key().ss58()
    }

    /// Signs `message` in the `substrate` context; 64-byte signature.
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.inner.sign_simple(SIGNING_CONTEXT, message).to_bytes()
    }

    /// Verifies a signature against this key's public key.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        verify(&self.inner.public.to_bytes(), message, signature)
    }

    /// The BIP39 phrase this key was made from, if known. Secret: handle with care.
    pub fn expose_mnemonic(&self) -> Option<&str> {
        self.phrase.as_ref().map(|p| p.as_str())
    }

    /// The 32-byte seed (mini secret key) this key was expanded from, if known. Secret.
    pub fn expose_seed(&self) -> Option<&[u8; 32]> {
        self.seed.as_deref()
    }

    /// The 64-byte secret key in canonical schnorrkel encoding (bittensor-wallet's
    /// `privateKey`). Secret.
    pub fn expose_secret_key_bytes(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.inner.secret.to_bytes())
    }
}

enum Junction {
    Hard([u8; 32]),
    Soft([u8; 32]),
}

fn parse_suri(suri: &str) -> Result<(&str, Option<&str>, Vec<Junction>), KeyError> {
    let (rest, password) = match suri.find("///") {
        Some(i) => (&suri[..i], Some(&suri[i + 3..])),
        None => (suri, None),
    };
    let (base, mut path) = match rest.find('/') {
        Some(i) => (rest[..i].trim(), &rest[i..]),
        None => (rest.trim(), ""),
    };
    let mut junctions = Vec::new();
    while !path.is_empty() {
        let (hard, body) = match path.strip_prefix("//") {
            Some(b) => (true, b),
            None => (false, &path[1..]),
        };
        let end = body.find('/').unwrap_or(body.len());
        let name = &body[..end];
        if name.is_empty() {
            return Err(KeyError::InvalidUri("empty derivation junction"));
        }
        let code = junction_code(name);
        junctions.push(if hard { Junction::Hard(code) } else { Junction::Soft(code) });
        path = &body[end..];
    }
    Ok((base, password, junctions))
}

/// Substrate's `DeriveJunction` chain code for a path segment.
fn junction_code(name: &str) -> [u8; 32] {
    let encoded: Vec<u8> = match name.parse::<u64>() {
        Ok(n) => n.to_le_bytes().to_vec(),
        Err(_) => {
            let mut v = scale_compact_len(name.len());
            v.extend_from_slice(name.as_bytes());
            v
        }
    };
    let mut cc = [0u8; 32];
    if encoded.len() > 32 {
        cc.copy_from_slice(&Blake2b::<U32>::digest(&encoded));
    } else {
        cc[..encoded.len()].copy_from_slice(&encoded);
    }
    cc
}

/// SCALE compact encoding of a length.
fn scale_compact_len(n: usize) -> Vec<u8> {
    let n = n as u64;
    if n < 1 << 6 {
        vec![(n as u8) << 2]
    } else if n < 1 << 14 {
        (((n as u16) << 2) | 0b01).to_le_bytes().to_vec()
    } else if n < 1 << 30 {
        (((n as u32) << 2) | 0b10).to_le_bytes().to_vec()
    } else {
        let bytes = n.to_le_bytes();
        let len = 8 - (n.leading_zeros() / 8) as usize;
        let mut v = vec![(((len - 4) as u8) << 2) | 0b11];
        v.extend_from_slice(&bytes[..len]);
        v
    }
}

fn mnemonic_error(e: bip39::Error) -> String {
    match e {
        // The word itself is part of a secret phrase: report only its position.
        bip39::Error::UnknownWord(i) => format!("word {} is not in the English word list", i + 1),
        other => other.to_string(),
    }
}

fn check_len(bytes: &[u8], expected: usize, field: &'static str) -> Result<(), KeyError> {
    if bytes.len() != expected {
        return Err(KeyError::InvalidLength { field, expected, got: bytes.len() });
    }
    Ok(())
}

/// Decodes hex (optional `0x`) into bytes without echoing any character of it.
pub(crate) fn decode_hex(s: &str, field: &'static str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(s).map(Zeroizing::new).map_err(|e| KeyError::InvalidHex {
        field,
        detail: match e {
            hex::FromHexError::InvalidHexCharacter { index, .. } => {
                format!(" (bad character at position {index})")
            }
            hex::FromHexError::OddLength => " (odd number of digits)".into(),
            hex::FromHexError::InvalidStringLength => String::new(),
        },
    })
}

pub(crate) fn decode_hex_array<const N: usize>(s: &str, field: &'static str) -> Result<[u8; N], KeyError> {
    let bytes = decode_hex(s, field)?;
    check_len(&bytes, N, field)?;
    let mut out = [0u8; N];
    out.copy_from_slice(&bytes);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_lengths() {
        assert_eq!(scale_compact_len(5), vec![20]);
        assert_eq!(scale_compact_len(64), vec![0x01, 0x01]);
    }

    #[test]
    fn long_junction_is_hashed() {
        let long = "x".repeat(40);
        let cc = junction_code(&long);
        assert_ne!(cc[..], [0u8; 32][..]);
        assert_eq!(junction_code("1"), {
            let mut c = [0u8; 32];
            c[0] = 1;
            c
        });
    }
}
