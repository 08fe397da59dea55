;; A small module for the instantiation workload: one 64 KiB page of memory with a data
;; segment, globals, a table filled by an element segment, a few functions. The workload
;; compiles it once and times making fresh instances of it; run(n) is called once beforehand,
;; only to check that the engines agree.
;; run(n) -> checksum of n indirect calls mixing the data segment's words
(module
  (type $op (func (param i64 i64) (result i64)))
  (memory (export "memory") 1)
  (global $seed (mut i64) (i64.const 0x243f6a8885a308d3))
  (global $rounds i32 (i32.const 4))
  (table 4 funcref)
  (elem (i32.const 0) $add $xor $rotl $mul)
  (data (i32.const 64) "a small module, instantiated many times: memory, data, table, globals.")
  (func $add (type $op) (i64.add (local.get 0) (local.get 1)))
  (func $xor (type $op) (i64.xor (local.get 0) (local.get 1)))
  (func $rotl (type $op) (i64.rotl (local.get 0) (local.get 1)))
  (func $mul (type $op) (i64.mul (local.get 0) (i64.or (local.get 1) (i64.const 1))))
  (func (export "run") (param $n i32) (result i64) (local $i i32) (local $acc i64)
    (local.set $acc (global.get $seed))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (call_indirect (type $op)
            (local.get $acc)
            (i64.load (i32.add (i32.const 64) (i32.shl (i32.and (local.get $i) (i32.const 7)) (i32.const 3))))
            (i32.rem_u (local.get $i) (global.get $rounds))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (global.set $seed (local.get $acc))
    (local.get $acc)))
