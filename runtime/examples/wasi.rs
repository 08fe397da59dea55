//! Runs a WASI command with the host's standard streams; the exit status is its exit code.
//!
//! ```sh
//! cargo run -p epsilon --example wasi -- [--dir HOST::GUEST] [--dir-ro HOST::GUEST] [--env K=V] PROG.wasm [ARGS]...
//! ```

use epsilon::wasi::{self, WasiConfig};
use epsilon::{Engine, Module};

const USAGE: &str = "usage: wasi [--dir HOST::GUEST] [--dir-ro HOST::GUEST] [--env K=V] PROG.wasm [ARGS]...";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut config = WasiConfig::new().inherit_stdio();
    let program = loop {
        match args.next().as_deref() {
            Some(flag @ ("--dir" | "--dir-ro")) => {
                let spec = args.next().ok_or(USAGE)?;
                let (host, guest) = spec.split_once("::").unwrap_or((&spec, &spec));
                config = if flag == "--dir" {
                    config.preopen_dir(host, guest)?
                } else {
                    config.preopen_dir_read_only(host, guest)?
                };
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
    let module = Module::new(&engine, std::fs::read(&program)?)?;
    let code = wasi::run(&module, config)?;
    std::process::exit(code);
}
