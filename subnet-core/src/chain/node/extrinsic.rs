//! Signed extrinsics as a Subtensor node receives them: decoding (format v4) and the
//! checks a transaction pool makes before anything is dispatched.
//!
//! Wire format (`sp_runtime::generic::UncheckedExtrinsic`, v4):
//! `Compact<u32> length ++ 0x84 ++ MultiAddress::Id(32) ++ MultiSignature::Sr25519(64)
//!  ++ explicit extension data ++ call`.
//! The signed payload is `call ++ explicit ++ implicit`, blake2_256-hashed first when
//! longer than 256 bytes (`SignedPayload::using_encoded`).

use codec::{Compact, Decode, Encode};

use super::system::Hash;

/// Why the pool refused an extrinsic, with the JSON-RPC error a Substrate node
/// returns (`sc_rpc_api::author::error`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TxError {
    /// 1001 "Extrinsic has invalid format".
    BadFormat(String),
    /// 1010 "Invalid Transaction" (`InvalidTransaction::*`), with the runtime's text.
    Invalid(InvalidTransaction),
    /// 1011 "Unknown Transaction Validity": unsigned extrinsics have no validator here.
    NoUnsignedValidator,
    /// 1013 "Transaction Already Imported".
    AlreadyImported,
    /// 1014 "Priority is too low": another pooled extrinsic has this nonce.
    TooLowPriority,
}

/// The `InvalidTransaction` reasons this node can give, with Substrate's messages
/// (`sp_runtime::transaction_validity`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidTransaction {
    /// 1010 "Transaction has a bad signature" (or not sr25519, or a metadata hash asked).
    BadProof,
    /// 1010 "Transaction is outdated": its nonce is below the account's.
    Stale,
    /// 1010 "Transaction will be valid in the future": its nonce is ahead (refused here).
    Future,
    /// 1010 "Transaction has an ancient birth block": its era's birth block is gone.
    AncientBirthBlock,
    /// 1010 "Invalid signing address": not an account id, or the zero account.
    BadSigner,
    /// 1010 "Transaction call is not expected": the runtime refuses the call itself.
    Call,
}

impl InvalidTransaction {
    /// Substrate's message for this reason.
    pub fn message(self) -> &'static str {
        match self {
            Self::BadProof => "Transaction has a bad signature",
            Self::Stale => "Transaction is outdated",
            Self::Future => "Transaction will be valid in the future",
            Self::AncientBirthBlock => "Transaction has an ancient birth block",
            Self::BadSigner => "Invalid signing address",
            Self::Call => "Transaction call is not expected",
        }
    }
}

impl TxError {
    /// (code, message, data) of the JSON-RPC error object.
    pub fn rpc_error(&self) -> (i32, &'static str, String) {
        match self {
            TxError::BadFormat(why) => (1001, "Extrinsic has invalid format", why.clone()),
            TxError::Invalid(reason) => (1010, "Invalid Transaction", reason.message().to_string()),
            TxError::NoUnsignedValidator => {
                (1011, "Unknown Transaction Validity", "Could not find an unsigned validator for the unsigned transaction".into())
            }
            TxError::AlreadyImported => (1013, "Transaction Already Imported", String::new()),
            TxError::TooLowPriority => (1014, "Priority is too low", "an extrinsic with this nonce is already in the pool".into()),
        }
    }
}

/// `sp_runtime::generic::Era`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Era {
    /// Valid at any block (born at genesis).
    Immortal,
    /// Valid for `period` blocks from its birth block.
    Mortal {
        /// Blocks it stays valid for, a power of two from 4.
        period: u64,
        /// Its birth block modulo `period`.
        phase: u64,
    },
}

impl Era {
    fn decode(input: &mut &[u8]) -> Result<Era, codec::Error> {
        let first = u8::decode(input)?;
        if first == 0 {
            return Ok(Era::Immortal);
        }
        let encoded = first as u64 + ((u8::decode(input)? as u64) << 8);
        let period = 2u64 << (encoded % (1 << 4));
        let quantize_factor = (period >> 12).max(1);
        let phase = (encoded >> 4) * quantize_factor;
        if period >= 4 && phase < period {
            Ok(Era::Mortal { period, phase })
        } else {
            Err("Invalid period and phase".into())
        }
    }

    /// The block the transaction was made for, seen from `current`
    /// (`Era::birth`). Immortal transactions are born at genesis.
    pub fn birth(self, current: u64) -> u64 {
        match self {
            Era::Immortal => 0,
            Era::Mortal { period, phase } => (current.max(phase) - phase) / period * period + phase,
        }
    }
}

/// The explicit data of Subtensor's transaction extensions, in the runtime's order;
/// the zero-sized ones (CheckNonZeroSender, CheckWeight, ...) encode nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Explicit {
    /// The transaction's lifetime.
    pub era: Era,
    /// The signer's nonce it carries (`CheckNonce`).
    pub nonce: u32,
    /// The tip offered, rao (`ChargeTransactionPayment`).
    pub tip: u64,
    /// `CheckMetadataHash` mode: 0 disabled, 1 enabled.
    pub metadata_hash_mode: u8,
}

/// The implicit data every signer includes in its payload without sending it.
#[derive(Clone, Copy, Debug)]
pub struct Implicit {
    /// The runtime's `spec_version` (`CheckSpecVersion`).
    pub spec_version: u32,
    /// The runtime's `transaction_version` (`CheckTxVersion`).
    pub transaction_version: u32,
    /// The chain's genesis hash (`CheckGenesis`).
    pub genesis_hash: Hash,
    /// Hash of the era's birth block (genesis for immortal).
    pub birth_hash: Hash,
}

/// A decoded signed extrinsic, not yet checked.
#[derive(Clone, Debug)]
pub struct SignedExtrinsic {
    /// The signer's public key (`MultiAddress::Id`).
    pub signer: [u8; 32],
    /// The sr25519 signature over the signing payload.
    pub signature: [u8; 64],
    /// The explicit extension data.
    pub explicit: Explicit,
    explicit_bytes: Vec<u8>,
    /// The SCALE-encoded call.
    pub call: Vec<u8>,
}

/// The extrinsic bytes as submitted (with their `Compact` length prefix).
pub fn decode(bytes: &[u8]) -> Result<SignedExtrinsic, TxError> {
    let bad = |why: &str| TxError::BadFormat(why.to_string());
    let input = &mut &bytes[..];
    let len = Compact::<u32>::decode(input).map_err(|_| bad("no length prefix"))?.0 as usize;
    if len != input.len() {
        return Err(bad("length prefix does not match the extrinsic's length"));
    }
    let version = u8::decode(input).map_err(|_| bad("empty extrinsic"))?;
    match version {
        0x84 => {}
        0x04 => return Err(TxError::NoUnsignedValidator),
        _ => return Err(bad("unsupported extrinsic version (this node takes signed v4 extrinsics)")),
    }
    // MultiAddress::Id
    if u8::decode(input).map_err(|_| bad("no address"))? != 0 {
        return Err(TxError::Invalid(InvalidTransaction::BadSigner));
    }
    let signer = <[u8; 32]>::decode(input).map_err(|_| bad("truncated address"))?;
    // MultiSignature::Sr25519 (Bittensor keys are sr25519).
    let signature = match u8::decode(input).map_err(|_| bad("no signature"))? {
        1 => <[u8; 64]>::decode(input).map_err(|_| bad("truncated signature"))?,
        0 | 2 => return Err(TxError::Invalid(InvalidTransaction::BadProof)),
        _ => return Err(bad("unknown signature kind")),
    };
    let before = *input;
    let era = Era::decode(input).map_err(|e| TxError::BadFormat(format!("era: {e}")))?;
    let nonce = Compact::<u32>::decode(input).map_err(|_| bad("nonce"))?.0;
    let tip = Compact::<u64>::decode(input).map_err(|_| bad("tip"))?.0;
    let metadata_hash_mode = u8::decode(input).map_err(|_| bad("metadata hash mode"))?;
    if metadata_hash_mode > 1 {
        return Err(bad("metadata hash mode"));
    }
    let explicit_bytes = before[..before.len() - input.len()].to_vec();
    Ok(SignedExtrinsic { signer, signature, explicit: Explicit { era, nonce, tip, metadata_hash_mode }, explicit_bytes, call: input.to_vec() })
}

impl SignedExtrinsic {
    /// The bytes the signer signed.
    pub fn signing_payload(&self, implicit: &Implicit) -> Vec<u8> {
        let mut payload = self.call.clone();
        payload.extend_from_slice(&self.explicit_bytes);
        implicit.spec_version.encode_to(&mut payload);
        implicit.transaction_version.encode_to(&mut payload);
        implicit.genesis_hash.encode_to(&mut payload);
        implicit.birth_hash.encode_to(&mut payload);
        // CheckMetadataHash: no hash given (mode disabled); enabled mode would need the
        // metadata digest of RFC-78, which this node does not compute.
        None::<Hash>.encode_to(&mut payload);
        if payload.len() > 256 {
            sp_crypto_hashing::blake2_256(&payload).to_vec()
        } else {
            payload
        }
    }

    /// `CheckNonZeroSender` + the signature check (`BadProof` on mismatch).
    pub fn verify(&self, implicit: &Implicit) -> Result<(), TxError> {
        if self.signer == [0; 32] {
            return Err(TxError::Invalid(InvalidTransaction::BadSigner));
        }
        if self.explicit.metadata_hash_mode != 0 {
            // The implicit hash would differ from anything we can produce.
            return Err(TxError::Invalid(InvalidTransaction::BadProof));
        }
        if crate::keys::verify(&self.signer, &self.signing_payload(implicit), &self.signature) {
            Ok(())
        } else {
            Err(TxError::Invalid(InvalidTransaction::BadProof))
        }
    }
}

/// Builds a signed extrinsic the way a wallet does; for tests and benchmarks that
/// need raw (possibly bad) extrinsics without a client.
pub fn build_signed(pair: &crate::keys::Keypair, call: &[u8], nonce: u32, implicit: &Implicit) -> Vec<u8> {
    let mut explicit_bytes = vec![0u8]; // immortal
    Compact(nonce).encode_to(&mut explicit_bytes);
    Compact(0u64).encode_to(&mut explicit_bytes);
    explicit_bytes.push(0); // metadata hash disabled
    let unsigned = SignedExtrinsic {
        signer: pair.public_key().0,
        signature: [0; 64],
        explicit: Explicit { era: Era::Immortal, nonce, tip: 0, metadata_hash_mode: 0 },
        explicit_bytes: explicit_bytes.clone(),
        call: call.to_vec(),
    };
    let signature = pair.sign(&unsigned.signing_payload(implicit));
    let mut body = vec![0x84, 0];
    body.extend_from_slice(&pair.public_key().0);
    body.push(1);
    body.extend_from_slice(&signature);
    body.extend_from_slice(&explicit_bytes);
    body.extend_from_slice(call);
    let mut out = Compact(body.len() as u32).encode();
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn implicit() -> Implicit {
        Implicit { spec_version: 1, transaction_version: 1, genesis_hash: [7; 32], birth_hash: [7; 32] }
    }

    #[test]
    fn a_built_extrinsic_decodes_and_verifies() {
        let pair = crate::keys::Keypair::from_uri("//Alice").unwrap();
        let bytes = build_signed(&pair, &[7, 0, 1, 2], 5, &implicit());
        let xt = decode(&bytes).unwrap();
        assert_eq!(xt.explicit.nonce, 5);
        assert_eq!(xt.call, vec![7, 0, 1, 2]);
        xt.verify(&implicit()).unwrap();
        let other = Implicit { spec_version: 2, ..implicit() };
        assert_eq!(xt.verify(&other), Err(TxError::Invalid(InvalidTransaction::BadProof)));
    }

    #[test]
    fn every_truncation_is_a_format_error_not_a_panic() {
        let pair = crate::keys::Keypair::from_uri("//Bob").unwrap();
        let bytes = build_signed(&pair, &[7, 0], 0, &implicit());
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(decode(&flipped).unwrap().verify(&implicit()).is_err());
    }

    #[test]
    fn mortal_era_birth_follows_substrate() {
        // Era::mortal(64, 100): period 64, phase 100 % 64 = 36 (sp_runtime's own test values).
        let era = Era::Mortal { period: 64, phase: 36 };
        assert_eq!(era.birth(100), 100);
        assert_eq!(era.birth(163), 100);
        assert_eq!(era.birth(164), 164);
        // Encoded form of Era::mortal(64, 42): 0x0x?? -> round trip through decode.
        let encoded: u16 = 5 | (42 << 4); // period 64 = 2 << 5, phase 42
        let bytes = encoded.to_le_bytes();
        assert_eq!(Era::decode(&mut &bytes[..]).unwrap(), Era::Mortal { period: 64, phase: 42 });
    }
}
