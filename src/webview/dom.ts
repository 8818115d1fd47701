// Tiny DOM builders. Text always goes in through textContent (never innerHTML), so model names and
// error messages from outside cannot inject markup. SVG geometry is set with setAttribute (presentation
// attributes, not `style`), which the panel's CSP allows; colours come from CSS classes.

export type Child = Node | string | number | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined>;

function setAttrs(el: Element, attrs: Attrs | undefined): void {
  if (!attrs) return;
  for (const k in attrs) {
    const v = attrs[k];
    if (v === undefined || v === false) continue;
    if (k === 'style') throw new Error('inline styles are not allowed by the panel CSP');
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag) as SVGElementTagNameMap[K];
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** A number shown with its unit; the raw value rides along in data-value (exact, for tests and
 *  copy) and the formatted text is what a reader sees. */
export function num(tag: 'td' | 'span' | 'strong', value: number, text: string, attrs?: Attrs): HTMLElement {
  return h(tag, { ...attrs, 'data-value': String(value), class: [attrs?.class, 'num'].filter(Boolean).join(' ') }, text);
}
