//! A dynamic subnet's pool: TAO and alpha reserves, the price, the moving price, and
//! the swap (`pallets/swap/src/pallet/{balancer.rs,swap_step.rs,impls.rs}`,
//! `pallets/subtensor/src/staking/stake_utils.rs`).
//!
//! Subtensor's swap is a Balancer pool holding only the protocol's liquidity: weights
//! `w_base` (alpha) and `w_quote` (TAO) summing to 1, price `p = (w_base·y)/(w_quote·x)`
//! with `x` the alpha reserve and `y` the TAO reserve. A pool starts at 0.5/0.5 (then it
//! is a constant-product pool); only an emission injection out of proportion to the
//! price moves the weights. The chain computes the powers with 256-bit fixed point
//! (`SafeInt::pow_ratio_scaled`); here the exponent is 1 while the weights are equal
//! (exact integer arithmetic) and `f64::powf` otherwise, which can differ from the
//! chain by a few rao on large amounts.

use serde::{Deserialize, Serialize};

use crate::chain::types::Balance;
use crate::chain::ChainError;

/// Weights are stored as parts of 10^18 (`Perquintill`, `balancer.rs: ACCURACY`).
pub const WEIGHT_ACCURACY: u64 = 1_000_000_000_000_000_000;
/// The lowest weight either side may reach (`balancer.rs: MIN_WEIGHT`, 0.01).
const MIN_WEIGHT: u64 = WEIGHT_ACCURACY / 100;
/// `DefaultFeeRate`: 33 / 65535, about 0.05% (`pallets/swap/src/pallet/mod.rs`).
pub const DEFAULT_FEE_RATE: u16 = 33;
/// A swap's input may be at most this many times the input reserve
/// (`swap_step.rs: MAX_SWAP_INPUT_RESERVE_MULTIPLIER`).
const MAX_INPUT_RESERVE_MULTIPLIER: u128 = 1_000;

/// One dynamic subnet's pool and its per-block emission record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pool {
    /// TAO in the pool (`SubnetTAO`), rao.
    pub tao: Balance,
    /// Alpha in the pool (`SubnetAlphaIn`).
    pub alpha_in: Balance,
    /// Alpha held by stakers (`SubnetAlphaOut`).
    pub alpha_out: Balance,
    /// The balancer's TAO (quote) weight, parts of [`WEIGHT_ACCURACY`] (`SwapBalancer`).
    pub quote_weight: u64,
    /// The moving (EMA) price, TAO per alpha (`SubnetMovingPrice`).
    pub moving_price: f64,
    /// Alpha the protocol bought with excess TAO emission (`SubnetProtocolAlpha`).
    pub protocol_alpha: Balance,
    /// TAO locked by the owner at registration (`SubnetLocked`).
    pub locked: Balance,
    /// The swap fee, u16 proportion (`FeeRate`).
    pub fee_rate: u16,
    /// Alpha kept for root stakers until the next epoch (`PendingRootAlphaDivs`).
    pub pending_root_alpha: Balance,
    /// Last block's emission: what [`super::coinbase`] injected and emitted.
    pub last_emission: BlockEmission,
}

/// What one block's coinbase did to a subnet (`SubnetTaoInEmission`,
/// `SubnetAlphaInEmission`, `SubnetAlphaOutEmission`, `SubnetExcessTao`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BlockEmission {
    /// The subnet's share of the block's TAO emission (0..1).
    pub share: f64,
    /// TAO injected into the pool.
    pub tao_in: Balance,
    /// Alpha injected into the pool with it.
    pub alpha_in: Balance,
    /// Alpha emitted to the subnet's participants.
    pub alpha_out: Balance,
    /// TAO that could not be injected and bought alpha for the protocol instead.
    pub excess_tao: Balance,
}

/// The outcome of a swap (`SwapResult`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swapped {
    /// What entered the reserve, fee excluded.
    pub paid_in: Balance,
    /// What left the other reserve.
    pub paid_out: Balance,
    /// The fee, in the input token (it goes to the block author on the chain).
    pub fee: Balance,
}

impl Pool {
    /// A pool seeded with `tao` and `alpha_in` at equal weights and the moving price 0
    /// (`do_register_network` with `maybe_initialize_palswap(None)`).
    pub fn new(tao: Balance, alpha_in: Balance) -> Self {
        Self {
            tao,
            alpha_in,
            alpha_out: 0,
            quote_weight: WEIGHT_ACCURACY / 2,
            moving_price: 0.0,
            protocol_alpha: 0,
            locked: 0,
            fee_rate: DEFAULT_FEE_RATE,
            pending_root_alpha: 0,
            last_emission: BlockEmission::default(),
        }
    }

    fn weights(&self) -> (f64, f64) {
        let w2 = self.quote_weight as f64 / WEIGHT_ACCURACY as f64;
        (1.0 - w2, w2)
    }

    fn balanced(&self) -> bool {
        self.quote_weight == WEIGHT_ACCURACY / 2
    }

    /// The spot price, TAO per alpha (`current_alpha_price`, `calculate_price`); 0 for
    /// an empty alpha reserve.
    pub fn price(&self) -> f64 {
        if self.alpha_in == 0 {
            return 0.0;
        }
        let (w1, w2) = self.weights();
        (w1 / w2) * (self.tao as f64 / self.alpha_in as f64)
    }

    /// Alpha issued on the subnet (`get_alpha_issuance`: in the pool plus outstanding).
    pub fn alpha_issuance(&self) -> Balance {
        self.alpha_in.saturating_add(self.alpha_out)
    }

    /// `update_moving_price`: `alpha = SubnetMovingAlpha · b/(b + halving)` with `b`
    /// the blocks since the block before the first emission block; the new moving
    /// price is `alpha·min(price, 1) + (1 - alpha)·moving`.
    pub fn update_moving_price(&mut self, moving_alpha: f64, halving_blocks: u64, blocks_since_start: u64) {
        let b = blocks_since_start as f64;
        let alpha = moving_alpha * (b / (b + halving_blocks as f64));
        self.moving_price = alpha * self.price().min(1.0) + (1.0 - alpha) * self.moving_price;
    }

    fn fee_of(&self, amount: Balance) -> Balance {
        (amount as u128 * self.fee_rate as u128 / u16::MAX as u128) as Balance
    }

    /// Fee on an amount computed back from a price limit: `delta·fee/(65535 - fee)`
    /// (`swap_step.rs: determine_action`).
    fn fee_on_net(&self, net: Balance) -> Balance {
        let denom = (u16::MAX - self.fee_rate.min(u16::MAX - 1)) as u128;
        (net as u128 * self.fee_rate as u128 / denom) as Balance
    }

    /// Alpha out for `dy` TAO in: `x·(1 - (y/(y+dy))^(w2/w1))` (`convert_deltas`).
    pub fn alpha_for_tao(&self, dy: Balance) -> Balance {
        let (x, y) = (self.alpha_in as u128, self.tao as u128);
        if self.balanced() {
            return (x * dy as u128).checked_div(y + dy as u128).unwrap_or(0) as Balance;
        }
        let (w1, w2) = self.weights();
        let e = (y as f64 / (y as f64 + dy as f64)).powf(w2 / w1);
        (x as f64 * (1.0 - e)).max(0.0) as Balance
    }

    /// TAO out for `dx` alpha in: `y·(1 - (x/(x+dx))^(w1/w2))` (`convert_deltas`).
    pub fn tao_for_alpha(&self, dx: Balance) -> Balance {
        let (x, y) = (self.alpha_in as u128, self.tao as u128);
        if self.balanced() {
            return (y * dx as u128).checked_div(x + dx as u128).unwrap_or(0) as Balance;
        }
        let (w1, w2) = self.weights();
        let e = (x as f64 / (x as f64 + dx as f64)).powf(w1 / w2);
        (y as f64 * (1.0 - e)).max(0.0) as Balance
    }

    /// TAO (fee excluded) that moves the price up to `limit`: `y·((limit/p)^w1 - 1)`
    /// (`calculate_quote_delta_in`); 0 when the price is already at or above it.
    pub fn tao_to_reach(&self, limit: f64) -> Balance {
        let p = self.price();
        if p <= 0.0 || limit <= p {
            return 0;
        }
        let (w1, _) = self.weights();
        (self.tao as f64 * ((limit / p).powf(w1) - 1.0)).max(0.0) as Balance
    }

    /// Alpha (fee excluded) that moves the price down to `limit`: `x·((p/limit)^w2 - 1)`
    /// (`calculate_base_delta_in`); 0 when the price is already at or below it.
    pub fn alpha_to_reach(&self, limit: f64) -> Balance {
        let p = self.price();
        if limit <= 0.0 {
            return Balance::MAX;
        }
        if limit >= p {
            return 0;
        }
        let (_, w2) = self.weights();
        (self.alpha_in as f64 * ((p / limit).powf(w2) - 1.0)).max(0.0) as Balance
    }

    /// The most TAO an `add_stake_limit` at `limit` may spend, fee included
    /// (`get_max_amount_add`).
    pub fn max_tao_in(&self, limit: f64) -> Balance {
        let net = self.tao_to_reach(limit);
        net.saturating_add(self.fee_on_net(net))
    }

    /// The most alpha a `remove_stake_limit` at `limit` may sell, fee included
    /// (`get_max_amount_remove`).
    pub fn max_alpha_in(&self, limit: f64) -> Balance {
        let net = self.alpha_to_reach(limit);
        net.saturating_add(self.fee_on_net(net))
    }

    /// What buying alpha with `tao` would do, without doing it (`sim_swap`).
    pub fn quote_buy(&self, tao: Balance, drop_fees: bool) -> Result<Swapped, ChainError> {
        if tao as u128 > self.tao as u128 * MAX_INPUT_RESERVE_MULTIPLIER {
            return Err(ChainError::InsufficientLiquidity);
        }
        let fee = if drop_fees { 0 } else { self.fee_of(tao) };
        let net = tao - fee;
        let out = self.alpha_for_tao(net);
        if net > 0 && (out == 0 || out >= self.alpha_in) {
            return Err(ChainError::InsufficientLiquidity);
        }
        Ok(Swapped { paid_in: net, paid_out: out, fee })
    }

    /// What selling `alpha` would do, without doing it (`sim_swap`).
    pub fn quote_sell(&self, alpha: Balance, drop_fees: bool) -> Result<Swapped, ChainError> {
        if alpha as u128 > self.alpha_in as u128 * MAX_INPUT_RESERVE_MULTIPLIER {
            return Err(ChainError::InsufficientLiquidity);
        }
        let fee = if drop_fees { 0 } else { self.fee_of(alpha) };
        let net = alpha - fee;
        let out = self.tao_for_alpha(net);
        if net > 0 && (out == 0 || out >= self.tao) {
            return Err(ChainError::InsufficientLiquidity);
        }
        Ok(Swapped { paid_in: net, paid_out: out, fee })
    }

    /// Buy alpha with `tao` (`swap_tao_for_alpha`): the TAO (less the fee) enters the
    /// pool, the alpha bought leaves it and becomes outstanding.
    pub fn buy(&mut self, tao: Balance, drop_fees: bool) -> Result<Swapped, ChainError> {
        let s = self.quote_buy(tao, drop_fees)?;
        self.tao += s.paid_in;
        self.alpha_in -= s.paid_out;
        self.alpha_out += s.paid_out;
        Ok(s)
    }

    /// Sell `alpha` for TAO (`swap_alpha_for_tao`): the alpha (less the fee) returns to
    /// the pool, the TAO leaves it.
    pub fn sell(&mut self, alpha: Balance, drop_fees: bool) -> Result<Swapped, ChainError> {
        let s = self.quote_sell(alpha, drop_fees)?;
        self.alpha_in += s.paid_in;
        self.alpha_out = self.alpha_out.saturating_sub(s.paid_in + s.fee);
        self.tao -= s.paid_out;
        Ok(s)
    }

    /// Add protocol liquidity (`adjust_protocol_liquidity`,
    /// `update_weights_for_added_liquidity`): the weights move so the price does not,
    /// `new_w2 = w2·x·(y+dy) / (w1·y·(x+dx) + w2·x·(y+dy))`. An injection that would
    /// push a weight below 0.01 is refused (nothing is added). Returns what was added.
    pub fn inject(&mut self, tao: Balance, alpha: Balance) -> (Balance, Balance) {
        let (x, y) = (self.alpha_in as u128, self.tao as u128);
        let (nx, ny) = (x + alpha as u128, y + tao as u128);
        let w2 = self.quote_weight as u128;
        let w1 = WEIGHT_ACCURACY as u128 - w2;
        let acc = WEIGHT_ACCURACY as u128;
        // Computed as the chain does: Perquintill × u128 products, rounded.
        let q1 = mul_parts(w1, y * nx, acc);
        let q2 = mul_parts(w2, x * ny, acc);
        let new_w2 = if q1 + q2 == 0 { acc / 2 } else { ((q2 as f64 / (q1 + q2) as f64) * acc as f64) as u128 };
        if new_w2 < MIN_WEIGHT as u128 || acc - new_w2 < MIN_WEIGHT as u128 {
            return (0, 0);
        }
        self.quote_weight = new_w2 as u64;
        self.tao += tao;
        self.alpha_in += alpha;
        (tao, alpha)
    }
}

fn mul_parts(parts: u128, value: u128, acc: u128) -> u128 {
    // value·parts/acc rounded, in two halves to stay inside u128.
    let hi = value / acc * parts;
    let lo = (value % acc * parts + acc / 2) / acc;
    hi + lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_balanced_pool_is_constant_product_with_the_fee_taken_first() {
        let mut p = Pool::new(1_000_000_000_000, 1_000_000_000_000);
        assert_eq!(p.price(), 1.0);
        let s = p.buy(1_000_000_000, false).unwrap();
        assert_eq!(s.fee, 1_000_000_000 * 33 / 65_535);
        let net = 1_000_000_000 - s.fee;
        assert_eq!(s.paid_out, (1_000_000_000_000u128 * net as u128 / (1_000_000_000_000 + net as u128)) as u64);
        assert!(p.price() > 1.0);
        // Selling back what was bought returns less than was paid: two fees and slippage.
        let back = p.sell(s.paid_out, false).unwrap();
        assert!(back.paid_out < 1_000_000_000);
    }

    #[test]
    fn injection_in_proportion_keeps_weights_and_price() {
        let mut p = Pool::new(2_000_000, 1_000_000);
        let before = p.price();
        assert_eq!(p.inject(2_000, 1_000), (2_000, 1_000));
        assert_eq!(p.quote_weight, WEIGHT_ACCURACY / 2);
        // Out of proportion: the weights move so that the price does not.
        p.inject(10_000, 0);
        assert!((p.price() - before).abs() < 1e-9, "{} vs {before}", p.price());
        assert!(p.quote_weight > WEIGHT_ACCURACY / 2);
    }

    #[test]
    fn the_limit_amount_reaches_the_limit_price() {
        let p = Pool::new(1_000_000_000_000, 1_000_000_000_000);
        let dy = p.tao_to_reach(1.21);
        // Constant product: y' = y·sqrt(1.21) = 1.1·y.
        assert!((dy as f64 - 100_000_000_000.0).abs() < 1_000.0, "{dy}");
        let dx = p.alpha_to_reach(1.0 / 1.21);
        assert!((dx as f64 - 100_000_000_000.0).abs() < 1_000.0, "{dx}");
        assert_eq!(p.tao_to_reach(0.5), 0);
    }
}
