//! bittensor-wallet's keyfile format: JSON, optionally NaCl-encrypted.
//!
//! A keyfile is a JSON object with the fields bittensor-wallet (4.x) writes:
//!
//! | field          | content                                                          |
//! |----------------|------------------------------------------------------------------|
//! | `accountId`    | `0x` hex public key                                              |
//! | `publicKey`    | the same                                                         |
//! | `privateKey`   | `0x` hex 64-byte sr25519 secret key, canonical schnorrkel form   |
//! | `secretPhrase` | the BIP39 mnemonic, if the key came from one                     |
//! | `secretSeed`   | `0x` hex 32-byte seed (mini secret key), if known                |
//! | `ss58Address`  | SS58 address, prefix 42                                          |
//! | `cryptoType`   | `1` for sr25519 (`0` is ed25519, not supported here)             |
//!
//! Reading follows bittensor-wallet's precedence: `secretPhrase`, else `secretSeed`,
//! else `privateKey`. Unlike bittensor-wallet, the key found is then checked against
//! the public fields present (`publicKey`, `accountId`, `ss58Address`): a keyfile
//! whose parts disagree is rejected rather than silently used.
//!
//! Encrypted keyfiles start with `$NACL`, then a 24-byte nonce and a NaCl
//! `secretbox` (XSalsa20-Poly1305, tag first) of the JSON. The key is
//! Argon2i (v1.3) of the password with a fixed 16-byte salt and libsodium's
//! `OPSLIMIT_SENSITIVE` / `MEMLIMIT_SENSITIVE` (8 passes, 512 MiB, 1 lane) —
//! exactly `sodiumoxide::crypto::pwhash::argon2i13::derive_key` as bittensor-wallet
//! calls it. Deriving the key is deliberately slow (about a second, 512 MiB).

use std::path::Path;

use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::XSalsa20Poly1305;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use super::pair::{decode_hex, decode_hex_array};
use super::{Keypair, PublicKey, WalletError};

/// bittensor-wallet's fixed salt for the NaCl keyfile encryption.
const NACL_SALT: &[u8; 16] = b"\x13q\x83\xdf\xf1Z\t\xbc\x9c\x90\xb5Q\x879\xe9\xb1";
const NACL_PREFIX: &[u8] = b"$NACL";
/// libsodium `crypto_pwhash_argon2i_OPSLIMIT_SENSITIVE`.
const ARGON2I_OPSLIMIT_SENSITIVE: u32 = 8;
/// libsodium `crypto_pwhash_argon2i_MEMLIMIT_SENSITIVE` (512 MiB), in KiB.
const ARGON2I_MEMLIMIT_SENSITIVE_KIB: u32 = 512 * 1024;
const CRYPTO_SR25519: i64 = 1;

/// How a keyfile's bytes are protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    /// Plain JSON.
    None,
    /// bittensor-wallet's `$NACL` format (readable and writable here).
    Nacl,
    /// Ansible Vault (old bittensor; not supported).
    AnsibleVault,
    /// Fernet "legacy" encryption (old bittensor; not supported).
    Legacy,
}

/// Detects the encryption of keyfile bytes, as bittensor-wallet does.
pub fn encryption_of(data: &[u8]) -> Encryption {
    if data.starts_with(NACL_PREFIX) {
        Encryption::Nacl
    } else if data.starts_with(b"$ANSIBLE_VAULT") {
        Encryption::AnsibleVault
    } else if data.starts_with(b"gAAAAA") {
        Encryption::Legacy
    } else {
        Encryption::None
    }
}

fn derive_nacl_key(password: &str) -> Result<Zeroizing<[u8; 32]>, WalletError> {
    let params =
        argon2::Params::new(ARGON2I_MEMLIMIT_SENSITIVE_KIB, ARGON2I_OPSLIMIT_SENSITIVE, 1, Some(32)).map_err(|e| WalletError::Kdf(e.to_string()))?;
    let argon = argon2::Argon2::new(argon2::Algorithm::Argon2i, argon2::Version::V0x13, params);
    let mut key = Zeroizing::new([0u8; 32]);
    argon.hash_password_into(password.as_bytes(), NACL_SALT, &mut key[..]).map_err(|e| WalletError::Kdf(e.to_string()))?;
    Ok(key)
}

/// Encrypts keyfile bytes in bittensor-wallet's `$NACL` format.
pub fn encrypt_nacl(plaintext: &[u8], password: &str) -> Result<Vec<u8>, WalletError> {
    let key = derive_nacl_key(password)?;
    let cipher = XSalsa20Poly1305::new((&*key).into());
    let mut nonce = [0u8; 24];
    getrandom::getrandom(&mut nonce).map_err(|e| WalletError::Kdf(e.to_string()))?;
    let sealed = cipher.encrypt(&nonce.into(), plaintext).map_err(|_| WalletError::Kdf("encryption failed".into()))?;
    let mut out = Vec::with_capacity(NACL_PREFIX.len() + nonce.len() + sealed.len());
    out.extend_from_slice(NACL_PREFIX);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Decrypts `$NACL` keyfile bytes. `path` is only used in errors.
pub fn decrypt_nacl(data: &[u8], password: &str, path: &Path) -> Result<Zeroizing<Vec<u8>>, WalletError> {
    let body =
        data.strip_prefix(NACL_PREFIX).ok_or_else(|| WalletError::Malformed { path: path.to_owned(), reason: "not a $NACL keyfile".into() })?;
    if body.len() < 24 + 16 {
        return Err(WalletError::Malformed { path: path.to_owned(), reason: "encrypted keyfile is too short".into() });
    }
    let (nonce, sealed) = body.split_at(24);
    let key = derive_nacl_key(password)?;
    let cipher = XSalsa20Poly1305::new((&*key).into());
    let nonce: [u8; 24] = nonce.try_into().map_err(|_| WalletError::Decryption { path: path.to_owned() })?;
    cipher.decrypt(&nonce.into(), sealed).map(Zeroizing::new).map_err(|_| WalletError::Decryption { path: path.to_owned() })
}

/// Serialises a key pair as bittensor-wallet's keyfile JSON (with secrets).
pub fn keypair_to_json(keypair: &Keypair) -> Zeroizing<Vec<u8>> {
    let public = keypair.public_key().to_hex();
    let mut map = Map::new();
    map.insert("accountId".into(), Value::String(public.clone()));
    map.insert("publicKey".into(), Value::String(public));
    map.insert("privateKey".into(), Value::String(format!("0x{}", hex::encode(&keypair.expose_secret_key_bytes()[..]))));
    if let Some(phrase) = keypair.expose_mnemonic() {
        map.insert("secretPhrase".into(), Value::String(phrase.to_owned()));
    }
    if let Some(seed) = keypair.expose_seed() {
        map.insert("secretSeed".into(), Value::String(format!("0x{}", hex::encode(seed))));
    }
    map.insert("ss58Address".into(), Value::String(keypair.ss58_address()));
    map.insert("cryptoType".into(), Value::from(CRYPTO_SR25519));
    // Serialising a map of strings and numbers cannot fail.
    Zeroizing::new(serde_json::to_vec(&Value::Object(map)).unwrap_or_default())
}

/// Serialises a public key as a public keyfile (`coldkeypub.txt`).
pub fn public_key_to_json(public: &PublicKey) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("accountId".into(), Value::String(public.to_hex()));
    map.insert("publicKey".into(), Value::String(public.to_hex()));
    map.insert("ss58Address".into(), Value::String(public.ss58()));
    map.insert("cryptoType".into(), Value::from(CRYPTO_SR25519));
    serde_json::to_vec(&Value::Object(map)).unwrap_or_default()
}

fn parse_object(data: &[u8], path: &Path) -> Result<Map<String, Value>, WalletError> {
    let value: Value = serde_json::from_slice(data).map_err(|source| WalletError::Json { path: path.to_owned(), source })?;
    let Value::Object(map) = value else {
        return Err(WalletError::Malformed { path: path.to_owned(), reason: "not a JSON object".into() });
    };
    match map.get("cryptoType") {
        None | Some(Value::Null) => {}
        Some(v) => match v.as_i64() {
            Some(CRYPTO_SR25519) => {}
            Some(other) => return Err(WalletError::UnsupportedCryptoType { path: path.to_owned(), crypto_type: other }),
            None => return Err(WalletError::Malformed { path: path.to_owned(), reason: "cryptoType is not an integer".into() }),
        },
    }
    Ok(map)
}

fn str_field<'a>(map: &'a Map<String, Value>, name: &'static str, path: &Path) -> Result<Option<&'a str>, WalletError> {
    match map.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(WalletError::Malformed { path: path.to_owned(), reason: format!("{name} is not a string") }),
    }
}

/// The public key a keyfile claims, from `publicKey`, `accountId` or `ss58Address`
/// (all that are present must agree).
fn claimed_public(map: &Map<String, Value>, path: &Path) -> Result<Option<PublicKey>, WalletError> {
    let key_err = key_error_at(path);
    let mut found: Option<PublicKey> = None;
    let mut check = |pk: PublicKey, field: &'static str| -> Result<(), WalletError> {
        match found {
            Some(prev) if prev != pk => Err(WalletError::PublicKeyMismatch { path: path.to_owned(), field }),
            _ => {
                found = Some(pk);
                Ok(())
            }
        }
    };
    if let Some(s) = str_field(map, "publicKey", path)? {
        check(PublicKey::from_hex(s).map_err(key_err)?, "publicKey")?;
    }
    if let Some(s) = str_field(map, "accountId", path)? {
        check(PublicKey::from_hex(s).map_err(key_err)?, "accountId")?;
    }
    if let Some(s) = str_field(map, "ss58Address", path)? {
        check(PublicKey::from_ss58(s).map_err(key_err)?, "ss58Address")?;
    }
    Ok(found)
}

/// Reads a key pair from plain keyfile JSON. `path` is only used in errors.
pub fn keypair_from_json(data: &[u8], path: &Path) -> Result<Keypair, WalletError> {
    let map = parse_object(data, path)?;
    let key_err = key_error_at(path);
    let claimed = claimed_public(&map, path)?;
    let keypair = if let Some(phrase) = str_field(&map, "secretPhrase", path)? {
        Keypair::from_mnemonic(phrase, None).map_err(key_err)?
    } else if let Some(seed) = str_field(&map, "secretSeed", path)? {
        keypair_from_seed_field(seed, &map, claimed, path)?
    } else if let Some(private) = str_field(&map, "privateKey", path)? {
        keypair_from_private_key(private, claimed, path)?
    } else {
        return Err(WalletError::NoSecret { path: path.to_owned() });
    };
    if let Some(claimed) = claimed {
        if claimed != keypair.public_key() {
            return Err(WalletError::PublicKeyMismatch { path: path.to_owned(), field: "publicKey" });
        }
    }
    Ok(keypair)
}

/// `secretSeed` is normally `0x` + 64 hex digits. bittensor-wallet 4.1.1 has a quirk:
/// when the 32 seed bytes happen to be valid UTF-8 it writes `"0x" + the raw bytes`
/// (and cannot read the file back itself). Such a seed is accepted here when it is
/// exactly 32 bytes; if that fails, `privateKey` is used when present.
fn keypair_from_seed_field(seed: &str, map: &Map<String, Value>, claimed: Option<PublicKey>, path: &Path) -> Result<Keypair, WalletError> {
    let key_err = key_error_at(path);
    match decode_hex_array::<32>(seed, "secretSeed") {
        Ok(bytes) => Keypair::from_seed(&Zeroizing::new(bytes)).map_err(key_err),
        Err(hex_err) => {
            let raw = seed.strip_prefix("0x").unwrap_or(seed).as_bytes();
            if let Ok(bytes) = <[u8; 32]>::try_from(raw) {
                let kp = Keypair::from_seed(&Zeroizing::new(bytes)).map_err(key_err)?;
                if agrees(claimed, &kp) {
                    return Ok(kp);
                }
            }
            match str_field(map, "privateKey", path)? {
                Some(private) => keypair_from_private_key(private, claimed, path),
                None => Err(key_err(hex_err)),
            }
        }
    }
}

/// Whether `kp` is the key the keyfile claims (true when it claims none).
fn agrees(claimed: Option<PublicKey>, kp: &Keypair) -> bool {
    match claimed {
        Some(c) => c == kp.public_key(),
        None => true,
    }
}

/// `privateKey` is 64 bytes. bittensor-wallet writes schnorrkel's canonical encoding;
/// older tools (py-sr25519-bindings, polkadot-js) the "ed25519" expanded one. The
/// canonical form is tried first; the other is used when the canonical one is
/// invalid or does not match the keyfile's public key.
fn keypair_from_private_key(private: &str, claimed: Option<PublicKey>, path: &Path) -> Result<Keypair, WalletError> {
    let key_err = key_error_at(path);
    let bytes = decode_hex(private, "privateKey").map_err(key_err)?;
    if bytes.len() != 64 {
        return Err(key_err(super::KeyError::InvalidLength { field: "privateKey", expected: 64, got: bytes.len() }));
    }
    let canonical = Keypair::from_secret_key_bytes(&bytes);
    if let Ok(kp) = &canonical {
        if agrees(claimed, kp) {
            return canonical.map_err(key_err);
        }
    }
    match Keypair::from_ed25519_secret_key_bytes(&bytes) {
        Ok(kp) if agrees(claimed, &kp) => Ok(kp),
        _ => canonical.map_err(key_err),
    }
}

/// Reads the public key of a keyfile (a public keyfile like `coldkeypub.txt`, or any
/// plain keyfile) without touching its secret.
pub fn public_key_from_json(data: &[u8], path: &Path) -> Result<PublicKey, WalletError> {
    let map = parse_object(data, path)?;
    claimed_public(&map, path)?
        .ok_or_else(|| WalletError::Malformed { path: path.to_owned(), reason: "no publicKey, accountId or ss58Address".into() })
}

/// Wrap a key error with the keyfile it came from.
fn key_error_at(path: &Path) -> impl Fn(super::KeyError) -> WalletError + Copy + '_ {
    move |source| WalletError::Key { path: path.to_owned(), source }
}
