//! Exception handling: `throw`, `throw_ref`, `try_table` across wasm frames, tags as imports
//! and exports, exceptions crossing the host boundary both ways, and their interaction with
//! tail calls, traps, fuel and interruption.

use epsilon::{
    Config, Engine, Error, ErrorKind, Exception, Extern, ExternType, Func, FuncType, HeapType, Instance,
    Linker, Module, RefType, Store, Table, TableType, Tag, TagType, TrapKind, Val, ValType,
};

const THROWER: &str = r#"(module
    (tag $e (export "e") (param i32))
    (tag $big (export "big_tag") (param f64 v128 i64))
    (tag $empty (export "empty"))
    ;; Throws $e with n from the bottom of `depth` nested calls.
    (func $deep (export "deep") (param $depth i32) (param $n i32) (result i32)
      (if (i32.eqz (local.get $depth)) (then (throw $e (local.get $n))))
      (i32.add (call $deep (i32.sub (local.get $depth) (i32.const 1)) (local.get $n)) (i32.const 1000)))
    ;; Catches $e from `depth` frames down; the payload plus 1.
    (func (export "catch_deep") (param $depth i32) (param $n i32) (result i32)
      (block $h (result i32)
        (try_table (result i32) (catch $e $h)
          (call $deep (local.get $depth) (local.get $n))))
      (i32.add (i32.const 1)))
    ;; Catches with catch_ref, then rethrows with throw_ref to an outer catch.
    (func (export "rethrow") (param $n i32) (result i32)
      (local $x exnref)
      (block $outer (result i32)
        (try_table (result i32) (catch $e $outer)
          (block $h (result i32 exnref)
            (return (try_table (result i32) (catch_ref $e $h)
              (call $deep (i32.const 3) (local.get $n)))))
          (local.set $x)
          (drop)
          (throw_ref (local.get $x)))))
    (func (export "big") (param f64 v128 i64) (throw $big (local.get 0) (local.get 1) (local.get 2)))
    (func (export "catch_big") (param f64 v128 i64) (result f64 v128 i64)
      (block $h (result f64 v128 i64)
        (try_table (catch $big $h)
          (throw $big (local.get 0) (local.get 1) (local.get 2)))
        (unreachable))
      (return))
    (func (export "catch_all") (param $n i32) (result i32)
      (block $h
        (try_table (catch_all $h) (drop (call $deep (i32.const 5) (local.get $n)))))
      (i32.const -1))
    (func (export "trap_not_caught") (result i32)
      (block $h
        (try_table (catch_all $h) (unreachable)))
      (i32.const 1))
    (func (export "null_throw_ref") (throw_ref (ref.null exn)))
)"#;

fn instance(config: Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn throw_unwinds_many_wasm_frames_to_the_catch() {
    let (mut store, instance) = instance(Config::default(), THROWER);
    let f = instance.get_typed_func::<(i32, i32), i32>(&store, "catch_deep").unwrap();
    assert_eq!(f.call(&mut store, (0, 41)).unwrap(), 42);
    assert_eq!(f.call(&mut store, (10, 7)).unwrap(), 8);
    assert_eq!(f.call(&mut store, (50_000, -5)).unwrap(), -4);
    // Plain `catch` frees the exception.
    assert_eq!(store.exception_count(), 0);
    // The frames the throw skipped did not run their additions: without a throw (depth never
    // reaches 0 is impossible), so check a caught exception leaves the store usable.
    assert_eq!(f.call(&mut store, (3, 1)).unwrap(), 2);
}

#[test]
fn catch_ref_and_throw_ref_rethrow_the_same_exception() {
    let (mut store, instance) = instance(Config::default(), THROWER);
    let f = instance.get_typed_func::<i32, i32>(&store, "rethrow").unwrap();
    assert_eq!(f.call(&mut store, 17).unwrap(), 17);
    assert_eq!(f.call(&mut store, -9).unwrap(), -9);
}

#[test]
fn catch_all_discards_the_payload() {
    let (mut store, instance) = instance(Config::default(), THROWER);
    let f = instance.get_typed_func::<i32, i32>(&store, "catch_all").unwrap();
    assert_eq!(f.call(&mut store, 3).unwrap(), -1);
}

#[test]
fn uncaught_exception_is_an_error_with_tag_and_payload() {
    let (mut store, instance) = instance(Config::default(), THROWER);
    let deep = instance.get_typed_func::<(i32, i32), i32>(&store, "deep").unwrap();
    let err = deep.call(&mut store, (4, 123)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Exception);
    assert_eq!(err.trap_kind(), None);
    let exception = err.exception().expect("an exception");
    assert_eq!(exception.tag, instance.get_tag(&store, "e").unwrap());
    assert_eq!(exception.values, vec![Val::I32(123)]);
    assert_eq!(store.exception_count(), 0, "an escaped exception is freed");
    // The store stays usable.
    assert_eq!(deep.call(&mut store, (0, 1)).map_err(|e| e.kind()), Err(ErrorKind::Exception));
}

#[test]
fn f64_and_v128_payloads_survive_bit_exact() {
    let (mut store, instance) = instance(Config::default(), THROWER);
    let nan = f64::from_bits(0x7ff4_0000_0000_0001);
    let v = epsilon::V128::from_bits(0x0011_2233_4455_6677_8899_aabb_ccdd_eeff);
    let args = [Val::F64(nan.into()), Val::V128(v), Val::I64(-3)];
    let big = instance.get_func(&store, "big").unwrap();
    let err = big.call(&mut store, &args, &mut []).unwrap_err();
    assert_eq!(err.exception().unwrap().values, args.to_vec());
    let catch_big = instance.get_func(&store, "catch_big").unwrap();
    let mut results = [Val::I32(0), Val::I32(0), Val::I32(0)];
    catch_big.call(&mut store, &args, &mut results).unwrap();
    assert_eq!(results.to_vec(), args.to_vec());
}

#[test]
fn traps_are_not_caught() {
    let (mut store, instance) = instance(Config::default(), THROWER);
    let f = instance.get_typed_func::<(), i32>(&store, "trap_not_caught").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap_err().trap_kind(), Some(TrapKind::Unreachable));
    let f = instance.get_typed_func::<(), ()>(&store, "null_throw_ref").unwrap();
    let err = f.call(&mut store, ()).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::NullExceptionReference));
    assert_eq!(err.to_string(), "wasm trap: null exception reference");
}

#[test]
fn tags_are_exported_and_imported_with_their_type() {
    let (mut store, instance) = instance(Config::default(), THROWER);
    let engine = store.engine().clone();
    let e = instance.get_tag(&store, "e").unwrap();
    assert_eq!(e.ty(&store).unwrap(), TagType::new([ValType::I32]));
    let ty = instance.get_export(&store, "big_tag").unwrap().ty(&store).unwrap();
    assert_eq!(ty, ExternType::Tag(TagType::new([ValType::F64, ValType::V128, ValType::I64])));
    assert_eq!(ty.to_string(), "tag (f64, v128, i64) -> ()");
    // An importer throws the exporter's tag; the exporter's `catch $e` catches it.
    let importer = Module::new(
        &engine,
        r#"(module (tag $e (import "m" "e") (param i32))
             (func (export "throw") (param i32) (throw $e (local.get 0))))"#,
    )
    .unwrap();
    let import = importer.imports().next().unwrap();
    assert_eq!(import.ty, ExternType::Tag(TagType::new([ValType::I32])));
    let mut linker = Linker::new(&engine);
    linker.define("m", "e", e).unwrap();
    let other = linker.instantiate(&mut store, &importer).unwrap();
    let err = other.get_typed_func::<i32, ()>(&store, "throw").unwrap().call(&mut store, 5).unwrap_err();
    assert_eq!(err.exception().unwrap().tag, e);
    // A tag of another type does not link.
    let mut linker = Linker::new(&engine);
    linker.define("m", "e", instance.get_tag(&store, "empty").unwrap()).unwrap();
    let err = linker.instantiate(&mut store, &importer).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Link);
    assert!(err.to_string().contains("incompatible import type"), "{err}");
}

#[test]
fn host_function_throws_into_wasm_which_catches() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let tag = Tag::new(&mut store, TagType::new([ValType::I64, ValType::F32]));
    let thrower = Func::new(&mut store, FuncType::new([ValType::I64], []), move |_, args, _| {
        Err(Exception::new(tag, vec![args[0], Val::F32(2.5f32.into())]).into_error())
    });
    let module = Module::new(
        &engine,
        r#"(module
             (tag $t (import "host" "t") (param i64 f32))
             (func $throw (import "host" "throw") (param i64))
             (func $mid (param i64) (call $throw (local.get 0)))
             (func (export "catch") (param i64) (result i64 f32)
               (block $h (result i64 f32)
                 (try_table (catch $t $h) (call $mid (local.get 0)))
                 (return (i64.const 0) (f32.const 0)))
               (return))
             (func (export "through") (param i64) (call $mid (local.get 0)))
             (func (export "tail") (param i64)
               (block $h (result i64 f32)
                 (try_table (catch $t $h) (return_call $throw (local.get 0)))
                 (unreachable))
               (drop) (drop)))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("host", "t", tag).unwrap();
    linker.define("host", "throw", thrower).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let catch = instance.get_typed_func::<i64, (i64, f32)>(&store, "catch").unwrap();
    assert_eq!(catch.call(&mut store, 77).unwrap(), (77, 2.5));
    // Uncaught in wasm, it reaches the embedder with its payload.
    let through = instance.get_typed_func::<i64, ()>(&store, "through").unwrap();
    let err = through.call(&mut store, -1).unwrap_err();
    assert_eq!(err.exception().unwrap(), &Exception::new(tag, vec![Val::I64(-1), Val::F32(2.5f32.into())]));
    // A tail call leaves the try_table: a host callee's exception is not caught by it.
    let tail = instance.get_typed_func::<i64, ()>(&store, "tail").unwrap();
    assert_eq!(tail.call(&mut store, 3).unwrap_err().kind(), ErrorKind::Exception);
}

#[test]
fn host_exception_with_a_wrong_payload_is_a_type_error() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let tag = Tag::new(&mut store, TagType::new([ValType::I32]));
    let thrower = Func::new(&mut store, FuncType::new([], []), move |_, _, _| {
        Err(Exception::new(tag, vec![Val::I64(1)]).into_error())
    });
    let module =
        Module::new(&engine, r#"(module (func $t (import "h" "t")) (func (export "f") (call $t)))"#).unwrap();
    let instance = Instance::new(&mut store, &module, &[Extern::Func(thrower)]).unwrap();
    let err = instance.get_typed_func::<(), ()>(&store, "f").unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
}

#[test]
fn wasm_exception_crosses_a_host_function_that_reenters_wasm() {
    // wasm -> host -> wasm (throws): the exception leaves the inner call as an error, the host
    // passes it on, and the outer wasm catches it.
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
             (tag $e (export "e") (param i32))
             (func $reenter (import "host" "reenter") (param i32))
             (func (export "throw") (param i32) (throw $e (local.get 0)))
             (func (export "outer") (param i32) (result i32)
               (block $h (result i32)
                 (try_table (catch $e $h) (call $reenter (local.get 0)))
                 (i32.const -1))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let reenter = Func::new(&mut store, FuncType::new([ValType::I32], []), |mut caller, args, _| {
        let throw = caller.get_export("throw").and_then(Extern::into_func).unwrap();
        throw.call(&mut caller, &[Val::I32(args[0].i32().unwrap() * 2)], &mut [])
    });
    let mut linker = Linker::new(&engine);
    linker.define("host", "reenter", reenter).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let outer = instance.get_typed_func::<i32, i32>(&store, "outer").unwrap();
    assert_eq!(outer.call(&mut store, 21).unwrap(), 42);
}

#[test]
fn tail_calls_leave_the_try_table_and_throws_in_tail_callees_unwind_past_it() {
    let (mut store, instance) = instance(
        Config::default(),
        r#"(module
             (tag $e (param i32))
             (func $throw (param i32) (throw $e (local.get 0)))
             ;; The tail call replaces this frame: its catch no longer applies.
             (func $tail (param i32)
               (block $h (result i32)
                 (try_table (catch $e $h) (return_call $throw (local.get 0)))
                 (unreachable))
               (drop))
             (func (export "outer") (param i32) (result i32)
               (block $h (result i32)
                 (try_table (catch $e $h) (call $tail (local.get 0)))
                 (i32.const -1))
               (i32.const 100) (i32.add)))"#,
    );
    let outer = instance.get_typed_func::<i32, i32>(&store, "outer").unwrap();
    assert_eq!(outer.call(&mut store, 5).unwrap(), 105);
}

#[test]
fn catch_in_a_loop_runs_in_constant_memory_with_fuel_and_interruption() {
    let wat = r#"(module
        (tag $e (param i32))
        (func $f (param i32) (throw $e (local.get 0)))
        (func (export "sum") (param $n i32) (result i32)
          (local $acc i32)
          (loop $l
            (block $h (result i32)
              (try_table (catch $e $h) (call $f (local.get $n)))
              (i32.const 0))
            (local.set $acc (i32.add (local.get $acc)))
            (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
          (local.get $acc)))"#;
    let mut config = Config::default();
    config.consume_fuel(true).interruptible(true);
    let (mut store, instance) = instance(config, wat);
    let sum = instance.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    store.set_fuel(u64::MAX).unwrap();
    assert_eq!(sum.call(&mut store, 10_000).unwrap(), 50_005_000);
    assert_eq!(store.exception_count(), 0);
    // Fuel runs out inside the loop of throws.
    store.set_fuel(500).unwrap();
    assert_eq!(sum.call(&mut store, 10_000).unwrap_err().trap_kind(), Some(TrapKind::OutOfFuel));
    // A deadline stops it too.
    store.set_fuel(u64::MAX).unwrap();
    store.set_deadline(Some(std::time::Instant::now() + std::time::Duration::from_millis(50)));
    let spin = sum.call(&mut store, i32::MAX);
    assert_eq!(spin.unwrap_err().trap_kind(), Some(TrapKind::Interrupted));
}

#[test]
fn exceptions_can_be_switched_off() {
    let mut config = Config::default();
    config.exceptions(false);
    let engine = Engine::new(config);
    let err = Module::new(&engine, "(module (tag))").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    let err = Module::new(&engine, "(module (func (param exnref)))").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
}

#[test]
fn null_exnref_values_cross_the_host_boundary() {
    // A null exnref returned to the host, and passed to and back from a host function.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let echo =
        Func::new(&mut store, FuncType::new([ValType::ExnRef], [ValType::ExnRef]), |_, args, results| {
            assert_eq!(args[0], Val::ExnRef(None));
            results[0] = args[0];
            Ok(())
        });
    let module = Module::new(
        &engine,
        r#"(module (func $echo (import "h" "echo") (param exnref) (result exnref))
             (func (export "null") (result exnref) (call $echo (ref.null exn))))"#,
    )
    .unwrap();
    let instance = Instance::new(&mut store, &module, &[Extern::Func(echo)]).unwrap();
    let mut results = [Val::I32(1)];
    instance.get_func(&store, "null").unwrap().call(&mut store, &[], &mut results).unwrap();
    assert_eq!(results[0], Val::ExnRef(None));
}

#[test]
fn exnref_values_reach_the_host() {
    let (mut store, instance) = instance(
        Config::default(),
        r#"(module
             (tag $e (export "e") (param i32))
             (func (export "get") (param i32) (result exnref)
               (block $h (result exnref)
                 (try_table (catch_all_ref $h) (throw $e (local.get 0)))
                 (unreachable))))"#,
    );
    let get = instance.get_func(&store, "get").unwrap();
    let mut results = [Val::I32(0)];
    get.call(&mut store, &[Val::I32(9)], &mut results).unwrap();
    let exn = results[0].exnref().flatten().expect("an exnref");
    let exception = exn.exception(&store).unwrap();
    assert_eq!(exception.tag, instance.get_tag(&store, "e").unwrap());
    assert_eq!(exception.values, vec![Val::I32(9)]);
    assert_eq!(store.exception_count(), 1, "an exception behind an exnref is kept");
    let _: &Error = &Exception::new(exception.tag, vec![]).into_error();
}

#[test]
fn non_nullable_exnref_types_and_values() {
    let (mut store, instance) = instance(
        Config::default(),
        r#"(module
             (tag $e (export "e") (param i32))
             (table $t (export "t") 1 exnref)
             (func (export "catch") (param i32) (result (ref exn))
               (block $h (result (ref exn))
                 (try_table (catch_all_ref $h) (throw $e (local.get 0)))
                 (unreachable)))
             (func (export "payload") (param $x (ref exn)) (result i32)
               (block $h (result i32)
                 (try_table (catch $e $h) (throw_ref (local.get $x)))
                 (unreachable))))"#,
    );
    let exn = RefType::new(false, HeapType::Exn);
    assert_eq!(exn.to_string(), "(ref exn)");
    assert_eq!(ValType::ExnRef, ValType::Ref(RefType::new(true, HeapType::Exn)));
    assert_eq!(ValType::ExnRef.to_string(), "exnref");
    assert!(ValType::ExnRef.is_ref());
    let catch = instance.get_func(&store, "catch").unwrap();
    let payload = instance.get_func(&store, "payload").unwrap();
    assert_eq!(catch.ty(&store).unwrap().results(), &[ValType::Ref(exn)]);
    assert_eq!(payload.ty(&store).unwrap().params(), &[ValType::Ref(exn)]);

    // A caught exception goes to the host and back into a `(ref exn)` parameter.
    let mut results = [Val::I32(0)];
    catch.call(&mut store, &[Val::I32(17)], &mut results).unwrap();
    let reference = results[0];
    assert!(matches!(reference, Val::ExnRef(Some(_))), "{reference:?}");
    payload.call(&mut store, &[reference], &mut results).unwrap();
    assert_eq!(results[0], Val::I32(17));

    // Null, or another kind of reference, is refused for `(ref exn)`.
    let err = payload.call(&mut store, &[Val::ExnRef(None)], &mut results).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    let err = payload.call(&mut store, &[Val::FuncRef(None)], &mut results).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");

    // A table of exnref holds the reference through the host API.
    let table = instance.get_table(&store, "t").unwrap();
    assert_eq!(table.ty(&store).unwrap().element, RefType::ExnRef);
    assert_eq!(table.get(&store, 0).unwrap(), Val::ExnRef(None));
    table.set(&mut store, 0, reference).unwrap();
    assert_eq!(table.get(&store, 0).unwrap(), reference);
    let err = table.set(&mut store, 0, Val::FuncRef(None)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");

    // A host table of `(ref exn)` needs a non-null initial value.
    let ty = TableType::new(exn, 1, None);
    let err = Table::new(&mut store, ty, Val::ExnRef(None)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type, "{err}");
    let host = Table::new(&mut store, ty, reference).unwrap();
    assert_eq!(host.get(&store, 0).unwrap(), reference);
}
