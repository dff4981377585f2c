//! Reading the shape of the types in a marked function's signature: `&Foo`,
//! `&[Answered<X>]`, `Result<A>`, … Names are matched on the last path segment, so
//! `anyhow::Result<A>` reads as `Result<A>`.

use syn::{GenericArgument, Ident, PathArguments, ReturnType, Type};

/// `Foo` (last path segment) of a plain type path.
pub(super) fn type_ident(ty: &Type) -> Option<Ident> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.clone()),
        _ => None,
    }
}

/// `Foo` of `&Foo`.
pub(super) fn ref_type_ident(ty: &Type) -> Option<Ident> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => type_ident(&r.elem),
        _ => None,
    }
}

/// `Foo` of `&mut Foo`.
pub(super) fn mut_ref_type_ident(ty: &Type) -> Option<Ident> {
    match ty {
        Type::Reference(r) if r.mutability.is_some() => type_ident(&r.elem),
        _ => None,
    }
}

/// `X` in `Outer<X>` (the last path segment named `outer`).
pub(super) fn generic_arg_of(ty: &Type, outer: &str) -> Option<Ident> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last().filter(|s| s.ident == outer)?;
    let PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    match args.args.first()? {
        GenericArgument::Type(t) => type_ident(t),
        _ => None,
    }
}

/// `X` in `&[Answered<X>]`.
pub(super) fn answered_slice_type(ty: &Type) -> Option<Ident> {
    let Type::Reference(r) = ty else { return None };
    let Type::Slice(slice) = &*r.elem else { return None };
    generic_arg_of(&slice.elem, "Answered")
}

/// `X` in `&[X]`.
pub(super) fn slice_type(ty: &Type) -> Option<Ident> {
    let Type::Reference(r) = ty else { return None };
    let Type::Slice(slice) = &*r.elem else { return None };
    type_ident(&slice.elem)
}

/// `Vec<f64>`.
pub(super) fn vec_of_f64(ty: &Type) -> bool {
    generic_arg_of(ty, "Vec").is_some_and(|i| i == "f64")
}

/// The returned type's name, if any.
pub(super) fn returned_ident(ret: &ReturnType) -> Option<Ident> {
    match ret {
        ReturnType::Type(_, t) => type_ident(t),
        ReturnType::Default => None,
    }
}

/// `-> Result<()>`.
pub(super) fn returns_unit_result(ret: &ReturnType) -> bool {
    let ReturnType::Type(_, ty) = ret else { return false };
    let Type::Path(p) = &**ty else { return false };
    let Some(last) = p.path.segments.last().filter(|s| s.ident == "Result") else { return false };
    let PathArguments::AngleBracketed(args) = &last.arguments else { return false };
    matches!(args.args.first(), Some(GenericArgument::Type(Type::Tuple(t))) if t.elems.is_empty())
}

/// `A` of `-> Result<A>` / `-> Result<A, E>` / `-> anyhow::Result<A>`.
pub(super) fn result_ok_type(ret: &ReturnType) -> Option<Ident> {
    let ReturnType::Type(_, ty) = ret else { return None };
    generic_arg_of(ty, "Result")
}
