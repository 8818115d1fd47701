// Box-drawn tables for the terminal, in the style ccusage's reports made familiar: a header row, a
// rule between rows, right-aligned numbers, cells of several lines (the models of a day, one per
// line). `fit` shrinks the flexible columns (ellipsis) so the table fits the terminal's width.
export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** May be cut (with …) to fit the width. */
  flexible?: boolean;
  /** Never narrower than this when cut. */
  minWidth?: number;
}

export type Cell = string | string[];

export interface BoxTableOptions {
  /** Terminal width to fit into (no limit when undefined). */
  width?: number;
  /** Row indexes after which a heavier rule is drawn (e.g. before the total). */
  ruleBefore?: number[];
}

const lines = (c: Cell): string[] => (Array.isArray(c) ? (c.length ? c : ['']) : c.split('\n'));
const cut = (s: string, w: number): string => ([...s].length <= w ? s : `${[...s].slice(0, Math.max(0, w - 1)).join('')}…`);
const len = (s: string): number => [...s].length;

function widthsFor(columns: Column[], rows: Cell[][], maxWidth: number | undefined): number[] {
  const widths = columns.map((c, i) => Math.max(len(c.header), ...rows.map((r) => Math.max(...lines(r[i] ?? '').map(len)))));
  if (maxWidth === undefined) return widths;
  const total = (): number => widths.reduce((a, w) => a + w + 3, 1);
  for (let guard = 0; total() > maxWidth && guard < 1000; guard++) {
    const flex = columns.map((c, i) => (c.flexible && widths[i] > (c.minWidth ?? 6) ? i : -1)).filter((i) => i >= 0);
    if (!flex.length) break;
    const widest = flex.reduce((a, i) => (widths[i] > widths[a] ? i : a), flex[0]);
    widths[widest]--;
  }
  return widths;
}

export function renderBoxTable(columns: Column[], rows: Cell[][], opts: BoxTableOptions = {}): string {
  const widths = widthsFor(columns, rows, opts.width);
  const rule = (l: string, m: string, r: string): string => `${l}${widths.map((w) => '─'.repeat(w + 2)).join(m)}${r}`;
  const pad = (s: string, i: number): string => {
    const t = cut(s, widths[i]);
    const fill = ' '.repeat(widths[i] - len(t));
    return columns[i].align === 'right' ? fill + t : t + fill;
  };
  const renderRow = (cells: Cell[]): string[] => {
    const split = columns.map((_, i) => lines(cells[i] ?? ''));
    const height = Math.max(...split.map((l) => l.length));
    const out: string[] = [];
    for (let k = 0; k < height; k++) out.push(`│ ${split.map((l, i) => pad(l[k] ?? '', i)).join(' │ ')} │`);
    return out;
  };
  const out = [rule('┌', '┬', '┐'), ...renderRow(columns.map((c) => c.header))];
  rows.forEach((r, i) => {
    out.push(rule('├', '┼', '┤'));
    if (opts.ruleBefore?.includes(i)) out[out.length - 1] = rule('╞', '╪', '╡').replace(/─/g, '═');
    out.push(...renderRow(r));
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n') + '\n';
}
