//! The non-code sections of a module: types, imports, tables, memories, globals, exports,
//! segments and constant expressions.

use super::{ModuleInner, malformed};
use crate::error::{Error, ErrorKind, Result};
use crate::types::{ExternType, FuncType, GlobalType, MemoryType, Mutability, RefType, TableType, ValType};
use std::sync::Arc;
use wasmparser::{Operator, Payload};

/// What kind of item an import or export refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExternKind {
    Func,
    Table,
    Memory,
    Global,
    Tag,
}

/// One declared import.
#[derive(Debug, Clone)]
pub(crate) struct ImportDecl {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

/// A constant expression: one instruction (all WebAssembly 2.0 allows), or a sequence of them
/// with extended constant expressions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConstExpr {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    /// `ref.null` of a reference type (`exnref` included).
    RefNull(ValType),
    RefFunc(u32),
    GlobalGet(u32),
    /// Several instructions (extended constant expressions), run on a stack in order.
    Extended(Arc<[ConstOp]>),
}

/// One instruction of an extended constant expression.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConstOp {
    /// Pushes the value of a one-instruction expression.
    Push(ConstExpr),
    /// Pops two values and pushes the result of the integer operator.
    Binary(ConstBinary),
}

/// The integer operators extended constant expressions allow (all wrapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConstBinary {
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

impl ConstBinary {
    /// The result of the operator on two cells (i32 values zero-extended, as cells hold them).
    pub(crate) fn apply(self, a: u64, b: u64) -> u64 {
        let (a32, b32) = (a as u32, b as u32);
        match self {
            ConstBinary::I32Add => u64::from(a32.wrapping_add(b32)),
            ConstBinary::I32Sub => u64::from(a32.wrapping_sub(b32)),
            ConstBinary::I32Mul => u64::from(a32.wrapping_mul(b32)),
            ConstBinary::I64Add => a.wrapping_add(b),
            ConstBinary::I64Sub => a.wrapping_sub(b),
            ConstBinary::I64Mul => a.wrapping_mul(b),
        }
    }
}

/// How an element segment is used.
#[derive(Debug, Clone)]
pub(crate) enum ElemMode {
    Passive,
    Active { table: u32, offset: ConstExpr },
    Declared,
}

/// An element segment.
#[derive(Debug, Clone)]
pub(crate) struct ElemSegment {
    pub mode: ElemMode,
    pub items: Vec<ConstExpr>,
}

/// A data segment; `memory` and `offset` are set for active segments.
#[derive(Debug, Clone)]
pub(crate) struct DataSegment {
    pub active: Option<(u32, ConstExpr)>,
    pub bytes: Arc<[u8]>,
}

fn unsupported(what: impl Into<String>) -> Error {
    Error::new(ErrorKind::Unsupported, what)
}

pub(crate) fn val_type(ty: wasmparser::ValType) -> Result<ValType> {
    ValType::from_wasmparser(ty).ok_or_else(|| match ty {
        wasmparser::ValType::Ref(r) => unsupported_ref_type(r),
        _ => unsupported(format!("value type {ty:?}")),
    })
}

fn ref_type(ty: wasmparser::RefType) -> Result<RefType> {
    RefType::from_wasmparser(ty).ok_or_else(|| unsupported_ref_type(ty))
}

/// The error for a reference type epsilon does not implement, naming the GC proposal for its
/// abstract heap types (`any`, `eq`, `i31`, `struct`, `array`, `none`, `nofunc`, `noextern`).
pub(crate) fn unsupported_ref_type(ty: wasmparser::RefType) -> Error {
    use wasmparser::{AbstractHeapType as A, HeapType as H};
    match ty.heap_type() {
        H::Abstract {
            shared: false,
            ty: A::Any | A::Eq | A::I31 | A::Struct | A::Array | A::None | A::NoFunc | A::NoExtern,
        } => unsupported(format!("the GC proposal's reference type {ty} is not implemented")),
        _ => unsupported(format!("reference type {ty:?}")),
    }
}

pub(crate) fn table_type(ty: &wasmparser::TableType) -> Result<TableType> {
    if ty.table64 {
        return Err(unsupported("64-bit tables"));
    }
    let min = u32::try_from(ty.initial).map_err(|_| unsupported("64-bit tables"))?;
    let max = ty.maximum.map(u32::try_from).transpose().map_err(|_| unsupported("64-bit tables"))?;
    Ok(TableType { element: ref_type(ty.element_type)?, min, max })
}

pub(crate) fn memory_type(ty: &wasmparser::MemoryType) -> Result<MemoryType> {
    if ty.shared || ty.page_size_log2.is_some() {
        return Err(unsupported("shared memories and custom page sizes"));
    }
    // Validation bounds 32-bit memories to 65536 pages and 64-bit ones to 2^48.
    Ok(MemoryType { min: ty.initial, max: ty.maximum, memory64: ty.memory64 })
}

fn global_type(ty: &wasmparser::GlobalType) -> Result<GlobalType> {
    let mutability = if ty.mutable { Mutability::Var } else { Mutability::Const };
    Ok(GlobalType { content: val_type(ty.content_type)?, mutability })
}

/// Reads a constant expression: one instruction followed by `end`, or (extended constant
/// expressions) a sequence of them. The validator has accepted it.
pub(crate) fn const_expr(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr> {
    let mut reader = expr.get_operators_reader();
    let mut ops = Vec::new();
    loop {
        let op = match reader.read().map_err(malformed)? {
            Operator::End => break,
            Operator::I32Const { value } => ConstOp::Push(ConstExpr::I32(value)),
            Operator::I64Const { value } => ConstOp::Push(ConstExpr::I64(value)),
            Operator::F32Const { value } => ConstOp::Push(ConstExpr::F32(value.bits())),
            Operator::F64Const { value } => ConstOp::Push(ConstExpr::F64(value.bits())),
            Operator::V128Const { value } => {
                ConstOp::Push(ConstExpr::V128(u128::from_le_bytes(*value.bytes())))
            }
            Operator::RefNull { hty } => {
                let r = wasmparser::RefType::new(true, hty).ok_or_else(|| unsupported("heap type"))?;
                ConstOp::Push(ConstExpr::RefNull(val_type(wasmparser::ValType::Ref(r))?))
            }
            Operator::RefFunc { function_index } => ConstOp::Push(ConstExpr::RefFunc(function_index)),
            Operator::GlobalGet { global_index } => ConstOp::Push(ConstExpr::GlobalGet(global_index)),
            Operator::I32Add => ConstOp::Binary(ConstBinary::I32Add),
            Operator::I32Sub => ConstOp::Binary(ConstBinary::I32Sub),
            Operator::I32Mul => ConstOp::Binary(ConstBinary::I32Mul),
            Operator::I64Add => ConstOp::Binary(ConstBinary::I64Add),
            Operator::I64Sub => ConstOp::Binary(ConstBinary::I64Sub),
            Operator::I64Mul => ConstOp::Binary(ConstBinary::I64Mul),
            other => {
                let gc = crate::translate::gc_instruction(&other);
                return Err(gc.unwrap_or_else(|| unsupported(format!("constant expression {other:?}"))));
            }
        };
        ops.push(op);
    }
    match <[ConstOp; 1]>::try_from(ops) {
        Ok([ConstOp::Push(single)]) => Ok(single),
        Ok(ops) => Ok(ConstExpr::Extended(Arc::new(ops))),
        Err(ops) if !ops.is_empty() => Ok(ConstExpr::Extended(ops.into())),
        Err(_) => Err(unsupported("empty constant expression")),
    }
}

/// Records what a non-code payload declares. The validator has already accepted it.
pub(crate) fn read_payload(m: &mut ModuleInner, payload: Payload<'_>) -> Result<()> {
    match payload {
        Payload::TypeSection(reader) => {
            for group in reader {
                read_rec_group(m, &group.map_err(malformed)?)?;
            }
        }
        Payload::ImportSection(reader) => {
            for import in reader.into_imports() {
                let import = import.map_err(malformed)?;
                let ty = match import.ty {
                    wasmparser::TypeRef::Func(index) => {
                        m.funcs.push(index);
                        m.num_imported_funcs += 1;
                        ExternType::Func(m.types[index as usize].clone())
                    }
                    wasmparser::TypeRef::Table(t) => {
                        let t = table_type(&t)?;
                        m.tables.push(t);
                        m.num_imported_tables += 1;
                        ExternType::Table(t)
                    }
                    wasmparser::TypeRef::Memory(t) => {
                        let t = memory_type(&t)?;
                        m.memories.push(t);
                        m.num_imported_memories += 1;
                        ExternType::Memory(t)
                    }
                    wasmparser::TypeRef::Global(t) => {
                        let t = global_type(&t)?;
                        m.globals.push(t);
                        m.num_imported_globals += 1;
                        ExternType::Global(t)
                    }
                    wasmparser::TypeRef::Tag(t) => {
                        m.tags.push(t.func_type_idx);
                        m.num_imported_tags += 1;
                        ExternType::Tag(crate::types::TagType::from_func_type(
                            m.types[t.func_type_idx as usize].clone(),
                        ))
                    }
                    other => return Err(unsupported(format!("import of {other:?}"))),
                };
                m.imports.push(ImportDecl {
                    module: import.module.to_string(),
                    name: import.name.to_string(),
                    ty,
                });
            }
        }
        Payload::FunctionSection(reader) => {
            for ty in reader {
                m.funcs.push(ty.map_err(malformed)?);
            }
        }
        Payload::TableSection(reader) => {
            for table in reader {
                let table = table.map_err(malformed)?;
                m.table_inits.push(match table.init {
                    wasmparser::TableInit::RefNull => None,
                    wasmparser::TableInit::Expr(expr) => Some(const_expr(&expr)?),
                });
                m.tables.push(table_type(&table.ty)?);
            }
        }
        Payload::MemorySection(reader) => {
            for memory in reader {
                m.memories.push(memory_type(&memory.map_err(malformed)?)?);
            }
        }
        Payload::GlobalSection(reader) => {
            for global in reader {
                let global = global.map_err(malformed)?;
                m.globals.push(global_type(&global.ty)?);
                m.global_inits.push(const_expr(&global.init_expr)?);
            }
        }
        Payload::ExportSection(reader) => {
            for export in reader {
                let export = export.map_err(malformed)?;
                let kind = match export.kind {
                    wasmparser::ExternalKind::Func => ExternKind::Func,
                    wasmparser::ExternalKind::Table => ExternKind::Table,
                    wasmparser::ExternalKind::Memory => ExternKind::Memory,
                    wasmparser::ExternalKind::Global => ExternKind::Global,
                    wasmparser::ExternalKind::Tag => ExternKind::Tag,
                    other => return Err(unsupported(format!("export of {other:?}"))),
                };
                m.export_index.insert(export.name.to_string(), m.exports.len());
                m.exports.push((export.name.to_string(), kind, export.index));
            }
        }
        Payload::TagSection(reader) => {
            for tag in reader {
                m.tags.push(tag.map_err(malformed)?.func_type_idx);
            }
        }
        Payload::StartSection { func, .. } => m.start = Some(func),
        Payload::ElementSection(reader) => {
            for elem in reader {
                let elem = elem.map_err(malformed)?;
                let mode = match elem.kind {
                    wasmparser::ElementKind::Passive => ElemMode::Passive,
                    wasmparser::ElementKind::Declared => ElemMode::Declared,
                    wasmparser::ElementKind::Active { table_index, offset_expr } => ElemMode::Active {
                        table: table_index.unwrap_or(0),
                        offset: const_expr(&offset_expr)?,
                    },
                };
                let items = match elem.items {
                    wasmparser::ElementItems::Functions(funcs) => funcs
                        .into_iter()
                        .map(|f| f.map(ConstExpr::RefFunc).map_err(malformed))
                        .collect::<Result<Vec<_>>>()?,
                    wasmparser::ElementItems::Expressions(ty, exprs) => {
                        ref_type(ty)?;
                        exprs
                            .into_iter()
                            .map(|e| const_expr(&e.map_err(malformed)?))
                            .collect::<Result<Vec<_>>>()?
                    }
                };
                m.elems.push(ElemSegment { mode, items });
            }
        }
        Payload::DataSection(reader) => {
            for data in reader {
                let data = data.map_err(malformed)?;
                let active = match data.kind {
                    wasmparser::DataKind::Passive => None,
                    wasmparser::DataKind::Active { memory_index, offset_expr } => {
                        Some((memory_index, const_expr(&offset_expr)?))
                    }
                };
                m.datas.push(DataSegment { active, bytes: data.data.into() });
            }
        }
        Payload::CustomSection(section) => {
            if let wasmparser::KnownCustom::Name(reader) = section.as_known() {
                read_names(&mut m.names, reader);
            }
            m.custom_sections.push(section.name().to_string());
        }
        _ => {}
    }
    Ok(())
}

/// Records the types of a recursive type group (a type declared outside `rec` is a group of
/// one) and their engine ids: the group is interned in the engine, so its types get the ids of
/// an equal group of any module (iso-recursive type equivalence). The validator has accepted
/// it.
///
/// epsilon implements the GC proposal's type system for function types only: a struct, array
/// or continuation type, or a declared supertype (`sub $t`), is unsupported. A type declared
/// `(sub (func ...))`, without `final`, is supported: it is a type of its own, different from
/// the final `(func ...)`, and (no type having a supertype) only its own subtype.
fn read_rec_group(m: &mut ModuleInner, group: &wasmparser::RecGroup) -> Result<()> {
    use wasmparser::CompositeInnerType;
    let group_start = m.types.len() as u32;
    let group_len = group.types().len() as u32;
    let mut canonical = Vec::with_capacity(group.types().len());
    for sub in group.types() {
        if !sub.supertype_idxs.is_empty() {
            return Err(unsupported(
                "the GC proposal's subtyping (a type declared with a supertype) is not implemented",
            ));
        }
        let composite = &sub.composite_type;
        if composite.shared || composite.descriptor_idx.is_some() || composite.describes_idx.is_some() {
            return Err(unsupported("shared types and custom descriptors are not implemented"));
        }
        let func = match &composite.inner {
            CompositeInnerType::Func(func) => func,
            CompositeInnerType::Struct(_) => {
                return Err(unsupported("the GC proposal's struct types are not implemented"));
            }
            CompositeInnerType::Array(_) => {
                return Err(unsupported("the GC proposal's array types are not implemented"));
            }
            CompositeInnerType::Cont(_) => return Err(unsupported("continuation types are not implemented")),
        };
        let params = func.params().iter().map(|t| val_type(*t)).collect::<Result<Vec<_>>>()?;
        let results = func.results().iter().map(|t| val_type(*t)).collect::<Result<Vec<_>>>()?;
        let ty = FuncType::new(params, results);
        let Some(form) = ty.canonical(sub.is_final, &m.type_ids, group_start, group_len) else {
            return Err(unsupported("internal error: a type index outside the module's types"));
        };
        canonical.push(form);
        m.types.push(ty);
    }
    let ids = m.engine.intern_group(canonical.into());
    m.type_ids.extend(ids.map(crate::engine::TypeId));
    Ok(())
}

/// Reads the module and function names of a `name` section. A custom section cannot make a
/// module invalid: what does not decode is left out (names read before it are kept).
fn read_names(names: &mut super::Names, reader: wasmparser::NameSectionReader<'_>) {
    for subsection in reader {
        match subsection {
            Ok(wasmparser::Name::Module { name, .. }) => names.module = Some(name.into()),
            Ok(wasmparser::Name::Function(map)) => {
                for naming in map {
                    let Ok(naming) = naming else { break };
                    names.funcs.push((naming.index, naming.name.into()));
                }
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    names.funcs.sort_by_key(|(index, _)| *index);
    names.funcs.dedup_by_key(|(index, _)| *index);
}
