//! The engine: configuration plus the registry of interned function types (recursive type
//! groups).

use crate::config::Config;
use crate::types::{FuncType, ValType};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An engine-wide identifier of a function type: equal types have equal ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TypeId(pub(crate) u32);

/// Where a concrete heap type in a canonical type points: to a type outside its recursive
/// type group, by that type's engine id, or to a type of the same group, by its position in
/// the group (iso-recursive equivalence: references inside a group compare by position).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CanonicalRef {
    /// A type of an earlier group: its engine id.
    Engine(TypeId),
    /// A type of the same group: its position in the group.
    Group(u32),
}

/// A value type in canonical form: a concrete heap type holds a [`CanonicalRef`] instead of a
/// module's type index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum CanonicalVal {
    /// A type without a concrete heap type (numbers, vectors, `funcref`, `(ref extern)`, ...).
    Plain(ValType),
    /// `(ref null? $t)`.
    Concrete { nullable: bool, target: CanonicalRef },
}

/// A function type of a recursive type group in canonical form: whether it is final (declared
/// without `sub`, or with `sub final`), and its parameter and result types.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct CanonicalFunc {
    pub is_final: bool,
    pub len_params: usize,
    pub params_results: Box<[CanonicalVal]>,
}

/// The registry of recursive type groups (a type declared outside `rec` is a group of one).
/// Two groups are the same when their canonical forms are equal, and then their types have
/// the same ids: type `k` of a group whose first id is `n` has id `n + k`. So equal
/// definitions get equal ids across the modules of an engine, and comparing two types is one
/// integer compare.
#[derive(Default)]
struct TypeRegistry {
    groups: HashMap<Box<[CanonicalFunc]>, TypeId>,
    /// Ids handed out, interned or unique.
    next: u32,
}

struct EngineInner {
    config: Config,
    types: Mutex<TypeRegistry>,
}

/// Compiles modules and owns the settings they run with. Cheap to clone; shareable across threads.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").field("config", &self.inner.config).finish()
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(Config::default())
    }
}

impl Engine {
    /// Creates an engine with the given configuration.
    pub fn new(config: Config) -> Self {
        Engine { inner: Arc::new(EngineInner { config, types: Mutex::new(TypeRegistry::default()) }) }
    }

    /// The configuration this engine was created with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Whether two handles refer to the same engine.
    pub fn same(a: &Engine, b: &Engine) -> bool {
        Arc::ptr_eq(&a.inner, &b.inner)
    }

    /// The ids of the types of a recursive type group in canonical form (see
    /// [`TypeRegistry`]), in group order.
    pub(crate) fn intern_group(&self, group: Box<[CanonicalFunc]>) -> std::ops::Range<u32> {
        let len = group.len() as u32;
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let first = match reg.groups.get(&group) {
            Some(first) => first.0,
            None => {
                let first = reg.next;
                reg.next += len;
                reg.groups.insert(group, TypeId(first));
                first
            }
        };
        first..first + len
    }

    /// The id of a host function's or host tag's type: a final function type declared alone,
    /// so the id of a module's `(type (func ...))` of that signature. Its concrete heap types
    /// are indices into `ids` (the engine ids of a module's types, empty without a module); an
    /// index outside them means nothing, and the signature then gets an id of its own, which no
    /// module's type (and so no import or `call_indirect`) matches.
    pub(crate) fn host_type_id(&self, ty: &FuncType, ids: &[TypeId]) -> TypeId {
        match ty.canonical(true, ids, ids.len() as u32, 0) {
            Some(form) => TypeId(self.intern_group(Box::new([form])).start),
            None => {
                let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
                let id = TypeId(reg.next);
                reg.next += 1;
                id
            }
        }
    }
}
