//! The engine: configuration plus the registry of interned function types.

use crate::config::Config;
use crate::types::FuncType;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An engine-wide identifier of a function type: equal types have equal ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TypeId(pub(crate) u32);

/// Function types in their engine-canonical form (see [`FuncType::canonical`]): a concrete
/// heap type `(ref $t)` in them holds the engine id of `$t`'s definition, not a module's type
/// index, so equal definitions get equal ids across modules.
#[derive(Default)]
struct TypeRegistry {
    ids: HashMap<FuncType, TypeId>,
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

    /// The id of a function type in engine-canonical form: concrete heap types in `ty` must
    /// already hold engine ids (a module's types go through [`FuncType::canonical`] first).
    pub(crate) fn intern(&self, ty: &FuncType) -> TypeId {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = reg.ids.get(ty) {
            return *id;
        }
        let id = TypeId(reg.next);
        reg.next += 1;
        reg.ids.insert(ty.clone(), id);
        id
    }

    /// A fresh id equal to no other: the type of a host function whose signature names a
    /// concrete type index, which has no module to give it a meaning (so it matches no
    /// module's type).
    pub(crate) fn unique_type_id(&self) -> TypeId {
        let mut reg = self.inner.types.lock().unwrap_or_else(|e| e.into_inner());
        let id = TypeId(reg.next);
        reg.next += 1;
        id
    }
}
