//! A subnet with a streamed answer: the miner sends tokens as it makes them, the
//! validator receives them over gRPC server streaming and scores the sequence, with
//! the time to the first token.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use subnet_core::chain::AccountId;
use subnet_core::keys::Keypair;
use subnet_core::net::{CallerInfo, Client, MetagraphDirectory, MinerServer, ServerConfig};
use subnet_core::prelude::*;
use subnet_core::spec::Envelope;
use subnet_core::testing::{run_local_net, LocalNetConfig, MinerBehaviour, Role, Transport};

static SAW_FIRST_TOKEN_TIME: AtomicBool = AtomicBool::new(false);

#[subnet(name = "echo", version = 1)]
pub mod echo {
    use super::*;
    #[task]
    pub struct Prompt {
        pub words: Vec<String>,
    }
    #[answer]
    pub struct Token {
        pub text: String,
    }
    #[challenge]
    fn make(rng: &mut Rng) -> Prompt {
        let n = rng.gen_range(2..6);
        Prompt { words: (0..n).map(|i| format!("w{i}")).collect() }
    }
    #[miner]
    async fn generate(task: Prompt, out: Chunks<Token>) -> Result<()> {
        for w in task.words {
            tokio::time::sleep(Duration::from_millis(1)).await;
            out.send(Token { text: w }).await?;
        }
        Ok(())
    }
    /// The share of words echoed in order.
    #[score]
    fn score(task: &Prompt, tokens: &[Token], miner: &MinerContext) -> f64 {
        if miner.first_chunk.is_some() {
            SAW_FIRST_TOKEN_TIME.store(true, Ordering::SeqCst);
        }
        let right = task.words.iter().zip(tokens).filter(|(w, t)| **w == t.text).count();
        right as f64 / task.words.len().max(tokens.len()) as f64
    }
    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_arrive_one_message_each_and_whole_on_a_unary_request() {
    let (validator, miner) = (Keypair::from_seed(&[1; 32]).unwrap(), Keypair::from_seed(&[2; 32]).unwrap());
    let mut config = ServerConfig::new(1, 1);
    AccessRules::validators_only().apply(&mut config);
    let directory = MetagraphDirectory::from_callers([(validator.public_key().0, CallerInfo { uid: 0, stake: 1, validator_permit: true })]);
    let server = MinerServer::new(
        subnet_core::net::TlsIdentity::new(&miner).expect("a TLS identity"),
        Arc::new(echo::Subnet::miner()),
        Arc::new(directory),
        config,
    )
    .bind("127.0.0.1:0".parse().unwrap())
    .await
    .unwrap();
    let client = Client::new(validator, 1, 1);
    let task = Envelope::encode("Prompt", &echo::Prompt { words: vec!["a".into(), "b".into(), "c".into()] });
    let t = Duration::from_secs(5);
    let streamed = client.call_stream(miner.public_key().0, server.addr, "Prompt", Bytes::from(task.clone()), t).await.unwrap();
    let chunks: Vec<&[u8]> = streamed.chunks.iter().map(|c| &c[..]).collect();
    assert_eq!(chunks, [&br#"{"text":"a"}"#[..], br#"{"text":"b"}"#, br#"{"text":"c"}"#]);
    let whole = client.call(miner.public_key().0, server.addr, "Prompt", Bytes::from(task.clone()), t).await.unwrap();
    assert_eq!(&whole[..], br#"[{"text":"a"},{"text":"b"},{"text":"c"}]"#);

    // The judge knows the task is streamed and scores the joined chunks.
    let mut judge = echo::Subnet::judge();
    assert!(judge.streamed(&task));
    let ctx = MinerContext::new(1, AccountId([2; 32]), Duration::from_millis(3));
    assert_eq!(judge.score(&task, &whole, &ctx), 1.0);
    assert_eq!(judge.score(&task, br#"[{"text":"a"},{"text":"x"}]"#, &ctx), 1.0 / 3.0);
    assert_eq!(judge.score(&task, br#"{"text":"a"}"#, &ctx), 0.0, "one chunk is not the array of chunks");
    let protocol = subnet_core::spec::protocol_json(&echo::Subnet::protocol());
    assert!(protocol.contains(r#"{"task":"Prompt","answer":"Token","streamed":true}"#), "{protocol}");
}

#[tokio::test]
async fn a_streaming_subnet_runs_end_to_end_and_rewards_the_right_tokens() {
    let config = LocalNetConfig {
        epochs: 4,
        miners: vec![MinerBehaviour::Honest, MinerBehaviour::Flaky(60), MinerBehaviour::Dead],
        transport: Transport::Grpc,
        ..LocalNetConfig::default()
    };
    let reports = run_local_net::<echo::Subnet>(&config, |_| {}).await.unwrap();
    let last = reports.last().unwrap();
    let miner = |kind| last.neurons.iter().find(|n| n.role == Role::Miner(kind)).unwrap().clone();
    assert!(miner(MinerBehaviour::Honest).score > 0.9);
    assert!(miner(MinerBehaviour::Honest).incentive > miner(MinerBehaviour::Flaky(60)).incentive);
    assert_eq!(miner(MinerBehaviour::Dead).incentive, 0);
    assert!(SAW_FIRST_TOKEN_TIME.load(Ordering::SeqCst), "the validator streamed and timed the first token");
}
