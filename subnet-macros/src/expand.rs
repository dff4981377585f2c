//! Generate a subnet from its [`SubnetDef`]: the author's module, with serde derives on
//! the task and answer types, plus `Subnet` implementing the framework's traits:
//! `SubnetSpec` (name, version, mechanism, protocol description), `MinerSpec` (decode a
//! request, call the miner, encode the answer) and `JudgeSpec` (make a challenge,
//! score an answer).

use proc_macro2::TokenStream;
use quote::quote;
use syn::{parse_quote, Item};

use crate::model::{Arg, StateDef, SubnetDef};

pub fn expand(def: &SubnetDef) -> TokenStream {
    let mut module = def.module.clone();
    let (_, items) = module.content.as_mut().expect("parse checked the module is inline");
    for item in items.iter_mut() {
        let (attrs, ident) = match item {
            Item::Struct(s) => (&mut s.attrs, &s.ident),
            Item::Enum(e) => (&mut e.attrs, &e.ident),
            _ => continue,
        };
        if def.tasks.contains(ident) || def.answers.contains(ident) {
            attrs.push(parse_quote!(#[derive(::subnet_core::dsl::serde::Serialize, ::subnet_core::dsl::serde::Deserialize)]));
            attrs.push(parse_quote!(#[serde(crate = "::subnet_core::dsl::serde")]));
        }
    }
    items.push(Item::Verbatim(generated(def)));
    quote!(#module)
}

fn generated(def: &SubnetDef) -> TokenStream {
    let name = &def.name;
    let version = def.version;
    let incentive = &def.incentive;
    let access = match &def.access {
        Some(rules) => quote!(#rules),
        None => quote!(::subnet_core::net::AccessRules::validators_only()),
    };
    let protocol_tasks = def.miners.iter().map(|m| {
        let (task, answer, streamed) = (m.task.to_string(), m.answer.to_string(), m.streamed);
        quote!((#task, #answer, #streamed))
    });
    let (miner_state_ty, miner_state_init) = state_parts(def.miner_state.as_ref());
    let (judge_state_ty, judge_state_init) = state_parts(def.validator_state.as_ref());
    let miner_args = |m: &crate::model::MinerDef| -> Vec<TokenStream> {
        m.args
            .iter()
            .map(|a| match a {
                Arg::Task => quote!(task),
                Arg::State => quote!(&self.state),
                Arg::Context => quote!(ctx),
                Arg::Chunks => quote!(::subnet_core::dsl::Chunks::new(sink)),
                Arg::Rng => unreachable!("miners take no generator"),
            })
            .collect()
    };
    let miner_arms = def.miners.iter().map(|m| {
        let (task, answer, func) = (&m.task, &m.answer, &m.func);
        let task_name = task.to_string();
        let args = miner_args(m);
        if m.streamed {
            // Asked for whole: the chunks as one JSON array.
            return quote! {
                #task_name => {
                    let task: #task = envelope.body()?;
                    ::subnet_core::dsl::collect_chunks(|sink| async move {
                        #func(#(#args),*).await.map_err(::subnet_core::dsl::HandleError::miner)
                    })
                    .await
                }
            };
        }
        quote! {
            #task_name => {
                let task: #task = envelope.body()?;
                let answer: #answer = #func(#(#args),*).await.map_err(::subnet_core::dsl::HandleError::miner)?;
                ::subnet_core::dsl::encode_answer(&answer)
            }
        }
    });
    let stream_arms: Vec<TokenStream> = def
        .miners
        .iter()
        .filter(|m| m.streamed)
        .map(|m| {
            let (task, func) = (&m.task, &m.func);
            let task_name = task.to_string();
            let args = miner_args(m);
            quote! {
                #task_name => {
                    let task: #task = envelope.body()?;
                    #func(#(#args),*).await.map_err(::subnet_core::dsl::HandleError::miner)
                }
            }
        })
        .collect();
    let streamed_names: Vec<String> = def.miners.iter().filter(|m| m.streamed).map(|m| m.task.to_string()).collect();
    // Only subnets with streamed tasks override the one-chunk defaults.
    let (handle_stream, judge_streamed) = if stream_arms.is_empty() {
        (None, None)
    } else {
        let handle_stream = quote! {
            async fn handle_stream(
                &self,
                ctx: &::subnet_core::dsl::RequestContext,
                payload: &[u8],
                sink: ::subnet_core::dsl::ChunkSink,
            ) -> ::core::result::Result<(), ::subnet_core::dsl::HandleError> {
                let envelope = ::subnet_core::dsl::Envelope::decode(payload)?;
                match envelope.task.as_str() {
                    #(#stream_arms)*
                    _ => sink.send(::subnet_core::dsl::MinerSpec::handle(self, ctx, payload).await?).await,
                }
            }
        };
        let judge_streamed = quote! {
            fn streamed(&self, payload: &[u8]) -> bool {
                ::core::matches!(::subnet_core::dsl::Envelope::task_name(payload).as_deref(), ::core::option::Option::Some(#(#streamed_names)|*))
            }
        };
        (Some(handle_stream), Some(judge_streamed))
    };
    let n_challenges = def.challenges.len() as u64;
    let challenge_arms = def.challenges.iter().enumerate().map(|(i, c)| {
        let (i, func) = (i as u64, &c.func);
        let task_name = c.task.to_string();
        let args = c.args.iter().map(|a| match a {
            Arg::Rng => quote!(rng),
            Arg::State => quote!(&mut self.state),
            Arg::Task | Arg::Context | Arg::Chunks => unreachable!("challenges take a generator and state"),
        });
        quote!(#i => ::subnet_core::dsl::Envelope::encode(#task_name, &#func(#(#args),*)),)
    });
    let score_arms = def.scores.iter().map(|s| {
        let (task, answer, func) = (&s.task, &s.answer, &s.func);
        let task_name = task.to_string();
        if s.round {
            // A round of one.
            return quote! {
                #task_name => match envelope.body::<#task>() {
                    ::core::result::Result::Ok(task) => ::subnet_core::dsl::score_round_with(
                        &[(answer, ::core::clone::Clone::clone(miner))],
                        |a| ::subnet_core::dsl::decode_answer::<#answer>(a).ok(),
                        |answers| #func(&task, answers),
                    )[0],
                    ::core::result::Result::Err(_) => 0.0,
                },
            };
        }
        let ctx = s.with_context.then(|| quote!(, miner));
        // A streamed answer is the JSON array of its chunks.
        let decoded = if s.streamed { quote!(::std::vec::Vec<#answer>) } else { quote!(#answer) };
        quote! {
            #task_name => match (envelope.body::<#task>(), ::subnet_core::dsl::decode_answer::<#decoded>(answer)) {
                (::core::result::Result::Ok(task), ::core::result::Result::Ok(answer)) => #func(&task, &answer #ctx),
                _ => 0.0,
            },
        }
    });
    let round_arms: Vec<TokenStream> = def
        .scores
        .iter()
        .filter(|s| s.round)
        .map(|s| {
            let (task, answer, func) = (&s.task, &s.answer, &s.func);
            let task_name = task.to_string();
            quote! {
                #task_name => match envelope.body::<#task>() {
                    ::core::result::Result::Ok(task) => ::subnet_core::dsl::score_round_with(
                        answers,
                        |a| ::subnet_core::dsl::decode_answer::<#answer>(a).ok(),
                        |answers| #func(&task, answers),
                    ),
                    ::core::result::Result::Err(_) => ::std::vec![0.0; answers.len()],
                },
            }
        })
        .collect();
    // Only subnets with a round-level scorer override the per-answer default.
    let score_round = (!round_arms.is_empty()).then(|| {
        quote! {
            fn score_round(
                &mut self,
                payload: &[u8],
                answers: &[(&[u8], ::subnet_core::validator::MinerContext)],
            ) -> ::std::vec::Vec<f64> {
                let ::core::result::Result::Ok(envelope) = ::subnet_core::dsl::Envelope::decode(payload) else {
                    return ::std::vec![0.0; answers.len()];
                };
                match envelope.task.as_str() {
                    #(#round_arms)*
                    _ => answers.iter().map(|(answer, miner)| ::subnet_core::dsl::JudgeSpec::score(self, payload, answer, miner)).collect(),
                }
            }
        }
    });
    quote! {
        /// The subnet as the framework runs it (generated by `#[subnet]`).
        #[derive(Clone, Copy, Debug, Default)]
        pub struct Subnet;

        impl ::subnet_core::dsl::SubnetSpec for Subnet {
            const NAME: &'static str = #name;
            const VERSION: u64 = #version;
            type Miner = Miner;
            type Judge = Judge;
            fn mechanism() -> ::subnet_core::incentive::Incentive {
                #incentive
            }
            fn access() -> ::subnet_core::net::AccessRules {
                #access
            }
            fn protocol() -> ::subnet_core::dsl::Protocol {
                ::subnet_core::dsl::Protocol::new(#name, #version, &[#(#protocol_tasks),*])
            }
            fn miner() -> Miner {
                Miner { state: #miner_state_init }
            }
            fn judge() -> Judge {
                Judge { state: #judge_state_init }
            }
        }

        /// A miner of this subnet, with its state (generated by `#[subnet]`).
        pub struct Miner {
            #[allow(dead_code)]
            state: #miner_state_ty,
        }

        #[::subnet_core::dsl::async_trait]
        impl ::subnet_core::dsl::MinerSpec for Miner {
            async fn handle(
                &self,
                ctx: &::subnet_core::dsl::RequestContext,
                payload: &[u8],
            ) -> ::core::result::Result<::std::vec::Vec<u8>, ::subnet_core::dsl::HandleError> {
                let _ = ctx;
                let envelope = ::subnet_core::dsl::Envelope::decode(payload)?;
                match envelope.task.as_str() {
                    #(#miner_arms)*
                    other => ::core::result::Result::Err(::subnet_core::dsl::HandleError::UnknownTask(other.to_string())),
                }
            }
            #handle_stream
        }

        /// A validator's judge for this subnet, with its state (generated by `#[subnet]`).
        pub struct Judge {
            #[allow(dead_code)]
            state: #judge_state_ty,
        }

        impl ::subnet_core::dsl::JudgeSpec for Judge {
            // One challenge function makes `round % 1`, which is fine here.
            #[allow(clippy::modulo_one)]
            fn challenge(&mut self, round: u64, rng: &mut ::subnet_core::dsl::Rng) -> ::std::vec::Vec<u8> {
                let _ = &rng;
                match round % #n_challenges {
                    #(#challenge_arms)*
                    _ => ::core::unreachable!("round % the number of challenges"),
                }
            }
            fn score(&mut self, payload: &[u8], answer: &[u8], miner: &::subnet_core::validator::MinerContext) -> f64 {
                let _ = miner;
                let ::core::result::Result::Ok(envelope) = ::subnet_core::dsl::Envelope::decode(payload) else {
                    return 0.0;
                };
                match envelope.task.as_str() {
                    #(#score_arms)*
                    _ => 0.0,
                }
            }
            #score_round
            #judge_streamed
        }
    }
}

/// The state's type and how to build it; `()` without one.
fn state_parts(state: Option<&StateDef>) -> (TokenStream, TokenStream) {
    match state {
        Some(StateDef { func, ty }) => (quote!(#ty), quote!(#func())),
        None => (quote!(()), quote!(())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse;

    fn expand_str(attr: TokenStream, item: TokenStream) -> String {
        let def = parse(attr, item).expect("valid subnet");
        let file: syn::File = syn::parse2(expand(&def)).expect("expansion parses");
        prettyplease::unparse(&file)
    }

    #[test]
    fn sum_subnet_expansion() {
        let out = expand_str(
            quote!(name = "sum", version = 1),
            quote! {
                pub mod sum {
                    use super::*;
                    #[task] pub struct Add { pub a: i64, pub b: i64 }
                    #[answer] pub struct Total { pub value: i64 }
                    #[challenge] fn make(rng: &mut Rng) -> Add { Add { a: rng.gen_range(0..99), b: 1 } }
                    #[miner] async fn solve(task: Add) -> Result<Total> { Ok(Total { value: task.a + task.b }) }
                    #[score] fn score(task: &Add, answer: &Total) -> f64 { (answer.value == task.a + task.b) as u8 as f64 }
                    #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1).power(2.0);
                }
            },
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn stateful_subnet_expansion() {
        let out = expand_str(
            quote!(name = "lookup", version = 3),
            quote! {
                pub mod lookup {
                    use super::*;
                    pub struct Model { pub table: Vec<u64> }
                    pub struct Dataset { pub next: u64 }
                    #[task] pub struct Query { pub key: u64 }
                    #[answer] pub struct Value { pub value: u64 }
                    #[miner_state] fn load_model() -> Model { Model { table: vec![1, 2, 3] } }
                    #[validator_state] fn load_dataset() -> Dataset { Dataset { next: 0 } }
                    #[challenge] fn make(data: &mut Dataset, rng: &mut Rng) -> Query { data.next += 1; Query { key: data.next % 3 } }
                    #[miner] async fn look_up(ctx: &RequestContext, model: &Model, task: Query) -> Result<Value> {
                        Ok(Value { value: model.table[task.key as usize] })
                    }
                    #[score] fn score(task: &Query, answer: &Value, miner: &MinerContext) -> f64 { 1.0 }
                    #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
                    #[access] const ACCESS: AccessRules = AccessRules::validators_only().min_stake_tao(1_000);
                }
            },
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn round_scored_subnet_expansion() {
        let out = expand_str(
            quote!(name = "guess", version = 2),
            quote! {
                pub mod guess {
                    use super::*;
                    #[task] pub struct Target { pub secret: u32 }
                    #[answer] pub struct Guess { pub value: u32 }
                    #[challenge] fn make(rng: &mut Rng) -> Target { Target { secret: rng.gen_range(0..100) } }
                    #[miner] async fn guess(task: Target) -> Result<Guess> { Ok(Guess { value: task.secret }) }
                    #[score] fn rank(task: &Target, answers: &[Answered<Guess>]) -> Vec<f64> {
                        answers.iter().map(|a| (a.answer.value == task.secret) as u8 as f64).collect()
                    }
                    #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
                }
            },
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn streamed_subnet_expansion() {
        let out = expand_str(
            quote!(name = "echo", version = 1),
            quote! {
                pub mod echo {
                    use super::*;
                    #[task] pub struct Prompt { pub words: Vec<String> }
                    #[answer] pub struct Token { pub text: String }
                    #[challenge] fn make(rng: &mut Rng) -> Prompt { Prompt { words: vec!["a".into(); rng.gen_range(1..4)] } }
                    #[miner] async fn generate(task: Prompt, out: Chunks<Token>) -> Result<()> {
                        for w in task.words { out.send(Token { text: w }).await?; }
                        Ok(())
                    }
                    #[score] fn score(task: &Prompt, tokens: &[Token], miner: &MinerContext) -> f64 {
                        (tokens.len() == task.words.len()) as u8 as f64
                    }
                    #[incentive] const MECHANISM: Incentive = Incentive::moving_average(0.1);
                }
            },
        );
        insta::assert_snapshot!(out);
    }

    #[test]
    fn errors_are_collected_with_spans() {
        let err = parse(
            quote!(name = "bad", version = 1),
            quote! {
                mod bad {
                    #[task] pub struct Add { pub a: i64 }
                    #[answer] pub struct Total { pub value: i64 }
                    #[miner] fn solve(task: Add) -> Result<Total> { todo!() }
                    #[miner] async fn again(task: Add) -> Result<Total> { todo!() }
                }
            },
        )
        .err()
        .expect("invalid subnet");
        let messages: Vec<String> = err.into_iter().map(|e| e.to_string()).collect();
        assert_eq!(
            messages,
            vec![
                "a #[miner] function must be `async fn`",
                "task `Add` already has a miner, `solve`: one miner per task",
                "task `Add` has no #[score] function",
                "task `Add` has no #[challenge] function",
                "a subnet declares its incentive mechanism: `#[incentive] const MECHANISM: Incentive = …;`",
            ]
        );
    }
}
