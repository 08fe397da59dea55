//! WebAssembly 3.0's type system for function types through the API: what the GC proposal adds
//! beyond it is rejected as unsupported (after the whole module validated, so an invalid module
//! is reported invalid), never run; type identity by recursive group across modules and with
//! host functions and tags; and the feature off with typed function references.

use epsilon::{
    Caller, Config, Engine, ErrorKind, Func, FuncType, Linker, Module, Store, Tag, TagType, Val, ValType,
};

fn compile(engine: &Engine, wat: &str) -> epsilon::Result<Module> {
    Module::new(engine, wat)
}

/// Asserts that `wat` is valid but rejected as unsupported with a message containing `what`.
fn assert_unsupported(engine: &Engine, wat: &str, what: &str) {
    let binary = wat::parse_str(wat).expect("test module parses");
    Module::validate(engine, &binary).expect("the module is valid");
    let err = compile(engine, wat).expect_err("the module is not supported");
    assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}");
    assert!(err.to_string().contains(what), "{err}");
}

#[test]
fn gc_types_are_rejected_as_unsupported() {
    for lazy in [false, true] {
        let mut config = Config::default();
        config.lazy_translation(lazy);
        let engine = Engine::new(config);
        assert_unsupported(&engine, "(module (type (struct)))", "struct types are not implemented");
        assert_unsupported(
            &engine,
            "(module (rec (type (func)) (type (array i8))))",
            "array types are not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (type $a (sub (func))) (type (sub $a (func))))",
            "subtyping (a type declared with a supertype) is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (global anyref (ref.null any)))",
            "reference type anyref is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (func (param eqref)))",
            "reference type eqref is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (func (local i31ref)))",
            "reference type i31ref is not implemented",
        );
        assert_unsupported(&engine, "(module (table 1 nullfuncref))", "is not implemented");
        // GC instructions, reachable, in dead code, and in constant expressions.
        assert_unsupported(
            &engine,
            "(module (func (result i32) (i31.get_s (ref.i31 (i32.const 5)))))",
            "instruction RefI31 is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (func (param funcref) (result i32) (ref.test (ref func) (local.get 0))))",
            "instruction RefTestNonNull",
        );
        assert_unsupported(
            &engine,
            "(module (func (result i32) (unreachable) (ref.i31 (i32.const 5)) (drop) (i32.const 0)))",
            "instruction RefI31",
        );
        assert_unsupported(
            &engine,
            "(module (global externref (extern.convert_any (ref.i31 (i32.const 1)))))",
            "is not implemented",
        );
        assert_unsupported(&engine, "(module (func (drop (ref.null none))))", "is not implemented");
        assert_unsupported(
            &engine,
            "(module (func (unreachable) (drop (ref.null none))))",
            "is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (func (unreachable) (select (result eqref)) (drop)))",
            "reference type eqref is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (func (unreachable) (block (result anyref) (unreachable)) (drop)))",
            "reference type anyref is not implemented",
        );
        // Every kind of operator that carries a type (the lazy check builds only those).
        assert_unsupported(
            &engine,
            "(module (func (unreachable) (loop (result anyref) (unreachable)) (drop)))",
            "reference type anyref is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (func (unreachable) (if (result eqref) (then (unreachable)) (else (unreachable))) (drop)))",
            "reference type eqref is not implemented",
        );
        assert_unsupported(
            &engine,
            "(module (func (unreachable) (try_table (result i31ref) (unreachable)) (drop)))",
            "reference type i31ref is not implemented",
        );
    }
}

#[test]
fn an_invalid_module_is_invalid_even_with_unsupported_types() {
    let engine = Engine::default();
    // The struct type comes first, the type error later: the module is invalid.
    let err = compile(
        &engine,
        r#"(module
            (rec (type $f1 (func)) (type (struct)))
            (rec (type $f2 (func)) (type (struct)) (type (func)))
            (func $f (type $f2))
            (global (ref $f1) (ref.func $f)))"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    // A GC instruction before an invalid instruction in another function.
    let err = compile(
        &engine,
        r#"(module
            (func (drop (ref.i31 (i32.const 1))))
            (func (result i32) (i64.const 0)))"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    // ... and in the same function, after it.
    let err = compile(&engine, "(module (func (result i32) (drop (ref.i31 (i32.const 1))) (i64.const 0)))")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
}

#[test]
fn off_with_function_references() {
    let mut config = Config::default();
    config.function_references(false);
    let engine = Engine::new(config);
    for wat in [
        "(module (rec (type (func)) (type (func))))",
        "(module (type (sub (func))))",
        "(module (global i32 (i32.const 1)) (global i32 (global.get 0)))",
        "(module (type (struct)))",
    ] {
        let err = compile(&engine, wat).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{wat}: {err}");
    }
}

const LIB: &str = r#"(module
    (rec (type $t1 (func (param i32) (result i32))) (type $t2 (func (param i32) (result i32))))
    (type $plain (func (param i32) (result i32)))
    (func (export "f1") (type $t1) (local.get 0))
    (func (export "f2") (type $t2) (local.get 0))
    (func (export "fp") (type $plain) (local.get 0))
    (tag (export "tag") (param i32))
    (rec (type $e1 (func (param i32))) (type $e2 (func (param i32))))
    (tag (export "tag1") (type $e1)))"#;

#[test]
fn identity_across_modules_and_with_the_host() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let lib = Linker::new(&engine).instantiate(&mut store, &compile(&engine, LIB).unwrap()).unwrap();
    let host = Func::wrap(&mut store, |_: Caller<'_, ()>, x: i32| x + 1);
    let host_tag = Tag::new(&mut store, TagType::new([ValType::I32]));

    let user = compile(
        &engine,
        r#"(module
            (rec (type $t1 (func (param i32) (result i32))) (type $t2 (func (param i32) (result i32))))
            (func (import "m" "f") (type $t1)))"#,
    )
    .unwrap();
    let plain_user = compile(
        &engine,
        r#"(module (type (func (param i32) (result i32))) (func (import "m" "f") (type 0)))"#,
    )
    .unwrap();
    let link = |store: &mut Store<()>, module: &Module, f: Func| {
        let mut linker = Linker::new(&engine);
        linker.define("m", "f", f)?;
        linker.instantiate(store, module)
    };
    let f1 = lib.get_func(&store, "f1").unwrap();
    let f2 = lib.get_func(&store, "f2").unwrap();
    let fp = lib.get_func(&store, "fp").unwrap();
    assert!(link(&mut store, &user, f1).is_ok());
    for f in [f2, fp, host] {
        let err = link(&mut store, &user, f).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Link, "{err}");
        assert!(err.to_string().contains("incompatible import type"), "{err}");
    }
    // A host function has a lone (final) type: a module's lone type of that signature.
    assert!(link(&mut store, &plain_user, host).is_ok());
    assert!(link(&mut store, &plain_user, fp).is_ok());
    assert!(link(&mut store, &plain_user, f1).is_err());

    // Tags: a host tag has a lone type too.
    let tag_user = compile(
        &engine,
        r#"(module
            (rec (type $e1 (func (param i32))) (type $e2 (func (param i32))))
            (tag (import "m" "t") (type $e1)))"#,
    )
    .unwrap();
    let plain_tag_user = compile(&engine, r#"(module (tag (import "m" "t") (param i32)))"#).unwrap();
    let link_tag = |store: &mut Store<()>, module: &Module, t: Tag| {
        let mut linker = Linker::new(&engine);
        linker.define("m", "t", t)?;
        linker.instantiate(store, module)
    };
    let tag = lib.get_tag(&store, "tag").unwrap();
    let tag1 = lib.get_tag(&store, "tag1").unwrap();
    assert!(link_tag(&mut store, &tag_user, tag1).is_ok());
    assert!(link_tag(&mut store, &tag_user, tag).is_err());
    assert!(link_tag(&mut store, &tag_user, host_tag).is_err());
    assert!(link_tag(&mut store, &plain_tag_user, host_tag).is_ok());
    assert!(link_tag(&mut store, &plain_tag_user, tag).is_ok());
    assert!(link_tag(&mut store, &plain_tag_user, tag1).is_err());

    // The functions still run, and report their signatures as declared.
    let mut out = [Val::I32(0)];
    f2.call(&mut store, &[Val::I32(7)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(7));
    assert_eq!(f1.ty(&store).unwrap(), FuncType::new([ValType::I32], [ValType::I32]));
}
