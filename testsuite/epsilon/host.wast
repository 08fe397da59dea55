;; The spectest host module: every function, global, the table and the memory, called and
;; read from wasm, shared between the modules of one file, and rejected when imported with
;; the wrong type.

(module
  (import "spectest" "print" (func $print))
  (import "spectest" "print_i32" (func $print_i32 (param i32)))
  (import "spectest" "print_i64" (func $print_i64 (param i64)))
  (import "spectest" "print_f32" (func $print_f32 (param f32)))
  (import "spectest" "print_f64" (func $print_f64 (param f64)))
  (import "spectest" "print_i32_f32" (func $print_i32_f32 (param i32 f32)))
  (import "spectest" "print_f64_f64" (func $print_f64_f64 (param f64 f64)))
  (import "spectest" "global_i32" (global $gi32 i32))
  (import "spectest" "global_i64" (global $gi64 i64))
  (import "spectest" "global_f32" (global $gf32 f32))
  (import "spectest" "global_f64" (global $gf64 f64))
  (import "spectest" "table" (table $t 10 20 funcref))
  (import "spectest" "memory" (memory 1 2))

  ;; Host calls in the middle of a computation, with a stale local read on the stack.
  (func (export "call-prints") (param i32) (result i32)
    local.get 0
    (call $print)
    (call $print_i32 (local.get 0))
    (call $print_i64 (i64.extend_i32_s (local.get 0)))
    (call $print_f32 (f32.convert_i32_s (local.get 0)))
    (call $print_f64 (f64.convert_i32_s (local.get 0)))
    (call $print_i32_f32 (local.get 0) (f32.const 1.5))
    (local.set 0 (i32.const 100))
    (call $print_f64_f64 (f64.const 1) (f64.const 2))
    local.get 0
    i32.add)

  (func (export "global-i32") (result i32) (global.get $gi32))
  (func (export "global-i64") (result i64) (global.get $gi64))
  (func (export "global-f32") (result f32) (global.get $gf32))
  (func (export "global-f64") (result f64) (global.get $gf64))
  (func (export "global-sum") (result i64)
    (i64.add (i64.extend_i32_u (global.get $gi32)) (global.get $gi64)))

  (func (export "mem-size") (result i32) (memory.size))
  (func (export "mem-grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))

  (func (export "table-size") (result i32) (table.size $t))
  (func (export "table-grow") (param i32) (result i32) (table.grow $t (ref.null func) (local.get 0)))
  (func (export "table-null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
)

(assert_return (invoke "call-prints" (i32.const 7)) (i32.const 107))
(assert_return (invoke "global-i32") (i32.const 666))
(assert_return (invoke "global-i64") (i64.const 666))
(assert_return (invoke "global-f32") (f32.const 666.6))
(assert_return (invoke "global-f64") (f64.const 666.6))
(assert_return (invoke "global-sum") (i64.const 1332))
(assert_return (invoke "mem-size") (i32.const 1))
(assert_return (invoke "load" (i32.const 0)) (i32.const 0))
(invoke "store" (i32.const 65532) (i32.const 0x12345678))
(assert_return (invoke "load" (i32.const 65532)) (i32.const 0x12345678))
(assert_trap (invoke "load" (i32.const 65533)) "out of bounds memory access")
(assert_return (invoke "mem-grow" (i32.const 1)) (i32.const 1))
(assert_return (invoke "load" (i32.const 65533)) (i32.const 0x123456))
(assert_return (invoke "mem-grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke "mem-size") (i32.const 2))
(assert_return (invoke "table-size") (i32.const 10))
(assert_return (invoke "table-null" (i32.const 9)) (i32.const 1))
(assert_trap (invoke "table-null" (i32.const 10)) "out of bounds table access")
(assert_return (invoke "table-grow" (i32.const 10)) (i32.const 10))
(assert_return (invoke "table-grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke "table-size") (i32.const 20))

;; Later modules of the file see the same memory, table and functions.
(module $writer
  (import "spectest" "table" (table 10 funcref))
  (import "spectest" "memory" (memory 1))
  (import "spectest" "print_i32" (func $p (param i32)))
  (func $answer (result i32) (i32.const 42))
  (elem (i32.const 0) $answer $p)
  (func (export "size") (result i32) (memory.size))
  (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
(assert_return (invoke $writer "size") (i32.const 2))
(assert_return (invoke $writer "load" (i32.const 65532)) (i32.const 0x12345678))

(module
  (import "spectest" "table" (table 10 funcref))
  (type $r (func (result i32)))
  (type $p (func (param i32)))
  (func (export "call0") (result i32) (call_indirect (type $r) (i32.const 0)))
  (func (export "call1") (param i32) (call_indirect (type $p) (local.get 0) (i32.const 1)))
  (func (export "call1-wrong-type") (result i32) (call_indirect (type $r) (i32.const 1)))
  (func (export "call2") (result i32) (call_indirect (type $r) (i32.const 2)))
  (func (export "call20") (result i32) (call_indirect (type $r) (i32.const 20))))
(assert_return (invoke "call0") (i32.const 42))
(assert_return (invoke "call1" (i32.const 5)))
(assert_trap (invoke "call1-wrong-type") "indirect call type mismatch")
(assert_trap (invoke "call2") "uninitialized element")
(assert_trap (invoke "call20") "undefined element")

;; Imports of the wrong type or of unknown names do not link.
(assert_unlinkable
  (module (import "spectest" "print_i32" (func (param i64))))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "print" (func (result i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "global_i32" (global (mut i32))))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "global_i32" (global i64)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "memory" (memory 3)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "memory" (memory 1 1)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "table" (table 10 15 funcref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "table" (table 10 externref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "print_i32" (global i32)))
  "incompatible import type")
(assert_unlinkable
  (module (import "spectest" "no_such_thing" (func)))
  "unknown import")

;; Host references round-trip through wasm.
(module
  (table $t 4 externref)
  (func (export "set") (param i32 externref) (table.set $t (local.get 0) (local.get 1)))
  (func (export "get") (param i32) (result externref) (table.get $t (local.get 0)))
  (func (export "is-null") (param externref) (result i32) (ref.is_null (local.get 0))))
(invoke "set" (i32.const 1) (ref.extern 7))
(assert_return (invoke "get" (i32.const 1)) (ref.extern 7))
(assert_return (invoke "get" (i32.const 0)) (ref.null extern))
(assert_return (invoke "is-null" (ref.extern 0)) (i32.const 0))
(assert_return (invoke "is-null" (ref.null extern)) (i32.const 1))
