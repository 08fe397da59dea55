;; Tail calls (WebAssembly 3.0; wasm3 has none). Two tail-recursive state machines, neither of
;; which grows the call stack:
;; - Collatz as three states, `$dispatch` choosing the next one by parity through a table
;;   (`return_call_indirect`), `$halve` and `$triple` stepping and going back (`return_call`);
;; - parity by mutual recursion, `$even` and `$odd` counting down one by one (`return_call`),
;;   folding every step into a checksum.
;; run(n) -> sum over i < n of the Collatz steps of i + 1 and the parity fold of i mod 1024
;; (about 600 tail calls per iteration).
(module
  (type $state (func (param i64 i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $halve $triple)

  ;; x, steps so far -> steps to reach 1.
  (func $dispatch (type $state)
    (if (i64.eq (local.get 0) (i64.const 1)) (then (return (local.get 1))))
    (return_call_indirect (type $state)
      (local.get 0) (local.get 1) (i32.wrap_i64 (i64.and (local.get 0) (i64.const 1)))))
  (func $halve (type $state)
    (return_call $dispatch
      (i64.shr_u (local.get 0) (i64.const 1)) (i32.add (local.get 1) (i32.const 1))))
  (func $triple (type $state)
    (return_call $dispatch
      (i64.add (i64.mul (local.get 0) (i64.const 3)) (i64.const 1)) (i32.add (local.get 1) (i32.const 1))))

  ;; n, acc -> acc folded with n, n-1, ..., 1, times 2, plus 1 if n is even.
  (func $even (param $n i32) (param $acc i32) (result i32)
    (if (i32.eqz (local.get $n))
      (then (return (i32.add (i32.shl (local.get $acc) (i32.const 1)) (i32.const 1)))))
    (return_call $odd
      (i32.sub (local.get $n) (i32.const 1))
      (i32.add (i32.mul (local.get $acc) (i32.const 31)) (local.get $n))))
  (func $odd (param $n i32) (param $acc i32) (result i32)
    (if (i32.eqz (local.get $n)) (then (return (i32.shl (local.get $acc) (i32.const 1)))))
    (return_call $even
      (i32.sub (local.get $n) (i32.const 1))
      (i32.xor (local.get $acc) (local.get $n))))

  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $sum i64)
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.extend_i32_u
              (call $dispatch (i64.extend_i32_u (i32.add (local.get $i) (i32.const 1))) (i32.const 0)))))
        (local.set $sum
          (i64.add (local.get $sum)
            (i64.extend_i32_u
              (call $even (i32.and (local.get $i) (i32.const 1023)) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
    (local.get $sum)))
