//! Tail calls (`return_call`, `return_call_indirect`): constant call-stack depth, host callees,
//! calls across instances, fuel and interruption.

use epsilon::{Caller, Config, Engine, Error, Linker, Module, Store, TrapKind};
use std::time::{Duration, Instant};

/// `even`/`odd` by mutual tail recursion, directly and through a table; `spin` tail-calls
/// itself for ever.
const EVEN_ODD: &str = r#"(module
    (type $pred (func (param i64) (result i32)))
    (table funcref (elem $even $odd))
    (func $even (export "even") (param $n i64) (result i32)
      (if (result i32) (i64.eqz (local.get $n))
        (then (i32.const 1))
        (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))))))
    (func $odd (export "odd") (param $n i64) (result i32)
      (if (result i32) (i64.eqz (local.get $n))
        (then (i32.const 0))
        (else (return_call $even (i64.sub (local.get $n) (i64.const 1))))))
    (func $even_ind (export "even_indirect") (param $n i64) (result i32)
      (if (result i32) (i64.eqz (local.get $n))
        (then (i32.const 1))
        (else (return_call_indirect (type $pred) (i64.sub (local.get $n) (i64.const 1)) (i32.const 1)))))
    (func $spin (export "spin") (param $n i64) (result i32)
      (return_call $spin (i64.add (local.get $n) (i64.const 1)))))"#;

fn setup(config: Config, wat: &str) -> (Store<()>, epsilon::Instance) {
    let engine = Engine::new(config);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (store, instance)
}

/// A configuration where even 20 nested calls exhaust the call stack.
fn shallow() -> Config {
    let mut config = Config::default();
    config.max_call_depth(20);
    config
}

#[test]
fn ten_million_mutual_tail_calls_run_in_constant_call_depth() {
    let (mut store, instance) = setup(shallow(), EVEN_ODD);
    let even = instance.get_typed_func::<i64, i32>(&store, "even").unwrap();
    let odd = instance.get_typed_func::<i64, i32>(&store, "odd").unwrap();
    assert_eq!(even.call(&mut store, 10_000_000).unwrap(), 1);
    assert_eq!(odd.call(&mut store, 10_000_000).unwrap(), 0);
    assert_eq!(even.call(&mut store, 10_000_001).unwrap(), 0);
    let even_indirect = instance.get_typed_func::<i64, i32>(&store, "even_indirect").unwrap();
    assert_eq!(even_indirect.call(&mut store, 1_000_000).unwrap(), 1);
}

#[test]
fn ordinary_calls_do_exhaust_the_shallow_call_stack() {
    // The control for the test above: the same recursion with `call` traps at depth 20.
    let wat = EVEN_ODD.replace("return_call $", "call $");
    let (mut store, instance) = setup(shallow(), &wat);
    let even = instance.get_typed_func::<i64, i32>(&store, "even").unwrap();
    let err = even.call(&mut store, 1000).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::CallStackExhausted));
}

#[test]
fn return_call_indirect_checks_the_element_and_type() {
    let wat = r#"(module
        (type $v (func (result i32)))
        (type $i (func (param i32) (result i32)))
        (table funcref (elem $seven $id))
        (func $seven (result i32) (i32.const 7))
        (func $id (param i32) (result i32) (local.get 0))
        (func (export "call") (param i32) (result i32) (return_call_indirect (type $v) (local.get 0)))
        (func (export "call1") (param i32) (result i32)
          (return_call_indirect (type $i) (i32.const 42) (local.get 0))))"#;
    let (mut store, instance) = setup(Config::default(), wat);
    let call = instance.get_typed_func::<i32, i32>(&store, "call").unwrap();
    let call1 = instance.get_typed_func::<i32, i32>(&store, "call1").unwrap();
    assert_eq!(call.call(&mut store, 0).unwrap(), 7);
    assert_eq!(call1.call(&mut store, 1).unwrap(), 42);
    let err = call.call(&mut store, 1).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::IndirectCallTypeMismatch));
    let err = call.call(&mut store, 2).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::UndefinedElement));
}

#[test]
fn tail_calls_to_host_functions_return_their_results() {
    let wat = r#"(module
        (import "env" "pair" (func $pair (param i32) (result i32 i64)))
        (import "env" "count" (func $count (param i64) (result i64)))
        (type $c (func (param i64) (result i64)))
        (table funcref (elem $count))
        (func $inner (param i32) (result i32 i64)
          (return_call $pair (i32.add (local.get 0) (i32.const 1))))
        (func (export "pair") (param i32) (result i64)
          (local i32 i64)
          (call $inner (local.get 0))
          (local.set 2)
          (local.set 1)
          (i64.add (i64.extend_i32_u (local.get 1)) (local.get 2)))
        (func (export "count") (param i64) (result i64)
          (return_call_indirect (type $c) (local.get 0) (i32.const 0)))
        (func (export "count_direct") (param i64) (result i64)
          (return_call $count (local.get 0))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "pair", |_: Caller<'_, ()>, x: i32| (x * 2, i64::from(x) << 32)).unwrap();
    linker
        .func_wrap("env", "count", |_: Caller<'_, ()>, x: i64| -> Result<i64, Error> { Ok(x + 1) })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let pair = instance.get_typed_func::<i32, i64>(&store, "pair").unwrap();
    assert_eq!(pair.call(&mut store, 4).unwrap(), 10 + (5 << 32));
    let count = instance.get_typed_func::<i64, i64>(&store, "count").unwrap();
    assert_eq!(count.call(&mut store, 41).unwrap(), 42);
    let count_direct = instance.get_typed_func::<i64, i64>(&store, "count_direct").unwrap();
    assert_eq!(count_direct.call(&mut store, -1).unwrap(), 0);
}

#[test]
fn tail_calls_across_instances_return_to_the_right_instance() {
    let engine = Engine::new(shallow());
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    // Each module's `dec` reads its own memory, so a wrong running instance shows.
    let a = r#"(module
        (import "b" "step" (func $step (param i64) (result i64)))
        (memory 1) (data (i32.const 0) "\01")
        (func (export "step") (param $n i64) (result i64)
          (if (result i64) (i64.eqz (local.get $n)) (then (i64.load8_u (i32.const 0)))
            (else (return_call $step (i64.sub (local.get $n) (i64.const 1)))))))"#;
    let b = r#"(module (memory 1) (data (i32.const 0) "\02")
        (func $self (export "step") (param $n i64) (result i64)
          (if (result i64) (i64.eqz (local.get $n)) (then (i64.load8_u (i32.const 0)))
            (else (return_call $self (i64.sub (local.get $n) (i64.const 1)))))))"#;
    let b = linker.instantiate(&mut store, &Module::new(&engine, b).unwrap()).unwrap();
    linker.instance(&mut store, "b", b).unwrap();
    let a = linker.instantiate(&mut store, &Module::new(&engine, a).unwrap()).unwrap();
    let a_step = a.get_typed_func::<i64, i64>(&store, "step").unwrap();
    assert_eq!(a_step.call(&mut store, 0).unwrap(), 1);
    assert_eq!(a_step.call(&mut store, 100_000).unwrap(), 2);
    // Called from a frame of `a`: the tail call into `b` returns to `a`'s function.
    let caller = r#"(module
        (import "b" "step" (func $step (param i64) (result i64)))
        (memory 1) (data (i32.const 0) "\03")
        (func $t (param i64) (result i64) (return_call $step (local.get 0)))
        (func (export "f") (result i64)
          (i64.add (call $t (i64.const 10)) (i64.load8_u (i32.const 0)))))"#;
    let c = linker.instantiate(&mut store, &Module::new(&engine, caller).unwrap()).unwrap();
    let f = c.get_typed_func::<(), i64>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 5);
}

#[test]
fn fuel_runs_out_in_an_endless_tail_call_loop() {
    let mut config = shallow();
    config.consume_fuel(true);
    let mut stops = Vec::new();
    for _ in 0..2 {
        let (mut store, instance) = setup(config.clone(), EVEN_ODD);
        store.set_fuel(1_000_000).unwrap();
        let spin = instance.get_typed_func::<i64, i32>(&store, "spin").unwrap();
        let err = spin.call(&mut store, 0).unwrap_err();
        assert_eq!(err.trap_kind(), Some(TrapKind::OutOfFuel));
        store.set_fuel(1_000_000).unwrap();
        let even = instance.get_typed_func::<i64, i32>(&store, "even").unwrap();
        assert_eq!(even.call(&mut store, 1000).unwrap(), 1);
        stops.push(store.get_fuel().unwrap());
    }
    assert_eq!(stops[0], stops[1]);
}

#[test]
fn a_deadline_stops_an_endless_tail_call_loop() {
    let mut config = shallow();
    config.interruptible(true);
    let (mut store, instance) = setup(config, EVEN_ODD);
    store.set_deadline(Some(Instant::now() + Duration::from_millis(50)));
    let spin = instance.get_typed_func::<i64, i32>(&store, "spin").unwrap();
    let err = spin.call(&mut store, 0).unwrap_err();
    assert_eq!(err.trap_kind(), Some(TrapKind::Interrupted));
    store.set_deadline(None);
    let even = instance.get_typed_func::<i64, i32>(&store, "even").unwrap();
    assert_eq!(even.call(&mut store, 10).unwrap(), 1);
}

#[test]
fn lazy_translation_translates_tail_callees() {
    let mut config = shallow();
    config.lazy_translation(true);
    let (mut store, instance) = setup(config, EVEN_ODD);
    let even_indirect = instance.get_typed_func::<i64, i32>(&store, "even_indirect").unwrap();
    assert_eq!(even_indirect.call(&mut store, 1001).unwrap(), 0);
}

#[test]
fn tail_calls_to_dynamic_host_functions_that_reenter_wasm() {
    // `down(n)` tail-calls the host, which calls `down(n - 1)` again: 30 nested re-entries,
    // each returning a v128 (two cells) through the tail call's result return.
    let wat = r#"(module
        (import "env" "host" (func $host (param i64) (result v128 i64)))
        (func $down (export "down") (param $n i64) (result v128 i64)
          (if (result v128 i64) (i64.eqz (local.get $n))
            (then (v128.const i64x2 7 9) (i64.const 0))
            (else (return_call $host (local.get $n))))))"#;
    let engine = Engine::default();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    let ty = epsilon::FuncType::new([epsilon::ValType::I64], [epsilon::ValType::V128, epsilon::ValType::I64]);
    linker
        .func_new("env", "host", ty, |mut caller: Caller<'_, ()>, args, results| {
            let n = args[0].i64().unwrap();
            let down = caller.get_export("down").and_then(|e| e.into_func()).unwrap();
            let mut inner = [epsilon::Val::I64(0), epsilon::Val::I64(0)];
            down.call(&mut caller, &[epsilon::Val::I64(n - 1)], &mut inner)?;
            results[0] = inner[0];
            results[1] = epsilon::Val::I64(inner[1].i64().unwrap() + n);
            Ok(())
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let down = instance.get_func(&store, "down").unwrap();
    let mut out = [epsilon::Val::I64(0), epsilon::Val::I64(0)];
    down.call(&mut store, &[epsilon::Val::I64(30)], &mut out).unwrap();
    assert_eq!(out[0], epsilon::Val::V128(epsilon::V128::from_bits((9u128 << 64) | 7)));
    assert_eq!(out[1], epsilon::Val::I64(30 * 31 / 2));
}
