;; Adds to memory in place (`x[i] += v`). The translator fuses a load, an add of the loaded
;; value and a store of the sum to the same address and width into one op. These check each
;; width and operand form (register in either order, constant), offsets, wrapping, float
;; results and NaNs, traps at the end of memory (which must leave memory unchanged), and near
;; misses that must not be fused: another address, another offset, a narrower store, a
;; narrower load, and a sum that is also kept.

(module
  (memory 1)

  (func (export "i32_add") (param $p i32) (param $v i32) (result i32)
    (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (local.get $v)))
    (i32.load (local.get $p)))
  ;; the loaded value as the right operand
  (func (export "i32_add_rev") (param $p i32) (param $v i32) (result i32)
    (i32.store (local.get $p) (i32.add (local.get $v) (i32.load (local.get $p))))
    (i32.load (local.get $p)))
  ;; a constant, with an offset
  (func (export "i32_dec") (param $p i32) (result i32)
    (i32.store offset=4 (local.get $p) (i32.add (i32.load offset=4 (local.get $p)) (i32.const -1)))
    (i32.load offset=4 (local.get $p)))
  (func (export "i64_add") (param $p i32) (param $v i64) (result i64)
    (i64.store (local.get $p) (i64.add (i64.load (local.get $p)) (local.get $v)))
    (i64.load (local.get $p)))
  ;; a negative constant: sign-extended to 64 bits
  (func (export "i64_sub5") (param $p i32) (result i64)
    (i64.store offset=8 (local.get $p) (i64.add (i64.load offset=8 (local.get $p)) (i64.const -5)))
    (i64.load offset=8 (local.get $p)))
  (func (export "f32_add") (param $p i32) (param $v f32) (result f32)
    (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $v)))
    (f32.load (local.get $p)))
  (func (export "f64_add") (param $p i32) (param $v f64) (result f64)
    (f64.store (local.get $p) (f64.add (f64.load (local.get $p)) (local.get $v)))
    (f64.load (local.get $p)))
  ;; in a loop, the shape of `c[j] += a * b[j]`
  (func (export "axpy") (param $n i32) (param $a f64) (result f64)
    (local $j i32) (local $sum f64)
    (loop $next
      (f64.store offset=1024 (local.get $j)
        (f64.add (f64.load offset=1024 (local.get $j))
                 (f64.mul (local.get $a) (f64.load offset=2048 (local.get $j)))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br_if $next (i32.lt_u (local.get $j) (i32.shl (local.get $n) (i32.const 3)))))
    (local.set $j (i32.const 0))
    (loop $sum
      (local.set $sum (f64.add (local.get $sum) (f64.load offset=1024 (local.get $j))))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br_if $sum (i32.lt_u (local.get $j) (i32.shl (local.get $n) (i32.const 3)))))
    (local.get $sum))

  ;; near misses
  (func (export "other_address") (param $p i32) (param $q i32) (param $v i32) (result i32)
    (i32.store (local.get $q) (i32.add (i32.load (local.get $p)) (local.get $v)))
    (i32.load (local.get $q)))
  (func (export "other_offset") (param $p i32) (param $v i32) (result i32)
    (i32.store offset=4 (local.get $p) (i32.add (i32.load (local.get $p)) (local.get $v)))
    (i32.load offset=4 (local.get $p)))
  (func (export "narrow_store") (param $p i32) (param $v i32) (result i32)
    (i32.store8 (local.get $p) (i32.add (i32.load (local.get $p)) (local.get $v)))
    (i32.load (local.get $p)))
  (func (export "narrow_load") (param $p i32) (param $v i64) (result i64)
    (i64.store (local.get $p) (i64.add (i64.load32_u (local.get $p)) (local.get $v)))
    (i64.load (local.get $p)))
  (func (export "kept") (param $p i32) (param $v i32) (result i32)
    (local $sum i32)
    (i32.store (local.get $p) (local.tee $sum (i32.add (i32.load (local.get $p)) (local.get $v))))
    (i32.add (local.get $sum) (i32.load (local.get $p))))

  (func (export "set64") (param $p i32) (param $v i64) (i64.store (local.get $p) (local.get $v)))
  (func (export "get64") (param $p i32) (result i64) (i64.load (local.get $p)))
  (func (export "get32") (param $p i32) (result i32) (i32.load (local.get $p)))
  (func (export "get_f64_bits") (param $p i32) (result i64) (i64.load (local.get $p)))
)

(assert_return (invoke "i32_add" (i32.const 0) (i32.const 5)) (i32.const 5))
(assert_return (invoke "i32_add" (i32.const 0) (i32.const 0x7ffffffb)) (i32.const 0x80000000))
(assert_return (invoke "i32_add_rev" (i32.const 0) (i32.const -1)) (i32.const 0x7fffffff))
(assert_return (invoke "i32_add" (i32.const 1) (i32.const 0)) (i32.const 0x007fffff))
(assert_return (invoke "i32_dec" (i32.const 0)) (i32.const -1))
(assert_return (invoke "i32_dec" (i32.const 0)) (i32.const -2))
(assert_return (invoke "get32" (i32.const 0)) (i32.const 0x7fffffff))

(assert_return (invoke "set64" (i32.const 16) (i64.const 3)))
(assert_return (invoke "i64_add" (i32.const 16) (i64.const 0x1_0000_0000)) (i64.const 0x1_0000_0003))
(assert_return (invoke "i64_add" (i32.const 16) (i64.const -0x1_0000_0004)) (i64.const -1))
(assert_return (invoke "i64_sub5" (i32.const 8)) (i64.const -6))
(assert_return (invoke "get64" (i32.const 16)) (i64.const -6))

(assert_return (invoke "f32_add" (i32.const 32) (f32.const 1.5)) (f32.const 1.5))
(assert_return (invoke "f32_add" (i32.const 32) (f32.const 2.25)) (f32.const 3.75))
(assert_return (invoke "f32_add" (i32.const 32) (f32.const nan:0x200000)) (f32.const nan:arithmetic))
(assert_return (invoke "f64_add" (i32.const 40) (f64.const -0.5)) (f64.const -0.5))
(assert_return (invoke "f64_add" (i32.const 40) (f64.const 0x1p-50)) (f64.const -0x1.ffffffffffffp-2))
(assert_return (invoke "f64_add" (i32.const 40) (f64.const inf)) (f64.const inf))
(assert_return (invoke "f64_add" (i32.const 40) (f64.const -inf)) (f64.const nan:canonical))

;; c[j] = j-th f64 at 1024 (zero), b[j] at 2048 (zero): a * 0 + 0 over 4 elements
(assert_return (invoke "set64" (i32.const 2048) (i64.const 0x3ff0000000000000)))
(assert_return (invoke "set64" (i32.const 2056) (i64.const 0x4000000000000000)))
(assert_return (invoke "set64" (i32.const 2064) (i64.const 0x4008000000000000)))
(assert_return (invoke "axpy" (i32.const 3) (f64.const 0.5)) (f64.const 3))
(assert_return (invoke "axpy" (i32.const 3) (f64.const 2)) (f64.const 15))

;; the last word of memory, then one byte past it: the trap leaves memory unchanged
(assert_return (invoke "set64" (i32.const 65528) (i64.const 0x0102030405060708)))
(assert_return (invoke "i32_add" (i32.const 65532) (i32.const 1)) (i32.const 0x01020305))
(assert_trap (invoke "i32_add" (i32.const 65533) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "i32_dec" (i32.const 65529)) "out of bounds memory access")
(assert_trap (invoke "i64_add" (i32.const 65529) (i64.const 1)) "out of bounds memory access")
(assert_trap (invoke "f32_add" (i32.const 65533) (f32.const 1)) "out of bounds memory access")
(assert_trap (invoke "f64_add" (i32.const 65529) (f64.const 1)) "out of bounds memory access")
(assert_trap (invoke "i32_add" (i32.const -1) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "get64" (i32.const 65528)) (i64.const 0x0102030505060708))
(assert_return (invoke "i64_add" (i32.const 65528) (i64.const -1)) (i64.const 0x0102030505060707))

;; near misses compute what they say
(assert_return (invoke "set64" (i32.const 100) (i64.const 0x0000000a_00000007)))
(assert_return (invoke "other_address" (i32.const 100) (i32.const 104) (i32.const 1)) (i32.const 8))
(assert_return (invoke "get32" (i32.const 100)) (i32.const 7))
(assert_return (invoke "other_offset" (i32.const 100) (i32.const 2)) (i32.const 9))
(assert_return (invoke "get32" (i32.const 100)) (i32.const 7))
(assert_return (invoke "narrow_store" (i32.const 100) (i32.const 0xff)) (i32.const 6))
(assert_return (invoke "set64" (i32.const 200) (i64.const 0x00000001_ffffffff)))
(assert_return (invoke "narrow_load" (i32.const 200) (i64.const 1)) (i64.const 0x1_0000_0000))
(assert_return (invoke "set64" (i32.const 200) (i64.const 5)))
(assert_return (invoke "kept" (i32.const 200) (i32.const 6)) (i32.const 22))
