//! The `spectest` host module, exactly as the reference interpreter defines it.
//!
//! ```text
//! (func (export "print"))
//! (func (export "print_i32") (param i32))
//! (func (export "print_i64") (param i64))
//! (func (export "print_f32") (param f32))
//! (func (export "print_f64") (param f64))
//! (func (export "print_i32_f32") (param i32 f32))
//! (func (export "print_f64_f64") (param f64 f64))
//! (global (export "global_i32") i32 (i32.const 666))
//! (global (export "global_i64") i64 (i64.const 666))
//! (global (export "global_f32") f32 (f32.const 666.6))
//! (global (export "global_f64") f64 (f64.const 666.6))
//! (table (export "table") 10 20 funcref)
//! (memory (export "memory") 1 2)
//! ```
//!
//! The print functions print nothing. All items are created once per store, so every module
//! of a file that imports `spectest.print` sees the same function.

use epsilon::{
    Caller, Error, Func, Global, GlobalType, Linker, Memory, MemoryType, Mutability, RefType, Store, Table,
    TableType, Val, ValType,
};

/// The module name the host items are defined under.
pub const MODULE: &str = "spectest";

/// Creates the `spectest` items in `store` and defines them in `linker` under `spectest`.
///
/// # Errors
/// If epsilon refuses to create an item, or a name is already defined and the linker does
/// not allow shadowing.
pub fn define<T: 'static>(linker: &mut Linker<T>, store: &mut Store<T>) -> Result<(), Error> {
    let funcs = [
        ("print", Func::wrap(&mut *store, |_: Caller<'_, T>| {})),
        ("print_i32", Func::wrap(&mut *store, |_: Caller<'_, T>, _: i32| {})),
        ("print_i64", Func::wrap(&mut *store, |_: Caller<'_, T>, _: i64| {})),
        ("print_f32", Func::wrap(&mut *store, |_: Caller<'_, T>, _: f32| {})),
        ("print_f64", Func::wrap(&mut *store, |_: Caller<'_, T>, _: f64| {})),
        ("print_i32_f32", Func::wrap(&mut *store, |_: Caller<'_, T>, _: i32, _: f32| {})),
        ("print_f64_f64", Func::wrap(&mut *store, |_: Caller<'_, T>, _: f64, _: f64| {})),
    ];
    for (name, func) in funcs {
        linker.define(MODULE, name, func)?;
    }

    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::from(666.6f32)),
        ("global_f64", ValType::F64, Val::from(666.6f64)),
    ];
    for (name, ty, value) in globals {
        let global = Global::new(&mut *store, GlobalType::new(ty, Mutability::Const), value)?;
        linker.define(MODULE, name, global)?;
    }

    let table = Table::new(&mut *store, TableType::new(RefType::FuncRef, 10, Some(20)), Val::FuncRef(None))?;
    linker.define(MODULE, "table", table)?;
    let memory = Memory::new(&mut *store, MemoryType::new(1, Some(2)))?;
    linker.define(MODULE, "memory", memory)?;
    Ok(())
}
