;; epsilon finding (wasi target, seed 1): path_link of a symbolic link (lookup flags 0: the
;; link itself, not its target) makes a hard link to the symlink in another directory, where
;; its relative target now climbs out of the sandbox.
;;
;;   mkdir sub; path_symlink("..", "sub/l") -> 0 (`..` from sub/ is the sandbox: allowed)
;;   path_link(3, 0, "sub/l", 3, "l")       -> 0, and now <sandbox>/l -> .. points outside
;;
;; The same fault family as path_rename (a link moved to a directory where its target escapes).
;; Fixed in main (links are checked at rename/link): path_link now refuses with ENOTCAPABLE
;; (76); kept as a regression case, and the wasi target fails on any such escape.
;; Run: put a directory at D, then
;;   cargo run -p epsilon --example wasi -- --dir D::/sandbox wasi-path-link-escaping-symlink.wat
;; and look at `ls -l D/l` (-> ..). Expected: path_link refuses (ENOTCAPABLE) or the link
;; stays inside. Exit code: the errno of path_link.
(module
  (import "wasi_snapshot_preview1" "path_create_directory" (func $mkdir (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "sub")
  (data (i32.const 16) "..")
  (data (i32.const 32) "sub/l")
  (data (i32.const 48) "l")
  (func (export "_start")
    (drop (call $mkdir (i32.const 3) (i32.const 0) (i32.const 3)))
    (drop (call $symlink (i32.const 16) (i32.const 2) (i32.const 3) (i32.const 32) (i32.const 5)))
    (call $exit (call $link (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 5)
                            (i32.const 3) (i32.const 48) (i32.const 1)))))
