//! SS58 addresses (Substrate's base58 address format) for 32-byte account ids.

use blake2::{Blake2b512, Digest};

use super::KeyError;

/// The generic Substrate prefix, used by Bittensor.
pub const BITTENSOR_SS58_PREFIX: u16 = 42;

const SS58_CONTEXT: &[u8] = b"SS58PRE";

fn checksum(data: &[u8]) -> [u8; 2] {
    let mut h = Blake2b512::new();
    h.update(SS58_CONTEXT);
    h.update(data);
    let out = h.finalize();
    [out[0], out[1]]
}

/// Encodes a 32-byte public key as an SS58 address with the given prefix (0..=16383).
///
/// Prefixes that do not fit the format (> 16383) are masked to 14 bits.
pub fn encode(prefix: u16, public_key: &[u8; 32]) -> String {
    let prefix = prefix & 0x3FFF;
    let mut data = Vec::with_capacity(36);
    if prefix < 64 {
        data.push(prefix as u8);
    } else {
        // Two-byte form, as in Substrate's `Ss58Codec`.
        let first = ((prefix & 0b0000_0000_1111_1100) as u8) >> 2;
        let second = ((prefix >> 8) as u8) | (((prefix & 0b0000_0000_0000_0011) as u8) << 6);
        data.push(first | 0b0100_0000);
        data.push(second);
    }
    data.extend_from_slice(public_key);
    let cs = checksum(&data);
    data.extend_from_slice(&cs);
    bs58::encode(data).into_string()
}

/// Decodes an SS58 address into its prefix and 32-byte public key, checking the checksum.
pub fn decode(address: &str) -> Result<(u16, [u8; 32]), KeyError> {
    let data = bs58::decode(address).into_vec().map_err(|_| KeyError::InvalidSs58("not base58"))?;
    let (prefix, prefix_len) = match data.first() {
        Some(&b) if b < 64 => (u16::from(b), 1),
        Some(&b) if b < 128 => {
            let second = *data.get(1).ok_or(KeyError::InvalidSs58("too short"))?;
            let lower = (b << 2) | (second >> 6);
            let upper = second & 0b0011_1111;
            (u16::from(lower) | (u16::from(upper) << 8), 2)
        }
        Some(_) => return Err(KeyError::InvalidSs58("reserved prefix")),
        None => return Err(KeyError::InvalidSs58("empty")),
    };
    if data.len() != prefix_len + 32 + 2 {
        return Err(KeyError::InvalidSs58("not a 32-byte account id"));
    }
    let body_end = prefix_len + 32;
    if checksum(&data[..body_end]) != data[body_end..] {
        return Err(KeyError::InvalidSs58("bad checksum"));
    }
    let mut key = [0u8; 32];
    key.copy_from_slice(&data[prefix_len..body_end]);
    Ok((prefix, key))
}
