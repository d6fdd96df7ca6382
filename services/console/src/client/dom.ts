import { channelView } from './vocabulary.ts';

/**
 * Building the page without HTML strings: every piece of data reaches the DOM as textContent or an
 * attribute value, never as markup.
 */
type Child = Node | string | null | undefined | false;
type Attributes = Record<string, string | number | boolean | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'text') element.textContent = String(value);
    else if (name === 'class') element.className = String(value);
    else element.setAttribute(name, value === true ? '' : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent: Node, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  }
}

/** Replaces an element's children. */
export function fill(parent: Element, ...children: (Child | Child[])[]): void {
  parent.replaceChildren();
  append(parent, children);
}

const SVG = 'http://www.w3.org/2000/svg';

export function svg(tag: string, attributes: Record<string, string | number> = {}, ...children: SVGElement[]): SVGElement {
  const element = document.createElementNS(SVG, tag) as SVGElement;
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.appendChild(child);
  return element;
}

export interface SparkSeries {
  values: readonly number[];
  className: string;
}

/**
 * A small line chart of one or more series sharing one scale (the largest value of all), newest on
 * the right. With fewer than two points it draws a flat baseline.
 */
export function sparkline(series: readonly SparkSeries[], label: string, width = 120, height = 28): SVGElement {
  const max = Math.max(1, ...series.flatMap((s) => s.values));
  const chart = svg('svg', { class: 'spark', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': label, preserveAspectRatio: 'none' });
  chart.appendChild(svg('line', { x1: 0, y1: height - 1, x2: width, y2: height - 1, class: 'spark-base' }));
  for (const { values, className } of series) {
    if (values.length < 2) continue;
    const step = width / (values.length - 1);
    const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
    chart.appendChild(svg('polyline', { points: points.join(' '), class: `spark-line ${className}` }));
    const [x, y] = points.at(-1)!.split(',');
    chart.appendChild(svg('circle', { cx: x!, cy: y!, r: 2, class: `spark-dot ${className}` }));
  }
  return chart;
}

/** The router's masks, kept as they are but made visible. */
const MASK = /\[card \*{4}\d{4}\]|\[code\]|\[password\]/g;

/** Text with the masked parts wrapped in <mark class="mask">, as text nodes only. */
export function maskedText(text: string, maskTitle: (mask: string) => string): Node[] {
  const nodes: Node[] = [];
  let last = 0;
  for (const match of text.matchAll(MASK)) {
    const at = match.index ?? 0;
    if (at > last) nodes.push(document.createTextNode(text.slice(last, at)));
    nodes.push(h('mark', { class: 'mask', title: maskTitle(match[0]), text: match[0] }));
    last = at + match[0].length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

export function channelIcon(channel: string, label: string): SVGElement {
  const { icon } = channelView(channel);
  const element = svg(
    'svg',
    { class: 'channel-icon', viewBox: '0 0 24 24', width: 22, height: 22, role: 'img', 'aria-label': label, 'data-channel': channel },
    svg('rect', { x: 0, y: 0, width: 24, height: 24, rx: 6, fill: icon.color }),
    svg('path', { d: icon.path, fill: 'none', stroke: '#fff', 'stroke-width': 1.8, 'stroke-linecap': 'round', 'stroke-linejoin': 'round' }),
  );
  const title = svg('title');
  title.textContent = label;
  element.prepend(title);
  return element;
}

/** An Idempotency-Key without crypto.randomUUID, which plain-http pages on another host do not have. */
export function newKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
