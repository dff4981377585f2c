//! Who may call a miner: the metagraph view the server consults, and the blacklist
//! policy applied to it.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::reject::Rejection;
use crate::chain::{Chain, Metagraph, NetUid};
use crate::spec::AccessRules;

/// What the server knows of a caller from the metagraph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallerInfo {
    /// The caller's UID on the subnet.
    pub uid: u16,
    /// Stake on the subnet (rao); decides priority when the server is saturated.
    pub stake: u64,
    /// Whether the caller holds a validator permit (Subtensor's `ValidatorPermit`).
    pub validator_permit: bool,
}

/// The metagraph as the server needs it: registered hotkeys, stake, permits.
pub trait CallerDirectory: Send + Sync + 'static {
    /// What the metagraph says of `hotkey`, or `None` if it is not registered.
    fn lookup(&self, hotkey: &[u8; 32]) -> Option<CallerInfo>;
}

type Callers = HashMap<[u8; 32], CallerInfo>;

/// A metagraph snapshot, swapped whole when refreshed (readers never wait on a fetch).
#[derive(Clone, Default)]
pub struct MetagraphDirectory {
    snapshot: Arc<RwLock<Arc<Callers>>>,
}

impl MetagraphDirectory {
    /// An empty directory: every caller is unregistered until the first update.
    pub fn new() -> Self {
        Self::default()
    }

    /// A directory holding these callers (tests and static set-ups).
    pub fn from_callers(callers: impl IntoIterator<Item = ([u8; 32], CallerInfo)>) -> Self {
        let d = Self::new();
        d.replace(callers.into_iter().collect());
        d
    }

    /// Replace the snapshot with the callers in `metagraph` (hotkey, UID, stake, permit).
    pub fn update(&self, metagraph: &Metagraph) {
        self.replace(
            metagraph.neurons.iter().map(|n| (n.hotkey.0, CallerInfo { uid: n.uid, stake: n.stake, validator_permit: n.validator_permit })).collect(),
        );
    }

    fn replace(&self, map: Callers) {
        *self.snapshot.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(map);
    }

    /// How many registered callers the snapshot holds.
    pub fn len(&self) -> usize {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether the snapshot holds no caller (before the first fetch, or an empty subnet).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Fetch the metagraph once now, then every `every` in the background until the
    /// returned task is aborted. A failed fetch keeps the last snapshot.
    pub async fn follow(
        &self,
        chain: Arc<dyn Chain>,
        netuid: NetUid,
        every: Duration,
    ) -> Result<tokio::task::JoinHandle<()>, crate::chain::ChainError> {
        self.update(&chain.metagraph(netuid).await?);
        let me = self.clone();
        Ok(tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.tick().await;
            loop {
                tick.tick().await;
                match chain.metagraph(netuid).await {
                    Ok(m) => me.update(&m),
                    Err(e) => tracing::warn!(netuid, "metagraph refresh failed, keeping the last one: {e}"),
                }
            }
        }))
    }
}

impl CallerDirectory for MetagraphDirectory {
    fn lookup(&self, hotkey: &[u8; 32]) -> Option<CallerInfo> {
        self.snapshot.read().unwrap_or_else(|e| e.into_inner()).get(hotkey).copied()
    }
}

/// The blacklist: who is refused before any work.
#[derive(Clone, Debug)]
pub struct AccessPolicy {
    /// Refuse hotkeys not registered on the subnet.
    pub require_registered: bool,
    /// Refuse registered hotkeys without a validator permit.
    pub require_validator_permit: bool,
    /// Refuse callers with less stake (rao).
    pub min_stake: u64,
    /// Always admitted, registered or not (an operator's own tools).
    pub allow: HashSet<[u8; 32]>,
    /// Always refused.
    pub deny: HashSet<[u8; 32]>,
}

impl Default for AccessPolicy {
    /// Bittensor's usual miner blacklist: registered validators only.
    fn default() -> Self {
        Self { require_registered: true, require_validator_permit: true, min_stake: 0, allow: HashSet::new(), deny: HashSet::new() }
    }
}

impl AccessPolicy {
    /// Anyone with a valid signature (local experiments, benchmarks).
    pub fn open() -> Self {
        Self { require_registered: false, require_validator_permit: false, ..Self::default() }
    }

    /// Admit or refuse `caller`; returns the stake it is served with.
    pub fn admit(&self, caller: &[u8; 32], info: Option<CallerInfo>) -> Result<u64, Rejection> {
        if self.deny.contains(caller) {
            return Err(Rejection::Blacklisted);
        }
        let stake = info.map_or(0, |i| i.stake);
        if self.allow.contains(caller) {
            return Ok(stake);
        }
        match info {
            None if self.require_registered => Err(Rejection::NotRegistered),
            Some(i) if self.require_validator_permit && !i.validator_permit => Err(Rejection::NoValidatorPermit),
            _ if self.require_validator_permit && info.is_none() => Err(Rejection::NoValidatorPermit),
            _ if stake < self.min_stake => Err(Rejection::StakeTooLow { stake, min: self.min_stake }),
            _ => Ok(stake),
        }
    }
}

/// The subnet's declared rules ([`AccessRules`], from `spec`) on a server.
impl AccessRules {
    /// Set these rules on a server's configuration.
    pub fn apply(&self, config: &mut super::ServerConfig) {
        config.policy.require_registered = self.require_registered;
        config.policy.require_validator_permit = self.require_validator_permit;
        config.policy.min_stake = self.min_stake;
        config.rate_limit = self.rate_limit;
        config.max_concurrent = self.max_concurrent;
    }
}

/// Per-caller token buckets: `per_second` sustained, bursts up to `burst`.
#[derive(Debug)]
pub(crate) struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: std::sync::Mutex<HashMap<[u8; 32], Bucket>>,
    max_callers: usize,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: std::time::Instant,
}

impl RateLimiter {
    /// Buckets refilling at `per_second`, holding at most `burst` tokens (at least one).
    pub(crate) fn new(per_second: f64, burst: u32) -> Self {
        Self { per_second, burst: burst.max(1) as f64, buckets: Default::default(), max_callers: 4096 }
    }

    /// Take one token for `caller`, or refuse.
    pub(crate) fn take(&self, caller: &[u8; 32]) -> Result<(), Rejection> {
        let now = std::time::Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= self.max_callers && !buckets.contains_key(caller) {
            // A bucket that has refilled is the same as no bucket.
            let (rate, burst) = (self.per_second, self.burst);
            buckets.retain(|_, b| b.tokens + now.duration_since(b.at).as_secs_f64() * rate < burst);
        }
        let b = buckets.entry(*caller).or_insert(Bucket { tokens: self.burst, at: now });
        b.tokens = (b.tokens + now.duration_since(b.at).as_secs_f64() * self.per_second).min(self.burst);
        b.at = now;
        if b.tokens < 1.0 {
            return Err(Rejection::RateLimited);
        }
        b.tokens -= 1.0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALIDATOR: CallerInfo = CallerInfo { uid: 0, stake: 1_000, validator_permit: true };
    const MINER: CallerInfo = CallerInfo { uid: 1, stake: 0, validator_permit: false };

    #[test]
    fn the_default_policy_admits_registered_validators_only() {
        let p = AccessPolicy::default();
        assert_eq!(p.admit(&[1; 32], Some(VALIDATOR)), Ok(1_000));
        assert_eq!(p.admit(&[1; 32], Some(MINER)), Err(Rejection::NoValidatorPermit));
        assert_eq!(p.admit(&[1; 32], None), Err(Rejection::NotRegistered));
        let p = AccessPolicy { min_stake: 5_000, ..AccessPolicy::default() };
        assert_eq!(p.admit(&[1; 32], Some(VALIDATOR)), Err(Rejection::StakeTooLow { stake: 1_000, min: 5_000 }));
    }

    #[test]
    fn allow_and_deny_lists_override() {
        let mut p = AccessPolicy::default();
        p.allow.insert([2; 32]);
        p.deny.insert([3; 32]);
        assert_eq!(p.admit(&[2; 32], None), Ok(0));
        assert_eq!(p.admit(&[3; 32], Some(VALIDATOR)), Err(Rejection::Blacklisted));
        assert_eq!(AccessPolicy::open().admit(&[4; 32], None), Ok(0));
    }

    #[test]
    fn the_bucket_refuses_past_the_burst_and_refills() {
        let limiter = RateLimiter::new(1000.0, 3);
        for _ in 0..3 {
            limiter.take(&[1; 32]).unwrap();
        }
        assert_eq!(limiter.take(&[1; 32]), Err(Rejection::RateLimited));
        limiter.take(&[2; 32]).unwrap(); // others are unaffected
        std::thread::sleep(Duration::from_millis(5));
        limiter.take(&[1; 32]).unwrap();
    }
}
