//! `examples/pow-subnet` is `templates/compute` rendered: the two cannot drift apart.

use std::path::Path;
use std::process::Command;

/// The files a subnet author edits; the manifest differs on purpose (workspace
/// member against a stand-alone crate) and `cargo-generate.toml` is the template's own.
const AUTHORED: [&str; 4] =
    ["src/lib.rs", "tests/end_to_end.rs", "tests/scoring_snapshot.rs", "tests/snapshots/scoring_snapshot__scoring_and_incentive.snap"];

/// An insta snapshot without its header (`source:` names the file's path, which differs).
fn snapshot_body(text: &str) -> &str {
    text.splitn(3, "---\n").nth(2).unwrap_or(text)
}

#[test]
fn pow_example_is_the_compute_template_rendered() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let scratch = std::env::temp_dir().join(format!("xtask-pow-example-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let rendered = scratch.join("pow-subnet");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["new", rendered.to_str().unwrap(), "--template", "compute", "--name", "pow"])
        .current_dir(&root)
        .output()
        .expect("xtask runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for file in AUTHORED {
        let from_template = std::fs::read_to_string(rendered.join(file)).unwrap();
        let example = std::fs::read_to_string(root.join("examples/pow-subnet").join(file)).unwrap();
        let (a, b) = if file.ends_with(".snap") {
            (snapshot_body(&from_template), snapshot_body(&example))
        } else {
            (from_template.as_str(), example.as_str())
        };
        assert_eq!(a, b, "examples/pow-subnet/{file} differs from templates/compute rendered as `pow`: change both");
    }
    std::fs::remove_dir_all(&scratch).ok();
}
