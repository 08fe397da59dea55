//! Integration tests of the public Rust API: host functions, imports and exports, linking,
//! traps, call depth, and the errors bad input gets.

use epsilon::{
    Caller, Config, Engine, Error, ErrorKind, Extern, FuncType, Global, GlobalType, Linker, Memory,
    MemoryType, Module, Mutability, RefType, Store, Table, TableType, TrapKind, V128, Val, ValType,
};

fn instantiate(wat: &str) -> (Store<()>, epsilon::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).expect("module compiles");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
    (store, instance)
}

#[test]
fn host_functions_receive_arguments_and_state() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "log" (func $log (param i32 i64)))
            (import "env" "scale" (func $scale (param f64) (result f64)))
            (func (export "run") (result f64)
              (call $log (i32.const 7) (i64.const -1))
              (call $scale (f64.const 1.5))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "log", |mut caller: Caller<'_, Vec<(i32, i64)>>, a: i32, b: i64| {
            caller.data_mut().push((a, b));
        })
        .unwrap();
    linker
        .func_new("env", "scale", FuncType::new([ValType::F64], [ValType::F64]), |_, args, results| {
            results[0] = Val::from(args[0].f64().unwrap() * 4.0);
            Ok(())
        })
        .unwrap();
    let mut store = Store::new(&engine, Vec::new());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), f64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 6.0);
    assert_eq!(store.data(), &vec![(7, -1)]);
}

#[derive(Debug)]
struct Refused(&'static str);
impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "refused: {}", self.0)
    }
}
impl std::error::Error for Refused {}

#[test]
fn host_errors_propagate_unchanged() {
    let engine = Engine::default();
    let module =
        Module::new(&engine, r#"(module (import "env" "fail" (func $f)) (func (export "run") (call $f)))"#)
            .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "fail", |_: Caller<'_, ()>| -> Result<(), Error> {
            Err(Error::host(Refused("no")))
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let err = instance.get_func(&store, "run").unwrap().call(&mut store, &[], &mut []).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Host);
    assert_eq!(err.downcast_ref::<Refused>().unwrap().0, "no");
}

#[test]
fn host_functions_can_reenter_wasm() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "twice" (func $twice (param i32) (result i32)))
            (func $inc (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
            (func (export "run") (param i32) (result i32) (call $twice (local.get 0))))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "twice", |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Error> {
            let inc = caller.get_export("inc").and_then(Extern::into_func).unwrap();
            let inc = inc.typed::<i32, i32>(&caller)?;
            let once = inc.call(&mut caller, x)?;
            inc.call(&mut caller, once)
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 40).unwrap(), 42);
}

#[test]
fn exports_memory_globals_and_tables() {
    let (mut store, instance) = instantiate(
        r#"(module
            (memory (export "mem") 1 3)
            (global (export "counter") (mut i32) (i32.const 5))
            (global (export "pi") f64 (f64.const 3.25))
            (table (export "tab") 2 funcref)
            (data (i32.const 8) "hello")
            (func (export "bump") (global.set 0 (i32.add (global.get 0) (i32.const 1)))))"#,
    );
    let mem = instance.get_memory(&store, "mem").unwrap();
    assert_eq!(mem.size(&store).unwrap(), 1);
    let mut buf = [0u8; 5];
    mem.read(&store, 8, &mut buf).unwrap();
    assert_eq!(&buf, b"hello");
    mem.write(&mut store, 0, b"abc").unwrap();
    assert_eq!(&mem.data(&store).unwrap()[..3], b"abc");
    assert_eq!(mem.grow(&mut store, 2).unwrap(), 1);
    assert!(mem.grow(&mut store, 1).is_err(), "max is 3 pages");

    let counter = instance.get_global(&store, "counter").unwrap();
    instance.get_func(&store, "bump").unwrap().call(&mut store, &[], &mut []).unwrap();
    assert_eq!(counter.get(&store).unwrap(), Val::I32(6));
    counter.set(&mut store, Val::I32(100)).unwrap();
    instance.get_func(&store, "bump").unwrap().call(&mut store, &[], &mut []).unwrap();
    assert_eq!(counter.get(&store).unwrap().i32(), Some(101));
    let pi = instance.get_global(&store, "pi").unwrap();
    assert_eq!(pi.get(&store).unwrap().f64(), Some(3.25));
    assert_eq!(pi.set(&mut store, Val::from(1.0f64)).unwrap_err().kind(), ErrorKind::Usage);
    assert_eq!(counter.set(&mut store, Val::I64(1)).unwrap_err().kind(), ErrorKind::Type);

    let tab = instance.get_table(&store, "tab").unwrap();
    assert_eq!(tab.size(&store).unwrap(), 2);
    assert_eq!(tab.get(&store, 0).unwrap(), Val::FuncRef(None));
    assert_eq!(tab.get(&store, 2).unwrap_err().kind(), ErrorKind::OutOfRange);
    let bump = instance.get_func(&store, "bump").unwrap();
    tab.set(&mut store, 1, Val::FuncRef(Some(bump))).unwrap();
    assert_eq!(tab.get(&store, 1).unwrap(), Val::FuncRef(Some(bump)));
}

#[test]
fn two_instances_link_through_the_linker() {
    let engine = Engine::default();
    let provider = Module::new(
        &engine,
        r#"(module
            (memory (export "mem") 1)
            (global (export "g") (mut i64) (i64.const 10))
            (table (export "t") 1 funcref)
            (func $seven (result i32) (i32.const 7))
            (elem (i32.const 0) $seven)
            (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1))))"#,
    )
    .unwrap();
    let consumer = Module::new(
        &engine,
        r#"(module
            (import "p" "mem" (memory 1))
            (import "p" "g" (global $g (mut i64)))
            (import "p" "t" (table 1 funcref))
            (import "p" "store" (func $store (param i32 i32)))
            (type $r (func (result i32)))
            (func (export "run") (result i32)
              (call $store (i32.const 16) (i32.const 1234))
              (global.set $g (i64.add (global.get $g) (i64.const 1)))
              (i32.add (i32.load (i32.const 16)) (call_indirect (type $r) (i32.const 0)))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let p = linker.instantiate(&mut store, &provider).unwrap();
    linker.instance(&mut store, "p", p).unwrap();
    let c = linker.instantiate(&mut store, &consumer).unwrap();
    let run = c.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 1241);
    assert_eq!(p.get_global(&store, "g").unwrap().get(&store).unwrap(), Val::I64(11));
}

#[test]
fn host_defined_memory_table_and_global_can_be_imported() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(2))).unwrap();
    let table =
        Table::new(&mut store, TableType::new(RefType::FuncRef, 4, None), Val::FuncRef(None)).unwrap();
    let global =
        Global::new(&mut store, GlobalType::new(ValType::I32, Mutability::Var), Val::I32(3)).unwrap();
    let module = Module::new(
        &engine,
        r#"(module
            (import "h" "m" (memory 1))
            (import "h" "t" (table 4 funcref))
            (import "h" "g" (global (mut i32)))
            (func (export "run") (result i32)
              (i32.store8 (i32.const 3) (i32.const 0xab))
              (global.set 0 (i32.mul (global.get 0) (i32.const 2)))
              (table.size 0)))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .define("h", "m", memory)
        .unwrap()
        .define("h", "t", table)
        .unwrap()
        .define("h", "g", global)
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 4);
    assert_eq!(memory.data(&store).unwrap()[3], 0xab);
    assert_eq!(global.get(&store).unwrap(), Val::I32(6));
}

#[test]
fn traps_carry_spec_messages_and_leave_the_store_usable() {
    let (mut store, instance) = instantiate(
        r#"(module
            (memory 1)
            (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
            (func (export "oob") (result i32) (i32.load (i32.const 65535)))
            (func (export "boom") unreachable))"#,
    );
    let div = instance.get_typed_func::<(i32, i32), i32>(&store, "div").unwrap();
    let err = div.call(&mut store, (1, 0)).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::IntegerDivideByZero));
    assert_eq!(err.to_string(), "wasm trap: integer divide by zero");
    assert_eq!(
        div.call(&mut store, (i32::MIN, -1)).unwrap_err().trap_kind(),
        Some(TrapKind::IntegerOverflow)
    );
    let oob = instance.get_typed_func::<(), i32>(&store, "oob").unwrap();
    assert_eq!(oob.call(&mut store, ()).unwrap_err().trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    let boom = instance.get_typed_func::<(), ()>(&store, "boom").unwrap();
    assert_eq!(boom.call(&mut store, ()).unwrap_err().to_string(), "wasm trap: unreachable");
    // Still usable after traps.
    assert_eq!(div.call(&mut store, (-9, 2)).unwrap(), -4);
}

const RECURSE: &str = r#"(module
    (func $down (export "down") (param i32) (result i32)
      (if (result i32) (i32.eqz (local.get 0))
        (then (i32.const 0))
        (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))"#;

#[test]
fn call_depth_is_configurable() {
    let mut config = Config::default();
    config.max_call_depth(100);
    let engine = Engine::new(config);
    let module = Module::new(&engine, RECURSE).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 98).unwrap(), 98);
    let err = down.call(&mut store, 150).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::CallStackExhausted));
    assert_eq!(err.to_string(), "wasm trap: call stack exhausted");
}

#[test]
fn deep_recursion_on_a_small_native_stack_traps_cleanly() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let (mut store, instance) = instantiate(RECURSE);
            let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
            // The default limit allows 100,000 frames: all on the heap, none on the native stack.
            assert_eq!(down.call(&mut store, 90_000).unwrap(), 90_000);
            let err = down.call(&mut store, 10_000_000).unwrap_err();
            assert_eq!(err.trap_kind(), Some(TrapKind::CallStackExhausted));
        })
        .unwrap();
    handle.join().expect("no native stack overflow");
}

/// Host functions that call back into wasm stack up native frames. With the re-entry count
/// effectively unlimited, the native stack actually left must stop them with a trap before the
/// thread's stack overflows (before the check: SIGSEGV).
#[test]
fn host_reentry_is_bounded_by_the_native_stack_left() {
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(|| {
            let mut config = Config::new();
            config.max_host_reentry(usize::MAX / 2);
            let engine = Engine::new(config);
            let module = Module::new(
                &engine,
                r#"(module
                    (import "env" "rec" (func $rec (param i32) (result i32)))
                    (func (export "down") (param i32) (result i32)
                      (call $rec (i32.add (local.get 0) (i32.const 1)))))"#,
            )
            .unwrap();
            let mut linker = Linker::new(&engine);
            linker
                .func_wrap("env", "rec", |mut caller: Caller<'_, u32>, x: i32| -> Result<i32, Error> {
                    let deepest = caller.data_mut();
                    *deepest = (*deepest).max(x as u32);
                    // Some native stack of its own, as a real host function would use.
                    let pad = std::hint::black_box([0u8; 2048]);
                    let down = caller.get_export("down").and_then(Extern::into_func).unwrap();
                    down.typed::<i32, i32>(&caller)?.call(&mut caller, x + i32::from(pad[0]))
                })
                .unwrap();
            let mut store = Store::new(&engine, 0u32);
            let instance = linker.instantiate(&mut store, &module).unwrap();
            let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
            let err = down.call(&mut store, 0).unwrap_err();
            assert_eq!(err.trap_kind(), Some(TrapKind::CallStackExhausted), "{err}");
            let depth = *store.data();
            assert!(depth > 8, "re-entered {depth} times first");
            depth
        })
        .unwrap();
    let depth = handle.join().expect("no native stack overflow");
    eprintln!("re-entries on a 256 KiB thread: {depth}");
}

#[test]
fn malformed_and_invalid_modules_are_rejected_with_offsets() {
    let engine = Engine::default();
    let err = Module::new(&engine, b"\0asm\x01\0\0\0\x01").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(err.offset().is_some(), "{err}");
    let err = Module::new(&engine, b"\0asm\x02\0\0\0").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    let err = Module::new(&engine, "(module (func (result i32) (i64.const 1)))").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("type mismatch"), "{err}");
    let err = Module::new(&engine, "(module (func").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(err.to_string().contains("WAT"), "{err}");
    // Neither binary nor text (an ELF executable, say): said so, not "invalid UTF-8".
    let err = Module::new(&engine, b"\x7fELF\x02\x01\x01\0\xff\xfe").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Malformed);
    assert!(err.to_string().contains("not a WebAssembly module: the bytes start neither"), "{err}");
}

/// An import group in the compact-imports encoding (a WebAssembly 3.0 proposal: empty item
/// name, then 0x7F) is not WebAssembly 2.0. `Module::validate` refused it but `Module::new`
/// accepted an empty group as no import at all (found by `ci/fuzz --portable`, decode target,
/// seed 20261207, iteration 299321; here reduced to one import section).
#[test]
fn compact_import_groups_are_refused_like_validate_does() {
    let engine = Engine::default();
    // Import section: 1 entry, module "m", item name "", 0x7F, 0 items.
    let bytes = b"\0asm\x01\0\0\0\x02\x06\x01\x01m\x00\x7f\x00";
    let validated = Module::validate(&engine, bytes).unwrap_err();
    let err = Module::new(&engine, bytes).map(|_| ()).unwrap_err();
    assert_eq!(err.kind(), validated.kind(), "{err} / {validated}");
    assert!(err.to_string().contains("compact imports"), "{err}");
}

#[test]
fn multi_memory_is_a_config_switch() {
    let two = "(module (memory 1) (memory 1) (func (export \"f\") (result i32) (i32.load 1 (i32.const 0))))";
    assert!(Module::new(&Engine::default(), two).is_ok());
    let mut config = Config::default();
    config.multi_memory(false);
    let err = Module::new(&Engine::new(config), two).unwrap_err();
    assert!(err.to_string().contains("multiple memories"), "{err}");
}

#[test]
fn wasm3_features_are_config_switches() {
    type Switch = fn(&mut Config) -> &mut Config;
    let cases: [(&str, Switch); 3] = [
        ("(module (func $f (return_call $f)))", |c| c.tail_call(false)),
        ("(module (global i32 (i32.add (i32.const 1) (i32.const 2))))", |c| c.extended_const(false)),
        (
            "(module (func (param v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 0))))",
            |c| c.relaxed_simd(false),
        ),
    ];
    for (wat, off) in cases {
        Module::new(&Engine::default(), wat).unwrap();
        let mut config = Config::default();
        off(&mut config);
        let err = Module::new(&Engine::new(config), wat).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{wat}: {err}");
    }
}

#[test]
fn link_errors_name_the_import() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "f" (func (param i32))))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Link);
    assert!(err.to_string().contains("unknown import `env::f`"), "{err}");
    linker.func_wrap("env", "f", |_: Caller<'_, ()>, _: i64| {}).unwrap();
    let err = linker.instantiate(&mut store, &module).unwrap_err();
    assert!(err.to_string().contains("incompatible import type"), "{err}");
    assert!(err.to_string().contains("env::f"), "{err}");
    assert!(linker.func_wrap("env", "f", |_: Caller<'_, ()>| {}).is_err(), "redefinition is refused");
}

#[test]
fn dynamic_calls_check_arguments() {
    let (mut store, instance) =
        instantiate(r#"(module (func (export "f") (param i32 f32) (result i64) (i64.const 1)))"#);
    let f = instance.get_func(&store, "f").unwrap();
    let mut out = [Val::I64(0)];
    let err = f.call(&mut store, &[Val::I32(1)], &mut out).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Type);
    assert!(err.to_string().contains("(i32, f32) -> (i64)"), "{err}");
    let err = f.call(&mut store, &[Val::I32(1), Val::I32(2)], &mut out).unwrap_err();
    assert!(err.to_string().contains("argument 1"), "{err}");
    f.call(&mut store, &[Val::I32(1), Val::from(2.0f32)], &mut out).unwrap();
    assert_eq!(out[0], Val::I64(1));
    assert!(instance.get_typed_func::<i32, i64>(&store, "f").is_err());
    assert!(instance.get_typed_func::<(), ()>(&store, "missing").is_err());
}

#[test]
fn memory_access_through_the_api_is_bounds_checked() {
    let (mut store, instance) = instantiate(r#"(module (memory (export "m") 1))"#);
    let mem = instance.get_memory(&store, "m").unwrap();
    let mut buf = [0u8; 4];
    let err = mem.read(&store, 65534, &mut buf).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::OutOfRange);
    assert!(mem.write(&mut store, usize::MAX, b"x").is_err());
    assert!(mem.read(&store, 65532, &mut buf).is_ok());
}

#[test]
fn handles_from_another_store_are_refused() {
    let (mut store_a, instance) = instantiate(
        r#"(module
            (func (export "f"))
            (memory (export "m") 1 2)
            (table (export "t") 1 funcref)
            (global (export "g") (mut i32) (i32.const 1)))"#,
    );
    let f = instance.get_func(&store_a, "f").unwrap();
    let m = instance.get_memory(&store_a, "m").unwrap();
    let t = instance.get_table(&store_a, "t").unwrap();
    let g = instance.get_global(&store_a, "g").unwrap();
    let r = epsilon::ExternRef::new(&mut store_a, 5u32);
    let engine = store_a.engine().clone();
    let mut b: Store<()> = Store::new(&engine, ());
    let usage = |e: Error| assert_eq!(e.kind(), ErrorKind::Usage, "{e}");

    // Every method that takes a store refuses one that does not own the handle.
    usage(f.call(&mut b, &[], &mut []).unwrap_err());
    usage(f.ty(&b).unwrap_err());
    usage(f.typed::<(), ()>(&b).unwrap_err());
    usage(m.ty(&b).unwrap_err());
    usage(m.size(&b).unwrap_err());
    usage(m.data_size(&b).unwrap_err());
    usage(m.data(&b).unwrap_err());
    usage(m.data_mut(&mut b).unwrap_err());
    usage(m.data_and_store_mut(&mut b).unwrap_err());
    usage(m.read(&b, 0, &mut [0; 4]).unwrap_err());
    usage(m.write(&mut b, 0, &[1; 4]).unwrap_err());
    usage(m.grow(&mut b, 1).unwrap_err());
    usage(m.pin(&mut b).unwrap_err());
    usage(m.unpin(&mut b).unwrap_err());
    usage(m.data_ptr(&mut b).unwrap_err());
    usage(t.ty(&b).unwrap_err());
    usage(t.size(&b).unwrap_err());
    usage(t.get(&b, 0).unwrap_err());
    usage(t.set(&mut b, 0, Val::FuncRef(None)).unwrap_err());
    usage(t.grow(&mut b, 1, Val::FuncRef(None)).unwrap_err());
    usage(g.ty(&b).unwrap_err());
    usage(g.get(&b).unwrap_err());
    usage(g.set(&mut b, Val::I32(2)).unwrap_err());
    usage(instance.module(&b).unwrap_err());
    usage(instance.exports(&b).unwrap_err());
    usage(instance.get_export(&b, "f").unwrap_err());
    usage(instance.get_func(&b, "f").unwrap_err());
    usage(instance.get_typed_func::<(), ()>(&b, "f").unwrap_err());
    usage(instance.get_memory(&b, "m").unwrap_err());
    usage(instance.get_table(&b, "t").unwrap_err());
    usage(instance.get_global(&b, "g").unwrap_err());
    usage(instance.memory_by_index(&b, 0).unwrap_err());
    usage(Extern::Func(f).ty(&b).unwrap_err());
    usage(r.data(&b).unwrap_err());
    // A handle from another store passed as a value is refused too.
    let b_table = Table::new(&mut b, TableType::new(RefType::FuncRef, 1, None), Val::FuncRef(None)).unwrap();
    usage(b_table.set(&mut b, 0, Val::FuncRef(Some(f))).unwrap_err());

    // The owning store still works, and nothing changed.
    f.call(&mut store_a, &[], &mut []).unwrap();
    assert_eq!(m.size(&store_a).unwrap(), 1);
    assert_eq!(g.get(&store_a).unwrap(), Val::I32(1));
    assert_eq!(r.data(&store_a).unwrap().downcast_ref::<u32>(), Some(&5));
}

#[test]
fn missing_exports_are_errors_that_name_the_exports() {
    let (store, instance) = instantiate(r#"(module (func (export "f")) (memory (export "m") 1))"#);
    let err = instance.get_func(&store, "nope").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage);
    assert!(err.message().contains("no export named `nope` (exports: f, m)"), "{err}");
    let err = instance.get_memory(&store, "f").unwrap_err();
    assert!(err.message().contains("export `f` is not a memory"), "{err}");
    assert!(instance.get_export(&store, "m").unwrap().into_memory().is_some());
}

/// A host function that panics, with the panic caught by the embedder, must leave the store
/// usable: the depth counters of the call it unwound through are restored.
#[test]
fn a_store_stays_usable_after_caught_host_panics() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "boom" (func $boom))
            (import "env" "reenter" (func $reenter))
            (import "env" "again" (func $again (result i32)))
            (func (export "boom") (call $boom))
            (func (export "reenter") (call $reenter))
            (func (export "again") (result i32) (call $again))
            (func (export "ok") (result i32) (i32.const 7)))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "boom", |_: Caller<'_, ()>| -> Result<(), Error> { panic!("host panic") })
        .unwrap();
    linker
        .func_wrap("env", "reenter", |mut caller: Caller<'_, ()>| -> Result<(), Error> {
            // Panics two levels down: wasm -> host -> wasm -> host.
            let boom = caller.get_export("boom").and_then(Extern::into_func).unwrap();
            boom.call(&mut caller, &[], &mut [])
        })
        .unwrap()
        .func_wrap("env", "again", |mut caller: Caller<'_, ()>| -> Result<i32, Error> {
            let ok = caller.get_export("ok").and_then(Extern::into_func).unwrap();
            ok.typed::<(), i32>(&caller)?.call(&mut caller, ())
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let boom = instance.get_typed_func::<(), ()>(&store, "boom").unwrap();
    let reenter = instance.get_typed_func::<(), ()>(&store, "reenter").unwrap();
    let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for _ in 0..200 {
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| boom.call(&mut store, ())));
        assert!(caught.is_err(), "the panic reaches the embedder");
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| reenter.call(&mut store, ())));
        assert!(caught.is_err(), "the nested panic reaches the embedder");
    }
    std::panic::set_hook(quiet);
    // Before the fix, 65 unwound re-entries left the counter at its limit: every call failed
    // with "call stack exhausted".
    assert_eq!(ok.call(&mut store, ()).unwrap(), 7);
    let again = instance.get_typed_func::<(), i32>(&store, "again").unwrap();
    assert_eq!(again.call(&mut store, ()).unwrap(), 7, "host re-entry still works");
}

#[test]
fn values_round_trip_bit_exactly() {
    let (mut store, instance) = instantiate(
        r#"(module
            (func (export "id32") (param f32) (result f32) (local.get 0))
            (func (export "id64") (param f64) (result f64) (local.get 0))
            (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
            (func (export "pair") (param i64 i32) (result i32 i64) (local.get 1) (local.get 0)))"#,
    );
    let snan32 = epsilon::F32::from_bits(0x7fa0_0001);
    let mut out = [Val::I32(0)];
    instance.get_func(&store, "id32").unwrap().call(&mut store, &[Val::F32(snan32)], &mut out).unwrap();
    assert_eq!(out[0], Val::F32(snan32));
    instance.get_func(&store, "neg").unwrap().call(&mut store, &[Val::F32(snan32)], &mut out).unwrap();
    assert_eq!(out[0], Val::F32(epsilon::F32::from_bits(0xffa0_0001)));
    let snan64 = epsilon::F64::from_bits(0x7ff0_0000_0000_0001);
    instance.get_func(&store, "id64").unwrap().call(&mut store, &[Val::F64(snan64)], &mut out).unwrap();
    assert_eq!(out[0], Val::F64(snan64));
    let pair = instance.get_typed_func::<(i64, i32), (i32, i64)>(&store, "pair").unwrap();
    assert_eq!(pair.call(&mut store, (-5, 9)).unwrap(), (9, -5));
    let _ = V128::from_bits(0);
}

#[test]
fn typed_host_functions_pass_every_value_type_through_cells() {
    use epsilon::{ExternRef, Func};
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "env" "spread" (func $spread (param i32) (result i64 v128 f32 i32)))
            (import "env" "mix" (func $mix (param v128 f64 externref funcref) (result externref funcref v128)))
            (func $self (export "self"))
            (func (export "spread") (param i32) (result i64 v128 f32 i32)
              (call $spread (local.get 0)))
            (func (export "mix") (param externref) (result externref funcref v128)
              (call $mix (v128.const i32x4 1 2 3 4) (f64.const 0.5) (local.get 0) (ref.func $self)))
            (elem declare func $self))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    // More result cells than parameter cells: the results grow the region.
    linker
        .func_wrap("env", "spread", |_: Caller<'_, ()>, x: i32| {
            (i64::from(x) << 40, V128::from_bits(u128::from(x as u32) * 3), x as f32 / 2.0, -x)
        })
        .unwrap();
    linker
        .func_wrap(
            "env",
            "mix",
            |_: Caller<'_, ()>, v: V128, f: f64, e: Option<ExternRef>, g: Option<Func>| {
                assert_eq!(f, 0.5);
                assert!(g.is_some(), "the funcref arrives");
                (e, g, V128::from_bits(v.to_bits() << 8))
            },
        )
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();

    let spread = instance.get_typed_func::<i32, (i64, V128, f32, i32)>(&store, "spread").unwrap();
    let (a, b, c, d) = spread.call(&mut store, 6).unwrap();
    assert_eq!((a, b.to_bits(), c, d), (6 << 40, 18, 3.0, -6));

    let mix = instance.get_func(&store, "mix").unwrap();
    let tag = ExternRef::new(&mut store, "tag");
    let mut results = [Val::I32(0), Val::I32(0), Val::I32(0)];
    mix.call(&mut store, &[Val::ExternRef(Some(tag))], &mut results).unwrap();
    let Val::ExternRef(Some(back)) = results[0] else { panic!("externref expected: {:?}", results[0]) };
    assert_eq!(back.data(&store).unwrap().downcast_ref::<&str>(), Some(&"tag"));
    assert_eq!(results[1], Val::FuncRef(Some(instance.get_func(&store, "self").unwrap())));
    let v = (1u128 | 2 << 32 | 3 << 64 | 4 << 96) << 8;
    assert_eq!(results[2], Val::V128(V128::from_bits(v)));
}

#[test]
fn typed_host_functions_called_directly() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, 5i64);
    let pair =
        epsilon::Func::wrap(&mut store, |c: Caller<'_, i64>, x: i32| (i64::from(x) * *c.data(), x + 1));
    let mut results = [Val::I64(0), Val::I32(0)];
    pair.call(&mut store, &[Val::I32(4)], &mut results).unwrap();
    assert_eq!(results, [Val::I64(20), Val::I32(5)]);
    let typed = pair.typed::<i32, (i64, i32)>(&store).unwrap();
    assert_eq!(typed.call(&mut store, 7).unwrap(), (35, 8));
    // No parameters, two cells of results.
    let wide = epsilon::Func::wrap(&mut store, |_: Caller<'_, i64>| V128::from_bits(u128::MAX - 1));
    assert_eq!(
        wide.typed::<(), V128>(&store).unwrap().call(&mut store, ()).unwrap().to_bits(),
        u128::MAX - 1
    );
    // An error from a typed host function propagates unchanged.
    let fail = epsilon::Func::wrap(&mut store, |_: Caller<'_, i64>| -> Result<i32, Error> {
        Err(Error::new(ErrorKind::Host, "no"))
    });
    let err = fail.typed::<(), i32>(&store).unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Host);
}

/// Host objects passed to wasm as externrefs are freed once wasm can no longer reach them;
/// those in tables and globals survive, and a handle to a freed object is refused.
#[test]
fn unreachable_externrefs_are_collected() {
    let (mut store, instance) = instantiate(
        r#"(module
            (table (export "t") 4 externref)
            (global (export "g") (mut externref) (ref.null extern))
            (func (export "keep") (param externref i32) (table.set (local.get 1) (local.get 0)))
            (func (export "pass") (param externref) (result externref) (local.get 0))
            (func (export "hold") (param externref) (global.set 0 (local.get 0))))"#,
    );
    let keep = instance.get_typed_func::<(Option<epsilon::ExternRef>, i32), ()>(&store, "keep").unwrap();
    let pass = instance
        .get_typed_func::<Option<epsilon::ExternRef>, Option<epsilon::ExternRef>>(&store, "pass")
        .unwrap();
    let hold = instance.get_typed_func::<Option<epsilon::ExternRef>, ()>(&store, "hold").unwrap();
    let in_table = epsilon::ExternRef::new(&mut store, String::from("table"));
    keep.call(&mut store, (Some(in_table), 2)).unwrap();
    let in_global = epsilon::ExternRef::new(&mut store, String::from("global"));
    hold.call(&mut store, Some(in_global)).unwrap();
    let mut passed = Vec::new();
    for i in 0..1000 {
        let r = epsilon::ExternRef::new(&mut store, i);
        assert_eq!(pass.call(&mut store, Some(r)).unwrap(), Some(r));
        passed.push(r);
    }
    assert_eq!(store.externref_count(), 1002);
    assert_eq!(store.collect_externrefs().unwrap().len(), 1000);
    assert_eq!(store.externref_count(), 2);
    assert_eq!(in_table.data(&store).unwrap().downcast_ref::<String>().unwrap(), "table");
    assert_eq!(in_global.data(&store).unwrap().downcast_ref::<String>().unwrap(), "global");
    assert!(!passed[0].is_live(&store));
    assert_eq!(passed[0].data(&store).unwrap_err().kind(), ErrorKind::Usage);
    assert_eq!(pass.call(&mut store, Some(passed[1])).unwrap_err().kind(), ErrorKind::Usage);
    // A new object reuses a freed slot; the old handle still does not reach it.
    let fresh = epsilon::ExternRef::new(&mut store, 7u8);
    assert!(fresh.is_live(&store) && !passed.iter().any(|p| p.is_live(&store)));
    let t = instance.get_table(&store, "t").unwrap();
    assert_eq!(t.get(&store, 2).unwrap(), Val::ExternRef(Some(in_table)));
    assert_eq!(store.collect_externrefs().unwrap().len(), 1, "fresh was never stored by wasm");
}

/// The threaded dispatch backend chains op handlers by tail calls; a handler that made a real
/// call instead would grow the native stack by a frame per op it runs. A long loop over many op
/// kinds on a thread with a 128 KiB stack overflows within a few thousand iterations then.
#[test]
fn the_executor_runs_in_constant_native_stack() {
    let wat = r#"(module
        (memory 1)
        (global $g (mut i64) (i64.const 0))
        (table 2 funcref)
        (elem (i32.const 0) $inc $dec)
        (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
        (func $dec (param i32) (result i32) (i32.sub (local.get 0) (i32.const 1)))
        (func (export "spin") (param $n i32) (result i64)
          (local $i i32) (local $f f64) (local $x f32)
          (loop $top
            (i32.store (i32.and (local.get $i) (i32.const 1020)) (local.get $i))
            (global.set $g (i64.add (global.get $g)
              (i64.extend_i32_u (i32.load (i32.and (local.get $i) (i32.const 1020))))))
            (local.set $f (f64.add (local.get $f) (f64.convert_i32_s (local.get $i))))
            (local.set $x (f32.mul (f32.const 1.5) (f32.demote_f64 (local.get $f))))
            (drop (select (local.get $i) (i32.const 7) (f32.lt (local.get $x) (f32.const 0))))
            (block $b (block $a
              (br_table $a $b (i32.and (local.get $i) (i32.const 1)))))
            (memory.fill (i32.const 2048) (local.get $i) (i32.const 16))
            (local.set $i (call_indirect (param i32) (result i32)
              (i32.add (local.get $i) (i32.const 1)) (i32.const 0)))
            (local.set $i (call $dec (local.get $i)))
            (br_if $top (i32.lt_u (local.get $i) (local.get $n))))
          (global.get $g)))"#;
    let handle = std::thread::Builder::new()
        .stack_size(128 * 1024)
        .spawn(move || {
            let (mut store, instance) = instantiate(wat);
            let spin = instance.get_typed_func::<i32, i64>(&store, "spin").unwrap();
            spin.call(&mut store, 200_000).unwrap()
        })
        .unwrap();
    let sum = handle.join().expect("no native stack overflow");
    let expected: i64 = (0..200_000i64).sum();
    assert_eq!(sum, expected);
    eprintln!("dispatch backend: {}", epsilon::dispatch_backend());
}

/// Limits a host passes are checked like a module's: a maximum below the minimum is refused
/// (before the check, `Memory::new` made a buffer shorter than its length; found by fuzzing).
#[test]
fn host_made_memories_and_tables_refuse_a_maximum_below_the_minimum() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let err = Memory::new(&mut store, MemoryType::new(2, Some(1))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage, "{err}");
    let err =
        Table::new(&mut store, TableType::new(RefType::FuncRef, 5, Some(4)), Val::FuncRef(None)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Usage, "{err}");
    let memory = Memory::new(&mut store, MemoryType::new(1, Some(1))).unwrap();
    memory.write(&mut store, 65535, &[7]).unwrap();
    assert!(memory.write(&mut store, 65536, &[7]).is_err());
}

#[test]
fn extended_constant_expressions() {
    let wat = r#"(module
        (import "env" "base" (global $base i32))
        (import "env" "big" (global $big i64))
        (memory 1)
        (table 10 funcref)
        (func $f (result i32) (i32.const 11))
        (func $g (result i32) (i32.const 22))
        ;; 3 * base - 1 = 5; then a global that uses an earlier defined one.
        (global $off i32 (i32.sub (i32.mul (i32.const 3) (global.get $base)) (i32.const 1)))
        (global $wrap i32 (i32.add (i32.const 0x7fffffff) (i32.const 2)))
        (global $wide i64 (i64.add (i64.mul (global.get $big) (i64.const 4)) (i64.const -1)))
        (data (offset (i32.add (global.get $base) (i32.const 8))) "\2a")
        (elem (offset (i32.add (global.get $base) (i32.const 1))) func $f $g)
        (func (export "off") (result i32) (global.get $off))
        (func (export "wrap") (result i32) (global.get $wrap))
        (func (export "wide") (result i64) (global.get $wide))
        (func (export "byte") (param i32) (result i32) (i32.load8_u (local.get 0)))
        (func (export "callt") (param i32) (result i32) (call_indirect (result i32) (local.get 0))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let base = Global::new(
        &mut store,
        GlobalType { content: ValType::I32, mutability: Mutability::Const },
        Val::I32(2),
    )
    .unwrap();
    let big = Global::new(
        &mut store,
        GlobalType { content: ValType::I64, mutability: Mutability::Const },
        Val::I64(1 << 62),
    )
    .unwrap();
    linker.define("env", "base", base).unwrap();
    linker.define("env", "big", big).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let get_i32 = |store: &mut Store<()>, name: &str, args: &[Val]| {
        let mut out = [Val::I32(0)];
        instance.get_func(&*store, name).unwrap().call(store, args, &mut out).unwrap();
        out[0]
    };
    assert_eq!(get_i32(&mut store, "off", &[]), Val::I32(5));
    assert_eq!(get_i32(&mut store, "wrap", &[]), Val::I32(i32::MIN + 1));
    assert_eq!(get_i32(&mut store, "byte", &[Val::I32(10)]), Val::I32(42));
    assert_eq!(get_i32(&mut store, "callt", &[Val::I32(3)]), Val::I32(11));
    assert_eq!(get_i32(&mut store, "callt", &[Val::I32(4)]), Val::I32(22));
    let mut out = [Val::I64(0)];
    instance.get_func(&store, "wide").unwrap().call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::I64((1i64 << 62).wrapping_mul(4) - 1));
}

#[test]
fn call_cells_passes_numbers_as_cells_and_checks_the_signature() {
    let (mut store, instance) = instantiate(
        r#"(module
            (func (export "mix") (param i32 i64 f32 f64) (result f64 i32)
              (f64.add (f64.promote_f32 (local.get 2)) (local.get 3))
              (i32.add (local.get 0) (i32.wrap_i64 (local.get 1))))
            (func (export "splat") (param i64) (result v128) (i64x2.splat (local.get 0)))
            (func (export "lanes") (param v128) (result i64) (i64x2.extract_lane 1 (local.get 0)))
            (func (export "refs") (param externref) (result i32) (i32.const 0)))"#,
    );
    let mix = instance.get_func(&store, "mix").unwrap();
    let args = [u64::from(-3i32 as u32), 10, u64::from(1.5f32.to_bits()), 2.25f64.to_bits()];
    let mut results = [0u64; 2];
    mix.call_cells(&mut store, &args, &mut results).unwrap();
    assert_eq!((f64::from_bits(results[0]), results[1] as u32 as i32), (3.75, 7));

    let splat = instance.get_func(&store, "splat").unwrap();
    let mut v = [0u64; 2];
    splat.call_cells(&mut store, &[0x1234], &mut v).unwrap();
    assert_eq!(v, [0x1234, 0x1234]);
    let lanes = instance.get_func(&store, "lanes").unwrap();
    let mut hi = [0u64; 1];
    lanes.call_cells(&mut store, &[1, 99], &mut hi).unwrap();
    assert_eq!(hi, [99]);

    for (func, args, results) in [("mix", 3, 2), ("mix", 4, 1), ("splat", 1, 1), ("refs", 1, 1)] {
        let f = instance.get_func(&store, func).unwrap();
        let error = f.call_cells(&mut store, &vec![0; args], &mut vec![0; results]).unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Type, "{func}: {error}");
    }
}

#[test]
fn call_cells_ignores_bits_above_a_32_bit_argument() {
    // The executor reads an `i64.extend_i32_u` operand as is: an i32 cell must be zero-extended
    // however the caller filled it.
    let (mut store, instance) = instantiate(
        r#"(module
            (func (export "widen") (param i32 f32) (result i64 i64)
              (i64.extend_i32_u (local.get 0))
              (i64.extend_i32_u (i32.reinterpret_f32 (local.get 1)))))"#,
    );
    let widen = instance.get_func(&store, "widen").unwrap();
    let mut results = [0u64; 2];
    widen.call_cells(&mut store, &[0xdead_beef_ffff_fffe, 0x1234_5678_3fc0_0000], &mut results).unwrap();
    assert_eq!(results, [0xffff_fffe, 0x3fc0_0000]);
}

#[test]
fn call_cells_zero_extends_by_cell_position_after_a_v128() {
    // The narrow cells are found by position (a v128 takes two cells): the i32 after a v128 is
    // cell 2, and the i64 after it must keep its high bits.
    let (mut store, instance) = instantiate(
        r#"(module
            (func (export "after") (param v128 i32 i64 f32) (result i64 i64 i64)
              (i64.extend_i32_u (local.get 1))
              (local.get 2)
              (i64.extend_i32_u (i32.reinterpret_f32 (local.get 3)))))"#,
    );
    let after = instance.get_func(&store, "after").unwrap();
    let mut results = [0u64; 3];
    let args = [u64::MAX, u64::MAX, 0xdead_beef_0000_0007, 0xffff_0000_0000_0001, 0xabcd_0000_3f80_0000];
    after.call_cells(&mut store, &args, &mut results).unwrap();
    assert_eq!(results, [7, 0xffff_0000_0000_0001, 0x3f80_0000]);
}

#[test]
fn call_cells_of_host_functions_and_of_many_parameters() {
    // Two paths besides the common one: a host function, and more argument cells than the
    // call keeps on the native stack (the store's buffer is used then); both zero-extend i32s.
    let (mut store, instance) = instantiate(
        r#"(module
            (func (export "sum20") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32
                                          i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i64)
              (local $acc i64)
              (local.set $acc (i64.extend_i32_u (local.get 0)))
              (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get 19))))
              (local.get $acc)))"#,
    );
    let sum20 = instance.get_func(&store, "sum20").unwrap();
    let mut args = [0u64; 20];
    args[0] = 0xffff_ffff_0000_0005;
    args[19] = 0x1_0000_0007;
    let mut result = [0u64; 1];
    sum20.call_cells(&mut store, &args, &mut result).unwrap();
    assert_eq!(result, [12]);
    // The same store takes the common path again afterwards.
    let error = sum20.call_cells(&mut store, &args[..19], &mut result).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::Type);

    let double = epsilon::Func::wrap(&mut store, |_: Caller<'_, ()>, x: i32| -> i64 { i64::from(x) * 2 });
    let mut out = [0u64; 1];
    double.call_cells(&mut store, &[0xabcd_0000_0000_0015], &mut out).unwrap();
    assert_eq!(out, [42]);
}

#[test]
fn call_cells_zero_extends_i32_arguments_beyond_the_64th_cell() {
    // The layout's mask of narrow cells covers 64 cells: a call with more takes the path that
    // zero-extends by the types.
    let params = "i32 ".repeat(70);
    let (mut store, instance) = instantiate(&format!(
        r#"(module
            (func (export "last") (param {params}) (result i64 i64)
              (i64.extend_i32_u (local.get 0))
              (i64.extend_i32_u (local.get 69))))"#
    ));
    let last = instance.get_func(&store, "last").unwrap();
    let mut args = [0u64; 70];
    args[0] = 0xffff_ffff_0000_0003;
    args[69] = 0x1234_0000_0000_0009;
    let mut results = [0u64; 2];
    last.call_cells(&mut store, &args, &mut results).unwrap();
    assert_eq!(results, [3, 9]);
}
