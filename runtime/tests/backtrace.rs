//! Wasm backtraces of traps and host errors (`Error::trace`): frames, names and code offsets.
//!
//! Expected offsets are not written down: they are found in the module binary with
//! wasmparser's operator reader, the instruction the frame must point at.

use epsilon::{Caller, Config, Engine, Error, ErrorKind, Extern, Linker, Module, Store, TrapKind};
use std::time::{Duration, Instant};
use wasmparser::{Operator, Parser, Payload};

/// The module offsets of the instructions of defined function `def` (0 = the first function
/// with a body) that satisfy `pick`, in order.
fn offsets(wasm: &[u8], def: usize, pick: impl Fn(&Operator<'_>) -> bool) -> Vec<usize> {
    let mut bodies = Parser::new(0).parse_all(wasm).filter_map(|p| match p.unwrap() {
        Payload::CodeSectionEntry(body) => Some(body),
        _ => None,
    });
    let body = bodies.nth(def).expect("function body");
    let mut reader = body.get_operators_reader().unwrap();
    let mut found = Vec::new();
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset().unwrap();
        if pick(&op) {
            found.push(offset as usize);
        }
    }
    found
}

/// The offset of the only instruction of function `def` that satisfies `pick`.
fn offset(wasm: &[u8], def: usize, pick: impl Fn(&Operator<'_>) -> bool) -> usize {
    let found = offsets(wasm, def, pick);
    assert_eq!(found.len(), 1, "exactly one such instruction in function {def}");
    found[0]
}

fn is_call(op: &Operator<'_>) -> bool {
    matches!(op, Operator::Call { .. })
}

/// `(func_index, func_name, module_offset)` of each frame.
fn frames(error: &Error) -> Vec<(u32, Option<String>, Option<usize>)> {
    error
        .trace()
        .frames()
        .iter()
        .map(|f| (f.func_index(), f.func_name().map(String::from), f.module_offset()))
        .collect()
}

const CHAIN: &str = r#"(module $chain
    (func $outer (export "outer") (param i32) (result i32)
      (i32.add (i32.const 1) (call $middle (local.get 0))))
    (func $middle (param i32) (result i32)
      (i32.mul (i32.const 3) (call $div (i32.const 10) (local.get 0))))
    (func $div (param i32 i32) (result i32)
      (i32.div_s (local.get 0) (local.get 1))))"#;

fn run_chain(config: &Config) -> (Vec<u8>, Error) {
    let wasm = wat::parse_str(CHAIN).unwrap();
    let engine = Engine::new(config.clone());
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    // Refused without `consume_fuel`.
    let _ = store.set_fuel(1_000_000);
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let outer = instance.get_typed_func::<i32, i32>(&store, "outer").unwrap();
    assert_eq!(outer.call(&mut store, 2).unwrap(), 16, "no trap, no frames needed");
    let error = outer.call(&mut store, 0).unwrap_err();
    (wasm, error)
}

fn check_chain(wasm: &[u8], error: &Error) {
    assert_eq!(error.trap_kind(), Some(TrapKind::IntegerDivideByZero));
    let div = offset(wasm, 2, |op| matches!(op, Operator::I32DivS));
    let call_div = offset(wasm, 1, is_call);
    let call_middle = offset(wasm, 0, is_call);
    assert_eq!(
        frames(error),
        vec![
            (2, Some("div".into()), Some(div)),
            (1, Some("middle".into()), Some(call_div)),
            (0, Some("outer".into()), Some(call_middle)),
        ]
    );
    let top = &error.trace().frames()[0];
    assert_eq!(top.module_name(), Some("chain"));
    assert!(top.func_offset().unwrap() > 0 && top.func_offset().unwrap() < div);
    assert_eq!(error.to_string(), "wasm trap: integer divide by zero", "Display stays one line");
    let expected = format!(
        "wasm trap: integer divide by zero\nwasm backtrace:\n    0: {div:>#6x} - chain!div\n    1: {call_div:>#6x} - chain!middle\n    2: {call_middle:>#6x} - chain!outer"
    );
    assert_eq!(format!("{error:#}"), expected);
}

#[test]
fn a_trap_three_calls_deep_has_three_frames() {
    let (wasm, error) = run_chain(&Config::new());
    check_chain(&wasm, &error);
}

#[test]
fn lazy_translation_gives_the_same_frames() {
    let (wasm, error) = run_chain(Config::new().lazy_translation(true));
    check_chain(&wasm, &error);
}

#[test]
fn fuel_and_interrupt_checks_do_not_change_the_frames() {
    let (wasm, error) = run_chain(Config::new().consume_fuel(true).interruptible(true));
    check_chain(&wasm, &error);
}

#[test]
fn unreachable_in_a_module_without_names() {
    let wasm = wat::parse_str(
        r#"(module
            (import "env" "f" (func))
            (func (export "run") (call 2))
            (func unreachable))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("env", "f", |_: Caller<'_, ()>| {}).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let error = instance.get_typed_func::<(), ()>(&store, "run").unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::Unreachable));
    // Function indices count the import.
    let unreachable = offset(&wasm, 1, |op| matches!(op, Operator::Unreachable));
    assert_eq!(
        frames(&error),
        vec![(2, None, Some(unreachable)), (1, None, Some(offset(&wasm, 0, is_call)))]
    );
    assert!(
        error
            .trace()
            .to_string()
            .starts_with(&format!("    0: {unreachable:>#6x} - <unknown>!<wasm function 2>")),
        "{}",
        error.trace()
    );
}

#[test]
fn memory_and_table_traps_point_at_their_instruction() {
    let wasm = wat::parse_str(
        r#"(module
            (memory 1)
            (table 2 funcref)
            (type $t (func (result i32)))
            (func $load (export "load") (param i32) (result i32)
              (i32.load offset=4 (i32.add (local.get 0) (i32.const 8))))
            (func $indirect (export "indirect") (param i32) (result i32)
              (call_indirect (type $t) (local.get 0)))
            (func $fill (export "fill") (param i32)
              (memory.fill (local.get 0) (i32.const 0) (i32.const 16))))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let load = instance.get_typed_func::<i32, i32>(&store, "load").unwrap();
    let error = load.call(&mut store, 65_530).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    let at = offset(&wasm, 0, |op| matches!(op, Operator::I32Load { .. }));
    assert_eq!(frames(&error), vec![(0, Some("load".into()), Some(at))]);

    let indirect = instance.get_typed_func::<i32, i32>(&store, "indirect").unwrap();
    let error = indirect.call(&mut store, 1).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::UninitializedElement));
    let at = offset(&wasm, 1, |op| matches!(op, Operator::CallIndirect { .. }));
    assert_eq!(frames(&error), vec![(1, Some("indirect".into()), Some(at))]);

    let fill = instance.get_typed_func::<i32, ()>(&store, "fill").unwrap();
    let error = fill.call(&mut store, 65_530).unwrap_err();
    let at = offset(&wasm, 2, |op| matches!(op, Operator::MemoryFill { .. }));
    assert_eq!(frames(&error), vec![(2, Some("fill".into()), Some(at))]);
}

const REENTRY: &str = r#"(module
    (import "env" "callback" (func $callback (param i32) (result i32)))
    (func $run (export "run") (param i32) (result i32)
      (call $callback (local.get 0)))
    (func $inner (export "inner") (param i32) (result i32)
      (if (i32.eqz (local.get 0)) (then unreachable))
      (local.get 0)))"#;

#[test]
fn a_trap_in_wasm_called_back_by_a_host_function_has_both_wasm_activations() {
    let wasm = wat::parse_str(REENTRY).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "callback", |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Error> {
            let inner = caller.get_export("inner").and_then(Extern::into_func).unwrap();
            inner.typed::<i32, i32>(&caller)?.call(&mut caller, x)
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 5);
    let error = run.call(&mut store, 0).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::Unreachable));
    let unreachable = offset(&wasm, 1, |op| matches!(op, Operator::Unreachable));
    assert_eq!(
        frames(&error),
        vec![
            (2, Some("inner".into()), Some(unreachable)),
            (1, Some("run".into()), Some(offset(&wasm, 0, is_call)))
        ]
    );
}

#[test]
fn a_host_error_carries_the_frames_of_its_call() {
    let wasm = wat::parse_str(REENTRY).unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap("env", "callback", |_: Caller<'_, ()>, _: i32| -> Result<i32, Error> {
            Err(Error::host_message("refused"))
        })
        .unwrap();
    let mut store = Store::new(&engine, ());
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let error = instance.get_typed_func::<i32, i32>(&store, "run").unwrap().call(&mut store, 1).unwrap_err();
    assert_eq!((error.kind(), error.message()), (ErrorKind::Host, "refused"));
    assert_eq!(frames(&error), vec![(1, Some("run".into()), Some(offset(&wasm, 0, is_call)))]);
}

#[test]
fn errors_outside_wasm_have_no_frames() {
    let engine = Engine::default();
    let error = Module::new(&engine, "(module (func (result i32)))").unwrap_err();
    assert!(error.trace().is_empty());
    assert_eq!(format!("{error:#}"), error.to_string());
}

#[test]
fn a_trap_in_the_start_function_has_frames() {
    let wasm = wat::parse_str(
        r#"(module (func $start (call $boom)) (func $boom (drop (i32.div_u (i32.const 1) (i32.const 0)))) (start $start))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let error = Linker::new(&engine).instantiate(&mut store, &module).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::IntegerDivideByZero));
    let div = offset(&wasm, 1, |op| matches!(op, Operator::I32DivU));
    assert_eq!(
        frames(&error),
        vec![(1, Some("boom".into()), Some(div)), (0, Some("start".into()), Some(offset(&wasm, 0, is_call)))]
    );
}

#[test]
fn running_out_of_fuel_and_interrupts_stop_in_the_loop() {
    let wasm = wat::parse_str(
        r#"(module
            (func $spin (export "spin") (loop $l (br $l)))
            (func (export "run") (call $spin)))"#,
    )
    .unwrap();
    let engine = Engine::new(Config::new().consume_fuel(true).interruptible(true).clone());
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), ()>(&store, "run").unwrap();
    // Where the loop body starts: the instruction after `loop`, or the `loop` itself (whose
    // fuel charge starts the block).
    let spin: Vec<usize> = offsets(&wasm, 0, |op| matches!(op, Operator::Loop { .. } | Operator::Br { .. }));
    let call = offset(&wasm, 1, is_call);

    store.set_fuel(1000).unwrap();
    let error = run.call(&mut store, ()).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::OutOfFuel));
    let f = frames(&error);
    assert_eq!(f.len(), 2);
    assert_eq!((f[0].0, f[0].1.as_deref()), (0, Some("spin")));
    assert!(spin.contains(&f[0].2.unwrap()), "{f:?} vs {spin:?}");
    assert_eq!(f[1], (1, None, Some(call)));

    store.set_fuel(u64::MAX).unwrap();
    store.set_deadline(Some(Instant::now() + Duration::from_millis(20)));
    let error = run.call(&mut store, ()).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::Interrupted));
    let f = frames(&error);
    assert_eq!(f.len(), 2);
    assert!(spin.contains(&f[0].2.unwrap()), "{f:?} vs {spin:?}");
    assert_eq!(f[1], (1, None, Some(call)));
}

#[test]
fn call_stack_exhaustion_keeps_the_innermost_frames() {
    let wasm = wat::parse_str(r#"(module (func $rec (export "rec") (call $rec)))"#).unwrap();
    let engine = Engine::new(Config::new().max_call_depth(5000).clone());
    let module = Module::new(&engine, &wasm).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let error = instance.get_typed_func::<(), ()>(&store, "rec").unwrap().call(&mut store, ()).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::CallStackExhausted));
    let trace = error.trace();
    assert_eq!(trace.frames().len(), epsilon::MAX_BACKTRACE_FRAMES);
    assert_eq!(trace.frames().len() + trace.omitted_frames(), 5000);
    let call = offset(&wasm, 0, is_call);
    assert!(frames(&error).iter().all(|f| *f == (0, Some("rec".into()), Some(call))));
    assert!(
        trace.to_string().ends_with(&format!("... {} more frames", 5000 - epsilon::MAX_BACKTRACE_FRAMES))
    );
}

/// The memory the offset tables take next to the ops they describe, on the module named by
/// `EPSILON_SIDE_TABLE_WASM` (run with `--ignored --nocapture`; the CHANGELOG has a figure).
#[test]
#[ignore = "a measurement: needs EPSILON_SIDE_TABLE_WASM"]
fn side_table_memory() {
    let path = std::env::var("EPSILON_SIDE_TABLE_WASM").expect("EPSILON_SIDE_TABLE_WASM names a .wasm file");
    let wasm = std::fs::read(&path).unwrap();
    let module = Module::new(&Engine::default(), &wasm).unwrap();
    let (ops, tables) = module.code_bytes();
    println!(
        "{path}: {} bytes of wasm, {ops} bytes of ops, {tables} bytes of offset tables ({:.1}% of the ops)",
        wasm.len(),
        100.0 * tables as f64 / ops as f64
    );
}

/// `x[p] += v` is one op (see `FuncTranslator::add_to_memory`); out of bounds, its frame points
/// at the load, the instruction that traps first, on every width.
#[test]
fn an_add_to_memory_in_place_traps_at_its_load() {
    let wasm = wat::parse_str(
        r#"(module
            (memory 1)
            (func (export "i32") (param $p i32)
              (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1))))
            (func (export "f64") (param $p i32) (param $v f64)
              (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (local.get $v)))))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let listing = module.disassemble();
    assert!(listing.contains("I32AddM0_si") && listing.contains("F64AddM0_ss"), "{listing}");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let i32_add = instance.get_typed_func::<i32, ()>(&store, "i32").unwrap();
    let error = i32_add.call(&mut store, 65533).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    let load = offset(&wasm, 0, |op| matches!(op, Operator::I32Load { .. }));
    assert_eq!(frames(&error), vec![(0, None, Some(load))]);
    let f64_add = instance.get_typed_func::<(i32, f64), ()>(&store, "f64").unwrap();
    let error = f64_add.call(&mut store, (65529, 1.0)).unwrap_err();
    let load = offset(&wasm, 1, |op| matches!(op, Operator::F64Load { .. }));
    assert_eq!(frames(&error), vec![(1, None, Some(load))]);
}

/// A load fused with the compare-and-branch that tests its value (`BrI32LtU_ls`) traps at
/// the load, not at the `br_if`.
#[test]
fn a_load_fused_into_its_branch_traps_at_the_load() {
    let wasm = wat::parse_str(
        r#"(module
            (memory 1)
            (func (export "scan") (param $p i32) (param $x i32) (result i32) (local $v i32)
              (loop $next
                (local.set $p (i32.add (local.get $p) (i32.const 4)))
                (br_if $next (i32.lt_u (local.tee $v (i32.load (local.get $p))) (local.get $x))))
              (local.get $p)))"#,
    )
    .unwrap();
    let engine = Engine::default();
    let module = Module::new(&engine, &wasm).unwrap();
    let listing = module.disassemble();
    assert!(listing.contains("BrI32LtU_ls"), "{listing}");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    let scan = instance.get_typed_func::<(i32, i32), i32>(&store, "scan").unwrap();
    let error = scan.call(&mut store, (65524, -1)).unwrap_err();
    assert_eq!(error.trap_kind(), Some(TrapKind::MemoryOutOfBounds));
    let load = offset(&wasm, 0, |op| matches!(op, Operator::I32Load { .. }));
    assert_eq!(frames(&error), vec![(0, None, Some(load))]);
}
