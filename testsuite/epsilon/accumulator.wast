;; The two accumulators: the result of an op can go straight to the op right after it in a
;; register instead of through the frame, an integer register for i32, i64 and f32 values and a
;; floating-point register for f64 values. Every function below passes a value from one op to
;; the next across the boundary between the two (a reinterpretation, a load or store shared
;; with integers, a conversion, a comparison, a return), with NaN payloads where bits could be
;; lost, so that a value read from the wrong accumulator gives a different result.

(module
  (memory 1)

  ;; An integer result reinterpreted as f64 and used by an f64 op: the f64 op must not read
  ;; the float accumulator, which the integer op did not write.
  (func (export "int-to-float") (param i64 i64) (result i64)
    (i64.reinterpret_f64 (f64.neg (f64.reinterpret_i64 (i64.add (local.get 0) (local.get 1))))))

  ;; ... and the other way round.
  (func (export "float-to-int") (param f64 f64) (result i64)
    (i64.xor (i64.reinterpret_f64 (f64.abs (f64.sub (local.get 0) (local.get 1))))
             (i64.const 0xff)))

  ;; f64 through load, arithmetic and store; read back as bits.
  (func (export "load-op-store") (param f64) (result i64)
    (f64.store (i32.const 8) (local.get 0))
    (f64.store (i32.const 16) (f64.mul (f64.load (i32.const 8)) (f64.const -2)))
    (i64.load (i32.const 16)))

  ;; An i64 load reinterpreted as f64 (a load that writes the integer accumulator).
  (func (export "int-load-to-float") (param i64) (result f64)
    (i64.store (i32.const 24) (local.get 0))
    (f64.copysign (f64.reinterpret_i64 (i64.load (i32.const 24))) (f64.const -1)))

  ;; An f64 load reinterpreted as i64 and shifted.
  (func (export "float-load-to-int") (param i64) (result i64)
    (i64.store (i32.const 32) (local.get 0))
    (i64.shr_u (i64.reinterpret_f64 (f64.load (i32.const 32))) (i64.const 4)))

  ;; An f64 op's result stored by an i64 store after a reinterpretation.
  (func (export "float-op-int-store") (param f64) (result i64)
    (i64.store (i32.const 40) (i64.reinterpret_f64 (f64.neg (local.get 0))))
    (i64.load (i32.const 40)))

  ;; An f64 result returned straight away.
  (func (export "return-float") (param f64 f64) (result f64)
    (f64.add (local.get 0) (local.get 1)))

  ;; A comparison reading f64 operands from the float accumulator, branching on the result.
  (func (export "compare-branch") (param f64) (result i32)
    (block $less
      (br_if $less (f64.lt (f64.mul (local.get 0) (local.get 0)) (f64.const 2)))
      (return (i32.const 0)))
    (i32.const 1))

  ;; Conversions in both directions, chained.
  (func (export "convert-chain") (param i64) (result i64)
    (i64.trunc_f64_s (f64.mul (f64.convert_i64_s (local.get 0)) (f64.const 3))))

  ;; f32 values stay in the integer accumulator; promoted to f64 and back.
  (func (export "f32-chain") (param f32) (result f32)
    (f32.demote_f64 (f64.add (f64.promote_f32 (f32.mul (local.get 0) (f32.const 2))) (f64.const 0.5))))

  ;; An f64 result splatted into a vector.
  (func (export "splat") (param f64) (result f64)
    (f64x2.extract_lane 1 (f64x2.splat (f64.sub (local.get 0) (f64.const 1)))))

  ;; A NaN with a payload through the float accumulator: neg and copysign only flip the sign.
  (func (export "nan-payload") (param i64) (result i64)
    (i64.reinterpret_f64 (f64.copysign (f64.neg (f64.reinterpret_i64 (local.get 0))) (f64.const 1))))

  ;; A select of f64 values computed just before.
  (func (export "select") (param f64 i32) (result f64)
    (select (f64.add (local.get 0) (f64.const 1)) (f64.sub (local.get 0) (f64.const 1)) (local.get 1)))
)

(assert_return (invoke "int-to-float" (i64.const 0x3ff0000000000000) (i64.const 0))
  (i64.const 0xbff0000000000000))
(assert_return (invoke "int-to-float" (i64.const 0x7ff0000000000001) (i64.const 0x0000000000001233))
  (i64.const 0xfff0000000001234))
(assert_return (invoke "float-to-int" (f64.const 1) (f64.const 3)) (i64.const 0x40000000000000ff))
(assert_return (invoke "load-op-store" (f64.const 1.5)) (i64.const 0xc008000000000000))
(assert_return (invoke "int-load-to-float" (i64.const 0x7ff4000000000abc)) (f64.const -nan:0x4000000000abc))
(assert_return (invoke "int-load-to-float" (i64.const 0x4000000000000000)) (f64.const -2))
(assert_return (invoke "float-load-to-int" (i64.const 0x7ff4000000000abc)) (i64.const 0x07ff4000000000ab))
(assert_return (invoke "float-op-int-store" (f64.const 2)) (i64.const 0xc000000000000000))
(assert_return (invoke "float-op-int-store" (f64.const nan:0x12345)) (i64.const 0xfff0000000012345))
(assert_return (invoke "return-float" (f64.const 0.25) (f64.const 0.5)) (f64.const 0.75))
(assert_return (invoke "compare-branch" (f64.const 1.25)) (i32.const 1))
(assert_return (invoke "compare-branch" (f64.const 1.5)) (i32.const 0))
(assert_return (invoke "compare-branch" (f64.const nan)) (i32.const 0))
(assert_return (invoke "convert-chain" (i64.const -7)) (i64.const -21))
(assert_return (invoke "convert-chain" (i64.const 0x10000000000)) (i64.const 0x30000000000))
(assert_return (invoke "f32-chain" (f32.const 1.25)) (f32.const 3))
(assert_return (invoke "splat" (f64.const 0.5)) (f64.const -0.5))
(assert_return (invoke "nan-payload" (i64.const 0x7ff0000000000abc)) (i64.const 0x7ff0000000000abc))
(assert_return (invoke "nan-payload" (i64.const 0xfff8000000000001)) (i64.const 0x7ff8000000000001))
(assert_return (invoke "nan-payload" (i64.const 0xc000000000000000)) (i64.const 0x4000000000000000))
(assert_return (invoke "select" (f64.const 2) (i32.const 1)) (f64.const 3))
(assert_return (invoke "select" (f64.const 2) (i32.const 0)) (f64.const 1))
(assert_trap (invoke "convert-chain" (i64.const 0x7000000000000000)) "integer overflow")

;; A multiply by a register of the value in the float accumulator followed by an add of a
;; constant (a step of Horner's rule) runs as one op. It must round twice, like the two ops,
;; not once like a fused multiply-add, and choose NaNs the same way: "fused" and "unfused" below
;; compute the same expression, the second with a local in between that keeps the ops apart.
(module
  (func $fused (param f64 f64) (result f64)
    (f64.add (f64.mul (f64.add (local.get 0) (f64.const 0)) (local.get 1)) (f64.const -0x1.00000008p+0)))
  (func $unfused (param f64 f64) (result f64) (local f64)
    (local.set 2 (f64.mul (f64.add (local.get 0) (f64.const 0)) (local.get 1)))
    (f64.add (local.get 2) (f64.const -0x1.00000008p+0)))
  (func (export "fused") (param f64 f64) (result f64) (call $fused (local.get 0) (local.get 1)))
  (func (export "same-bits") (param f64 f64) (result i32)
    (i64.eq (i64.reinterpret_f64 (call $fused (local.get 0) (local.get 1)))
            (i64.reinterpret_f64 (call $unfused (local.get 0) (local.get 1)))))
  ;; A polynomial in Horner form: 1 + x (1 + x (0.5 + x / 6)), five fusable steps in a row.
  (func (export "horner") (param f64) (result f64)
    (f64.add (f64.mul (f64.add (f64.mul (f64.add (f64.mul (f64.add (f64.mul
      (local.get 0) (f64.const 0.16666666666666666)) (f64.const 0.5)) (local.get 0)) (f64.const 1))
      (local.get 0)) (f64.const 1)) (local.get 0)) (f64.const 0)))
)

;; (1 + 2^-30)^2 = 1 + 2^-29 + 2^-60: rounded before the add, the 2^-60 is lost.
(assert_return (invoke "fused" (f64.const 0x1.00000004p+0) (f64.const 0x1.00000004p+0)) (f64.const 0))
(assert_return (invoke "same-bits" (f64.const 0x1.00000004p+0) (f64.const 0x1.00000004p+0)) (i32.const 1))
(assert_return (invoke "same-bits" (f64.const nan:0x4000000000001) (f64.const 2)) (i32.const 1))
(assert_return (invoke "same-bits" (f64.const 3) (f64.const -nan:0x12345)) (i32.const 1))
(assert_return (invoke "same-bits" (f64.const inf) (f64.const 0)) (i32.const 1))
(assert_return (invoke "same-bits" (f64.const 0x1p+1023) (f64.const 0x1p+1023)) (i32.const 1))
(assert_return (invoke "fused" (f64.const inf) (f64.const 0)) (f64.const nan:canonical))
(assert_return (invoke "horner" (f64.const 1)) (f64.const 2.6666666666666665))
(assert_return (invoke "horner" (f64.const 0)) (f64.const 0))
