//! Fuel, interruption and deadlines.

use epsilon::{Config, Engine, ErrorKind, Linker, Module, Store, TrapKind};
use std::time::{Duration, Instant};

const COUNTER: &str = r#"(module
    (global $n (export "n") (mut i64) (i64.const 0))
    (func (export "count") (param $limit i64)
      (loop $again
        (global.set $n (i64.add (global.get $n) (i64.const 1)))
        (br_if $again (i64.lt_u (global.get $n) (local.get $limit)))))
    (func $rec (export "recurse") (call $rec))
    (func (export "spin") (loop (br 0))))"#;

fn setup(config: Config) -> (Store<()>, epsilon::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, COUNTER).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn fuel_config() -> Config {
    let mut config = Config::default();
    config.consume_fuel(true);
    config
}

#[test]
fn running_out_of_fuel_traps_deterministically_and_refuelling_resumes() {
    let mut stops = Vec::new();
    for _ in 0..2 {
        let (mut store, instance) = setup(fuel_config());
        store.set_fuel(10_000).unwrap();
        let count = instance.get_typed_func::<i64, ()>(&store, "count").unwrap();
        let err = count.call(&mut store, i64::MAX).unwrap_err();
        assert_eq!(err.trap_kind(), Some(TrapKind::OutOfFuel));
        let n = instance.get_global(&store, "n").unwrap().get(&store).unwrap().i64().unwrap();
        assert!(n > 100, "made progress before stopping: {n}");
        stops.push(n);
        // Refuel: the store is usable again.
        store.set_fuel(1_000_000).unwrap();
        count.call(&mut store, n + 10).unwrap();
        assert_eq!(instance.get_global(&store, "n").unwrap().get(&store).unwrap().i64(), Some(n + 10));
    }
    assert_eq!(stops[0], stops[1], "same program, same fuel, same stopping point");
}

#[test]
fn fuel_is_consumed_and_reported() {
    let (mut store, instance) = setup(fuel_config());
    store.set_fuel(1_000_000).unwrap();
    let count = instance.get_typed_func::<i64, ()>(&store, "count").unwrap();
    count.call(&mut store, 100).unwrap();
    let left = store.get_fuel().unwrap();
    assert!(left < 1_000_000 && left > 1_000_000 - 10_000, "{left}");
}

#[test]
fn fuel_api_requires_the_config_switch() {
    let (mut store, _) = setup(Config::default());
    assert_eq!(store.set_fuel(1).unwrap_err().kind(), ErrorKind::Usage);
    assert!(store.get_fuel().is_err());
}

#[test]
fn recursion_without_fuel_stops_too() {
    let (mut store, instance) = setup(fuel_config());
    store.set_fuel(500).unwrap();
    let rec = instance.get_typed_func::<(), ()>(&store, "recurse").unwrap();
    assert_eq!(rec.call(&mut store, ()).unwrap_err().trap_kind(), Some(TrapKind::OutOfFuel));
}

fn interruptible() -> Config {
    let mut config = Config::default();
    config.interruptible(true);
    config
}

#[test]
fn a_deadline_stops_an_infinite_loop_and_the_store_stays_usable() {
    let (mut store, instance) = setup(interruptible());
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let started = Instant::now();
    store.set_timeout(Duration::from_millis(30));
    let err = spin.call(&mut store, ()).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::Interrupted));
    assert!(started.elapsed() < Duration::from_secs(10));
    store.set_deadline(None);
    let count = instance.get_typed_func::<i64, ()>(&store, "count").unwrap();
    count.call(&mut store, 5).unwrap();
    assert_eq!(instance.get_global(&store, "n").unwrap().get(&store).unwrap().i64(), Some(5));
}

#[test]
fn a_deadline_stops_unbounded_recursion_at_function_entry() {
    let mut config = interruptible();
    config.max_call_depth(usize::MAX / 2).max_value_stack(usize::MAX / 2);
    let (mut store, instance) = setup(config);
    let rec = instance.get_typed_func::<(), ()>(&store, "recurse").unwrap();
    store.set_timeout(Duration::from_millis(30));
    let err = rec.call(&mut store, ()).unwrap_err();
    assert!(matches!(err.trap_kind(), Some(TrapKind::Interrupted | TrapKind::CallStackExhausted)), "{err}");
}

#[test]
fn an_interrupt_handle_works_from_another_thread() {
    let (mut store, instance) = setup(interruptible());
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let handle = store.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        handle.interrupt();
    });
    assert_eq!(spin.call(&mut store, ()).unwrap_err().trap_kind(), Some(TrapKind::Interrupted));
    t.join().unwrap();
}

#[test]
fn an_interrupt_with_no_call_running_is_dropped() {
    let (mut store, instance) = setup(interruptible());
    store.interrupt_handle().interrupt();
    // A call without a loop, then one with: neither sees the stale request.
    let count = instance.get_typed_func::<i64, ()>(&store, "count").unwrap();
    count.call(&mut store, 1000).unwrap();
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    let started = Instant::now();
    store.set_timeout(Duration::from_millis(100));
    assert_eq!(spin.call(&mut store, ()).unwrap_err().trap_kind(), Some(TrapKind::Interrupted));
    assert!(started.elapsed() >= Duration::from_millis(100), "stopped by the stale interrupt");
}

#[test]
fn an_interrupt_the_running_call_did_not_see_does_not_carry_over() {
    let mut config = interruptible();
    config.max_call_depth(1000);
    let engine = Engine::new(config);
    let module = Module::new(
        &engine,
        r#"(module (import "host" "poke" (func $poke))
             (func (export "poke") (call $poke))
             (func (export "count") (param i32) (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let handle = store.interrupt_handle();
    let mut linker = Linker::new(&engine);
    // Requested while the call runs, after its last check: the call returns normally.
    linker.func_wrap("host", "poke", move |_: epsilon::Caller<'_, ()>| handle.interrupt()).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    instance.get_typed_func::<(), ()>(&store, "poke").unwrap().call(&mut store, ()).unwrap();
    let count = instance.get_typed_func::<i32, ()>(&store, "count").unwrap();
    count.call(&mut store, 100_000).unwrap();
}

#[test]
fn an_interrupt_requested_by_a_host_function_stops_the_running_call() {
    let engine = Engine::new(interruptible());
    let module = Module::new(
        &engine,
        r#"(module (import "host" "poke" (func $poke))
             (func (export "run") (call $poke) (loop (br 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let handle = store.interrupt_handle();
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "poke", move |_: epsilon::Caller<'_, ()>| handle.interrupt()).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), ()>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap_err().trap_kind(), Some(TrapKind::Interrupted));
}

#[test]
fn a_cleared_deadline_never_fires() {
    let (mut store, instance) = setup(interruptible());
    store.set_timeout(Duration::from_millis(5));
    store.set_deadline(None);
    std::thread::sleep(Duration::from_millis(30));
    let count = instance.get_typed_func::<i64, ()>(&store, "count").unwrap();
    count.call(&mut store, 1000).unwrap();
}

#[test]
fn instance_limits_cap_declared_and_imported_memories() {
    use epsilon::{InstanceLimits, Memory, MemoryType};
    let engine = Engine::default();
    let grow = r#"(module (memory (export "m") 2)
        (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#;
    let module = Module::new(&engine, grow).unwrap();
    let mut store = Store::new(&engine, ());
    let linker = Linker::new(&engine);
    let limits = InstanceLimits { max_memory_pages: Some(4), ..Default::default() };
    let instance = linker.instantiate_with_limits(&mut store, &module, limits).unwrap();
    let g = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(g.call(&mut store, 2).unwrap(), 2);
    assert_eq!(g.call(&mut store, 1).unwrap(), -1, "grow beyond the ceiling returns -1");

    let too_small = InstanceLimits { max_memory_pages: Some(1), ..Default::default() };
    let err = linker.instantiate_with_limits(&mut store, &module, too_small).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Instantiation);
    assert!(err.to_string().contains("exceeds the limit of 1 pages"), "{err}");

    let importer = Module::new(&engine, r#"(module (import "h" "m" (memory 1)))"#).unwrap();
    let memory = Memory::new(&mut store, MemoryType::new(3, None)).unwrap();
    let mut linker = Linker::new(&engine);
    linker.define("h", "m", memory).unwrap();
    let err = linker.instantiate_with_limits(&mut store, &importer, too_small).unwrap_err();
    assert!(err.to_string().contains("imported memory of 3 pages"), "{err}");
    linker.instantiate_with_limits(&mut store, &importer, limits).unwrap();
    assert!(memory.grow(&mut store, 2).is_err(), "the imported memory is now capped at 4 pages");
    assert_eq!(memory.grow(&mut store, 1).unwrap(), 3);
}

#[test]
fn engine_ceilings_refuse_large_minimums() {
    let mut config = Config::default();
    config.max_memory_pages(10).max_table_elements(100);
    let engine = Engine::new(config);
    let mut store = Store::new(&engine, ());
    let linker = Linker::new(&engine);
    let big_memory = Module::new(&engine, "(module (memory 11))").unwrap();
    let err = linker.instantiate(&mut store, &big_memory).unwrap_err();
    assert!(err.to_string().contains("memory minimum of 11 pages exceeds the limit of 10 pages"), "{err}");
    let big_table = Module::new(&engine, "(module (table 101 funcref))").unwrap();
    assert_eq!(linker.instantiate(&mut store, &big_table).unwrap_err().kind(), ErrorKind::Instantiation);
    // A declared 4 GiB memory is refused clearly instead of being allocated.
    let huge = Module::new(&engine, "(module (memory 65536))").unwrap();
    assert!(linker.instantiate(&mut store, &huge).is_err());
}

#[test]
fn an_interrupt_callback_can_poll_and_resume_then_stop() {
    use epsilon::InterruptAction;
    let (mut store, instance) = setup(interruptible());
    let polls = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let seen = polls.clone();
    store.set_interrupt_callback(Some(Box::new(move |handle| {
        // Resume twice, re-arming a short deadline each time, then stop.
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) < 2 {
            handle.set_deadline(Some(Instant::now() + Duration::from_millis(5)));
            InterruptAction::Continue
        } else {
            InterruptAction::Trap
        }
    })));
    store.set_timeout(Duration::from_millis(5));
    let spin = instance.get_typed_func::<(), ()>(&store, "spin").unwrap();
    assert_eq!(spin.call(&mut store, ()).unwrap_err().trap_kind(), Some(TrapKind::Interrupted));
    assert_eq!(polls.load(std::sync::atomic::Ordering::SeqCst), 3);
}

#[test]
fn a_pinned_memory_keeps_its_address_while_growing() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 1 8)
            (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let memory = instance.get_memory(&store, "m").unwrap();
    memory.pin(&mut store).unwrap();
    let before = memory.data_ptr(&mut store).unwrap();
    let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, 7).unwrap(), 1);
    assert_eq!(memory.data_ptr(&mut store).unwrap(), before, "pinned bytes never move");
    assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "the maximum still holds");
    memory.unpin(&mut store).unwrap();
}

/// Resident memory of this process in KiB (Linux).
#[cfg(target_os = "linux")]
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_declared_4_gib_memory_is_not_allocated_until_used() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module (memory (export "m") 65535)
            (func (export "poke") (param i32) (i32.store8 (local.get 0) (i32.const 1)))
            (func (export "grow") (result i32) (memory.grow (i32.const 1))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let before = resident_kib();
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let poke = instance.get_typed_func::<i32, ()>(&store, "poke").unwrap();
    poke.call(&mut store, 0).unwrap();
    let grow = instance.get_typed_func::<(), i32>(&store, "grow").unwrap();
    assert_eq!(grow.call(&mut store, ()).unwrap(), 65535);
    poke.call(&mut store, -2).unwrap(); // the last-but-one byte of 4 GiB
    let grown = resident_kib();
    assert!(grown - before < 64 * 1024, "resident memory grew by {} KiB", grown - before);
    let memory = instance.get_memory(&store, "m").unwrap();
    assert_eq!(memory.data_size(&store).unwrap(), 65536 * 65536);
    assert_eq!(memory.data(&store).unwrap()[0], 1);
    assert_eq!(memory.data(&store).unwrap()[65536 * 65536 - 2], 1);
    assert_eq!(memory.data(&store).unwrap()[65536 * 65536 - 1], 0);
}

/// A `while` loop: the exit test first, the back edge last.
const WHILE_LOOP: &str = r#"(module
    (func (export "sum") (param $n i32) (result i64)
      (local $i i32) (local $acc i64)
      (block $done
        (loop $next
          (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
          (local.set $acc (i64.add (local.get $acc) (i64.extend_i32_u (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $next)))
      (local.get $acc))
    (func (export "forever")
      (local $i i64)
      (loop $next
        (br_if 1 (i64.eq (local.get $i) (i64.const -1)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next))))"#;

/// Fuel used by one call of `sum(n)`.
fn fuel_of_sum(store: &mut Store<()>, instance: &epsilon::Instance, n: i32) -> u64 {
    let sum = instance.get_typed_func::<i32, i64>(&*store, "sum").unwrap();
    store.set_fuel(1_000_000).unwrap();
    let expected: i64 = (0..i64::from(n)).sum();
    assert_eq!(sum.call(&mut *store, n).unwrap(), expected);
    1_000_000 - store.get_fuel().unwrap()
}

#[test]
fn a_while_loop_under_fuel_is_rotated_and_charged_per_iteration() {
    let engine = Engine::new(fuel_config());
    let module = Module::new(&engine, WHILE_LOOP).unwrap();
    // The back edge is the loop's inverted exit test (no unconditional jump back to the head
    // and its test), as without fuel.
    let listing = module.disassemble();
    let sum = listing.split("func 1:").next().unwrap();
    let back_jumps = sum.lines().filter(|l| l.contains("Br {") && l.contains("offset: -"));
    assert_eq!(back_jumps.count(), 0, "{listing}");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    // Every iteration pays the same: the ops it runs.
    let (f0, f100, f200) = (
        fuel_of_sum(&mut store, &instance, 0),
        fuel_of_sum(&mut store, &instance, 100),
        fuel_of_sum(&mut store, &instance, 200),
    );
    let per_iteration = (f200 - f100) / 100;
    assert_eq!(f200 - f100, f100 - f0, "fuel {f0}, {f100}, {f200}");
    assert!((2..=6).contains(&per_iteration), "{per_iteration} units per iteration");
}

#[test]
fn a_rotated_loop_that_never_ends_runs_out_of_fuel() {
    let mut config = fuel_config();
    config.interruptible(true);
    let engine = Engine::new(config);
    let module = Module::new(&engine, WHILE_LOOP).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let forever = instance.get_typed_func::<(), ()>(&store, "forever").unwrap();
    store.set_fuel(100_000).unwrap();
    // The timeout only keeps a broken build from hanging the test run.
    store.set_timeout(Duration::from_secs(20));
    let err = forever.call(&mut store, ()).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::OutOfFuel), "{err}");
}

#[test]
fn each_iteration_of_a_loop_pays_its_charge_once() {
    // `count` is a loop closed by a conditional branch back to its head: with fuel, the head
    // holds the loop's charge, which the threaded backend's branch takes itself (the portable
    // one runs it as an op). Either way an iteration costs exactly the charge.
    let (mut store, instance) = setup(fuel_config());
    let count = instance.get_typed_func::<i64, ()>(&store, "count").unwrap();
    let n = instance.get_global(&store, "n").unwrap();
    let engine = Engine::new(fuel_config());
    let listing = Module::new(&engine, COUNTER).unwrap().disassemble();
    let count_code = listing.split("func 1:").next().unwrap();
    let charges: Vec<u64> = count_code
        .lines()
        .filter_map(|l| l.split("ConsumeFuel { amount: ").nth(1))
        .map(|rest| rest.trim_end_matches(" }").parse().unwrap())
        .collect();
    let [_entry, per_iteration] = charges[..] else { panic!("{count_code}") };
    let mut used = |limit: i64| {
        n.set(&mut store, epsilon::Val::I64(0)).unwrap();
        store.set_fuel(1_000_000).unwrap();
        count.call(&mut store, limit).unwrap();
        1_000_000 - store.get_fuel().unwrap()
    };
    let (hundred, two_hundred) = (used(100), used(200));
    assert_eq!(two_hundred - hundred, 100 * per_iteration, "{hundred} then {two_hundred}");
}
