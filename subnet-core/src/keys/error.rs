//! Typed errors of the keys and wallet module.
//!
//! Messages never contain secret material: no phrases, seeds, keys or passwords, and
//! not even the offending character of a malformed secret hex string.

use std::path::PathBuf;

/// An error building, parsing or using a key.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The phrase is not a valid English BIP39 mnemonic.
    #[error("invalid BIP39 mnemonic: {0}")]
    InvalidMnemonic(String),
    /// A mnemonic of an unsupported word count was requested.
    #[error("unsupported mnemonic length {0} words (use 12, 15, 18, 21 or 24)")]
    InvalidWordCount(usize),
    /// A field is not valid hex.
    #[error("{field} is not valid hex{detail}")]
    InvalidHex {
        /// What was being decoded.
        field: &'static str,
        /// Where it went wrong (never the offending character).
        detail: String,
    },
    /// A field has the wrong number of bytes.
    #[error("{field} must be {expected} bytes, got {got}")]
    InvalidLength {
        /// What was being decoded.
        field: &'static str,
        /// The expected length in bytes.
        expected: usize,
        /// The length found.
        got: usize,
    },
    /// 64 bytes that are not an sr25519 secret key in either encoding.
    #[error("invalid sr25519 secret key")]
    InvalidSecretKey,
    /// 32 bytes that are not a valid Ristretto point.
    #[error("invalid sr25519 public key")]
    InvalidPublicKey,
    /// A secret URI (`phrase//hard/soft///password`) that cannot be parsed.
    #[error("invalid secret URI: {0}")]
    InvalidUri(&'static str),
    /// A string that is not a valid SS58 address.
    #[error("invalid SS58 address: {0}")]
    InvalidSs58(&'static str),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Rng(String),
}

/// An error reading or writing a wallet or keyfile.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// A filesystem operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The keyfile is not valid UTF-8 JSON.
    #[error("{path}: keyfile is not valid JSON: {source}")]
    Json {
        /// The keyfile.
        path: PathBuf,
        /// The parser's error (position only, no content).
        #[source]
        source: serde_json::Error,
    },
    /// The keyfile is JSON but not a keyfile (not an object, a field of the wrong type...).
    #[error("{path}: malformed keyfile: {reason}")]
    Malformed {
        /// The keyfile.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A key in the keyfile is malformed.
    #[error("{path}: {source}")]
    Key {
        /// The keyfile.
        path: PathBuf,
        /// What is wrong with the key.
        #[source]
        source: KeyError,
    },
    /// The keyfile holds no secret (no `secretPhrase`, `secretSeed` or `privateKey`).
    #[error("{path}: keyfile holds no secret key")]
    NoSecret {
        /// The keyfile.
        path: PathBuf,
    },
    /// The secret in the keyfile does not match its public key or address fields.
    #[error("{path}: secret key does not match the keyfile's {field}")]
    PublicKeyMismatch {
        /// The keyfile.
        path: PathBuf,
        /// The field that disagrees.
        field: &'static str,
    },
    /// The keyfile is for a key type other than sr25519 (`cryptoType` is not 1).
    #[error("{path}: unsupported cryptoType {crypto_type} (only sr25519 = 1 is supported)")]
    UnsupportedCryptoType {
        /// The keyfile.
        path: PathBuf,
        /// The value found.
        crypto_type: i64,
    },
    /// The keyfile is encrypted and no password was given.
    #[error("{path}: keyfile is encrypted; a password is needed")]
    Encrypted {
        /// The keyfile.
        path: PathBuf,
    },
    /// The keyfile is encrypted with a scheme this crate does not read.
    #[error("{path}: {scheme} encrypted keyfiles are not supported (re-encrypt with bittensor-wallet's NaCl format)")]
    UnsupportedEncryption {
        /// The keyfile.
        path: PathBuf,
        /// `"Ansible Vault"` or `"legacy (Fernet)"`.
        scheme: &'static str,
    },
    /// Decryption failed: wrong password, or the file is corrupt.
    #[error("{path}: decryption failed (wrong password or corrupt keyfile)")]
    Decryption {
        /// The keyfile.
        path: PathBuf,
    },
    /// Key derivation for encryption failed.
    #[error("password key derivation failed: {0}")]
    Kdf(String),
    /// Refused to overwrite an existing keyfile.
    #[error("{path}: keyfile already exists (pass overwrite = true to replace it)")]
    AlreadyExists {
        /// The keyfile.
        path: PathBuf,
    },
    /// A wallet or hotkey name that is not a single path component.
    #[error("invalid {what} name {name:?}: must be a non-empty file name without '/'")]
    InvalidName {
        /// `"wallet"` or `"hotkey"`.
        what: &'static str,
        /// The name given.
        name: String,
    },
    /// The home directory is unknown (for the default wallet path).
    #[error("cannot find the home directory (HOME is not set)")]
    NoHome,
    /// Building a key failed.
    #[error(transparent)]
    KeyGen(#[from] KeyError),
}
