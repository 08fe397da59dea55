//! Global variables.

use crate::error::{Error, Result};
use crate::store::{AsContext, AsContextMut, GlobalEntity, StoreId};
use crate::types::GlobalType;
use crate::value::Val;

/// A handle to a global variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global {
    pub(crate) store: StoreId,
    pub(crate) index: u32,
}

impl Global {
    /// Creates a global of the given type holding `value`.
    ///
    /// # Errors
    /// If `value` does not have the global's content type or belongs to another store.
    ///
    /// A concrete heap type in `ty` (`(ref $t)`) refers to no module's types here, so only
    /// null fits a nullable one and nothing a non-nullable one.
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let store = store.as_context_mut();
        let (lo, hi) = crate::func::val_to_cells(&store.inner, &value, ty.content, &[])?;
        store.inner.globals.push(GlobalEntity { ty, lo, hi, owner: None });
        Ok(Global { store: store.inner.id, index: (store.inner.globals.len() - 1) as u32 })
    }

    fn entity<'a, T: 'a>(&self, store: &'a crate::Store<T>) -> Result<&'a GlobalEntity> {
        store.inner.check(self.store)?;
        Ok(&store.inner.globals[self.index as usize])
    }

    /// The global's type.
    ///
    /// # Errors
    /// If `store` does not own this global (`ErrorKind::Usage`; as for `get` and `set`).
    pub fn ty(&self, store: impl AsContext) -> Result<GlobalType> {
        Ok(self.entity(store.as_context())?.ty)
    }

    /// The current value.
    pub fn get(&self, store: impl AsContext) -> Result<Val> {
        let store = store.as_context();
        let g = self.entity(store)?;
        Ok(crate::func::cells_to_val(&store.inner, g.lo, g.hi, g.ty.content))
    }

    /// Sets the value of a mutable global.
    ///
    /// # Errors
    /// If the global is immutable or `value` has the wrong type (for a typed reference: null
    /// where the type is non-nullable, or a function of another type than `(ref $t)` names).
    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let store = store.as_context_mut();
        let (ty, owner) = {
            let g = self.entity(store)?;
            (g.ty, g.owner)
        };
        if !ty.is_mutable() {
            return Err(Error::usage("cannot set an immutable global"));
        }
        let ids = store.inner.type_ids(owner);
        let (lo, hi) = crate::func::val_to_cells(&store.inner, &value, ty.content, ids)?;
        let g = &mut store.inner.globals[self.index as usize];
        g.lo = lo;
        g.hi = hi;
        Ok(())
    }
}
