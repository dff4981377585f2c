//! The `drand` step of `cargo xtask interop python`: `subnet_core::drand` against
//! Python's bittensor-drand, both ways, with no network.
//!
//! 1. We write `ours.json`: quicknet's real signatures of two past rounds (from
//!    Subtensor's tests), our ciphertexts for those rounds, weights-commit cases.
//! 2. `interop/python/drand.py` decrypts ours with bittensor-drand and writes
//!    `theirs.json`: its ciphertexts for the same rounds and its v2 commits.
//! 3. We decrypt theirs, check their commits parse as ours do and have our length,
//!    and that their reveal round is the one ours gives at the time of the call.

use std::fs;
use std::path::Path;

use anyhow::{Context, Result};
use rand::rngs::StdRng;
use rand::SeedableRng;
use serde_json::{json, Value};
use subnet_core::drand::reveal_round::{self, EpochSchedule};
use subnet_core::drand::{self, quicknet, LocalBeacon, TlockError, WeightsTlockPayload};

use crate::interop::Tally;

/// Quicknet round 1000 (Subtensor `pallets/drand/src/tests.rs` `DRAND_PULSE`) and
/// round 2000 (`pallets/commitments/src/mock.rs` `DRAND_QUICKNET_SIG_2000_HEX`).
const PULSES: [(u64, &str); 2] = [
    (1000, "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39"),
    (2000, "b6cb8f482a0b15d45936a4c4ea08e98a087e71787caee3f4d07a8a9843b1bc5423c6b3c22f446488b3137eaca799c77e"),
];

const HOTKEY: [u8; 32] = [0x5a; 32];

/// Epoch schedules the reveal round is compared on: (name, schedule, reveal period, block time).
fn commit_cases() -> Vec<(&'static str, EpochSchedule, u64, f64)> {
    let s = |last_epoch_block, pending_epoch_at, tempo, current_block: u64| EpochSchedule {
        last_epoch_block,
        pending_epoch_at,
        subnet_epoch_index: 17,
        tempo,
        blocks_since_last_step: current_block.saturating_sub(last_epoch_block),
        current_block,
    };
    vec![
        ("mid-epoch", s(1000, 0, 360, 1100), 1, 12.0),
        ("commit-block-runs-epoch", s(1000, 0, 360, 1359), 1, 12.0),
        ("pending-epoch", s(1000, 1200, 360, 1100), 2, 12.0),
        ("fast-blocks", s(50, 0, 10, 55), 3, 0.25),
    ]
}

fn payload(i: usize) -> WeightsTlockPayload {
    let uids: Vec<u16> = (0..8).map(|u| u * 3 + i as u16).collect();
    let values = uids.iter().map(|u| 1000u16.wrapping_mul(*u + 1)).collect();
    WeightsTlockPayload::new(HOTKEY, uids, values, 7 + i as u64)
}

/// Step 1: `dir/ours.json`.
pub(crate) fn write_ours(dir: &Path) -> Result<()> {
    let mut rng = StdRng::from_entropy();
    let mut ciphertexts = Vec::new();
    for (round, _) in PULSES {
        let plain = format!("subnet-core drand to round {round}").into_bytes();
        let ct = drand::encrypt(&quicknet::PUBLIC_KEY, round, &plain, &mut rng)?;
        ciphertexts.push(json!({"name": format!("round-{round}"), "round": round, "plaintext": hex::encode(&plain), "ciphertext": hex::encode(ct)}));
    }
    let weights = payload(0).to_plaintext();
    let ct = drand::encrypt_weights(&quicknet::PUBLIC_KEY, 2000, &payload(0), &mut rng)?;
    ciphertexts.push(json!({"name": "weights-round-2000", "round": 2000, "plaintext": hex::encode(weights), "ciphertext": hex::encode(ct)}));

    let cases: Vec<Value> = commit_cases()
        .into_iter()
        .enumerate()
        .map(|(i, (name, s, period, block_time))| {
            let p = payload(i);
            json!({
                "name": name, "uids": p.uids, "weights": p.values, "version_key": p.version_key,
                "last_epoch_block": s.last_epoch_block, "pending_epoch_at": s.pending_epoch_at,
                "subnet_epoch_index": s.subnet_epoch_index, "tempo": s.tempo,
                "blocks_since_last_step": s.blocks_since_last_step, "current_block": s.current_block,
                "reveal_period": period, "block_time": block_time, "hotkey": hex::encode(HOTKEY),
            })
        })
        .collect();
    let pulses: Vec<Value> = PULSES.iter().map(|(round, sig)| json!({"round": round, "signature": sig})).collect();
    let ours = json!({"pulses": pulses, "ciphertexts": ciphertexts, "commit_cases": cases});
    fs::write(dir.join("ours.json"), serde_json::to_vec_pretty(&ours)?).context("writing ours.json")
}

/// Step 3: check `dir/theirs.json`, one PASS/FAIL line per item.
pub(crate) fn check_theirs(dir: &Path, tally: &mut Tally) -> Result<()> {
    let theirs: Value = serde_json::from_slice(&fs::read(dir.join("theirs.json")).context("reading theirs.json")?)?;
    let empty = Vec::new();
    for item in theirs["ciphertexts"].as_array().unwrap_or(&empty) {
        let round = item["round"].as_u64().unwrap_or(0);
        report(tally, &format!("ours-decrypts-bittensor-drand-round-{round}"), decrypts(item, round));
    }
    let cases = commit_cases();
    for item in theirs["commits"].as_array().unwrap_or(&empty) {
        let name = item["name"].as_str().unwrap_or("?");
        let result = cases
            .iter()
            .enumerate()
            .find(|(_, c)| c.0 == name)
            .ok_or_else(|| format!("no case named {name}"))
            .and_then(|(i, (_, s, period, block_time))| same_commit(item, s, *period, *block_time, &payload(i)));
        report(tally, &format!("same-reveal-round-and-layout-{name}"), result);
    }
    Ok(())
}

fn report(tally: &mut Tally, step: &str, result: Result<(), String>) {
    match result {
        Ok(()) => tally.line(&format!("PASS drand {step}")),
        Err(e) => tally.line(&format!("FAIL drand {step}: {e}")),
    }
}

fn bytes(item: &Value, key: &str) -> Result<Vec<u8>, String> {
    hex::decode(item[key].as_str().ok_or(format!("no {key}"))?).map_err(|e| format!("{key}: {e}"))
}

fn decrypts(item: &Value, round: u64) -> Result<(), String> {
    let sig = PULSES.iter().find(|p| p.0 == round).ok_or(format!("no pulse for round {round}"))?.1;
    let plain = drand::decrypt(&bytes(item, "ciphertext")?, &hex::decode(sig).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    (plain == bytes(item, "plaintext")?).then_some(()).ok_or_else(|| format!("decrypted {}", hex::encode(plain)))
}

/// Their v2 commit: the reveal round ours computes at the call's start and end
/// brackets theirs (it read the clock in between), and the ciphertext parses as a
/// commit of the same payload (another beacon's signature is refused as the wrong
/// signature, not as malformed, and the length is ours for that payload).
fn same_commit(item: &Value, s: &EpochSchedule, period: u64, block_time: f64, payload: &WeightsTlockPayload) -> Result<(), String> {
    let first = reveal_round::first_reveal_block(s, period).map_err(|e| e.to_string())?;
    let (t0, t1) = (item["t0"].as_f64().unwrap_or(0.0), item["t1"].as_f64().unwrap_or(0.0));
    let (lo, hi) =
        (reveal_round::round_by_clock(first, s.current_block, block_time, t0), reveal_round::round_by_clock(first, s.current_block, block_time, t1));
    let theirs = item["round"].as_u64().ok_or("no round")?;
    if !(lo..=hi).contains(&theirs) {
        return Err(format!("their reveal round {theirs}, ours {lo}..={hi} (first reveal block {first})"));
    }
    let ct = bytes(item, "ciphertext")?;
    let expected_len = drand::tlock::OVERHEAD + payload.to_plaintext().len();
    if ct.len() != expected_len {
        return Err(format!("ciphertext is {} bytes, ours {expected_len}", ct.len()));
    }
    match drand::decrypt(&ct, &LocalBeacon::from_seed([1; 32]).sign_round(theirs)) {
        Err(TlockError::WrongSignature) => Ok(()),
        other => Err(format!("with another beacon's signature: {other:?}")),
    }
}
