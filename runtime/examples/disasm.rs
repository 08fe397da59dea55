//! Prints the IR epsilon translates a module into: `cargo run -p epsilon --example disasm -- FILE`
//! where FILE is a `.wasm` or `.wat` module.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: disasm FILE.wasm|FILE.wat");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("cannot read {path}: {e}");
            std::process::exit(1);
        }
    };
    match epsilon::Module::new(&epsilon::Engine::default(), &bytes) {
        Ok(module) => print!("{}", module.disassemble()),
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(1);
        }
    }
}
