//! Typed function references through the API: reference types with nullability and concrete
//! heap types, typed tables and their initialisers, `call_ref` and `return_call_ref` on
//! references passed in by the host, linking by subtyping, and the null traps.

use epsilon::{
    Config, Engine, Error, ErrorKind, Func, FuncType, Global, GlobalType, HeapType, Linker, Module,
    Mutability, RefType, Store, Table, TableType, TrapKind, Val, ValType,
};

/// `$t` is `(i32) -> i32`; `double` and `negate` have it, `other` does not.
const LIB: &str = r#"(module
    (type $t (func (param i32) (result i32)))
    (type $u (func (param i64) (result i64)))
    (func $double (export "double") (type $t) (i32.mul (local.get 0) (i32.const 2)))
    (func $negate (export "negate") (type $t) (i32.sub (i32.const 0) (local.get 0)))
    (func $other (export "other") (type $u) (local.get 0))
    (table $tab (export "table") 3 (ref $t) (ref.func $double))
    (global (export "g") (ref $t) (ref.func $negate))
    (global (export "gmut") (mut (ref null $t)) (ref.null $t))
    (func (export "apply") (param $f (ref $t)) (param $x i32) (result i32)
      (call_ref $t (local.get $x) (local.get $f)))
    (func (export "apply_null") (param $f (ref null $t)) (param $x i32) (result i32)
      (call_ref $t (local.get $x) (local.get $f)))
    (func (export "as_non_null") (param $f (ref null $t)) (result (ref $t))
      (ref.as_non_null (local.get $f)))
    (func (export "call_slot") (param $i i32) (param $x i32) (result i32)
      (call_ref $t (local.get $x) (table.get $tab (local.get $i))))
    (func (export "is_null") (param $f (ref null $t)) (result i32)
      (block $null
        (br_on_null $null (local.get $f))
        (drop)
        (return (i32.const 0)))
      (i32.const 1))
    (func (export "or_double") (param $f (ref null $t)) (param $x i32) (result i32)
      (block $some (result (ref $t))
        (br_on_non_null $some (local.get $f))
        (return (i32.mul (local.get $x) (i32.const 2))))
      (local.set $f)
      (call_ref $t (local.get $x) (local.get $f)))
    (func (export "get_double") (result (ref $t)) (ref.func $double))
    (func $count (export "count") (param $n i64) (result i64)
      (if (result i64) (i64.eqz (local.get $n))
        (then (i64.const 42))
        (else (return_call_ref $u (i64.sub (local.get $n) (i64.const 1)) (ref.func $count_u)))))
    (func $count_u (type $u)
      (return_call $count (local.get 0)))
    (elem declare func $count_u)
  )"#;

fn setup(config: Config) -> (Store<()>, epsilon::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, LIB).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn call1(store: &mut Store<()>, instance: epsilon::Instance, name: &str, args: &[Val]) -> Result<Val, Error> {
    let f = instance.get_func(&*store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut *store, args, &mut out)?;
    Ok(out[0])
}

fn func(store: &Store<()>, instance: epsilon::Instance, name: &str) -> Func {
    instance.get_func(store, name).unwrap()
}

fn concrete(nullable: bool, index: u32) -> ValType {
    ValType::Ref(RefType::new(nullable, HeapType::Concrete(index)))
}

#[test]
fn value_types_name_nullability_and_heap_types() {
    assert_eq!(ValType::FuncRef, ValType::Ref(RefType::new(true, HeapType::Func)));
    assert_eq!(ValType::ExternRef, ValType::Ref(RefType::ExternRef));
    assert_eq!(ValType::FuncRef.to_string(), "funcref");
    assert_eq!(ValType::ExternRef.to_string(), "externref");
    assert_eq!(ValType::Ref(RefType::new(false, HeapType::Func)).to_string(), "(ref func)");
    assert_eq!(ValType::Ref(RefType::new(false, HeapType::Extern)).to_string(), "(ref extern)");
    assert_eq!(concrete(false, 3).to_string(), "(ref 3)");
    assert_eq!(concrete(true, 0).to_string(), "(ref null 0)");
    // The 2.0 names still work in patterns.
    assert!(matches!(ValType::Ref(RefType::FuncRef), ValType::FuncRef));
    assert!(!matches!(concrete(true, 0), ValType::FuncRef));
}

#[test]
fn modules_report_typed_references() {
    let engine = Engine::default();
    let module = Module::new(&engine, LIB).unwrap();
    let exports: Vec<(String, String)> =
        module.exports().map(|e| (e.name.to_string(), e.ty.to_string())).collect();
    let find = |name: &str| exports.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone()).unwrap();
    assert_eq!(find("apply"), "func ((ref 0), i32) -> (i32)");
    assert_eq!(find("apply_null"), "func ((ref null 0), i32) -> (i32)");
    assert_eq!(find("table"), "table 3 (ref 0)");
    assert_eq!(find("g"), "global (ref 0)");
    assert_eq!(find("gmut"), "global (mut (ref null 0))");
    assert_eq!(find("get_double"), "func () -> ((ref 0))");

    let (store, instance) = setup(Config::default());
    let table = instance.get_table(&store, "table").unwrap();
    assert_eq!(
        table.ty(&store).unwrap(),
        TableType::new(RefType::new(false, HeapType::Concrete(0)), 3, None)
    );
    let g = instance.get_global(&store, "g").unwrap();
    assert_eq!(g.ty(&store).unwrap(), GlobalType::new(concrete(false, 0), Mutability::Const));
}

#[test]
fn call_ref_calls_a_reference_passed_by_the_host() {
    let (mut store, instance) = setup(Config::default());
    let double = func(&store, instance, "double");
    let negate = func(&store, instance, "negate");
    let r = call1(&mut store, instance, "apply", &[Val::FuncRef(Some(double)), Val::I32(21)]).unwrap();
    assert_eq!(r, Val::I32(42));
    let r = call1(&mut store, instance, "apply", &[Val::FuncRef(Some(negate)), Val::I32(5)]).unwrap();
    assert_eq!(r, Val::I32(-5));
    // A function reference returned by wasm is a `Val::FuncRef` that can go back in.
    let got = call1(&mut store, instance, "get_double", &[]).unwrap();
    assert_eq!(got, Val::FuncRef(Some(double)));
    let r = call1(&mut store, instance, "apply", &[got, Val::I32(4)]).unwrap();
    assert_eq!(r, Val::I32(8));
}

#[test]
fn typed_parameters_refuse_null_and_functions_of_other_types() {
    let (mut store, instance) = setup(Config::default());
    let other = func(&store, instance, "other");
    let err = call1(&mut store, instance, "apply", &[Val::FuncRef(None), Val::I32(1)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    assert!(err.to_string().contains("(ref 0)"), "{err}");
    let err = call1(&mut store, instance, "apply", &[Val::FuncRef(Some(other)), Val::I32(1)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    assert!(err.to_string().contains("(i64) -> (i64)"), "{err}");
    // A host reference is not a function reference.
    let err = call1(&mut store, instance, "apply_null", &[Val::ExternRef(None), Val::I32(1)]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
}

#[test]
fn null_references_trap_with_the_specification_messages() {
    let (mut store, instance) = setup(Config::default());
    let err = call1(&mut store, instance, "apply_null", &[Val::FuncRef(None), Val::I32(1)]).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::NullFunctionReference));
    assert_eq!(err.to_string(), "wasm trap: null function reference");
    let err = call1(&mut store, instance, "as_non_null", &[Val::FuncRef(None)]).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::NullReference));
    assert_eq!(TrapKind::NullReference.to_string(), "null reference");
    let double = func(&store, instance, "double");
    let r = call1(&mut store, instance, "as_non_null", &[Val::FuncRef(Some(double))]).unwrap();
    assert_eq!(r, Val::FuncRef(Some(double)));
    let r = call1(&mut store, instance, "apply_null", &[Val::FuncRef(Some(double)), Val::I32(7)]).unwrap();
    assert_eq!(r, Val::I32(14));
}

#[test]
fn br_on_null_and_br_on_non_null_branch_on_the_reference() {
    let (mut store, instance) = setup(Config::default());
    let negate = func(&store, instance, "negate");
    assert_eq!(call1(&mut store, instance, "is_null", &[Val::FuncRef(None)]).unwrap(), Val::I32(1));
    assert_eq!(call1(&mut store, instance, "is_null", &[Val::FuncRef(Some(negate))]).unwrap(), Val::I32(0));
    let r = call1(&mut store, instance, "or_double", &[Val::FuncRef(None), Val::I32(6)]).unwrap();
    assert_eq!(r, Val::I32(12));
    let r = call1(&mut store, instance, "or_double", &[Val::FuncRef(Some(negate)), Val::I32(6)]).unwrap();
    assert_eq!(r, Val::I32(-6));
}

#[test]
fn typed_tables_start_with_their_initialiser_and_check_what_is_stored() {
    let (mut store, instance) = setup(Config::default());
    let table = instance.get_table(&store, "table").unwrap();
    let (double, negate, other) =
        (func(&store, instance, "double"), func(&store, instance, "negate"), func(&store, instance, "other"));
    for i in 0..3 {
        assert_eq!(table.get(&store, i).unwrap(), Val::FuncRef(Some(double)));
    }
    assert_eq!(call1(&mut store, instance, "call_slot", &[Val::I32(2), Val::I32(5)]).unwrap(), Val::I32(10));
    table.set(&mut store, 2, Val::FuncRef(Some(negate))).unwrap();
    assert_eq!(call1(&mut store, instance, "call_slot", &[Val::I32(2), Val::I32(5)]).unwrap(), Val::I32(-5));
    // Non-nullable: no null; typed: no function of another type.
    assert_eq!(table.set(&mut store, 0, Val::FuncRef(None)).unwrap_err().kind(), ErrorKind::Type);
    assert_eq!(table.set(&mut store, 0, Val::FuncRef(Some(other))).unwrap_err().kind(), ErrorKind::Type);
    assert_eq!(table.grow(&mut store, 1, Val::FuncRef(None)).unwrap_err().kind(), ErrorKind::Type);
    assert_eq!(table.grow(&mut store, 2, Val::FuncRef(Some(negate))).unwrap(), 3);
    assert_eq!(table.get(&store, 4).unwrap(), Val::FuncRef(Some(negate)));
    assert_eq!(table.get(&store, 0).unwrap(), Val::FuncRef(Some(double)));
}

#[test]
fn typed_globals_check_what_is_stored() {
    let (mut store, instance) = setup(Config::default());
    let gmut = instance.get_global(&store, "gmut").unwrap();
    let (negate, other) = (func(&store, instance, "negate"), func(&store, instance, "other"));
    assert_eq!(gmut.get(&store).unwrap(), Val::FuncRef(None));
    gmut.set(&mut store, Val::FuncRef(Some(negate))).unwrap();
    assert_eq!(gmut.get(&store).unwrap(), Val::FuncRef(Some(negate)));
    assert_eq!(gmut.set(&mut store, Val::FuncRef(Some(other))).unwrap_err().kind(), ErrorKind::Type);
    gmut.set(&mut store, Val::FuncRef(None)).unwrap();
    let g = instance.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store).unwrap(), Val::FuncRef(Some(negate)));
}

/// Instantiates `wat` with the exports of `LIB` as module `lib`.
fn link(wat: &str) -> Result<(), Error> {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let lib = linker.instantiate(&mut store, &Module::new(&engine, LIB).unwrap()).unwrap();
    linker.instance(&mut store, "lib", lib).unwrap();
    let module = Module::new(&engine, wat).unwrap();
    linker.instantiate(&mut store, &module).map(|_| ())
}

#[test]
fn linking_compares_types_by_definition_and_allows_subtypes() {
    // Another module's index for the same definition: accepted.
    link(
        r#"(module (type $other (func (param i64) (result i64))) (type $same (func (param i32) (result i32)))
             (import "lib" "double" (func (type $same)))
             (import "lib" "apply" (func (param (ref $same)) (param i32) (result i32)))
             (import "lib" "table" (table 3 (ref $same)))
             (import "lib" "g" (global (ref $same)))
             (import "lib" "gmut" (global (mut (ref null $same)))))"#,
    )
    .unwrap();
    // Immutable globals are covariant: `(ref $t)` fits `(ref null $t)`, `(ref func)`, `funcref`.
    for want in ["(ref null $same)", "(ref func)", "funcref", "(ref null func)"] {
        link(&format!(
            r#"(module (type $same (func (param i32) (result i32))) (import "lib" "g" (global {want})))"#
        ))
        .unwrap_or_else(|e| panic!("{want}: {e}"));
    }
    // What does not fit.
    let refused = [
        // another function type
        r#"(module (type $x (func (param i64) (result i64))) (import "lib" "double" (func (type $x))))"#,
        r#"(module (type $x (func (param i64) (result i64))) (import "lib" "g" (global (ref $x))))"#,
        // a parameter's type differs: `(ref null $t)` is not `(ref $t)`
        r#"(module (type $t (func (param i32) (result i32)))
             (import "lib" "apply" (func (param (ref null $t)) (param i32) (result i32))))"#,
        // mutable globals and tables are invariant
        r#"(module (import "lib" "gmut" (global (mut funcref))))"#,
        r#"(module (import "lib" "table" (table 3 funcref)))"#,
        r#"(module (import "lib" "g" (global externref)))"#,
    ];
    for wat in refused {
        let err = link(wat).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Link, "{wat}: {err}");
        assert!(err.to_string().contains("incompatible import type"), "{err}");
    }
}

#[test]
fn return_call_ref_runs_in_constant_call_depth() {
    let mut config = Config::default();
    config.max_call_depth(20);
    let (mut store, instance) = setup(config);
    let count = instance.get_typed_func::<i64, i64>(&store, "count").unwrap();
    assert_eq!(count.call(&mut store, 1_000_000).unwrap(), 42);
}

#[test]
fn host_functions_take_and_return_abstract_typed_references() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let nonnull_func = ValType::Ref(RefType::new(false, HeapType::Func));
    // Returns its argument, or null when asked to (which `(ref func)` refuses).
    let echo = Func::new(
        &mut store,
        FuncType::new([nonnull_func, ValType::I32], [nonnull_func]),
        |_, args, results| {
            results[0] = if args[1] == Val::I32(0) { args[0] } else { Val::FuncRef(None) };
            Ok(())
        },
    );
    let module = Module::new(
        &engine,
        r#"(module
             (type $t (func (result i32)))
             (import "h" "echo" (func $echo (param (ref func) i32) (result (ref func))))
             (func $seven (result i32) (i32.const 7))
             (elem declare func $seven)
             (func (export "run") (param i32) (result i32)
               (drop (call $echo (ref.func $seven) (local.get 0)))
               (i32.const 1)))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("h", "echo", echo).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 0).unwrap(), 1);
    let err = run.call(&mut store, 1).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    assert!(err.to_string().contains("(ref func)"), "{err}");

    // A host signature naming a concrete type index matches no module's type.
    let typed = Func::new(&mut store, FuncType::new([concrete(false, 0)], []), |_, _, _| Ok(()));
    let module =
        Module::new(&engine, r#"(module (type $t (func)) (import "h" "f" (func (param (ref $t)))))"#)
            .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("h", "f", typed).unwrap();
    assert_eq!(linker.instantiate(&mut store, &module).unwrap_err().kind(), ErrorKind::Link);

    // Host globals and tables of `(ref func)` refuse null.
    let ty = GlobalType::new(nonnull_func, Mutability::Const);
    assert_eq!(Global::new(&mut store, ty, Val::FuncRef(None)).unwrap_err().kind(), ErrorKind::Type);
    Global::new(&mut store, ty, Val::FuncRef(Some(echo))).unwrap();
    let ty = TableType::new(RefType::new(false, HeapType::Func), 1, None);
    assert_eq!(Table::new(&mut store, ty, Val::FuncRef(None)).unwrap_err().kind(), ErrorKind::Type);
    let table = Table::new(&mut store, ty, Val::FuncRef(Some(echo))).unwrap();
    assert_eq!(table.get(&store, 0).unwrap(), Val::FuncRef(Some(echo)));
}

#[test]
fn the_switch_rejects_typed_references_when_off() {
    let mut config = Config::default();
    config.function_references(false);
    let engine = Engine::new(config);
    let err = Module::new(&engine, LIB).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    let err = Module::new(&engine, r#"(module (func (param (ref func))))"#).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    // WebAssembly 2.0 references stay.
    Module::new(
        &engine,
        r#"(module (table 1 funcref) (func (param externref) (result funcref) (ref.null func)))"#,
    )
    .unwrap();
}

#[test]
fn host_functions_with_concrete_types_of_a_module() {
    // `Func::new_with_types`: `(ref $t)` in a host signature names a type of a given module,
    // so the function satisfies that module's import of `(ref $t) -> (ref $t)`, and its
    // arguments and results are checked against `$t`.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let module = Module::new(
        &engine,
        r#"(module
             (type $t (func (param i32) (result i32)))
             (type $u (func (param i64) (result i64)))
             (import "h" "pick" (func $pick (param (ref $t) i32) (result (ref $t))))
             (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
             (func $negate (export "negate") (type $t) (i32.sub (i32.const 0) (local.get 0)))
             (func $wide (export "wide") (type $u) (local.get 0))
             (elem declare func $double)
             ;; The host picks a function of $t; it is called with 21.
             (func (export "run") (param i32) (result i32)
               (call_ref $t (i32.const 21) (call $pick (ref.func $double) (local.get 0)))))"#,
    )
    .unwrap();
    let t = |nullable| ValType::Ref(RefType::new(nullable, HeapType::Concrete(0)));
    let ty = FuncType::new([t(false), ValType::I32], [t(false)]);
    // 0: the argument back; 1: `negate`; 2: a function of another type; 3: null.
    let slot = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Val>::new()));
    let picks = slot.clone();
    let pick = Func::new_with_types(&mut store, &module, ty.clone(), move |_, args, results| {
        let picks = picks.lock().unwrap();
        results[0] = match args[1].i32().unwrap() {
            0 => args[0],
            n => picks[n as usize - 1],
        };
        Ok(())
    })
    .unwrap();
    assert_eq!(pick.ty(&store).unwrap(), ty);
    let mut linker = Linker::new(&engine);
    linker.define("h", "pick", pick).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let negate = instance.get_func(&store, "negate").unwrap();
    let wide = instance.get_func(&store, "wide").unwrap();
    *slot.lock().unwrap() = vec![Val::FuncRef(Some(negate)), Val::FuncRef(Some(wide)), Val::FuncRef(None)];
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 0).unwrap(), 42);
    assert_eq!(run.call(&mut store, 1).unwrap(), -21);
    for bad in [2, 3] {
        let err = run.call(&mut store, bad).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    }

    // Called from the host, its arguments are checked against `$t` as well.
    let mut results = [Val::FuncRef(None)];
    pick.call(&mut store, &[Val::FuncRef(Some(negate)), Val::I32(0)], &mut results).unwrap();
    assert_eq!(results[0], Val::FuncRef(Some(negate)));
    let err = pick.call(&mut store, &[Val::FuncRef(Some(wide)), Val::I32(0)], &mut results).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");

    // A module with an equal definition of `$t` (another index) accepts it too; one whose
    // type differs does not.
    let same = Module::new(
        &engine,
        r#"(module (type (func)) (type $t (func (param i32) (result i32)))
             (import "h" "pick" (func (param (ref $t) i32) (result (ref $t)))))"#,
    )
    .unwrap();
    linker.instantiate(&mut store, &same).unwrap();
    let other = Module::new(
        &engine,
        r#"(module (type $t (func (param i64) (result i64)))
             (import "h" "pick" (func (param (ref $t) i32) (result (ref $t)))))"#,
    )
    .unwrap();
    assert_eq!(linker.instantiate(&mut store, &other).unwrap_err().kind(), ErrorKind::Link);

    // An index the module does not have, or a module of another engine, is refused.
    let bad = FuncType::new([ValType::Ref(RefType::new(false, HeapType::Concrete(9)))], []);
    let err = Func::new_with_types(&mut store, &module, bad, |_, _, _| Ok(())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    let foreign = Module::new(&Engine::default(), "(module (type (func)))").unwrap();
    let err = Func::new_with_types(&mut store, &foreign, ty, |_, _, _| Ok(())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage, "{err}");
}
