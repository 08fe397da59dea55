//! Prints the IR epsilon translates a module into:
//! `cargo run -p epsilon --example disasm -- [--fuel] FILE` where FILE is a `.wasm` or `.wat`
//! module; `--fuel` shows the code as translated with fuel metering on.

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let fuel = args.iter().any(|a| a == "--fuel");
    args.retain(|a| a != "--fuel");
    let [path] = args.as_slice() else {
        eprintln!("usage: disasm [--fuel] FILE.wasm|FILE.wat");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    let mut config = epsilon::Config::default();
    config.consume_fuel(fuel);
    match epsilon::Module::new(&epsilon::Engine::new(config), &bytes) {
        Ok(module) => print!("{}", module.disassemble()),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
