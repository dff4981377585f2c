//! Subtensor's own epoch tests, turned into scenarios (`examples/scenarios/subtensor/`),
//! must give what the source test asserts. Each `<test>.json` has a `<test>.expect.json`:
//! `{"source", "checks": [...]}`, each check one of:
//! - `{"epoch", "field", "uid"?, "col"?, "equals": v}` or `"approx": p, "tolerance": t`
//!   (u16 fields and bond cells compare as proportions of 65535, emission as rao);
//! - `{"epoch", "field", "uid", "col"?, "op": ">", "than_uid" | "value" | "epoch_b"}`:
//!   against another UID, a constant, or the same cell in an earlier epoch;
//! - `{"epoch", "sum_of": [fields], "equals" | "approx"+"tolerance"}`: over all UIDs.

use std::path::{Path, PathBuf};

use serde_json::Value;
use subnet_core::yuma::scenario::{EpochJson, Scenario};

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/scenarios/subtensor")
}

/// The value at `field[uid]` (or the bonds cell `[uid][col]`) of one epoch's JSON.
fn cell(epoch: &Value, field: &str, uid: usize, col: Option<u64>) -> Result<Value, String> {
    if field == "bonds" {
        let row = epoch["bonds"].get(uid.to_string()).cloned().unwrap_or(Value::Array(vec![]));
        return match col {
            None => Ok(row),
            Some(c) => Ok(row.as_array().unwrap().iter().find(|p| p[0].as_u64() == Some(c)).map(|p| p[1].clone()).unwrap_or(Value::from(0))),
        };
    }
    epoch[field].get(uid).cloned().ok_or_else(|| format!("{field}[{uid}] does not exist"))
}

fn as_f64(v: &Value) -> f64 {
    v.as_f64().or_else(|| v.as_bool().map(|b| b as u8 as f64)).expect("numeric value")
}

fn check(epochs: &[Value], c: &Value) -> Result<(), String> {
    let e = c["epoch"].as_u64().ok_or("check without epoch")? as usize;
    let epoch = epochs.get(e).ok_or(format!("epoch {e} does not exist"))?;
    if let Some(fields) = c.get("sum_of").and_then(Value::as_array) {
        let total: f64 = fields.iter().map(|f| epoch[f.as_str().unwrap_or_default()].as_array().map_or(0.0, |v| v.iter().map(as_f64).sum())).sum();
        let (target, tol) = match (c.get("equals"), c.get("approx")) {
            (Some(v), _) => (as_f64(v), 0.0),
            (None, Some(v)) => (as_f64(v), c.get("tolerance").map_or(0.0, as_f64)),
            _ => return Err("sum_of needs equals or approx".into()),
        };
        return if (total - target).abs() <= tol { Ok(()) } else { Err(format!("sum {total}, expected {target} ± {tol}")) };
    }
    let field = c["field"].as_str().ok_or("check without field")?;
    let col = c.get("col").and_then(Value::as_u64);
    let uid = c.get("uid").and_then(Value::as_u64).map(|u| u as usize);
    let is_u16 = !(field.contains("emission") || field == "active" || field == "validator_permit");
    let got = match uid {
        Some(u) => cell(epoch, field, u, col)?,
        None => epoch[field].clone(),
    };
    if let Some(expected) = c.get("equals") {
        let equal = match (expected, &got) {
            // A bonds row compares as a set of non-zero cells.
            (Value::Array(a), Value::Array(b)) if field == "bonds" && uid.is_some() => {
                let nz = |v: &Vec<Value>| -> Vec<Value> { v.iter().filter(|p| p[1] != 0).cloned().collect() };
                nz(a) == nz(b)
            }
            (Value::Number(_), Value::Bool(b)) => as_f64(expected) == *b as u8 as f64,
            _ => expected == &got,
        };
        return if equal { Ok(()) } else { Err(format!("expected {expected}, got {got}")) };
    }
    if let Some(approx) = c.get("approx").and_then(Value::as_f64) {
        let tol = c.get("tolerance").and_then(Value::as_f64).unwrap_or(0.0);
        let value = if is_u16 { as_f64(&got) / 65535.0 } else { as_f64(&got) };
        return if (value - approx).abs() <= tol { Ok(()) } else { Err(format!("expected {approx} ± {tol}, got {value} (raw {got})")) };
    }
    if let Some(op) = c.get("op").and_then(Value::as_str) {
        let a = as_f64(&got);
        let b = if let Some(other) = c.get("than_uid").and_then(Value::as_u64) {
            as_f64(&cell(epoch, field, other as usize, col)?)
        } else if let Some(v) = c.get("value") {
            as_f64(v)
        } else if let Some(eb) = c.get("epoch_b").and_then(Value::as_u64) {
            let earlier = epochs.get(eb as usize).ok_or(format!("epoch {eb} does not exist"))?;
            as_f64(&cell(earlier, field, uid.ok_or("epoch_b needs uid")?, col)?)
        } else {
            return Err("op needs than_uid, value or epoch_b".into());
        };
        let ok = match op {
            ">" => a > b,
            ">=" => a >= b,
            "<" => a < b,
            "<=" => a <= b,
            "==" => a == b,
            "!=" => a != b,
            _ => return Err(format!("unknown op {op}")),
        };
        return if ok { Ok(()) } else { Err(format!("expected {a} {op} {b}")) };
    }
    Err("check has none of equals / approx / op".into())
}

#[test]
fn subtensor_epoch_tests_reproduce() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenario_dir())
        .expect("examples/scenarios/subtensor exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json") && !p.to_string_lossy().ends_with(".expect.json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut total_checks = 0;
    for path in &files {
        let scenario = Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outputs = scenario.run();
        let epochs: Vec<Value> = outputs.iter().map(|o| serde_json::to_value(EpochJson(o)).unwrap()).collect();
        let expect_path = path.with_extension("expect.json");
        let expect: Value =
            serde_json::from_str(&std::fs::read_to_string(&expect_path).unwrap_or_else(|_| panic!("{} is missing", expect_path.display()))).unwrap();
        let checks = expect["checks"].as_array().expect("checks array");
        assert!(!checks.is_empty(), "{} asserts nothing", expect_path.display());
        for c in checks {
            total_checks += 1;
            if let Err(msg) = check(&epochs, c) {
                failures.push(format!("{}: {c}: {msg}", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(files.len() >= 8, "expected at least 8 converted Subtensor tests, found {}", files.len());
    assert!(failures.is_empty(), "{} of {total_checks} checks failed:\n{}", failures.len(), failures.join("\n"));
}
