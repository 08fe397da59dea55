//! WebAssembly types as the public API exposes them.

use std::fmt;
use std::sync::Arc;

/// The type of a WebAssembly value.
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
    /// Nullable reference to a function.
    FuncRef,
    /// Nullable reference to a host object.
    ExternRef,
    /// Nullable reference to a caught exception (exception handling).
    ExnRef,
}

impl ValType {
    /// Number of 64-bit cells a value of this type occupies in a frame (2 for `v128`, else 1).
    pub(crate) fn cells(self) -> u32 {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    /// Whether this is a reference type.
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef | ValType::ExnRef)
    }

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Option<ValType> {
        Some(match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) if is_exnref(r) => ValType::ExnRef,
            wasmparser::ValType::Ref(r) => return RefType::from_wasmparser(r).map(ValType::from),
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
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
            ValType::ExnRef => "exnref",
        })
    }
}

/// Whether `r` is `exnref` (`(ref null exn)`), the one exception reference type epsilon
/// implements (tables of it are not supported: `RefType` stays the table element type).
fn is_exnref(r: wasmparser::RefType) -> bool {
    use wasmparser::{AbstractHeapType, HeapType};
    r.is_nullable() && r.heap_type() == HeapType::Abstract { shared: false, ty: AbstractHeapType::Exn }
}

/// The element type of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefType {
    /// `funcref`
    FuncRef,
    /// `externref`
    ExternRef,
}

impl RefType {
    pub(crate) fn from_wasmparser(r: wasmparser::RefType) -> Option<RefType> {
        use wasmparser::{AbstractHeapType, HeapType};
        if !r.is_nullable() {
            return None;
        }
        match r.heap_type() {
            HeapType::Abstract { shared: false, ty: AbstractHeapType::Func } => Some(RefType::FuncRef),
            HeapType::Abstract { shared: false, ty: AbstractHeapType::Extern } => Some(RefType::ExternRef),
            _ => None,
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ValType::from(*self).fmt(f)
    }
}

/// The signature of a function: parameter and result types.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    params_results: Arc<[ValType]>,
    len_params: usize,
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
        FuncType { params_results: all.into(), len_params }
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
        self.params().iter().map(|t| t.cells()).sum()
    }

    pub(crate) fn result_cells(&self) -> u32 {
        self.results().iter().map(|t| t.cells()).sum()
    }
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
