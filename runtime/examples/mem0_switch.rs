//! Times a memory-bound workload with the multi-memory switch on and off, alternating, to show
//! that memory 0's loads and stores do not depend on it:
//! `cargo run --release -p epsilon --example mem0_switch -- runtime/benches/workloads/memory_sum.wasm 20`.

fn time_once(wasm: &[u8], multi_memory: bool, arg: i32) -> (std::time::Duration, i64) {
    let mut config = epsilon::Config::default();
    config.multi_memory(multi_memory);
    let engine = epsilon::Engine::new(config);
    let module = epsilon::Module::new(&engine, wasm).expect("compiles");
    let mut store = epsilon::Store::new(&engine, ());
    let instance = epsilon::Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
    let run = instance.get_typed_func::<i32, i64>(&store, "run").expect("exports run");
    let start = std::time::Instant::now();
    let result = run.call(&mut store, arg).expect("runs");
    (start.elapsed(), result)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(arg)) = (args.get(1), args.get(2).and_then(|a| a.parse().ok())) else {
        eprintln!("usage: mem0_switch FILE.wasm ARG");
        std::process::exit(2);
    };
    let wasm = std::fs::read(path).expect("readable file");
    let (mut on, mut off) = (Vec::new(), Vec::new());
    for _ in 0..7 {
        let (t_on, r_on) = time_once(&wasm, true, arg);
        let (t_off, r_off) = time_once(&wasm, false, arg);
        assert_eq!(r_on, r_off);
        on.push(t_on);
        off.push(t_off);
    }
    on.sort();
    off.sort();
    println!(
        "multi-memory on: median {:?}; off: median {:?}; on/off = {:.3}",
        on[3],
        off[3],
        on[3].as_secs_f64() / off[3].as_secs_f64()
    );
}
