//! The type paths the served metadata shows: Subtensor's, not this crate's.
//!
//! Types derived with `scale_info` carry the Rust module they live in
//! (`subnet_core::chain::node::…`). Clients find some types by path only: bittensor
//! 11 reads events through `frame_system::EventRecord` / `frame_system::Phase` and
//! the runtime's `RuntimeEvent` / `RuntimeCall`; Python's scalecodec picks codecs
//! by path (`sp_core::crypto::AccountId32` as SS58). So once the registry is built,
//! every path under this crate is rewritten to the one Subtensor's runtime gives the
//! same type, from one table. A path missing from the table is a bug
//! ([`unmapped`] lists them; a test keeps the list empty).

use scale_info::PortableRegistry;

/// Our path (module and name, after `subnet_core::chain::node::`) → the real one.
/// Sources: `frame_system`, `frame_support::dispatch`, `sp_runtime`, `sp_version`,
/// `sp_weights`, `pallet_balances`, `pallet_transaction_payment`,
/// `frame_metadata_hash_extension`, and Subtensor's `runtime/src/lib.rs` and pallets.
const PATHS: &[(&str, &str)] = &[
    // FRAME and Substrate primitives.
    ("system::AccountInfo", "frame_system::AccountInfo"),
    ("system::AccountData", "pallet_balances::types::AccountData"),
    ("system::ExtraFlags", "pallet_balances::types::ExtraFlags"),
    ("system::DigestItem", "sp_runtime::generic::digest::DigestItem"),
    ("system::Weight", "sp_weights::weight_v2::Weight"),
    ("system::DispatchClass", "frame_support::dispatch::DispatchClass"),
    ("system::Pays", "frame_support::dispatch::Pays"),
    ("system::DispatchEventInfo", "frame_system::DispatchEventInfo"),
    ("system::SystemEvent", "frame_system::pallet::Event"),
    ("system::Phase", "frame_system::Phase"),
    ("system::EventRecord", "frame_system::EventRecord"),
    ("system::RuntimeVersion", "sp_version::RuntimeVersion"),
    ("system::OpaqueMetadata", "sp_core::OpaqueMetadata"),
    ("metadata::Block", "sp_runtime::generic::block::Block"),
    // The runtime's outer types (`construct_runtime!` in `node_subtensor_runtime`).
    ("metadata::Runtime", "node_subtensor_runtime::Runtime"),
    ("metadata::RuntimeError", "node_subtensor_runtime::RuntimeError"),
    ("pallets::RuntimeCall", "node_subtensor_runtime::RuntimeCall"),
    ("pallets::RuntimeEvent", "node_subtensor_runtime::RuntimeEvent"),
    // Pallets' calls and events (`#[pallet::call]` / `#[pallet::event]`).
    ("pallets::SystemCall", "frame_system::pallet::Call"),
    ("pallets::SubtensorCall", "pallet_subtensor::pallet::Call"),
    ("pallets::SubtensorEvent", "pallet_subtensor::pallet::Event"),
    ("pallets::SudoCall", "pallet_sudo::pallet::Call"),
    ("pallets::SudoEvent", "pallet_sudo::pallet::Event"),
    ("pallets::AdminCall", "pallet_admin_utils::pallet::Call"),
    ("pallets::BalancesCall", "pallet_balances::pallet::Call"),
    ("pallets::BalancesEvent", "pallet_balances::pallet::Event"),
    ("pallets::ShieldCall", "pallet_shield::pallet::Call"),
    ("pallets::ShieldEvent", "pallet_shield::pallet::Event"),
    // Transaction extensions (Subtensor's `TxExtension`).
    ("extensions::CheckNonZeroSender", "frame_system::extensions::check_non_zero_sender::CheckNonZeroSender"),
    ("extensions::CheckSpecVersion", "frame_system::extensions::check_spec_version::CheckSpecVersion"),
    ("extensions::CheckTxVersion", "frame_system::extensions::check_tx_version::CheckTxVersion"),
    ("extensions::CheckGenesis", "frame_system::extensions::check_genesis::CheckGenesis"),
    // Subtensor wraps these two in its runtime (`runtime/src/check_mortality.rs`,
    // `runtime/src/check_nonce.rs`), so they carry the runtime's path.
    ("extensions::CheckMortality", "node_subtensor_runtime::check_mortality::CheckMortality"),
    ("extensions::CheckNonce", "node_subtensor_runtime::check_nonce::CheckNonce"),
    ("extensions::CheckWeight", "frame_system::extensions::check_weight::CheckWeight"),
    ("extensions::ChargeTransactionPayment", "pallet_transaction_payment::ChargeTransactionPayment"),
    // `runtime/src/sudo_wrapper.rs`.
    ("extensions::SudoTransactionExtension", "node_subtensor_runtime::sudo_wrapper::SudoTransactionExtension"),
    ("extensions::CheckShieldedTxValidity", "pallet_shield::extension::CheckShieldedTxValidity"),
    // `pallets/subtensor/src/extensions/subtensor.rs`.
    ("extensions::SubtensorTransactionExtension", "pallet_subtensor::extensions::subtensor::SubtensorTransactionExtension"),
    ("extensions::DrandPriority", "pallet_drand::drand_priority::DrandPriority"),
    ("extensions::CheckMetadataHash", "frame_metadata_hash_extension::CheckMetadataHash"),
    ("extensions::Mode", "frame_metadata_hash_extension::Mode"),
    // Storage value types. `EpochConsensus` is not in finney 393: its path is unsure.
    ("storage::EpochConsensus", "pallet_subtensor::pallet::EpochConsensus"),
    ("storage::RootClaimTypeEnum", "pallet_subtensor::pallet::RootClaimTypeEnum"),
    ("storage::NeuronCertificate", "pallet_subtensor::pallet::NeuronCertificate"),
    // Commitments' storage types.
    ("commitments::CommitmentInfo", "pallet_commitments::types::CommitmentInfo"),
    ("commitments::Registration", "pallet_commitments::types::Registration"),
    ("drand::BeaconConfiguration", "pallet_drand::types::BeaconConfiguration"),
    ("drand::BeaconMetadata", "pallet_drand::types::Metadata"),
    ("drand::Pulse", "pallet_drand::types::Pulse"),
    // The runtime APIs' types: `runtime_api::TYPE_PATHS`.
];

const OURS: [&str; 3] = ["subnet_core", "chain", "node"];

fn is_ours(segments: &[String]) -> bool {
    segments.len() > OURS.len() && segments.iter().zip(OURS).all(|(s, o)| s == o)
}

/// Rewrite every path of ours in `registry` to Subtensor's.
pub(crate) fn rewrite(registry: &mut PortableRegistry) {
    for ty in &mut registry.types {
        let segments = &mut ty.ty.path.segments;
        if !is_ours(segments) {
            continue;
        }
        let ours = segments[OURS.len()..].join("::");
        if let Some((_, real)) = PATHS.iter().chain(super::runtime_api::TYPE_PATHS).find(|(from, _)| *from == ours) {
            *segments = real.split("::").map(str::to_owned).collect();
        }
    }
}

/// Paths of ours that [`rewrite`] left alone: should be none.
pub fn unmapped(registry: &PortableRegistry) -> Vec<String> {
    registry.types.iter().map(|t| &t.ty.path.segments).filter(|s| is_ours(s)).map(|s| s.join("::")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_type_has_a_subtensor_path() {
        for (version, metadata) in [(15, super::super::metadata::build()), (14, super::super::metadata::build_v14())] {
            let registry = match metadata.1 {
                frame_metadata::RuntimeMetadata::V15(m) => m.types,
                frame_metadata::RuntimeMetadata::V14(m) => m.types,
                _ => unreachable!("we build V14 and V15"),
            };
            assert_eq!(unmapped(&registry), Vec::<String>::new(), "V{version} paths not in type_paths::PATHS");
        }
    }

    #[test]
    fn events_and_calls_are_found_where_bittensor_looks() {
        let frame_metadata::RuntimeMetadata::V15(m) = super::super::metadata::build().1 else { unreachable!() };
        let paths: Vec<String> = m.types.types.iter().map(|t| t.ty.path.segments.join("::")).collect();
        for wanted in
            ["frame_system::EventRecord", "frame_system::Phase", "node_subtensor_runtime::RuntimeEvent", "node_subtensor_runtime::RuntimeCall"]
        {
            assert!(paths.iter().any(|p| p == wanted), "{wanted} missing from the registry");
        }
    }
}
