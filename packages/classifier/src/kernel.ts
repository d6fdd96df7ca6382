import type { FeatureConfig } from './features.ts';
import { KERNEL_WASM_BASE64 } from './kernel-wasm.ts';
import * as normalize from './normalize.ts';

const KERNEL = new WebAssembly.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64'));
const PAGE_BYTES = 65536;
const UNITS = 0x10000;
const MAX_WORD_LENGTH = normalize.MAX_WORD_LENGTH;

/**
 * Where the kernel finds its arrays (byte offsets into its memory) and how it extracts. kernel.wat
 * exports one mutable global per field, under the field's name, and `configure` sets each by name.
 */
export interface KernelLayout {
  foldTable: number;
  classTable: number;
  text: number;
  folded: number;
  padded: number;
  marks: number;
  buckets: number;
  counts: number;
  kinds: number;
  spanStarts: number;
  spanEnds: number;
  /** 2^hashBits − 1. */
  bucketMask: number;
  charMin: number;
  charMax: number;
  hanMax: number;
  maxWordLength: number;
}

interface KernelFunctions {
  extract(length: number): number;
  occurrences(): number;
  foldedLength(): number;
  accumulate(distinct: number, starts: number, entries: number, sums: number, classCount: number): void;
  strongest(distinct: number, classIndex: number, starts: number, entries: number, capacity: number, topFeatures: number, topWeights: number): number;
}

/** The most features `strongest` can name. */
const MAX_STRONGEST = 16;

/** A model's weights, laid out as the kernel reads them. */
export interface KernelWeights {
  /** Entries of bucket b are entries[starts[b]] up to entries[starts[b + 1]]. */
  starts: Uint32Array;
  /** Class in the high byte, int8 weight in the low byte, bucket after bucket, classes ascending within a bucket. */
  entries: Uint16Array;
  classCount: number;
}

/** The most distinct features one message can have under `config`. */
function featureCapacity(config: FeatureConfig): number {
  const perChar = config.charNgramMax - config.charNgramMin + 1 + config.hanNgramMax + 2;
  return (config.maxChars + 2) * perChar + 16;
}

/**
 * The WebAssembly side of the classifier's hot path (src/kernel.wat: feature extraction, weight sums
 * and the search for the features that explain a decision) with the memory it works in. The arrays
 * below are views of that memory: the features of the last message, and the weights when a model
 * was given. One kernel serves one caller at a time (everything in it is synchronous).
 */
export class Kernel {
  readonly folded: Uint16Array;
  readonly buckets: Int32Array;
  readonly counts: Uint16Array;
  readonly kinds: Uint8Array;
  readonly spanStarts: Int32Array;
  readonly spanEnds: Int32Array;
  /** Present when the kernel was given weights. */
  readonly weights: KernelWeights | undefined;
  readonly sums: Int32Array;
  /** Filled by `strongest`: indexes of the last message's features, strongest first. */
  readonly strongestFeatures: Int32Array;
  private readonly exports: KernelFunctions;
  private readonly text: Buffer;
  private readonly maxChars: number;
  private readonly weightsAt: { starts: number; entries: number; sums: number; topFeatures: number; topWeights: number };

  constructor(config: FeatureConfig, weights?: KernelWeights) {
    const capacity = featureCapacity(config);
    if (capacity > 0xffff) throw new Error(`maxChars ${config.maxChars} gives more distinct features than a slot index holds`);
    let size = 0;
    // Each array starts on an 8-byte boundary.
    const place = (bytes: number): number => {
      const offset = size;
      size += Math.ceil(bytes / 8) * 8;
      return offset;
    };
    const at = {
      foldTable: place(UNITS * 2),
      classTable: place(UNITS),
      text: place(config.maxChars * 2),
      folded: place((config.maxChars + 1) * 2),
      padded: place((MAX_WORD_LENGTH + 2) * 2),
      marks: place((1 << config.hashBits) * 4),
      buckets: place(capacity * 4),
      counts: place(capacity * 2),
      kinds: place(capacity),
      spanStarts: place(capacity * 4),
      spanEnds: place(capacity * 4),
    };
    this.weightsAt = {
      starts: place(weights?.starts.byteLength ?? 0),
      entries: place(weights?.entries.byteLength ?? 0),
      sums: place((weights?.classCount ?? 0) * 4),
      topFeatures: place(MAX_STRONGEST * 4),
      topWeights: place(MAX_STRONGEST * 4),
    };
    const memory = new WebAssembly.Memory({ initial: Math.ceil(size / PAGE_BYTES) });
    const instance = new WebAssembly.Instance(KERNEL, { kernel: { memory } });
    configure(instance, {
      ...at,
      bucketMask: (1 << config.hashBits) - 1,
      charMin: config.charNgramMin,
      charMax: config.charNgramMax,
      hanMax: config.hanNgramMax,
      maxWordLength: MAX_WORD_LENGTH,
    });
    this.exports = instance.exports as unknown as KernelFunctions;
    const { buffer } = memory;
    new Uint16Array(buffer, at.foldTable, UNITS).set(normalize.FOLD);
    new Uint8Array(buffer, at.classTable, UNITS).set(normalize.CHAR_CLASS);
    this.text = Buffer.from(buffer, at.text, config.maxChars * 2);
    this.maxChars = config.maxChars;
    this.folded = new Uint16Array(buffer, at.folded, config.maxChars + 1);
    this.buckets = new Int32Array(buffer, at.buckets, capacity);
    this.counts = new Uint16Array(buffer, at.counts, capacity);
    this.kinds = new Uint8Array(buffer, at.kinds, capacity);
    this.spanStarts = new Int32Array(buffer, at.spanStarts, capacity);
    this.spanEnds = new Int32Array(buffer, at.spanEnds, capacity);
    if (weights) {
      const starts = new Uint32Array(buffer, this.weightsAt.starts, weights.starts.length);
      starts.set(weights.starts);
      const entries = new Uint16Array(buffer, this.weightsAt.entries, weights.entries.length);
      entries.set(weights.entries);
      this.weights = { starts, entries, classCount: weights.classCount };
    }
    this.sums = new Int32Array(buffer, this.weightsAt.sums, weights?.classCount ?? 0);
    this.strongestFeatures = new Int32Array(buffer, this.weightsAt.topFeatures, MAX_STRONGEST);
  }

  /** Extracts the features of the first maxChars UTF-16 units of `text`; returns how many distinct buckets it has. */
  extract(text: string): number {
    const length = Math.min(text.length, this.maxChars);
    // One native copy of the string's UTF-16 units (lone surrogates included) into the kernel's memory.
    this.text.write(text, 0, length * 2, 'utf16le');
    return this.exports.extract(length);
  }

  /** Occurrences (with repeats) in the last message. */
  occurrences(): number {
    return this.exports.occurrences();
  }

  /** Length of the last message's folded text. */
  foldedLength(): number {
    return this.exports.foldedLength();
  }

  /** sums[class] = Σ over the first `distinct` features of count × the bucket's weight for the class. */
  accumulate(distinct: number): Int32Array {
    const { classCount } = this.requireWeights();
    this.exports.accumulate(distinct, this.weightsAt.starts, this.weightsAt.entries, this.weightsAt.sums, classCount);
    return this.sums;
  }

  /**
   * Puts in `strongestFeatures` the (at most `capacity`) features among the first `distinct` whose
   * weight for `classIndex` is largest and positive, strongest first, and returns how many there
   * are. Only words, word pairs and Han n-grams of two or more characters count: fragments of words
   * and single characters explain little to a reader.
   */
  strongest(distinct: number, classIndex: number, capacity: number): number {
    this.requireWeights();
    if (capacity > MAX_STRONGEST) throw new RangeError(`at most ${MAX_STRONGEST} features can be named, not ${capacity}`);
    const at = this.weightsAt;
    return this.exports.strongest(distinct, classIndex, at.starts, at.entries, capacity, at.topFeatures, at.topWeights);
  }

  private requireWeights(): KernelWeights {
    if (!this.weights) throw new Error('this kernel was made without weights');
    return this.weights;
  }
}

/** Sets every field of the layout on the kernel global of the same name. */
function configure(instance: WebAssembly.Instance, layout: KernelLayout): void {
  for (const [name, value] of Object.entries(layout)) {
    const global = instance.exports[name];
    if (!(global instanceof WebAssembly.Global)) throw new Error(`kernel.wat exports no setting named ${name}`);
    global.value = value;
  }
}

/** The names of the settings kernel.wat exports: a test checks they are exactly KernelLayout's fields. */
export function kernelSettingNames(): string[] {
  return WebAssembly.Module.exports(KERNEL)
    .filter((entry) => entry.kind === 'global')
    .map((entry) => entry.name);
}
