//! The embedded local chain: Subtensor's subnet logic, deterministic and instant.
//!
//! [`LocalChain`] is the synchronous state machine: extrinsics are methods that
//! dispatch at the current block and fail with the chain's errors, and
//! [`LocalChain::produce_blocks`] runs what the chain does at the start of each block
//! (burn decay, emission, epochs every `tempo`). Amounts follow a stable (1:1 TAO to
//! alpha) subnet mechanism, so stake and balances move by the same numbers.

mod balances;
mod drand;
pub mod economy;
mod emission;
mod handle;
pub(crate) mod map_as_seq;
mod mechanism;
mod subnet;
mod symbols;
mod timelock;
mod weights;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use substrate_fixed::types::U64F64;

pub use balances::{Preservation, Transferred, EXISTENTIAL_DEPOSIT};
pub use drand::{DrandState, Pulse, BLOCK_TIME_SECS, DRAND_GENESIS_TIME, DRAND_PERIOD_SECS};
pub use economy::{Dissolved, EconomyConfig, Pool};
pub use handle::{BlockMode, LocalChainHandle};
pub use mechanism::{MechanismRows, MechanismState, DEFAULT_MAX_MECHANISM_COUNT, MAX_UIDS_OVER_ALL_MECHANISMS};
pub use subnet::{StoredEpoch, Subnet, TimelockedCommit, WeightCommit};
pub use timelock::{DEFAULT_COMMIT_REVEAL_VERSION, MAX_TIMELOCKED_COMMIT_BYTES};
pub use weights::{commit_hash, mechanism_storage_index};

use super::types::*;
use super::ChainError;

/// The price of alpha on a local subnet, rao per alpha: 1 TAO. Local subnets follow
/// Subtensor's stable mechanism (`SubnetMechanism` 0), where the price never moves.
pub const STABLE_PRICE: Balance = 1_000_000_000;

/// Genesis and economics of a local chain.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalChainConfig {
    /// The sudo key (AdminUtils may be called by it on any subnet).
    pub sudo: AccountId,
    /// Accounts funded at genesis.
    pub endowed: Vec<(AccountId, Balance)>,
    /// Alpha emitted into each subnet per block (rao).
    pub subnet_emission_per_block: Balance,
    /// Share of emission for the subnet owner, u16 proportion (chain: `SubnetOwnerCut`).
    pub owner_cut: u16,
    /// Validators' take of their dividends before nominators share, u16 proportion.
    pub delegate_take: u16,
    /// TAO locked to create a subnet.
    pub network_lock_cost: Balance,
    /// Smallest stake an `add_stake` may move.
    pub min_stake: Balance,
    /// Minimum stake to set weights and count in the epoch (chain: `StakeThreshold`).
    pub stake_threshold: Balance,
    /// Registration price of a new subnet.
    pub initial_burn: Balance,
    /// Hyperparameters of a new subnet.
    pub default_hyperparameters: SubnetHyperparameters,
    /// The dTAO economy: dynamic pools, emission by price, lock cost and pruning
    /// (off by default: subnets keep the stable 1:1 mechanism).
    #[serde(default)]
    pub economy: EconomyConfig,
}

/// What a new subnet starts with on Subtensor: `init_new_network`'s explicit values
/// (max validators 64, min allowed weights 1, immunity 5000, Yuma3 on, burn 1 TAO)
/// over the pallet and runtime defaults (`DefaultCommitRevealWeightsEnabled` = true,
/// `DefaultBurnHalfLife` = 360, `DefaultBurnIncreaseMult` = 1.26, …).
pub fn default_hyperparameters() -> SubnetHyperparameters {
    SubnetHyperparameters {
        tempo: 360,
        kappa: 32_767,
        immunity_period: 5_000,
        max_allowed_uids: 256,
        max_allowed_validators: 64,
        min_allowed_weights: 1,
        max_weight_limit: u16::MAX,
        weights_set_rate_limit: 100,
        weights_version_key: 0,
        commit_reveal_enabled: true,
        reveal_period_epochs: 1,
        activity_cutoff_factor_milli: 13_889,
        min_burn: 500_000,
        max_burn: 100_000_000_000,
        bonds_moving_average: 900_000,
        bonds_penalty: u16::MAX,
        liquid_alpha_enabled: false,
        alpha_low: 45_875,
        alpha_high: 58_982,
        yuma3_enabled: true,
        registration_allowed: true,
        burn_half_life: 360,
        burn_increase_mult: 1.26,
        min_non_immune_uids: 10,
        serving_rate_limit: 50,
    }
}

/// The well-known development accounts of a Substrate dev chain, derived as Substrate
/// derives them (`//Alice` … on the dev phrase), so their SS58 addresses match.
pub const DEV_ACCOUNT_NAMES: [&str; 6] = ["Alice", "Bob", "Charlie", "Dave", "Eve", "Ferdie"];

/// Keypair of a development account by name (`"Alice"`, …) or any `//` URI.
pub fn dev_keypair(name: &str) -> crate::keys::Keypair {
    let uri = if name.starts_with('/') { name.to_string() } else { format!("//{name}") };
    crate::keys::Keypair::from_uri(&uri).expect("dev URIs are valid")
}

impl LocalChainConfig {
    /// A development chain like Substrate's: `//Alice` is sudo and the six dev
    /// accounts hold 1,000,000 TAO each.
    pub fn dev_accounts() -> Self {
        let accounts: Vec<AccountId> = DEV_ACCOUNT_NAMES.iter().map(|n| dev_keypair(n).account_id()).collect();
        Self::dev(accounts[0], &accounts, 1_000_000 * 1_000_000_000)
    }

    /// A development chain: `sudo` is sudo, every `endowed` account gets `amount`.
    pub fn dev(sudo: AccountId, endowed: &[AccountId], amount: Balance) -> Self {
        Self {
            sudo,
            endowed: endowed.iter().map(|a| (*a, amount)).collect(),
            subnet_emission_per_block: 1_000_000_000,
            owner_cut: 11_796,
            delegate_take: 11_796,
            network_lock_cost: 100_000_000_000,
            min_stake: 2_000_000,
            stake_threshold: 0,
            initial_burn: 1_000_000_000,
            default_hyperparameters: default_hyperparameters(),
            economy: EconomyConfig::default(),
        }
    }
}

/// Where the chain's TAO went: lets tests check that nothing is created or lost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supply {
    /// Funded at genesis.
    pub endowed: Balance,
    /// Paid for registrations (recycled), locked to create subnets, and the dust
    /// lost when a transfer reaps an account below the existential deposit.
    pub burned: Balance,
    /// Emitted into subnets, block by block.
    pub emitted: Balance,
    /// Of the emission, what epochs turned into stake.
    pub paid_out: Balance,
    /// Of the emission, incentive aimed at the owner's hotkeys, burnt.
    pub withheld: Balance,
    /// Of the emission, what an epoch credited to no one: rounding, and the
    /// validators' pool when no validator earned dividends (the chain mints it to
    /// nobody either).
    pub unallocated: Balance,
}

/// The whole chain state; equal states behave identically (snapshot/restore).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LocalChain {
    /// The configuration the chain was created with (genesis, costs, defaults).
    pub config: LocalChainConfig,
    block: u64,
    #[serde(with = "map_as_seq")]
    balances: BTreeMap<AccountId, Balance>,
    /// hotkey -> owning coldkey.
    #[serde(with = "map_as_seq")]
    hotkey_owner: BTreeMap<AccountId, AccountId>,
    /// (hotkey, coldkey, netuid) -> stake (rao).
    #[serde(with = "map_as_seq")]
    stake: BTreeMap<(AccountId, AccountId, NetUid), Balance>,
    #[serde(with = "map_as_seq")]
    subnets: BTreeMap<NetUid, Subnet>,
    supply: Supply,
    /// The drand pallet: the local beacon and its stored rounds.
    #[serde(default)]
    drand: DrandState,
    /// `CommitRevealWeightsVersion` (global).
    #[serde(default = "default_commit_reveal_version")]
    commit_reveal_version: u16,
    /// Pools, alpha stake, root stake, takes and lock state of dynamic subnets.
    #[serde(default)]
    economy: economy::Economy,
    /// What the last block's initialisation did that a node reports as events.
    #[serde(skip)]
    block_events: Vec<BlockEvent>,
}

fn default_commit_reveal_version() -> u16 {
    DEFAULT_COMMIT_REVEAL_VERSION
}

/// What the chain does on its own at the start of a block and reports as an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BlockEvent {
    /// `TimelockedWeightsRevealed(netuid_index, who)`: a timelocked commit was
    /// decrypted and its weights set.
    TimelockedWeightsRevealed {
        /// The subnet.
        netuid: NetUid,
        /// The mechanism.
        mecid: u8,
        /// The committer.
        who: AccountId,
    },
}

impl LocalChain {
    /// A chain at genesis with `config`.
    pub fn new(config: LocalChainConfig) -> Self {
        let balances: BTreeMap<AccountId, Balance> = config.endowed.iter().copied().collect();
        let supply = Supply { endowed: balances.values().sum(), ..Supply::default() };
        Self {
            config,
            block: 0,
            balances,
            hotkey_owner: BTreeMap::new(),
            stake: BTreeMap::new(),
            subnets: BTreeMap::new(),
            supply,
            drand: DrandState::default(),
            commit_reveal_version: DEFAULT_COMMIT_REVEAL_VERSION,
            economy: economy::Economy::default(),
            block_events: Vec::new(),
        }
    }

    /// The current block number.
    pub fn block(&self) -> u64 {
        self.block
    }

    /// Where the chain's TAO has gone so far: endowed, burned, emitted, paid out.
    pub fn supply(&self) -> Supply {
        self.supply
    }

    /// Free balances plus stake, everywhere.
    pub fn circulating(&self) -> Balance {
        self.balances.values().sum::<Balance>() + self.stake.values().sum::<Balance>()
    }

    /// Emission accrued in subnets and not yet distributed.
    pub fn pending_emission(&self) -> Balance {
        self.subnets.values().map(|s| s.pending_server + s.pending_validator + s.pending_owner_cut).sum()
    }

    /// The free balance of `account`, rao (`System::Account`).
    pub fn balance(&self, account: &AccountId) -> Balance {
        self.balances.get(account).copied().unwrap_or(0)
    }

    /// Total stake on `hotkey` on `netuid`, from every coldkey (alpha on a dynamic subnet).
    pub fn hotkey_stake(&self, hotkey: &AccountId, netuid: NetUid) -> Balance {
        if self.is_dynamic(netuid) {
            return self.dynamic_hotkey_stake(hotkey, netuid);
        }
        self.stake
            .range((*hotkey, AccountId([0; 32]), 0)..=(*hotkey, AccountId([0xff; 32]), NetUid::MAX))
            .filter(|((_, _, n), _)| *n == netuid)
            .map(|(_, s)| *s)
            .sum()
    }

    /// Stake `coldkey` holds on `hotkey` on `netuid` (alpha on a dynamic subnet).
    pub fn stake_of(&self, hotkey: &AccountId, coldkey: &AccountId, netuid: NetUid) -> Balance {
        if self.is_dynamic(netuid) {
            return self.dynamic_stake_of(hotkey, coldkey, netuid);
        }
        self.stake.get(&(*hotkey, *coldkey, netuid)).copied().unwrap_or(0)
    }

    /// The subnet's storage, or `SubnetNotExists`.
    pub fn subnet(&self, netuid: NetUid) -> Result<&Subnet, ChainError> {
        self.subnets.get(&netuid).ok_or(ChainError::SubnetNotExists)
    }

    fn subnet_mut(&mut self, netuid: NetUid) -> Result<&mut Subnet, ChainError> {
        self.subnets.get_mut(&netuid).ok_or(ChainError::SubnetNotExists)
    }

    /// Accounts holding a free balance, in key order.
    pub fn accounts(&self) -> impl Iterator<Item = (&AccountId, &Balance)> {
        self.balances.iter()
    }

    /// Every subnet's netuid, ascending.
    pub fn netuids(&self) -> Vec<NetUid> {
        self.subnets.keys().copied().collect()
    }

    fn withdraw(&mut self, account: &AccountId, amount: Balance) -> Result<(), ChainError> {
        let b = self.balances.entry(*account).or_default();
        if *b < amount {
            return Err(ChainError::NotEnoughBalanceToStake);
        }
        *b -= amount;
        Ok(())
    }

    fn add_stake_unchecked(&mut self, hotkey: AccountId, coldkey: AccountId, netuid: NetUid, amount: Balance) {
        if amount > 0 {
            *self.stake.entry((hotkey, coldkey, netuid)).or_default() += amount;
        }
    }

    /// Chain: `create_account_if_non_existent` then `coldkey_owns_hotkey`.
    fn claim_hotkey(&mut self, coldkey: AccountId, hotkey: AccountId) -> Result<(), ChainError> {
        match self.hotkey_owner.get(&hotkey) {
            Some(owner) if *owner != coldkey => Err(ChainError::NonAssociatedColdKey),
            Some(_) => Ok(()),
            None => {
                self.hotkey_owner.insert(hotkey, coldkey);
                Ok(())
            }
        }
    }

    /// The coldkey owning `hotkey` (`Owner`), if it is known.
    pub fn hotkey_owner(&self, hotkey: &AccountId) -> Option<AccountId> {
        self.hotkey_owner.get(hotkey).copied()
    }

    /// Every stake entry, `(hotkey, coldkey, netuid, amount)` in key order (the
    /// chain's `Alpha` map: 1:1 with TAO on stable subnets, alpha on dynamic ones).
    pub fn stakes(&self) -> impl Iterator<Item = (AccountId, AccountId, NetUid, Balance)> + '_ {
        let mut all: Vec<_> = self.stake.iter().map(|((hotkey, coldkey, netuid), amount)| (*hotkey, *coldkey, *netuid, *amount)).collect();
        if self.config.economy.dynamic_subnets {
            all.extend(self.dynamic_positions());
            all.sort_by_key(|(h, c, n, _)| (*h, *c, *n));
        }
        all.into_iter()
    }

    /// The subnet's token symbol (`TokenSymbol`), UTF-8, or `None` if it does not exist.
    pub fn token_symbol(&self, netuid: NetUid) -> Option<&'static str> {
        self.subnets.contains_key(&netuid).then(|| symbols::token_symbol(netuid))
    }

    /// The subnet's name (`get_name_for_subnet`: the local chain keeps no identities,
    /// so Subtensor's default name for the netuid), or `None` if it does not exist.
    pub fn subnet_name(&self, netuid: NetUid) -> Option<&'static str> {
        self.subnets.contains_key(&netuid).then(|| symbols::subnet_name(netuid))
    }

    /// Every registered hotkey with its owning coldkey (`Owner`), in key order.
    pub fn hotkeys(&self) -> impl Iterator<Item = (AccountId, AccountId)> + '_ {
        self.hotkey_owner.iter().map(|(hot, cold)| (*hot, *cold))
    }

    // ------------------------------------------------------------ extrinsics

    /// `register_network`: lock the cost, create the subnet with the default
    /// hyperparameters, and register the owner's hotkey as its first neuron.
    pub fn register_network(&mut self, coldkey: &dyn Signer, hotkey: AccountId) -> Result<NetUid, ChainError> {
        let coldkey = coldkey.account_id();
        if self.config.economy.dynamic_subnets {
            return self.register_dynamic_network(coldkey, hotkey);
        }
        if self.balance(&coldkey) < self.config.network_lock_cost {
            return Err(ChainError::NotEnoughBalanceToStake);
        }
        self.claim_hotkey(coldkey, hotkey)?;
        self.withdraw(&coldkey, self.config.network_lock_cost)?;
        self.supply.burned += self.config.network_lock_cost;
        let netuid = (1..=NetUid::MAX).find(|n| !self.subnets.contains_key(n)).ok_or(ChainError::InvalidValue)?;
        self.create_subnet(netuid, coldkey, hotkey);
        Ok(netuid)
    }

    /// `register_network` on a dynamic chain: the lock cost (doubling, decaying), the
    /// subnet limit with pruning, and a pool seeded with the lock (see [`economy`]).
    fn register_dynamic_network(&mut self, coldkey: AccountId, hotkey: AccountId) -> Result<NetUid, ChainError> {
        if self.hotkey_owner.get(&hotkey).is_some_and(|o| *o != coldkey) {
            return Err(ChainError::NonAssociatedColdKey);
        }
        let (locked, pruned) = self.prepare_dynamic_registration(coldkey)?;
        self.claim_hotkey(coldkey, hotkey)?;
        let next = (1..=NetUid::MAX).find(|n| !self.subnets.contains_key(n)).ok_or(ChainError::InvalidValue)?;
        let netuid = pruned.unwrap_or(next);
        self.seed_pool(netuid, locked);
        self.create_subnet(netuid, coldkey, hotkey);
        Ok(netuid)
    }

    /// `init_new_network` with the owner's hotkey as the first neuron.
    fn create_subnet(&mut self, netuid: NetUid, coldkey: AccountId, hotkey: AccountId) {
        let mut subnet = Subnet::new(coldkey, hotkey, self.config.default_hyperparameters.clone(), self.block, self.config.initial_burn);
        subnet.append(hotkey, self.block);
        // Chain: `LastEpochBlock` starts staggered by netuid so subnets' epochs spread out.
        subnet.last_epoch_block = self.block.saturating_sub(netuid as u64 % (subnet.hyper.tempo as u64).max(1));
        self.subnets.insert(netuid, subnet);
    }

    /// The sudo key: its calls through `Sudo::sudo` are dispatched as root.
    pub fn sudo_key(&self) -> AccountId {
        self.config.sudo
    }

    /// `AdminUtils::sudo_set_*` as the `Chain` trait sends it: the sudo key's call
    /// stands for `Sudo::sudo` (root), anyone else's is a signed call.
    pub fn set_hyperparameter(&mut self, signer: &dyn Signer, netuid: NetUid, value: Hyperparameter) -> Result<(), ChainError> {
        let who = signer.account_id();
        let origin = if who == self.config.sudo { Origin::Root } else { Origin::Signed(who) };
        self.set_hyperparameter_as(origin, netuid, value)
    }

    /// `AdminUtils::sudo_set_*` from `origin`: root sets anything; the subnet owner's
    /// signed call sets what is not root-only ([`Hyperparameter::root_only`]).
    pub fn set_hyperparameter_as(&mut self, origin: Origin, netuid: NetUid, value: Hyperparameter) -> Result<(), ChainError> {
        let subnet = self.subnet_mut(netuid)?;
        if let Origin::Signed(who) = origin {
            if value.root_only() || who != subnet.owner_coldkey {
                return Err(ChainError::BadOrigin);
            }
        }
        let mechanisms = subnet.mechanism_count();
        let h = &mut subnet.hyper;
        match value {
            Hyperparameter::Tempo(v) => h.tempo = v,
            Hyperparameter::Kappa(v) => h.kappa = v,
            Hyperparameter::ImmunityPeriod(v) => h.immunity_period = v,
            Hyperparameter::MaxAllowedUids(v) => {
                if (v as usize) < subnet.keys.len() || v == 0 {
                    return Err(ChainError::InvalidValue);
                }
                mechanism::ensure_max_uids_over_all_mechanisms(v, mechanisms)?;
                h.max_allowed_uids = v;
            }
            Hyperparameter::MaxAllowedValidators(v) => h.max_allowed_validators = v,
            Hyperparameter::WeightsSetRateLimit(v) => h.weights_set_rate_limit = v,
            Hyperparameter::WeightsVersionKey(v) => h.weights_version_key = v,
            Hyperparameter::MinAllowedWeights(v) => h.min_allowed_weights = v,
            Hyperparameter::MaxWeightLimit(v) => h.max_weight_limit = v,
            Hyperparameter::CommitRevealWeightsEnabled(v) => h.commit_reveal_enabled = v,
            Hyperparameter::RevealPeriodEpochs(v) => {
                if v == 0 {
                    return Err(ChainError::InvalidValue);
                }
                h.reveal_period_epochs = v;
            }
            Hyperparameter::ActivityCutoffFactorMilli(v) => {
                if !(1_000..=50_000).contains(&v) {
                    return Err(ChainError::InvalidValue);
                }
                h.activity_cutoff_factor_milli = v;
            }
            Hyperparameter::MinBurn(v) => h.min_burn = v,
            Hyperparameter::MaxBurn(v) => h.max_burn = v,
            Hyperparameter::BondsMovingAverage(v) => {
                if v > 1_000_000 {
                    return Err(ChainError::InvalidValue);
                }
                h.bonds_moving_average = v;
            }
            Hyperparameter::BondsPenalty(v) => h.bonds_penalty = v,
            Hyperparameter::LiquidAlphaEnabled(v) => h.liquid_alpha_enabled = v,
            Hyperparameter::AlphaValues { low, high } => {
                // Chain: `do_set_alpha_values`: low >= 65535/40 and low <= high.
                if low < u16::MAX / 40 || high < u16::MAX / 40 || low > high {
                    return Err(ChainError::InvalidValue);
                }
                h.alpha_low = low;
                h.alpha_high = high;
            }
            Hyperparameter::Yuma3Enabled(v) => h.yuma3_enabled = v,
            Hyperparameter::RegistrationAllowed(v) => h.registration_allowed = v,
            Hyperparameter::MinNonImmuneUids(v) => h.min_non_immune_uids = v,
            Hyperparameter::ServingRateLimit(v) => h.serving_rate_limit = v,
            // AdminUtils `sudo_set_burn_half_life`: 0 < half-life <= `MaxBurnHalfLife` (36,100).
            Hyperparameter::BurnHalfLife(v) => {
                if v == 0 || v > 36_100 {
                    return Err(ChainError::InvalidValue);
                }
                h.burn_half_life = v;
            }
            // AdminUtils `sudo_set_burn_increase_mult`: a multiplier in [1, 3].
            Hyperparameter::BurnIncreaseMult(v) => {
                if !(1.0..=3.0).contains(&v) {
                    return Err(ChainError::InvalidValue);
                }
                h.burn_increase_mult = v;
            }
            Hyperparameter::MechanismCount(count) => return self.set_mechanism_count(netuid, count),
            Hyperparameter::MechanismEmissionSplit(split) => return self.set_emission_split(netuid, split),
        }
        Ok(())
    }

    /// `burned_register`: the coldkey pays the burn and its hotkey gets a UID, appended
    /// while the subnet has room, else replacing the neuron to prune.
    pub fn burned_register(&mut self, coldkey: &dyn Signer, netuid: NetUid, hotkey: AccountId) -> Result<u16, ChainError> {
        let coldkey = coldkey.account_id();
        let block = self.block;
        let subnet = self.subnet(netuid)?;
        if !subnet.hyper.registration_allowed {
            return Err(ChainError::SubNetRegistrationDisabled);
        }
        if subnet.uid_of(&hotkey).is_some() {
            return Err(ChainError::HotKeyAlreadyRegisteredInSubNet);
        }
        let burn = subnet.burn;
        if self.balance(&coldkey) < burn {
            return Err(ChainError::NotEnoughBalanceToStake);
        }
        if self.hotkey_owner.get(&hotkey).is_some_and(|o| *o != coldkey) {
            return Err(ChainError::NonAssociatedColdKey);
        }
        let full = subnet.n() >= subnet.hyper.max_allowed_uids as usize;
        let to_prune = if full { Some(subnet.neuron_to_prune(block).ok_or(ChainError::NoNeuronIdAvailable)?) } else { None };
        if subnet.hyper.max_allowed_uids == 0 {
            return Err(ChainError::NoNeuronIdAvailable);
        }
        self.claim_hotkey(coldkey, hotkey)?;
        self.withdraw(&coldkey, burn)?; // the burn is recycled
        self.supply.burned += burn;
        let subnet = self.subnet_mut(netuid)?;
        let uid = match to_prune {
            Some(uid) => {
                subnet.replace(uid, hotkey, block);
                uid
            }
            None => subnet.append(hotkey, block),
        };
        // Chain: `bump_registration_price_after_registration`, clamped to the bounds.
        let h = &subnet.hyper;
        let mult = U64F64::saturating_from_num(h.burn_increase_mult).max(U64F64::from_num(1));
        let bumped = U64F64::saturating_from_num(subnet.burn).saturating_mul(mult).saturating_to_num::<u64>();
        subnet.burn = bumped.clamp(h.min_burn, h.max_burn.max(h.min_burn));
        Ok(uid)
    }

    /// `serve_axon` (chain: `validate_serve_axon`): a registered hotkey publishes its
    /// endpoint. IPv4 below 255.255.255.255 and not 127.0.0.1, IPv6 neither ::1 nor
    /// all ones, 0 allowed ("for testing"); a port; at most once per
    /// `serving_rate_limit` blocks.
    pub fn serve_axon(&mut self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo) -> Result<(), ChainError> {
        self.do_serve_axon(hotkey, netuid, axon, None)
    }

    /// `serve_axon_tls` (call 40): `serve_axon`'s checks, then the TLS key stored if
    /// `certificate` parses (chain: `NeuronCertificateOf::try_from`, see
    /// [`NeuronCertificate::from_bytes`]). An invalid certificate is ignored: the axon
    /// is still served and the key stored before, if any, stays
    /// (`pallets/subtensor/src/subnets/serving.rs`, `do_serve_axon`).
    pub fn serve_axon_tls(&mut self, hotkey: &dyn Signer, netuid: NetUid, axon: AxonInfo, certificate: &[u8]) -> Result<(), ChainError> {
        self.do_serve_axon(hotkey, netuid, axon, NeuronCertificate::from_bytes(certificate))
    }

    /// The TLS keys published on `netuid`, by hotkey (`NeuronCertificates`).
    pub fn neuron_certificates(&self, netuid: NetUid) -> Result<&BTreeMap<AccountId, NeuronCertificate>, ChainError> {
        Ok(&self.subnet(netuid)?.certificates)
    }

    fn do_serve_axon(
        &mut self,
        hotkey: &dyn Signer,
        netuid: NetUid,
        mut axon: AxonInfo,
        certificate: Option<NeuronCertificate>,
    ) -> Result<(), ChainError> {
        let hotkey = hotkey.account_id();
        let block = self.block;
        let subnet = self.subnet_mut(netuid)?;
        if subnet.uid_of(&hotkey).is_none() {
            return Err(ChainError::HotKeyNotRegisteredInNetwork);
        }
        let ip_ok = match axon.ip_type {
            4 => axon.ip < u32::MAX as u128 && axon.ip != 0x7f00_0001,
            6 => axon.ip != u128::MAX && axon.ip != 1,
            _ => return Err(ChainError::InvalidIpType),
        };
        if !ip_ok {
            return Err(ChainError::InvalidIpAddress);
        }
        let last = subnet.axons.get(&hotkey).map_or(0, |a| a.block);
        let limit = subnet.hyper.serving_rate_limit;
        if limit != 0 && last != 0 && block.saturating_sub(last) < limit {
            return Err(ChainError::ServingRateLimitExceeded);
        }
        if axon.port == 0 {
            return Err(ChainError::InvalidPort);
        }
        axon.block = block;
        subnet.axons.insert(hotkey, axon);
        if let Some(certificate) = certificate {
            subnet.certificates.insert(hotkey, certificate);
        }
        Ok(())
    }

    /// `start_call` (chain: `do_start_call`): the subnet owner starts the subnet; from
    /// the next block it takes stake and earns emission. Subtensor's `StartCallDelay`
    /// is 0, so a new subnet may start at once.
    pub fn start_call(&mut self, owner: &dyn Signer, netuid: NetUid) -> Result<(), ChainError> {
        let block = self.block;
        let subnet = self.subnet_mut(netuid)?;
        if owner.account_id() != subnet.owner_coldkey {
            return Err(ChainError::BadOrigin);
        }
        if subnet.first_emission_block.is_some() {
            return Err(ChainError::FirstEmissionBlockNumberAlreadySet);
        }
        subnet.first_emission_block = Some(block + 1);
        Ok(())
    }

    /// Chain: `ensure_subtoken_enabled`, which staking checks right after the subnet.
    fn ensure_started(&self, netuid: NetUid) -> Result<(), ChainError> {
        match self.subnet(netuid)?.first_emission_block {
            Some(_) => Ok(()),
            None => Err(ChainError::SubtokenDisabled),
        }
    }

    /// `add_stake`: move free balance of the coldkey into stake on a hotkey.
    pub fn add_stake(&mut self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        let coldkey = coldkey.account_id();
        self.ensure_started(netuid)?;
        if amount < self.config.min_stake {
            return Err(ChainError::AmountTooLow);
        }
        if !self.hotkey_owner.contains_key(&hotkey) {
            return Err(ChainError::HotKeyAccountNotExists);
        }
        if self.is_dynamic(netuid) {
            // Through the pool: the TAO buys alpha (`stake_into_subnet`).
            return self.stake_dynamic(hotkey, coldkey, netuid, amount).map(|_| ());
        }
        self.withdraw(&coldkey, amount)?;
        self.add_stake_unchecked(hotkey, coldkey, netuid, amount);
        Ok(())
    }

    /// `remove_stake`: move stake back to the coldkey's free balance.
    pub fn remove_stake(&mut self, coldkey: &dyn Signer, hotkey: AccountId, netuid: NetUid, amount: Balance) -> Result<(), ChainError> {
        let coldkey = coldkey.account_id();
        self.ensure_started(netuid)?;
        if !self.hotkey_owner.contains_key(&hotkey) {
            return Err(ChainError::HotKeyAccountNotExists);
        }
        if amount == 0 {
            return Err(ChainError::AmountTooLow);
        }
        if self.is_dynamic(netuid) {
            // `amount` is alpha, sold through the pool (`unstake_from_subnet`).
            if self.stake_of(&hotkey, &coldkey, netuid) < amount {
                return Err(ChainError::NotEnoughStakeToWithdraw);
            }
            self.check_unstake_amount(netuid, amount)?;
            return self.unstake_dynamic(hotkey, coldkey, netuid, amount).map(|_| ());
        }
        let key = (hotkey, coldkey, netuid);
        let staked = self.stake.get(&key).copied().unwrap_or(0);
        if staked < amount {
            return Err(ChainError::NotEnoughStakeToWithdraw);
        }
        if staked == amount {
            self.stake.remove(&key);
        } else {
            self.stake.insert(key, staked - amount);
        }
        *self.balances.entry(coldkey).or_default() += amount;
        Ok(())
    }

    /// `add_stake_limit` (chain: `do_add_stake_limit`, `get_max_amount_add`,
    /// `validate_add_stake`): `add_stake` at a limit price in rao per alpha. A local
    /// subnet is a stable mechanism (`SubnetMechanism` 0) whose price is 1 TAO per
    /// alpha and never moves, so a limit at or above [`STABLE_PRICE`] allows any
    /// amount and one below allows none: then the call fails with `SlippageTooHigh`,
    /// or with `allow_partial` stakes nothing (`AmountTooLow`). Returns the amount staked.
    pub fn add_stake_limit(
        &mut self,
        coldkey: &dyn Signer,
        hotkey: AccountId,
        netuid: NetUid,
        amount: Balance,
        limit_price: Balance,
        allow_partial: bool,
    ) -> Result<Balance, ChainError> {
        let stable_max = if limit_price >= STABLE_PRICE { Balance::MAX } else { 0 };
        self.subnet(netuid)?;
        // On a dynamic subnet: the TAO that takes the price up to the limit.
        let max_amount = self.max_amount_add(netuid, limit_price).unwrap_or(stable_max);
        self.ensure_started(netuid)?;
        if amount < self.config.min_stake {
            return Err(ChainError::AmountTooLow);
        }
        if !allow_partial && amount > max_amount {
            return Err(ChainError::SlippageTooHigh);
        }
        let amount = amount.min(max_amount);
        self.add_stake(coldkey, hotkey, netuid, amount)?;
        Ok(amount)
    }

    /// `remove_stake_limit` (chain: `do_remove_stake_limit`, `get_max_amount_remove`,
    /// `validate_remove_stake`): `remove_stake` at a limit price; on a stable subnet
    /// a limit at or below [`STABLE_PRICE`] allows any amount, one above allows none.
    /// Returns the amount unstaked.
    pub fn remove_stake_limit(
        &mut self,
        coldkey: &dyn Signer,
        hotkey: AccountId,
        netuid: NetUid,
        amount: Balance,
        limit_price: Balance,
        allow_partial: bool,
    ) -> Result<Balance, ChainError> {
        let stable_max = if limit_price <= STABLE_PRICE { Balance::MAX } else { 0 };
        self.subnet(netuid)?;
        // On a dynamic subnet: the alpha that takes the price down to the limit.
        let max_amount = self.max_amount_remove(netuid, limit_price).unwrap_or(stable_max);
        if amount == 0 {
            return Err(ChainError::AmountTooLow);
        }
        if !allow_partial && amount > max_amount {
            return Err(ChainError::SlippageTooHigh);
        }
        let amount = amount.min(max_amount);
        self.remove_stake(coldkey, hotkey, netuid, amount)?;
        Ok(amount)
    }

    /// `register_limit` (chain: `do_register_limit`): `burned_register`, refused with
    /// `RegistrationPriceLimitExceeded` when the current burn is above `limit_price`.
    pub fn register_limit(&mut self, coldkey: &dyn Signer, netuid: NetUid, hotkey: AccountId, limit_price: Balance) -> Result<u16, ChainError> {
        if self.subnet(netuid)?.burn > limit_price {
            return Err(ChainError::RegistrationPriceLimitExceeded);
        }
        self.burned_register(coldkey, netuid, hotkey)
    }

    // ------------------------------------------------------------ blocks

    /// Advance `n` blocks; each runs the chain's block start (drand pulses, burn decay,
    /// timelocked reveals, emission, epochs whose tempo has elapsed). Returns the new
    /// block number.
    pub fn produce_blocks(&mut self, n: u64) -> u64 {
        for _ in 0..n {
            self.block += 1;
            self.block_events.clear();
            let block = self.block;
            // The drand pallet's pulses arrive with the block (finney: its offchain
            // worker's unsigned `write_pulse`), before Subtensor's `block_step`.
            self.drand.on_block(block);
            // Dynamic subnets: the coinbase over all subnets, before their epochs.
            self.run_dynamic_coinbase();
            let netuids = self.netuids();
            for netuid in netuids {
                self.decay_burn(netuid);
                // Chain `block_step`: reveal matured weights, then the coinbase.
                self.reveal_timelocked_commits(netuid);
                self.accrue_emission(netuid);
                if self.epoch_due(netuid, block) {
                    self.run_epoch(netuid);
                }
            }
        }
        self.block
    }

    /// Chain: the burn decays each block by `0.5^(1/half_life)` within its bounds.
    fn decay_burn(&mut self, netuid: NetUid) {
        let block = self.block;
        if let Ok(s) = self.subnet_mut(netuid) {
            let h = &s.hyper;
            let mut burn = s.burn;
            if h.burn_half_life > 0 && block > 1 {
                burn = emission::mul_by_q32(burn, emission::decay_factor_q32(h.burn_half_life));
            }
            s.burn = burn.clamp(h.min_burn, h.max_burn.max(h.min_burn));
        }
    }

    // ------------------------------------------------------------ reads

    /// The drand pallet's state (`BeaconConfig`, `LastStoredRound`, `Pulses`).
    pub fn drand(&self) -> &DrandState {
        &self.drand
    }

    /// What the last block's initialisation reported (see [`BlockEvent`]).
    pub fn block_events(&self) -> &[BlockEvent] {
        &self.block_events
    }

    /// The first block of the epoch in which the chain reveals a timelocked commit made
    /// now: epochs fire `tempo` blocks after the last (`should_run_epoch`), and an
    /// extrinsic here runs after its block's epoch, so a commit belongs to the epoch
    /// that fired last and is revealed `reveal_period_epochs` epochs later.
    pub fn first_reveal_block(&self, netuid: NetUid) -> Result<u64, ChainError> {
        let s = self.subnet(netuid)?;
        Ok(s.last_epoch_block + s.hyper.reveal_period_epochs.max(1) * s.hyper.tempo as u64)
    }

    /// The subnet's hyperparameters (as `get_subnet_hyperparams`).
    pub fn hyperparameters(&self, netuid: NetUid) -> Result<SubnetHyperparameters, ChainError> {
        Ok(self.subnet(netuid)?.hyper.clone())
    }

    /// The current registration burn, rao (`Burn`).
    pub fn burn(&self, netuid: NetUid) -> Result<Balance, ChainError> {
        Ok(self.subnet(netuid)?.burn)
    }

    /// The subnet's neurons as the `Chain` trait returns them.
    pub fn metagraph(&self, netuid: NetUid) -> Result<Metagraph, ChainError> {
        let s = self.subnet(netuid)?;
        let stored = s.last_epoch.clone().unwrap_or_default();
        let at = |v: &[u16], i: usize| v.get(i).copied().unwrap_or(0);
        let neurons = (0..s.n())
            .map(|i| {
                let hotkey = s.keys[i];
                NeuronInfo {
                    uid: i as u16,
                    hotkey,
                    coldkey: self.hotkey_owner.get(&hotkey).copied().unwrap_or(hotkey),
                    stake: self.hotkey_stake(&hotkey, netuid),
                    active: stored.active.get(i).copied().unwrap_or(true),
                    validator_permit: s.validator_permit[i],
                    last_update: s.last_update[i],
                    registered_at: s.registered_at[i],
                    axon: s.axons.get(&hotkey).copied(),
                    rank: at(&stored.rank, i),
                    trust: at(&stored.trust, i),
                    consensus: at(&stored.consensus, i),
                    validator_trust: at(&stored.validator_trust, i),
                    incentive: at(&stored.incentive, i),
                    dividends: at(&stored.dividends, i),
                    emission: stored.emission.get(i).copied().unwrap_or(0),
                    // As the chain reports them (`rpc_info/neuron_info.rs`: zero
                    // entries are left out of a neuron's weights and bonds).
                    weights: s.weights[i].iter().copied().filter(|(_, w)| *w > 0).collect(),
                    bonds: s.bonds[i].iter().copied().filter(|(_, b)| *b > 0).collect(),
                }
            })
            .collect();
        Ok(Metagraph { netuid, block: self.block, neurons })
    }

    // ------------------------------------------------------------ snapshots

    /// The whole state as JSON.
    pub fn snapshot(&self) -> String {
        serde_json::to_string(self).expect("chain state serialises")
    }

    /// A chain from a [`LocalChain::snapshot`].
    pub fn restore(json: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(json)
    }

    /// Save a snapshot to `path`.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.snapshot())
    }

    /// Load a snapshot from `path`.
    pub fn load(path: &Path) -> std::io::Result<Self> {
        let text = std::fs::read_to_string(path)?;
        Self::restore(&text).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
    }
}
