//! `cargo xtask yuma` from the outside: output on stdout, errors with a non-zero exit.

use std::process::Command;

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).output().expect("xtask runs")
}

#[test]
fn yuma_prints_one_json_object_per_epoch() {
    let out = xtask(&["yuma", "examples/scenarios/honest_majority.json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let epochs = v.as_array().unwrap();
    assert_eq!(epochs.len(), 3);
    assert_eq!(epochs[0]["block"], 360);
    assert_eq!(epochs[0]["incentive"].as_array().unwrap().len(), 7);
}

#[test]
fn malformed_scenarios_exit_non_zero_naming_the_field() {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        ("broken.json", "{\"neurons\": [", "not valid JSON"),
        ("negative.json", r#"{"neurons":[{"uid":0,"stake":-1}],"epochs":[]}"#, "neurons[0].stake"),
        ("unknown_uid.json", r#"{"neurons":[{"uid":0}],"epochs":[{"block":1,"weights":{"4":[[0,1]]}}]}"#, "epochs[0].weights.4"),
    ];
    for (name, text, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let out = xtask(&["yuma", path.to_str().unwrap()]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(needle), "{name}: {stderr}");
        assert!(!stderr.contains("panicked"), "{name}: {stderr}");
        assert!(out.stdout.is_empty());
    }
    let missing = xtask(&["yuma", "does/not/exist.json"]);
    assert_eq!(missing.status.code(), Some(1));
}

#[test]
fn demo_runs_a_subnet_and_checks_it() {
    let out = xtask(&["demo", "--epochs", "3"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout.matches("epoch ").count(), 3, "{stdout}");
    assert!(stdout.contains("ok: the honest miner earns the most"));
    let bad = xtask(&["demo", "--epochs", "0"]);
    assert_eq!(bad.status.code(), Some(1));
}

#[test]
fn new_renders_a_template_that_builds_and_passes_its_tests() {
    let list = xtask(&["new", "--list"]);
    assert!(String::from_utf8_lossy(&list.stdout).contains("minimal"));

    let dir = std::env::temp_dir().join(format!("xtask-new-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let crate_dir = dir.join("square-subnet");
    let out = xtask(&["new", crate_dir.to_str().unwrap(), "--name", "square"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lib = std::fs::read_to_string(crate_dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains(r#"#[subnet(name = "square", version = 1)]"#) && lib.contains("pub mod square_subnet"));
    assert!(!crate_dir.join("cargo-generate.toml").exists());
    // It builds and its own end-to-end test passes (sharing this workspace's build).
    let target = concat!(env!("CARGO_MANIFEST_DIR"), "/../target");
    let test = Command::new(env!("CARGO")).args(["test", "--quiet"]).current_dir(&crate_dir).env("CARGO_TARGET_DIR", target).output().unwrap();
    assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stderr));
    // No overwriting, no unknown templates.
    assert_eq!(xtask(&["new", crate_dir.to_str().unwrap()]).status.code(), Some(1));
    assert_eq!(xtask(&["new", dir.join("x").to_str().unwrap(), "--template", "nope"]).status.code(), Some(1));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn test_command_runs_a_subnet_crate_end_to_end() {
    let report = std::env::temp_dir().join(format!("xtask-report-{}.html", std::process::id()));
    let out = xtask(&["test", "examples/sum-subnet", "--miners", "8", "--validators", "2", "--epochs", "3", "--report", report.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("[3/3] epoch 3") && stdout.contains("invariants hold"), "{stdout}");
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Incentive per miner"));
    std::fs::remove_file(report).ok();
    assert_eq!(xtask(&["test", "does/not/exist"]).status.code(), Some(1));
}

#[test]
fn test_command_runs_one_process_per_neuron_on_the_served_localnet() {
    let out = xtask(&["test", "examples/sum-subnet", "--multi-process", "--miners", "4", "--validators", "2", "--epochs", "2"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("one process per neuron, on the served localnet"), "{stdout}");
    assert!(stdout.contains("3 miner processes started") && stdout.contains("2 validator processes started"), "{stdout}");
    assert!(stdout.contains("[2/2] epoch 2") && stdout.contains("invariants hold"), "{stdout}");
    // A chain that is not there, or not a URL: a clear error and exit status 1.
    let out = xtask(&["test", "examples/sum-subnet", "--chain", "ws://127.0.0.1:1", "--epochs", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot connect to ws://127.0.0.1:1"), "{}", String::from_utf8_lossy(&out.stderr));
    let out = xtask(&["test", "examples/sum-subnet", "--chain", "http://nowhere", "--epochs", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--chain is local or a ws:// URL"));
}

#[test]
fn template_check_renders_builds_tests_and_runs_a_template() {
    // The compute template, and the LLM one with streamed tokens.
    for template in ["templates/compute", "templates/llm"] {
        let out = xtask(&["template", "check", template]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{template}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
        assert!(stdout.contains("passes its tests and runs end to end"));
    }
    assert_eq!(xtask(&["template", "check", "examples"]).status.code(), Some(1));
}

#[test]
fn packed_templates_round_trip_through_new() {
    let dir = std::env::temp_dir().join(format!("xtask-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = xtask(&["template", "pack", "templates/minimal", "--version", "2.1.0", "--out", dir.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let archive = dir.join("minimal-2.1.0.tar.gz");
    assert!(archive.is_file());
    let made = dir.join("from-archive");
    let out = xtask(&["new", made.to_str().unwrap(), "--template", archive.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let lib = std::fs::read_to_string(made.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub mod from_archive") && !lib.contains("{{"));
    // A file that is not an archive is refused clearly.
    let bogus = dir.join("bogus.tar.gz");
    std::fs::write(&bogus, b"not a tarball").unwrap();
    let out = xtask(&["new", dir.join("x").to_str().unwrap(), "--template", bogus.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a template archive"));
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn test_refuses_a_run_that_does_not_fit_the_subnet_before_building() {
    // 192 miners + 64 validators + the owner: 257 neurons for 256 UIDs.
    let start = std::time::Instant::now();
    let out = xtask(&["test", "examples/sum-subnet", "--miners", "192", "--validators", "64"]);
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("192 miners + 64 validators + the subnet owner are 257 neurons"), "{stderr}");
    assert!(stderr.contains("256 UIDs"), "{stderr}");
    assert!(!stdout.contains("building"), "refused only after starting the build: {stdout}");
    assert!(start.elapsed() < std::time::Duration::from_secs(30), "the refusal took {:?}", start.elapsed());
}

#[test]
fn test_help_documents_every_run_flag() {
    let out = xtask(&["test", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    for flag in ["--miners", "--validators", "--epochs", "--tempo", "--transport", "--multi-process", "--chain", "--block-time-ms", "--report"] {
        assert!(help.contains(flag), "{flag} missing from:\n{help}");
    }
}
