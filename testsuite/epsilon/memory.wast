;; Memory accesses whose address is an `i32.add` and stores of constants. The translator fuses
;; an add into the access that uses its result (the access computes the sum) and stores
;; constants from an immediate; these check the sum still wraps at 2^32 before the offset is
;; added, that every operand form of the add (register, accumulator, immediate) reads the
;; right value, that constant stores write the constant's exact bits (sign extension, NaN
;; payloads, values too wide for an immediate), and that out-of-bounds sums still trap.

(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")

  ;; register + immediate, no offset
  (func (export "load_ri") (param $p i32) (result i32)
    (i32.load8_u (i32.add (local.get $p) (i32.const 3))))
  ;; register + immediate: the sum wraps (0xffff_fffd + 5 = 2), it is not 2^32 + 2
  (func (export "load_wrap") (param $p i32) (result i32)
    (i32.load8_u (i32.add (local.get $p) (i32.const 5))))
  ;; register + register, with an offset added after the (wrapping) sum
  (func (export "load_rr_offset") (param $a i32) (param $b i32) (result i32)
    (i32.load8_u offset=4 (i32.add (local.get $a) (local.get $b))))
  ;; register + immediate with an offset: the add is kept (no form has room for both)
  (func (export "load_ri_offset") (param $p i32) (result i32)
    (i32.load16_u offset=2 (i32.add (local.get $p) (i32.const 1))))
  ;; accumulator + register: the left operand of the add is computed just before it
  (func (export "load_acc_r") (param $i i32) (param $base i32) (result i32)
    (i32.load8_u (i32.add (i32.shl (local.get $i) (i32.const 1)) (local.get $base))))
  ;; accumulator + immediate, with an offset, result used by the next op
  (func (export "load_acc_i") (param $i i32) (result i32)
    (i32.add
      (i32.load8_u offset=1 (i32.add (i32.mul (local.get $i) (i32.const 2)) (i32.const 2)))
      (i32.const 100)))
  ;; the sum of two temps (call results): their slots must not be reused before the load
  (func $seven (result i32) (i32.const 7))
  (func $three (result i32) (i32.const 3))
  (func (export "load_temps") (result i32)
    (i32.load8_u (i32.add (call $seven) (call $three))))
  ;; 64-bit loads through a sum
  (func (export "load64_ri") (param $p i32) (result i64)
    (i64.load (i32.add (local.get $p) (i32.const 8))))
  ;; the add's result also kept in a local: the add stays, the load reads the local
  (func (export "load_tee") (param $p i32) (result i32)
    (local $q i32)
    (i32.add
      (i32.load8_u (local.tee $q (i32.add (local.get $p) (i32.const 1))))
      (local.get $q)))

  ;; stores through a sum: register + immediate address, register / immediate value
  (func (export "store_ri") (param $p i32) (param $v i32) (result i32)
    (i32.store8 (i32.add (local.get $p) (i32.const 100)) (local.get $v))
    (i32.load8_u (i32.const 103)))
  (func (export "store_ri_imm") (param $p i32) (result i32)
    (i32.store16 (i32.add (local.get $p) (i32.const 100)) (i32.const 0x1234))
    (i32.load16_u (i32.const 104)))
  (func (export "store_wrap") (param $p i32) (result i32)
    (i32.store8 (i32.add (local.get $p) (i32.const 120)) (i32.const 0x5a))
    (i32.load8_u (i32.const 116)))
  ;; register + register with an offset, and accumulator + immediate
  (func (export "store_rr_offset") (param $a i32) (param $b i32) (param $v i32) (result i32)
    (i32.store offset=8 (i32.add (local.get $a) (local.get $b)) (local.get $v))
    (i32.load (i32.const 208)))
  (func (export "store_acc_i") (param $i i32) (result i64)
    (i64.store (i32.add (i32.shl (local.get $i) (i32.const 3)) (i32.const 256)) (i64.const -2))
    (i64.load (i32.const 264)))
  ;; a constant value too wide for an immediate is materialised; the address sum of two temps
  ;; must not be overwritten by it
  (func (export "store_wide_temps") (result i64)
    (i64.store (i32.add (call $seven) (call $three)) (i64.const 0x1122334455667788))
    (i64.load (i32.const 10)))
  ;; value computed after the address (the add is not the last op: no fusion)
  (func (export "store_computed") (param $p i32) (param $v i32) (result i32)
    (i32.store (i32.add (local.get $p) (i32.const 300)) (i32.mul (local.get $v) (local.get $v)))
    (i32.load (i32.const 304)))

  ;; immediate values: sign extension to 64 bits, truncation to the width, float bits
  (func (export "store_i64_neg") (result i64)
    (i64.store (i32.const 400) (i64.const -5))
    (i64.load (i32.const 400)))
  (func (export "store_i64_wide") (result i64)
    (i64.store (i32.const 400) (i64.const 0x8000_0000))
    (i64.load (i32.const 400)))
  (func (export "store_i64_min32") (result i64)
    (i64.store (i32.const 400) (i64.const -0x8000_0000))
    (i64.load (i32.const 400)))
  (func (export "store_i64_32") (result i64)
    (i64.store (i32.const 400) (i64.const -1))
    (i64.store32 (i32.const 400) (i64.const 0x1_0000_0005))
    (i64.load (i32.const 400)))
  (func (export "store_i64_8") (result i64)
    (i64.store (i32.const 400) (i64.const 0))
    (i64.store8 (i32.const 400) (i64.const -1))
    (i64.load (i32.const 400)))
  (func (export "store_f32_nan") (result i32)
    (f32.store (i32.const 400) (f32.const nan:0x200001))
    (i32.load (i32.const 400)))
  (func (export "store_f64_neg_zero") (result i64)
    (f64.store (i32.const 400) (f64.const -0))
    (i64.load (i32.const 400)))
  (func (export "store_f64_one") (result i64)
    (f64.store (i32.const 400) (f64.const 1))
    (i64.load (i32.const 400)))
  (func (export "store_acc_addr_imm") (param $i i32) (result i32)
    (i32.store (i32.mul (local.get $i) (i32.const 4)) (i32.const -7))
    (i32.load (i32.mul (local.get $i) (i32.const 4))))

  ;; out of bounds through a sum
  (func (export "load_oob") (param $p i32) (result i32)
    (i32.load (i32.add (local.get $p) (i32.const 65533))))
  (func (export "store_oob") (param $p i32)
    (i32.store offset=65534 (i32.add (local.get $p) (local.get $p)) (i32.const 1)))
)

(assert_return (invoke "load_ri" (i32.const 0)) (i32.const 4))
(assert_return (invoke "load_ri" (i32.const 10)) (i32.const 14))
(assert_return (invoke "load_wrap" (i32.const -3)) (i32.const 3))
(assert_return (invoke "load_rr_offset" (i32.const 1) (i32.const 2)) (i32.const 8))
(assert_return (invoke "load_rr_offset" (i32.const 0x8000_0000) (i32.const 0x8000_0001)) (i32.const 6))
(assert_trap (invoke "load_rr_offset" (i32.const -1) (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "load_ri_offset" (i32.const 0)) (i32.const 0x0504))
(assert_return (invoke "load_ri_offset" (i32.const -1)) (i32.const 0x0403))
(assert_return (invoke "load_acc_r" (i32.const 2) (i32.const 1)) (i32.const 6))
(assert_return (invoke "load_acc_r" (i32.const 0x8000_0000) (i32.const 3)) (i32.const 4))
(assert_return (invoke "load_acc_i" (i32.const 1)) (i32.const 106))
(assert_return (invoke "load_acc_i" (i32.const -1)) (i32.const 102))
(assert_return (invoke "load_temps") (i32.const 11))
(assert_return (invoke "load64_ri" (i32.const 0)) (i64.const 0x100f0e0d0c0b0a09))
(assert_return (invoke "load_tee" (i32.const 4)) (i32.const 11))
(assert_trap (invoke "load64_ri" (i32.const 65528)) "out of bounds memory access")

(assert_return (invoke "store_ri" (i32.const 3) (i32.const 0x1ff)) (i32.const 0xff))
(assert_return (invoke "store_ri_imm" (i32.const 4)) (i32.const 0x1234))
(assert_return (invoke "store_wrap" (i32.const -4)) (i32.const 0x5a))
(assert_return (invoke "store_rr_offset" (i32.const 100) (i32.const 100) (i32.const 77)) (i32.const 77))
(assert_return (invoke "store_rr_offset" (i32.const 201) (i32.const -1) (i32.const 78)) (i32.const 78))
(assert_return (invoke "store_acc_i" (i32.const 1)) (i64.const -2))
(assert_return (invoke "store_wide_temps") (i64.const 0x1122334455667788))
(assert_return (invoke "store_computed" (i32.const 4) (i32.const 9)) (i32.const 81))

(assert_return (invoke "store_i64_neg") (i64.const -5))
(assert_return (invoke "store_i64_wide") (i64.const 0x8000_0000))
(assert_return (invoke "store_i64_min32") (i64.const -0x8000_0000))
(assert_return (invoke "store_i64_32") (i64.const 0xffff_ffff_0000_0005))
(assert_return (invoke "store_i64_8") (i64.const 0xff))
(assert_return (invoke "store_f32_nan") (i32.const 0x7fa00001))
(assert_return (invoke "store_f64_neg_zero") (i64.const 0x8000_0000_0000_0000))
(assert_return (invoke "store_f64_one") (i64.const 0x3ff0_0000_0000_0000))
(assert_return (invoke "store_acc_addr_imm" (i32.const 150)) (i32.const -7))

(assert_return (invoke "load_oob" (i32.const -65533)) (i32.const 0x04030201))
(assert_return (invoke "load_oob" (i32.const -1)) (i32.const 0))
(assert_trap (invoke "load_oob" (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "store_oob" (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "store_oob" (i32.const -1)) "out of bounds memory access")
