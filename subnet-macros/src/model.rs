//! Parse a `#[subnet]` module into a [`SubnetDef`]: the author's declarations as plain
//! data, checked for consistency. Every problem found is reported, each at the span
//! of the author's code it concerns.

use proc_macro2::{Span, TokenStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Attribute, Expr, FnArg, GenericArgument, Ident, Item, ItemMod, Lit, Meta, PathArguments, ReturnType, Token, Type};

/// Marker attributes the author puts on items inside the module.
pub const MARKERS: [&str; 9] = ["task", "answer", "miner", "challenge", "score", "incentive", "access", "miner_state", "validator_state"];

pub struct SubnetDef {
    pub name: String,
    pub version: u64,
    /// The module, marker attributes removed.
    pub module: ItemMod,
    pub tasks: Vec<Ident>,
    pub answers: Vec<Ident>,
    pub miners: Vec<MinerDef>,
    pub challenges: Vec<ChallengeDef>,
    pub scores: Vec<ScoreDef>,
    pub incentive: Ident,
    /// Who the subnet's miners serve (`#[access] const ACCESS: AccessRules = …`).
    pub access: Option<Ident>,
    /// Built once when a miner starts, lent to every miner call.
    pub miner_state: Option<StateDef>,
    /// Built once when a validator starts, lent mutably to every challenge.
    pub validator_state: Option<StateDef>,
}

/// `#[miner_state] fn load() -> Model` / `#[validator_state] fn load() -> Dataset`.
pub struct StateDef {
    pub func: Ident,
    pub ty: Ident,
}

/// What a miner or challenge function takes, in the author's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    Task,
    State,
    Context,
    Rng,
    /// `Chunks<Answer>`: where a streaming miner sends its answer's chunks.
    Chunks,
}

pub struct MinerDef {
    pub func: Ident,
    pub task: Ident,
    /// The answer type, or for a streaming miner the type of each chunk.
    pub answer: Ident,
    pub args: Vec<Arg>,
    /// Sends its answer in chunks (takes `Chunks<Answer>`, returns `Result<()>`).
    pub streamed: bool,
}

pub struct ChallengeDef {
    pub func: Ident,
    pub task: Ident,
    pub args: Vec<Arg>,
}

pub struct ScoreDef {
    pub func: Ident,
    pub task: Ident,
    pub answer: Ident,
    /// Takes a third argument: the miner's context (UID, hotkey, latency).
    pub with_context: bool,
    /// Scores a whole round at once: `fn(&Task, &[Answered<Answer>]) -> Vec<f64>`.
    pub round: bool,
    /// Scores a streamed answer: `fn(&Task, &[Chunk]) -> f64`.
    pub streamed: bool,
}

/// Collects errors so the author sees all of them at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, span: Span, message: impl std::fmt::Display) {
        let e = syn::Error::new(span, message);
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }
    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(value),
        }
    }
}

/// Parse `#[subnet(name = "...", version = N)] mod … { … }`.
pub fn parse(attr: TokenStream, item: TokenStream) -> syn::Result<SubnetDef> {
    let mut errors = Errors::default();
    let (name, version) = parse_args(attr, &mut errors)?;
    let mut module: ItemMod = syn::parse2(item).map_err(|e| syn::Error::new(e.span(), "#[subnet] goes on a module: `mod my_subnet { … }`"))?;
    let Some((_, items)) = &mut module.content else {
        return Err(syn::Error::new(module.span(), "#[subnet] needs the module's items inline: `mod my_subnet { … }`"));
    };

    let mut tasks = Vec::new();
    let mut answers = Vec::new();
    let mut miner_fns = Vec::new();
    let mut challenge_fns = Vec::new();
    let mut score_fns = Vec::new();
    let mut incentives: Vec<Ident> = Vec::new();
    let mut accesses: Vec<Ident> = Vec::new();
    let mut state_fns: Vec<(String, syn::ItemFn)> = Vec::new();

    for item in items.iter_mut() {
        let Some(attrs) = item_attrs(item) else { continue };
        let markers = take_markers(attrs);
        for (marker, span) in markers {
            match (marker.as_str(), &*item) {
                ("task", Item::Struct(s)) => tasks.push(s.ident.clone()),
                ("task", Item::Enum(e)) => tasks.push(e.ident.clone()),
                ("answer", Item::Struct(s)) => answers.push(s.ident.clone()),
                ("answer", Item::Enum(e)) => answers.push(e.ident.clone()),
                ("task" | "answer", _) => errors.push(span, format!("#[{marker}] goes on a struct or an enum")),
                ("miner", Item::Fn(f)) => miner_fns.push(f.clone()),
                ("challenge", Item::Fn(f)) => challenge_fns.push(f.clone()),
                ("score", Item::Fn(f)) => score_fns.push(f.clone()),
                ("miner_state" | "validator_state", Item::Fn(f)) => state_fns.push((marker.clone(), f.clone())),
                ("miner" | "challenge" | "score" | "miner_state" | "validator_state", _) => {
                    errors.push(span, format!("#[{marker}] goes on a function"))
                }
                ("incentive", Item::Const(c)) => incentives.push(c.ident.clone()),
                ("access", Item::Const(c)) => accesses.push(c.ident.clone()),
                ("access", _) => errors.push(span, "#[access] goes on a const: `const ACCESS: AccessRules = AccessRules::validators_only();`"),
                ("incentive", _) => errors.push(span, "#[incentive] goes on a const: `const MECHANISM: Incentive = Incentive::moving_average(0.1);`"),
                _ => unreachable!("only known markers are taken"),
            }
        }
    }

    let is_task = |id: &Ident| tasks.contains(id);
    let is_answer = |id: &Ident| answers.contains(id);

    let mut miner_state = None;
    let mut validator_state = None;
    for (marker, f) in &state_fns {
        let slot = if marker == "miner_state" { &mut miner_state } else { &mut validator_state };
        let ty = match &f.sig.output {
            ReturnType::Type(_, t) => type_ident(t),
            ReturnType::Default => None,
        };
        match ty {
            _ if slot.is_some() => errors.push(f.sig.ident.span(), format!("only one #[{marker}] per subnet")),
            Some(ty) if f.sig.inputs.is_empty() && f.sig.asyncness.is_none() => *slot = Some(StateDef { func: f.sig.ident.clone(), ty }),
            _ => errors.push(f.sig.span(), format!("a #[{marker}] function is `fn load() -> MyState`, called once at start-up")),
        }
    }
    let state_of = |slot: &Option<StateDef>| slot.as_ref().map(|s| s.ty.clone());
    let (miner_state_ty, validator_state_ty) = (state_of(&miner_state), state_of(&validator_state));

    let mut miners: Vec<MinerDef> = Vec::new();
    for f in &miner_fns {
        if f.sig.asyncness.is_none() {
            errors.push(f.sig.fn_token.span(), "a #[miner] function must be `async fn`");
        }
        let mut task = None;
        let mut chunk_type = None;
        let mut args = Vec::new();
        for input in &f.sig.inputs {
            let FnArg::Typed(arg) = input else {
                errors.push(input.span(), "a #[miner] function is a free function, without `self`");
                continue;
            };
            if let Some(t) = type_ident(&arg.ty).filter(|t| is_task(t)) {
                task = Some(t);
                args.push(Arg::Task);
            } else if ref_type_ident(&arg.ty).is_some_and(|t| Some(&t) == miner_state_ty.as_ref()) {
                args.push(Arg::State);
            } else if ref_type_ident(&arg.ty).is_some_and(|t| t == "RequestContext") {
                args.push(Arg::Context);
            } else if let Some(chunk) = generic_arg_of(&arg.ty, "Chunks").filter(|a| is_answer(a)) {
                chunk_type = Some(chunk);
                args.push(Arg::Chunks);
            } else {
                errors.push(
                    arg.ty.span(),
                    "a #[miner] argument is the #[task] (by value), `&` the #[miner_state] type, `&RequestContext`, \
                     or `Chunks<A>` (A an #[answer] type) to stream the answer",
                );
            }
        }
        let Some(task) = task.filter(|_| args.iter().filter(|a| **a == Arg::Task).count() == 1) else {
            errors.push(f.sig.inputs.span(), "a #[miner] function takes one #[task] argument: `async fn solve(task: MyTask)`");
            continue;
        };
        let streamed = chunk_type.is_some();
        let answer = match chunk_type {
            Some(chunk) if args.iter().filter(|a| **a == Arg::Chunks).count() == 1 && returns_unit_result(&f.sig.output) => chunk,
            Some(_) => {
                errors.push(f.sig.output.span(), "a streaming #[miner] takes one `Chunks<A>` and returns `Result<()>`");
                continue;
            }
            None => match result_ok_type(&f.sig.output).filter(|a| is_answer(a)) {
                Some(answer) => answer,
                None => {
                    errors.push(f.sig.output.span(), "a #[miner] function returns `Result<A>` where A is an #[answer] type");
                    continue;
                }
            },
        };
        if let Some(first) = miners.iter().find(|m| m.task == task) {
            errors.push(f.sig.ident.span(), format!("task `{task}` already has a miner, `{}`: one miner per task", first.func));
            continue;
        }
        miners.push(MinerDef { func: f.sig.ident.clone(), task, answer, args, streamed });
    }

    let mut challenges = Vec::new();
    for f in &challenge_fns {
        let mut args = Vec::new();
        for input in &f.sig.inputs {
            let mut_ref = match input {
                FnArg::Typed(a) => match &*a.ty {
                    Type::Reference(r) if r.mutability.is_some() => type_ident(&r.elem),
                    _ => None,
                },
                FnArg::Receiver(_) => None,
            };
            match mut_ref {
                Some(t) if t == "Rng" => args.push(Arg::Rng),
                Some(t) if Some(&t) == validator_state_ty.as_ref() => args.push(Arg::State),
                _ => errors.push(input.span(), "a #[challenge] argument is `&mut Rng` or `&mut` the #[validator_state] type"),
            }
        }
        let returned = match &f.sig.output {
            ReturnType::Type(_, t) => type_ident(t),
            ReturnType::Default => None,
        };
        match returned.filter(|t| is_task(t)) {
            Some(task) => challenges.push(ChallengeDef { func: f.sig.ident.clone(), task, args }),
            None => errors.push(f.sig.output.span(), "a #[challenge] function returns a #[task] type"),
        }
    }

    let mut scores: Vec<ScoreDef> = Vec::new();
    for f in &score_fns {
        let args: Vec<&FnArg> = f.sig.inputs.iter().collect();
        let typed = |i: usize| match args.get(i) {
            Some(FnArg::Typed(a)) => ref_type_ident(&a.ty),
            _ => None,
        };
        let task = typed(0).filter(|t| is_task(t));
        let round_answer = match args.get(1) {
            Some(FnArg::Typed(a)) => answered_slice_type(&a.ty),
            _ => None,
        };
        let returns = |name: &str| matches!(&f.sig.output, ReturnType::Type(_, t) if type_ident(t).is_some_and(|i| i == name));
        let returns_scores = matches!(&f.sig.output, ReturnType::Type(_, t) if vec_of_f64(t));
        let chunk_slice = match args.get(1) {
            Some(FnArg::Typed(a)) => slice_type(&a.ty).filter(|c| is_answer(c)),
            _ => None,
        };
        // (answer type, round-level, streamed)
        let shape = match (round_answer, chunk_slice, typed(1).filter(|a| is_answer(a))) {
            (Some(a), _, _) if is_answer(&a) && args.len() == 2 && returns_scores => Some((a, true, false)),
            (None, Some(c), _) if matches!(args.len(), 2 | 3) && returns("f64") => Some((c, false, true)),
            (None, None, Some(a)) if matches!(args.len(), 2 | 3) && returns("f64") => Some((a, false, false)),
            _ => None,
        };
        match (task, shape) {
            (Some(task), Some((answer, round, streamed))) => {
                if scores.iter().any(|s| s.task == task) {
                    errors.push(f.sig.ident.span(), format!("task `{task}` already has a #[score] function"));
                } else {
                    scores.push(ScoreDef { func: f.sig.ident.clone(), task, answer, with_context: args.len() == 3, round, streamed });
                }
            }
            _ => errors.push(
                f.sig.span(),
                "a #[score] function is `fn score(task: &MyTask, answer: &MyAnswer) -> f64` (optionally a third argument, \
                 `&MinerContext`), scores a streamed answer: `fn score(task: &MyTask, chunks: &[MyChunk]) -> f64`, \
                 or scores a round: `fn rank(task: &MyTask, answers: &[Answered<MyAnswer>]) -> Vec<f64>`",
            ),
        }
    }

    for task in &tasks {
        if !miners.iter().any(|m| &m.task == task) {
            errors.push(task.span(), format!("task `{task}` has no #[miner] function"));
        }
        if !scores.iter().any(|s| &s.task == task) {
            errors.push(task.span(), format!("task `{task}` has no #[score] function"));
        }
        if !challenges.iter().any(|c| &c.task == task) {
            errors.push(task.span(), format!("task `{task}` has no #[challenge] function"));
        }
    }
    if tasks.is_empty() {
        errors.push(module.ident.span(), "a subnet declares at least one #[task] type");
    }
    for s in &scores {
        let Some(m) = miners.iter().find(|m| m.task == s.task) else { continue };
        if m.answer != s.answer {
            errors.push(s.answer.span(), format!("`{}` answers task `{}` with `{}`, not `{}`", m.func, s.task, m.answer, s.answer));
        } else if m.streamed && !s.streamed {
            errors.push(
                s.func.span(),
                format!("`{}` streams its answer: score the chunks, `fn {}(task: &{}, chunks: &[{}]) -> f64`", m.func, s.func, s.task, s.answer),
            );
        } else if s.streamed && !m.streamed {
            errors.push(
                s.func.span(),
                format!("`{}` scores chunks, but `{}` does not stream: take `&{}`, or stream with `Chunks<{}>`", s.func, m.func, s.answer, s.answer),
            );
        }
    }
    let incentive = match incentives.as_slice() {
        [one] => Some(one.clone()),
        [] => {
            errors.push(module.ident.span(), "a subnet declares its incentive mechanism: `#[incentive] const MECHANISM: Incentive = …;`");
            None
        }
        [_, second, ..] => {
            errors.push(second.span(), "only one #[incentive] per subnet");
            None
        }
    };
    if let Some(second) = accesses.get(1) {
        errors.push(second.span(), "only one #[access] per subnet");
    }
    let access = accesses.first().cloned();
    let def = incentive.map(|incentive| SubnetDef {
        name,
        version,
        module,
        tasks,
        answers,
        miners,
        challenges,
        scores,
        incentive,
        access,
        miner_state,
        validator_state,
    });
    errors.finish(()).map(|()| def.expect("no error means every part was found"))
}

fn parse_args(attr: TokenStream, errors: &mut Errors) -> syn::Result<(String, u64)> {
    let args = syn::parse::Parser::parse2(Punctuated::<Meta, Token![,]>::parse_terminated, attr)?;
    let mut name = None;
    let mut version = None;
    for arg in &args {
        let Meta::NameValue(nv) = arg else {
            errors.push(arg.span(), "expected `name = \"…\"` or `version = N`");
            continue;
        };
        let lit = match &nv.value {
            Expr::Lit(l) => Some(&l.lit),
            _ => None,
        };
        match (nv.path.get_ident().map(|i| i.to_string()).as_deref(), lit) {
            (Some("name"), Some(Lit::Str(s))) => name = Some(s.value()),
            (Some("version"), Some(Lit::Int(i))) => match i.base10_parse::<u64>() {
                Ok(v) => version = Some(v),
                Err(e) => errors.push(i.span(), e),
            },
            (Some("name"), _) => errors.push(nv.value.span(), "name is a string: `name = \"my-subnet\"`"),
            (Some("version"), _) => errors.push(nv.value.span(), "version is an integer: `version = 1`"),
            _ => errors.push(nv.path.span(), "unknown argument: #[subnet] takes `name` and `version`"),
        }
    }
    let span = Span::call_site();
    if name.is_none() && errors.0.is_none() {
        errors.push(span, "#[subnet] needs a name: `#[subnet(name = \"my-subnet\", version = 1)]`");
    }
    if version.is_none() && errors.0.is_none() {
        errors.push(span, "#[subnet] needs a version: `#[subnet(name = \"my-subnet\", version = 1)]`");
    }
    Ok((name.unwrap_or_default(), version.unwrap_or_default()))
}

fn item_attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Struct(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::Const(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        _ => return None,
    })
}

/// Remove the marker attributes, returning them with their spans.
fn take_markers(attrs: &mut Vec<Attribute>) -> Vec<(String, Span)> {
    let mut found = Vec::new();
    attrs.retain(|a| match a.path().get_ident().map(|i| i.to_string()) {
        Some(name) if MARKERS.contains(&name.as_str()) => {
            found.push((name, a.span()));
            false
        }
        _ => true,
    });
    found
}

/// `Foo` (last path segment) of a plain type path.
/// `X` in `&[Answered<X>]`.
fn answered_slice_type(ty: &Type) -> Option<Ident> {
    let Type::Reference(r) = ty else { return None };
    let Type::Slice(slice) = &*r.elem else { return None };
    generic_arg_of(&slice.elem, "Answered")
}

/// `X` in `&[X]`.
fn slice_type(ty: &Type) -> Option<Ident> {
    let Type::Reference(r) = ty else { return None };
    let Type::Slice(slice) = &*r.elem else { return None };
    type_ident(&slice.elem)
}

/// `-> Result<()>`.
fn returns_unit_result(ret: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = ret else { return false };
    let Type::Path(p) = &**ty else { return false };
    let Some(last) = p.path.segments.last().filter(|s| s.ident == "Result") else { return false };
    let PathArguments::AngleBracketed(args) = &last.arguments else { return false };
    matches!(args.args.first(), Some(GenericArgument::Type(Type::Tuple(t))) if t.elems.is_empty())
}

/// `Vec<f64>`.
fn vec_of_f64(ty: &Type) -> bool {
    generic_arg_of(ty, "Vec").is_some_and(|i| i == "f64")
}

/// `X` in `Outer<X>` (the last path segment named `outer`).
fn generic_arg_of(ty: &Type, outer: &str) -> Option<Ident> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last().filter(|s| s.ident == outer)?;
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        GenericArgument::Type(t) => type_ident(t),
        _ => None,
    }
}

fn type_ident(ty: &Type) -> Option<Ident> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.clone()),
        _ => None,
    }
}

/// `Foo` of `&Foo`.
fn ref_type_ident(ty: &Type) -> Option<Ident> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => type_ident(&r.elem),
        _ => None,
    }
}

/// `A` of `-> Result<A>` / `-> Result<A, E>` / `-> anyhow::Result<A>`.
fn result_ok_type(ret: &ReturnType) -> Option<Ident> {
    let ReturnType::Type(_, ty) = ret else { return None };
    generic_arg_of(ty, "Result")
}
