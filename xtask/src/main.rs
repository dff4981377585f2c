//! `cargo xtask …`: the project's command line for humans and CI.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use subnet_core::yuma::scenario::{self, Scenario};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Subnet framework tooling")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run a Yuma scenario (shared/spec/yuma-scenario.md) and print each epoch as JSON.
    Yuma {
        /// The scenario file.
        scenario: PathBuf,
        /// Print a human table instead of JSON.
        #[arg(long)]
        pretty: bool,
    },
    /// Run a benchmark area in release mode: yuma.
    Bench {
        area: String,
        /// Print JSON rows ({"name","value","unit",...}) instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Cmd::Yuma { scenario: path, pretty } => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let s = Scenario::from_json(&text).with_context(|| format!("invalid scenario {}", path.display()))?;
            let outputs = s.run();
            if pretty {
                if !s.name.is_empty() {
                    println!("{}\n", s.name);
                }
                print!("{}", scenario::to_table(&outputs));
            } else {
                println!("{}", scenario::to_json(&outputs));
            }
            Ok(())
        }
        Cmd::Bench { area, json } => {
            let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
            cmd.args(["run", "--quiet", "--release", "-p", "subnet-benches", "--bin", "subnet-bench", "--"]);
            cmd.arg(&area);
            if json {
                cmd.arg("--json");
            }
            let status = cmd.status().context("starting the benchmark build")?;
            if !status.success() {
                bail!("benchmark {area} failed ({status})");
            }
            Ok(())
        }
    }
}
