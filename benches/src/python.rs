//! `bench python`: one round of `cargo xtask bench python`, our side. The echo task
//! answered by three servers, each its own OS process started the way an operator
//! starts a miner (the `miner` command and its flags, a wallet on disk, registered on
//! a subnet of a served localnet, found through its axon), all three the framework's
//! Rust server with the same access rules, differing only in the handler:
//!
//! - `rust_echo`: a Rust handler (this binary's `echo-miner` mode);
//! - `python_def`: a Python `def` handler through the `subnet_core` wheel's
//!   `run_miner` (`benches/python/echo_miner.py --handler def`);
//! - `python_async`: the same with an `async def` handler.
//!
//! They are started and measured one after the other (only the measured one runs), by
//! this process's release Rust client with `//Validator`'s hotkey, with the patterns
//! and rows of `bench net` (`net::run_patterns`). The echo protocol is one task,
//! `Echo`, whose body is `bench net`'s integer; both handlers answer the body, as a
//! subnet's handler answers its task (decode the envelope, encode the answer). The
//! per-caller rate limit is off (`--axon.rate_limit 0`) and the caller needs no
//! validator permit (`--blacklist.allow_non_validators`); it must be registered.
//!
//! `subnet-bench python --interpreter PY --script echo_miner.py --pythonpath DIRS
//! --work DIR [--sequential N] [--requests N] [--concurrency N] [--json]`

use std::fs::File;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use subnet_core::chain::local::dev_keypair;
use subnet_core::chain::node::LocalNode;
use subnet_core::chain::subtensor::{Network, SubtensorClient};
use subnet_core::chain::{BlockMode, Chain, Hyperparameter, LocalChain, LocalChainConfig, Signer};
use subnet_core::cli::{miner_main_with_args, MinerService};
use subnet_core::keys::{Keypair, Wallet};
use subnet_core::net::{axon_address, Client};
use subnet_core::spec::{encode_answer, AccessRules, Envelope, HandleError, MinerSpec, Protocol, RequestContext};

use crate::net::{run_patterns, Counts, Miner, VERSION};
use crate::Row;

/// The echo protocol's name and its one task.
const NAME: &str = "echo";
const TASK: &str = "Echo";

/// The echo protocol as `cargo xtask python` reads it: one task whose body (and answer)
/// is `bench net`'s integer, a JSON value that is not an object, so the generated
/// Python module passes it as `Any`.
pub(crate) fn echo_protocol() -> Protocol {
    Protocol::new(NAME, VERSION, &[(TASK, TASK, false)]).with_types(&[(TASK, None)])
}

/// The Rust handler: what the Python dispatcher does for an `Any` task (decode the
/// envelope, check the task, answer the body as JSON), so that the rows differ by the
/// handler's language and not by the work done.
struct EchoBody;

#[async_trait::async_trait]
impl MinerSpec for EchoBody {
    async fn handle(&self, _ctx: &RequestContext, payload: &[u8]) -> Result<Vec<u8>, HandleError> {
        let envelope = Envelope::decode(payload)?;
        if envelope.task != TASK {
            return Err(HandleError::UnknownTask(envelope.task));
        }
        encode_answer(&envelope.body::<serde_json::Value>()?)
    }
}

/// `subnet-bench echo-miner miner <flags>`: the subnet binary's `miner` command (the
/// code path of the Python miners' `run_miner`) with the Rust echo handler.
pub(crate) fn serve_echo_miner(args: &[String]) -> u8 {
    let service = MinerService {
        name: NAME.into(),
        version: VERSION,
        access: AccessRules::validators_only(),
        // As the Python miners, whose protocol module carries it.
        protocol: Some(echo_protocol().fingerprint()),
        handler: Arc::new(EchoBody),
    };
    let argv = std::iter::once("subnet-bench echo-miner".to_string()).chain(args.iter().cloned());
    miner_main_with_args(argv.map(Into::into), service)
}

/// One server of the round.
struct Server {
    /// Row-name prefix, and the wallet's name.
    name: &'static str,
    /// What it is, for rows and errors.
    label: &'static str,
    /// Its hotkey (a dev URI) and the dev account that registers it.
    hotkey: &'static str,
    coldkey: &'static str,
    /// `None`: the Rust handler (this binary); else the Python script's `--handler`.
    python_handler: Option<&'static str>,
}

const SERVERS: [Server; 3] = [
    Server { name: "rust_echo", label: "Rust echo handler", hotkey: "//Miner//rust", coldkey: "Charlie", python_handler: None },
    Server { name: "python_def", label: "Python def echo handler", hotkey: "//Miner//python-def", coldkey: "Dave", python_handler: Some("def") },
    Server {
        name: "python_async",
        label: "Python async def echo handler",
        hotkey: "//Miner//python-async",
        coldkey: "Eve",
        python_handler: Some("async"),
    },
];

/// The caller's hotkey (as `bench net` and the btlightning peer bench) and the dev
/// account that registers it.
const CALLER: (&str, &str) = ("//Validator", "Bob");

/// How long a server may take from its start to its axon on chain.
const START_TIMEOUT: Duration = Duration::from_secs(60);

const USAGE: &str = "usage: subnet-bench python --interpreter PY --script echo_miner.py --pythonpath DIRS --work DIR \
                     [--sequential N] [--requests N] [--concurrency N] [--json]";

#[derive(Debug)]
struct Options {
    interpreter: PathBuf,
    script: PathBuf,
    pythonpath: String,
    work: PathBuf,
    counts: Counts,
}

fn parse_args(args: &[String]) -> Result<Options> {
    let (mut interpreter, mut script, mut pythonpath, mut work) = (None, None, None, None);
    let mut counts = Counts { sequential: 2_000, concurrent_total: 64 * 250, concurrency: 64 };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value; {USAGE}"));
        let count = |v: &String| -> Result<usize> {
            match v.parse::<usize>() {
                Ok(n) if n > 0 => Ok(n),
                _ => bail!("{arg}: {v:?} is not a positive count"),
            }
        };
        match arg.as_str() {
            "--json" => {}
            "--interpreter" => interpreter = Some(PathBuf::from(value()?)),
            "--script" => script = Some(PathBuf::from(value()?)),
            "--pythonpath" => pythonpath = Some(value()?.clone()),
            "--work" => work = Some(PathBuf::from(value()?)),
            "--sequential" => counts.sequential = count(value()?)?,
            "--requests" => counts.concurrent_total = count(value()?)?,
            "--concurrency" => counts.concurrency = count(value()?)?,
            other => bail!("unknown argument {other:?}; {USAGE}"),
        }
    }
    let missing = |name: &str| anyhow::anyhow!("{name} is required; {USAGE}");
    if counts.concurrent_total < counts.concurrency {
        bail!("--requests must be at least --concurrency");
    }
    Ok(Options {
        interpreter: interpreter.ok_or_else(|| missing("--interpreter"))?,
        script: script.ok_or_else(|| missing("--script"))?,
        pythonpath: pythonpath.ok_or_else(|| missing("--pythonpath"))?,
        work: work.ok_or_else(|| missing("--work"))?,
        counts,
    })
}

/// One round: a served localnet, then each server started, measured and stopped.
pub(crate) fn run(args: &[String]) -> Result<Vec<Row>> {
    let options = parse_args(args)?;
    std::fs::create_dir_all(options.work.join("logs")).with_context(|| format!("creating {}/logs", options.work.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let node = LocalNode::new(LocalChain::new(LocalChainConfig::dev_accounts()), BlockMode::Instant);
    let running = runtime.block_on(node.serve(SocketAddr::from(([127, 0, 0, 1], 0)))).context("serving the localnet")?;
    let result = runtime.block_on(measure_all(&running.url(), &options));
    runtime.block_on(running.stop());
    result
}

async fn measure_all(url: &str, options: &Options) -> Result<Vec<Row>> {
    let chain: Arc<dyn Chain> =
        Arc::new(SubtensorClient::connect(&Network::parse(url).map_err(anyhow::Error::msg)?).await.context("connecting to the localnet")?);
    let netuid = prepare_subnet(&*chain, &options.work.join("wallets")).await?;
    let client = Client::new(Keypair::from_uri(CALLER.0)?, netuid, VERSION);
    let mut rows = Vec::new();
    for server in &SERVERS {
        let hotkey = Keypair::from_uri(server.hotkey)?.public_key().0;
        let mut process = start(server, options, url, netuid)?;
        let addr = wait_for_axon(&*chain, netuid, hotkey, &mut process, server).await?;
        let measured = run_patterns(&Miner { addr, hotkey }, &client, server.name, options.counts, true).await;
        process.stop();
        let measured = measured.with_context(|| format!("{} ({})", server.label, process.log_tail()))?;
        rows.extend(measured.into_iter().filter_map(|row| labelled(row, server)));
    }
    Ok(rows)
}

/// A row with its server named; `None` for `_cpu_us`: the server is another process,
/// so this process's CPU time is the client's alone, not `bench net`'s both ends.
fn labelled(mut row: Row, server: &Server) -> Option<Row> {
    if row.name.ends_with("_cpu_us") {
        return None;
    }
    row.params.push(("server", server.label.into()));
    Some(row)
}

/// The subnet: created by Alice, serving rate limit off (each round starts fresh),
/// the caller and the three miners registered, the miners' wallets written; its netuid.
async fn prepare_subnet(chain: &dyn Chain, wallets: &Path) -> Result<u16> {
    let owner = dev_keypair("Alice");
    let netuid = chain.register_network(&owner, dev_keypair("Alice//owner").account_id()).await.context("registering the subnet")?;
    chain.start_call(&owner, netuid).await?;
    chain.set_hyperparameter(&owner, netuid, Hyperparameter::ServingRateLimit(0)).await?;
    let register = |hotkey: &'static str, coldkey: &'static str| async move {
        let key = Keypair::from_uri(hotkey)?;
        chain.burned_register(&dev_keypair(coldkey), netuid, key.account_id()).await.with_context(|| format!("registering {hotkey}"))?;
        anyhow::Ok(key)
    };
    register(CALLER.0, CALLER.1).await?;
    for server in &SERVERS {
        let key = register(server.hotkey, server.coldkey).await?;
        Wallet::new(wallets.to_path_buf(), server.name, "default")?.set_hotkey(&key, true)?;
    }
    Ok(netuid)
}

/// A server process, killed and reaped however the round ends.
struct Process {
    child: Child,
    log: PathBuf,
}

impl Process {
    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The last lines of its output, for an error.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(15)..].join("\n");
        format!("its output, {}:\n{tail}", self.log.display())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The `miner` command's flags, the same for every server.
fn miner_flags(server: &Server, options: &Options, url: &str, netuid: u16) -> Vec<String> {
    let wallets = options.work.join("wallets").to_string_lossy().into_owned();
    [
        "miner",
        "--netuid",
        &netuid.to_string(),
        "--subtensor.chain_endpoint",
        url,
        "--wallet.name",
        server.name,
        "--wallet.hotkey",
        "default",
        "--wallet.path",
        &wallets,
        "--axon.ip",
        "127.0.0.1",
        "--axon.port",
        "0",
        // The chain refuses to announce a loopback address (as Subtensor does); an
        // unspecified one is announced and read back as loopback (`axon_address`).
        "--axon.external_ip",
        "0.0.0.0",
        "--blacklist.allow_non_validators",
        "--axon.rate_limit",
        "0",
    ]
    .map(String::from)
    .to_vec()
}

fn start(server: &Server, options: &Options, url: &str, netuid: u16) -> Result<Process> {
    let mut command = match server.python_handler {
        None => {
            let mut c = Command::new(std::env::current_exe().context("locating subnet-bench")?);
            c.arg("echo-miner");
            c
        }
        Some(handler) => {
            let mut c = Command::new(&options.interpreter);
            c.arg(&options.script).args(["--handler", handler]);
            c.env("PYTHONPATH", &options.pythonpath).env("PYTHONUNBUFFERED", "1").env("PYTHONDONTWRITEBYTECODE", "1");
            c
        }
    };
    command.args(miner_flags(server, options, url, netuid));
    // The operator's Bittensor variables (BT_AXON_PORT, BT_WALLET_PATH, …) would
    // override defaults the flags leave alone: the bench sets everything itself.
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("BT_") {
            command.env_remove(&name);
        }
    }
    let log = options.work.join("logs").join(format!("{}.log", server.name));
    let out = File::create(&log).with_context(|| format!("creating {}", log.display()))?;
    let child = command
        .stdin(Stdio::null())
        .stdout(out.try_clone()?)
        .stderr(out)
        .spawn()
        .with_context(|| format!("starting the {} ({command:?})", server.label))?;
    Ok(Process { child, log })
}

/// Where the server listens, read from its axon on chain (as a validator finds it);
/// an error naming it if it exits or does not serve within [`START_TIMEOUT`].
async fn wait_for_axon(chain: &dyn Chain, netuid: u16, hotkey: [u8; 32], process: &mut Process, server: &Server) -> Result<SocketAddr> {
    let started = Instant::now();
    loop {
        if let Some(status) = process.child.try_wait()? {
            bail!("the {} exited before serving ({}); {}", server.label, exit(status), process.log_tail());
        }
        let metagraph = chain.metagraph(netuid).await?;
        let axon = metagraph.neurons.iter().find(|n| n.hotkey.0 == hotkey).and_then(|n| n.axon.as_ref()).and_then(axon_address);
        if let Some(addr) = axon {
            return Ok(addr);
        }
        if started.elapsed() > START_TIMEOUT {
            bail!("the {} did not announce its axon within {} s; {}", server.label, START_TIMEOUT.as_secs(), process.log_tail());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn exit(status: ExitStatus) -> String {
    status.code().map_or_else(|| status.to_string(), |c| format!("exit status {c}"))
}

#[cfg(test)]
mod tests {
    use subnet_core::chain::AccountId;

    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn options_need_the_paths_and_take_counts() {
        let o = parse_args(&args("--interpreter py --script s.py --pythonpath a:b --work w --sequential 10 --requests 640 --json")).unwrap();
        assert_eq!((o.counts.sequential, o.counts.concurrent_total, o.counts.concurrency), (10, 640, 64));
        assert_eq!(o.pythonpath, "a:b");
        assert!(parse_args(&args("--script s.py --pythonpath a --work w")).unwrap_err().to_string().contains("--interpreter"));
        assert!(parse_args(&args("--interpreter py --script s --pythonpath a --work w --requests 0")).is_err());
        assert!(parse_args(&args("--interpreter py --script s --pythonpath a --work w --requests 10")).is_err());
        assert!(parse_args(&args("--interpreter py --script s --pythonpath a --work w --bogus")).is_err());
        assert!(parse_args(&args("--interpreter")).is_err());
    }

    #[tokio::test]
    async fn the_rust_handler_answers_the_body_and_refuses_other_tasks() {
        let ctx = RequestContext { caller: AccountId([0; 32]), stake: 0, deadline: None };
        assert_eq!(EchoBody.handle(&ctx, &Envelope::encode(TASK, &7)).await.unwrap(), b"7");
        assert!(matches!(EchoBody.handle(&ctx, &Envelope::encode("Other", &7)).await, Err(HandleError::UnknownTask(_))));
        assert!(matches!(EchoBody.handle(&ctx, b"not json").await, Err(HandleError::BadRequest(_))));
    }

    #[test]
    fn the_protocol_has_one_untyped_task() {
        let json = subnet_core::spec::protocol_json(&echo_protocol());
        assert!(json.contains(r#""tasks":[{"task":"Echo","answer":"Echo","streamed":false}]"#), "{json}");
        assert!(json.contains(r#""types":[{"name":"Echo","fields":null}]"#), "{json}");
    }
}
