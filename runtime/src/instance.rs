//! Instances: allocation of a module's items in a store, import matching, segment
//! initialisation and the start function.

use crate::engine::TypeId;
use crate::error::{Error, ErrorKind, Result};
use crate::exn::Tag;
use crate::func::{Func, TypedFunc, WasmParams, WasmResults};
use crate::global::Global;
use crate::memory::{Memory, MemoryEntity};
use crate::module::{ConstExpr, ConstOp, ElemMode, ExternKind, Module};
use crate::store::{AsContext, AsContextMut, FuncEntity, GlobalEntity, Store, StoreId};
use crate::table::{Table, TableEntity};
use crate::trap::TrapKind;
use crate::types::{ExternType, GlobalType, MemoryType, TableType, val_subtype, val_type_eq};

/// An item that can be imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Extern {
    /// A function.
    Func(Func),
    /// A table.
    Table(Table),
    /// A linear memory.
    Memory(Memory),
    /// A global.
    Global(Global),
    /// An exception tag (exception handling).
    Tag(Tag),
}

impl Extern {
    /// The function, if this is one.
    pub fn into_func(self) -> Option<Func> {
        match self {
            Extern::Func(f) => Some(f),
            _ => None,
        }
    }
    /// The table, if this is one.
    pub fn into_table(self) -> Option<Table> {
        match self {
            Extern::Table(t) => Some(t),
            _ => None,
        }
    }
    /// The memory, if this is one.
    pub fn into_memory(self) -> Option<Memory> {
        match self {
            Extern::Memory(m) => Some(m),
            _ => None,
        }
    }
    /// The global, if this is one.
    pub fn into_global(self) -> Option<Global> {
        match self {
            Extern::Global(g) => Some(g),
            _ => None,
        }
    }

    /// The tag, if this is one.
    pub fn into_tag(self) -> Option<Tag> {
        match self {
            Extern::Tag(t) => Some(t),
            _ => None,
        }
    }

    /// The type of this item as it is now (tables and memories report their current size).
    ///
    /// # Errors
    /// If `store` does not own the item (`ErrorKind::Usage`).
    pub fn ty(&self, store: impl AsContext) -> Result<ExternType> {
        let store = store.as_context();
        Ok(match self {
            Extern::Func(f) => ExternType::Func(f.ty(store)?),
            Extern::Table(t) => ExternType::Table(t.ty(store)?),
            Extern::Memory(m) => ExternType::Memory(m.ty(store)?),
            Extern::Global(g) => ExternType::Global(g.ty(store)?),
            Extern::Tag(t) => ExternType::Tag(t.ty(store)?),
        })
    }

    fn store_id(&self) -> StoreId {
        match self {
            Extern::Func(f) => f.store,
            Extern::Table(t) => t.store,
            Extern::Memory(m) => m.store,
            Extern::Global(g) => g.store,
            Extern::Tag(t) => t.store,
        }
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}
impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}
impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}
impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}
impl From<Tag> for Extern {
    fn from(t: Tag) -> Extern {
        Extern::Tag(t)
    }
}

/// Resource ceilings for one instantiation, on top of the engine's [`Config`](crate::Config).
///
/// They apply to every memory and table of the instance, declared or imported: a minimum (or
/// an imported item's current size) above the ceiling fails instantiation with a clear error,
/// and the item can never grow beyond it afterwards (`memory.grow`/`table.grow` return -1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InstanceLimits {
    /// The most pages any memory of the instance may have.
    pub max_memory_pages: Option<u32>,
    /// The most elements any table of the instance may have.
    pub max_table_elements: Option<u32>,
}

/// An instance in the store: the store indices of everything its module refers to.
pub(crate) struct InstanceEntity {
    pub module: Module,
    pub funcs: Vec<u32>,
    pub tables: Vec<u32>,
    pub memories: Vec<u32>,
    pub globals: Vec<u32>,
    /// Store indices of the tags (exception handling).
    pub tags: Vec<u32>,
    pub elems: Vec<u32>,
    pub datas: Vec<u32>,
}

/// A handle to an instantiated module.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import order.
    ///
    /// Prefer [`Linker::instantiate`](crate::Linker::instantiate), which resolves imports by name.
    ///
    /// # Errors
    /// A wrong number or type of imports (`Link`), a resource ceiling (`Instantiation`), or a
    /// trap while initialising segments or running the start function.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        instantiate(store.as_context_mut(), module, imports, InstanceLimits::default())
    }

    /// Like [`Instance::new`], with extra resource ceilings for this instance.
    ///
    /// # Errors
    /// As [`Instance::new`]; also when a memory or table exceeds `limits`.
    pub fn new_with_limits<T>(
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
        imports: &[Extern],
        limits: InstanceLimits,
    ) -> Result<Instance> {
        instantiate(store.as_context_mut(), module, imports, limits)
    }

    fn entity<'a, T: 'a>(&self, store: &'a Store<T>) -> Result<&'a InstanceEntity> {
        store.inner.check(self.store)?;
        Ok(&store.inner.instances[self.index as usize])
    }

    /// The module this is an instance of.
    ///
    /// # Errors
    /// If `store` does not own this instance (`ErrorKind::Usage`; as for every method below).
    pub fn module(&self, store: impl AsContext) -> Result<Module> {
        Ok(self.entity(store.as_context())?.module.clone())
    }

    /// The export called `name`.
    ///
    /// # Errors
    /// If there is no such export (`ErrorKind::Usage`, naming the exports there are).
    pub fn get_export(&self, store: impl AsContext, name: &str) -> Result<Extern> {
        let store = store.as_context();
        let entity = self.entity(store)?;
        let m = &entity.module.inner;
        match m.export_index.get(name) {
            Some(&at) => {
                let (_, kind, index) = &m.exports[at];
                Ok(extern_of(store.inner.id, entity, *kind, *index))
            }
            None => Err(Error::usage(format!("no export named `{name}`{}", export_list(&entity.module)))),
        }
    }

    /// All exports, in declaration order.
    pub fn exports(&self, store: impl AsContext) -> Result<Vec<(String, Extern)>> {
        let store = store.as_context();
        let entity = self.entity(store)?;
        Ok(entity
            .module
            .inner
            .exports
            .iter()
            .map(|(name, kind, index)| (name.clone(), extern_of(store.inner.id, entity, *kind, *index)))
            .collect())
    }

    /// The exported function `name`.
    ///
    /// # Errors
    /// If there is no export `name` or it is not a function (`ErrorKind::Usage`).
    pub fn get_func(&self, store: impl AsContext, name: &str) -> Result<Func> {
        self.get_export(store, name)?.into_func().ok_or_else(|| not_a(name, "function"))
    }

    /// The exported function `name` with a static signature.
    ///
    /// # Errors
    /// If there is no such function or its signature differs.
    pub fn get_typed_func<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        let store = store.as_context();
        self.get_func(store, name)?.typed(store)
    }

    /// The exported memory `name`.
    ///
    /// # Errors
    /// If there is no export `name` or it is not a memory (`ErrorKind::Usage`).
    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Result<Memory> {
        self.get_export(store, name)?.into_memory().ok_or_else(|| not_a(name, "memory"))
    }

    /// The exported table `name`.
    ///
    /// # Errors
    /// If there is no export `name` or it is not a table (`ErrorKind::Usage`).
    pub fn get_table(&self, store: impl AsContext, name: &str) -> Result<Table> {
        self.get_export(store, name)?.into_table().ok_or_else(|| not_a(name, "table"))
    }

    /// The exported global `name`.
    ///
    /// # Errors
    /// If there is no export `name` or it is not a global (`ErrorKind::Usage`).
    pub fn get_global(&self, store: impl AsContext, name: &str) -> Result<Global> {
        self.get_export(store, name)?.into_global().ok_or_else(|| not_a(name, "global"))
    }

    /// The exported tag `name` (exception handling).
    ///
    /// # Errors
    /// If there is no export `name` or it is not a tag (`ErrorKind::Usage`).
    pub fn get_tag(&self, store: impl AsContext, name: &str) -> Result<Tag> {
        self.get_export(store, name)?.into_tag().ok_or_else(|| not_a(name, "tag"))
    }

    /// The instance's memory number `index` (imported memories first), exported or not, or
    /// `None` if it has no such memory.
    pub fn memory_by_index(&self, store: impl AsContext, index: u32) -> Result<Option<Memory>> {
        let store = store.as_context();
        let entity = self.entity(store)?;
        Ok(entity.memories.get(index as usize).map(|&addr| Memory { store: store.inner.id, index: addr }))
    }
}

/// `" (exports: a, b)"`, or `" (the module exports nothing)"`, for "not found" messages.
fn export_list(module: &Module) -> String {
    let names: Vec<&str> = module.inner.exports.iter().map(|(name, _, _)| name.as_str()).collect();
    if names.is_empty() {
        " (the module exports nothing)".to_string()
    } else {
        format!(" (exports: {})", names.join(", "))
    }
}

fn not_a(name: &str, kind: &str) -> Error {
    Error::usage(format!("export `{name}` is not a {kind}"))
}

fn extern_of(store: StoreId, entity: &InstanceEntity, kind: ExternKind, index: u32) -> Extern {
    let i = index as usize;
    match kind {
        ExternKind::Func => Extern::Func(Func { store, index: entity.funcs[i] }),
        ExternKind::Table => Extern::Table(Table { store, index: entity.tables[i] }),
        ExternKind::Memory => Extern::Memory(Memory { store, index: entity.memories[i] }),
        ExternKind::Global => Extern::Global(Global { store, index: entity.globals[i] }),
        ExternKind::Tag => Extern::Tag(Tag { store, index: entity.tags[i] }),
    }
}

fn limits_match(min: u64, max: Option<u64>, want_min: u64, want_max: Option<u64>) -> bool {
    min >= want_min
        && match want_max {
            None => true,
            Some(want) => matches!(max, Some(m) if m <= want),
        }
}

/// Whether a table of type `have` (concrete types into `have_ids`) can be imported as
/// `want` (into `want_ids`): the same element type, and limits that fit.
fn table_matches(have: &TableType, have_ids: &[TypeId], want: &TableType, want_ids: &[TypeId]) -> bool {
    val_type_eq(have.element.into(), have_ids, want.element.into(), want_ids)
        && limits_match(
            u64::from(have.min),
            have.max.map(u64::from),
            u64::from(want.min),
            want.max.map(u64::from),
        )
}

/// Whether a global of type `have` can be imported as `want`: the same mutability; a mutable
/// global of the same content type, an immutable one of a subtype (a `(ref $t)` global for a
/// `(ref null func)` import, say).
fn global_matches(have: &GlobalType, have_ids: &[TypeId], want: &GlobalType, want_ids: &[TypeId]) -> bool {
    have.mutability == want.mutability
        && if want.is_mutable() {
            val_type_eq(have.content, have_ids, want.content, want_ids)
        } else {
            val_subtype(have.content, have_ids, want.content, want_ids)
        }
}

fn memory_matches(have: &MemoryType, want: &MemoryType) -> bool {
    have.memory64 == want.memory64 && limits_match(have.min, have.max, want.min, want.max)
}

/// Evaluates a constant expression of an instance under construction.
fn eval_const(store: &crate::store::StoreInner, entity: &InstanceEntity, expr: &ConstExpr) -> (u64, u64) {
    match *expr {
        ConstExpr::I32(v) => (u64::from(v as u32), 0),
        ConstExpr::I64(v) => (v as u64, 0),
        ConstExpr::F32(v) => (u64::from(v), 0),
        ConstExpr::F64(v) => (v, 0),
        ConstExpr::V128(v) => (v as u64, (v >> 64) as u64),
        ConstExpr::RefNull(_) => (0, 0),
        ConstExpr::RefFunc(f) => (u64::from(entity.funcs[f as usize]) + 1, 0),
        ConstExpr::GlobalGet(g) => {
            let global = &store.globals[entity.globals[g as usize] as usize];
            (global.lo, global.hi)
        }
        ConstExpr::Extended(ref ops) => {
            // Validation typed the sequence: every operator finds its two operands.
            let mut stack: Vec<(u64, u64)> = Vec::with_capacity(ops.len());
            for op in ops.iter() {
                match op {
                    ConstOp::Push(e) => stack.push(eval_const(store, entity, e)),
                    ConstOp::Binary(op) => {
                        let b = stack.pop().unwrap_or_default().0;
                        let a = stack.pop().unwrap_or_default().0;
                        stack.push((op.apply(a, b), 0));
                    }
                }
            }
            stack.pop().unwrap_or_default()
        }
    }
}

fn link_error(module: &str, name: &str, message: impl std::fmt::Display) -> Error {
    Error::new(ErrorKind::Link, format!("import `{module}::{name}`: {message}"))
}

fn over_limit(what: &str, size: u32, unit: &str, limit: u32) -> Error {
    Error::new(
        ErrorKind::Instantiation,
        format!("{what} of {size} {unit} exceeds the limit of {limit} {unit}"),
    )
}

pub(crate) fn instantiate<T>(
    store: &mut Store<T>,
    module: &Module,
    imports: &[Extern],
    limits: InstanceLimits,
) -> Result<Instance> {
    if !crate::Engine::same(store.engine(), module.engine()) {
        return Err(Error::usage("module and store belong to different engines"));
    }
    let m = module.inner.clone();
    if imports.len() != m.imports.len() {
        return Err(Error::new(
            ErrorKind::Link,
            format!("module needs {} imports, {} were given", m.imports.len(), imports.len()),
        ));
    }
    let mut entity = InstanceEntity {
        module: module.clone(),
        funcs: Vec::with_capacity(m.funcs.len()),
        tables: Vec::with_capacity(m.tables.len()),
        memories: Vec::with_capacity(m.memories.len()),
        globals: Vec::with_capacity(m.globals.len()),
        tags: Vec::with_capacity(m.tags.len()),
        elems: Vec::with_capacity(m.elems.len()),
        datas: Vec::with_capacity(m.datas.len()),
    };

    // Imports: check each against its declaration. Types are compared by their definitions
    // (engine ids), whichever module declared them.
    let (mut imported_funcs, mut imported_tags) = (0, 0);
    for (decl, ext) in m.imports.iter().zip(imports) {
        store.inner.check(ext.store_id())?;
        let have = ext.ty(&*store)?;
        let inner = &store.inner;
        let ok = match (&decl.ty, &have, ext) {
            (ExternType::Func(_), ExternType::Func(_), Extern::Func(f)) => {
                // A function's type must be the imported type (function types are final).
                let want = m.type_ids[m.funcs[imported_funcs] as usize];
                imported_funcs += 1;
                inner.funcs[f.index as usize].ty() == want
            }
            (ExternType::Table(want), ExternType::Table(have), Extern::Table(t)) => {
                let owner = inner.tables[t.index as usize].owner;
                table_matches(have, inner.type_ids(owner), want, &m.type_ids)
            }
            (ExternType::Memory(want), ExternType::Memory(have), _) => memory_matches(have, want),
            (ExternType::Global(want), ExternType::Global(have), Extern::Global(g)) => {
                let owner = inner.globals[g.index as usize].owner;
                global_matches(have, inner.type_ids(owner), want, &m.type_ids)
            }
            (ExternType::Tag(_), ExternType::Tag(_), Extern::Tag(t)) => {
                // A tag's type must be the imported type, compared as functions' are.
                let want = m.type_ids[m.tags[imported_tags] as usize];
                imported_tags += 1;
                inner.tags[t.index as usize].type_id == want
            }
            _ => false,
        };
        if !ok {
            return Err(link_error(
                &decl.module,
                &decl.name,
                format!("incompatible import type: expected {}, found {have}", decl.ty),
            ));
        }
        match *ext {
            Extern::Func(f) => entity.funcs.push(f.index),
            Extern::Table(t) => entity.tables.push(t.index),
            Extern::Memory(mem) => entity.memories.push(mem.index),
            Extern::Global(g) => entity.globals.push(g.index),
            Extern::Tag(t) => entity.tags.push(t.index),
        }
    }
    // Imported memories and tables come under this instance's ceilings too.
    if let Some(max) = limits.max_memory_pages {
        for &m in &entity.memories {
            let pages = store.inner.memories[m as usize].pages();
            if pages > max {
                return Err(over_limit("imported memory", pages, "pages", max));
            }
        }
    }
    if let Some(max) = limits.max_table_elements {
        for &t in &entity.tables {
            let len = store.inner.tables[t as usize].elements.len() as u32;
            if len > max {
                return Err(over_limit("imported table", len, "elements", max));
            }
        }
    }
    if let Some(max) = limits.max_memory_pages {
        for &m in &entity.memories {
            let memory = &mut store.inner.memories[m as usize];
            memory.limit = memory.limit.min(max);
        }
    }
    if let Some(max) = limits.max_table_elements {
        for &t in &entity.tables {
            let table = &mut store.inner.tables[t as usize];
            table.limit = table.limit.min(max);
        }
    }

    let mut config = store.engine().config().clone();
    if let Some(max) = limits.max_memory_pages {
        config.max_memory_pages(config.max_memory_pages.min(max));
    }
    if let Some(max) = limits.max_table_elements {
        config.max_table_elements(config.max_table_elements.min(max));
    }
    let inner = &mut store.inner;
    let instance_index = inner.instances.len() as u32;

    // Defined items.
    for (code, &type_index) in m.funcs[m.num_imported_funcs as usize..].iter().enumerate() {
        let ty = m.type_ids[type_index as usize];
        let sig = m.types[type_index as usize].clone();
        inner.funcs.push(FuncEntity::Wasm { instance: instance_index, code: code as u32, ty, sig });
        entity.funcs.push((inner.funcs.len() - 1) as u32);
    }
    for &type_index in &m.tags[m.num_imported_tags as usize..] {
        let (ty, type_id) = (m.types[type_index as usize].clone(), m.type_ids[type_index as usize]);
        inner.tags.push(crate::exn::TagEntity::new(ty, type_id));
        entity.tags.push((inner.tags.len() - 1) as u32);
    }
    for (ty, init) in m.tables[m.num_imported_tables as usize..].iter().zip(&m.table_inits) {
        // An initialiser may read imported globals and refer to functions (typed references).
        let init = init.as_ref().map_or(0, |e| eval_const(inner, &entity, e).0 as u32);
        inner.tables.push(TableEntity::new(*ty, init, config.max_table_elements, Some(instance_index))?);
        entity.tables.push((inner.tables.len() - 1) as u32);
    }
    for ty in &m.memories[m.num_imported_memories as usize..] {
        inner.memories.push(MemoryEntity::new(*ty, config.max_memory_pages)?);
        entity.memories.push((inner.memories.len() - 1) as u32);
    }
    for (ty, init) in m.globals[m.num_imported_globals as usize..].iter().zip(&m.global_inits) {
        let (lo, hi) = eval_const(inner, &entity, init);
        inner.globals.push(GlobalEntity { ty: *ty, lo, hi, owner: Some(instance_index) });
        entity.globals.push((inner.globals.len() - 1) as u32);
    }
    for segment in &m.elems {
        let items: Box<[u32]> = match segment.mode {
            // Declarative segments are dropped at instantiation.
            ElemMode::Declared => Box::new([]),
            _ => segment.items.iter().map(|e| eval_const(inner, &entity, e).0 as u32).collect(),
        };
        inner.elems.push(items);
        entity.elems.push((inner.elems.len() - 1) as u32);
    }
    for segment in &m.datas {
        inner.datas.push(segment.bytes.clone());
        entity.datas.push((inner.datas.len() - 1) as u32);
    }
    inner.instances.push(entity);
    let instance = Instance { store: inner.id, index: instance_index };

    // Active segments, in order; a failure keeps the effects of earlier segments.
    let entity = &inner.instances[instance_index as usize];
    for (i, segment) in m.elems.iter().enumerate() {
        if let ElemMode::Active { table, offset } = &segment.mode {
            let offset = eval_const(inner, entity, offset).0 as u32;
            let elem_addr = entity.elems[i] as usize;
            let table = &mut inner.tables[entity.tables[*table as usize] as usize];
            let items = &inner.elems[elem_addr];
            let end = u64::from(offset) + items.len() as u64;
            if end > table.elements.len() as u64 {
                return Err(TrapKind::TableOutOfBounds.into());
            }
            table.elements[offset as usize..end as usize].copy_from_slice(items);
            inner.elems[elem_addr] = Box::new([]);
        }
    }
    for (i, segment) in m.datas.iter().enumerate() {
        if let Some((memory, offset)) = &segment.active {
            let data_addr = entity.datas[i] as usize;
            let offset = eval_const(inner, entity, offset).0;
            let memory = &mut inner.memories[entity.memories[*memory as usize] as usize];
            // An i32 offset for a 32-bit memory, an i64 one for a 64-bit memory (memory64).
            let offset = if memory.ty.memory64 { offset } else { u64::from(offset as u32) };
            let bytes = &inner.datas[data_addr];
            let end = offset.checked_add(bytes.len() as u64);
            let Some(end) = end.filter(|&end| end <= memory.data.len() as u64) else {
                return Err(TrapKind::MemoryOutOfBounds.into());
            };
            memory.data[offset as usize..end as usize].copy_from_slice(bytes);
            inner.datas[data_addr] = std::sync::Arc::from(&[][..]);
        }
    }

    if let Some(start) = m.start {
        let func = inner.instances[instance_index as usize].funcs[start as usize];
        crate::func::invoke(store, func, &mut Vec::new())?;
    }
    Ok(instance)
}
