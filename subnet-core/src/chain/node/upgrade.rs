//! Runtime upgrades, for tests of clients that must live through one: a runtime
//! derived from the node's own with another spec version and some calls and runtime
//! API methods taken out (an older runtime, e.g. one shaped like finney's). A node
//! starts on it with [`LocalNode::with_runtime`](super::LocalNode::with_runtime) and
//! moves to another with [`LocalNode::upgrade_runtime`](super::LocalNode::upgrade_runtime),
//! as `System::set_code` moves a chain: blocks after it run the new runtime.
//!
//! Only the metadata and version change: the node still decodes and dispatches every
//! call it knows, so it is the client's own reading of the metadata that a test sees.

use frame_metadata::RuntimeMetadata;
use scale_info::{PortableRegistry, TypeDef};

use super::runtime_api::RuntimeInfo;

/// The node's runtime with `spec_version`, without the `calls` (pallet, call) and the
/// runtime API `methods` (api, method). An error names anything not in the runtime.
pub fn runtime_without(spec_version: u32, calls: &[(&str, &str)], methods: &[(&str, &str)]) -> Result<RuntimeInfo, String> {
    let mut v14 = super::metadata::build_v14();
    let mut v15 = super::metadata::build();
    let RuntimeMetadata::V14(m14) = &mut v14.1 else { return Err("the node's V14 metadata is not V14".into()) };
    for (pallet, call) in calls {
        let ty = m14.pallets.iter().find(|p| p.name == *pallet).and_then(|p| p.calls.as_ref()).map(|c| c.ty.id);
        remove_variant(&mut m14.types, ty, pallet, call)?;
    }
    let RuntimeMetadata::V15(m15) = &mut v15.1 else { return Err("the node's V15 metadata is not V15".into()) };
    for (pallet, call) in calls {
        let ty = m15.pallets.iter().find(|p| p.name == *pallet).and_then(|p| p.calls.as_ref()).map(|c| c.ty.id);
        remove_variant(&mut m15.types, ty, pallet, call)?;
    }
    for (api, method) in methods {
        let declared = m15.apis.iter_mut().find(|a| a.name == *api).ok_or_else(|| format!("no runtime API {api}"))?;
        let before = declared.methods.len();
        declared.methods.retain(|m| m.name != *method);
        if declared.methods.len() == before {
            return Err(format!("no runtime API method {api}::{method}"));
        }
    }
    let mut version = RuntimeInfo::new().version;
    version.spec_version = spec_version;
    Ok(RuntimeInfo::from_parts(version, &v14, &v15))
}

/// Take the variant `call` out of the pallet's call enum (type `ty`).
fn remove_variant(types: &mut PortableRegistry, ty: Option<u32>, pallet: &str, call: &str) -> Result<(), String> {
    let ty = ty.ok_or_else(|| format!("no pallet {pallet} with calls"))?;
    let entry = types.types.iter_mut().find(|t| t.id == ty).ok_or_else(|| format!("{pallet}'s call type {ty} is not in the registry"))?;
    let TypeDef::Variant(variants) = &mut entry.ty.type_def else { return Err(format!("{pallet}'s call type is not an enum")) };
    let before = variants.variants.len();
    variants.variants.retain(|v| v.name != call);
    if variants.variants.len() == before {
        return Err(format!("no call {pallet}::{call}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_runtime_lacks_what_was_taken_out_and_names_what_is_not_there() {
        let old =
            runtime_without(393, &[("SubtensorModule", "set_activity_cutoff_factor")], &[("SubnetInfoRuntimeApi", "get_subnet_hyperparams_v3")])
                .unwrap();
        assert_eq!(old.version.spec_version, 393);
        let now = RuntimeInfo::new();
        assert!(old.metadata_bytes().len() < now.metadata_bytes().len(), "a call fewer in V14");
        let err = runtime_without(1, &[("SubtensorModule", "no_such_call")], &[]).err().unwrap();
        assert_eq!(err, "no call SubtensorModule::no_such_call");
        let err = runtime_without(1, &[], &[("SubnetInfoRuntimeApi", "nothing")]).err().unwrap();
        assert_eq!(err, "no runtime API method SubnetInfoRuntimeApi::nothing");
    }
}
