//! Turns the rows of `isa.rs` into Rust source: the `Op` enum (`op.rs`), the list of ops with
//! the call that runs each (`handlers.rs`, expanded into both dispatch backends by
//! `exec/dispatch.rs`) and the translator's tables (`lower.rs`).
//!
//! Operand forms. Each operand of a generated op is in a register (`s`), the accumulator
//! (`r`), a 32-bit immediate (`i`) or a constant of the function (`k`); a result goes to a
//! register or (upper-case `R` first) to the accumulator. A name is the operator, then `_`,
//! then the result letter when it is the accumulator, then one letter per operand in
//! WebAssembly order: `I32Add_ss`, `I32Add_si`, `I32Add_Rrs` (accumulator = accumulator +
//! register). Loads and stores of memory 0 add `M0` to the kind: `Load32UM0_Rs`; an address
//! index the access shifts itself (`a[i]`) is `x` in a register, `y` in the accumulator:
//! `Load32UM0_xi` loads from `(index << 2) + imm`. An f64 operand or result in the accumulator
//! is in the float accumulator (`FAcc`, `ToFAcc`); f64 loads and stores have kinds of their own
//! (`LoadF64`, `StoreF64`) for that reason.

use crate::isa::{self, Role, Shape, Ty};
use std::fmt::Write;

/// Where an operand comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A register (slot) of the frame.
    S,
    /// The accumulator.
    R,
    /// A 32-bit immediate.
    I,
    /// A 64-bit constant, stored after the code in a `Data64` op (field `k`: the byte offset).
    K,
}
use Kind::{I, K, R, S};

impl Kind {
    fn letter(self) -> char {
        match self {
            S => 's',
            R => 'r',
            I => 'i',
            K => 'k',
        }
    }

    /// The field holding the operand (`None` for the accumulator) and its type.
    fn field(self, slot_name: &'static str) -> Option<(&'static str, &'static str)> {
        match self {
            S => Some((slot_name, "Slot")),
            R => None,
            I => Some(("imm", "u32")),
            K => Some(("k", "u32")),
        }
    }

    /// The `Source` expression reading an operand of type `ty` (f64 operands in the
    /// accumulator are in the float accumulator).
    fn source(self, slot_name: &str, ty: Ty) -> String {
        match self {
            S => format!("Reg({slot_name})"),
            R if ty == Ty::F64 => "FAcc".into(),
            R => "Acc".into(),
            I => "Imm(imm)".into(),
            K => "Konst(k)".into(),
        }
    }

    /// The translator's `Arg` pattern binding the operand.
    fn pattern(self, slot_name: &str) -> String {
        match self {
            S => format!("Arg::Slot({slot_name})"),
            R => "Arg::Acc".into(),
            I => "Arg::Imm(imm)".into(),
            K => "Arg::Imm(k)".into(),
        }
    }
}

/// The immediate kind of an operand type (`None`: no immediate forms).
fn imm_kind_of(ty: Ty) -> Option<Kind> {
    match ty {
        Ty::I32 | Ty::I64 | Ty::F32 => Some(I),
        Ty::F64 => Some(K),
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

/// The operand pairs of a binary operator in the canonical order the ops exist in: with a
/// commutative operator (or a comparison, with its mirror) the translator swaps the operands
/// of the other orders.
fn binary_pairs(ty: Ty, shape: Shape) -> Vec<(Kind, Kind)> {
    if shape == Shape::SlotsOnly || ty == Ty::V128 {
        return vec![(S, S)];
    }
    let imm = imm_kind_of(ty).expect("scalar");
    let mut pairs = vec![(S, S), (R, S), (S, imm), (R, imm)];
    if shape == Shape::Ordered {
        pairs.extend([(S, R), (imm, S), (imm, R)]);
    }
    pairs
}

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

    /// Whether the op branches (it has a branch offset): only such ops may check for
    /// interrupts, on a backward branch.
    fn branches(&self) -> bool {
        self.fields.iter().any(|(n, t)| n == "offset" && t == "i32")
    }

    /// The fields in the order they are laid out: small types first after the `u16` tag, so
    /// every variant packs into 12 bytes (checked here and by a unit test).
    fn layout(&self) -> Vec<(String, String)> {
        let mut fields = self.fields.clone();
        fields.sort_by_key(|(_, t)| size_of_type(t));
        let size = packed_size(fields.iter().map(|(_, t)| t.as_str()));
        assert!(size <= OP_SIZE, "op {} does not fit in {OP_SIZE} bytes ({size})", self.name);
        fields
    }
}

/// The size of every op, tag included.
const OP_SIZE: usize = 12;

/// The bytes an op with fields of these types takes after the `u16` tag, smallest first.
fn packed_size<'a>(types: impl Iterator<Item = &'a str>) -> usize {
    let mut sizes: Vec<usize> = types.map(size_of_type).collect();
    sizes.sort();
    sizes.into_iter().fold(2, |at, size| at.div_ceil(size) * size + size)
}

fn size_of_type(t: &str) -> usize {
    match t {
        "u8" => 1,
        // `i16` and `Imm16`: immediates, never registers (not in `max_u16_field`).
        "Slot" | "u16" | "i16" | "Imm16" => 2,
        "u32" | "i32" => 4,
        other => panic!("unknown field type {other}"),
    }
}

/// The result forms of an operator with output type `out`.
fn results(out: Ty) -> &'static [Kind] {
    if out == Ty::V128 { &[S] } else { &[S, R] }
}

/// The source forms of an operand of type `ty`.
fn reg_or_acc(ty: Ty) -> &'static [Kind] {
    if ty == Ty::V128 { &[S] } else { &[S, R] }
}

/// `""` for a result in a register, `"R"` for the accumulator.
fn res_prefix(res: Kind) -> &'static str {
    if res == R { "R" } else { "" }
}

/// The role and the `Dest` expression of a result form for a result of type `out` (an f64
/// result for the accumulator goes to the float accumulator).
fn dest(res: Kind, out: Ty) -> (Role, &'static str) {
    match res {
        R if out == Ty::F64 => (Role::Other, "ToFAcc"),
        R => (Role::Other, "ToAcc"),
        _ => (Role::Result, "ToReg(dst)"),
    }
}

fn unary_name(name: &str, res: Kind, src: Kind) -> String {
    format!("{name}_{}{}", res_prefix(res), src.letter())
}

fn binary_name(name: &str, res: Kind, a: Kind, b: Kind) -> String {
    format!("{name}_{}{}{}", res_prefix(res), a.letter(), b.letter())
}

fn branch_name(prefix: &str, name: &str, a: Kind, b: Kind) -> String {
    format!("{prefix}{name}_{}{}", a.letter(), b.letter())
}

fn operand_fields(a: Kind, b: Kind) -> Vec<(&'static str, &'static str)> {
    a.field("a").into_iter().chain(b.field("b")).collect()
}

/// The address forms of memory-0 accesses: one operand, or the wrapping sum of two (an
/// `i32.add` the translator fused into the access, in the forms that add has).
const ADDRESSES: &[&[Kind]] = &[&[S], &[R], &[S, S], &[R, S], &[S, I], &[R, I]];

/// The scaled address forms of 4- and 8-byte accesses: an index (a register or the
/// accumulator) shifted left by log2 of the width, plus an immediate (`a[i]` for an array `a`
/// at a constant address: an `i32.shl` and an `i32.add` the translator fused into the access).
const SCALED: &[&[Kind]] = &[&[S, I], &[R, I]];

/// An address form: its operands, and for a scaled index the shift applied to the first.
#[derive(Clone, Copy)]
struct Addr {
    kinds: &'static [Kind],
    shift: Option<u32>,
}

/// The address forms for an access of `width` bytes of type `ty` (vectors: one operand only).
fn addresses(ty: Ty, width: u32) -> Vec<Addr> {
    let plain = if ty == Ty::V128 { &ADDRESSES[..2] } else { ADDRESSES };
    let mut forms: Vec<Addr> = plain.iter().map(|&kinds| Addr { kinds, shift: None }).collect();
    if ty != Ty::V128 && (width == 4 || width == 8) {
        let shift = Some(width.trailing_zeros());
        forms.extend(SCALED.iter().map(|&kinds| Addr { kinds, shift }));
    }
    forms
}

/// The field of a memory operand called `name` (`None`: the accumulator).
fn mem_field(kind: Kind, name: &'static str) -> Option<(&'static str, &'static str)> {
    match kind {
        S => Some((name, "Slot")),
        I => Some((name, "u32")),
        R => None,
        K => panic!("memory operands have no constant-table form"),
    }
}

/// The `Source` expression reading the memory operand `name`.
fn mem_source(kind: Kind, name: &str, ty: Ty) -> String {
    match kind {
        S => format!("Reg({name})"),
        I => format!("Imm({name})"),
        _ if ty == Ty::F64 => "FAcc".into(),
        _ => "Acc".into(),
    }
}

/// The type of the values a store kind stores, as far as the accumulator goes: f64 (in the
/// float accumulator), v128, or an integer.
fn store_value_ty(name: &str, wasm: &[&str]) -> Ty {
    if name == "V128Store" {
        Ty::V128
    } else if wasm.iter().all(|w| w.starts_with("F64")) {
        Ty::F64
    } else {
        Ty::I64
    }
}

/// The translator's `Arg` pattern binding the memory operand `name`.
fn mem_pattern(kind: Kind, name: &str) -> String {
    match kind {
        S => format!("Arg::Slot({name})"),
        I => format!("Arg::Imm({name})"),
        _ => "Arg::Acc".into(),
    }
}

/// The names of an address's operands: `addr`, then (a sum) `addend`.
const ADDRESS_NAMES: [&str; 2] = ["addr", "addend"];

fn address_fields(addr: Addr) -> Vec<(&'static str, &'static str)> {
    addr.kinds.iter().zip(ADDRESS_NAMES).filter_map(|(&k, n)| mem_field(k, n)).collect()
}

fn address_source(addr: Addr) -> String {
    match (addr.kinds, addr.shift) {
        ([a], None) => mem_source(*a, "addr", Ty::I32),
        ([a, b], None) => {
            format!("Sum({}, {})", mem_source(*a, "addr", Ty::I32), mem_source(*b, "addend", Ty::I32))
        }
        ([a, b], Some(shift)) => format!(
            "Sum(Scaled::<{shift}, _>({}), {})",
            mem_source(*a, "addr", Ty::I32),
            mem_source(*b, "addend", Ty::I32)
        ),
        _ => unreachable!(),
    }
}

fn address_pattern(addr: Addr) -> String {
    match (addr.kinds, addr.shift) {
        ([a], None) => format!("Address::One({})", mem_pattern(*a, "addr")),
        ([a, b], None) => format!("Address::Sum({}, {})", mem_pattern(*a, "addr"), mem_pattern(*b, "addend")),
        ([a, b], Some(shift)) => {
            format!("Address::Scaled({}, {shift}, {})", mem_pattern(*a, "addr"), mem_pattern(*b, "addend"))
        }
        _ => unreachable!(),
    }
}

fn letters(kinds: &[Kind]) -> String {
    kinds.iter().map(|k| k.letter()).collect()
}

/// The letters of an address form: a scaled index is `x` in a register, `y` in the accumulator.
fn address_letters(addr: Addr) -> String {
    let mut letters = letters(addr.kinds);
    if addr.shift.is_some() {
        let index = if addr.kinds[0] == S { "x" } else { "y" };
        letters.replace_range(..1, index);
    }
    letters
}

/// A memory-0 access form: its name, its fields (without `dst`) and whether it has an
/// `offset` field. Forms with no room left for one only serve accesses with offset 0.
struct MemForm {
    name: String,
    role: Role,
    fields: Vec<(&'static str, &'static str)>,
    has_offset: bool,
}

impl MemForm {
    fn new(name: String, role: Role, mut fields: Vec<(&'static str, &'static str)>) -> Self {
        let mut with: Vec<(&str, &str)> = fields.clone();
        with.push(("offset", "u32"));
        if role == Role::Result {
            with.push(("dst", "Slot"));
        }
        let has_offset = packed_size(with.iter().map(|(_, t)| *t)) <= OP_SIZE;
        if has_offset {
            fields.push(("offset", "u32"));
        }
        MemForm { name, role, fields, has_offset }
    }

    /// The offset argument of the access in the handler.
    fn offset(&self) -> &'static str {
        if self.has_offset { "offset" } else { "0" }
    }

    /// The offset in the translator's pattern: any (bound), or only 0.
    fn offset_pattern(&self) -> &'static str {
        if self.has_offset { "offset" } else { "0" }
    }

    fn field_names(&self) -> Vec<&'static str> {
        self.fields.iter().map(|(n, _)| *n).collect()
    }
}

/// The memory-0 forms of load kind `name` with result form `res`, with their address forms.
fn load_forms(name: &str, width: u32, out: Ty, res: Kind) -> Vec<(Addr, MemForm)> {
    let (role, _) = dest(res, Ty::I64);
    addresses(out, width)
        .into_iter()
        .map(|addr| {
            let vname = format!("{name}M0_{}{}", res_prefix(res), address_letters(addr));
            (addr, MemForm::new(vname, role, address_fields(addr)))
        })
        .collect()
}

/// The memory-0 forms of store kind `name`: address forms by value forms. A value in the
/// accumulator goes with a one-operand address in a register only (a fused `i32.add` is the
/// last op, so the value was not computed after it).
fn store_forms(name: &str, width: u32, ty: Ty) -> Vec<(Addr, Kind, MemForm)> {
    let values: &[Kind] = if ty == Ty::V128 { &[S] } else { &[S, R, I] };
    let mut forms = Vec::new();
    for addr in addresses(ty, width) {
        for &value in values {
            if value == R && (addr.kinds != [S] || addr.shift.is_some()) {
                continue;
            }
            let fields: Vec<_> = address_fields(addr).into_iter().chain(mem_field(value, "value")).collect();
            let vname = format!("{name}M0_{}{}", address_letters(addr), value.letter());
            forms.push((addr, value, MemForm::new(vname, Role::Other, fields)));
        }
    }
    forms
}

/// Every op, in tag order.
fn variants() -> Vec<Variant> {
    let mut v = Vec::new();
    for &(name, input, out, f) in isa::UNARY {
        for &res in results(out) {
            for &src in reg_or_acc(input) {
                let (role, dst) = dest(res, out);
                let call =
                    format!("numeric::unary(vm, cx, {dst}, {}, semantics::{f})", src.source("src", input));
                let fields: Vec<_> = src.field("src").into_iter().collect();
                v.push(Variant::new(unary_name(name, res, src), format!("`{f}`"), role, &fields, call));
            }
        }
    }
    for &(name, input, f) in isa::UNARY_COMPARE {
        for &res in results(Ty::I32) {
            for &src in reg_or_acc(input) {
                let (role, dst) = dest(res, Ty::I32);
                let call =
                    format!("numeric::unary(vm, cx, {dst}, {}, semantics::{f})", src.source("src", input));
                let fields: Vec<_> = src.field("src").into_iter().collect();
                v.push(Variant::new(unary_name(name, res, src), format!("`{f}`"), role, &fields, call));
            }
        }
        for (prefix, when) in [("Br", true), ("BrNot", false)] {
            for &a in reg_or_acc(input) {
                let call = format!(
                    "numeric::br_unary::<{when}, _>(vm, cx, {}, offset, semantics::{f})",
                    a.source("a", input)
                );
                let doc = format!("Branches if `{f}` is {when}.");
                let fields: Vec<_> = a.field("a").into_iter().collect();
                v.push(Variant::new(
                    format!("{prefix}{name}_{}", a.letter()),
                    doc,
                    Role::Branch,
                    &fields,
                    call,
                ));
            }
        }
    }
    for &(name, ty, out, f, shape) in isa::BINARY {
        let doc = format!("`{f}`");
        let pairs = binary_pairs(ty, shape);
        for &res in results(out) {
            for &(a, b) in &pairs {
                let (role, dst) = dest(res, out);
                let call = format!(
                    "numeric::binary(vm, cx, {dst}, {}, {}, semantics::{f})",
                    a.source("a", ty),
                    b.source("b", ty)
                );
                v.push(Variant::new(binary_name(name, res, a, b), &doc, role, &operand_fields(a, b), call));
            }
        }
        if let Shape::Compare { negation, .. } = shape {
            let prefixes: &[(&str, bool)] =
                if negation.is_some() { &[("Br", true)] } else { &[("Br", true), ("BrNot", false)] };
            for &(prefix, when) in prefixes {
                for &(a, b) in &pairs {
                    let doc = format!("Branches if `{f}` is {when}.");
                    let call = format!(
                        "numeric::br_binary::<{when}, _, _>(vm, cx, {}, {}, offset, semantics::{f})",
                        a.source("a", ty),
                        b.source("b", ty)
                    );
                    v.push(Variant::new(
                        branch_name(prefix, name, a, b),
                        doc,
                        Role::Branch,
                        &operand_fields(a, b),
                        call,
                    ));
                }
            }
        }
    }
    load_branch_variants(&mut v);
    for &(name, width, f, wasm) in isa::LOADS {
        let ops: Vec<String> = wasm.iter().map(|(w, _)| format!("`{w}`")).collect();
        let out = wasm[0].1;
        let doc = format!("Loads {width} bytes ({}) from memory 0.", ops.join(", "));
        for &res in results(out) {
            let (_, dst) = dest(res, out);
            for (addr, form) in load_forms(name, width, out, res) {
                let call = format!(
                    "memory::load_m0::<{width}, _>(vm, cx, {dst}, {}, {}, semantics::{f})",
                    address_source(addr),
                    form.offset()
                );
                v.push(Variant::new(&form.name, &doc, form.role, &form.fields, call));
            }
        }
        let doc = format!("Loads {width} bytes ({}) from memory `mem`.", ops.join(", "));
        let call = format!(
            "memory::load_m::<{width}, _>(vm, cx, ToReg(dst), Reg(addr), mem, offset, semantics::{f})"
        );
        let fields = [("addr", "Slot"), ("mem", "u16"), ("offset", "u32")];
        v.push(Variant::new(format!("{name}_s"), doc, Role::Result, &fields, call));
    }
    for &(name, width, f, wasm) in isa::STORES {
        let ops: Vec<String> = wasm.iter().map(|w| format!("`{w}`")).collect();
        let doc = format!("Stores {width} bytes ({}) to memory 0.", ops.join(", "));
        for (addr, value, form) in store_forms(name, width, store_value_ty(name, wasm)) {
            let call = format!(
                "memory::store_m0::<{width}, _>(vm, cx, {}, {}, {}, semantics::{f})",
                address_source(addr),
                mem_source(value, "value", store_value_ty(name, wasm)),
                form.offset()
            );
            v.push(Variant::new(&form.name, &doc, Role::Other, &form.fields, call));
        }
        let doc = format!("Stores {width} bytes ({}) to memory `mem`.", ops.join(", "));
        let call = format!(
            "memory::store_m::<{width}, _>(vm, cx, Reg(addr), Reg(value), mem, offset, semantics::{f})"
        );
        let fields = [("addr", "Slot"), ("value", "Slot"), ("mem", "u16"), ("offset", "u32")];
        v.push(Variant::new(format!("{name}_ss"), doc, Role::Other, &fields, call));
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

/// The i32 tests of a value just loaded from memory 0 by `i32.load` (the scan of
/// `while (a[i] < x)`, the field test of `if (node->key == k)`): the load and the
/// compare-and-branch testing the loaded value, in one op. Two families, after the two load
/// forms the translator fuses:
///
/// - `_l`/`_ls` (a load at offset 0 into register `dst`, which the op writes too): `Br{name}_ls`
///   for each i32 comparison, `BrI32Eqz_l` and `BrNotI32Eqz_l`;
/// - `_m`/`_ms` (a load to the accumulator at a 16-bit offset `at`, whose value nothing else
///   reads): `Br{name}_ms`, `BrI32Eqz_m` and `BrNotI32Eqz_m`.
///
/// The loaded value is the left operand (the translator mirrors the comparison when it is the
/// right one). Only "branch if true" forms: integer comparisons negate.
fn load_branch_variants(v: &mut Vec<Variant>) {
    let kept = [("dst", "Slot"), ("addr", "Slot")];
    let not_kept = [("addr", "Slot"), ("at", "Imm16")];
    for &(name, input, f) in isa::UNARY_COMPARE {
        if input != Ty::I32 {
            continue;
        }
        for (prefix, when) in [("Br", true), ("BrNot", false)] {
            let doc = format!("Loads `dst` from memory 0 at `addr`, then branches if `{f}` of it is {when}.");
            let call =
                format!("memory::br_load32_m0::<{when}>(vm, cx, Some(dst), addr, 0, offset, semantics::{f})");
            v.push(Variant::new(format!("{prefix}{name}_l"), doc, Role::Branch, &kept, call));
            let doc = format!("Branches if `{f}` of the `i32` at `addr + at` in memory 0 is {when}.");
            let call = format!(
                "memory::br_load32_m0::<{when}>(vm, cx, None, addr, u32::from(at), offset, semantics::{f})"
            );
            v.push(Variant::new(format!("{prefix}{name}_m"), doc, Role::Branch, &not_kept, call));
        }
    }
    for &(name, ty, _, f, shape) in isa::BINARY {
        if ty != Ty::I32 || !matches!(shape, Shape::Compare { .. }) {
            continue;
        }
        let doc = format!("Loads `dst` from memory 0 at `addr`, then branches if `{f}(dst, b)`.");
        let call = format!("memory::br_load32_cmp_m0(vm, cx, Some(dst), addr, 0, b, offset, semantics::{f})");
        let fields = [kept[0], kept[1], ("b", "Slot")];
        v.push(Variant::new(format!("Br{name}_ls"), doc, Role::Branch, &fields, call));
        let doc = format!("Branches if `{f}(m, b)` for the `i32` `m` at `addr + at` in memory 0.");
        let call =
            format!("memory::br_load32_cmp_m0(vm, cx, None, addr, u32::from(at), b, offset, semantics::{f})");
        let fields = [not_kept[0], not_kept[1], ("b", "Slot")];
        v.push(Variant::new(format!("Br{name}_ms"), doc, Role::Branch, &fields, call));
    }
}

/// `op.rs`: the `Op` enum and the helpers the translator uses on it.
pub fn op_rs() -> String {
    let variants = variants();
    let mut s = String::new();
    w(&mut s, "/// One IR instruction (generated from `runtime/build/isa.rs`).");
    w(&mut s, "///");
    w(&mut s, "/// `repr(u16)`: the tag is the first field, so linking a compiled stream to the handlers");
    w(&mut s, "/// (`exec::link_ops`) reads it without a `match`.");
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
    w(&mut s, "/// The number of op kinds (the size of the executor's handler sets).");
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
    w(&mut s, "    /// The constant operand of this op, if it has one (`k`: an index into the function's");
    w(&mut s, "    /// constants while translating, a byte offset from the op to its `Data64` once sealed).");
    w(&mut s, "    pub(crate) fn konst_mut(&mut self) -> Option<&mut u32> {");
    w(&mut s, "        match self {");
    for v in variants.iter().filter(|v| v.fields.iter().any(|(n, _)| n == "k")) {
        let _ = writeln!(s, "            Op::{} {{ k, .. }} => Some(k),", v.name);
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
    w(
        &mut s,
        "/// Invokes `$m!` with every op, in tag order: `Name { fields } branches => call;` (generated",
    );
    w(
        &mut s,
        "/// from `runtime/build/isa.rs`; `branches` is `true` for ops with a branch offset). `vm` and",
    );
    w(&mut s, "/// `cx` are passed in so the calls can name them.");
    w(&mut s, "macro_rules! for_each_op {");
    w(&mut s, "    ($m:ident) => {");
    w(&mut s, "        $m! { vm, cx;");
    for v in variants() {
        let _ =
            writeln!(s, "            {} {{ {} }} {} => {};", v.name, v.field_names(), v.branches(), v.call);
    }
    w(&mut s, "        }");
    w(&mut s, "    };");
    w(&mut s, "}");
    s
}

/// The `Op` constructor expression of a form, from the names bound by `Kind::pattern`.
fn construct(name: &str, res: Kind, fields: &[(&str, &str)]) -> String {
    let mut parts: Vec<String> = Vec::new();
    if res == S {
        parts.push("dst".into());
    }
    parts.extend(fields.iter().map(|(n, _)| n.to_string()));
    format!("Op::{name} {{ {} }}", parts.join(", "))
}

/// `lower.rs`: the translator's tables (operator -> forms, fusion of compares into branches,
/// results moved to the accumulator).
pub fn lower_rs() -> String {
    let mut s = String::new();
    // Unary operators.
    w(&mut s, "/// The result type and constructor of a unary operator.");
    w(&mut s, "#[inline(always)]");
    w(&mut s, "pub(crate) fn unary(op: &Operator<'_>) -> Option<(ValType, MakeUnary)> {");
    w(&mut s, "    Some(match op {");
    let unary_rows: Vec<(&str, Ty, Ty)> = isa::UNARY
        .iter()
        .map(|&(n, i, o, _)| (n, i, o))
        .chain(isa::UNARY_COMPARE.iter().map(|&(n, i, _)| (n, i, Ty::I32)))
        .collect();
    for &(name, input, out) in &unary_rows {
        let mut arms = Vec::new();
        for &src in reg_or_acc(input) {
            let fields: Vec<_> = src.field("src").into_iter().collect();
            arms.push(format!(
                "{} => {}",
                src.pattern("src"),
                construct(&unary_name(name, S, src), S, &fields)
            ));
        }
        let _ = writeln!(
            s,
            "        Operator::{name} => ({}, |dst, src| Some(match src {{ {}, _ => return None }})),",
            out.val_type(),
            arms.join(", ")
        );
    }
    end_option_match(&mut s);
    // Binary operators.
    w(&mut s, "/// The result type, immediate kind and constructor of a binary operator.");
    w(&mut s, "#[inline(always)]");
    w(&mut s, "pub(crate) fn binary(op: &Operator<'_>) -> Option<Binary> {");
    w(&mut s, "    Some(match op {");
    for &(name, ty, out, _, shape) in isa::BINARY {
        let pairs = binary_pairs(ty, shape);
        let mut arms = Vec::new();
        for &(a, b) in &pairs {
            let pattern = format!("({}, {})", a.pattern("a"), b.pattern("b"));
            arms.push(format!(
                "{pattern} => {}",
                construct(&binary_name(name, S, a, b), S, &operand_fields(a, b))
            ));
        }
        // The swapped orders, through commutativity or the mirror comparison.
        let swapped_to = match shape {
            Shape::Commutative => Some(name),
            Shape::Compare { mirror, .. } => Some(mirror),
            _ => None,
        };
        if let Some(target) = swapped_to {
            for &(a, b) in &pairs {
                if a == b {
                    continue;
                }
                // `x op y` with (x, y) = (b, a) is `y target x`, an existing (a, b) form.
                let pattern = format!("({}, {})", b.pattern("b"), a.pattern("a"));
                arms.push(format!(
                    "{pattern} => {}",
                    construct(&binary_name(target, S, a, b), S, &operand_fields(a, b))
                ));
            }
        }
        let kind = if shape == Shape::SlotsOnly { "ImmKind::None" } else { imm_kind(ty) };
        let _ = writeln!(
            s,
            "        Operator::{name} => Binary {{ result: {}, imm: {kind}, make: |dst, a, b| Some(match (a, b) {{ {}, _ => return None }}) }},",
            out.val_type(),
            arms.join(", ")
        );
    }
    end_option_match(&mut s);
    // Loads and stores.
    w(&mut s, "/// The memory argument, result type and forms of a load.");
    w(&mut s, "#[inline(always)]");
    w(&mut s, "pub(crate) fn load(op: &Operator<'_>) -> Option<(MemArg, ValType, LoadForms)> {");
    w(&mut s, "    Some(match *op {");
    for &(name, width, _, wasm) in isa::LOADS {
        let out = wasm[0].1;
        let arms: Vec<String> = load_forms(name, width, out, S)
            .iter()
            .map(|(addr, form)| {
                let pattern = format!("({}, {})", address_pattern(*addr), form.offset_pattern());
                let mut names = vec!["dst"];
                names.extend(form.field_names());
                format!("{pattern} => Op::{} {{ {} }}", form.name, names.join(", "))
            })
            .collect();
        let m0 = format!(
            "|dst, addr, offset| Some(match (addr, offset) {{ {}, _ => return None }})",
            arms.join(", ")
        );
        let m = format!("|dst, addr, mem, offset| Op::{name}_s {{ dst, addr, mem, offset }}");
        for (op, ty) in wasm {
            let _ = writeln!(
                s,
                "        Operator::{op} {{ memarg }} => (memarg, {}, LoadForms {{ m0: {m0}, m: {m} }}),",
                ty.val_type()
            );
        }
    }
    end_option_match(&mut s);
    w(&mut s, "/// The memory argument and forms of a store.");
    w(&mut s, "#[inline(always)]");
    w(&mut s, "pub(crate) fn store(op: &Operator<'_>) -> Option<(MemArg, StoreForms)> {");
    w(&mut s, "    Some(match *op {");
    for &(name, width, _, wasm) in isa::STORES {
        let arms: Vec<String> = store_forms(name, width, store_value_ty(name, wasm))
            .iter()
            .map(|(addr, value, form)| {
                let pattern = format!(
                    "({}, {}, {})",
                    address_pattern(*addr),
                    mem_pattern(*value, "value"),
                    form.offset_pattern()
                );
                format!("{pattern} => Op::{} {{ {} }}", form.name, form.field_names().join(", "))
            })
            .collect();
        let m0 = format!(
            "|addr, value, offset| Some(match (addr, value, offset) {{ {}, _ => return None }})",
            arms.join(", ")
        );
        let m = format!("|addr, value, mem, offset| Op::{name}_ss {{ addr, value, mem, offset }}");
        for op in wasm.iter() {
            let _ = writeln!(
                s,
                "        Operator::{op} {{ memarg }} => (memarg, StoreForms {{ width: {width}, m0: {m0}, m: {m} }}),"
            );
        }
    }
    end_option_match(&mut s);
    // Address sums.
    w(&mut s, "/// The operands of `op` if it is an `i32.add` with its result in a register: the address");
    w(&mut s, "/// of a memory access it can be fused into.");
    w(&mut s, "pub(crate) fn split_add(op: &Op) -> Option<(Arg, Arg)> {");
    w(&mut s, "    Some(match *op {");
    for &(name, ty, _, _, shape) in isa::BINARY {
        if name != "I32Add" {
            continue;
        }
        for &(a, b) in &binary_pairs(ty, shape) {
            if !ADDRESSES.contains(&&[a, b][..]) {
                continue;
            }
            let fields = operand_fields(a, b);
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            let bind = if names.is_empty() { "..".to_string() } else { format!("{}, ..", names.join(", ")) };
            let _ = writeln!(
                s,
                "        Op::{} {{ {bind} }} => ({}, {}),",
                binary_name(name, S, a, b),
                a.pattern("a"),
                b.pattern("b")
            );
        }
    }
    end_option_match(&mut s);
    // Fusion.
    w(&mut s, "/// The compare-and-branch op for \"compare, then branch if the result is `when`\", if");
    w(&mut s, "/// `op` is a comparison with its result in a register (its `dst` is dropped; the offset is");
    w(&mut s, "/// left at 0).");
    w(&mut s, "pub(crate) fn fuse_branch(op: &Op, when: bool) -> Option<Op> {");
    w(&mut s, "    Some(match (*op, when) {");
    for &(name, input, _) in isa::UNARY_COMPARE {
        for &src in reg_or_acc(input) {
            let value = unary_name(name, S, src);
            let bind = if src == S { "src, .." } else { ".." };
            let args = if src == S { "a: src, " } else { "" };
            let l = src.letter();
            let _ = writeln!(
                s,
                "        (Op::{value} {{ {bind} }}, true) => Op::Br{name}_{l} {{ {args}offset: 0 }},"
            );
            let _ = writeln!(
                s,
                "        (Op::{value} {{ {bind} }}, false) => Op::BrNot{name}_{l} {{ {args}offset: 0 }},"
            );
        }
    }
    for &(name, ty, _, _, shape) in isa::BINARY {
        let Shape::Compare { negation, .. } = shape else { continue };
        if ty == Ty::V128 {
            continue;
        }
        let (yes, no) = match negation {
            Some(neg) => (("Br", name), ("Br", neg)),
            None => (("Br", name), ("BrNot", name)),
        };
        for &(a, b) in &binary_pairs(ty, shape) {
            let fields = operand_fields(a, b);
            let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            let bind = if names.is_empty() { "..".to_string() } else { format!("{}, ..", names.join(", ")) };
            for (when, (prefix, target)) in [("true", yes), ("false", no)] {
                let mut parts: Vec<String> = names.iter().map(|n| n.to_string()).collect();
                parts.push("offset: 0".into());
                let _ = writeln!(
                    s,
                    "        (Op::{} {{ {bind} }}, {when}) => Op::{} {{ {} }},",
                    binary_name(name, S, a, b),
                    branch_name(prefix, target, a, b),
                    parts.join(", ")
                );
            }
        }
    }
    end_option_match(&mut s);
    // Inverted branches.
    w(&mut s, "/// The branch taken exactly when `op` (a compare-and-branch) is not, with the same offset.");
    w(&mut s, "pub(crate) fn invert_branch(op: &Op) -> Option<Op> {");
    w(&mut s, "    Some(match *op {");
    for &(name, input, _) in isa::UNARY_COMPARE {
        for &a in reg_or_acc(input) {
            let bind = if a == S { "a, offset" } else { "offset" };
            let l = a.letter();
            let _ = writeln!(s, "        Op::Br{name}_{l} {{ {bind} }} => Op::BrNot{name}_{l} {{ {bind} }},");
            let _ = writeln!(s, "        Op::BrNot{name}_{l} {{ {bind} }} => Op::Br{name}_{l} {{ {bind} }},");
        }
    }
    for &(name, ty, _, _, shape) in isa::BINARY {
        let Shape::Compare { negation, .. } = shape else { continue };
        if ty == Ty::V128 {
            continue;
        }
        for &(a, b) in &binary_pairs(ty, shape) {
            let fields = operand_fields(a, b);
            let mut names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
            names.push("offset");
            let bind = names.join(", ");
            match negation {
                Some(neg) => {
                    let _ = writeln!(
                        s,
                        "        Op::{} {{ {bind} }} => Op::{} {{ {bind} }},",
                        branch_name("Br", name, a, b),
                        branch_name("Br", neg, a, b)
                    );
                }
                None => {
                    let (yes, no) = (branch_name("Br", name, a, b), branch_name("BrNot", name, a, b));
                    let _ = writeln!(s, "        Op::{yes} {{ {bind} }} => Op::{no} {{ {bind} }},");
                    let _ = writeln!(s, "        Op::{no} {{ {bind} }} => Op::{yes} {{ {bind} }},");
                }
            }
        }
    }
    end_option_match(&mut s);
    // Loads fused into the branch that tests the loaded value.
    w(&mut s, "/// The load-and-branch op (`Br*_ls`, `Br*Eqz_l`) for the compare-and-branch `op` if it");
    w(
        &mut s,
        "/// tests register `loaded`, just loaded from memory 0 at register `addr` (`i32.load`, offset",
    );
    w(&mut s, "/// 0). Not when both operands are `loaded`: the op reads `b` before it loads.");
    w(&mut s, "pub(crate) fn fuse_load_branch(op: &Op, loaded: Slot, addr: Slot) -> Option<Op> {");
    w(&mut s, "    Some(match *op {");
    let mut acc_arms = String::new();
    for &(name, input, _) in isa::UNARY_COMPARE {
        if input != Ty::I32 {
            continue;
        }
        for prefix in ["Br", "BrNot"] {
            let _ = writeln!(
                s,
                "        Op::{prefix}{name}_s {{ a, offset }} if a == loaded => Op::{prefix}{name}_l {{ dst: loaded, addr, offset }},"
            );
            let _ = writeln!(
                acc_arms,
                "        Op::{prefix}{name}_r {{ offset }} => Op::{prefix}{name}_m {{ addr, at, offset }},"
            );
        }
    }
    for &(name, ty, _, _, shape) in isa::BINARY {
        let Shape::Compare { mirror, .. } = shape else { continue };
        if ty != Ty::I32 {
            continue;
        }
        let _ = writeln!(
            s,
            "        Op::Br{name}_ss {{ a, b, offset }} if a == loaded && b != loaded => Op::Br{name}_ls {{ dst: loaded, addr, b, offset }},"
        );
        let _ = writeln!(
            s,
            "        Op::Br{name}_ss {{ a, b, offset }} if b == loaded && a != loaded => Op::Br{mirror}_ls {{ dst: loaded, addr, b: a, offset }},"
        );
        let _ = writeln!(
            acc_arms,
            "        Op::Br{name}_rs {{ b, offset }} => Op::Br{name}_ms {{ addr, at, b, offset }},"
        );
    }
    end_option_match(&mut s);
    w(&mut s, "/// The load-and-branch op (`Br*_ms`, `Br*Eqz_m`) for the compare-and-branch `op` if it");
    w(&mut s, "/// tests the accumulator, just loaded from memory 0 at register `addr` plus `at`");
    w(&mut s, "/// (`i32.load`).");
    w(&mut s, "pub(crate) fn fuse_acc_load_branch(op: &Op, addr: Slot, at: u16) -> Option<Op> {");
    w(&mut s, "    Some(match *op {");
    s.push_str(&acc_arms);
    end_option_match(&mut s);
    // Results moved to the accumulator.
    w(&mut s, "/// The same op with its result in the accumulator instead of register `dst`, if it has");
    w(&mut s, "/// such a form.");
    w(&mut s, "pub(crate) fn to_accumulator(op: &Op) -> Option<Op> {");
    w(&mut s, "    Some(match *op {");
    let mut pairs: Vec<(String, String, Vec<&str>)> = Vec::new();
    for &(name, input, out, _) in isa::UNARY {
        if out != Ty::V128 {
            for &src in reg_or_acc(input) {
                let fields: Vec<&str> = src.field("src").into_iter().map(|(n, _)| n).collect();
                pairs.push((unary_name(name, S, src), unary_name(name, R, src), fields));
            }
        }
    }
    for &(name, input, _) in isa::UNARY_COMPARE {
        for &src in reg_or_acc(input) {
            let fields: Vec<&str> = src.field("src").into_iter().map(|(n, _)| n).collect();
            pairs.push((unary_name(name, S, src), unary_name(name, R, src), fields));
        }
    }
    for &(name, ty, out, _, shape) in isa::BINARY {
        if out == Ty::V128 {
            continue;
        }
        for &(a, b) in &binary_pairs(ty, shape) {
            let fields: Vec<&str> = operand_fields(a, b).iter().map(|(n, _)| *n).collect();
            pairs.push((binary_name(name, S, a, b), binary_name(name, R, a, b), fields));
        }
    }
    for &(name, width, _, wasm) in isa::LOADS {
        let out = wasm[0].1;
        if out == Ty::V128 {
            continue;
        }
        let (reg_forms, acc_forms) = (load_forms(name, width, out, S), load_forms(name, width, out, R));
        for ((_, reg), (_, acc)) in reg_forms.into_iter().zip(acc_forms) {
            // Without `dst` the twin may have room for an offset its register form lacks.
            let twin_offset = if acc.has_offset && !reg.has_offset { ", offset: 0" } else { "" };
            let bind = reg.field_names().join(", ");
            let _ = writeln!(
                s,
                "        Op::{} {{ {bind}, .. }} => Op::{} {{ {bind}{twin_offset} }},",
                reg.name, acc.name
            );
        }
    }
    for (from, to, fields) in pairs {
        let list = fields.join(", ");
        let bind = if fields.is_empty() { "..".to_string() } else { format!("{list}, ..") };
        let _ = writeln!(s, "        Op::{from} {{ {bind} }} => Op::{to} {{ {list} }},");
    }
    end_option_match(&mut s);
    // Which accumulator: f64 values travel in the float one.
    let mut float_results = Vec::new();
    let mut float_operands = Vec::new();
    for &(name, input, out, _) in isa::UNARY {
        for &src in reg_or_acc(input) {
            if out == Ty::F64 {
                float_results.push(unary_name(name, R, src));
            }
            if input == Ty::F64 && src == R {
                for &res in results(out) {
                    float_operands.push(unary_name(name, res, src));
                }
            }
        }
    }
    for &(name, input, _) in isa::UNARY_COMPARE {
        if input == Ty::F64 {
            for &res in results(Ty::I32) {
                float_operands.push(unary_name(name, res, R));
            }
            for prefix in ["Br", "BrNot"] {
                float_operands.push(format!("{prefix}{name}_r"));
            }
        }
    }
    for &(name, ty, out, _, shape) in isa::BINARY {
        let pairs = binary_pairs(ty, shape);
        for &(a, b) in &pairs {
            if out == Ty::F64 {
                float_results.push(binary_name(name, R, a, b));
            }
            if ty == Ty::F64 && (a == R || b == R) {
                for &res in results(out) {
                    float_operands.push(binary_name(name, res, a, b));
                }
                if let Shape::Compare { negation, .. } = shape {
                    float_operands.push(branch_name("Br", name, a, b));
                    if negation.is_none() {
                        float_operands.push(branch_name("BrNot", name, a, b));
                    }
                }
            }
        }
    }
    for &(name, width, _, wasm) in isa::LOADS {
        if wasm[0].1 == Ty::F64 {
            float_results.extend(load_forms(name, width, Ty::F64, R).into_iter().map(|(_, form)| form.name));
        }
    }
    for &(name, width, _, wasm) in isa::STORES {
        let ty = store_value_ty(name, wasm);
        if ty == Ty::F64 {
            float_operands.extend(
                store_forms(name, width, ty)
                    .into_iter()
                    .filter(|(_, value, _)| *value == R)
                    .map(|(_, _, form)| form.name),
            );
        }
    }
    for (doc, fname, names) in [
        (
            "writes its result to the float accumulator (an f64 for the next op)",
            "writes_float_accumulator",
            float_results,
        ),
        ("reads an operand from the float accumulator", "reads_float_accumulator", float_operands),
    ] {
        let _ = writeln!(s, "/// Whether the op {doc}.");
        let _ = writeln!(s, "#[allow(dead_code)]");
        let _ = writeln!(s, "pub(crate) fn {fname}(op: &Op) -> bool {{");
        let arms: Vec<String> = names.iter().map(|n| format!("Op::{n} {{ .. }}")).collect();
        let _ = writeln!(
            s,
            "    matches!(op, {})",
            if arms.is_empty() { "_ if false".into() } else { arms.join(" | ") }
        );
        w(&mut s, "}");
    }
    s
}

/// Closes a generated `fn ... -> Option<_> { Some(match ... {` whose other arms return `None`.
fn end_option_match(s: &mut String) {
    for line in ["        _ => return None,", "    })", "}", ""] {
        w(s, line);
    }
}

fn w(s: &mut String, line: &str) {
    s.push_str(line);
    s.push('\n');
}
