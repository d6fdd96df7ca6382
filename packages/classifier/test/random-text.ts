import { seededRandom } from '@switchboard/runtime';
import { TRADITIONAL_TO_SIMPLIFIED } from '../src/chinese-variants.ts';

const TRADITIONAL = [...TRADITIONAL_TO_SIMPLIFIED.keys()];

/** Pools of UTF-16 units the generator draws from, each with a weight: what the features treat differently. */
function unitPools(random: () => number): Array<[number, () => string]> {
  const between = (low: number, high: number) => String.fromCharCode(low + Math.floor(random() * (high - low + 1)));
  const oneOf = (text: string) => text[Math.floor(random() * text.length)]!;
  return [
    [30, () => between(0x61, 0x7a)], // a-z
    [6, () => between(0x41, 0x5a)], // A-Z: folded to lower case
    [4, () => between(0x30, 0x39)], // digits: folded to 0
    [12, () => oneOf(' \n\t')],
    [5, () => oneOf(".,!?;:-_@#$%&*()[]{}<>/\\\"+=~`|")],
    [2, () => oneOf("'\u2019")], // joiners: dropped inside words
    [4, () => between(0xc0, 0x24f)], // Latin-1 and Latin Extended letters, with × and ÷
    [3, () => between(0xff01, 0xff5e)], // full-width ASCII
    [14, () => between(0x4e00, 0x9fff)], // Han
    [6, () => String.fromCharCode(TRADITIONAL[Math.floor(random() * TRADITIONAL.length)]!)], // Traditional: folded to Simplified
    [1, () => between(0x3400, 0x4dbf)], // Han extension A
    [1, () => between(0xf900, 0xfaff)], // Han compatibility ideographs
    [2, () => oneOf('。、，！？「」')],
    [2, () => String.fromCodePoint(0x1f300 + Math.floor(random() * 0x400))], // emoji: a surrogate pair
    [1, () => between(0xd800, 0xdbff)], // a lone high surrogate
    [1, () => between(0xdc00, 0xdfff)], // a lone low surrogate
    [3, () => between(0, 0xffff)], // anything in the BMP
  ];
}

/** `count` seeded random texts: mostly under 120 UTF-16 units, every 50th past `maxChars`, every 40th with a word longer than the cut. */
export function randomTexts(seed: number, count: number, maxChars: number): string[] {
  const random = seededRandom(seed);
  const pools = unitPools(random);
  const totalWeight = pools.reduce((sum, [weight]) => sum + weight, 0);
  const unit = () => {
    let draw = random() * totalWeight;
    for (const [weight, make] of pools) if ((draw -= weight) < 0) return make();
    return pools[0]![1]();
  };
  return Array.from({ length: count }, (_, index) => {
    // Mostly short messages; every 50th runs past maxChars, every 40th has a word longer than the cut.
    const length = index % 50 === 0 ? maxChars + Math.floor(random() * 50) : Math.floor(random() * 120);
    let text = '';
    while (text.length < length) text += unit();
    if (index % 40 === 0) text += 'x'.repeat(35 + Math.floor(random() * 20));
    return text;
  });
}
