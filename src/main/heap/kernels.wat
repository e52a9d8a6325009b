;; The parser's two fast paths as WebAssembly, our own loops: integers (run, for decodeIntegers in
;; digits.ts) and strings (strings, for the parser's strings section). V8 compiles these to about a third of
;; the time of the same loops in JavaScript, which pays for typed-array bounds checks and per-string calls.
;; `npm run build:wasm` compiles this file into kernels-wasm.ts; a test checks that the two agree.
;;
;; run(p, end, o): decodes the numbers that start in [p, end), storing each at o, o + 4, ... The caller
;; guarantees that end follows a comma, so that every number that starts before end is closed by a comma
;; before it, and that the output has room for one number per two bytes. It returns where it stopped: end,
;; or the first byte of a number it leaves to the caller's general path (a byte that starts no number,
;; more than 10 digits, a value beyond 32 bits, anything but white space and a comma after the digits).
;; The global outEnd gets the address after the last number stored.
;;
;; strings(p, end, o, needComma): reads JSON strings from p up to end, each after a comma (with white space
;; around it) when needComma is 1 and for every string after the first, and stores each as two u32s at o:
;; the address of its body's first byte, and of its closing quote, plus 2^31 when it holds escapes (each
;; checked as JSON allows them). It returns the address after the last string's closing quote, or p when
;; it read none: anything else (a string cut by end, a bad escape, the closing bracket, a syntax error) is
;; left to the caller's general path. The output needs room for one string per three bytes. outEnd gets the
;; address after the last pair stored. It reads 16 bytes at a time, never past end.
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
    (local.get $p))

  ;; The byte may follow a backslash, besides u: " \ / b f n r t.
  (func $isSimpleEscape (param $c i32) (result i32)
    (i32.or
      (i32.or
        (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c)))
        (i32.or (i32.eq (local.get $c) (i32.const 0x2f)) (i32.eq (local.get $c) (i32.const 0x62))))
      (i32.or
        (i32.or (i32.eq (local.get $c) (i32.const 0x66)) (i32.eq (local.get $c) (i32.const 0x6e)))
        (i32.or (i32.eq (local.get $c) (i32.const 0x72)) (i32.eq (local.get $c) (i32.const 0x74))))))

  (func $isHexDigit (param $c i32) (result i32)
    (i32.or
      (i32.le_u (i32.sub (local.get $c) (i32.const 0x30)) (i32.const 9))
      (i32.le_u (i32.sub (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x61)) (i32.const 5))))

  (func (export "strings") (param $p i32) (param $end i32) (param $o i32) (param $needComma i32) (result i32)
    (local $done i32)
    (local $q i32)
    (local $c i32)
    (local $start i32)
    (local $escaped i32)
    (local $mask i32)
    (local.set $done (local.get $p))
    (block $stop
      (loop $string
        ;; The comma before the string, with white space around it.
        (if (local.get $needComma)
          (then
            (block $spaced
              (loop $space
                (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
                (br_if $spaced (i32.eqz (call $isSpace (i32.load8_u (local.get $p)))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $space)))
            (br_if $stop (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x2c)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (block $spaced
              (loop $space
                (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
                (br_if $spaced (i32.eqz (call $isSpace (i32.load8_u (local.get $p)))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (br $space)))))
        (br_if $stop (i32.ge_u (local.get $p) (local.get $end)))
        (br_if $stop (i32.ne (i32.load8_u (local.get $p)) (i32.const 0x22)))
        (local.set $start (i32.add (local.get $p) (i32.const 1)))
        (local.set $q (local.get $start))
        (local.set $escaped (i32.const 0))
        ;; The body: on to the next quote or backslash, 16 bytes at a time while they fit before end.
        (block $closed
          (loop $scan
            (block $found
              (loop $wide
                (br_if $found (i32.gt_u (i32.add (local.get $q) (i32.const 16)) (local.get $end)))
                (local.set $mask
                  (i8x16.bitmask
                    (v128.or
                      (i8x16.eq (v128.load (local.get $q)) (i8x16.splat (i32.const 0x22)))
                      (i8x16.eq (v128.load (local.get $q)) (i8x16.splat (i32.const 0x5c))))))
                (if (local.get $mask)
                  (then
                    (local.set $q (i32.add (local.get $q) (i32.ctz (local.get $mask))))
                    (br $found)))
                (local.set $q (i32.add (local.get $q) (i32.const 16)))
                (br $wide)))
            ;; Byte by byte over what is left (or from the byte found).
            (block $hit
              (loop $narrow
                (br_if $stop (i32.ge_u (local.get $q) (local.get $end)))
                (local.set $c (i32.load8_u (local.get $q)))
                (br_if $hit (i32.or (i32.eq (local.get $c) (i32.const 0x22)) (i32.eq (local.get $c) (i32.const 0x5c))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (br $narrow)))
            (br_if $closed (i32.eq (local.get $c) (i32.const 0x22)))
            ;; A backslash: the escape must be whole before end, and valid.
            (local.set $escaped (i32.const 1))
            (br_if $stop (i32.ge_u (i32.add (local.get $q) (i32.const 1)) (local.get $end)))
            (local.set $c (i32.load8_u (i32.add (local.get $q) (i32.const 1))))
            (if (i32.eq (local.get $c) (i32.const 0x75))
              (then
                (br_if $stop (i32.gt_u (i32.add (local.get $q) (i32.const 6)) (local.get $end)))
                (br_if $stop (i32.eqz (call $isHexDigit (i32.load8_u (i32.add (local.get $q) (i32.const 2))))))
                (br_if $stop (i32.eqz (call $isHexDigit (i32.load8_u (i32.add (local.get $q) (i32.const 3))))))
                (br_if $stop (i32.eqz (call $isHexDigit (i32.load8_u (i32.add (local.get $q) (i32.const 4))))))
                (br_if $stop (i32.eqz (call $isHexDigit (i32.load8_u (i32.add (local.get $q) (i32.const 5))))))
                (local.set $q (i32.add (local.get $q) (i32.const 6))))
              (else
                (br_if $stop (i32.eqz (call $isSimpleEscape (local.get $c))))
                (local.set $q (i32.add (local.get $q) (i32.const 2)))))
            (br $scan)))
        ;; Closed at q.
        (i32.store (local.get $o) (local.get $start))
        (i32.store offset=4 (local.get $o) (i32.or (local.get $q) (i32.shl (local.get $escaped) (i32.const 31))))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (local.set $p (i32.add (local.get $q) (i32.const 1)))
        (local.set $done (local.get $p))
        (local.set $needComma (i32.const 1))
        (br $string)))
    (global.set $outEnd (local.get $o))
    (local.get $done)))
