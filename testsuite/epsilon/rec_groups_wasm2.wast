;; With WebAssembly 2.0's features (typed function references off, and with them 3.0's type
;; system): explicit recursive type groups, `sub` types, types that refer to themselves, and
;; `global.get` of a global defined in the module in a constant expression are all rejected.
;; (rec_groups.wast has them with the features on.)

(assert_invalid
  (module (rec (type (func)) (type (func))))
  "rec group usage requires"
)
(assert_invalid
  (module (rec (type (func))))
  "rec group usage requires"
)
(assert_invalid
  (module (type (sub (func))))
  "subtypes"
)
(assert_invalid
  (module
    (global i32 (i32.const 1))
    (global i32 (global.get 0))
  )
  "constant expression required"
)
(assert_invalid
  (module
    (global i32 (i32.const 0))
    (memory 1)
    (data (offset (global.get 0)) "a")
  )
  "constant expression required"
)

;; An imported global is fine, as in 2.0.
(module $G (global (export "g") i32 (i32.const 3)))
(register "G" $G)
(module
  (global $g (import "G" "g") i32)
  (global $h i32 (global.get $g))
  (func (export "h") (result i32) (global.get $h))
)
(assert_return (invoke "h") (i32.const 3))
