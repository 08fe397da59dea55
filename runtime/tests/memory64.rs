//! 64-bit memories (memory64): addresses of 2^32 and beyond trap instead of wrapping, for
//! loads, stores, SIMD lanes and bulk operations; `memory.grow` stops at the engine's ceiling;
//! a huge declared maximum reserves nothing; the `Config` switch.

use epsilon::{Config, Engine, ErrorKind, Instance, Linker, Memory, MemoryType, Module, Store, TrapKind};

const FOUR_GIB: u64 = 1 << 32;

fn setup(config: Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, instance)
}

/// One page of 64-bit memory with bytes at 0..4, accessed at `addr` in every way.
const ACCESS: &str = r#"(module
    (memory (export "mem") i64 1)
    (data (i64.const 0) "\01\02\03\04")
    (func (export "load") (param i64) (result i32) (i32.load (local.get 0)))
    (func (export "load8") (param i64) (result i32) (i32.load8_u (local.get 0)))
    (func (export "load_hi_offset") (param i64) (result i32) (i32.load8_u offset=0x100000000 (local.get 0)))
    (func (export "load_max_offset") (param i64) (result i32)
      (i32.load8_u offset=0xffffffffffffffff (local.get 0)))
    (func (export "load_sum") (param i64 i64) (result i32) (i32.load8_u (i64.add (local.get 0) (local.get 1))))
    (func (export "store8") (param i64 i32) (i32.store8 (local.get 0) (local.get 1)))
    (func (export "store_hi_offset") (param i64) (i64.store offset=0x100000000 (local.get 0) (i64.const 7)))
    (func (export "v128_load") (param i64) (result i32) (i32x4.extract_lane 0 (v128.load (local.get 0))))
    (func (export "load_lane") (param i64) (result i32)
      (i8x16.extract_lane_u 0 (v128.load8_lane 0 (local.get 0) (v128.const i64x2 0 0))))
    (func (export "store_lane") (param i64) (v128.store8_lane 0 (local.get 0) (v128.const i64x2 9 0)))
    (func (export "size") (result i64) (memory.size)))"#;

#[test]
fn addresses_of_four_gib_and_more_trap_and_never_wrap() {
    let (mut store, instance) = setup(Config::default(), ACCESS);
    let load = instance.get_typed_func::<i64, i32>(&store, "load").unwrap();
    let load8 = instance.get_typed_func::<i64, i32>(&store, "load8").unwrap();
    assert_eq!(load.call(&mut store, 0).unwrap(), 0x0403_0201);
    assert_eq!(load8.call(&mut store, 3).unwrap(), 4);
    assert_eq!(load.call(&mut store, 65532).unwrap(), 0);
    // Each of these would read bytes 0..4 if the address were cut to 32 bits.
    for addr in [FOUR_GIB, FOUR_GIB + 1, 2 * FOUR_GIB, u64::MAX - 3, u64::MAX, 65533] {
        let err = load.call(&mut store, addr as i64).unwrap_err();
        assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds), "load at {addr:#x}");
        let err = load8.call(&mut store, addr.max(65536) as i64).unwrap_err();
        assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds), "load8 at {addr:#x}");
    }
    // Offsets of 2^32 and more: the effective address is far out, and its sum may overflow.
    let hi = instance.get_typed_func::<i64, i32>(&store, "load_hi_offset").unwrap();
    let max = instance.get_typed_func::<i64, i32>(&store, "load_max_offset").unwrap();
    for addr in [0, 1, FOUR_GIB, u64::MAX] {
        assert_eq!(
            hi.call(&mut store, addr as i64).unwrap_err().trap_kind(),
            Some(TrapKind::MemoryOutOfBounds)
        );
        assert_eq!(
            max.call(&mut store, addr as i64).unwrap_err().trap_kind(),
            Some(TrapKind::MemoryOutOfBounds)
        );
    }
    // An i64.add of two addresses is not fused into a wrapping 32-bit sum.
    let sum = instance.get_typed_func::<(i64, i64), i32>(&store, "load_sum").unwrap();
    assert_eq!(sum.call(&mut store, (1, 2)).unwrap(), 4);
    let err = sum.call(&mut store, (FOUR_GIB as i64, 2)).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    // Stores: a trapping store writes nothing (the bytes at 0 stay as they were).
    let store8 = instance.get_typed_func::<(i64, i32), ()>(&store, "store8").unwrap();
    let err = store8.call(&mut store, (FOUR_GIB as i64, 0x55)).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    let store_hi = instance.get_typed_func::<i64, ()>(&store, "store_hi_offset").unwrap();
    let err = store_hi.call(&mut store, 0).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    store8.call(&mut store, (65535, 0x66)).unwrap();
    let memory = instance.get_memory(&store, "mem").unwrap();
    assert_eq!(&memory.data(&store).unwrap()[..4], &[1, 2, 3, 4]);
    assert_eq!(memory.data(&store).unwrap()[65535], 0x66);
    // SIMD: a full vector load and lane loads and stores.
    for name in ["v128_load", "load_lane"] {
        let f = instance.get_typed_func::<i64, i32>(&store, name).unwrap();
        assert_eq!(f.call(&mut store, 0).unwrap() & 0xff, 1, "{name}");
        let err = f.call(&mut store, FOUR_GIB as i64).unwrap_err();
        assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds), "{name}");
    }
    let store_lane = instance.get_typed_func::<i64, ()>(&store, "store_lane").unwrap();
    let err = store_lane.call(&mut store, FOUR_GIB as i64).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    assert_eq!(memory.data(&store).unwrap()[0], 1);
    store_lane.call(&mut store, 0).unwrap();
    assert_eq!(memory.data(&store).unwrap()[0], 9);
}

#[test]
fn memory_grow_beyond_the_engine_ceiling_returns_minus_one() {
    let wat = r#"(module
        (memory i64 1)
        (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
        (func (export "size") (result i64) (memory.size)))"#;
    let mut config = Config::default();
    config.max_memory_pages(10);
    let (mut store, instance) = setup(config, wat);
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    let size = instance.get_typed_func::<(), i64>(&store, "size").unwrap();
    assert_eq!(grow.call(&mut store, 9).unwrap(), 1);
    assert_eq!(size.call(&mut store, ()).unwrap(), 10);
    for delta in [1, 2, 1 << 32, (1 << 32) + 1, 1 << 48, -1] {
        assert_eq!(grow.call(&mut store, delta).unwrap(), -1, "delta {delta:#x}");
    }
    assert_eq!(grow.call(&mut store, 0).unwrap(), 10);
    assert_eq!(size.call(&mut store, ()).unwrap(), 10);
    // With the default ceiling (65,536 pages) too: a delta that only fits in 64 bits fails.
    let (mut store, instance) = setup(Config::default(), wat);
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 1 << 32).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 65536).unwrap(), -1);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 1);
}

#[test]
fn a_huge_maximum_instantiates_without_reserving_it() {
    // A maximum of 2^48 pages (2^64 bytes): only the one page of the minimum is allocated.
    let wat = r#"(module
        (memory (export "mem") i64 1 0x1000000000000)
        (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0))))"#;
    let (mut store, instance) = setup(Config::default(), wat);
    let memory = instance.get_memory(&store, "mem").unwrap();
    assert_eq!(memory.data_size(&store).unwrap(), 65536);
    let ty = memory.ty(&store).unwrap();
    assert_eq!(ty, MemoryType::new64(1, Some(1 << 48)));
    assert!(ty.memory64);
    assert_eq!(ty.to_string(), "memory i64 1 281474976710656");
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 3).unwrap(), 1);
    assert_eq!(memory.data_size(&store).unwrap(), 4 * 65536);

    // A minimum above the ceiling fails instantiation cleanly, without trying to allocate.
    for min in ["65537", "0x100000000", "0x1000000000000"] {
        let engine = Engine::default();
        let module = Module::new(&engine, format!("(module (memory i64 {min}))")).unwrap();
        let mut store = Store::new(&engine, ());
        let err = Linker::new(&engine).instantiate(&mut store, &module).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Instantiation, "min {min}: {err}");
        let err =
            Memory::new(&mut store, MemoryType::new64(min.parse().unwrap_or(1 << 48), None)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Instantiation, "min {min}: {err}");
    }
}

#[test]
fn bulk_operations_at_high_addresses_trap() {
    let wat = r#"(module
        (memory $m64 (export "m64") i64 1)
        (memory $m32 (export "m32") 1)
        (data $d "abcd")
        (func (export "fill") (param i64 i64) (memory.fill $m64 (local.get 0) (i32.const 0x77) (local.get 1)))
        (func (export "copy") (param i64 i64 i64) (memory.copy $m64 $m64 (local.get 0) (local.get 1) (local.get 2)))
        (func (export "copy_to32") (param i32 i64 i32) (memory.copy $m32 $m64 (local.get 0) (local.get 1) (local.get 2)))
        (func (export "copy_to64") (param i64 i32 i32) (memory.copy $m64 $m32 (local.get 0) (local.get 1) (local.get 2)))
        (func (export "init") (param i64 i32 i32) (memory.init $m64 $d (local.get 0) (local.get 1) (local.get 2))))"#;
    let mut config = Config::default();
    config.multi_memory(true);
    let (mut store, instance) = setup(config, wat);
    let m64 = instance.get_memory(&store, "m64").unwrap();
    let m32 = instance.get_memory(&store, "m32").unwrap();
    let oob = |r: Result<(), epsilon::Error>| {
        assert_eq!(r.unwrap_err().trap_kind(), Some(TrapKind::MemoryOutOfBounds))
    };

    let fill = instance.get_typed_func::<(i64, i64), ()>(&store, "fill").unwrap();
    for (d, n) in [(FOUR_GIB, 0), (FOUR_GIB, 1), (0, FOUR_GIB), (1, u64::MAX), (u64::MAX, 2), (65536, 1)] {
        oob(fill.call(&mut store, (d as i64, n as i64)));
    }
    assert!(m64.data(&store).unwrap().iter().all(|&b| b == 0), "a trapping fill wrote");
    fill.call(&mut store, (65536, 0)).unwrap();
    fill.call(&mut store, (65534, 2)).unwrap();
    assert_eq!(&m64.data(&store).unwrap()[65533..], &[0, 0x77, 0x77]);

    let copy = instance.get_typed_func::<(i64, i64, i64), ()>(&store, "copy").unwrap();
    for (d, s, n) in [(0, FOUR_GIB, 0), (FOUR_GIB, 0, 0), (0, FOUR_GIB + 65534, 2), (0, 1, u64::MAX)] {
        oob(copy.call(&mut store, (d as i64, s as i64, n as i64)));
    }
    copy.call(&mut store, (0, 65534, 2)).unwrap();
    assert_eq!(&m64.data(&store).unwrap()[..3], &[0x77, 0x77, 0]);

    // Between a 64-bit and a 32-bit memory: each address has its memory's type, the length
    // the 32-bit one's.
    let to32 = instance.get_typed_func::<(i32, i64, i32), ()>(&store, "copy_to32").unwrap();
    oob(to32.call(&mut store, (0, FOUR_GIB as i64, 0)));
    oob(to32.call(&mut store, (0, (FOUR_GIB + 1) as i64, 1)));
    to32.call(&mut store, (10, 0, 2)).unwrap();
    assert_eq!(&m32.data(&store).unwrap()[10..12], &[0x77, 0x77]);
    let to64 = instance.get_typed_func::<(i64, i32, i32), ()>(&store, "copy_to64").unwrap();
    oob(to64.call(&mut store, (FOUR_GIB as i64, 10, 0)));
    oob(to64.call(&mut store, (FOUR_GIB as i64 + 100, 10, 2)));
    to64.call(&mut store, (100, 10, 2)).unwrap();
    assert_eq!(&m64.data(&store).unwrap()[100..102], &[0x77, 0x77]);

    let init = instance.get_typed_func::<(i64, i32, i32), ()>(&store, "init").unwrap();
    oob(init.call(&mut store, (FOUR_GIB as i64, 0, 0)));
    oob(init.call(&mut store, (FOUR_GIB as i64, 0, 4)));
    oob(init.call(&mut store, (-1, 0, 1)));
    init.call(&mut store, (200, 1, 3)).unwrap();
    assert_eq!(&m64.data(&store).unwrap()[200..203], b"bcd");
}

#[test]
fn data_segments_at_high_offsets_fail_instantiation() {
    // i64 offsets: 2^32 would land at 0 if cut to 32 bits.
    for offset in ["0x100000000", "0xffffffffffffffff", "65535"] {
        let wat = format!(r#"(module (memory i64 1) (data (i64.const {offset}) "xy"))"#);
        let engine = Engine::default();
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let err = Linker::new(&engine).instantiate(&mut store, &module).unwrap_err();
        assert_eq!(err.trap_kind(), Some(TrapKind::MemoryOutOfBounds), "offset {offset}");
    }
    let wat = r#"(module (memory (export "mem") i64 1) (data (i64.const 65534) "xy"))"#;
    let (store, instance) = setup(Config::default(), wat);
    let memory = instance.get_memory(&store, "mem").unwrap();
    assert_eq!(&memory.data(&store).unwrap()[65534..], b"xy");
}

#[test]
fn imports_match_only_memories_of_the_same_index_type() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let m64 = Memory::new(&mut store, MemoryType::new64(1, Some(1 << 40))).unwrap();
    let m32 = Memory::new(&mut store, MemoryType::new(1, None)).unwrap();
    let module = Module::new(&engine, r#"(module (import "env" "m" (memory i64 1)))"#).unwrap();
    for (memory, ok) in [(m64, true), (m32, false)] {
        let mut linker = Linker::new(&engine);
        linker.define("env", "m", memory).unwrap();
        assert_eq!(linker.instantiate(&mut store, &module).is_ok(), ok);
    }
}

#[test]
fn memory64_is_a_config_switch() {
    let mut config = Config::default();
    config.memory64(false);
    let engine = Engine::new(config);
    for wat in ["(module (memory i64 1))", r#"(module (import "env" "m" (memory i64 1)))"#] {
        let err = Module::new(&engine, wat).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{wat}: {err}");
    }
    Module::new(&engine, "(module (memory 1))").unwrap();
    // On by default.
    Module::new(&Engine::default(), "(module (memory i64 1))").unwrap();
}

#[test]
fn host_grows_a_64_bit_memory_in_u64_pages() {
    // The host API counts pages in u64 for both index types: a 64-bit memory made by the host,
    // grown from both sides, refuses deltas beyond the ceiling (here 8 pages; also deltas of
    // 2^32 and more, which would wrap as u32) without changing its size.
    let mut config = Config::default();
    config.max_memory_pages(8);
    let engine = Engine::new(config);
    let mut store = Store::new(&engine, ());
    let memory = Memory::new(&mut store, MemoryType::new64(1, Some(1 << 48))).unwrap();
    assert_eq!(memory.ty(&store).unwrap(), MemoryType::new64(1, Some(1 << 48)));
    let size: u64 = memory.size(&store).unwrap();
    assert_eq!(size, 1);
    assert_eq!(memory.grow(&mut store, 2).unwrap(), 1);
    let module = Module::new(
        &engine,
        r#"(module (memory (import "env" "mem") i64 1)
             (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
             (func (export "size") (result i64) (memory.size)))"#,
    )
    .unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("env", "mem", memory).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
    let wasm_size = instance.get_typed_func::<(), i64>(&store, "size").unwrap();
    assert_eq!(wasm_size.call(&mut store, ()).unwrap(), 3);
    assert_eq!(grow.call(&mut store, 1).unwrap(), 3);
    assert_eq!(memory.size(&store).unwrap(), 4);
    for delta in [5, 1 << 16, FOUR_GIB, FOUR_GIB + 1, 1 << 48, u64::MAX] {
        let err = memory.grow(&mut store, delta).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::OutOfRange, "{err}");
        assert_eq!(memory.size(&store).unwrap(), 4, "a failed grow by {delta} changed the size");
    }
    assert_eq!(memory.grow(&mut store, 4).unwrap(), 4, "up to the ceiling of 8 pages");
    assert_eq!(wasm_size.call(&mut store, ()).unwrap(), 8);
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1);
    assert_eq!(memory.data_size(&store).unwrap(), 8 << 16);
}
