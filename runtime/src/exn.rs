//! Exception handling: tags, the store's exception heap, and exceptions crossing the host
//! boundary.
//!
//! A tag is a store object ([`Tag`]): defined by a module, imported or created by the host;
//! two exceptions match a `catch` when their tags are the same store object. A thrown
//! exception lives in the store's [`ExnHeap`] (its tag and its payload as cells); a register
//! holding an `exnref` holds its slot number plus one (0 is null), like the other references.
//!
//! An exception is freed when it is caught by `catch`/`catch_all` or escapes to the host while
//! no `exnref` to it was ever made (the common case: `throw` caught by `catch`), so a loop of
//! throws and catches runs in constant memory. One captured by `catch_ref`/`catch_all_ref`
//! lives as long as the store (there is no collection of exception objects yet).
//!
//! An exception that escapes a call into wasm is an [`Error`] whose
//! [`Error::exception`] holds an [`Exception`] (tag and payload values); a host function
//! throws into wasm by returning [`Exception::into_error`] (or any error carrying an
//! exception), which wasm can catch like one it threw itself.

use crate::engine::TypeId;
use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, StoreId, StoreInner};
use crate::types::{FuncType, TagType, ValType};
use crate::value::Val;

/// A tag in the store: its type, the type's engine-wide id (what an import of the tag is
/// checked against), and the cells its payload takes.
pub(crate) struct TagEntity {
    pub ty: TagType,
    pub type_id: TypeId,
    pub param_cells: u32,
}

impl TagEntity {
    pub(crate) fn new(ty: FuncType, type_id: TypeId) -> Self {
        let param_cells = ty.param_cells();
        TagEntity { ty: TagType::from_func_type(ty), type_id, param_cells }
    }
}

/// A handle to an exception tag (exception handling): what `throw` names and `catch` matches.
///
/// ```
/// use epsilon::{Engine, Store, Tag, TagType, ValType};
///
/// let engine = Engine::default();
/// let mut store = Store::new(&engine, ());
/// let tag = Tag::new(&mut store, TagType::new([ValType::I32]));
/// assert_eq!(tag.ty(&store)?.params(), &[ValType::I32]);
/// # Ok::<(), epsilon::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Tag {
    /// Creates a tag of type `ty` in the store (a host tag, which modules can import).
    pub fn new(mut store: impl AsContextMut, ty: TagType) -> Tag {
        let inner = &mut store.as_context_mut().inner;
        let type_id = inner.engine.host_type_id(ty.func_type(), &[]);
        inner.tags.push(TagEntity::new(ty.func_type().clone(), type_id));
        Tag { store: inner.id, index: (inner.tags.len() - 1) as u32 }
    }

    /// The tag's type.
    ///
    /// # Errors
    /// If `store` does not own this tag (`ErrorKind::Usage`).
    pub fn ty(&self, store: impl AsContext) -> Result<TagType> {
        let store = store.as_context();
        store.inner.check(self.store)?;
        let entity = store.inner.tags.get(self.index as usize);
        Ok(entity.ok_or_else(|| Error::usage("unknown tag"))?.ty.clone())
    }
}

/// A handle to an exception object of a store: the value of an `exnref` (exception handling).
/// Wasm makes one with `catch_ref`/`catch_all_ref` and rethrows it with `throw_ref`; the host
/// can pass it around and read it with [`ExnRef::exception`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExnRef {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl ExnRef {
    /// The tag and payload of the exception.
    ///
    /// # Errors
    /// If `store` does not own this reference (`ErrorKind::Usage`).
    pub fn exception(&self, store: impl AsContext) -> Result<Exception> {
        let store = store.as_context();
        store.inner.check(self.store)?;
        Ok(exception_of(&store.inner, self.index))
    }
}

/// An exception as the host sees it: its tag and its payload values.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// The exception's tag.
    pub tag: Tag,
    /// The payload, one value per parameter of the tag's type.
    pub values: Vec<Val>,
}

impl Exception {
    /// An exception of `tag` carrying `values`.
    pub fn new(tag: Tag, values: impl Into<Vec<Val>>) -> Self {
        Exception { tag, values: values.into() }
    }

    /// The error a host function returns to throw this exception into the wasm code that
    /// called it (which can catch it), or that a call into wasm returns when it escapes.
    /// The payload is checked against the tag's type when it is thrown.
    pub fn into_error(self) -> Error {
        Error::exception_error(self)
    }
}

/// One exception object.
struct ExnEntity {
    /// The tag's store index.
    tag: u32,
    /// The payload, as cells.
    cells: Box<[u64]>,
    /// Whether an `exnref` to it was ever made (then it is never freed).
    exposed: bool,
}

/// The store's exception objects.
#[derive(Default)]
pub(crate) struct ExnHeap {
    entries: Vec<Option<ExnEntity>>,
    free: Vec<u32>,
}

impl ExnHeap {
    /// Stores a new exception; returns its slot.
    pub(crate) fn insert(&mut self, tag: u32, cells: &[u64]) -> u32 {
        let entity = ExnEntity { tag, cells: cells.into(), exposed: false };
        match self.free.pop() {
            Some(index) => {
                self.entries[index as usize] = Some(entity);
                index
            }
            None => {
                self.entries.push(Some(entity));
                (self.entries.len() - 1) as u32
            }
        }
    }

    fn entity(&self, index: u32) -> Option<&ExnEntity> {
        self.entries.get(index as usize)?.as_ref()
    }

    /// The tag (store index) of exception `index`.
    pub(crate) fn tag(&self, index: u32) -> u32 {
        self.entity(index).map_or(u32::MAX, |e| e.tag)
    }

    /// The payload cells of exception `index`.
    pub(crate) fn cells(&self, index: u32) -> &[u64] {
        self.entity(index).map_or(&[], |e| &e.cells)
    }

    /// Marks exception `index` as referenced by an `exnref` (never freed from now on).
    pub(crate) fn expose(&mut self, index: u32) {
        if let Some(Some(e)) = self.entries.get_mut(index as usize) {
            e.exposed = true;
        }
    }

    /// Frees exception `index` unless an `exnref` to it was made.
    pub(crate) fn release(&mut self, index: u32) {
        if let Some(slot) = self.entries.get_mut(index as usize)
            && slot.as_ref().is_some_and(|e| !e.exposed)
        {
            *slot = None;
            self.free.push(index);
        }
    }

    /// The number of live exception objects.
    pub(crate) fn live(&self) -> usize {
        self.entries.len() - self.free.len()
    }

    /// Every payload cell of every live exception (conservative roots for the externref
    /// collector: a payload may hold an externref).
    pub(crate) fn all_cells(&self) -> impl Iterator<Item = u32> + '_ {
        self.entries.iter().flatten().flat_map(|e| e.cells.iter().map(|&c| c as u32))
    }
}

/// The host view of exception `index` of `store`.
pub(crate) fn exception_of(store: &StoreInner, index: u32) -> Exception {
    let tag = store.exns.tag(index);
    let cells = store.exns.cells(index);
    let mut values = Vec::new();
    if let Some(entity) = store.tags.get(tag as usize) {
        let mut i = 0;
        for ty in entity.ty.params() {
            let lo = cells.get(i).copied().unwrap_or(0);
            let hi = if *ty == ValType::V128 { cells.get(i + 1).copied().unwrap_or(0) } else { 0 };
            values.push(crate::func::cells_to_val(store, lo, hi, *ty));
            i += ty.cells() as usize;
        }
    }
    Exception { tag: Tag { store: store.id, index: tag }, values }
}

/// Stores the host exception `e` in the heap of `store` (checking its payload against the
/// tag's type); returns its slot.
pub(crate) fn insert_exception(store: &mut StoreInner, e: &Exception) -> Result<u32> {
    store.check(e.tag.store)?;
    let entity = store.tags.get(e.tag.index as usize);
    let ty = entity.ok_or_else(|| Error::usage("unknown tag"))?.ty.clone();
    if ty.params().len() != e.values.len() {
        return Err(Error::type_error(format!("exception of {ty} thrown with {} values", e.values.len())));
    }
    let mut cells = Vec::new();
    for (v, t) in e.values.iter().zip(ty.params()) {
        let (lo, hi) = crate::func::val_to_cells(store, v, *t, &[])?;
        cells.push(lo);
        if *t == ValType::V128 {
            cells.push(hi);
        }
    }
    Ok(store.exns.insert(e.tag.index, &cells))
}
