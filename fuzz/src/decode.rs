//! Target `decode`: `Module::new` (decoding, validation, translation) on random bytes and on
//! mutated wasm-smith modules. It must never panic; errors are fine, but `Module::new` must
//! accept exactly the modules `Module::validate` accepts (apart from `Unsupported` limits).
//! Modules that compile are instantiated with dummy imports of the right types and each
//! exported function is called with zero arguments under fuel, to reach the executor with
//! mutated-but-valid code.

use crate::driver::{IterCtx, Target};
use crate::rng::Rng;
use crate::smith;
use epsilon::{
    Config, Engine, ErrorKind, ExternType, Func, Global, Linker, Memory, Module, Store, Table, TableType, Val,
};

/// Counters of the decoding target.
#[derive(Debug, Default)]
pub struct Decode {
    inputs: u64,
    valid: u64,
    instantiated: u64,
    calls: u64,
    traps: u64,
    disagreements: u64,
    panics: u64,
}

impl Decode {
    /// A fresh target.
    pub fn new() -> Decode {
        Decode::default()
    }
}

/// The positions and lengths of the top-level sections of a module (after the header).
fn sections(wasm: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        at += 1;
        let (mut size, mut shift) = (0usize, 0);
        while let Some(&b) = wasm.get(at) {
            at += 1;
            size |= usize::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 || shift > 28 {
                break;
            }
        }
        let end = at.saturating_add(size);
        if end > wasm.len() {
            break;
        }
        out.push((start, end - start));
        at = end;
    }
    out
}

/// Applies one random mutation to `wasm`; `other` is a second module for splicing.
fn mutate(rng: &mut Rng, wasm: &mut Vec<u8>, other: &[u8]) {
    let len = wasm.len();
    if len == 0 {
        wasm.extend(rng.bytes(8));
        return;
    }
    let at = rng.index(len);
    match rng.below(11) {
        0 => wasm[at] ^= 1 << rng.below(8),
        1 => wasm[at] = *rng.pick(&[0x00, 0x01, 0x7f, 0x80, 0xff, 0x40, 0x0b, 0x41, 0x20, 0xfd, 0xfc]),
        2 => {
            let n = 1 + rng.index(8);
            let bytes = rng.bytes(n);
            wasm.splice(at..at, bytes);
        }
        3 => {
            let end = (at + 1 + rng.index(16)).min(len);
            wasm.drain(at..end);
        }
        4 => {
            // Duplicate a range.
            let end = (at + 1 + rng.index(32)).min(len);
            let copy = wasm[at..end].to_vec();
            let to = rng.index(wasm.len());
            wasm.splice(to..to, copy);
        }
        5 => wasm.truncate(at),
        6 | 7 => {
            // Section-level: drop, duplicate, swap, or splice one in from the other module.
            let secs = sections(wasm);
            if secs.is_empty() {
                return;
            }
            let (s, l) = *rng.pick(&secs);
            match rng.below(4) {
                0 => {
                    wasm.drain(s..s + l);
                }
                1 => {
                    let copy = wasm[s..s + l].to_vec();
                    let (to, _) = *rng.pick(&secs);
                    wasm.splice(to..to, copy);
                }
                2 => {
                    let (s2, l2) = *rng.pick(&secs);
                    if s2 > s + l {
                        let second = wasm[s2..s2 + l2].to_vec();
                        let first = wasm[s..s + l].to_vec();
                        wasm.splice(s2..s2 + l2, first);
                        wasm.splice(s..s + l, second);
                    }
                }
                _ => {
                    let others = sections(other);
                    if !others.is_empty() {
                        let (os, ol) = *rng.pick(&others);
                        wasm.splice(s..s + l, other[os..os + ol].iter().copied());
                    }
                }
            }
        }
        8 | 9 => {
            // Change a section's LEB size: off by a little, or re-encoded overlong.
            let secs = sections(wasm);
            if secs.is_empty() {
                return;
            }
            let (s, l) = *rng.pick(&secs);
            let size_start = s + 1;
            let size_len =
                wasm[size_start..s + l].iter().position(|b| b & 0x80 == 0).map_or(l - 1, |p| p + 1);
            let size = (l - 1).saturating_sub(size_len) as i64;
            let new_size = match rng.below(4) {
                0 => size + 1,
                1 => size - 1,
                2 => size + rng.below(100) as i64 - 50,
                _ => size,
            }
            .max(0) as u64;
            let mut enc = Vec::new();
            let overlong = rng.below(4) == 0;
            let mut v = new_size;
            loop {
                let b = (v & 0x7f) as u8;
                v >>= 7;
                if v == 0 && (!overlong || enc.len() >= 4) {
                    enc.push(b);
                    break;
                }
                enc.push(b | 0x80);
            }
            wasm.splice(size_start..size_start + size_len, enc);
        }
        _ => {
            // Set a byte inside a function body-ish area to a random opcode byte.
            wasm[at] = rng.next_u32() as u8;
        }
    }
}

fn zero(ty: epsilon::ValType) -> Val {
    Val::default_for(ty)
}

/// A linker that defines every import of `module` with a dummy of the right type.
fn dummy_linker(engine: &Engine, store: &mut Store<()>, module: &Module) -> Option<Linker<()>> {
    let mut linker = Linker::new(engine);
    linker.allow_shadowing(true);
    for import in module.imports() {
        let item: epsilon::Extern = match &import.ty {
            ExternType::Func(ty) => {
                let results: Vec<Val> = ty.results().iter().map(|t| zero(*t)).collect();
                Func::new(&mut *store, ty.clone(), move |_, _, out| {
                    out.copy_from_slice(&results);
                    Ok(())
                })
                .into()
            }
            ExternType::Memory(ty) => Memory::new(&mut *store, *ty).ok()?.into(),
            ExternType::Table(ty) => {
                Table::new(&mut *store, TableType::new(ty.element, ty.min, ty.max), Val::null(ty.element))
                    .ok()?
                    .into()
            }
            ExternType::Global(ty) => Global::new(&mut *store, *ty, zero(ty.content)).ok()?.into(),
            ExternType::Tag(ty) => epsilon::Tag::new(&mut *store, ty.clone()).into(),
        };
        linker.define(import.module, import.name, item).ok()?;
    }
    Some(linker)
}

impl Target for Decode {
    fn name(&self) -> &'static str {
        "decode"
    }

    fn run(&mut self, rng: &mut Rng, ctx: &mut IterCtx) {
        let mut wasm = if rng.one_in(6) {
            let mut bytes = if rng.bool() { b"\0asm\x01\0\0\0".to_vec() } else { Vec::new() };
            let n = rng.index(512);
            bytes.extend(rng.bytes(n));
            bytes
        } else {
            let config = smith::decode_config(rng);
            let terminate = rng.one_in(2);
            let Some(mut wasm) = smith::generate(rng, config.clone(), terminate) else { return };
            let other = smith::generate(rng, config, false).unwrap_or_default();
            let mutations = if rng.one_in(8) {
                0
            } else if rng.bool() {
                1
            } else {
                2 + rng.index(3)
            };
            for _ in 0..mutations {
                mutate(rng, &mut wasm, &other);
            }
            wasm
        };
        if wasm.len() > 1 << 20 {
            wasm.truncate(1 << 20);
        }
        ctx.set_current_wasm(&wasm);
        self.inputs += 1;
        let mut config = Config::default();
        config
            .multi_memory(!rng.one_in(4))
            .consume_fuel(true)
            .max_memory_pages(64)
            .max_table_elements(100_000)
            .max_call_depth(10_000);
        let engine = Engine::new(config);
        let compiled = Module::new(&engine, &wasm);
        if wasm.starts_with(b"\0asm") {
            let validated = Module::validate(&engine, &wasm);
            let agree = match (&compiled, &validated) {
                (Ok(_), Ok(())) | (Err(_), Err(_)) => true,
                (Err(e), Ok(())) => e.kind() == ErrorKind::Unsupported,
                (Ok(_), Err(_)) => false,
            };
            if !agree {
                self.disagreements += 1;
                ctx.report(
                    "disagreement",
                    true,
                    Some(&wasm),
                    format!(
                        "Module::new and Module::validate disagree: new = {:?}, validate = {:?}",
                        compiled.as_ref().map(|_| ()).map_err(ToString::to_string),
                        validated.map_err(|e| e.to_string())
                    ),
                );
            }
        }
        let Ok(module) = compiled else { return };
        self.valid += 1;
        let mut store = Store::new(&engine, ());
        let _ = store.set_fuel(200_000);
        let Some(linker) = dummy_linker(&engine, &mut store, &module) else { return };
        let Ok(instance) = linker.instantiate(&mut store, &module) else { return };
        self.instantiated += 1;
        let funcs: Vec<(String, epsilon::FuncType)> = module
            .exports()
            .filter_map(|e| match e.ty {
                ExternType::Func(t) => Some((e.name.to_string(), t)),
                _ => None,
            })
            .collect();
        for (name, ty) in funcs.iter().take(32) {
            let Ok(func) = instance.get_func(&store, name) else { continue };
            let args: Vec<Val> = ty.params().iter().map(|t| zero(*t)).collect();
            let mut out: Vec<Val> = ty.results().iter().map(|t| zero(*t)).collect();
            let _ = store.set_fuel(200_000);
            self.calls += 1;
            if func.call(&mut store, &args, &mut out).is_err() {
                self.traps += 1;
            }
        }
    }

    fn count_panic(&mut self) {
        self.panics += 1;
    }

    fn failures(&self) -> u64 {
        self.panics + self.disagreements
    }

    fn summary(&self, seed: u64) -> String {
        format!(
            "decode: seed {seed}, {} inputs, {} compiled, {} instantiated, {} calls ({} trapped), {} new/validate disagreements, {} panics",
            self.inputs,
            self.valid,
            self.instantiated,
            self.calls,
            self.traps,
            self.disagreements,
            self.panics
        )
    }
}
