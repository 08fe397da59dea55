//! SIMD values through the API, and several memories per module.

use epsilon::{Config, Engine, ErrorKind, Linker, Memory, MemoryType, Module, Store, V128, Val};

#[test]
fn v128_flows_through_typed_and_dynamic_calls() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
            (func (export "splat") (param f32) (result v128) (f32x4.splat (local.get 0)))
            (global (export "g") (mut v128) (v128.const i64x2 1 2)))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let add = instance.get_typed_func::<(V128, V128), V128>(&store, "add").unwrap();
    let a = V128::from_bits(0x0000_0004_0000_0003_0000_0002_ffff_ffff);
    let b = V128::from_bits(0x0000_0001_0000_0001_0000_0001_0000_0001);
    assert_eq!(add.call(&mut store, (a, b)).unwrap().to_bits(), 0x0000_0005_0000_0004_0000_0003_0000_0000);
    let mut out = [Val::I32(0)];
    instance.get_func(&store, "splat").unwrap().call(&mut store, &[Val::from(1.5f32)], &mut out).unwrap();
    assert_eq!(out[0], Val::V128(V128::from_bits(0x3fc0_0000_3fc0_0000_3fc0_0000_3fc0_0000)));
    let g = instance.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store).unwrap(), Val::V128(V128::from_bits(2u128 << 64 | 1)));
    g.set(&mut store, Val::V128(V128::from_bytes([7; 16]))).unwrap();
    assert_eq!(g.get(&store).unwrap().v128().unwrap().to_bytes(), [7; 16]);
}

#[test]
fn bad_simd_is_rejected_at_validation() {
    let engine = Engine::default();
    for (wat, needle) in [
        (
            "(module (func (result i32) (i8x16.extract_lane_s 16 (v128.const i64x2 0 0))))",
            "index out of bounds",
        ),
        ("(module (memory 1) (func (result v128) (v128.load align=32 (i32.const 0))))", "alignment"),
        ("(module (func (result v128) (i32x4.add (v128.const i64x2 0 0) (i32.const 1))))", "type mismatch"),
    ] {
        let err = Module::new(&engine, wat).unwrap_err();
        assert!(matches!(err.kind(), ErrorKind::Invalid | ErrorKind::Malformed), "{wat}: {err}");
        assert!(err.to_string().contains(needle), "{wat}: {err}");
    }
}

const TWO_MEMORIES: &str = r#"(module
    (import "host" "shared" (memory $a 1))
    (import "host" "shared" (memory $b 1))
    (memory $c (export "c") 1)
    (memory $d (export "d") 2)
    (data (memory $d) (i32.const 100) "hello")
    (func (export "copy") (memory.copy $c $d (i32.const 0) (i32.const 100) (i32.const 5)))
    (func (export "alias") (param i32) (result i32)
      (i32.store8 $a (i32.const 7) (local.get 0))
      (i32.load8_u $b (i32.const 7)))
    (func (export "sizes") (result i32 i32)
      (drop (memory.grow $c (i32.const 3)))
      (memory.size $c) (memory.size $d)))"#;

#[test]
fn several_memories_by_index_and_name() {
    let engine = Engine::default();
    let module = Module::new(&engine, TWO_MEMORIES).unwrap();
    let mut store = Store::new(&engine, ());
    let shared = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("host", "shared", shared).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();

    let copy = instance.get_typed_func::<(), ()>(&store, "copy").unwrap();
    copy.call(&mut store, ()).unwrap();
    let c = instance.get_memory(&store, "c").unwrap();
    assert_eq!(&c.data(&store).unwrap()[..5], b"hello");
    assert_eq!(instance.memory_by_index(&store, 2).unwrap(), Some(c));
    assert_eq!(instance.memory_by_index(&store, 0).unwrap(), Some(shared));
    assert_eq!(instance.memory_by_index(&store, 4).unwrap(), None);

    // The same memory imported twice is one memory.
    let alias = instance.get_typed_func::<i32, i32>(&store, "alias").unwrap();
    assert_eq!(alias.call(&mut store, 99).unwrap(), 99);
    assert_eq!(shared.data(&store).unwrap()[7], 99);

    let sizes = instance.get_typed_func::<(), (i32, i32)>(&store, "sizes").unwrap();
    assert_eq!(sizes.call(&mut store, ()).unwrap(), (4, 2));
}

#[test]
fn memory_index_out_of_range_is_invalid() {
    let engine = Engine::default();
    let err =
        Module::new(&engine, "(module (memory 1) (func (drop (i32.load 1 (i32.const 0)))))").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let mut config = Config::default();
    config.multi_memory(false);
    let err = Module::new(&Engine::new(config), TWO_MEMORIES).unwrap_err();
    assert!(err.to_string().contains("multiple memories"), "{err}");
}
