//! Generates the IR from its one table and picks the dispatch backend.
//!
//! `build/isa.rs` declares every op once; `build/gen.rs` writes, into `OUT_DIR`:
//! - `op.rs`: the `Op` enum and its helpers (included by `src/ir/mod.rs`);
//! - `handlers.rs`: `for_each_op!`, every op with the call that runs it (included by
//!   `src/exec/dispatch.rs`, which expands it into the threaded handlers and the `match` loop);
//! - `lower.rs`: the translator's tables (included by `src/translate/lower.rs`).
//!
//! The dispatch backend: with `epsilon_tail_dispatch` set, every op handler ends by calling
//! the next one in tail position, which LLVM turns into a jump; that needs optimisation (at
//! opt-level 0 or 1 each call would stay a call and the native stack would grow with every
//! instruction) and a target where LLVM guarantees sibling calls. Everywhere else, and with the
//! `portable-dispatch` feature, the executor is a loop over a `match`. A cfg only switches the
//! mechanism, never the semantics: both backends run the same handler bodies.

#[path = "build/gen.rs"]
mod gen_code;
#[path = "build/isa.rs"]
mod isa;

use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=build/isa.rs");
    println!("cargo::rerun-if-changed=build/gen.rs");
    println!("cargo::rustc-check-cfg=cfg(epsilon_tail_dispatch)");

    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let out = Path::new(&out);
    write(&out.join("op.rs"), &gen_code::op_rs());
    write(&out.join("handlers.rs"), &gen_code::handlers_rs());
    write(&out.join("lower.rs"), &gen_code::lower_rs());

    if tail_dispatch() {
        println!("cargo::rustc-cfg=epsilon_tail_dispatch");
    }
}

/// Whether to build the tail-call dispatch backend.
fn tail_dispatch() -> bool {
    println!("cargo::rerun-if-env-changed=EPSILON_DISPATCH");
    if std::env::var_os("CARGO_FEATURE_PORTABLE_DISPATCH").is_some() {
        return false;
    }
    // For experiments: `EPSILON_DISPATCH=loop` or `=tail` overrides the choice.
    match std::env::var("EPSILON_DISPATCH").as_deref() {
        Ok("loop") => return false,
        Ok("tail") => return true,
        _ => {}
    }
    let optimised = matches!(std::env::var("OPT_LEVEL").as_deref(), Ok("2" | "3" | "s" | "z"));
    // Targets where LLVM emits sibling calls for functions of one signature with all
    // arguments in registers (powerpc64 needs a TOC restore after calls, wasm the tail-call
    // feature: left out).
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let tail_call_target = matches!(arch.as_str(), "x86_64" | "aarch64" | "riscv64" | "loongarch64");
    optimised && tail_call_target
}

fn write(path: &Path, contents: &str) {
    // Rewrite only on change, so an unchanged table does not trigger a rebuild.
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::write(path, contents).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }
}
