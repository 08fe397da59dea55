;; Translator regression tests: the lazy operand stack, local.tee chains and select.
;;
;; The translator keeps `local.get` results on its compile-time operand stack as references to
;; the local instead of copying them. Every function below changes a local while an older read
;; of it is still on the stack, so a translator that forgets to materialise (copy out) the old
;; value before the write computes a different result.

(module
  ;; The old value stays on the stack across a write of the same local.
  (func (export "get-then-set") (param i32) (result i32)
    local.get 0
    i32.const 100
    local.set 0
    local.get 0
    i32.sub)

  ;; ... also when the write happens inside nested blocks.
  (func (export "nested-blocks") (param i32) (result i32)
    local.get 0
    block (result i32)
      local.get 0
      block
        block
          local.get 0
          i32.const 10
          i32.add
          local.set 0
        end
      end
      local.get 0
      i32.mul
    end
    i32.sub)

  ;; A stale read is the value carried by a taken br_if, and stays below a not-taken one.
  (func (export "br-if-path") (param i32 i32) (result i32)
    block (result i32)
      local.get 0
      i32.const 7
      local.set 0
      local.get 1
      br_if 0
      i32.const 1000
      i32.add
    end
    local.get 0
    i32.add)

  ;; Writes on only one arm of an if.
  (func (export "if-set") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    if
      i32.const 50
      local.set 0
    else
      local.get 0
      i32.const 1
      i32.add
      local.set 0
    end
    local.get 0
    i32.sub)

  ;; Fibonacci with the old `a` held on the stack while `a` is overwritten.
  (func (export "fib-loop") (param i32 i32 i32) (result i32)
    block
      loop
        local.get 2
        i32.eqz
        br_if 1
        local.get 0
        local.get 1
        local.set 0
        local.get 1
        i32.add
        local.set 1
        local.get 2
        i32.const 1
        i32.sub
        local.set 2
        br 0
      end
    end
    local.get 0)

  ;; A stale read carried by br_table, to a target that also reads the new value.
  (func (export "br-table-stale") (param i32 i32) (result i32)
    block (result i32)
      block (result i32)
        local.get 0
        i32.const 1000
        local.set 0
        local.get 1
        br_table 0 1 0
      end
      local.get 0
      i32.add
    end
    local.get 0
    i32.mul)

  ;; local.tee over a stale read of the same local.
  (func (export "tee-over-stale") (param i32) (result i32)
    local.get 0
    i32.const 9
    local.tee 0
    i32.mul
    local.get 0
    i32.add)

  ;; Chains of local.tee.
  (func (export "tee-chain") (param i32) (result i32)
    (local i32 i32 i32)
    local.get 0
    local.tee 1
    local.tee 2
    local.tee 3
    i32.const 1
    i32.add
    local.get 1
    i32.add
    local.get 2
    i32.add
    local.get 3
    i32.mul)

  (func (export "tee-self") (param i32) (result i32)
    (local.tee 0
      (i32.add
        (local.tee 0 (i32.mul (local.get 0) (i32.const 2)))
        (local.get 0)))
    local.get 0
    i32.add)

  ;; Swap two locals through the stack only.
  (func (export "swap") (param i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    local.set 0
    local.set 1
    local.get 0
    local.get 1)

  ;; Rotate three locals through the stack, then read them in the original order.
  (func (export "rotate") (param i64 i64 i64) (result i64 i64 i64)
    local.get 0
    local.get 1
    local.get 2
    local.set 0
    local.set 2
    local.set 1
    local.get 0
    local.get 1
    local.get 2)

  ;; select with constants and with a stale operand.
  (func (export "select-consts") (param i32) (result i32)
    (select (i32.const 10) (i32.const 20) (local.get 0)))
  (func (export "select-const-true") (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.const 1)))
  (func (export "select-const-false") (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.const 0)))
  (func (export "select-i64") (param i32) (result i64)
    (select (i64.const -1) (i64.const 0x100000000) (local.get 0)))
  (func (export "select-f64") (param f64 i32) (result f64)
    (select (f64.const 1.5) (local.get 0) (local.get 1)))
  (func (export "select-stale") (param i32 i32) (result i32)
    (select (local.get 0) (local.tee 0 (i32.const 5)) (local.get 1)))
  (func (export "select-cmp") (param i32 i32) (result i32)
    (select (i32.const -1) (local.get 1) (i32.lt_s (local.get 0) (i32.const 3))))
  (func (export "select-externref") (param externref i32) (result externref)
    (select (result externref) (local.get 0) (ref.null extern) (local.get 1)))
)

(assert_return (invoke "get-then-set" (i32.const 5)) (i32.const -95))
(assert_return (invoke "nested-blocks" (i32.const 3)) (i32.const -36))
(assert_return (invoke "br-if-path" (i32.const 3) (i32.const 1)) (i32.const 10))
(assert_return (invoke "br-if-path" (i32.const 3) (i32.const 0)) (i32.const 1010))
(assert_return (invoke "if-set" (i32.const 10) (i32.const 1)) (i32.const -40))
(assert_return (invoke "if-set" (i32.const 10) (i32.const 0)) (i32.const -1))
(assert_return (invoke "fib-loop" (i32.const 0) (i32.const 1) (i32.const 10)) (i32.const 55))
(assert_return (invoke "fib-loop" (i32.const 0) (i32.const 1) (i32.const 30)) (i32.const 832040))
(assert_return (invoke "br-table-stale" (i32.const 4) (i32.const 0)) (i32.const 1004000))
(assert_return (invoke "br-table-stale" (i32.const 4) (i32.const 1)) (i32.const 4000))
(assert_return (invoke "br-table-stale" (i32.const 4) (i32.const 2)) (i32.const 1004000))
(assert_return (invoke "tee-over-stale" (i32.const 4)) (i32.const 45))
(assert_return (invoke "tee-chain" (i32.const 5)) (i32.const 80))
(assert_return (invoke "tee-self" (i32.const 3)) (i32.const 24))
(assert_return (invoke "swap" (i32.const 1) (i32.const 2)) (i32.const 2) (i32.const 1))
(assert_return (invoke "rotate" (i64.const 1) (i64.const 2) (i64.const 3))
  (i64.const 3) (i64.const 1) (i64.const 2))
(assert_return (invoke "select-consts" (i32.const 1)) (i32.const 10))
(assert_return (invoke "select-consts" (i32.const 0)) (i32.const 20))
(assert_return (invoke "select-consts" (i32.const -1)) (i32.const 10))
(assert_return (invoke "select-const-true" (i32.const 1) (i32.const 2)) (i32.const 1))
(assert_return (invoke "select-const-false" (i32.const 1) (i32.const 2)) (i32.const 2))
(assert_return (invoke "select-i64" (i32.const 7)) (i64.const -1))
(assert_return (invoke "select-i64" (i32.const 0)) (i64.const 0x100000000))
(assert_return (invoke "select-f64" (f64.const -0.0) (i32.const 1)) (f64.const 1.5))
(assert_return (invoke "select-f64" (f64.const -0.0) (i32.const 0)) (f64.const -0.0))
(assert_return (invoke "select-stale" (i32.const 3) (i32.const 1)) (i32.const 3))
(assert_return (invoke "select-stale" (i32.const 3) (i32.const 0)) (i32.const 5))
(assert_return (invoke "select-cmp" (i32.const 2) (i32.const 8)) (i32.const -1))
(assert_return (invoke "select-cmp" (i32.const 3) (i32.const 8)) (i32.const 8))
(assert_return (invoke "select-cmp" (i32.const -5) (i32.const 8)) (i32.const -1))
(assert_return (invoke "select-externref" (ref.extern 3) (i32.const 1)) (ref.extern 3))
(assert_return (invoke "select-externref" (ref.extern 3) (i32.const 0)) (ref.null extern))

;; f64 arithmetic with a constant operand (ops with a constant-table index): the constant on
;; either side of non-commutative ops, signed zeros, NaN results, shared constants, results
;; retargeted into locals.
(module
  (func (export "k-minus-x") (param f64) (result f64) (f64.sub (f64.const 1) (local.get 0)))
  (func (export "x-minus-k") (param f64) (result f64) (f64.sub (local.get 0) (f64.const 1)))
  (func (export "k-over-x") (param f64) (result f64) (f64.div (f64.const 1) (local.get 0)))
  (func (export "x-over-k") (param f64) (result f64) (f64.div (local.get 0) (f64.const 4)))
  (func (export "x-plus-negzero") (param f64) (result f64) (f64.add (local.get 0) (f64.const -0)))
  (func (export "negzero-plus-x") (param f64) (result f64) (f64.add (f64.const -0) (local.get 0)))
  (func (export "x-times-nan") (param f64) (result f64) (f64.mul (local.get 0) (f64.const nan:0x4)))
  (func (export "nan-minus-x") (param f64) (result f64) (f64.sub (f64.const -nan:0x8) (local.get 0)))
  (func (export "two-consts") (result f64) (f64.mul (f64.const 3) (f64.const 0.5)))
  (func (export "horner") (param f64) (result f64)
    ;; 1 + x * (0.5 + x * (0.25 + x * 0.5)): 0.5 appears twice and gets one table entry.
    (f64.add (f64.const 1)
      (f64.mul (local.get 0)
        (f64.add (f64.const 0.5)
          (f64.mul (local.get 0)
            (f64.add (f64.const 0.25) (f64.mul (local.get 0) (f64.const 0.5))))))))
  (func (export "into-local") (param f64) (result f64) (local f64)
    (local.set 1 (f64.div (f64.const 10) (local.get 0)))
    (f64.sub (local.get 1) (f64.const 2))))

(assert_return (invoke "k-minus-x" (f64.const 0.25)) (f64.const 0.75))
(assert_return (invoke "x-minus-k" (f64.const 0.25)) (f64.const -0.75))
(assert_return (invoke "k-over-x" (f64.const 4)) (f64.const 0.25))
(assert_return (invoke "k-over-x" (f64.const -0)) (f64.const -inf))
(assert_return (invoke "x-over-k" (f64.const 1)) (f64.const 0.25))
(assert_return (invoke "x-plus-negzero" (f64.const 0)) (f64.const 0))
(assert_return (invoke "x-plus-negzero" (f64.const -0)) (f64.const -0))
(assert_return (invoke "negzero-plus-x" (f64.const -0)) (f64.const -0))
(assert_return (invoke "negzero-plus-x" (f64.const 0)) (f64.const 0))
(assert_return (invoke "x-times-nan" (f64.const 2)) (f64.const nan:arithmetic))
(assert_return (invoke "nan-minus-x" (f64.const 2)) (f64.const nan:arithmetic))
(assert_return (invoke "two-consts") (f64.const 1.5))
(assert_return (invoke "horner" (f64.const 2)) (f64.const 7))
(assert_return (invoke "horner" (f64.const 0)) (f64.const 1))
(assert_return (invoke "into-local" (f64.const 4)) (f64.const 0.5))

;; `select` on a condition that needs no register: an `i32.eqz`/`i64.eqz` just computed (fused
;; into the select, which tests its operand with the two values swapped) or a value in the
;; accumulator. Each value operand is a local, a computed value or a constant (which turns the
;; fusion off), for one-cell types of both widths.
(module
  (func (export "eqz32-slot") (param i32 i64 i64) (result i64)
    (select (local.get 1) (local.get 2) (i32.eqz (local.get 0))))
  (func (export "eqz32-acc") (param i32 i64 i64) (result i64)
    (select (local.get 1) (local.get 2) (i32.eqz (i32.and (local.get 0) (i32.const 1)))))
  (func (export "eqz64-slot") (param i64 i32 i32) (result i32)
    (select (local.get 1) (local.get 2) (i64.eqz (local.get 0))))
  (func (export "eqz64-acc") (param i64 f64 f64) (result f64)
    (select (local.get 1) (local.get 2) (i64.eqz (i64.and (local.get 0) (i64.const 0xff00000000)))))
  (func (export "acc-cond") (param i32 i32 i32) (result i32)
    (select (local.get 1) (local.get 2) (i32.lt_u (local.get 0) (i32.const 10))))
  (func (export "computed-values") (param i64) (result i64)
    (select (i64.shr_u (local.get 0) (i64.const 1))
            (i64.add (i64.mul (local.get 0) (i64.const 3)) (i64.const 1))
            (i64.eqz (i64.and (local.get 0) (i64.const 1)))))
  (func (export "const-value") (param i64) (result i32)
    (select (i32.const 7) (i32.const 9) (i64.eqz (local.get 0))))
  (func (export "f32-values") (param i32 f32 f32) (result f32)
    (select (local.get 1) (local.get 2) (i32.eqz (local.get 0))))
  (func (export "collatz") (param i64) (result i32) (local i32)
    (block $done
      (loop $next
        (br_if $done (i64.eq (local.get 0) (i64.const 1)))
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (local.set 0 (select (i64.shr_u (local.get 0) (i64.const 1))
                             (i64.add (i64.mul (local.get 0) (i64.const 3)) (i64.const 1))
                             (i64.eqz (i64.and (local.get 0) (i64.const 1)))))
        (br $next)))
    (local.get 1))
)

(assert_return (invoke "eqz32-slot" (i32.const 0) (i64.const 1) (i64.const 2)) (i64.const 1))
(assert_return (invoke "eqz32-slot" (i32.const 5) (i64.const 1) (i64.const 2)) (i64.const 2))
(assert_return (invoke "eqz32-acc" (i32.const 2) (i64.const 1) (i64.const 2)) (i64.const 1))
(assert_return (invoke "eqz32-acc" (i32.const 3) (i64.const 1) (i64.const 2)) (i64.const 2))
(assert_return (invoke "eqz64-slot" (i64.const 0) (i32.const 1) (i32.const 2)) (i32.const 1))
;; Only the upper half set: a 32-bit test of the condition would see zero.
(assert_return (invoke "eqz64-slot" (i64.const 0x100000000) (i32.const 1) (i32.const 2)) (i32.const 2))
(assert_return (invoke "eqz64-acc" (i64.const 0x0100000000) (f64.const 1) (f64.const 2)) (f64.const 2))
(assert_return (invoke "eqz64-acc" (i64.const 0x0000ffffff) (f64.const 1) (f64.const 2)) (f64.const 1))
(assert_return (invoke "acc-cond" (i32.const 3) (i32.const 1) (i32.const 2)) (i32.const 1))
(assert_return (invoke "acc-cond" (i32.const 30) (i32.const 1) (i32.const 2)) (i32.const 2))
(assert_return (invoke "computed-values" (i64.const 6)) (i64.const 3))
(assert_return (invoke "computed-values" (i64.const 7)) (i64.const 22))
(assert_return (invoke "const-value" (i64.const 0)) (i32.const 7))
(assert_return (invoke "const-value" (i64.const 0x8000000000000000)) (i32.const 9))
(assert_return (invoke "f32-values" (i32.const 0) (f32.const 1.5) (f32.const nan:0x200001)) (f32.const 1.5))
(assert_return (invoke "f32-values" (i32.const 1) (f32.const 1.5) (f32.const nan:0x200001)) (f32.const nan:0x200001))
(assert_return (invoke "collatz" (i64.const 27)) (i32.const 111))
(assert_return (invoke "collatz" (i64.const 1)) (i32.const 0))

;; Two `local.set`s of locals in a row become one op that copies twice, in order; a label in
;; between keeps them apart (a branch to the label must run the second copy alone).
(module
  (func (export "copy-chain") (param i32 i32 i32) (result i32)
    (local.set 0 (local.get 1))
    (local.set 2 (local.get 0))
    (i32.add (i32.mul (local.get 0) (i32.const 100)) (local.get 2)))
  (func (export "copy-swap") (param i64 i64) (result i64) (local i64)
    (local.set 2 (local.get 0))
    (local.set 0 (local.get 1))
    (local.set 1 (local.get 2))
    (i64.sub (local.get 0) (local.get 1)))
  (func (export "copy-loop") (param i32) (result i32) (local i32 i32)
    (local.set 1 (local.get 0))
    (loop $l
      (local.set 2 (local.get 1))
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get 1) (i32.const 10))))
    (local.get 2))
)

(assert_return (invoke "copy-chain" (i32.const 1) (i32.const 2) (i32.const 3)) (i32.const 202))
(assert_return (invoke "copy-swap" (i64.const 5) (i64.const 7)) (i64.const 2))
(assert_return (invoke "copy-loop" (i32.const 0)) (i32.const 9))
(assert_return (invoke "copy-loop" (i32.const 20)) (i32.const 20))

;; `select` with one constant operand becomes one op that reads the constant next to the code
;; (`SelectK`, or `SelectKNot` with the constant first or an `i32.eqz` condition folded in).
(module
  (func (export "selk-b") (param i64 i32) (result i64)
    (select (local.get 0) (i64.const -7) (local.get 1)))
  (func (export "selk-a") (param i64 i32) (result i64)
    (select (i64.const 0x123456789) (local.get 0) (local.get 1)))
  (func (export "selk-b-eqz") (param i32 i32) (result i32)
    (select (local.get 0) (i32.const 0x80000000) (i32.eqz (local.get 1))))
  (func (export "selk-a-eqz") (param i32 i32) (result i32)
    (select (i32.const -1) (local.get 0) (i32.eqz (local.get 1))))
  (func (export "selk-f64") (param f64 i32) (result f64)
    (select (local.get 0) (f64.const -0.5) (local.get 1)))
  (func (export "selk-f32") (param f32 i32) (result f32)
    (select (f32.const nan:0x200001) (local.get 0) (local.get 1)))
  (func (export "selk-both") (param i32) (result f64)
    (select (f64.const 0.5) (f64.const -0.5) (local.get 0)))
  (func (export "selk-funcref-null") (param i32) (result i32)
    (ref.is_null (select (result funcref) (ref.func 0) (ref.null func) (local.get 0))))
  ;; The constant's cell must be exactly what a register would hold: an i32 read back as the
  ;; low half of an i64 after `i64.extend_i32_u`.
  (func (export "selk-extend") (param i32 i32) (result i64)
    (i64.extend_i32_u (select (i32.const -2) (local.get 0) (local.get 1))))
  ;; In a loop: the condition changes every iteration.
  (func (export "selk-count") (param i32) (result i64) (local i64)
    (loop $l
      (local.set 1 (i64.add (local.get 1)
        (select (i64.const 0) (i64.const 3) (i32.and (local.get 0) (i32.const 1)))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br_if $l (local.get 0)))
    (local.get 1))
)

(assert_return (invoke "selk-b" (i64.const 5) (i32.const 1)) (i64.const 5))
(assert_return (invoke "selk-b" (i64.const 5) (i32.const 0)) (i64.const -7))
(assert_return (invoke "selk-b" (i64.const 5) (i32.const -2)) (i64.const 5))
(assert_return (invoke "selk-a" (i64.const 5) (i32.const 9)) (i64.const 0x123456789))
(assert_return (invoke "selk-a" (i64.const 5) (i32.const 0)) (i64.const 5))
(assert_return (invoke "selk-b-eqz" (i32.const 5) (i32.const 0)) (i32.const 5))
(assert_return (invoke "selk-b-eqz" (i32.const 5) (i32.const 3)) (i32.const 0x80000000))
(assert_return (invoke "selk-a-eqz" (i32.const 5) (i32.const 0)) (i32.const -1))
(assert_return (invoke "selk-a-eqz" (i32.const 5) (i32.const 3)) (i32.const 5))
(assert_return (invoke "selk-f64" (f64.const 2.25) (i32.const 1)) (f64.const 2.25))
(assert_return (invoke "selk-f64" (f64.const 2.25) (i32.const 0)) (f64.const -0.5))
(assert_return (invoke "selk-f32" (f32.const 1.5) (i32.const 1)) (f32.const nan:0x200001))
(assert_return (invoke "selk-f32" (f32.const 1.5) (i32.const 0)) (f32.const 1.5))
(assert_return (invoke "selk-both" (i32.const 1)) (f64.const 0.5))
(assert_return (invoke "selk-both" (i32.const 0)) (f64.const -0.5))
(assert_return (invoke "selk-funcref-null" (i32.const 1)) (i32.const 0))
(assert_return (invoke "selk-funcref-null" (i32.const 0)) (i32.const 1))
(assert_return (invoke "selk-extend" (i32.const 7) (i32.const 1)) (i64.const 0xfffffffe))
(assert_return (invoke "selk-extend" (i32.const 7) (i32.const 0)) (i64.const 7))
(assert_return (invoke "selk-count" (i32.const 10)) (i64.const 15))

;; `i64.extend_i32_u` emits nothing (every i32 is kept zero-extended in its cell): the upper
;; half of the i64 must be zero whatever produced the i32.
(module
  (global $g (mut i32) (i32.const -1))
  (memory 1)
  (data (i32.const 0) "\ff\ff\ff\ff")
  (func $neg (result i32) (i32.const -3))
  (func (export "ext-sub") (param i32 i32) (result i64)
    (i64.extend_i32_u (i32.sub (local.get 0) (local.get 1))))
  (func (export "ext-param") (param i32) (result i64)
    (i64.shr_u (i64.extend_i32_u (local.get 0)) (i64.const 32)))
  (func (export "ext-const") (result i64)
    (i64.extend_i32_u (i32.const -1)))
  (func (export "ext-global") (result i64)
    (i64.add (i64.extend_i32_u (global.get $g)) (i64.const 1)))
  (func (export "ext-load") (result i64)
    (i64.extend_i32_u (i32.load8_s (i32.const 0))))
  (func (export "ext-call") (result i64)
    (i64.extend_i32_u (call $neg)))
  (func (export "ext-wrap") (param i64) (result i64)
    (i64.extend_i32_u (i32.wrap_i64 (local.get 0))))
  (func (export "ext-cmp-eqz") (param i32) (result i32)
    (i64.eqz (i64.extend_i32_u (i32.lt_s (local.get 0) (i32.const 0)))))
  (func (export "ext-acc-chain") (param i32) (result i64)
    ;; i32 result in the accumulator, extended, consumed by an i64 op from the accumulator.
    (i64.mul (i64.extend_i32_u (i32.xor (local.get 0) (i32.const -1))) (i64.const 2)))
  (func (export "ext-local-then-set") (param i32) (result i64) (local i64)
    (local.set 1 (i64.extend_i32_u (local.get 0)))
    (local.set 0 (i32.const 9))
    (i64.add (local.get 1) (i64.extend_i32_u (local.get 0))))
)

(assert_return (invoke "ext-sub" (i32.const 1) (i32.const 2)) (i64.const 0xffffffff))
(assert_return (invoke "ext-param" (i32.const -1)) (i64.const 0))
(assert_return (invoke "ext-const") (i64.const 0xffffffff))
(assert_return (invoke "ext-global") (i64.const 0x100000000))
(assert_return (invoke "ext-load") (i64.const 0xffffffff))
(assert_return (invoke "ext-call") (i64.const 0xfffffffd))
(assert_return (invoke "ext-wrap" (i64.const -1)) (i64.const 0xffffffff))
(assert_return (invoke "ext-cmp-eqz" (i32.const -5)) (i32.const 0))
(assert_return (invoke "ext-cmp-eqz" (i32.const 5)) (i32.const 1))
(assert_return (invoke "ext-acc-chain" (i32.const 0)) (i64.const 0x1fffffffe))
(assert_return (invoke "ext-local-then-set" (i32.const -1)) (i64.const 0x100000008))

;; A value computed into an accumulator and written to a local by `local.tee` (so that the
;; register and the local hold the same value) stays on the stack below the parameters of a
;; `loop`, which come from elsewhere (a local, a constant just stored): entering the loop puts
;; its parameters where the loop wants them, and the value below must be the tee'd one after the
;; loop, not what a parameter left in the register (wasmi 2.0.0 returns the parameter there:
;; fuzz/known-peer-bugs.md (f)). The results follow from the spec: a frame never touches the
;; operands below its parameters.
(module
  (func (export "tee-below-loop-param") (param i32 i64) (result i64) (local i64)
    (i64.mul (local.get 1) (i64.const 3))
    local.tee 2
    local.get 0
    loop (param i32)
      drop
    end)
  (func (export "tee-below-loop-param-f64") (param i32 f64) (result f64) (local f64)
    (f64.mul (local.get 1) (f64.const 2))
    local.tee 2
    local.get 1
    loop (param f64)
      drop
    end)
  (func (export "tee-below-loop-params") (param i32 f32 i64) (result i64) (local i64)
    (i64.add (local.get 2) (i64.const 1))
    local.tee 3
    local.get 0
    local.get 1
    loop (param i32 f32)
      drop
      drop
    end)
  (func (export "tee-below-loop-param-stored") (param i64) (result i64) (local i64 i32)
    (i64.add (local.get 0) (i64.const 1))
    local.tee 1
    i32.const 9
    local.set 2
    local.get 2
    loop (param i32)
      drop
    end
    local.get 1
    i64.add)
  ;; The loop iterates: its parameter counts 3, 2, 1 down to 0 (dropped at the end).
  (func (export "tee-below-loop-counting") (param i64) (result i64) (local i64 i32)
    (i64.add (local.get 0) (i64.const 1))
    local.tee 1
    i32.const 3
    local.set 2
    local.get 2
    loop (param i32) (result i32)
      i32.const 1
      i32.sub
      local.tee 2
      local.get 2
      br_if 0
    end
    drop)
)

(assert_return (invoke "tee-below-loop-param" (i32.const 5) (i64.const 7)) (i64.const 21))
(assert_return (invoke "tee-below-loop-param-f64" (i32.const 5) (f64.const 1.5)) (f64.const 3))
(assert_return (invoke "tee-below-loop-params" (i32.const 5) (f32.const 2) (i64.const 7)) (i64.const 8))
(assert_return (invoke "tee-below-loop-param-stored" (i64.const 7)) (i64.const 16))
(assert_return (invoke "tee-below-loop-counting" (i64.const 7)) (i64.const 8))

;; A value read from a local stays on the stack below the parameters of a frame, across a
;; `local.set`/`local.tee` of that local to its own value (a no-op) and a path that leaves the
;; frame early (a taken `br_if`, the `else` arm of an `if`): the value below is the local's,
;; whichever path (wasmi 2.0.0 returns 0 on the early path: its translator drops the no-op set
;; and with it the copy of the value below, fuzz/known-peer-bugs.md (d)). The results follow
;; from the spec: the set stores the local's own value, and a frame never touches the operands
;; below its parameters.
(module
  (func (export "no-op-set-below-block-param") (param i64 i32) (result i64)
    local.get 0
    local.get 0
    local.set 0
    i32.const 5
    block (param i32)
      local.get 1
      br_if 0
      block
      end
      drop
    end)
  (func (export "no-op-tee-below-block-param") (param i64 i32) (result i64)
    local.get 0
    local.get 0
    local.tee 0
    drop
    i32.const 5
    block (param i32)
      local.get 1
      br_if 0
      block
      end
      drop
    end)
  (func (export "no-op-set-below-if-params") (param i64 i32) (result i64)
    local.get 0
    local.get 0
    local.get 0
    local.set 0
    i64.const 5
    local.get 1
    if (param i64 i64) (result i64)
      drop
      drop
      loop
      end
      i64.const 0
    else
      i64.xor
    end
    i64.add)
)

;; Each early path first, with a value of its own (a wrong engine reads a stale slot).
(assert_return (invoke "no-op-set-below-block-param" (i64.const 7) (i32.const 1)) (i64.const 7))
(assert_return (invoke "no-op-set-below-block-param" (i64.const 8) (i32.const 0)) (i64.const 8))
(assert_return (invoke "no-op-tee-below-block-param" (i64.const 11) (i32.const 1)) (i64.const 11))
(assert_return (invoke "no-op-tee-below-block-param" (i64.const 12) (i32.const 0)) (i64.const 12))
(assert_return (invoke "no-op-set-below-if-params" (i64.const 13) (i32.const 0)) (i64.const 21))
(assert_return (invoke "no-op-set-below-if-params" (i64.const 14) (i32.const 1)) (i64.const 14))

;; A value read from a local stays below the parameter of a frame when that parameter is itself
;; a `local.get` whose local is written (`local.tee`/`local.set`) before the frame: the operand
;; holds the value read, not the local. The `else` arm (or a taken `br_if`) leaves the frame
;; without touching the value below. wasmi 2.0.0 returns 0 on those paths
;; (fuzz/known-peer-bugs.md (d): the write copies the parameter's pending read, so its frame
;; entry skips the one below instead; diff fuzzer seed 20261313, iteration 3715).
(module
  (func (export "tee-param-below-if-param") (param i64 i32) (result i64)
    local.get 0
    local.get 1
    local.get 1
    i32.eqz
    local.tee 1
    if (param i32)
      block
      end
      drop
    else
      drop
    end)
  (func (export "set-param-below-block-param") (param i64 i32) (result i64)
    local.get 0
    local.get 1
    i32.const 0
    local.set 1
    block (param i32)
      local.get 1
      i32.eqz
      br_if 0
      block
      end
      drop
    end)
)

(assert_return (invoke "tee-param-below-if-param" (i64.const 31) (i32.const 1)) (i64.const 31))
(assert_return (invoke "tee-param-below-if-param" (i64.const 32) (i32.const 0)) (i64.const 32))
(assert_return (invoke "set-param-below-block-param" (i64.const 33) (i32.const 1)) (i64.const 33))
