//! The one error type of timelock encryption and decryption.

/// Why a timelock operation failed. Every malformed input ends here, never in a panic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlockError {
    /// The beacon public key is not a compressed G2 point of the prime-order subgroup.
    #[error("the beacon public key is not a compressed BLS12-381 G2 point (96 bytes)")]
    InvalidPublicKey,
    /// The signature is not a compressed G1 point of the prime-order subgroup.
    #[error("the round signature is not a compressed BLS12-381 G1 point (48 bytes)")]
    InvalidSignature,
    /// The ciphertext does not parse as `TLECiphertext<TinyBLS381>`.
    #[error("malformed timelock ciphertext: {0}")]
    Malformed(&'static str),
    /// The IBE check failed: the signature is not the one of the round the
    /// ciphertext was made for (or the header was tampered with).
    #[error("the signature does not open this ciphertext (wrong round or wrong beacon)")]
    WrongSignature,
    /// The header opened but AES-GCM rejected the body (tampered body or nonce).
    #[error("the ciphertext body failed AES-GCM authentication")]
    BodyAuthentication,
    /// AES-GCM refused to encrypt (a message over its 64 GiB limit).
    #[error("the message is too long for AES-GCM")]
    MessageTooLong,
}
