//! Yuma scenarios: the JSON format of `docs/yuma-scenario.md`, parsed with
//! errors that name the offending field, and run over several epochs with the state
//! the chain carries from one epoch to the next (weights, bonds, permits, last epoch).
//!
//! Extensions to the spec (all optional):
//! - `hyperparameters` also takes `tempo`, `alpha_sigmoid_steepness`, `stake_threshold`;
//! - top-level `owner_uid`: the subnet owner's UID (keeps its permit and self-weight);
//! - a neuron may give `last_update` (default: its `registered_at`, as on registration);
//! - an epoch may give `hyperparameters` (changes from that epoch on), `reset_bonds`
//!   (UIDs whose incoming bonds are cleared first, as the chain's `do_reset_bonds` when
//!   `bonds_reset_enabled`), and `last_epoch_block` (overrides the block of the previous
//!   epoch, for reproducing tests that call the epoch directly);
//! - a weight row may be dense (`[w0, w1, …]`, one u16 per UID) instead of `[uid, w]` pairs.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{run_epoch, EpochOutput, EpochParams, SubnetState};

/// A malformed scenario: `path` names the field (`epochs[2].weights.3[0]`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ScenarioError {
    /// Where in the scenario, as `epochs[2].weights.3[0]`.
    pub path: String,
    /// What is wrong there.
    pub message: String,
}

fn err<T>(path: &str, message: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError { path: path.to_string(), message: message.into() })
}

/// A new neuron: at start, or a UID taken over by a new hotkey before an epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronSpec {
    /// The UID the neuron registers at.
    pub uid: u16,
    /// Its stake, rao.
    pub stake: u64,
    /// The block it registered at (`BlockAtRegistration`).
    pub registered_at: u64,
    /// A fixed permit, instead of the one the chain would compute from stake.
    pub validator_permit: Option<bool>,
    /// Block of its last weights (default: `registered_at`).
    pub last_update: Option<u64>,
}

/// What changes before one epoch, and the epoch itself.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct EpochSpec {
    /// The block the epoch runs at.
    pub block: u64,
    /// The subnet's emission this epoch, rao, split between miners and validators.
    pub emission: u64,
    /// UIDs taken over by a new hotkey since the last epoch.
    pub neurons: Vec<NeuronSpec>,
    /// Hyperparameters changed from this epoch on (JSON, as in the scenario's own).
    pub hyperparameters: Option<Map<String, Value>>,
    /// A new stake per UID, rao, replacing the stored one.
    pub stake: Option<Vec<(u16, u64)>>,
    /// Weight rows replacing the stored ones: `(validator uid, [(uid, u16 weight)])`.
    pub weights: UidRows,
    /// `(uid, block)`: new last-weights blocks.
    pub last_update: Vec<(u16, u64)>,
    /// UIDs whose incoming bonds are cleared first (Subtensor's `do_reset_bonds`).
    pub reset_bonds: Vec<u16>,
    /// Overrides the block of the previous epoch.
    pub last_epoch_block: Option<u64>,
}

/// A parsed scenario: one subnet, its neurons and hyperparameters, and its epochs.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Free text naming the scenario.
    pub name: String,
    /// The epoch's hyperparameters at the start.
    pub params: EpochParams,
    /// Carried for completeness: a `set_weights` rule, not part of the epoch math.
    pub min_allowed_weights: u16,
    /// Whether `reset_bonds` applies (`BondsResetOn`).
    pub bonds_reset_enabled: bool,
    /// The subnet owner's UID: keeps its permit and its self-weight.
    pub owner_uid: Option<u16>,
    /// The neurons at the start.
    pub neurons: Vec<NeuronSpec>,
    /// Bond rows before the first epoch, one per UID, `(uid, u16 bond)` pairs.
    pub bonds: Vec<Vec<(u16, u16)>>,
    /// The epochs, in order.
    pub epochs: Vec<EpochSpec>,
}

// ------------------------------------------------------------------ parsing

struct Field<'a> {
    path: String,
    value: &'a Value,
}

impl<'a> Field<'a> {
    fn child(&self, key: &str) -> Option<Field<'a>> {
        self.value
            .get(key)
            .filter(|v| !v.is_null())
            .map(|value| Field { path: if self.path.is_empty() { key.to_string() } else { format!("{}.{key}", self.path) }, value })
    }
    fn required(&self, key: &str) -> Result<Field<'a>, ScenarioError> {
        self.child(key).map_or_else(|| err(&self.join(key), "missing field"), Ok)
    }
    fn join(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }
    fn object(&self) -> Result<&'a Map<String, Value>, ScenarioError> {
        self.value.as_object().map_or_else(|| err(&self.path, "expected an object"), Ok)
    }
    fn items(&self) -> Result<Vec<Field<'a>>, ScenarioError> {
        let arr = self.value.as_array().map_or_else(|| err(&self.path, "expected an array"), Ok)?;
        Ok(arr.iter().enumerate().map(|(i, value)| Field { path: format!("{}[{i}]", self.path), value }).collect())
    }
    fn entries(&self) -> Result<Vec<(String, Field<'a>)>, ScenarioError> {
        Ok(self.object()?.iter().map(|(k, value)| (k.clone(), Field { path: self.join(k), value })).collect())
    }
    /// Non-negative integer; floats are rounded down (the spec allows them for stake).
    fn u64(&self) -> Result<u64, ScenarioError> {
        if let Some(v) = self.value.as_u64() {
            return Ok(v);
        }
        match self.value.as_f64() {
            Some(f) if f < 0.0 => err(&self.path, format!("must not be negative, got {f}")),
            Some(f) if f.is_finite() && f < 1.8e19 => Ok(f.floor() as u64),
            Some(f) => err(&self.path, format!("out of range, got {f}")),
            None => err(&self.path, format!("expected a number, got {}", self.value)),
        }
    }
    fn integer(&self, max: u64, what: &str) -> Result<u64, ScenarioError> {
        match self.value.as_u64() {
            Some(v) if v <= max => Ok(v),
            _ => err(&self.path, format!("expected {what} (an integer in 0..={max}), got {}", self.value)),
        }
    }
    fn u16(&self) -> Result<u16, ScenarioError> {
        Ok(self.integer(u16::MAX as u64, "a u16")? as u16)
    }
    fn bool(&self) -> Result<bool, ScenarioError> {
        self.value.as_bool().map_or_else(|| err(&self.path, "expected true or false"), Ok)
    }
}

fn uid_key(key: &str, path: &str, n: usize) -> Result<u16, ScenarioError> {
    match key.parse::<u16>() {
        Ok(uid) if (uid as usize) < n => Ok(uid),
        Ok(uid) => err(path, format!("UID {uid} does not exist (the subnet has {n} UIDs)")),
        Err(_) => err(path, format!("expected a UID as key, got {key:?}")),
    }
}

fn uid_value(f: &Field<'_>, n: usize) -> Result<u16, ScenarioError> {
    let uid = f.u16()?;
    if uid as usize >= n {
        return err(&f.path, format!("UID {uid} does not exist (the subnet has {n} UIDs)"));
    }
    Ok(uid)
}

/// A sparse row `[[uid, value], …]` or a dense row `[v0, v1, …]` of `n` u16 values.
fn parse_row(f: &Field<'_>, n: usize) -> Result<Vec<(u16, u16)>, ScenarioError> {
    let items = f.items()?;
    if items.iter().all(|i| i.value.is_number()) && !items.is_empty() {
        if items.len() != n {
            return err(&f.path, format!("a dense row needs {n} values, got {}", items.len()));
        }
        return items
            .iter()
            .enumerate()
            .filter_map(|(j, i)| match i.u16() {
                Ok(0) => None,
                Ok(v) => Some(Ok((j as u16, v))),
                Err(e) => Some(Err(e)),
            })
            .collect();
    }
    let mut seen = BTreeSet::new();
    items
        .iter()
        .map(|pair| {
            let parts = pair.items()?;
            if parts.len() != 2 {
                return err(&pair.path, "expected a [uid, value] pair");
            }
            let uid = uid_value(&parts[0], n)?;
            if !seen.insert(uid) {
                return err(&parts[0].path, format!("UID {uid} appears twice in this row"));
            }
            Ok((uid, parts[1].u16()?))
        })
        .collect()
}

/// Sparse rows keyed by UID: `{ "uid": row, … }`.
type UidRows = Vec<(u16, Vec<(u16, u16)>)>;

fn parse_sparse_matrix(f: &Field<'_>, n: usize) -> Result<UidRows, ScenarioError> {
    f.entries()?.iter().map(|(k, row)| Ok((uid_key(k, &row.path, n)?, parse_row(row, n)?))).collect()
}

fn parse_uid_map(f: &Field<'_>, n: usize) -> Result<Vec<(u16, u64)>, ScenarioError> {
    if f.value.is_array() {
        let items = f.items()?;
        if items.len() != n {
            return err(&f.path, format!("expected {n} entries, one per UID, got {}", items.len()));
        }
        return items.iter().enumerate().map(|(i, v)| Ok((i as u16, v.u64()?))).collect();
    }
    f.entries()?.iter().map(|(k, v)| Ok((uid_key(k, &v.path, n)?, v.u64()?))).collect()
}

fn parse_neuron(f: &Field<'_>) -> Result<NeuronSpec, ScenarioError> {
    f.object()?;
    Ok(NeuronSpec {
        uid: f.required("uid")?.u16()?,
        stake: f.child("stake").map(|s| s.u64()).transpose()?.unwrap_or(0),
        registered_at: f.child("registered_at").map(|s| s.u64()).transpose()?.unwrap_or(0),
        validator_permit: f.child("validator_permit").map(|s| s.bool()).transpose()?,
        last_update: f.child("last_update").map(|s| s.u64()).transpose()?,
    })
}

/// Apply the hyperparameters found in `f` on top of `params`.
fn apply_hyperparameters(f: &Field<'_>, params: &mut EpochParams, extra: &mut (u16, bool)) -> Result<(), ScenarioError> {
    for (key, v) in f.entries()? {
        match key.as_str() {
            "kappa" => params.kappa = v.u16()?,
            "bonds_moving_average" => params.bonds_moving_average = v.integer(1_000_000, "a per-million value")?,
            "max_allowed_validators" => params.max_allowed_validators = v.u16()?,
            "activity_cutoff" => params.activity_cutoff = v.u64()?,
            "liquid_alpha_enabled" => params.liquid_alpha_enabled = v.bool()?,
            "alpha_low" => params.alpha_low = v.u16()?,
            "alpha_high" => params.alpha_high = v.u16()?,
            "alpha_sigmoid_steepness" => match v.value.as_i64() {
                Some(s) if (i16::MIN as i64..=i16::MAX as i64).contains(&s) => params.alpha_sigmoid_steepness = s as i16,
                _ => return err(&v.path, "expected an i16"),
            },
            "yuma3_enabled" => params.yuma3_enabled = v.bool()?,
            "bonds_penalty" => params.bonds_penalty = v.u16()?,
            "stake_threshold" => params.stake_threshold = v.u64()?,
            "tempo" => params.tempo = v.u16()?,
            "min_allowed_weights" => extra.0 = v.u16()?,
            "bonds_reset_enabled" => extra.1 = v.bool()?,
            _ => return err(&v.path, "unknown hyperparameter"),
        }
    }
    if params.alpha_low > params.alpha_high {
        return err(&f.join("alpha_low"), "alpha_low must not exceed alpha_high");
    }
    Ok(())
}

impl Scenario {
    /// Parse and validate a scenario from JSON text.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let value: Value =
            serde_json::from_str(text).map_err(|e| ScenarioError { path: "<json>".into(), message: format!("not valid JSON: {e}") })?;
        Self::from_value(&value)
    }

    /// Parse a scenario already read as JSON.
    pub fn from_value(value: &Value) -> Result<Self, ScenarioError> {
        let root = Field { path: String::new(), value };
        root.object()?;
        let name = root.child("name").and_then(|n| n.value.as_str().map(str::to_string)).unwrap_or_default();

        let mut params = EpochParams::default();
        let mut extra = (0u16, false);
        if let Some(h) = root.child("hyperparameters") {
            apply_hyperparameters(&h, &mut params, &mut extra)?;
        }

        let neurons_field = root.required("neurons")?;
        let neurons: Vec<NeuronSpec> = neurons_field.items()?.iter().map(parse_neuron).collect::<Result<_, _>>()?;
        let n = neurons.len();
        if n == 0 {
            return err(&neurons_field.path, "a subnet needs at least one neuron");
        }
        if n > u16::MAX as usize + 1 {
            return err(&neurons_field.path, "more than 65536 neurons");
        }
        let mut seen = vec![false; n];
        for (i, nr) in neurons.iter().enumerate() {
            let path = format!("neurons[{i}].uid");
            match seen.get_mut(nr.uid as usize) {
                None => return err(&path, format!("UID {} out of range: UIDs must be 0..{n}", nr.uid)),
                Some(true) => return err(&path, format!("UID {} listed twice", nr.uid)),
                Some(s) => *s = true,
            }
        }
        let mut sorted = neurons;
        sorted.sort_by_key(|nr| nr.uid);

        let owner_uid = root.child("owner_uid").map(|f| uid_value(&f, n)).transpose()?;

        let mut bonds = vec![Vec::new(); n];
        if let Some(b) = root.child("bonds") {
            for (uid, row) in parse_sparse_matrix(&b, n)? {
                bonds[uid as usize] = row;
            }
        }

        let epochs_field = root.required("epochs")?;
        let mut epochs = Vec::new();
        let mut size = n;
        let mut last_block = None;
        for ef in epochs_field.items()? {
            ef.object()?;
            let mut spec = EpochSpec {
                block: ef.required("block")?.u64()?,
                emission: ef.child("emission").map(|e| e.u64()).transpose()?.unwrap_or(0),
                ..Default::default()
            };
            if let Some(prev) = last_block {
                if spec.block < prev {
                    return err(&ef.join("block"), format!("blocks must not go backwards ({} after {prev})", spec.block));
                }
            }
            last_block = Some(spec.block);
            if let Some(nf) = ef.child("neurons") {
                for item in nf.items()? {
                    let nr = parse_neuron(&item)?;
                    // A UID equal to the subnet size appends a neuron; others replace one.
                    if nr.uid as usize > size {
                        return err(&item.join("uid"), format!("UID {} out of range: at most {size} here", nr.uid));
                    }
                    if nr.uid as usize == size {
                        size += 1;
                    }
                    spec.neurons.push(nr);
                }
            }
            if let Some(h) = ef.child("hyperparameters") {
                // Validate now against a scratch copy; applied when the epoch runs.
                apply_hyperparameters(&h, &mut params.clone(), &mut extra.clone())?;
                spec.hyperparameters = Some(h.object()?.clone());
            }
            spec.stake = ef.child("stake").map(|s| parse_uid_map(&s, size)).transpose()?;
            if let Some(w) = ef.child("weights") {
                spec.weights = parse_sparse_matrix(&w, size)?;
            }
            if let Some(lu) = ef.child("last_update") {
                spec.last_update = parse_uid_map(&lu, size)?;
            }
            if let Some(rb) = ef.child("reset_bonds") {
                spec.reset_bonds = rb.items()?.iter().map(|u| uid_value(u, size)).collect::<Result<_, _>>()?;
            }
            spec.last_epoch_block = ef.child("last_epoch_block").map(|b| b.u64()).transpose()?;
            epochs.push(spec);
        }

        Ok(Scenario { name, params, min_allowed_weights: extra.0, bonds_reset_enabled: extra.1, owner_uid, neurons: sorted, bonds, epochs })
    }

    /// Run every epoch in order.
    pub fn run(&self) -> Vec<EpochOutput> {
        let mut runner = ScenarioRunner::new(self);
        self.epochs.iter().map(|e| runner.step(e)).collect()
    }
}

// ------------------------------------------------------------------ running

/// The subnet state carried between epochs.
#[derive(Clone, Debug)]
pub struct ScenarioRunner {
    params: EpochParams,
    min_allowed_weights: u16,
    bonds_reset_enabled: bool,
    owner_uid: Option<u16>,
    stake: Vec<u64>,
    last_update: Vec<u64>,
    registered_at: Vec<u64>,
    permits: Vec<bool>,
    weights: Vec<Vec<(u16, u16)>>,
    bonds: Vec<Vec<(u16, u16)>>,
    last_epoch_block: u64,
}

impl ScenarioRunner {
    /// A runner at the scenario's start: neurons, stake, bonds and computed permits.
    pub fn new(s: &Scenario) -> Self {
        let stake: Vec<u64> = s.neurons.iter().map(|nr| nr.stake).collect();
        // Permits going into the first epoch are those the chain would have computed
        // from this stake at the previous epoch, unless the scenario gives them.
        let computed = initial_permits(&s.params, &stake, s.owner_uid);
        Self {
            params: s.params.clone(),
            min_allowed_weights: s.min_allowed_weights,
            bonds_reset_enabled: s.bonds_reset_enabled,
            owner_uid: s.owner_uid,
            last_update: s.neurons.iter().map(|nr| nr.last_update.unwrap_or(nr.registered_at)).collect(),
            registered_at: s.neurons.iter().map(|nr| nr.registered_at).collect(),
            permits: s.neurons.iter().zip(&computed).map(|(nr, c)| nr.validator_permit.unwrap_or(*c)).collect(),
            weights: vec![Vec::new(); stake.len()],
            bonds: s.bonds.clone(),
            stake,
            last_epoch_block: 0,
        }
    }

    /// A new hotkey at `uid`: appended, or replacing the neuron there as the chain's
    /// `replace_neuron` + `clear_neuron` do (its weights and bonds rows removed, weights
    /// towards it zeroed, permit cleared, last update = registration block).
    fn register(&mut self, nr: &NeuronSpec) {
        let uid = nr.uid as usize;
        if uid == self.stake.len() {
            self.stake.push(0);
            self.last_update.push(0);
            self.registered_at.push(0);
            self.permits.push(false);
            self.weights.push(Vec::new());
            self.bonds.push(Vec::new());
        }
        self.stake[uid] = nr.stake;
        self.registered_at[uid] = nr.registered_at;
        self.last_update[uid] = nr.last_update.unwrap_or(nr.registered_at);
        self.permits[uid] = nr.validator_permit.unwrap_or(false);
        self.weights[uid].clear();
        self.bonds[uid].clear();
        for row in &mut self.weights {
            for (j, w) in row.iter_mut() {
                if *j == nr.uid {
                    *w = 0;
                }
            }
        }
    }

    /// Apply the epoch's changes, run it, and keep what the chain stores.
    pub fn step(&mut self, e: &EpochSpec) -> EpochOutput {
        for nr in &e.neurons {
            self.register(nr);
        }
        if let Some(h) = &e.hyperparameters {
            let field = Field { path: "hyperparameters".into(), value: &Value::Object(h.clone()) };
            let mut extra = (self.min_allowed_weights, self.bonds_reset_enabled);
            // Validated at parse time.
            if apply_hyperparameters(&field, &mut self.params, &mut extra).is_ok() {
                (self.min_allowed_weights, self.bonds_reset_enabled) = extra;
            }
        }
        if let Some(stake) = &e.stake {
            for &(uid, s) in stake {
                self.stake[uid as usize] = s;
            }
        }
        for (uid, row) in &e.weights {
            self.weights[*uid as usize] = row.clone();
        }
        for &(uid, b) in &e.last_update {
            self.last_update[uid as usize] = b;
        }
        if self.bonds_reset_enabled {
            for &uid in &e.reset_bonds {
                for row in &mut self.bonds {
                    row.retain(|(j, _)| *j != uid);
                }
            }
        }
        if let Some(b) = e.last_epoch_block {
            self.last_epoch_block = b;
        }
        let state = SubnetState {
            block: e.block,
            last_epoch_block: self.last_epoch_block,
            emission: e.emission,
            stake: &self.stake,
            last_update: &self.last_update,
            block_at_registration: &self.registered_at,
            validator_permit: &self.permits,
            weights: &self.weights,
            bonds: &self.bonds,
            owner_uid: self.owner_uid,
            commit_blocks: None,
        };
        let out = run_epoch(&self.params, &state).expect("runner keeps every vector at the subnet size");
        self.permits = out.validator_permit.clone();
        self.bonds = out.bonds.clone();
        self.last_epoch_block = e.block;
        out
    }
}

fn initial_permits(params: &EpochParams, stake: &[u64], owner: Option<u16>) -> Vec<bool> {
    use super::fixed_math::{inplace_normalize_64, is_topk_nonzero};
    use substrate_fixed::types::{I32F32, I64F64};
    let mut s: Vec<I64F64> = stake
        .iter()
        .enumerate()
        .map(|(uid, &x)| if owner != Some(uid as u16) && x < params.stake_threshold { I64F64::from_bits(0) } else { I64F64::saturating_from_num(x) })
        .collect();
    inplace_normalize_64(&mut s);
    let s: Vec<I32F32> = s.iter().map(|v| I32F32::saturating_from_num(*v)).collect();
    let mut permits = is_topk_nonzero(&s, params.max_allowed_validators as usize);
    if let Some(o) = owner.and_then(|o| permits.get_mut(o as usize)) {
        *o = true;
    }
    permits
}

// ------------------------------------------------------------------ output

/// Serialises an epoch in the spec's output format (plus stake_weight, pruning_score,
/// server_emission and validator_emission), bonds as `{ "uid": [[j, b], …] }`.
pub struct EpochJson<'a>(pub &'a EpochOutput);

impl Serialize for EpochJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let o = self.0;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("block", &o.block)?;
        m.serialize_entry("active", &o.active)?;
        m.serialize_entry("validator_permit", &o.validator_permit)?;
        m.serialize_entry("stake_weight", &o.stake_weight)?;
        m.serialize_entry("consensus", &o.consensus)?;
        m.serialize_entry("rank", &o.rank)?;
        m.serialize_entry("trust", &o.trust)?;
        m.serialize_entry("validator_trust", &o.validator_trust)?;
        m.serialize_entry("incentive", &o.incentive)?;
        m.serialize_entry("dividends", &o.dividends)?;
        m.serialize_entry("pruning_score", &o.pruning_score)?;
        m.serialize_entry("emission", &o.emission)?;
        m.serialize_entry("server_emission", &o.server_emission)?;
        m.serialize_entry("validator_emission", &o.validator_emission)?;
        m.serialize_entry("bonds", &BondsJson(&o.bonds))?;
        m.end()
    }
}

struct BondsJson<'a>(&'a [Vec<(u16, u16)>]);

impl Serialize for BondsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        for (uid, row) in self.0.iter().enumerate().filter(|(_, r)| !r.is_empty()) {
            m.serialize_entry(&uid.to_string(), row)?;
        }
        m.end()
    }
}

/// The epochs as the spec's JSON array.
pub fn to_json(outputs: &[EpochOutput]) -> String {
    let rows: Vec<EpochJson<'_>> = outputs.iter().map(EpochJson).collect();
    serde_json::to_string_pretty(&rows).expect("plain data serialises")
}

/// A human table per epoch.
pub fn to_table(outputs: &[EpochOutput]) -> String {
    let pct = |v: u16| v as f64 / 65535.0 * 100.0;
    let mut t = String::new();
    for o in outputs {
        let _ = writeln!(t, "epoch at block {}", o.block);
        let _ = writeln!(
            t,
            "{:>5} {:>6} {:>6} {:>8} {:>10} {:>10} {:>10} {:>10} {:>16}",
            "uid", "active", "permit", "stake%", "consensus%", "vtrust%", "incentive%", "dividends%", "emission(rao)"
        );
        for uid in 0..o.active.len() {
            let _ = writeln!(
                t,
                "{:>5} {:>6} {:>6} {:>8.2} {:>10.2} {:>10.2} {:>10.2} {:>10.2} {:>16}",
                uid,
                if o.active[uid] { "yes" } else { "no" },
                if o.validator_permit[uid] { "yes" } else { "no" },
                pct(o.stake_weight[uid]),
                pct(o.consensus[uid]),
                pct(o.validator_trust[uid]),
                pct(o.incentive[uid]),
                pct(o.dividends[uid]),
                o.emission[uid]
            );
        }
        t.push('\n');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Scenario, ScenarioError> {
        Scenario::from_json(text)
    }

    #[test]
    fn spec_example_gives_spec_output() {
        let s = parse(
            r#"{"name":"spec","hyperparameters":{"max_allowed_validators":64},
                "neurons":[{"uid":0,"stake":1000000000,"registered_at":0},{"uid":1,"stake":0,"registered_at":0}],
                "bonds":{"0":[[1,0]]},
                "epochs":[{"block":360,"emission":1000000000,"weights":{"0":[[1,65535]]},"last_update":{"0":359}}]}"#,
        )
        .unwrap();
        let out = s.run();
        assert_eq!(out.len(), 1);
        let o = &out[0];
        assert_eq!(o.active, vec![true, true]);
        assert_eq!(o.validator_permit, vec![true, false]);
        assert_eq!(o.consensus, vec![0, 65535]);
        assert_eq!(o.rank, vec![0, 65535]);
        assert_eq!(o.trust, vec![0, 65535]);
        assert_eq!(o.validator_trust, vec![65535, 0]);
        assert_eq!(o.incentive, vec![0, 65535]);
        assert_eq!(o.dividends, vec![65535, 0]);
        assert_eq!(o.emission, vec![500_000_000, 500_000_000]);
        assert_eq!(o.bonds[0], vec![(1, 65535)]);
    }

    #[test]
    fn malformed_scenarios_name_the_field() {
        let cases = [
            ("{", "<json>"),
            (r#"{"epochs":[]}"#, "neurons"),
            (r#"{"neurons":[{"uid":0,"stake":-5}],"epochs":[]}"#, "neurons[0].stake"),
            (r#"{"neurons":[{"uid":1}],"epochs":[]}"#, "neurons[0].uid"),
            (r#"{"neurons":[{"uid":0}],"epochs":[{"block":1,"weights":{"3":[[0,1]]}}]}"#, "epochs[0].weights.3"),
            (r#"{"neurons":[{"uid":0}],"epochs":[{"block":1,"weights":{"0":[[7,1]]}}]}"#, "epochs[0].weights.0[0][0]"),
            (r#"{"neurons":[{"uid":0}],"epochs":[{"block":1,"weights":{"0":[[0,70000]]}}]}"#, "epochs[0].weights.0[0][1]"),
            (r#"{"neurons":[{"uid":0}],"hyperparameters":{"kapa":1},"epochs":[]}"#, "hyperparameters.kapa"),
            (r#"{"neurons":[{"uid":0}],"epochs":[{"emission":5}]}"#, "epochs[0].block"),
            (r#"{"neurons":[{"uid":0}],"epochs":[{"block":1,"stake":[1,2]}]}"#, "epochs[0].stake"),
            (r#"{"neurons":[{"uid":0},{"uid":0}],"epochs":[]}"#, "neurons[1].uid"),
        ];
        for (text, path) in cases {
            let e = parse(text).expect_err(text);
            assert_eq!(e.path, path, "{text}: {e}");
        }
    }

    #[test]
    fn float_stake_rounds_down_and_dense_rows_parse() {
        let s = parse(
            r#"{"neurons":[{"uid":0,"stake":10.9},{"uid":1}],
                "epochs":[{"block":1,"weights":{"0":[0,65535]}}]}"#,
        )
        .unwrap();
        assert_eq!(s.neurons[0].stake, 10);
        assert_eq!(s.epochs[0].weights, vec![(0, vec![(1, 65535)])]);
    }

    #[test]
    fn replaced_uid_loses_incoming_weights_and_bonds_row() {
        let s = parse(
            r#"{"neurons":[{"uid":0,"stake":100},{"uid":1},{"uid":2}],
                "epochs":[{"block":10,"emission":1000,"weights":{"0":[[1,65535],[2,65535]]},"last_update":{"0":10}},
                          {"block":20,"emission":1000,"neurons":[{"uid":2,"registered_at":15}]}]}"#,
        )
        .unwrap();
        let out = s.run();
        assert_eq!(out[0].incentive, vec![0, 32767, 32767]);
        // UID 2 was taken over at block 15, after UID 0's last update: its weight is gone.
        assert_eq!(out[1].incentive, vec![0, 65535, 0]);
    }
}
