//! A network of dynamic subnets competing on the local chain, tempo by tempo
//! (`cargo xtask economy <scenario.json>`): each subnet with miners and validators
//! setting weights, nominators moving stake toward better returns by the scenario's
//! rule, and a newcomer registering at the subnet limit, which prunes the subnet with
//! the lowest moving price.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::report::{chart, escape};
use crate::chain::{AccountId, Balance, Hyperparameter, LocalChain, LocalChainConfig, NetUid, RAO_PER_TAO};

/// One subnet of the scenario.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct SubnetSpec {
    /// A label for tables and charts.
    pub name: String,
    /// Miners' quality: validators weight miner `i` by `quality[i]`.
    pub quality: Vec<f64>,
    /// Validators, each staking `validator_stake_tao` TAO on itself.
    pub validators: usize,
    /// TAO each validator stakes on itself at the start.
    pub validator_stake_tao: u64,
}

/// A nominator: TAO staked on a subnet's first validator, moved by the rule.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct NominatorSpec {
    /// TAO it stakes at the start.
    pub tao: u64,
    /// Index of the subnet (in `subnets`) it starts on.
    pub subnet: usize,
}

/// How nominators chase returns: every `every_tempos` tempos, a nominator whose subnet
/// paid validators less alpha per alpha staked than the best subnet by more than
/// `threshold` (relative) moves `fraction` of its stake there.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct RebalanceRule {
    /// Tempos between decisions.
    pub every_tempos: usize,
    /// Share of its stake a nominator moves (0..1).
    pub fraction: f64,
    /// How much better (relative) the best yield must be to move.
    pub threshold: f64,
}

/// A scenario file (`examples/scenarios/economy.json`).
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct EconomyScenario {
    /// A title.
    #[serde(default)]
    pub name: String,
    /// Blocks per epoch of every subnet.
    pub tempo: u16,
    /// Tempos to run.
    pub tempos: usize,
    /// `SubnetLimit`.
    pub subnet_limit: u16,
    /// `NetworkImmunityPeriod`, blocks.
    pub immunity_blocks: u64,
    /// `SubnetMovingAlpha` (the chain's 0.000003 moves too slowly to watch; a larger
    /// one shows the dynamics within a few tempos).
    pub moving_alpha: f64,
    /// `EMAPriceHalvingBlocks`.
    pub ema_halving_blocks: u64,
    /// `NetworkMinLockCost` in TAO: the first subnet's pool (later locks double).
    /// The chain's 1000 TAO makes pools too deep to move in a short run.
    pub network_min_lock_tao: u64,
    /// The competing subnets.
    pub subnets: Vec<SubnetSpec>,
    /// The nominators.
    pub nominators: Vec<NominatorSpec>,
    /// How nominators move.
    pub rebalance: RebalanceRule,
    /// Share of their alpha miners sell for TAO at the end of each tempo (the selling
    /// pressure that keeps prices below 1 on the real network).
    #[serde(default)]
    pub miners_sell: f64,
    /// At the end of this tempo a newcomer registers a subnet.
    pub newcomer_at_tempo: Option<usize>,
}

/// One subnet over one tempo.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SubnetTempo {
    /// The subnet.
    pub netuid: NetUid,
    /// Its label.
    pub name: String,
    /// Spot price at the end of the tempo, TAO per alpha.
    pub price: f64,
    /// Moving price at the end of the tempo.
    pub moving_price: f64,
    /// Average share of the block TAO emission over the tempo.
    pub tao_share: f64,
    /// TAO emitted into the subnet (injected and excess) over the tempo.
    pub tao_emitted: Balance,
    /// Alpha to miners, validators and the owner over the tempo.
    pub alpha_miners: Balance,
    /// See `alpha_miners`.
    pub alpha_validators: Balance,
    /// See `alpha_miners`.
    pub alpha_owner: Balance,
    /// The tempo's alpha emission valued at the end price, TAO.
    pub tao_value: f64,
    /// Alpha staked on the subnet's validators at the end of the tempo.
    pub validator_stake: Balance,
}

/// One tempo of the whole network.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TempoRow {
    /// 1-based.
    pub tempo: usize,
    /// Block at its end.
    pub block: u64,
    /// Every live subnet.
    pub subnets: Vec<SubnetTempo>,
    /// Nominator moves made at the end of the tempo: (nominator, from, to, TAO).
    pub moves: Vec<(usize, NetUid, NetUid, Balance)>,
}

/// A pruning: who left, who arrived.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pruning {
    /// Tempo at whose end it happened.
    pub tempo: usize,
    /// The pruned subnet (its netuid is reused by the newcomer).
    pub netuid: NetUid,
    /// Its label.
    pub name: String,
    /// Its moving price when pruned.
    pub moving_price: f64,
    /// TAO returned to its stakers.
    pub returned: Balance,
}

/// A finished run.
#[derive(Clone, Debug, Default, Serialize)]
pub struct EconomyRun {
    /// The scenario's title.
    pub name: String,
    /// Per tempo.
    pub tempos: Vec<TempoRow>,
    /// Set when the newcomer pruned a subnet.
    pub pruned: Option<Pruning>,
    /// The newcomer's netuid, if it registered.
    pub newcomer: Option<NetUid>,
}

struct Live {
    netuid: NetUid,
    name: String,
    validators: Vec<AccountId>,
    /// (uid, quality, hotkey, coldkey).
    miners: Vec<(u16, f64, AccountId, AccountId)>,
}

struct Nominator {
    coldkey: AccountId,
    on: Option<(NetUid, AccountId)>,
}

fn account(kind: u8, i: usize) -> AccountId {
    let mut a = [0u8; 32];
    a[0] = kind;
    a[1..9].copy_from_slice(&(i as u64).to_le_bytes());
    AccountId(a)
}

const TAO: Balance = RAO_PER_TAO;

impl EconomyScenario {
    /// Parse a scenario, with a sentence for what is wrong.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let s: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if s.subnets.is_empty() || s.tempo == 0 || s.tempos == 0 {
            return Err("a scenario needs subnets, a tempo above 0 and at least one tempo".into());
        }
        if s.subnets.len() > s.subnet_limit as usize {
            return Err(format!("{} subnets do not fit the subnet limit {}", s.subnets.len(), s.subnet_limit));
        }
        if let Some(n) = s.nominators.iter().find(|n| n.subnet >= s.subnets.len()) {
            return Err(format!("a nominator starts on subnet {} of {}", n.subnet, s.subnets.len()));
        }
        if s.subnets.iter().any(|n| n.validators == 0 || n.quality.is_empty()) {
            return Err("every subnet needs a validator and a miner".into());
        }
        if !(0.0..=1.0).contains(&s.miners_sell) {
            return Err("miners_sell must be in 0..=1".into());
        }
        if !(0.0..=1.0).contains(&s.rebalance.fraction) || s.rebalance.every_tempos == 0 {
            return Err("rebalance.fraction must be in 0..=1 and every_tempos above 0".into());
        }
        Ok(s)
    }

    fn chain(&self) -> LocalChain {
        let mut endowed: Vec<(AccountId, Balance)> = Vec::new();
        let owners = self.subnets.len() + 1;
        endowed.extend((0..owners).map(|i| (account(1, i), 200_000 * TAO)));
        for (s, spec) in self.subnets.iter().enumerate() {
            endowed.extend((0..spec.validators).map(|v| (account(2, s * 100 + v), spec.validator_stake_tao * TAO + 100 * TAO)));
            endowed.extend((0..spec.quality.len()).map(|m| (account(3, s * 100 + m), 100 * TAO)));
        }
        endowed.extend(self.nominators.iter().enumerate().map(|(i, n)| (account(4, i), n.tao * TAO + 10 * TAO)));
        let mut config = LocalChainConfig::dev(account(1, 0), &[], 0);
        config.endowed = endowed;
        let e = &mut config.economy;
        e.dynamic_subnets = true;
        e.subnet_limit = self.subnet_limit;
        e.network_immunity_period = self.immunity_blocks;
        e.moving_alpha = self.moving_alpha;
        e.ema_halving_blocks = self.ema_halving_blocks;
        e.network_min_lock = self.network_min_lock_tao * TAO;
        LocalChain::new(config)
    }

    /// Run the scenario.
    pub fn run(&self) -> Result<EconomyRun, String> {
        let mut chain = self.chain();
        let err = |what: &str, e: crate::chain::ChainError| format!("{what}: {e}");
        let mut live: Vec<Live> = Vec::new();
        for (s, spec) in self.subnets.iter().enumerate() {
            let owner = account(1, s);
            let netuid = chain.register_network(&owner, account(5, s)).map_err(|e| err("register_network", e))?;
            chain.start_call(&owner, netuid).map_err(|e| err("start_call", e))?;
            for h in [Hyperparameter::CommitRevealWeightsEnabled(false), Hyperparameter::WeightsSetRateLimit(0), Hyperparameter::Tempo(self.tempo)] {
                let setter = if h.root_only() { account(1, 0) } else { owner };
                chain.set_hyperparameter(&setter, netuid, h).map_err(|e| err("set_hyperparameter", e))?;
            }
            let validators: Vec<AccountId> = (0..spec.validators).map(|v| account(6, s * 100 + v)).collect();
            for (v, hot) in validators.iter().enumerate() {
                let cold = account(2, s * 100 + v);
                chain.burned_register(&cold, netuid, *hot).map_err(|e| err("burned_register", e))?;
            }
            let mut miners = Vec::new();
            for (m, q) in spec.quality.iter().enumerate() {
                let (hot, cold) = (account(7, s * 100 + m), account(3, s * 100 + m));
                let uid = chain.burned_register(&cold, netuid, hot).map_err(|e| err("burned_register", e))?;
                miners.push((uid, *q, hot, cold));
            }
            live.push(Live { netuid, name: spec.name.clone(), validators, miners });
        }
        chain.produce_blocks(1);
        for (s, spec) in self.subnets.iter().enumerate() {
            for (v, hot) in live[s].validators.iter().enumerate() {
                chain.add_stake(&account(2, s * 100 + v), *hot, live[s].netuid, spec.validator_stake_tao * TAO).map_err(|e| err("add_stake", e))?;
            }
        }
        let mut nominators: Vec<Nominator> = Vec::new();
        for (i, n) in self.nominators.iter().enumerate() {
            let (netuid, hot) = (live[n.subnet].netuid, live[n.subnet].validators[0]);
            chain.add_stake(&account(4, i), hot, netuid, n.tao * TAO).map_err(|e| err("nominator add_stake", e))?;
            nominators.push(Nominator { coldkey: account(4, i), on: Some((netuid, hot)) });
        }

        let mut run = EconomyRun { name: self.name.clone(), ..EconomyRun::default() };
        for tempo in 1..=self.tempos {
            let mut acc: Vec<SubnetTempo> =
                live.iter().map(|l| SubnetTempo { netuid: l.netuid, name: l.name.clone(), ..Default::default() }).collect();
            for _ in 0..self.tempo {
                for l in &live {
                    set_weights(&mut chain, l);
                }
                chain.produce_blocks(1);
                for a in acc.iter_mut() {
                    let Some(pool) = chain.pool(a.netuid) else { continue };
                    let e = pool.last_emission;
                    let split = crate::chain::local::economy::split_alpha(e.alpha_out, chain.config.owner_cut, 0.0);
                    a.tao_share += e.share / self.tempo as f64;
                    a.tao_emitted += e.tao_in + e.excess_tao;
                    a.alpha_owner += split.owner_cut;
                    a.alpha_miners += split.server;
                    a.alpha_validators += split.validator + split.root;
                }
            }
            for (a, l) in acc.iter_mut().zip(&live) {
                a.price = chain.alpha_price(l.netuid);
                a.moving_price = chain.moving_price(l.netuid);
                a.tao_value = (a.alpha_owner + a.alpha_miners + a.alpha_validators) as f64 * a.price / TAO as f64;
                a.validator_stake = l.validators.iter().map(|v| chain.hotkey_stake(v, l.netuid)).sum();
            }
            if self.miners_sell > 0.0 {
                for l in &live {
                    for (_, _, hot, cold) in &l.miners {
                        let alpha = (chain.stake_of(hot, cold, l.netuid) as f64 * self.miners_sell.min(1.0)) as Balance;
                        // Too little to sell (under the minimum stake) stays staked.
                        let _ = chain.remove_stake(cold, *hot, l.netuid, alpha);
                    }
                }
            }
            let mut row = TempoRow { tempo, block: chain.block(), subnets: acc, moves: Vec::new() };
            if tempo % self.rebalance.every_tempos == 0 {
                row.moves = self.rebalance_nominators(&mut chain, &live, &row.subnets, &mut nominators);
            }
            run.tempos.push(row);
            if self.newcomer_at_tempo == Some(tempo) {
                let owner = account(1, self.subnets.len());
                let prune = chain.network_to_prune();
                let before = prune.map(|n| (chain.moving_price(n), live.iter().position(|l| l.netuid == n)));
                let staked_before: Balance = chain.accounts().map(|(_, b)| *b).sum();
                let netuid = chain.register_network(&owner, account(5, self.subnets.len())).map_err(|e| err("newcomer register_network", e))?;
                let lock = chain.pool(netuid).map_or(0, |p| p.locked);
                let returned = (chain.accounts().map(|(_, b)| *b).sum::<Balance>() + lock).saturating_sub(staked_before);
                chain.start_call(&owner, netuid).map_err(|e| err("newcomer start_call", e))?;
                if let (Some(pruned), Some((moving_price, Some(idx)))) = (prune, before) {
                    let gone = live.remove(idx);
                    run.pruned = Some(Pruning { tempo, netuid: pruned, name: gone.name, moving_price, returned });
                    for n in nominators.iter_mut().filter(|n| n.on.is_some_and(|(m, _)| m == pruned)) {
                        n.on = None;
                    }
                }
                live.push(Live { netuid, name: "newcomer".into(), validators: Vec::new(), miners: Vec::new() });
                run.newcomer = Some(netuid);
            }
        }
        Ok(run)
    }

    /// The rule: compare validators' alpha per alpha staked over the last tempo.
    fn rebalance_nominators(
        &self,
        chain: &mut LocalChain,
        live: &[Live],
        rows: &[SubnetTempo],
        nominators: &mut [Nominator],
    ) -> Vec<(usize, NetUid, NetUid, Balance)> {
        let yield_of = |r: &SubnetTempo| if r.validator_stake > 0 { r.alpha_validators as f64 / r.validator_stake as f64 } else { 0.0 };
        let Some(best) = rows
            .iter()
            .filter(|r| live.iter().any(|l| l.netuid == r.netuid && !l.validators.is_empty()))
            .max_by(|a, b| yield_of(a).total_cmp(&yield_of(b)))
        else {
            return Vec::new();
        };
        let best_hot = live.iter().find(|l| l.netuid == best.netuid).and_then(|l| l.validators.first().copied());
        let Some(best_hot) = best_hot else { return Vec::new() };
        let mut moves = Vec::new();
        for (i, n) in nominators.iter_mut().enumerate() {
            let current = n.on.and_then(|(net, _)| rows.iter().find(|r| r.netuid == net));
            let better = current.is_none_or(|c| yield_of(best) > yield_of(c) * (1.0 + self.rebalance.threshold));
            if !better || n.on.is_some_and(|(net, _)| net == best.netuid) {
                continue;
            }
            let from = n.on.map_or(0, |(net, _)| net);
            let mut tao = 0;
            if let Some((net, hot)) = n.on {
                let alpha = (chain.stake_of(&hot, &n.coldkey, net) as f64 * self.rebalance.fraction) as Balance;
                let before = chain.balance(&n.coldkey);
                if chain.remove_stake(&n.coldkey, hot, net, alpha).is_ok() {
                    tao = chain.balance(&n.coldkey) - before;
                }
            } else {
                tao = chain.balance(&n.coldkey).saturating_sub(TAO);
            }
            if tao > 0 && chain.add_stake(&n.coldkey, best_hot, best.netuid, tao).is_ok() {
                n.on = Some((best.netuid, best_hot));
                moves.push((i, from, best.netuid, tao));
            }
        }
        moves
    }
}

fn set_weights(chain: &mut LocalChain, l: &Live) {
    if l.miners.is_empty() {
        return;
    }
    let max = l.miners.iter().map(|m| m.1).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let uids: Vec<u16> = l.miners.iter().map(|m| m.0).collect();
    let values: Vec<u16> = l.miners.iter().map(|m| (m.1 / max * u16::MAX as f64) as u16).collect();
    for v in &l.validators {
        // Refusals (no permit yet) are part of the run: the epoch decides permits.
        let _ = chain.set_weights(v, l.netuid, &uids, &values, 0);
    }
}

/// The per-tempo table, one line per subnet, and the pruning.
pub fn to_table(run: &EconomyRun) -> String {
    let mut out = String::new();
    if !run.name.is_empty() {
        let _ = writeln!(out, "{}\n", run.name);
    }
    for t in &run.tempos {
        let _ = writeln!(out, "tempo {} (block {})", t.tempo, t.block);
        let _ = writeln!(
            out,
            "  {:>6} {:<10} {:>9} {:>9} {:>7} {:>10} {:>11} {:>11} {:>10} {:>10}",
            "netuid", "subnet", "price", "moving", "share", "TAO in", "α miners", "α valid.", "α owner", "TAO value"
        );
        for s in &t.subnets {
            let _ = writeln!(
                out,
                "  {:>6} {:<10} {:>9.5} {:>9.5} {:>6.1}% {:>10.4} {:>11.3} {:>11.3} {:>10.3} {:>10.4}",
                s.netuid,
                s.name,
                s.price,
                s.moving_price,
                s.tao_share * 100.0,
                s.tao_emitted as f64 / TAO as f64,
                s.alpha_miners as f64 / TAO as f64,
                s.alpha_validators as f64 / TAO as f64,
                s.alpha_owner as f64 / TAO as f64,
                s.tao_value
            );
        }
        for (i, from, to, tao) in &t.moves {
            let _ = writeln!(out, "  nominator {i} moves {:.3} TAO from subnet {from} to subnet {to}", *tao as f64 / TAO as f64);
        }
    }
    match &run.pruned {
        Some(p) => {
            let _ = writeln!(
                out,
                "\npruned at tempo {}: subnet {} ({}), moving price {:.5}, {:.3} TAO returned to its stakers; the newcomer took netuid {}",
                p.tempo,
                p.netuid,
                p.name,
                p.moving_price,
                p.returned as f64 / TAO as f64,
                run.newcomer.unwrap_or(p.netuid)
            );
        }
        None if run.newcomer.is_some() => {
            let _ = writeln!(out, "\nthe newcomer registered below the limit: nothing pruned");
        }
        None => {}
    }
    out
}

/// The HTML report: price, moving price and emission share per subnet over tempos.
pub fn html(run: &EconomyRun) -> String {
    let mut names: Vec<(NetUid, String)> = Vec::new();
    for t in &run.tempos {
        for s in &t.subnets {
            if !names.iter().any(|(n, m)| *n == s.netuid && *m == s.name) {
                names.push((s.netuid, s.name.clone()));
            }
        }
    }
    let series = |f: &dyn Fn(&SubnetTempo) -> f64| -> Vec<(String, Vec<f64>)> {
        names
            .iter()
            .map(|(n, m)| {
                let values = run.tempos.iter().map(|t| t.subnets.iter().find(|s| s.netuid == *n && s.name == *m).map_or(0.0, f)).collect();
                (format!("{n} {m}"), values)
            })
            .collect()
    };
    let max_price = run.tempos.iter().flat_map(|t| t.subnets.iter().map(|s| s.price)).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
    let mut page = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title><style>body{{font-family:sans-serif;margin:2em}}\
         svg{{background:#fafafa;border:1px solid #ddd}}pre{{font-size:12px}}</style></head><body><h1>{t}</h1>",
        t = escape(if run.name.is_empty() { "Subnet economy" } else { &run.name })
    );
    page += &chart(&format!("Price (scaled to the highest, {max_price:.4} TAO)"), &series(&|s| s.price / max_price));
    page += &chart("Moving price", &series(&|s| s.moving_price));
    page += &chart("Share of TAO emission", &series(&|s| s.tao_share));
    let _ = writeln!(page, "<h2>Tempos</h2><pre>{}</pre></body></html>", escape(&to_table(run)));
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_scenario_is_refused_with_a_reason() {
        let e = EconomyScenario::from_json("{}").unwrap_err();
        assert!(e.contains("missing field"), "{e}");
        let text = r#"{"tempo":10,"tempos":2,"subnet_limit":1,"immunity_blocks":0,"moving_alpha":0.1,"ema_halving_blocks":10,"network_min_lock_tao":10,
            "subnets":[{"name":"a","quality":[1],"validators":1,"validator_stake_tao":10},{"name":"b","quality":[1],"validators":1,"validator_stake_tao":10}],
            "nominators":[],"rebalance":{"every_tempos":1,"fraction":0.5,"threshold":0.1},"newcomer_at_tempo":null}"#;
        assert!(EconomyScenario::from_json(text).unwrap_err().contains("subnet limit"));
    }
}
