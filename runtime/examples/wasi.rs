//! Runs a WASI command with the host's standard streams; the exit status is its exit code.
//!
//! ```sh
//! cargo run -p epsilon --example wasi -- [--dir HOST::GUEST] [--dir-ro HOST::GUEST] [--env K=V] PROG.wasm [ARGS]...
//! ```

use epsilon::wasi::{self, WasiConfig};
use epsilon::{Engine, Module};

const USAGE: &str = "usage: wasi [--dir HOST::GUEST] [--dir-ro HOST::GUEST] [--env K=V] PROG.wasm [ARGS]...";

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("wasi: error: {e}");
            std::process::exit(2);
        }
    }
}

/// Runs the program; its exit code, or an error that names what failed (a file, a directory).
fn run() -> Result<i32, Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut config = WasiConfig::new().inherit_stdio();
    let program = loop {
        match args.next().as_deref() {
            Some(flag @ ("--dir" | "--dir-ro")) => {
                let spec = args.next().ok_or(USAGE)?;
                let (host, guest) = spec.split_once("::").unwrap_or((&spec, &spec));
                let opened = if flag == "--dir" {
                    config.preopen_dir(host, guest)
                } else {
                    config.preopen_dir_read_only(host, guest)
                };
                config = opened.map_err(|e| format!("{flag} {spec}: {e}"))?;
            }
            Some("--env") => {
                let spec = args.next().ok_or(USAGE)?;
                let (key, value) = spec.split_once('=').ok_or(USAGE)?;
                config = config.env(key, value);
            }
            Some(path) => break path.to_string(),
            None => return Err(USAGE.into()),
        }
    };
    // argv[0] is the module's file name.
    let name = std::path::Path::new(&program).file_name().map(|n| n.to_string_lossy().into_owned());
    config = config.arg(name.unwrap_or_else(|| program.clone())).args(args);
    let engine = Engine::default();
    let bytes = std::fs::read(&program).map_err(|e| format!("cannot read {program}: {e}"))?;
    let module = Module::new(&engine, bytes).map_err(|e| format!("{program}: {e}"))?;
    Ok(wasi::run(&module, config)?)
}
