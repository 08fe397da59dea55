(module
  (func $f (param i32) (result i32)
    (select (i32.const 5) (local.get 0) (i32.eqz (local.get 0))))
  (func (export "f1") (result i32) (call $f (i32.const 1)))
  (func (export "f0") (result i32) (call $f (i32.const 0))))
