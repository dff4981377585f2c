//! `cargo xtask metadata-diff`: the served node's runtime metadata (V15 and V14) compared
//! with real finney metadata, printed as a report grouped by extensions, type paths,
//! calls, events, errors, storage, constants and runtime APIs.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use subnet_core::chain::node::metadata;
use subnet_core::testing::metadata_diff::{compare, decode, Kind};

/// The vendored finney metadata (spec 393), relative to the workspace root.
pub(crate) const FINNEY: &str = "subnet-core/tests/data/finney-393/finney.scale";

/// Prints the report; `reference` defaults to the vendored finney metadata.
pub(crate) fn run(reference: Option<PathBuf>) -> Result<()> {
    let path = reference.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(FINNEY));
    let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let reference = decode(&bytes).with_context(|| format!("decoding {}", path.display()))?;
    println!("# Served node metadata vs {}\n", path.display());
    println!("Kinds: missing = declared by the node, absent from the reference; shape = the SCALE encoding differs;");
    println!("path = same bytes, another type path; value = a constant or API version; default = a storage default.\n");
    for (name, ours) in [("V15 (Metadata_metadata_at_version(15))", metadata::build()), ("V14 (state_getMetadata)", metadata::build_v14())] {
        let report = compare(&ours, &reference, metadata::RUNTIME_APIS)?;
        let count = |k: Kind| report.differences.iter().filter(|d| d.kind == k).count();
        println!(
            "# Ours {name}: {} differences ({} shape, {} path, {} missing, {} value, {} default)\n",
            report.differences.len(),
            count(Kind::Shape),
            count(Kind::Path),
            count(Kind::Missing),
            count(Kind::Value),
            count(Kind::Default)
        );
        print!("{}", report.to_text());
    }
    Ok(())
}
