//! [`AccessRules`]: who a subnet's miners serve and how much, declared once as a value
//! (`#[access]`); the transport (`net`) enforces them.

use serde::{Deserialize, Serialize};

use crate::chain::types::RAO_PER_TAO;

/// A subnet's serving rules, declared once (`#[access] const ACCESS: AccessRules =
/// AccessRules::validators_only().min_stake_tao(1_000);`) and applied to every miner's
/// server; operators can still tighten them with command-line flags. The protocol
/// description carries them (as JSON, `rate_limit` as `[per_second, burst]`), so a
/// miner written in another language serves by the same rules.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessRules {
    /// Serve only hotkeys registered on the subnet (in its `Keys` map on the chain).
    pub require_registered: bool,
    /// Serve only callers holding a validator permit (Subtensor's `ValidatorPermit`).
    pub require_validator_permit: bool,
    /// Minimum caller stake, rao.
    pub min_stake: u64,
    /// Per-caller requests per second and burst.
    pub rate_limit: Option<(f64, u32)>,
    /// Requests handled at once; beyond, callers wait by stake.
    pub max_concurrent: usize,
}

impl AccessRules {
    /// Registered validators (with a permit), 50 requests/s each, 64 at once.
    pub const fn validators_only() -> Self {
        Self { require_registered: true, require_validator_permit: true, min_stake: 0, rate_limit: Some((50.0, 100)), max_concurrent: 64 }
    }
    /// Raise the minimum caller stake to `tao` TAO (stored in rao; saturates).
    pub const fn min_stake_tao(mut self, tao: u64) -> Self {
        self.min_stake = tao.saturating_mul(RAO_PER_TAO);
        self
    }
    /// Registered neurons without a validator permit too.
    pub const fn allow_non_validators(mut self) -> Self {
        self.require_validator_permit = false;
        self
    }
    /// Anyone who signs (testing, public demos).
    pub const fn allow_anyone(mut self) -> Self {
        self.require_registered = false;
        self.require_validator_permit = false;
        self
    }
    /// Limit each caller to `per_second` requests per second, with bursts of up to `burst`.
    pub const fn rate_limit(mut self, per_second: f64, burst: u32) -> Self {
        self.rate_limit = Some((per_second, burst));
        self
    }
    /// Let each caller send as fast as it likes (concurrency is still capped).
    pub const fn no_rate_limit(mut self) -> Self {
        self.rate_limit = None;
        self
    }
    /// Handle at most `n` requests at once; further callers queue, highest stake first.
    pub const fn max_concurrent(mut self, n: usize) -> Self {
        self.max_concurrent = n;
        self
    }
}

impl Default for AccessRules {
    fn default() -> Self {
        Self::validators_only()
    }
}
