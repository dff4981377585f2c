//! `cargo xtask new`: render a template from `templates/` into a new subnet crate.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

fn templates_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../templates")
}

fn framework_dir() -> Result<PathBuf> {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").canonicalize().context("locating the framework checkout")
}

/// Templates with their one-line description (from `cargo-generate.toml`).
pub(crate) fn list() -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(templates_dir())? {
        let dir = entry?.path();
        if !dir.join("cargo-generate.toml").is_file() {
            continue;
        }
        out.push((dir.file_name().unwrap_or_default().to_string_lossy().into_owned(), describe(&dir)?));
    }
    out.sort();
    Ok(out)
}

/// `template check`: render into a temporary crate, build, test, run end to end.
pub(crate) fn check(dir: &Path) -> Result<()> {
    let dir = dir.canonicalize().with_context(|| format!("{} does not exist", dir.display()))?;
    if !dir.join("cargo-generate.toml").is_file() {
        bail!("{} is not a template (no cargo-generate.toml)", dir.display());
    }
    let scratch = std::env::temp_dir().join(format!("template-check-{}", std::process::id()));
    let crate_dir = scratch.join("template-check");
    let values = [
        ("project-name", "template-check".to_string()),
        ("crate_name", "template_check".to_string()),
        ("subnet_name", "template-check".to_string()),
        ("framework_path", framework_dir()?.display().to_string()),
    ];
    let result = (|| -> Result<()> {
        copy_rendered(&dir, &crate_dir, &values)?;
        seed_lockfile(&crate_dir)?;
        println!("rendered {} into {}", dir.display(), crate_dir.display());
        let target = framework_dir()?.join("target");
        let status = crate::cargo::command().args(["test", "--quiet"]).current_dir(&crate_dir).env("CARGO_TARGET_DIR", &target).status()?;
        if !status.success() {
            bail!("the rendered template's tests failed");
        }
        if !crate_dir.join(crate::e2e::PYTHON_MINER).is_file() {
            return crate::e2e::run(&crate_dir, &subnet_core::testing::RunArgs { epochs: 3, ..Default::default() }, None);
        }
        // A Python miner: its own tests, then the miners as Python processes.
        let run = subnet_core::testing::RunArgs { epochs: 4, multi_process: true, ..Default::default() };
        crate::python::generate(&crate_dir, None)?;
        crate::python::test_python_miner(&crate_dir)?;
        crate::e2e::run(&crate_dir, &run, None)
    })();
    std::fs::remove_dir_all(&scratch).ok();
    result?;
    println!("ok: template {} renders, builds, passes its tests and runs end to end", dir.display());
    Ok(())
}

/// The manifest inside a packed template.
const MANIFEST: &str = "template.json";

/// `template pack`: `<name>-<version>.tar.gz` holding the template and a manifest
/// (name, description, version, framework version).
pub(crate) fn pack(dir: &Path, version: &str, out: Option<PathBuf>) -> Result<()> {
    let dir = dir.canonicalize().with_context(|| format!("{} does not exist", dir.display()))?;
    let description = describe(&dir)?;
    let name = dir.file_name().and_then(|n| n.to_str()).context("a template directory has a name")?.to_string();
    if version.is_empty() || !version.chars().all(|c| c.is_ascii_alphanumeric() || ".-+".contains(c)) {
        bail!("{version:?} is not a version: use something like 1.2.0");
    }
    let out_dir = match out {
        Some(p) => p,
        None => framework_dir()?.join("target/templates"),
    };
    std::fs::create_dir_all(&out_dir)?;
    let archive = out_dir.join(format!("{name}-{version}.tar.gz"));
    let manifest = serde_json::json!({
        "name": name,
        "description": description,
        "version": version,
        "framework_version": env!("CARGO_PKG_VERSION"),
    });
    let file = std::fs::File::create(&archive)?;
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(file, flate2::Compression::default()));
    let json = serde_json::to_vec_pretty(&manifest)?;
    let mut header = tar::Header::new_gnu();
    header.set_size(json.len() as u64);
    header.set_mode(0o644);
    header.set_cksum();
    tar.append_data(&mut header, MANIFEST, json.as_slice())?;
    tar.append_dir_all("template", &dir)?;
    tar.into_inner()?.finish()?;
    println!("packed {} → {}", dir.display(), archive.display());
    Ok(())
}

/// Unpack an archive made by `pack` into a temporary directory; returns the template dir.
fn unpack(archive: &Path, into: &Path) -> Result<PathBuf> {
    let file = std::fs::File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    tar::Archive::new(flate2::read::GzDecoder::new(file)).unpack(into).with_context(|| format!("{} is not a template archive", archive.display()))?;
    let manifest: serde_json::Value = serde_json::from_slice(&std::fs::read(into.join(MANIFEST)).context("the archive has no template.json")?)
        .context("template.json is not valid JSON")?;
    let framework = manifest["framework_version"].as_str().unwrap_or_default();
    if framework != env!("CARGO_PKG_VERSION") {
        println!("note: the template was packed for framework {framework}, this is {}", env!("CARGO_PKG_VERSION"));
    }
    Ok(into.join("template"))
}

fn describe(dir: &Path) -> Result<String> {
    let text = std::fs::read_to_string(dir.join("cargo-generate.toml"))
        .with_context(|| format!("{} is not a template (no cargo-generate.toml)", dir.display()))?;
    Ok(text
        .lines()
        .find_map(|l| l.trim().strip_prefix("description").and_then(|r| r.trim().strip_prefix('=')))
        .map(|d| d.trim().trim_matches('"').to_string())
        .unwrap_or_default())
}

pub(crate) fn run(path: Option<PathBuf>, template: &str, name: Option<String>, list_only: bool) -> Result<()> {
    if list_only {
        for (name, description) in list()? {
            println!("{name:<12} {description}");
        }
        return Ok(());
    }
    let path = path.context("give the path of the new subnet crate, e.g. `cargo xtask new ../my-subnet`")?;
    let unpacked = std::env::temp_dir().join(format!("template-unpack-{}", std::process::id()));
    let source = if template.ends_with(".tar.gz") {
        unpack(Path::new(template), &unpacked)?
    } else if Path::new(template).join("cargo-generate.toml").is_file() {
        PathBuf::from(template)
    } else {
        templates_dir().join(template)
    };
    if !source.join("cargo-generate.toml").is_file() {
        let known: Vec<String> = list()?.into_iter().map(|(n, _)| n).collect();
        bail!("no template named {template:?}; templates: {}", known.join(", "));
    }
    if path.exists() {
        bail!("{} already exists; pick a new directory", path.display());
    }
    let dir_name = path.file_name().and_then(|n| n.to_str()).context("the path must end in a directory name")?;
    let project = dir_name.to_lowercase().replace(['_', ' '], "-");
    if project.is_empty() || !project.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') || project.starts_with(|c: char| c.is_ascii_digit()) {
        bail!("{dir_name:?} is not a usable crate name: use letters, digits and dashes, starting with a letter");
    }
    let values = [
        ("project-name", project.clone()),
        ("crate_name", project.replace('-', "_")),
        ("subnet_name", name.unwrap_or_else(|| project.clone())),
        ("framework_path", framework_dir()?.display().to_string()),
    ];
    let rendered = copy_rendered(&source, &path, &values).and_then(|()| seed_lockfile(&path));
    std::fs::remove_dir_all(&unpacked).ok();
    rendered?;
    println!("created {} from template {template:?}", path.display());
    println!("next: cd {} && cargo test", path.display());
    Ok(())
}

/// Start a new subnet crate from the framework's own `Cargo.lock` (unless the template
/// brought one): its dependencies resolve to the versions the framework is tested with,
/// not to whatever crates.io has newest today, and its builds reuse the crates the
/// framework's `target/` already compiled at those versions. Cargo drops the entries
/// the crate does not use on its first build.
fn seed_lockfile(crate_dir: &Path) -> Result<()> {
    let lock = crate_dir.join("Cargo.lock");
    if !lock.exists() {
        std::fs::copy(framework_dir()?.join("Cargo.lock"), &lock).with_context(|| format!("writing {}", lock.display()))?;
    }
    Ok(())
}

/// Copy `from` into `to`, replacing `{{key}}` placeholders; `cargo-generate.toml` stays behind.
fn copy_rendered(from: &Path, to: &Path, values: &[(&str, String)]) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            // Python's bytecode cache (a template's Python tests run in place) is not source.
            if entry.file_name() == "__pycache__" {
                continue;
            }
            copy_rendered(&src, &dst, values)?;
        } else if entry.file_name() != "cargo-generate.toml" {
            let mut text = std::fs::read_to_string(&src).with_context(|| format!("reading {}", src.display()))?;
            for (key, value) in values {
                text = text.replace(&format!("{{{{{key}}}}}"), value);
            }
            if let Some(left) = text.find("{{") {
                bail!("{} has a placeholder this tool does not know near: {}", src.display(), &text[left..(left + 30).min(text.len())]);
            }
            std::fs::write(&dst, text)?;
        }
    }
    Ok(())
}
