;; The classifier's hot path in WebAssembly: feature extraction, the weight sums and the search for
;; the features that explain a decision. Source of
;; src/kernel-wasm.ts, which `pnpm --filter @switchboard/classifier build-wasm` regenerates (a test
;; checks the two agree); src/kernel.ts lays out the memory and is the only caller.
;; src/reference-features.ts is the executable spec of $extract, in plain TypeScript; a test compares
;; the two on random Unicode text.
;;
;; Why not JavaScript: these loops store into arrays on every step (a feature's bucket and span, a
;; class's sum, the short list of strongest features). In optimised JavaScript every store into a typed array makes V8 re-check the map,
;; length and base of every typed array the loop touches before the next access, unless the arrays
;; happen to be compile-time constants (when the function is inlined into a caller that holds them,
;; which the JIT decides run by run). Here memory accesses are plain loads and stores.
;;
;; Features (what src/features.ts documents): the text is folded unit by unit through the fold
;; table (separators kept, joiners dropped); each run of word characters gives a word, a bigram with
;; the previous word (a Han run breaks the chain) and the character n-grams of the word padded with
;; "<" and ">"; each run of Han characters gives its 1..hanMax-grams. Every feature is an FNV-1a hash
;; with a seed per kind, mixed and masked to a bucket; a bucket seen before in the same message only
;; has its count raised.
;;
;; V8 as Node 20 ships it does not inline one WebAssembly function into another, and a call per
;; character cost more than the work, so the one-line steps (an FNV-1a step, reading a folded unit,
;; its character class) are written out where they are used; $push, the one larger step, stays a call.
(module
  (import "kernel" "memory" (memory 1))

  ;; The layout: byte offsets of the arrays, and the extraction settings. Each is exported by name and
  ;; set by name from src/kernel.ts (its KernelLayout) before the first call.
  (global $foldTable (export "foldTable") (mut i32) (i32.const 0))    ;; u16 per UTF-16 unit: its folded form (0 = joiner)
  (global $classTable (export "classTable") (mut i32) (i32.const 0))  ;; u8 per folded unit: 0 separator, 1 word, 2 Han
  (global $text (export "text") (mut i32) (i32.const 0))              ;; u16 per unit of the message, written by the caller
  (global $folded (export "folded") (mut i32) (i32.const 0))          ;; u16 per unit of the folded message
  (global $padded (export "padded") (mut i32) (i32.const 0))          ;; u16 scratch: one padded word
  (global $marks (export "marks") (mut i32) (i32.const 0))            ;; u32 per bucket: generation << 16 | slot of the bucket's feature
  (global $buckets (export "buckets") (mut i32) (i32.const 0))        ;; i32 per distinct feature
  (global $counts (export "counts") (mut i32) (i32.const 0))          ;; u16 per distinct feature: occurrences
  (global $kinds (export "kinds") (mut i32) (i32.const 0))            ;; u8 per distinct feature: 0 word, 1 word bigram, 2 char n-gram, 3 Han n-gram
  (global $spanStarts (export "spanStarts") (mut i32) (i32.const 0))  ;; i32 per distinct feature: where in the folded text it first occurred
  (global $spanEnds (export "spanEnds") (mut i32) (i32.const 0))
  (global $bucketMask (export "bucketMask") (mut i32) (i32.const 0))  ;; 2^hashBits - 1
  (global $charMin (export "charMin") (mut i32) (i32.const 0))
  (global $charMax (export "charMax") (mut i32) (i32.const 0))
  (global $hanMax (export "hanMax") (mut i32) (i32.const 0))
  (global $maxWordLength (export "maxWordLength") (mut i32) (i32.const 0))
  ;; State of the last message.
  (global $generation (mut i32) (i32.const 0))
  (global $distinct (mut i32) (i32.const 0))
  (global $occurrences (mut i32) (i32.const 0))
  (global $foldedLength (mut i32) (i32.const 0))

  (func (export "occurrences") (result i32) (global.get $occurrences))
  (func (export "foldedLength") (result i32) (global.get $foldedLength))

  ;; Records one occurrence of the feature with this hash.
  (func $push (param $hash i32) (param $kind i32) (param $start i32) (param $end i32)
    (local $mixed i32) (local $markAt i32) (local $mark i32) (local $countAt i32) (local $slot i32)
    (global.set $occurrences (i32.add (global.get $occurrences) (i32.const 1)))
    ;; A final avalanche step spreads FNV's weak low bits over the bucket index.
    (local.set $mixed (i32.xor (local.get $hash) (i32.shr_u (local.get $hash) (i32.const 15))))
    (local.set $mixed (i32.mul (local.get $mixed) (i32.const 0x85ebca6b)))
    (local.set $mixed (i32.and (i32.xor (local.get $mixed) (i32.shr_u (local.get $mixed) (i32.const 13))) (global.get $bucketMask)))
    (local.set $markAt (i32.add (global.get $marks) (i32.shl (local.get $mixed) (i32.const 2))))
    (local.set $mark (i32.load (local.get $markAt)))
    (if (i32.eq (i32.shr_u (local.get $mark) (i32.const 16)) (global.get $generation))
      (then
        (local.set $countAt (i32.add (global.get $counts) (i32.shl (i32.and (local.get $mark) (i32.const 0xffff)) (i32.const 1))))
        (i32.store16 (local.get $countAt) (i32.add (i32.load16_u (local.get $countAt)) (i32.const 1)))
        (return)))
    (local.set $slot (global.get $distinct))
    (global.set $distinct (i32.add (local.get $slot) (i32.const 1)))
    (i32.store (local.get $markAt) (i32.or (i32.shl (global.get $generation) (i32.const 16)) (local.get $slot)))
    (i32.store (i32.add (global.get $buckets) (i32.shl (local.get $slot) (i32.const 2))) (local.get $mixed))
    (i32.store16 (i32.add (global.get $counts) (i32.shl (local.get $slot) (i32.const 1))) (i32.const 1))
    (i32.store8 (i32.add (global.get $kinds) (local.get $slot)) (local.get $kind))
    (i32.store (i32.add (global.get $spanStarts) (i32.shl (local.get $slot) (i32.const 2))) (local.get $start))
    (i32.store (i32.add (global.get $spanEnds) (i32.shl (local.get $slot) (i32.const 2))) (local.get $end)))

  ;; Every n-gram, n in [charMin, charMax], of the word [start, end) padded to "<word>". Position p of
  ;; the padded word is text position start + p - 1: the padding falls on the separators around it.
  (func $charNgrams (param $start i32) (param $end i32)
    (local $paddedLength i32) (local $k i32) (local $first i32) (local $n i32) (local $last i32) (local $hash i32)
    (local.set $paddedLength (i32.add (i32.sub (local.get $end) (local.get $start)) (i32.const 2)))
    (i32.store16 (global.get $padded) (i32.const 0x3c))
    (local.set $k (i32.const 1))
    (block $copied
      (loop $copy
        (br_if $copied (i32.ge_u (local.get $k) (i32.sub (local.get $paddedLength) (i32.const 1))))
        (i32.store16 (i32.add (global.get $padded) (i32.shl (local.get $k) (i32.const 1)))
          (i32.load16_u (i32.add (global.get $folded) (i32.shl (i32.add (local.get $start) (i32.sub (local.get $k) (i32.const 1))) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $copy)))
    (i32.store16 (i32.add (global.get $padded) (i32.shl (local.get $k) (i32.const 1))) (i32.const 0x3e))
    (block $firstsDone
      (loop $firsts
        (br_if $firstsDone (i32.ge_u (local.get $first) (local.get $paddedLength)))
        (local.set $hash (i32.const 0x5bd1e995))
        (local.set $last (i32.sub (local.get $paddedLength) (local.get $first)))
        (if (i32.lt_u (global.get $charMax) (local.get $last)) (then (local.set $last (global.get $charMax))))
        (local.set $n (i32.const 1))
        (block $lengthsDone
          (loop $lengths
            (br_if $lengthsDone (i32.gt_u (local.get $n) (local.get $last)))
            (local.set $hash (i32.mul (i32.xor (local.get $hash) (i32.load16_u (i32.add (global.get $padded)
                (i32.shl (i32.sub (i32.add (local.get $first) (local.get $n)) (i32.const 1)) (i32.const 1))))) (i32.const 16777619)))
            (if (i32.ge_u (local.get $n) (global.get $charMin))
              (then (call $push (local.get $hash) (i32.const 2)
                (i32.sub (i32.add (local.get $start) (local.get $first)) (i32.const 1))
                (i32.sub (i32.add (i32.add (local.get $start) (local.get $first)) (local.get $n)) (i32.const 1)))))
            (local.set $n (i32.add (local.get $n) (i32.const 1)))
            (br $lengths)))
        (local.set $first (i32.add (local.get $first) (i32.const 1)))
        (br $firsts))))

  ;; Every 1..hanMax-gram of the Han run [start, end).
  (func $hanNgrams (param $start i32) (param $end i32)
    (local $first i32) (local $i i32) (local $last i32) (local $hash i32)
    (local.set $first (local.get $start))
    (block $firstsDone
      (loop $firsts
        (br_if $firstsDone (i32.ge_u (local.get $first) (local.get $end)))
        (local.set $hash (i32.const 0x1b873593))
        (local.set $last (i32.add (local.get $first) (global.get $hanMax)))
        (if (i32.lt_u (local.get $end) (local.get $last)) (then (local.set $last (local.get $end))))
        (local.set $i (local.get $first))
        (block $lengthsDone
          (loop $lengths
            (br_if $lengthsDone (i32.ge_u (local.get $i) (local.get $last)))
            (local.set $hash (i32.mul (i32.xor (local.get $hash) (i32.load16_u (i32.add (global.get $folded) (i32.shl (local.get $i) (i32.const 1))))) (i32.const 16777619)))
            (call $push (local.get $hash) (i32.const 3) (local.get $first) (i32.add (local.get $i) (i32.const 1)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $lengths)))
        (local.set $first (i32.add (local.get $first) (i32.const 1)))
        (br $firsts))))

  ;; Extracts the features of the $length units at $text; returns how many distinct buckets were found.
  (func (export "extract") (param $length i32) (result i32)
    (local $i i32) (local $code i32) (local $foldedLength i32) (local $class i32) (local $start i32)
    (local $end i32) (local $wordHash i32) (local $k i32) (local $previousWordHash i32) (local $previousWordStart i32)
    (global.set $distinct (i32.const 0))
    (global.set $occurrences (i32.const 0))
    ;; A new generation makes every mark stale; once in 65,535 messages the marks are cleared.
    (global.set $generation (i32.and (i32.add (global.get $generation) (i32.const 1)) (i32.const 0xffff)))
    (if (i32.eqz (global.get $generation))
      (then
        (memory.fill (global.get $marks) (i32.const 0) (i32.shl (i32.add (global.get $bucketMask) (i32.const 1)) (i32.const 2)))
        (global.set $generation (i32.const 1))))
    (block $foldDone
      (loop $fold
        (br_if $foldDone (i32.ge_u (local.get $i) (local.get $length)))
        (local.set $code (i32.load16_u (i32.add (global.get $foldTable)
          (i32.shl (i32.load16_u (i32.add (global.get $text) (i32.shl (local.get $i) (i32.const 1)))) (i32.const 1)))))
        (if (local.get $code)
          (then
            (i32.store16 (i32.add (global.get $folded) (i32.shl (local.get $foldedLength) (i32.const 1))) (local.get $code))
            (local.set $foldedLength (i32.add (local.get $foldedLength) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $fold)))
    (global.set $foldedLength (local.get $foldedLength))

    (local.set $previousWordStart (i32.const -1))
    (local.set $i (i32.const 0))
    (block $scanDone
      (loop $scan
        (br_if $scanDone (i32.ge_u (local.get $i) (local.get $foldedLength)))
        (local.set $class (i32.load8_u (i32.add (global.get $classTable) (i32.load16_u (i32.add (global.get $folded) (i32.shl (local.get $i) (i32.const 1)))))))
        (if (i32.eqz (local.get $class))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $scan)))
        (local.set $start (local.get $i))
        (block $runDone
          (loop $run
            (br_if $runDone (i32.ge_u (local.get $i) (local.get $foldedLength)))
            (br_if $runDone (i32.ne (i32.load8_u (i32.add (global.get $classTable) (i32.load16_u (i32.add (global.get $folded) (i32.shl (local.get $i) (i32.const 1)))))) (local.get $class)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $run)))
        (if (i32.eq (local.get $class) (i32.const 1))
          (then
            (local.set $end (i32.add (local.get $start) (global.get $maxWordLength)))
            (if (i32.lt_u (local.get $i) (local.get $end)) (then (local.set $end (local.get $i))))
            (local.set $wordHash (i32.const 0x811c9dc5))
            (local.set $k (local.get $start))
            (block $hashed
              (loop $hash
                (br_if $hashed (i32.ge_u (local.get $k) (local.get $end)))
                (local.set $wordHash (i32.mul (i32.xor (local.get $wordHash) (i32.load16_u (i32.add (global.get $folded) (i32.shl (local.get $k) (i32.const 1))))) (i32.const 16777619)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $hash)))
            (call $push (local.get $wordHash) (i32.const 0) (local.get $start) (local.get $end))
            (if (i32.ge_s (local.get $previousWordStart) (i32.const 0))
              (then
                (call $push
                  (i32.xor
                    (i32.mul
                      (i32.xor (local.get $previousWordHash) (i32.mul (local.get $wordHash) (i32.const 0x9e3779b1)))
                      (i32.const 16777619))
                    (i32.const 0x2f1a3b6d))
                  (i32.const 1) (local.get $previousWordStart) (local.get $end))))
            (local.set $previousWordHash (local.get $wordHash))
            (local.set $previousWordStart (local.get $start))
            (call $charNgrams (local.get $start) (local.get $end)))
          (else
            ;; A Han run breaks the chain of English word bigrams ("我的card被盗": "card" has no left neighbour).
            (local.set $previousWordStart (i32.const -1))
            (call $hanNgrams (local.get $start) (local.get $i))))
        (br $scan)))
    (global.get $distinct))

  ;; Fills topFeatures/topWeights with the (at most $capacity) features of the last message whose
  ;; weight for $classIndex is largest and positive, strongest first (ties: the earlier feature first);
  ;; returns how many there are. Only words, word pairs and Han n-grams of two or more characters
  ;; take part: fragments of words and single characters explain little to a reader.
  (func (export "strongest")
    (param $distinct i32) (param $classIndex i32) (param $starts i32) (param $entries i32)
    (param $capacity i32) (param $topFeatures i32) (param $topWeights i32) (result i32)
    (local $feature i32) (local $kind i32) (local $bucket i32) (local $low i32) (local $high i32)
    (local $middle i32) (local $end i32) (local $packed i32) (local $weight i32) (local $kept i32) (local $position i32)
    (block $done
      (loop $features
        (br_if $done (i32.ge_u (local.get $feature) (local.get $distinct)))
        (block $next
          (local.set $kind (i32.load8_u (i32.add (global.get $kinds) (local.get $feature))))
          (br_if $next (i32.eq (local.get $kind) (i32.const 2)))
          (br_if $next (i32.and (i32.eq (local.get $kind) (i32.const 3))
            (i32.lt_s
              (i32.sub
                (i32.load (i32.add (global.get $spanEnds) (i32.shl (local.get $feature) (i32.const 2))))
                (i32.load (i32.add (global.get $spanStarts) (i32.shl (local.get $feature) (i32.const 2)))))
              (i32.const 2))))
          ;; A bucket's entries are in class order: binary search for ours.
          (local.set $bucket (i32.load (i32.add (global.get $buckets) (i32.shl (local.get $feature) (i32.const 2)))))
          (local.set $low (i32.load (i32.add (local.get $starts) (i32.shl (local.get $bucket) (i32.const 2)))))
          (local.set $end (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $bucket) (i32.const 2)))))
          (local.set $high (local.get $end))
          (block $found
            (loop $search
              (br_if $found (i32.ge_u (local.get $low) (local.get $high)))
              (local.set $middle (i32.shr_u (i32.add (local.get $low) (local.get $high)) (i32.const 1)))
              (if (i32.lt_u
                    (i32.shr_u (i32.load16_u (i32.add (local.get $entries) (i32.shl (local.get $middle) (i32.const 1)))) (i32.const 8))
                    (local.get $classIndex))
                (then (local.set $low (i32.add (local.get $middle) (i32.const 1))))
                (else (local.set $high (local.get $middle))))
              (br $search)))
          (br_if $next (i32.ge_u (local.get $low) (local.get $end)))
          (local.set $packed (i32.load16_u (i32.add (local.get $entries) (i32.shl (local.get $low) (i32.const 1)))))
          (br_if $next (i32.ne (i32.shr_u (local.get $packed) (i32.const 8)) (local.get $classIndex)))
          (local.set $weight (i32.extend8_s (local.get $packed)))
          (br_if $next (i32.le_s (local.get $weight) (i32.const 0)))
          (br_if $next (i32.and (i32.eq (local.get $kept) (local.get $capacity))
            (i32.le_s (local.get $weight)
              (i32.load (i32.add (local.get $topWeights) (i32.shl (i32.sub (local.get $kept) (i32.const 1)) (i32.const 2)))))))
          ;; Insertion into the short sorted list.
          (local.set $position (i32.sub (local.get $capacity) (i32.const 1)))
          (if (i32.lt_u (local.get $kept) (local.get $capacity))
            (then
              (local.set $position (local.get $kept))
              (local.set $kept (i32.add (local.get $kept) (i32.const 1)))))
          (block $placed
            (loop $shift
              (br_if $placed (i32.eqz (local.get $position)))
              (br_if $placed (i32.ge_s
                (i32.load (i32.add (local.get $topWeights) (i32.shl (i32.sub (local.get $position) (i32.const 1)) (i32.const 2))))
                (local.get $weight)))
              (i32.store (i32.add (local.get $topWeights) (i32.shl (local.get $position) (i32.const 2)))
                (i32.load (i32.add (local.get $topWeights) (i32.shl (i32.sub (local.get $position) (i32.const 1)) (i32.const 2)))))
              (i32.store (i32.add (local.get $topFeatures) (i32.shl (local.get $position) (i32.const 2)))
                (i32.load (i32.add (local.get $topFeatures) (i32.shl (i32.sub (local.get $position) (i32.const 1)) (i32.const 2)))))
              (local.set $position (i32.sub (local.get $position) (i32.const 1)))
              (br $shift)))
          (i32.store (i32.add (local.get $topFeatures) (i32.shl (local.get $position) (i32.const 2))) (local.get $feature))
          (i32.store (i32.add (local.get $topWeights) (i32.shl (local.get $position) (i32.const 2))) (local.get $weight)))
        (local.set $feature (i32.add (local.get $feature) (i32.const 1)))
        (br $features)))
    (local.get $kept))

  ;; sums[class] = Σ over the first $distinct features of count × the bucket's weight for the class.
  ;; starts: u32 per bucket, where its entries begin (starts[bucket + 1] is where they end); entries:
  ;; u16 per entry, class in the high byte and int8 weight in the low byte; sums: i32 per class.
  (func (export "accumulate")
    (param $distinct i32) (param $starts i32) (param $entries i32) (param $sums i32) (param $classCount i32)
    (local $feature i32) (local $bucket i32) (local $count i32) (local $entry i32) (local $end i32)
    (local $packed i32) (local $sum i32)
    (memory.fill (local.get $sums) (i32.const 0) (i32.shl (local.get $classCount) (i32.const 2)))
    (block $done
      (loop $features
        (br_if $done (i32.ge_u (local.get $feature) (local.get $distinct)))
        (local.set $bucket (i32.load (i32.add (global.get $buckets) (i32.shl (local.get $feature) (i32.const 2)))))
        (local.set $count (i32.load16_u (i32.add (global.get $counts) (i32.shl (local.get $feature) (i32.const 1)))))
        (local.set $entry (i32.load (i32.add (local.get $starts) (i32.shl (local.get $bucket) (i32.const 2)))))
        (local.set $end (i32.load offset=4 (i32.add (local.get $starts) (i32.shl (local.get $bucket) (i32.const 2)))))
        (block $bucketDone
          (loop $bucketEntries
            (br_if $bucketDone (i32.ge_u (local.get $entry) (local.get $end)))
            (local.set $packed (i32.load16_u (i32.add (local.get $entries) (i32.shl (local.get $entry) (i32.const 1)))))
            (local.set $sum (i32.add (local.get $sums) (i32.shl (i32.shr_u (local.get $packed) (i32.const 8)) (i32.const 2))))
            (i32.store (local.get $sum)
              (i32.add (i32.load (local.get $sum)) (i32.mul (local.get $count) (i32.extend8_s (local.get $packed)))))
            (local.set $entry (i32.add (local.get $entry) (i32.const 1)))
            (br $bucketEntries)))
        (local.set $feature (i32.add (local.get $feature) (i32.const 1)))
        (br $features)))))
