//! The served node's runtime metadata compared with a real Subtensor runtime's (finney's,
//! `tests/data/finney-393/`): transaction extensions, the type paths clients look up,
//! and every call, event, error, storage item, constant and runtime API the node
//! declares, each against the same item of the real runtime.
//!
//! Only what the node declares is compared (it declares less than a real runtime).
//! Types compare by shape, never by id: primitives, compacts, sequences, arrays, tuples,
//! composites (field names and shapes in order) and variants (names, indices, fields),
//! with the paths of composites and variants, which Python's scalecodec and bittensor
//! use to choose their codecs. Metadata V14, V15 and V16 are read alike.

use std::collections::BTreeSet;
use std::fmt;

use codec::Decode;
use frame_metadata::v14::{StorageEntryModifier, StorageEntryType, StorageHasher};
use frame_metadata::{RuntimeMetadata, RuntimeMetadataPrefixed};
use scale_info::form::PortableForm;
use scale_info::{Field, PortableRegistry, Type, TypeDef};

/// What part of the metadata a difference is in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    /// Transaction extensions: identifiers in order, explicit and implicit types.
    Extensions,
    /// The paths of the extrinsic's parts, the event record, the outer enums and `AccountInfo`.
    TypePaths,
    /// Pallet calls (pallet and call indices, argument names and shapes).
    Calls,
    /// Pallet events.
    Events,
    /// Pallet errors (names and indices: a module error names its variant by index).
    Errors,
    /// Storage items: modifier, hashers, key and value shapes, default.
    Storage,
    /// Pallet constants: types and values.
    Constants,
    /// Runtime APIs: versions, method inputs and outputs.
    Apis,
}

impl Group {
    /// Every group, in report order.
    pub const ALL: [Group; 8] =
        [Group::Extensions, Group::TypePaths, Group::Calls, Group::Events, Group::Errors, Group::Storage, Group::Constants, Group::Apis];

    /// The group's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Group::Extensions => "extensions",
            Group::TypePaths => "type paths",
            Group::Calls => "calls",
            Group::Events => "events",
            Group::Errors => "errors",
            Group::Storage => "storage",
            Group::Constants => "constants",
            Group::Apis => "runtime APIs",
        }
    }
}

/// How a difference matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// The node declares something the reference runtime does not have.
    Missing,
    /// The SCALE encoding differs (structure, field or variant names, indices, order).
    Shape,
    /// Same bytes, different type path (or a newtype on one side only).
    Path,
    /// A constant's value or a runtime API's version differs.
    Value,
    /// A storage item's default differs (the node's defaults are its own chain's).
    Default,
}

impl Kind {
    /// The kind's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Missing => "missing",
            Kind::Shape => "shape",
            Kind::Path => "path",
            Kind::Value => "value",
            Kind::Default => "default",
        }
    }
}

/// One difference between the node's metadata and the reference's.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// The part of the metadata.
    pub group: Group,
    /// The item: `Pallet.call`, `Pallet::Storage`, `Api.method`, an extension's identifier…
    pub item: String,
    /// Where inside the item (`.field`, `::Variant`, `[]` for a sequence's items), or empty.
    pub at: String,
    /// How it matters.
    pub kind: Kind,
    /// What differs: the node's side, then the reference's.
    pub detail: String,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = if self.at.is_empty() { String::new() } else { format!(" at {}", self.at) };
        write!(f, "[{}] {}{}: {}", self.kind.name(), self.item, at, self.detail)
    }
}

/// The differences found, in group order.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Every difference, sorted by group, then item.
    pub differences: Vec<Difference>,
}

impl Report {
    /// A text report grouped by [`Group`], one line per difference.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for group in Group::ALL {
            let items: Vec<&Difference> = self.differences.iter().filter(|d| d.group == group).collect();
            out.push_str(&format!("## {} ({} differences)\n", group.name(), items.len()));
            for d in items {
                out.push_str(&format!("- {d}\n"));
            }
            out.push('\n');
        }
        out
    }
}

/// Metadata the comparison cannot read.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    /// The bytes are not SCALE-encoded `RuntimeMetadataPrefixed`.
    #[error("not runtime metadata: {0}")]
    Decode(#[from] codec::Error),
    /// A metadata version other than V14, V15 or V16.
    #[error("metadata version {0} is not compared (V14, V15 and V16 are)")]
    Version(u32),
}

/// Decodes SCALE-encoded runtime metadata (`meta` prefix), as `state_getMetadata` answers it
/// and `subxt metadata -f bytes` saves it.
pub fn decode(bytes: &[u8]) -> Result<RuntimeMetadataPrefixed, DiffError> {
    Ok(RuntimeMetadataPrefixed::decode(&mut &bytes[..])?)
}

/// Compares the node's metadata (`ours`) with a reference runtime's, for every item `ours`
/// declares. `api_versions` are the runtime API versions the node reports in
/// `Core_version` (compared with V16's, which carries them).
pub fn compare(ours: &RuntimeMetadataPrefixed, reference: &RuntimeMetadataPrefixed, api_versions: &[(&str, u32)]) -> Result<Report, DiffError> {
    let ours = View::new(ours)?;
    let theirs = View::new(reference)?;
    let mut c = Cmp { ours: &ours, theirs: &theirs, out: Vec::new() };
    c.extensions();
    c.type_paths();
    c.pallets();
    c.apis(api_versions);
    let mut differences = c.out;
    differences.sort();
    differences.dedup();
    Ok(Report { differences })
}

/// The variants (index, name) of a pallet's call, event or error enum, in index order;
/// `None` if the pallet or that enum is not declared, or `group` is none of the three.
pub fn variant_names(metadata: &RuntimeMetadataPrefixed, pallet: &str, group: Group) -> Result<Option<Vec<(u8, String)>>, DiffError> {
    let view = View::new(metadata)?;
    let Some(p) = view.pallet(pallet) else { return Ok(None) };
    let ty = match group {
        Group::Calls => p.calls,
        Group::Events => p.event,
        Group::Errors => p.error,
        _ => None,
    };
    let Some(TypeDef::Variant(v)) = ty.and_then(|t| view.ty(t)).map(|t| &t.type_def) else { return Ok(None) };
    let mut names: Vec<(u8, String)> = v.variants.iter().map(|v| (v.index, v.name.clone())).collect();
    names.sort();
    Ok(Some(names))
}

// ---------------------------------------------------------------------------------
// A version-independent view of one metadata.

struct Extension<'a> {
    identifier: &'a str,
    explicit: u32,
    implicit: u32,
}

struct Entry<'a> {
    name: &'a str,
    modifier: &'a StorageEntryModifier,
    ty: &'a StorageEntryType<PortableForm>,
    default: &'a [u8],
}

struct Constant<'a> {
    name: &'a str,
    ty: u32,
    value: &'a [u8],
}

struct Pallet<'a> {
    name: &'a str,
    index: u8,
    calls: Option<u32>,
    event: Option<u32>,
    error: Option<u32>,
    storage: Option<(&'a str, Vec<Entry<'a>>)>,
    constants: Vec<Constant<'a>>,
}

struct Method<'a> {
    name: &'a str,
    inputs: Vec<(&'a str, u32)>,
    output: u32,
}

struct Api<'a> {
    name: &'a str,
    version: Option<u32>,
    methods: Vec<Method<'a>>,
}

struct View<'a> {
    types: &'a PortableRegistry,
    extensions: Vec<Extension<'a>>,
    /// The extrinsic's address, call and signature types (V14: `UncheckedExtrinsic`'s parameters).
    address: Option<u32>,
    call: Option<u32>,
    signature: Option<u32>,
    /// The outer event and error enums (V15 and later).
    event: Option<u32>,
    error: Option<u32>,
    pallets: Vec<Pallet<'a>>,
    apis: Vec<Api<'a>>,
}

/// Builds a [`Pallet`] from any version's pallet metadata (their fields share names).
macro_rules! pallet_view {
    ($p:expr) => {{
        let p = $p;
        Pallet {
            name: &p.name,
            index: p.index,
            calls: p.calls.as_ref().map(|c| c.ty.id),
            event: p.event.as_ref().map(|e| e.ty.id),
            error: p.error.as_ref().map(|e| e.ty.id),
            storage: p.storage.as_ref().map(|s| {
                let entries = s.entries.iter().map(|e| Entry { name: &e.name, modifier: &e.modifier, ty: &e.ty, default: &e.default }).collect();
                (&*s.prefix, entries)
            }),
            constants: p.constants.iter().map(|c| Constant { name: &c.name, ty: c.ty.id, value: &c.value }).collect(),
        }
    }};
}

/// Builds an [`Api`] from V15's or V16's runtime API metadata.
macro_rules! api_view {
    ($a:expr, $version:expr) => {{
        let a = $a;
        Api {
            name: &a.name,
            version: $version,
            methods: a
                .methods
                .iter()
                .map(|m| Method { name: &m.name, inputs: m.inputs.iter().map(|i| (&*i.name, i.ty.id)).collect(), output: m.output.id })
                .collect(),
        }
    }};
}

impl<'a> View<'a> {
    fn new(metadata: &'a RuntimeMetadataPrefixed) -> Result<Self, DiffError> {
        match &metadata.1 {
            RuntimeMetadata::V14(m) => {
                let param = |name: &str| {
                    m.types.resolve(m.extrinsic.ty.id).and_then(|t| t.type_params.iter().find(|p| p.name == name)).and_then(|p| p.ty).map(|t| t.id)
                };
                Ok(View {
                    types: &m.types,
                    extensions: m
                        .extrinsic
                        .signed_extensions
                        .iter()
                        .map(|e| Extension { identifier: &e.identifier, explicit: e.ty.id, implicit: e.additional_signed.id })
                        .collect(),
                    address: param("Address"),
                    call: param("Call"),
                    signature: param("Signature"),
                    event: None,
                    error: None,
                    pallets: m.pallets.iter().map(|p| pallet_view!(p)).collect(),
                    apis: Vec::new(),
                })
            }
            RuntimeMetadata::V15(m) => Ok(View {
                types: &m.types,
                extensions: m
                    .extrinsic
                    .signed_extensions
                    .iter()
                    .map(|e| Extension { identifier: &e.identifier, explicit: e.ty.id, implicit: e.additional_signed.id })
                    .collect(),
                address: Some(m.extrinsic.address_ty.id),
                call: Some(m.extrinsic.call_ty.id),
                signature: Some(m.extrinsic.signature_ty.id),
                event: Some(m.outer_enums.event_enum_ty.id),
                error: Some(m.outer_enums.error_enum_ty.id),
                pallets: m.pallets.iter().map(|p| pallet_view!(p)).collect(),
                apis: m.apis.iter().map(|a| api_view!(a, None)).collect(),
            }),
            RuntimeMetadata::V16(m) => {
                // Extension version 0 is what extrinsic V4 (and V5 "general" version 0) uses.
                let all = &m.extrinsic.transaction_extensions;
                let extensions = match m.extrinsic.transaction_extensions_by_version.get(&0) {
                    Some(indices) => indices.iter().filter_map(|i| all.get(i.0 as usize)).collect::<Vec<_>>(),
                    None => all.iter().collect(),
                };
                Ok(View {
                    types: &m.types,
                    extensions: extensions
                        .into_iter()
                        .map(|e| Extension { identifier: &e.identifier, explicit: e.ty.id, implicit: e.implicit.id })
                        .collect(),
                    address: Some(m.extrinsic.address_ty.id),
                    call: Some(m.extrinsic.call_ty.id),
                    signature: Some(m.extrinsic.signature_ty.id),
                    event: Some(m.outer_enums.event_enum_ty.id),
                    error: Some(m.outer_enums.error_enum_ty.id),
                    pallets: m.pallets.iter().map(|p| pallet_view!(p)).collect(),
                    apis: m.apis.iter().map(|a| api_view!(a, Some(a.version.0))).collect(),
                })
            }
            other => Err(DiffError::Version(other.version())),
        }
    }

    fn pallet(&self, name: &str) -> Option<&Pallet<'a>> {
        self.pallets.iter().find(|p| p.name == name)
    }

    fn ty(&self, id: u32) -> Option<&'a Type<PortableForm>> {
        self.types.resolve(id)
    }

    /// The type of `System::Events`' records (`frame_system::EventRecord`), if declared.
    fn event_record(&self) -> Option<u32> {
        let (_, entries) = self.pallet("System")?.storage.as_ref()?;
        let entry = entries.iter().find(|e| e.name == "Events")?;
        let StorageEntryType::Plain(ty) = entry.ty else { return None };
        match &self.ty(ty.id)?.type_def {
            TypeDef::Sequence(s) => Some(s.type_param.id),
            _ => None,
        }
    }

    /// The type of a composite's named field.
    fn field(&self, ty: u32, name: &str) -> Option<u32> {
        match &self.ty(ty)?.type_def {
            TypeDef::Composite(c) => c.fields.iter().find(|f| f.name.as_deref() == Some(name)).map(|f| f.ty.id),
            _ => None,
        }
    }

    /// The value type of a storage item.
    fn storage_value(&self, pallet: &str, name: &str) -> Option<u32> {
        let (_, entries) = self.pallet(pallet)?.storage.as_ref()?;
        match entries.iter().find(|e| e.name == name)?.ty {
            StorageEntryType::Plain(v) => Some(v.id),
            StorageEntryType::Map { value, .. } => Some(value.id),
        }
    }

    fn path(&self, id: u32) -> String {
        self.ty(id).map(|t| t.path.segments.join("::")).unwrap_or_else(|| format!("<unknown type {id}>"))
    }

    /// A one-line name of a type, for messages.
    fn short(&self, id: u32) -> String {
        let Some(t) = self.ty(id) else { return format!("<unknown type {id}>") };
        match &t.type_def {
            TypeDef::Primitive(p) => format!("{p:?}").to_lowercase(),
            TypeDef::Compact(c) => format!("Compact<{}>", self.short(c.type_param.id)),
            TypeDef::Sequence(s) => format!("Vec<{}>", self.short(s.type_param.id)),
            TypeDef::Array(a) => format!("[{}; {}]", self.short(a.type_param.id), a.len),
            TypeDef::Tuple(t) => format!("({})", t.fields.iter().map(|f| self.short(f.id)).collect::<Vec<_>>().join(", ")),
            TypeDef::BitSequence(_) => "BitVec".to_string(),
            TypeDef::Composite(_) | TypeDef::Variant(_) => {
                let params: Vec<String> = t.type_params.iter().filter_map(|p| p.ty.map(|ty| self.short(ty.id))).collect();
                let path = if t.path.segments.is_empty() { "<anonymous>".to_string() } else { t.path.segments.join("::") };
                if params.is_empty() {
                    path
                } else {
                    format!("{path}<{}>", params.join(", "))
                }
            }
        }
    }

    /// The single unnamed field of a newtype composite (`struct X(T)`), if the type is one.
    fn newtype_inner(&self, id: u32) -> Option<u32> {
        match &self.ty(id)?.type_def {
            TypeDef::Composite(c) if c.fields.len() == 1 && c.fields[0].name.is_none() => Some(c.fields[0].ty.id),
            _ => None,
        }
    }
}

// ---------------------------------------------------------------------------------
// The comparison.

struct Cmp<'v, 'a> {
    ours: &'v View<'a>,
    theirs: &'v View<'a>,
    out: Vec<Difference>,
}

/// Enums a runtime declares in part only (the node has fewer calls, events, errors and
/// pallets): their reference variants the node lacks are not differences.
fn declared_in_part(path: &[String]) -> bool {
    matches!(path.last().map(String::as_str), Some("Call" | "Event" | "Error" | "RuntimeCall" | "RuntimeEvent" | "RuntimeError"))
}

fn hashers(h: &[StorageHasher]) -> String {
    h.iter().map(|h| format!("{h:?}")).collect::<Vec<_>>().join(", ")
}

impl<'v, 'a> Cmp<'v, 'a> {
    fn push(&mut self, group: Group, item: &str, at: &str, kind: Kind, detail: String) {
        self.out.push(Difference { group, item: item.to_string(), at: at.to_string(), kind, detail });
    }

    /// Compares two types by shape, recording every difference under `group`/`item`.
    fn shape(&mut self, group: Group, item: &str, ours: u32, theirs: u32) {
        let mut seen = BTreeSet::new();
        self.shape_at(group, item, "", ours, theirs, &mut seen);
    }

    fn shape_at(&mut self, group: Group, item: &str, at: &str, a: u32, b: u32, seen: &mut BTreeSet<(u32, u32)>) {
        if !seen.insert((a, b)) {
            return;
        }
        let (Some(ta), Some(tb)) = (self.ours.ty(a), self.theirs.ty(b)) else {
            self.push(group, item, at, Kind::Shape, format!("type id {a} or {b} is not in its registry"));
            return;
        };
        // A newtype on one side only: the same bytes; the path differs.
        match (self.ours.newtype_inner(a), self.theirs.newtype_inner(b)) {
            (Some(inner), None) => {
                let detail =
                    format!("ours is the newtype {}({}), the reference a bare {}", self.ours.path(a), self.ours.short(inner), self.theirs.short(b));
                self.push(group, item, at, Kind::Path, detail);
                return self.shape_at(group, item, at, inner, b, seen);
            }
            (None, Some(inner)) => {
                let detail =
                    format!("ours is a bare {}, the reference the newtype {}({})", self.ours.short(a), self.theirs.path(b), self.theirs.short(inner));
                self.push(group, item, at, Kind::Path, detail);
                return self.shape_at(group, item, at, a, inner, seen);
            }
            _ => {}
        }
        // An outer enum inside an item (`sudo`'s call): its path only; its variants are
        // the calls and events groups.
        if !at.is_empty() && matches!(tb.path.segments.last().map(String::as_str), Some("RuntimeCall" | "RuntimeEvent" | "RuntimeError")) {
            return self.path_of(group, item, at, ta, tb);
        }
        match (&ta.type_def, &tb.type_def) {
            (TypeDef::Primitive(pa), TypeDef::Primitive(pb)) => {
                if pa != pb {
                    self.push(group, item, at, Kind::Shape, format!("ours {}, reference {}", self.ours.short(a), self.theirs.short(b)));
                }
            }
            (TypeDef::Compact(ca), TypeDef::Compact(cb)) => self.shape_at(group, item, at, ca.type_param.id, cb.type_param.id, seen),
            (TypeDef::Sequence(sa), TypeDef::Sequence(sb)) => {
                self.shape_at(group, item, &format!("{at}[]"), sa.type_param.id, sb.type_param.id, seen)
            }
            (TypeDef::Array(aa), TypeDef::Array(ab)) => {
                if aa.len != ab.len {
                    self.push(group, item, at, Kind::Shape, format!("ours {}, reference {}", self.ours.short(a), self.theirs.short(b)));
                } else {
                    self.shape_at(group, item, &format!("{at}[]"), aa.type_param.id, ab.type_param.id, seen);
                }
            }
            (TypeDef::Tuple(xa), TypeDef::Tuple(xb)) => {
                if xa.fields.len() != xb.fields.len() {
                    self.push(group, item, at, Kind::Shape, format!("ours {}, reference {}", self.ours.short(a), self.theirs.short(b)));
                } else {
                    for (i, (fa, fb)) in xa.fields.iter().zip(&xb.fields).enumerate() {
                        self.shape_at(group, item, &format!("{at}.{i}"), fa.id, fb.id, seen);
                    }
                }
            }
            (TypeDef::BitSequence(ba), TypeDef::BitSequence(bb)) => {
                let (oa, ob) = (self.ours.path(ba.bit_order_type.id), self.theirs.path(bb.bit_order_type.id));
                let (sa, sb) = (self.ours.short(ba.bit_store_type.id), self.theirs.short(bb.bit_store_type.id));
                if oa != ob || sa != sb {
                    self.push(group, item, at, Kind::Shape, format!("ours BitVec<{sa}, {oa}>, reference BitVec<{sb}, {ob}>"));
                }
            }
            (TypeDef::Composite(ca), TypeDef::Composite(cb)) => {
                self.path_of(group, item, at, ta, tb);
                self.fields(group, item, at, &ca.fields, &cb.fields, seen);
            }
            (TypeDef::Variant(va), TypeDef::Variant(vb)) => {
                self.path_of(group, item, at, ta, tb);
                for v in &va.variants {
                    let here = format!("{at}::{}", v.name);
                    match vb.variants.iter().find(|w| w.name == v.name) {
                        None => {
                            self.push(group, item, &here, Kind::Missing, format!("variant {} (index {}) is not in the reference", v.name, v.index))
                        }
                        Some(w) => {
                            if v.index != w.index {
                                self.push(group, item, &here, Kind::Shape, format!("index ours {}, reference {}", v.index, w.index));
                            }
                            self.fields(group, item, &here, &v.fields, &w.fields, seen);
                        }
                    }
                }
                if !declared_in_part(&tb.path.segments) {
                    for w in &vb.variants {
                        if !va.variants.iter().any(|v| v.name == w.name) {
                            let here = format!("{at}::{}", w.name);
                            self.push(
                                group,
                                item,
                                &here,
                                Kind::Shape,
                                format!("the reference's variant {} (index {}) is not in ours", w.name, w.index),
                            );
                        }
                    }
                }
            }
            _ => self.push(group, item, at, Kind::Shape, format!("ours {}, reference {}", self.ours.short(a), self.theirs.short(b))),
        }
    }

    fn path_of(&mut self, group: Group, item: &str, at: &str, ta: &Type<PortableForm>, tb: &Type<PortableForm>) {
        if ta.path.segments != tb.path.segments {
            let (pa, pb) = (ta.path.segments.join("::"), tb.path.segments.join("::"));
            let show = |p: String| if p.is_empty() { "(no path)".to_string() } else { p };
            self.push(group, item, at, Kind::Path, format!("ours {}, reference {}", show(pa), show(pb)));
        }
    }

    fn fields(
        &mut self,
        group: Group,
        item: &str,
        at: &str,
        fa: &[Field<PortableForm>],
        fb: &[Field<PortableForm>],
        seen: &mut BTreeSet<(u32, u32)>,
    ) {
        let names = |fs: &[Field<PortableForm>], v: &View| {
            fs.iter().map(|f| format!("{}: {}", f.name.as_deref().unwrap_or("_"), v.short(f.ty.id))).collect::<Vec<_>>().join(", ")
        };
        let same_names = fa.len() == fb.len() && fa.iter().zip(fb).all(|(x, y)| x.name == y.name);
        if !same_names {
            let detail = format!("fields ours {{ {} }}, reference {{ {} }}", names(fa, self.ours), names(fb, self.theirs));
            self.push(group, item, at, Kind::Shape, detail);
            return;
        }
        for (i, (x, y)) in fa.iter().zip(fb).enumerate() {
            let here = match &x.name {
                Some(n) => format!("{at}.{n}"),
                None => format!("{at}.{i}"),
            };
            self.shape_at(group, item, &here, x.ty.id, y.ty.id, seen);
        }
    }

    fn extensions(&mut self) {
        let g = Group::Extensions;
        let ours: Vec<&str> = self.ours.extensions.iter().map(|e| e.identifier).collect();
        let theirs: Vec<&str> = self.theirs.extensions.iter().map(|e| e.identifier).collect();
        // The order is the order of the signed payload; compare what both have, in order.
        let common_ours: Vec<_> = ours.iter().filter(|i| theirs.contains(i)).collect();
        let common_theirs: Vec<_> = theirs.iter().filter(|i| ours.contains(i)).collect();
        if common_ours != common_theirs {
            self.push(g, "order", "", Kind::Shape, format!("ours [{}], reference [{}]", ours.join(", "), theirs.join(", ")));
        }
        for name in theirs.iter().filter(|i| !ours.contains(i)) {
            self.push(g, name, "", Kind::Shape, "the reference signs with this extension; ours does not declare it".to_string());
        }
        for e in &self.ours.extensions {
            match self.theirs.extensions.iter().find(|f| f.identifier == e.identifier) {
                None => self.push(g, e.identifier, "", Kind::Missing, "not an extension of the reference".to_string()),
                Some(f) => {
                    self.shape(g, &format!("{}.explicit", e.identifier), e.explicit, f.explicit);
                    self.shape(g, &format!("{}.implicit", e.identifier), e.implicit, f.implicit);
                }
            }
        }
    }

    fn type_paths(&mut self) {
        let g = Group::TypePaths;
        let (o, t) = (self.ours, self.theirs);
        // The extrinsic's parts: paths of all three; shapes of the address and signature
        // (the call's shape is the calls group).
        for (name, a, b, deep) in [
            ("extrinsic address", o.address, t.address, true),
            ("extrinsic call", o.call, t.call, false),
            ("extrinsic signature", o.signature, t.signature, true),
        ] {
            self.typed(g, name, a, b, deep);
        }
        // The outer event enum: V14 names it only as the event record's `event` field.
        let record = (o.event_record(), t.event_record());
        let event = |v: &View, record: Option<u32>| v.event.or_else(|| record.and_then(|r| v.field(r, "event")));
        self.typed(g, "RuntimeEvent", event(o, record.0), event(t, record.1), false);
        if o.error.is_some() {
            self.typed(g, "RuntimeError", o.error, t.error, false);
        }
        // `frame_system::EventRecord` (its path only: its event is the events group) and its `Phase`.
        self.typed(g, "System::Events record", record.0, record.1, false);
        let phase = |v: &View, r: Option<u32>| r.and_then(|r| v.field(r, "phase"));
        self.typed(g, "System::Events record.phase", phase(o, record.0), phase(t, record.1), true);
        let topics = |v: &View, r: Option<u32>| r.and_then(|r| v.field(r, "topics"));
        self.typed(g, "System::Events record.topics", topics(o, record.0), topics(t, record.1), true);
        // `frame_system::AccountInfo` with its `AccountData`.
        self.typed(g, "System::Account value", o.storage_value("System", "Account"), t.storage_value("System", "Account"), true);
    }

    /// Compares a type both sides name at the same place: its path, and with `deep` its shape.
    fn typed(&mut self, g: Group, name: &str, a: Option<u32>, b: Option<u32>, deep: bool) {
        match (a, b) {
            (None, _) => {}
            (Some(_), None) => self.push(g, name, "", Kind::Missing, "the reference has no such type".to_string()),
            (Some(a), Some(b)) => {
                if deep {
                    self.shape(g, name, a, b);
                } else if let (Some(ta), Some(tb)) = (self.ours.ty(a), self.theirs.ty(b)) {
                    self.path_of(g, name, "", ta, tb);
                }
            }
        }
    }

    fn pallets(&mut self) {
        for p in &self.ours.pallets {
            let Some(q) = self.theirs.pallet(p.name) else {
                self.push(Group::Calls, p.name, "", Kind::Missing, "no such pallet in the reference".to_string());
                continue;
            };
            if p.index != q.index {
                self.push(Group::Calls, p.name, "", Kind::Shape, format!("pallet index ours {}, reference {}", p.index, q.index));
            }
            for (group, a, b) in [(Group::Calls, p.calls, q.calls), (Group::Events, p.event, q.event), (Group::Errors, p.error, q.error)] {
                self.pallet_enum(group, p.name, a, b);
            }
            self.storage(p, q);
            for c in &p.constants {
                let item = format!("{}::{}", p.name, c.name);
                match q.constants.iter().find(|d| d.name == c.name) {
                    None => self.push(Group::Constants, &item, "", Kind::Missing, "no such constant in the reference".to_string()),
                    Some(d) => {
                        self.shape(Group::Constants, &item, c.ty, d.ty);
                        if c.value != d.value {
                            let detail = format!("ours 0x{}, reference 0x{}", hex::encode(c.value), hex::encode(d.value));
                            self.push(Group::Constants, &item, "", Kind::Value, detail);
                        }
                    }
                }
            }
        }
    }

    /// A pallet's call, event or error enum, variant by variant: each is its own item.
    fn pallet_enum(&mut self, group: Group, pallet: &str, a: Option<u32>, b: Option<u32>) {
        let Some(a) = a else { return };
        let Some(TypeDef::Variant(va)) = self.ours.ty(a).map(|t| &t.type_def) else { return };
        let vb = match b.and_then(|b| self.theirs.ty(b)).map(|t| &t.type_def) {
            Some(TypeDef::Variant(vb)) => Some(vb),
            _ => None,
        };
        for v in &va.variants {
            let item = format!("{pallet}.{}", v.name);
            match vb.and_then(|vb| vb.variants.iter().find(|w| w.name == v.name)) {
                None => self.push(group, &item, "", Kind::Missing, format!("index {}: not in the reference", v.index)),
                Some(w) => {
                    if v.index != w.index {
                        self.push(group, &item, "", Kind::Shape, format!("index ours {}, reference {}", v.index, w.index));
                    }
                    let mut seen = BTreeSet::new();
                    self.fields(group, &item, "", &v.fields, &w.fields, &mut seen);
                }
            }
        }
    }

    fn storage(&mut self, p: &Pallet, q: &Pallet) {
        let g = Group::Storage;
        let Some((prefix, entries)) = &p.storage else { return };
        let Some((their_prefix, their_entries)) = &q.storage else {
            self.push(g, p.name, "", Kind::Missing, "the reference's pallet has no storage".to_string());
            return;
        };
        if prefix != their_prefix {
            self.push(g, p.name, "", Kind::Shape, format!("prefix ours {prefix}, reference {their_prefix}"));
        }
        for e in entries {
            let item = format!("{}::{}", p.name, e.name);
            let Some(f) = their_entries.iter().find(|f| f.name == e.name) else {
                self.push(g, &item, "", Kind::Missing, "no such storage item in the reference".to_string());
                continue;
            };
            if e.modifier != f.modifier {
                self.push(g, &item, "", Kind::Shape, format!("modifier ours {:?}, reference {:?}", e.modifier, f.modifier));
            }
            match (e.ty, f.ty) {
                (StorageEntryType::Plain(a), StorageEntryType::Plain(b)) => self.shape(g, &item, a.id, b.id),
                (StorageEntryType::Map { hashers: ha, key: ka, value: va }, StorageEntryType::Map { hashers: hb, key: kb, value: vb }) => {
                    if ha != hb {
                        self.push(g, &item, "", Kind::Shape, format!("hashers ours [{}], reference [{}]", hashers(ha), hashers(hb)));
                    }
                    self.shape(g, &format!("{item} key"), ka.id, kb.id);
                    self.shape(g, &item, va.id, vb.id);
                }
                _ => self.push(g, &item, "", Kind::Shape, "one side is a map, the other a plain value".to_string()),
            }
            if e.default != f.default {
                let detail = format!("ours 0x{}, reference 0x{}", hex::encode(e.default), hex::encode(f.default));
                self.push(g, &item, "", Kind::Default, detail);
            }
        }
    }

    fn apis(&mut self, api_versions: &[(&str, u32)]) {
        let g = Group::Apis;
        for (name, version) in api_versions {
            if let Some(their) = self.theirs.apis.iter().find(|a| a.name == *name).and_then(|a| a.version) {
                if their != *version {
                    self.push(g, name, "", Kind::Value, format!("version ours {version}, reference {their}"));
                }
            }
        }
        for api in &self.ours.apis {
            let Some(their) = self.theirs.apis.iter().find(|a| a.name == api.name) else {
                self.push(g, api.name, "", Kind::Missing, "no such runtime API in the reference".to_string());
                continue;
            };
            for m in &api.methods {
                let item = format!("{}.{}", api.name, m.name);
                let Some(n) = their.methods.iter().find(|n| n.name == m.name) else {
                    self.push(g, &item, "", Kind::Missing, "no such method in the reference".to_string());
                    continue;
                };
                if !m.inputs.iter().map(|i| i.0).eq(n.inputs.iter().map(|i| i.0)) {
                    let show =
                        |view: &View, v: &[(&str, u32)]| v.iter().map(|(n, t)| format!("{n}: {}", view.short(*t))).collect::<Vec<_>>().join(", ");
                    let detail = format!("inputs ours ({}), reference ({})", show(self.ours, &m.inputs), show(self.theirs, &n.inputs));
                    self.push(g, &item, "", Kind::Shape, detail);
                } else {
                    for ((name, a), (_, b)) in m.inputs.iter().zip(&n.inputs) {
                        self.shape(g, &format!("{item}({name})"), *a, *b);
                    }
                }
                self.shape(g, &format!("{item} output"), m.output, n.output);
            }
        }
    }
}
