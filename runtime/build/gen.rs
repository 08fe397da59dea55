//! Turns the rows of `isa.rs` into Rust source: the `Op` enum (`op.rs`), the list of ops with
//! the call that runs each (`handlers.rs`, expanded into both dispatch backends by
//! `exec/dispatch.rs`) and the translator's tables (`lower.rs`).

use crate::isa::{self, Role, Shape, Ty};
use std::fmt::Write;

/// One variant of `Op`.
struct Variant {
    name: String,
    doc: String,
    /// `(field, type)` in the order the handler takes them.
    fields: Vec<(String, String)>,
    role: Role,
    /// The expression that runs the op (`vm`, `cx` and the fields are in scope).
    call: String,
}

impl Variant {
    fn new(
        name: impl Into<String>,
        doc: impl Into<String>,
        role: Role,
        fields: &[(&str, &str)],
        call: String,
    ) -> Self {
        let mut all: Vec<(String, String)> = Vec::new();
        if role == Role::Result {
            all.push(("dst".into(), "Slot".into()));
        }
        all.extend(fields.iter().map(|(n, t)| (n.to_string(), t.to_string())));
        if role == Role::Branch {
            all.push(("offset".into(), "i32".into()));
        }
        Variant { name: name.into(), doc: doc.into(), fields: all, role, call }
    }

    fn field_names(&self) -> String {
        self.fields.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// The fields in the order they are laid out: small types first after the `u16` tag, so
    /// every variant packs into 12 bytes (checked here and by a unit test).
    fn layout(&self) -> Vec<(String, String)> {
        let mut fields = self.fields.clone();
        fields.sort_by_key(|(_, t)| size_of_type(t));
        let mut at: usize = 2;
        for (_, t) in &fields {
            let size = size_of_type(t);
            at = at.div_ceil(size) * size + size;
        }
        assert!(at <= 12, "op {} does not fit in 12 bytes ({at})", self.name);
        fields
    }
}

fn size_of_type(t: &str) -> usize {
    match t {
        "u8" => 1,
        "Slot" | "u16" => 2,
        "u32" | "i32" => 4,
        other => panic!("unknown field type {other}"),
    }
}

/// The immediate operand of a binary form: its field name and handler suffix.
fn imm_of(ty: Ty) -> Option<(&'static str, &'static str)> {
    match ty {
        Ty::I32 | Ty::I64 | Ty::F32 => Some(("imm", "i")),
        Ty::F64 => Some(("k", "k")),
        Ty::V128 => None,
    }
}

/// The translator's immediate kind for an operand type.
fn imm_kind(ty: Ty) -> &'static str {
    match ty {
        Ty::I32 => "ImmKind::I32",
        Ty::I64 => "ImmKind::I64",
        Ty::F32 => "ImmKind::F32",
        Ty::F64 => "ImmKind::F64",
        Ty::V128 => "ImmKind::None",
    }
}

/// Every op, in tag order.
fn variants() -> Vec<Variant> {
    let mut v = Vec::new();
    for &(name, _, _, f) in isa::UNARY {
        let call = format!("numeric::unary(vm, cx, dst, src, semantics::{f})");
        v.push(Variant::new(name, format!("`{f}`"), Role::Result, &[("src", "Slot")], call));
    }
    for &(name, _, f) in isa::UNARY_COMPARE {
        let call = format!("numeric::unary(vm, cx, dst, src, semantics::{f})");
        v.push(Variant::new(name, format!("`{f}`"), Role::Result, &[("src", "Slot")], call));
        for (prefix, when) in [("Br", true), ("BrNot", false)] {
            let call = format!("numeric::br_unary::<{when}, _>(vm, cx, a, offset, semantics::{f})");
            let doc = format!("Branches if `{f}` is {when}.");
            v.push(Variant::new(format!("{prefix}{name}"), doc, Role::Branch, &[("a", "Slot")], call));
        }
    }
    for &(name, ty, _, f, shape) in isa::BINARY {
        let doc = format!("`{f}`");
        let call = format!("numeric::binary_ss(vm, cx, dst, a, b, semantics::{f})");
        v.push(Variant::new(format!("{name}_ss"), &doc, Role::Result, &[("a", "Slot"), ("b", "Slot")], call));
        let Some((imm, suffix)) = imm_of(ty) else { continue };
        if shape == Shape::SlotsOnly {
            continue;
        }
        let call = format!("numeric::binary_s{suffix}(vm, cx, dst, a, {imm}, semantics::{f})");
        v.push(Variant::new(
            format!("{name}_s{suffix}"),
            &doc,
            Role::Result,
            &[("a", "Slot"), (imm, "u32")],
            call,
        ));
        if shape == Shape::Ordered {
            let call = format!("numeric::binary_{suffix}s(vm, cx, dst, {imm}, b, semantics::{f})");
            let fields = [(imm, "u32"), ("b", "Slot")];
            v.push(Variant::new(format!("{name}_{suffix}s"), &doc, Role::Result, &fields, call));
        }
        if let Shape::Compare { negation, .. } = shape {
            let prefixes: &[(&str, bool)] =
                if negation.is_some() { &[("Br", true)] } else { &[("Br", true), ("BrNot", false)] };
            for &(prefix, when) in prefixes {
                let doc = format!("Branches if `{f}` is {when}.");
                let call = format!("numeric::br_ss::<{when}, _, _>(vm, cx, a, b, offset, semantics::{f})");
                let fields = [("a", "Slot"), ("b", "Slot")];
                v.push(Variant::new(format!("{prefix}{name}_ss"), &doc, Role::Branch, &fields, call));
                let call = format!(
                    "numeric::br_s{suffix}::<{when}, _, _>(vm, cx, a, {imm}, offset, semantics::{f})"
                );
                let fields = [("a", "Slot"), (imm, "u32")];
                v.push(Variant::new(format!("{prefix}{name}_s{suffix}"), &doc, Role::Branch, &fields, call));
            }
        }
    }
    for &(name, width, f, wasm) in isa::LOADS {
        let ops: Vec<String> = wasm.iter().map(|(w, _)| format!("`{w}`")).collect();
        let doc = format!("Loads {width} bytes ({}) from memory 0.", ops.join(", "));
        let call = format!("memory::load_m0::<{width}, _>(vm, cx, dst, addr, offset, semantics::{f})");
        v.push(Variant::new(
            format!("{name}_m0"),
            doc,
            Role::Result,
            &[("addr", "Slot"), ("offset", "u32")],
            call,
        ));
        let doc = format!("Loads {width} bytes ({}) from memory `mem`.", ops.join(", "));
        let call = format!("memory::load_m::<{width}, _>(vm, cx, dst, addr, mem, offset, semantics::{f})");
        let fields = [("addr", "Slot"), ("mem", "u16"), ("offset", "u32")];
        v.push(Variant::new(format!("{name}_m"), doc, Role::Result, &fields, call));
    }
    for &(name, width, f, wasm) in isa::STORES {
        let ops: Vec<String> = wasm.iter().map(|w| format!("`{w}`")).collect();
        let doc = format!("Stores {width} bytes ({}) to memory 0.", ops.join(", "));
        let call = format!("memory::store_m0::<{width}, _>(vm, cx, addr, value, offset, semantics::{f})");
        let fields = [("addr", "Slot"), ("value", "Slot"), ("offset", "u32")];
        v.push(Variant::new(format!("{name}_m0"), doc, Role::Other, &fields, call));
        let doc = format!("Stores {width} bytes ({}) to memory `mem`.", ops.join(", "));
        let call = format!("memory::store_m::<{width}, _>(vm, cx, addr, value, mem, offset, semantics::{f})");
        let fields = [("addr", "Slot"), ("value", "Slot"), ("mem", "u16"), ("offset", "u32")];
        v.push(Variant::new(format!("{name}_m"), doc, Role::Other, &fields, call));
    }
    for c in isa::CUSTOM {
        let mut args = vec!["vm".to_string(), "cx".to_string()];
        if c.role == Role::Result {
            args.push("dst".into());
        }
        args.extend(c.fields.iter().map(|(n, _)| n.to_string()));
        if c.role == Role::Branch {
            args.push("offset".into());
        }
        let call = format!("{}({})", c.handler, args.join(", "));
        v.push(Variant::new(c.name, c.doc, c.role, c.fields, call));
    }
    let mut seen = std::collections::HashSet::new();
    for variant in &v {
        assert!(seen.insert(variant.name.clone()), "op {} declared twice", variant.name);
    }
    v
}

/// `op.rs`: the `Op` enum and the helpers the translator uses on it.
pub fn op_rs() -> String {
    let variants = variants();
    let mut s = String::new();
    w(&mut s, "/// One IR instruction (generated from `runtime/build/isa.rs`).");
    w(&mut s, "///");
    w(&mut s, "/// `repr(u16)`: the tag is the first field, so the executor reads it without a `match`");
    w(&mut s, "/// (`Op::tag`) to index its handler table.");
    w(&mut s, "#[derive(Debug, Clone, Copy, PartialEq)]");
    w(&mut s, "#[repr(u16)]");
    w(&mut s, "#[allow(non_camel_case_types)]");
    w(&mut s, "pub(crate) enum Op {");
    for v in &variants {
        let fields: Vec<String> = v.layout().iter().map(|(n, t)| format!("{n}: {t}")).collect();
        let _ = writeln!(s, "    /// {}", v.doc);
        let _ = writeln!(s, "    {} {{ {} }},", v.name, fields.join(", "));
    }
    w(&mut s, "}");
    w(&mut s, "");
    let _ = writeln!(s, "/// The number of op kinds (the size of the executor's handler table).");
    w(&mut s, "#[allow(dead_code)]");
    let _ = writeln!(s, "pub(crate) const OP_COUNT: usize = {};", variants.len());
    w(&mut s, "");
    w(&mut s, "impl Op {");
    w(&mut s, "    /// The slot this op writes its single result to, if it has one.");
    w(&mut s, "    pub(crate) fn dst_mut(&mut self) -> Option<&mut Slot> {");
    w(&mut s, "        match self {");
    for v in variants.iter().filter(|v| v.role == Role::Result) {
        let _ = writeln!(s, "            Op::{} {{ dst, .. }} => Some(dst),", v.name);
    }
    w(&mut s, "            _ => None,");
    w(&mut s, "        }");
    w(&mut s, "    }");
    w(&mut s, "");
    w(&mut s, "    /// The branch offset of this op, if it branches.");
    w(&mut s, "    pub(crate) fn offset_mut(&mut self) -> Option<&mut i32> {");
    w(&mut s, "        match self {");
    for v in variants.iter().filter(|v| v.role == Role::Branch) {
        let _ = writeln!(s, "            Op::{} {{ offset, .. }} => Some(offset),", v.name);
    }
    w(&mut s, "            _ => None,");
    w(&mut s, "        }");
    w(&mut s, "    }");
    w(&mut s, "");
    w(&mut s, "    /// The largest `u16` field of this op (0 if none). Every slot is a `u16` field, so");
    w(&mut s, "    /// this bounds the registers the op names; the few other `u16` fields (span lengths,");
    w(&mut s, "    /// table and memory indices) only make the bound larger.");
    w(&mut s, "    pub(crate) fn max_u16_field(&self) -> u32 {");
    w(&mut s, "        match *self {");
    for v in &variants {
        let u16s: Vec<&str> =
            v.fields.iter().filter(|(_, t)| t == "Slot" || t == "u16").map(|(n, _)| n.as_str()).collect();
        if u16s.is_empty() {
            let _ = writeln!(s, "            Op::{} {{ .. }} => 0,", v.name);
        } else {
            let max = u16s.iter().map(|n| format!("u32::from({n})")).collect::<Vec<_>>().join(".max(");
            let close = ")".repeat(u16s.len() - 1);
            let _ = writeln!(s, "            Op::{} {{ {}, .. }} => {max}{close},", v.name, u16s.join(", "));
        }
    }
    w(&mut s, "        }");
    w(&mut s, "    }");
    w(&mut s, "}");
    s
}

/// `handlers.rs`: `for_each_op!`, which hands every op with its fields and the call that runs
/// it to a macro (the dispatch backends).
pub fn handlers_rs() -> String {
    let mut s = String::new();
    w(&mut s, "/// Invokes `$m!` with every op, in tag order: `Name { fields } => call;` (generated from");
    w(&mut s, "/// `runtime/build/isa.rs`). `vm` and `cx` are passed in so the calls can name them.");
    w(&mut s, "macro_rules! for_each_op {");
    w(&mut s, "    ($m:ident) => {");
    w(&mut s, "        $m! { vm, cx;");
    for v in variants() {
        let _ = writeln!(s, "            {} {{ {} }} => {};", v.name, v.field_names(), v.call);
    }
    w(&mut s, "        }");
    w(&mut s, "    };");
    w(&mut s, "}");
    s
}

/// `lower.rs`: the translator's tables (operator -> forms, fusion of compares into branches).
pub fn lower_rs() -> String {
    let mut s = String::new();
    // Unary operators.
    w(&mut s, "/// The result type and op of a unary operator.");
    w(&mut s, "pub(crate) fn unary(op: &Operator<'_>) -> Option<(ValType, MakeUnary)> {");
    w(&mut s, "    Some(match op {");
    for &(name, _, out, _) in isa::UNARY {
        let _ = writeln!(
            s,
            "        Operator::{name} => ({}, |dst, src| Op::{name} {{ dst, src }}),",
            out.val_type()
        );
    }
    for &(name, _, _) in isa::UNARY_COMPARE {
        let _ =
            writeln!(s, "        Operator::{name} => (ValType::I32, |dst, src| Op::{name} {{ dst, src }}),");
    }
    w(&mut s, "        _ => return None,");
    w(&mut s, "    })");
    w(&mut s, "}");
    w(&mut s, "");
    // Binary operators.
    w(&mut s, "/// The forms of a binary operator.");
    w(&mut s, "pub(crate) fn binary(op: &Operator<'_>) -> Option<Binary> {");
    w(&mut s, "    Some(match op {");
    for &(name, ty, out, _, shape) in isa::BINARY {
        let ss = format!("|dst, a, b| Op::{name}_ss {{ dst, a, b }}");
        let (kind, si, is) = match (imm_of(ty), shape) {
            (None, _) | (_, Shape::SlotsOnly) => ("ImmKind::None", "None".to_string(), "None".to_string()),
            (Some((imm, suffix)), shape) => {
                let si = format!("Some(|dst, a, {imm}| Op::{name}_s{suffix} {{ dst, a, {imm} }})");
                let is = match shape {
                    Shape::Commutative => {
                        format!("Some(|dst, {imm}, b| Op::{name}_s{suffix} {{ dst, a: b, {imm} }})")
                    }
                    Shape::Compare { mirror, .. } => {
                        format!("Some(|dst, {imm}, b| Op::{mirror}_s{suffix} {{ dst, a: b, {imm} }})")
                    }
                    _ => format!("Some(|dst, {imm}, b| Op::{name}_{suffix}s {{ dst, {imm}, b }})"),
                };
                (imm_kind(ty), si, is)
            }
        };
        let _ = writeln!(
            s,
            "        Operator::{name} => Binary {{ result: {}, imm: {kind}, ss: {ss}, si: {si}, is: {is} }},",
            out.val_type()
        );
    }
    w(&mut s, "        _ => return None,");
    w(&mut s, "    })");
    w(&mut s, "}");
    w(&mut s, "");
    // Loads and stores.
    w(&mut s, "/// The memory argument, result type and forms of a load.");
    w(&mut s, "pub(crate) fn load(op: &Operator<'_>) -> Option<(MemArg, ValType, LoadForms)> {");
    w(&mut s, "    Some(match *op {");
    for &(name, _, _, wasm) in isa::LOADS {
        for (op, ty) in wasm {
            let _ = writeln!(
                s,
                "        Operator::{op} {{ memarg }} => (memarg, {}, LoadForms {{ m0: |dst, addr, offset| Op::{name}_m0 {{ dst, addr, offset }}, m: |dst, addr, mem, offset| Op::{name}_m {{ dst, addr, mem, offset }} }}),",
                ty.val_type()
            );
        }
    }
    w(&mut s, "        _ => return None,");
    w(&mut s, "    })");
    w(&mut s, "}");
    w(&mut s, "");
    w(&mut s, "/// The memory argument and forms of a store.");
    w(&mut s, "pub(crate) fn store(op: &Operator<'_>) -> Option<(MemArg, StoreForms)> {");
    w(&mut s, "    Some(match *op {");
    for &(name, _, _, wasm) in isa::STORES {
        for op in wasm.iter() {
            let _ = writeln!(
                s,
                "        Operator::{op} {{ memarg }} => (memarg, StoreForms {{ m0: |addr, value, offset| Op::{name}_m0 {{ addr, value, offset }}, m: |addr, value, mem, offset| Op::{name}_m {{ addr, value, mem, offset }} }}),"
            );
        }
    }
    w(&mut s, "        _ => return None,");
    w(&mut s, "    })");
    w(&mut s, "}");
    w(&mut s, "");
    // Fusion.
    w(&mut s, "/// The compare-and-branch op for \"compare, then branch if the result is `when`\", if");
    w(&mut s, "/// `op` is a comparison (its `dst` is dropped; the offset is left at 0).");
    w(&mut s, "pub(crate) fn fuse_branch(op: &Op, when: bool) -> Option<Op> {");
    w(&mut s, "    Some(match (*op, when) {");
    for &(name, _, _) in isa::UNARY_COMPARE {
        let _ =
            writeln!(s, "        (Op::{name} {{ src, .. }}, true) => Op::Br{name} {{ a: src, offset: 0 }},");
        let _ = writeln!(
            s,
            "        (Op::{name} {{ src, .. }}, false) => Op::BrNot{name} {{ a: src, offset: 0 }},"
        );
    }
    for &(name, ty, _, _, shape) in isa::BINARY {
        let Shape::Compare { negation, .. } = shape else { continue };
        let Some((imm, suffix)) = imm_of(ty) else { continue };
        let (yes, no) = match negation {
            Some(neg) => (format!("Br{name}"), format!("Br{neg}")),
            None => (format!("Br{name}"), format!("BrNot{name}")),
        };
        for (when, target) in [("true", &yes), ("false", &no)] {
            let _ = writeln!(
                s,
                "        (Op::{name}_ss {{ a, b, .. }}, {when}) => Op::{target}_ss {{ a, b, offset: 0 }},"
            );
            let _ = writeln!(
                s,
                "        (Op::{name}_s{suffix} {{ a, {imm}, .. }}, {when}) => Op::{target}_s{suffix} {{ a, {imm}, offset: 0 }},"
            );
        }
    }
    w(&mut s, "        _ => return None,");
    w(&mut s, "    })");
    w(&mut s, "}");
    s
}

fn w(s: &mut String, line: &str) {
    s.push_str(line);
    s.push('\n');
}
