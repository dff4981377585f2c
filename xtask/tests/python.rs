//! Python on the framework's protocol, from the outside: the `subnet_core` package's
//! own tests (wheel, wallets, chain, a Python miner queried by the Python client), the
//! typed module of a subnet, and the `python-miner` template end to end (Python miners
//! as OS processes beside Rust validators, incentive in order of quality).

use std::process::Command;

fn xtask(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/..")).output().expect("xtask runs")
}

fn ok(out: &std::process::Output) -> String {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    stdout
}

#[test]
fn the_python_package_passes_its_tests_against_a_served_localnet() {
    let out = xtask(&["python-test"]);
    ok(&out);
    // unittest reports on stderr.
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\nOK"), "{stderr}");
}

#[test]
fn python_writes_the_typed_module_of_a_subnet() {
    let path = std::env::temp_dir().join(format!("sum_protocol_{}.py", std::process::id()));
    ok(&xtask(&["python", "examples/sum-subnet", "--out", path.to_str().unwrap()]));
    let module = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(module.contains("class Add:") && module.contains("    a: int\n") && module.contains("class Total:"), "{module}");
    assert!(module.contains("\"Add\": (Add, Total, False)"), "{module}");
    let out = xtask(&["python", "examples/does-not-exist"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_python_miner_template_runs_python_miners_beside_rust_validators() {
    let stdout = ok(&xtask(&["template", "check", "templates/python-miner"]));
    assert!(stdout.contains("(Python, subnet_core from"), "{stdout}");
    assert!(stdout.contains("miner processes started") && stdout.contains("invariants hold"), "{stdout}");
    assert!(stdout.contains("passes its tests and runs end to end"), "{stdout}");
    // The last epoch's table: incentive in the order of the miners' quality.
    let last = stdout.rsplit("] epoch ").next().unwrap();
    // Rows: uid, the role's words, then stake, score, weight, incentive, dividends, emission.
    let incentive = |role: &str| -> f64 {
        let row = last
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|cells| cells.len() > 7 && cells[1..cells.len() - 6].join(" ") == role)
            .unwrap_or_else(|| panic!("no row for {role} in\n{last}"));
        row[row.len() - 3].parse().unwrap()
    };
    let (honest, flaky30, flaky70, dead) = (incentive("miner"), incentive("miner 30%bad"), incentive("miner 70%bad"), incentive("miner dead"));
    assert!(honest > flaky30 && flaky30 > flaky70 && flaky70 > dead && dead == 0.0, "{honest} {flaky30} {flaky70} {dead}\n{last}");
}
