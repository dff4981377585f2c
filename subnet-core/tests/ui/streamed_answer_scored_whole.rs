use subnet_core::prelude::*;

#[subnet(name = "s", version = 1)]
mod s {
    use super::*;
    #[task] pub struct Prompt { pub text: String }
    #[answer] pub struct Token { pub text: String }
    #[challenge] fn make(_rng: &mut Rng) -> Prompt { Prompt { text: "hi".into() } }
    #[miner] async fn generate(task: Prompt, out: Chunks<Token>) -> Result<()> {
        out.send(Token { text: task.text }).await?;
        Ok(())
    }
    // The answer is streamed, so the score must take the chunks, `&[Token]`.
    #[score] fn score(_t: &Prompt, _a: &Token) -> f64 { 1.0 }
    #[incentive] const M: Incentive = Incentive::moving_average(0.1);
}

fn main() {}
