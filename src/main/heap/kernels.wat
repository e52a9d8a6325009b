;; The fast path of decodeIntegers (digits.ts) as WebAssembly: "digits," repeated, with JSON white space
;; around the commas, from bytes in linear memory into u32s in linear memory. V8 compiles this loop to
;; about a third of the time of the same loop in JavaScript, which pays for typed-array bounds checks.
;; `npm run build:wasm` compiles it into digits-wasm.ts; a test checks that the two agree.
;;
;; run(p, end, o): decodes the numbers that start in [p, end), storing each at o, o + 4, ... The caller
;; guarantees that end follows a comma, so that every number that starts before end is closed by a comma
;; before it, and that the output has room for one number per two bytes. It returns where it stopped: end,
;; or the first byte of a number it leaves to the caller's general path (a byte that starts no number,
;; more than 10 digits, a value beyond 32 bits, anything but white space and a comma after the digits).
;; The global outEnd gets the address after the last number stored.
(module
  (import "env" "memory" (memory 1))
  (global $outEnd (export "outEnd") (mut i32) (i32.const 0))

  ;; JSON white space: space, \n, \r, \t.
  (func $isSpace (param $b i32) (result i32)
    (i32.or
      (i32.or (i32.eq (local.get $b) (i32.const 32)) (i32.eq (local.get $b) (i32.const 10)))
      (i32.or (i32.eq (local.get $b) (i32.const 13)) (i32.eq (local.get $b) (i32.const 9)))))

  (func (export "run") (param $p i32) (param $end i32) (param $o i32) (result i32)
    (local $c i32)
    (local $v i64)
    (local $start i32)
    (local $digitsEnd i32)
    (block $done
      (block $leave
        (loop $number
          (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
          (local.set $start (local.get $p))
          ;; c: the byte's digit value; any other byte wraps above 9.
          (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
          (br_if $done (i32.gt_u (local.get $c) (i32.const 9)))
          (local.set $v (i64.extend_i32_u (local.get $c)))
          (block $digitsDone
            (loop $digit
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
              (br_if $digitsDone (i32.gt_u (local.get $c) (i32.const 9)))
              (local.set $v (i64.add (i64.mul (local.get $v) (i64.const 10)) (i64.extend_i32_u (local.get $c))))
              (br $digit)))
          (local.set $digitsEnd (local.get $p))
          ;; A comma is 44, so c is -4. White space may come before it (c + 48 is the byte).
          (if (i32.ne (local.get $c) (i32.const -4))
            (then
              (block $spaced
                (loop $space
                  (br_if $spaced (i32.eqz (call $isSpace (i32.add (local.get $c) (i32.const 48)))))
                  (local.set $p (i32.add (local.get $p) (i32.const 1)))
                  (local.set $c (i32.sub (i32.load8_u (local.get $p)) (i32.const 48)))
                  (br $space)))))
          (br_if $leave (i32.ne (local.get $c) (i32.const -4)))
          (br_if $leave (i32.gt_u (i32.sub (local.get $digitsEnd) (local.get $start)) (i32.const 10)))
          (br_if $leave (i64.gt_u (local.get $v) (i64.const 0xffffffff)))
          (i32.store (local.get $o) (i32.wrap_i64 (local.get $v)))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (local.set $p (i32.add (local.get $p) (i32.const 1)))
          ;; White space after the comma, up to end (digits are above 32, white space is not).
          (block $after
            (loop $space
              (br_if $after (i32.ge_u (local.get $p) (local.get $end)))
              (local.set $c (i32.load8_u (local.get $p)))
              (br_if $after (i32.gt_u (local.get $c) (i32.const 32)))
              (br_if $after (i32.eqz (call $isSpace (local.get $c))))
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br $space)))
          (br $number)))
      ;; Left to the caller: back to the number's first byte.
      (local.set $p (local.get $start)))
    (global.set $outEnd (local.get $o))
    (local.get $p)))
