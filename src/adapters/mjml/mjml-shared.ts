/**
 * One MJML render for two documents that differ in a few places (an edition's e-mail and its archive
 * copy: header, footer, trimmed summaries). MJML's cost is its body rendering, component by component,
 * and most of both documents is the same: the body children (mj-section …) both have are rendered once,
 * those only one has are rendered too, each component's HTML being its own (a section's place counts
 * only inside an mj-wrapper with a gap, which is never cut). The rendered body is cut back into two at
 * markers between the children, and each document is built with MJML's own skeleton and finished by
 * MJML's own steps, so both are exactly what a render each makes (test/unit/editions/shared-render.test.ts).
 *
 * Only for documents whose root, head and body attributes are the same, and without what reworks the
 * whole rendered document (inline styles, mj-html-attributes, per-instance component styles): for those
 * the answer is undefined (or Unshared, thrown from the render) and each document is rendered on its own.
 */

export interface MjmlNode {
  tagName: string;
  attributes?: Record<string, string>;
  children?: MjmlNode[];
  content?: string;
  [key: string]: unknown;
}

/** What MJML passes to its skeleton: the rendered body and the head's collected data. */
export interface SkeletonInput {
  content: string;
  fonts?: Record<string, string>;
  mediaQueries?: Record<string, string>;
  headStyle?: Record<string, unknown>;
  componentsHeadStyle?: unknown[];
  inlineStyle?: unknown[];
  htmlAttributes?: Record<string, unknown>;
  [key: string]: unknown;
}

export type Skeleton = (input: SkeletonInput) => string;

/** Which document a run of body children belongs to. */
type Owner = 'both' | 'first' | 'second';

export interface SharedDocument {
  /** The union to render: the first document's head, both documents' body children, with run markers. */
  doc: MjmlNode;
  /**
   * The skeleton for the union's render: answers the first document, and keeps the second (built with the
   * same skeleton) for `second()`. Throws `Unshared` when the render used what cannot be cut.
   */
  skeleton: Skeleton;
  /** The second document's skeleton output, once the union was rendered. */
  second: () => string;
}

/** The rendered union cannot be cut into its two documents: render them one by one. */
export class Unshared extends Error {}

/**
 * What MJML renders a node from: tag, attributes, content, children. Position information (line, file)
 * differs between two sources of the same markup and is left out.
 */
const keyOf = (n: MjmlNode): string =>
  `${n.tagName}\u0000${JSON.stringify(n.attributes ?? {})}\u0000${n.content ?? ''}\u0000${(n.children ?? []).map(keyOf).join('\u0001')}\u0002`;

/** Cells of the alignment table (4 bytes each): 16 million is 64 MB, about 4,000 sections each. */
const MAX_TABLE = 16_000_000;

const bodyOf = (doc: MjmlNode) => doc.children?.find((c) => c.tagName === 'mj-body');

/** Union of two parsed documents, or undefined when anything outside their body children differs. */
export function shareDocuments(
  first: MjmlNode,
  second: MjmlNode,
  defaultSkeleton: Skeleton,
  nonce: string,
): SharedDocument | undefined {
  const a = bodyOf(first);
  const b = bodyOf(second);
  if (!a || !b || first.tagName !== 'mjml' || second.tagName !== 'mjml') return undefined;
  const outside = (d: MjmlNode) =>
    keyOf({ ...d, children: d.children?.map((c) => (c.tagName === 'mj-body' ? { ...c, children: [] } : c)) });
  if (outside(first) !== outside(second)) return undefined;
  // Inline styles (juice) and mj-html-attributes (cheerio) rework the whole rendered document.
  const head = first.children?.find((c) => c.tagName === 'mj-head')?.children ?? [];
  if (
    head.some((c) => c.tagName === 'mj-html-attributes' || (c.tagName === 'mj-style' && c.attributes?.inline))
  )
    return undefined;

  // The alignment keeps a table of both lists' lengths (what differs is usually at both ends, so
  // nothing is trimmed): beyond a few thousand children each, two renders are the cheaper way.
  if ((a.children?.length ?? 0) * (b.children?.length ?? 0) > MAX_TABLE) return undefined;
  const runs = alignRuns(a.children ?? [], b.children ?? []);
  const marker = (i: number) => `<!--gz-run-${nonce}-${i}-->`;
  const children: MjmlNode[] = [];
  runs.forEach((run, i) => {
    children.push({ tagName: 'mj-raw', attributes: {}, content: marker(i) });
    children.push(...run.nodes);
  });
  children.push({ tagName: 'mj-raw', attributes: {}, content: marker(runs.length) });
  const doc: MjmlNode = {
    ...first,
    children: first.children?.map((c) => (c.tagName === 'mj-body' ? { ...c, children } : c)),
  };

  const tags = (d: MjmlNode, out = new Set<string>()) => {
    out.add(d.tagName);
    for (const c of d.children ?? []) tags(c, out);
    return out;
  };
  let kept: string | undefined;
  const skeleton: Skeleton = (input) => {
    // Juice (inline styles), cheerio (mj-html-attributes) and per-instance component styles work on the
    // whole document: their result cannot be cut into two.
    if (
      input.inlineStyle?.length ||
      Object.keys(input.htmlAttributes ?? {}).length ||
      input.componentsHeadStyle?.length
    )
      throw new Unshared('the template needs its document rendered whole');
    const parts = input.content.split(new RegExp(`<!--gz-run-${nonce}-(\\d+)-->`));
    // split with a capture group: [before, "0", run 0, "1", run 1, …, "n", after]
    if (parts.length !== 2 * (runs.length + 1) + 1) throw new Unshared('run markers lost in rendering');
    const pieces = (side: 'first' | 'second') => [
      parts[0] ?? '',
      ...runs.map((r, i) => (r.owner === 'both' || r.owner === side ? (parts[2 * i + 2] ?? '') : '')),
      parts[parts.length - 1] ?? '',
    ];
    // MJML looks for each default web font's name in the body's font-family styles: a name the union
    // does not even contain cannot be in either document (one scan instead of one per font and document).
    const named = Object.keys(input.fonts ?? {});
    const found = new Set<string>();
    if (named.length)
      for (const m of input.content.matchAll(new RegExp(named.map(escapeRegExp).join('|'), 'gi')))
        found.add(m[0].toLowerCase());
    const fonts = Object.fromEntries(
      Object.entries(input.fonts ?? {}).filter(([name]) => found.has(name.toLowerCase())),
    );
    const build = (side: 'first' | 'second', source: MjmlNode) => {
      const own = pieces(side);
      const present = tags(source);
      return defaultSkeleton({
        ...input,
        content: own.join(''),
        fonts,
        // Only the styles of what this document has: a column width, an image's mobile rule.
        mediaQueries: Object.fromEntries(
          Object.entries(input.mediaQueries ?? {}).filter(([cls]) => own.some((p) => hasClass(p, cls))),
        ),
        headStyle: Object.fromEntries(
          Object.entries(input.headStyle ?? {}).filter(([tag]) => present.has(tag)),
        ),
      });
    };
    kept = build('second', second);
    return build('first', first);
  };
  return {
    doc,
    skeleton,
    second: () => {
      if (kept === undefined) throw new Unshared('the shared document was not rendered');
      return kept;
    },
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a class attribute in the HTML names `cls` (not merely a longer class starting with it). */
function hasClass(html: string, cls: string): boolean {
  const word = /[A-Za-z0-9_-]/;
  for (let at = html.indexOf(cls); at !== -1; at = html.indexOf(cls, at + 1)) {
    if (word.test(html[at - 1] ?? '') || word.test(html[at + cls.length] ?? '')) continue;
    const open = html.lastIndexOf('class="', at);
    if (open !== -1 && html.lastIndexOf('"', at - 1) === open + 6) return true;
  }
  return false;
}

interface Run {
  owner: Owner;
  nodes: MjmlNode[];
}

/**
 * Both child lists in order, the common ones once (longest common subsequence of their markup), grouped
 * into runs of one owner. The lists share long stretches, so the common ends are taken off first.
 */
export function alignRuns(a: MjmlNode[], b: MjmlNode[]): Run[] {
  // Keys as small numbers: the table below compares them often, and item markup shares long prefixes.
  const ids = new Map<string, number>();
  const id = (n: MjmlNode) => {
    const k = keyOf(n);
    let v = ids.get(k);
    if (v === undefined) {
      v = ids.size;
      ids.set(k, v);
    }
    return v;
  };
  const ka = a.map(id);
  const kb = b.map(id);
  let start = 0;
  while (start < ka.length && start < kb.length && ka[start] === kb[start]) start++;
  let endA = ka.length;
  let endB = kb.length;
  while (endA > start && endB > start && ka[endA - 1] === kb[endB - 1]) {
    endA--;
    endB--;
  }
  const n = endA - start;
  const m = endB - start;
  // lcs[i][j]: length of the common subsequence of a[start+i..endA) and b[start+j..endB)
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      lcs[at(i, j)] =
        ka[start + i] === kb[start + j]
          ? (lcs[at(i + 1, j + 1)] ?? 0) + 1
          : Math.max(lcs[at(i + 1, j)] ?? 0, lcs[at(i, j + 1)] ?? 0);

  const runs: Run[] = [];
  const push = (owner: Owner, node: MjmlNode | undefined) => {
    if (!node) return;
    const last = runs[runs.length - 1];
    if (last?.owner === owner) last.nodes.push(node);
    else runs.push({ owner, nodes: [node] });
  };
  for (let i = 0; i < start; i++) push('both', a[i]);
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && ka[start + i] === kb[start + j]) {
      push('both', a[start + i]);
      i++;
      j++;
    } else if (j >= m || (i < n && (lcs[at(i + 1, j)] ?? 0) >= (lcs[at(i, j + 1)] ?? 0))) {
      push('first', a[start + i]);
      i++;
    } else {
      push('second', b[start + j]);
      j++;
    }
  }
  for (let k = endA; k < a.length; k++) push('both', a[k]);
  return runs;
}
