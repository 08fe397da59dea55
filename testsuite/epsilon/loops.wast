;; `while` loops: a loop whose first instruction is a conditional branch out of it, closed by an
;; unconditional branch back. The translator moves the test to the bottom (inverted) so each
;; iteration takes one branch instead of two; these check that the loop runs exactly as
;; written: the same iterations, exits on NaN comparisons, loops with parameters, back edges
;; from nested blocks, and tests that read the accumulator.

(module
  ;; sum of i for i < n (i32.ge_s exit test)
  (func (export "sum") (param $n i32) (result i32)
    (local $i i32) (local $s i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $s (i32.add (local.get $s) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top)))
    (local.get $s))

  ;; halve x while x > 1 (f64 exit test: a NaN must exit at once, as `!(x > 1)` is true)
  (func (export "halvings") (param $x f64) (result i32)
    (local $k i32)
    (block $out
      (loop $top
        (br_if $out (i32.eqz (f64.gt (local.get $x) (f64.const 1))))
        (local.set $x (f64.mul (local.get $x) (f64.const 0.5)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $top)))
    (local.get $k))

  ;; exit when the float test is true (NaN never equals anything: loops until the guard)
  (func (export "until-eq") (param $x f32) (result i32)
    (local $k i32)
    (block $out
      (loop $top
        (br_if $out (f32.eq (local.get $x) (f32.const 0)))
        (br_if $out (i32.ge_u (local.get $k) (i32.const 100)))
        (local.set $x (f32.sub (local.get $x) (f32.const 1)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $top)))
    (local.get $k))

  ;; i64 count with an eqz exit test
  (func (export "countdown") (param $n i64) (result i64)
    (local $steps i64)
    (block $out
      (loop $top
        (br_if $out (i64.eqz (local.get $n)))
        (local.set $n (i64.sub (local.get $n) (i64.const 1)))
        (local.set $steps (i64.add (local.get $steps) (i64.const 2)))
        (br $top)))
    (local.get $steps))

  ;; the back edge comes from inside nested blocks
  (func (export "nested-back-edge") (param $n i32) (result i32)
    (local $i i32) (local $odd i32)
    (block $out
      (loop $top
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (block $even
          (br_if $even (i32.eqz (i32.and (local.get $i) (i32.const 1))))
          (local.set $odd (i32.add (local.get $odd) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (block $b (block $a (br $top)))))
    (local.get $odd))

  ;; a loop with a parameter: the back edge carries a value
  (func (export "loop-param") (param $n i32) (result i32)
    (local $i i32)
    (block $out (result i32)
      (i32.const 0)
      (loop $top (param i32) (result i32)
        (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
        (i32.add (local.get $i))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $top))))

  ;; the exit test reads a value computed just before it in the loop body (the accumulator)
  (func (export "collatz") (param $x i32) (result i32)
    (local $steps i32)
    (block $out
      (loop $top
        (br_if $out (i32.le_u (local.get $x) (i32.const 1)))
        (if (i32.and (local.get $x) (i32.const 1))
          (then (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 3)) (i32.const 1))))
          (else (local.set $x (i32.shr_u (local.get $x) (i32.const 1)))))
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (br $top)))
    (local.get $steps))
)

(assert_return (invoke "sum" (i32.const 0)) (i32.const 0))
(assert_return (invoke "sum" (i32.const 1)) (i32.const 0))
(assert_return (invoke "sum" (i32.const 10)) (i32.const 45))
(assert_return (invoke "sum" (i32.const -5)) (i32.const 0))
(assert_return (invoke "halvings" (f64.const 8)) (i32.const 3))
(assert_return (invoke "halvings" (f64.const 1)) (i32.const 0))
(assert_return (invoke "halvings" (f64.const 1e300)) (i32.const 997))
(assert_return (invoke "halvings" (f64.const nan)) (i32.const 0))
(assert_return (invoke "until-eq" (f32.const 3)) (i32.const 3))
(assert_return (invoke "until-eq" (f32.const nan)) (i32.const 100))
(assert_return (invoke "until-eq" (f32.const 0.5)) (i32.const 100))
(assert_return (invoke "countdown" (i64.const 0)) (i64.const 0))
(assert_return (invoke "countdown" (i64.const 21)) (i64.const 42))
(assert_return (invoke "nested-back-edge" (i32.const 0)) (i32.const 0))
(assert_return (invoke "nested-back-edge" (i32.const 9)) (i32.const 4))
(assert_return (invoke "loop-param" (i32.const 0)) (i32.const 0))
(assert_return (invoke "loop-param" (i32.const 5)) (i32.const 10))
(assert_return (invoke "collatz" (i32.const 1)) (i32.const 0))
(assert_return (invoke "collatz" (i32.const 27)) (i32.const 111))

;; A loop counter's step and the branch that tests it become one op (`I32StepBrNe_i` and
;; friends): `i += k; br_if (i != n)`, `i < n` (unsigned) or `i != 0`, i32 and i64, the counter
;; on either side of `!=`, steps and bounds of 16 bits (larger ones stay two ops).
(module
  (func (export "count-ne-imm") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const 3)))
      (br_if $l (i32.ne (local.get 0) (i32.const 300))))
    (local.get 1))
  (func (export "count-ne-reg-swapped") (param i32 i32) (result i32) (local i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 2)))
      (br_if $l (i32.ne (local.get 1) (local.get 0))))
    (local.get 2))
  (func (export "count-down-nez") (param i32) (result i32) (local i32)
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 2)))
      (br_if $l (local.tee 0 (i32.add (local.get 0) (i32.const -1)))))
    (local.get 1))
  (func (export "count-ltu") (param i32 i32) (result i32) (local i32)
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const 7)))
      (br_if $l (i32.lt_u (local.get 0) (local.get 1))))
    (local.get 2))
  (func (export "count-ltu-imm-max") (param i32) (result i32) (local i32)
    ;; 65535 is the largest bound the fused op holds, 65536 the smallest it does not.
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const 32767)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 65535))))
    (loop $m
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const -32768)))
      (br_if $m (i32.lt_u (local.get 0) (i32.const 65536))))
    (local.get 1))
  (func (export "count-wraps") (param i32) (result i32) (local i32)
    ;; Unsigned wrap-around of the counter: 0xfffffffe + 1, + 1 = 0.
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $l (i32.ne (local.get 0) (i32.const 0))))
    (local.get 1))
  (func (export "count64-ltu-imm") (param i64) (result i64) (local i64)
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (local.set 0 (i64.add (local.get 0) (i64.const 100)))
      (br_if $l (i64.lt_u (local.get 0) (i64.const 1000))))
    (local.get 1))
  (func (export "count64-ne-reg") (param i64 i64) (result i64) (local i64)
    (loop $l
      (local.set 2 (i64.add (local.get 2) (i64.const 1)))
      (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
      (br_if $l (i64.ne (local.get 0) (local.get 1))))
    (local.get 2))
  (func (export "count64-nez") (param i64) (result i64) (local i64)
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (local.set 0 (i64.add (local.get 0) (i64.const -5)))
      (br_if $l (i64.ne (local.get 0) (i64.const 0))))
    (local.get 1))
  (func (export "count64-negative-bound") (param i64) (result i64) (local i64)
    ;; -1 as an i64 bound is not a 16-bit unsigned bound: two ops, still right.
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (local.set 0 (i64.add (local.get 0) (i64.const 1)))
      (br_if $l (i64.ne (local.get 0) (i64.const -1))))
    (local.get 1))
  (func (export "step-then-exit") (param i32) (result i32)
    ;; The counter's new value is what the code after the loop sees.
    (loop $l
      (local.set 0 (i32.add (local.get 0) (i32.const 10)))
      (br_if $l (i32.lt_u (local.get 0) (i32.const 95))))
    (local.get 0))
  (func (export "label-between") (param i32) (result i32) (local i32)
    ;; A branch lands between the step and the test: they must stay apart.
    (block $b
      (local.set 0 (i32.add (local.get 0) (i32.const 1)))
      (br_if $b (i32.eqz (local.get 1))))
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (block $skip
        (local.set 0 (i32.add (local.get 0) (i32.const 1)))
        (br_if $skip (i32.gt_u (local.get 1) (i32.const 3))))
      (br_if $l (i32.ne (local.get 0) (i32.const 20))))
    (local.get 1))
  (func (export "exit-from-function") (param i32) (result i32)
    ;; br_if out of the function (a return) after the step.
    (local.set 0 (i32.add (local.get 0) (i32.const 4)))
    (drop (br_if 0 (i32.const 7) (i32.ne (local.get 0) (i32.const 8))))
    (i32.const 9))
)

(assert_return (invoke "count-ne-imm" (i32.const 0)) (i32.const 100))
(assert_return (invoke "count-ne-reg-swapped" (i32.const 100) (i32.const 40)) (i32.const 30))
(assert_return (invoke "count-down-nez" (i32.const 6)) (i32.const 12))
(assert_return (invoke "count-ltu" (i32.const 0) (i32.const 70)) (i32.const 10))
(assert_return (invoke "count-ltu" (i32.const 100) (i32.const 70)) (i32.const 1))
(assert_return (invoke "count-ltu-imm-max" (i32.const 0)) (i32.const 6))
(assert_return (invoke "count-wraps" (i32.const 0xfffffffe)) (i32.const 2))
(assert_return (invoke "count64-ltu-imm" (i64.const 0)) (i64.const 10))
(assert_return (invoke "count64-ltu-imm" (i64.const 0xffffffff00000000)) (i64.const 1))
(assert_return (invoke "count64-ne-reg" (i64.const 0x100000003) (i64.const 0xffffffff)) (i64.const 4))
(assert_return (invoke "count64-nez" (i64.const 25)) (i64.const 5))
(assert_return (invoke "count64-negative-bound" (i64.const -4)) (i64.const 3))
(assert_return (invoke "step-then-exit" (i32.const 0)) (i32.const 100))
(assert_return (invoke "label-between" (i32.const 0)) (i32.const 19))
(assert_return (invoke "exit-from-function" (i32.const 4)) (i32.const 9))
(assert_return (invoke "exit-from-function" (i32.const 5)) (i32.const 7))

;; Counting down to a signed bound (`I32StepBrGtS_i`, `I64StepBrGtS_i`): `i -= k; br_if (i > n)`
;; with a 16-bit bound, sign-extended (so -1 and -32768 fuse too). The test reads the new value
;; and compares signed: a counter below zero stops, one that wraps past the minimum goes on.
(module
  (func (export "down-gts") (param i32 i32) (result i32) (local i32)
    ;; counts the steps of 3 from $0 down until it is no longer > -5
    (loop $l
      (local.set 2 (i32.add (local.get 2) (i32.const 1)))
      (local.set 0 (i32.sub (local.get 0) (i32.const 3)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const -5))))
    (i32.add (i32.mul (local.get 2) (i32.const 1000)) (local.get 0)))
  (func (export "down-gts-min") (param i32) (result i32) (local i32)
    ;; the smallest 16-bit bound
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const -10000)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const -32768))))
    (local.get 1))
  (func (export "down-gts-wraps") (param i32) (result i32) (local i32)
    ;; i32 minimum + 1 - 2 wraps to the maximum, which is > the bound: the loop goes on
    (loop $l
      (local.set 1 (i32.add (local.get 1) (i32.const 1)))
      (local.set 0 (i32.add (local.get 0) (i32.const -2)))
      (br_if $l (i32.gt_s (local.get 0) (i32.const 0x7ffffff0))))
    (local.get 1))
  (func (export "down64-gts") (param i64) (result i64) (local i64)
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (local.set 0 (i64.add (local.get 0) (i64.const -7)))
      (br_if $l (i64.gt_s (local.get 0) (i64.const -1))))
    (i64.add (i64.mul (local.get 1) (i64.const 1000)) (local.get 0)))
  (func (export "down64-gts-big-bound") (param i64) (result i64) (local i64)
    ;; 40000 is not a 16-bit signed bound: two ops, still right.
    (loop $l
      (local.set 1 (i64.add (local.get 1) (i64.const 1)))
      (local.set 0 (i64.sub (local.get 0) (i64.const 1000)))
      (br_if $l (i64.gt_s (local.get 0) (i64.const 40000))))
    (local.get 1))
)

;; 10 -> 7, 4, 1, -2, -5: five steps, ends at -5
(assert_return (invoke "down-gts" (i32.const 10) (i32.const 0)) (i32.const 4995))
;; already below: one step
(assert_return (invoke "down-gts" (i32.const -100) (i32.const 0)) (i32.const 897))
;; 0 -> -10000, -20000, -30000, -40000: four steps
(assert_return (invoke "down-gts-min" (i32.const 0)) (i32.const 4))
;; 0x80000001 - 2 = 0x7fffffff (> 0x7ffffff0, signed), then down by 2 to 0x7ffffff1, 0x7fffffef:
;; 1 + 8 + 1 = 9 steps (an unsigned test would stop after the first)
(assert_return (invoke "down-gts-wraps" (i32.const 0x80000001)) (i32.const 9))
;; 20 -> 13, 6, -1: three steps, ends at -1
(assert_return (invoke "down64-gts" (i64.const 20)) (i64.const 2999))
;; a counter above 2^32: signed i64 comparison throughout (613566757 steps, ends at -3)
(assert_return (invoke "down64-gts" (i64.const 0x100000000)) (i64.const 613566756997))
(assert_return (invoke "down64-gts-big-bound" (i64.const 45000)) (i64.const 5))
