//! Timelock encryption of one weights commit (commit-reveal v4): 256 UIDs, the
//! payload a validator encrypts every tempo, to a quicknet round; and its decryption,
//! what the chain does per commit on reveal.

use rand::rngs::StdRng;
use rand::SeedableRng;
use subnet_core::drand::{self, quicknet, LocalBeacon, WeightsTlockPayload};

use crate::{median_time, Row};

pub(crate) fn run() -> Vec<Row> {
    let runs = 51;
    let uids: Vec<u16> = (0..256).collect();
    let values: Vec<u16> = uids.iter().map(|u| u.wrapping_mul(257)).collect();
    let payload = WeightsTlockPayload::new([7; 32], uids, values, 1);
    let mut rng = StdRng::seed_from_u64(1);
    let encrypt = median_time(runs, || {
        drand::encrypt_weights(&quicknet::PUBLIC_KEY, 30_000_000, &payload, &mut rng).expect("quicknet's key is valid");
    });

    let beacon = LocalBeacon::from_seed([1; 32]);
    let ct = drand::encrypt_weights(&beacon.public_key(), 42, &payload, &mut rng).expect("a beacon key is valid");
    let sig = beacon.sign_round(42);
    let decrypt = median_time(runs, || {
        drand::decrypt(&ct, &sig).expect("the round's signature opens it");
    });
    let params = || vec![("uids", 256.into()), ("plaintext_bytes", payload.to_plaintext().len().into()), ("ciphertext_bytes", ct.len().into())];
    vec![
        Row { name: "tlock_encrypt_commit_256".into(), value: encrypt.as_secs_f64() * 1e3, unit: "ms", params: params() },
        Row { name: "tlock_decrypt_commit_256".into(), value: decrypt.as_secs_f64() * 1e3, unit: "ms", params: params() },
    ]
}
