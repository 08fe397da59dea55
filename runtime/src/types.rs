//! WebAssembly types as the public API exposes them.

use crate::engine::{CanonicalFunc, CanonicalRef, CanonicalVal, TypeId};
use std::fmt;
use std::sync::Arc;

/// The type of a WebAssembly value.
///
/// Reference types are one variant, [`ValType::Ref`], carrying nullability and a heap type
/// (typed function references). The abbreviations stay available as constants:
/// [`ValType::FuncRef`] is `(ref null func)`, [`ValType::ExternRef`] is `(ref null extern)`
/// and [`ValType::ExnRef`] is `(ref null exn)`; all can be used in patterns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    /// 32-bit integer.
    I32,
    /// 64-bit integer.
    I64,
    /// 32-bit IEEE 754 float.
    F32,
    /// 64-bit IEEE 754 float.
    F64,
    /// 128-bit vector.
    V128,
    /// A reference: `(ref null? heaptype)`.
    Ref(RefType),
}

#[allow(non_upper_case_globals)]
impl ValType {
    /// `funcref`, a nullable reference to any function: `(ref null func)`.
    pub const FuncRef: ValType = ValType::Ref(RefType::FuncRef);
    /// `externref`, a nullable reference to a host object: `(ref null extern)`.
    pub const ExternRef: ValType = ValType::Ref(RefType::ExternRef);
    /// `exnref`, a nullable reference to a caught exception: `(ref null exn)`.
    pub const ExnRef: ValType = ValType::Ref(RefType::ExnRef);

    /// Number of 64-bit cells a value of this type occupies in a frame (2 for `v128`, else 1).
    pub(crate) fn cells(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// The reference type, if this is one.
    pub fn as_ref_type(self) -> Option<RefType> {
        match self {
            ValType::Ref(r) => Some(r),
            _ => None,
        }
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Option<ValType> {
        Some(match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => return RefType::from_wasmparser(r).map(ValType::Ref),
        })
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Ref(r) => return r.fmt(f),
        })
    }
}

/// What a reference points to: an abstract heap type or a concrete type of a module.
///
/// Concrete types are type indices into the type section of the module that declares the
/// item (a function's signature, a global, a table, an import or export): `(ref 0)` of one
/// module and `(ref 0)` of another need not be the same type. Linking compares them by their
/// definitions: function types are equal when their recursive type groups are, and they sit
/// at the same position in them (iso-recursive equivalence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HeapType {
    /// `func`: any function.
    Func,
    /// `extern`: any host object.
    Extern,
    /// `exn`: any exception (exception handling).
    Exn,
    /// A function type of the module, by its index in the type section: `(ref $t)`.
    Concrete(u32),
}

impl HeapType {
    /// Whether references of this heap type point to functions (`func` or a function type).
    pub fn is_func(self) -> bool {
        matches!(self, HeapType::Func | HeapType::Concrete(_))
    }

    pub(crate) fn from_wasmparser(h: wasmparser::HeapType) -> Option<HeapType> {
        use wasmparser::{AbstractHeapType, HeapType as H, UnpackedIndex};
        match h {
            H::Abstract { shared: false, ty: AbstractHeapType::Func } => Some(HeapType::Func),
            H::Abstract { shared: false, ty: AbstractHeapType::Extern } => Some(HeapType::Extern),
            H::Abstract { shared: false, ty: AbstractHeapType::Exn } => Some(HeapType::Exn),
            H::Concrete(UnpackedIndex::Module(i)) => Some(HeapType::Concrete(i)),
            _ => None,
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::Concrete(i) => write!(f, "{i}"),
        }
    }
}

/// A reference type: nullability and heap type. The element type of a table.
///
/// `RefType::FuncRef` (`funcref`) and `RefType::ExternRef` (`externref`) are the nullable
/// abstract ones of WebAssembly 2.0; typed function references add non-nullable references
/// and concrete heap types (`(ref $t)`, `(ref null $t)`, `(ref func)`, `(ref extern)`);
/// exception handling adds `RefType::ExnRef` (`exnref`) and `(ref exn)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefType {
    /// Whether the reference may be null.
    pub nullable: bool,
    /// What the reference points to.
    pub heap: HeapType,
}

#[allow(non_upper_case_globals)]
impl RefType {
    /// `funcref`: `(ref null func)`.
    pub const FuncRef: RefType = RefType { nullable: true, heap: HeapType::Func };
    /// `externref`: `(ref null extern)`.
    pub const ExternRef: RefType = RefType { nullable: true, heap: HeapType::Extern };
    /// `exnref`: `(ref null exn)`.
    pub const ExnRef: RefType = RefType { nullable: true, heap: HeapType::Exn };

    /// Creates a reference type.
    pub const fn new(nullable: bool, heap: HeapType) -> Self {
        RefType { nullable, heap }
    }

    pub(crate) fn from_wasmparser(r: wasmparser::RefType) -> Option<RefType> {
        Some(RefType { nullable: r.is_nullable(), heap: HeapType::from_wasmparser(r.heap_type())? })
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        ValType::Ref(r)
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, heap) => write!(f, "(ref null {heap})"),
            (false, heap) => write!(f, "(ref {heap})"),
        }
    }
}

/// The signature of a function: parameter and result types.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    params_results: Arc<[ValType]>,
    len_params: usize,
    /// Derived from the types once, by `new`: what a call checks and converts per call.
    layout: CellLayout,
}

/// How a function type's values lie in the executor's cells (derived from its types, so equal
/// types have equal layouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct CellLayout {
    /// Cells of the parameters (a `v128` takes two, every other type one).
    pub param_cells: u32,
    /// Cells of the results.
    pub result_cells: u32,
    /// Whether a parameter or result is a reference.
    pub refs: bool,
    /// Bit `i` set: parameter cell `i` (of the first 64) holds an `i32` or `f32`, whose cell
    /// is zero-extended.
    pub narrow: u64,
}

impl FuncType {
    /// Creates a function type from its parameter and result types.
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> Self {
        let mut all: Vec<ValType> = params.into_iter().collect();
        let len_params = all.len();
        all.extend(results);
        let cells = |types: &[ValType]| types.iter().map(|t| t.cells()).sum();
        let mut narrow = 0u64;
        let mut at = 0;
        for t in &all[..len_params] {
            if matches!(t, ValType::I32 | ValType::F32) && at < 64 {
                narrow |= 1 << at;
            }
            at += t.cells();
        }
        let layout = CellLayout {
            param_cells: cells(&all[..len_params]),
            result_cells: cells(&all[len_params..]),
            refs: all.iter().any(|t| t.is_ref()),
            narrow,
        };
        FuncType { params_results: all.into(), len_params, layout }
    }

    /// The parameter types.
    pub fn params(&self) -> &[ValType] {
        &self.params_results[..self.len_params]
    }

    /// The result types.
    pub fn results(&self) -> &[ValType] {
        &self.params_results[self.len_params..]
    }

    pub(crate) fn param_cells(&self) -> u32 {
        self.layout.param_cells
    }

    pub(crate) fn result_cells(&self) -> u32 {
        self.layout.result_cells
    }

    /// The cell layout of the parameters and results.
    pub(crate) fn layout(&self) -> CellLayout {
        self.layout
    }

    /// The canonical form of a module's function type declared at position `group_start + k`
    /// of a recursive type group of `group_len` types (see [`crate::engine::CanonicalFunc`]):
    /// a concrete heap type `(ref $i)` names an earlier group's type by its engine id
    /// (`ids[i]`), and a type of its own group by its position. `None` for an index outside
    /// both (which validation rules out).
    pub(crate) fn canonical(
        &self,
        is_final: bool,
        ids: &[TypeId],
        group_start: u32,
        group_len: u32,
    ) -> Option<CanonicalFunc> {
        let canonical = |ty: &ValType| match *ty {
            ValType::Ref(RefType { nullable, heap: HeapType::Concrete(i) }) => {
                let target = if i < group_start {
                    CanonicalRef::Engine(*ids.get(i as usize)?)
                } else if i - group_start < group_len {
                    CanonicalRef::Group(i - group_start)
                } else {
                    return None;
                };
                Some(CanonicalVal::Concrete { nullable, target })
            }
            other => Some(CanonicalVal::Plain(other)),
        };
        let params_results = self.params_results.iter().map(canonical).collect::<Option<_>>()?;
        Some(CanonicalFunc { is_final, len_params: self.len_params, params_results })
    }
}

/// Whether a reference of type `have` (its concrete indices into the types whose engine ids
/// are `have_ids`) can be used where `want` is expected (indices into `want_ids`): reference
/// subtyping. A concrete type matches the same definition and `func`; a null reference type
/// never matches a non-null one. An index with no id matches nothing.
pub(crate) fn ref_subtype(have: RefType, have_ids: &[TypeId], want: RefType, want_ids: &[TypeId]) -> bool {
    if have.nullable && !want.nullable {
        return false;
    }
    match (have.heap, want.heap) {
        (HeapType::Func, HeapType::Func)
        | (HeapType::Extern, HeapType::Extern)
        | (HeapType::Exn, HeapType::Exn) => true,
        (HeapType::Concrete(_), HeapType::Func) => true,
        (HeapType::Concrete(a), HeapType::Concrete(b)) => {
            matches!((have_ids.get(a as usize), want_ids.get(b as usize)), (Some(x), Some(y)) if x == y)
        }
        _ => false,
    }
}

/// Value subtyping (see [`ref_subtype`]); numbers and vectors match only themselves.
pub(crate) fn val_subtype(have: ValType, have_ids: &[TypeId], want: ValType, want_ids: &[TypeId]) -> bool {
    match (have, want) {
        (ValType::Ref(h), ValType::Ref(w)) => ref_subtype(h, have_ids, w, want_ids),
        _ => have == want,
    }
}

/// Type equality across modules: each a subtype of the other.
pub(crate) fn val_type_eq(a: ValType, a_ids: &[TypeId], b: ValType, b_ids: &[TypeId]) -> bool {
    val_subtype(a, a_ids, b, b_ids) && val_subtype(b, b_ids, a, a_ids)
}

impl fmt::Debug for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl fmt::Display for FuncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |tys: &[ValType]| tys.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(", ");
        write!(f, "({}) -> ({})", list(self.params()), list(self.results()))
    }
}

/// The limits of a linear memory, in 64 KiB pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// Initial size in pages.
    pub min: u64,
    /// Maximum size in pages, if any.
    pub max: Option<u64>,
    /// Whether the memory is 64-bit (memory64: `i64` addresses, limits up to 2^48 pages)
    /// rather than 32-bit (`i32` addresses, at most 65,536 pages).
    pub memory64: bool,
}

impl MemoryType {
    /// Creates the type of a 32-bit memory.
    pub fn new(min: u32, max: Option<u32>) -> Self {
        MemoryType { min: u64::from(min), max: max.map(u64::from), memory64: false }
    }

    /// Creates the type of a 64-bit memory (memory64). Whatever its limits, epsilon gives it at
    /// most the engine's page ceiling ([`Config::max_memory_pages`](crate::Config::max_memory_pages)).
    pub fn new64(min: u64, max: Option<u64>) -> Self {
        MemoryType { min, max, memory64: true }
    }
}

impl fmt::Display for MemoryType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let index = if self.memory64 { " i64" } else { "" };
        match self.max {
            Some(max) => write!(f, "memory{index} {} {}", self.min, max),
            None => write!(f, "memory{index} {}", self.min),
        }
    }
}

/// The element type and limits of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    /// The type of the references the table holds.
    pub element: RefType,
    /// Initial number of elements.
    pub min: u32,
    /// Maximum number of elements, if any.
    pub max: Option<u32>,
}

impl TableType {
    /// Creates a table type.
    pub fn new(element: RefType, min: u32, max: Option<u32>) -> Self {
        TableType { element, min, max }
    }
}

impl fmt::Display for TableType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.max {
            Some(max) => write!(f, "table {} {} {}", self.min, max, self.element),
            None => write!(f, "table {} {}", self.min, self.element),
        }
    }
}

/// The type of an exception tag: the function type whose parameters are the exception's
/// payload (its results are always empty).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TagType {
    ty: FuncType,
}

impl TagType {
    /// The type of a tag whose exceptions carry values of the types `params`.
    pub fn new(params: impl IntoIterator<Item = ValType>) -> Self {
        TagType { ty: FuncType::new(params, []) }
    }

    /// The tag's function type (no results).
    pub fn func_type(&self) -> &FuncType {
        &self.ty
    }

    /// The types of the values an exception with this tag carries.
    pub fn params(&self) -> &[ValType] {
        self.ty.params()
    }

    pub(crate) fn from_func_type(ty: FuncType) -> Self {
        TagType { ty }
    }
}

impl fmt::Display for TagType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "tag {}", self.ty)
    }
}

/// Whether a global can be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mutability {
    /// Immutable after initialisation.
    Const,
    /// Writable with `global.set`.
    Var,
}

/// The content type and mutability of a global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    /// The type of the value.
    pub content: ValType,
    /// Whether the global is mutable.
    pub mutability: Mutability,
}

impl GlobalType {
    /// Creates a global type.
    pub fn new(content: ValType, mutability: Mutability) -> Self {
        GlobalType { content, mutability }
    }

    /// Whether the global is mutable.
    pub fn is_mutable(&self) -> bool {
        self.mutability == Mutability::Var
    }
}

impl fmt::Display for GlobalType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mutability {
            Mutability::Const => write!(f, "global {}", self.content),
            Mutability::Var => write!(f, "global (mut {})", self.content),
        }
    }
}

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ExternType {
    /// A function.
    Func(FuncType),
    /// A table.
    Table(TableType),
    /// A linear memory.
    Memory(MemoryType),
    /// A global.
    Global(GlobalType),
    /// An exception tag (exception handling).
    Tag(TagType),
}

impl ExternType {
    /// A short name of the kind: "function", "table", "memory", "global" or "tag".
    pub fn kind_name(&self) -> &'static str {
        match self {
            ExternType::Func(_) => "function",
            ExternType::Table(_) => "table",
            ExternType::Memory(_) => "memory",
            ExternType::Global(_) => "global",
            ExternType::Tag(_) => "tag",
        }
    }
}

impl fmt::Display for ExternType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExternType::Func(t) => write!(f, "func {t}"),
            ExternType::Table(t) => t.fmt(f),
            ExternType::Memory(t) => t.fmt(f),
            ExternType::Global(t) => t.fmt(f),
            ExternType::Tag(t) => t.fmt(f),
        }
    }
}

/// One import a module declares.
#[derive(Debug, Clone)]
pub struct ImportType<'a> {
    /// The module name.
    pub module: &'a str,
    /// The field name.
    pub name: &'a str,
    /// The expected type.
    pub ty: ExternType,
}

/// One export a module declares.
#[derive(Debug, Clone)]
pub struct ExportType<'a> {
    /// The export name.
    pub name: &'a str,
    /// The type of the exported item.
    pub ty: ExternType,
}
