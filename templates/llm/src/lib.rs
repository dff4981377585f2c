//! {{subnet_name}}: text generation. Validators send a prompt; miners stream the
//! continuation token by token; validators score it against their reference model
//! (here a small bigram model standing in for an LLM) and reward a quick first token.
//!
//! Replace [`Model`] with a real model: load it in `load_model` (once, at start-up),
//! generate in `generate`, and score against the reference in `score`.

use std::collections::HashMap;
use std::sync::OnceLock;

use subnet_core::prelude::*;

/// The text both sides learn from (a real subnet ships weights instead).
const CORPUS: &str = "the miner streams tokens to the validator and the validator scores the tokens \
    the chain turns the weights into rewards and the miners with better tokens earn more \
    a subnet is a market for one task and the validator sets the weights on the chain";

/// A greedy bigram model: after each word, the word that most often follows it.
pub struct Model {
    next: HashMap<String, String>,
}

impl Model {
    pub fn from_corpus(corpus: &str) -> Self {
        let words: Vec<&str> = corpus.split_whitespace().collect();
        let mut counts: HashMap<(&str, &str), usize> = HashMap::new();
        for pair in words.windows(2) {
            *counts.entry((pair[0], pair[1])).or_default() += 1;
        }
        let mut best: HashMap<&str, (&str, usize)> = HashMap::new();
        for ((a, b), n) in counts {
            let entry = best.entry(a).or_insert((b, 0));
            // Most frequent, ties broken alphabetically, so every run agrees.
            if n > entry.1 || (n == entry.1 && b < entry.0) {
                *entry = (b, n);
            }
        }
        Self { next: best.into_iter().map(|(a, (b, _))| (a.to_string(), b.to_string())).collect() }
    }

    /// The next `n` words after `prompt`'s last word (fewer if the model runs dry).
    pub fn continue_text(&self, prompt: &str, n: usize) -> Vec<String> {
        let mut word = prompt.split_whitespace().last().unwrap_or_default().to_string();
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let Some(next) = self.next.get(&word) else { break };
            out.push(next.clone());
            word = next.clone();
        }
        out
    }

    pub fn vocabulary(&self) -> Vec<&str> {
        let mut words: Vec<&str> = self.next.keys().map(String::as_str).collect();
        words.sort_unstable();
        words
    }
}

/// The validators' reference model, built on first use.
pub fn reference() -> &'static Model {
    static MODEL: OnceLock<Model> = OnceLock::new();
    MODEL.get_or_init(|| Model::from_corpus(CORPUS))
}

#[subnet(name = "{{subnet_name}}", version = 1)]
pub mod {{crate_name}} {
    use super::*;

    #[task]
    pub struct Prompt {
        pub text: String,
        pub max_tokens: u32,
    }

    /// One streamed token.
    #[answer]
    pub struct Token {
        pub text: String,
    }

    #[miner_state]
    fn load_model() -> Model {
        Model::from_corpus(CORPUS)
    }

    #[challenge]
    fn make(rng: &mut Rng) -> Prompt {
        let words = reference().vocabulary();
        Prompt { text: words[rng.gen_range(0..words.len())].to_string(), max_tokens: rng.gen_range(4..12) }
    }

    #[miner]
    async fn generate(model: &Model, task: Prompt, out: Chunks<Token>) -> Result<()> {
        for word in model.continue_text(&task.text, task.max_tokens.min(256) as usize) {
            out.send(Token { text: word }).await?;
        }
        Ok(())
    }

    /// Agreement with the reference continuation, token by token (extra tokens count
    /// against), times a bonus for a first token within 100 ms.
    #[score]
    fn score(task: &Prompt, tokens: &[Token], miner: &MinerContext) -> f64 {
        let expected = reference().continue_text(&task.text, task.max_tokens.min(256) as usize);
        if expected.is_empty() {
            return tokens.is_empty() as u8 as f64;
        }
        let agreed = expected.iter().zip(tokens).filter(|(e, t)| **e == t.text).count();
        let quality = agreed as f64 / expected.len().max(tokens.len()) as f64;
        let first = miner.first_chunk.unwrap_or(miner.latency).as_secs_f64();
        quality * (0.8 + 0.2 * (1.0 - first / 0.1).clamp(0.0, 1.0))
    }

    #[incentive]
    const MECHANISM: Incentive = Incentive::moving_average(0.3).power(2.0);
}
