/**
 * Edition benchmarks (called by bench/run.ts):
 *   compile_ms_100_items          compile use case end to end for 100 approved updates (2 languages,
 *                                 e-mail and archive copy in one shared MJML render each), storage in
 *                                 memory
 *   compile_ms_300_items          the same for 300 (issue 17: how compile time grows with an edition)
 *   compile_cpu_ms_*              CPU time of the same compiles (user + system of this process)
 *   personalise_ms_per_recipient  substitution personaliser (HTML + text) on a 30-item edition
 *   mjml_render_ms_per_recipient  the naive alternative measured in the same run: a full template + MJML
 *                                 render per recipient
 */
import { createMjmlRenderer } from '../src/adapters/mjml/mjml-renderer.ts';
import { type CompileAttempt, type Edition, type EditionStatus, Update } from '../src/domain/index.ts';
import type { BlobStore } from '../src/ports/blob-store.ts';
import type { ApprovedUpdates, EditionCounter, EditionRepo } from '../src/ports/editions.ts';
import { silentLogger } from '../src/ports/logger.ts';
import type { EditionRenderer } from '../src/ports/renderer.ts';
import { makeCompileEdition, TEMPLATE } from '../src/use-cases/editions/compile.ts';
import { compilePersonaliser } from '../src/use-cases/editions/personalise.ts';
import type { EditionSettings } from '../src/use-cases/editions/settings.ts';
import { buildView, planSections } from '../src/use-cases/editions/view-model.ts';

const NOW = new Date('2026-04-01T01:00:00.000Z');
const SECTIONS = ['events', 'news', 'publications', 'deadlines'] as const;
const ORGS = [
  '中国环境联合认证中心',
  'グリーン購入ネットワーク',
  '한국녹색구매네트워크',
  'Ecolabelling Sweden',
  'ICLEI',
];

export function sampleUpdates(n: number): Update[] {
  return Array.from({ length: n }, (_, i) => {
    const section = SECTIONS[i % 4] ?? 'news';
    const day = String((i % 27) + 1).padStart(2, '0');
    return Update.parse({
      updateId: `u_bench_${i}`,
      messageId: `m_${i}`,
      memberId: `mem_${i % 5}`,
      organisation: ORGS[i % ORGS.length],
      sender: `news${i % 5}@member.example`,
      receivedAt: `2026-02-${day}T08:00:00.000Z`,
      status: 'approved',
      title: `${i % 2 ? '绿色公共采购案例' : 'Green procurement case study'} ${i}`,
      summary:
        'Procurement officers compare eco-label criteria for office IT and catering. 论坛将讨论政府绿色采购标准的国际互认。',
      bodyHtml: '<p>…</p>',
      bodyText: '…',
      kind:
        section === 'events'
          ? 'event'
          : section === 'deadlines'
            ? 'deadline'
            : section === 'news'
              ? 'news'
              : 'publication',
      section,
      links: [{ url: `https://www.example.org/items/${i}` }],
      event: section === 'events' ? { start: `2026-05-${day}T01:00:00.000Z`, location: '北京' } : undefined,
      deadline: section === 'deadlines' ? `2026-06-${day}T15:59:00.000Z` : undefined,
      rawKey: `raw/${i}.eml`,
    });
  });
}

const settings: EditionSettings = {
  firstNumber: 6,
  languages: ['en', 'zh'],
  newsletterName: 'IGPN Gazette',
  archiveUrl: 'https://news.igpn.example/archive',
  publicUrl: 'https://api.igpn.example',
  postalAddress: 'IGPN Secretariat, Beijing, China',
  timeZone: 'Asia/Shanghai',
  from: 'IGPN Gazette <news@igpn.example>',
  mediaUrl: 'https://media.igpn.example',
};

export function memoryBlobs(): BlobStore {
  const m = new Map<string, string>();
  return {
    bucket: 'memory',
    put: async (k, b) => {
      m.set(k, typeof b === 'string' ? b : Buffer.from(b).toString('utf8'));
    },
    get: async (k) => Buffer.from(m.get(k) ?? ''),
    getText: async (k) => m.get(k) ?? '',
    exists: async (k) => m.has(k),
    list: async (p) => [...m.keys()].filter((k) => k.startsWith(p)),
    delete: async (k) => {
      m.delete(k);
    },
  };
}

export function memoryEditions(): EditionRepo {
  const editions = new Map<number, Edition>();
  let counter: EditionCounter = {};
  return {
    get: async (n) => editions.get(n),
    list: async () => [...editions.values()].sort((a, b) => b.number - a.number),
    counter: async () => counter,
    claimDraftNumber: async (current, next) => {
      if (counter.value !== current || counter.draft !== undefined) return false;
      counter = { ...counter, value: next, draft: next };
      return true;
    },
    clearDraftMarker: async (n) => {
      if (counter.draft === n) counter = { ...counter, draft: undefined };
    },
    recordCompile: async (a: CompileAttempt) => {
      counter = { ...counter, lastCompile: a };
    },
    save: async (e: Edition, _expect: EditionStatus[] | 'absent') => {
      editions.set(e.number, e);
    },
    claimSchedule: async (n, at, claimedAt) => {
      const e = editions.get(n);
      if (e?.status !== 'approved' || e.schedule?.at !== at) return false;
      editions.set(n, { ...e, schedule: { ...e.schedule, claimedAt } });
      return true;
    },
  };
}

/**
 * One compile through the real compile use case, storage in memory: `items` sample updates, or the
 * updates given. `content` keeps what it stored (HTML, text, archive copy) for a caller to read.
 */
export async function compileSample(
  renderer: EditionRenderer,
  items: number | Update[],
  content: BlobStore = memoryBlobs(),
): Promise<Edition> {
  const updates: ApprovedUpdates = {
    listApprovedInWindow: async () => (typeof items === 'number' ? sampleUpdates(items) : items),
    markPublished: async () => {},
  };
  const compile = makeCompileEdition({
    editions: memoryEditions(),
    updates,
    renderer: async () => renderer,
    content,
    clock: { now: () => NOW, sleep: async () => {} },
    logger: silentLogger,
    settings: () => settings,
  });
  return compile({ requestedBy: 'bench' });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchEditions(): Promise<{
  compile_ms_100_items: number;
  compile_ms_300_items: number;
  compile_cpu_ms_100_items: number;
  compile_cpu_ms_300_items: number;
  personalise_ms_per_recipient: number;
  mjml_render_ms_per_recipient: number;
  edition_html_kb_30_items: number;
}> {
  const renderer = await createMjmlRenderer();
  // First run warms mjml (module load, JIT); the median of the rest is reported, in wall time and in
  // CPU time of this process (less noisy on a shared machine: other processes' load does not count).
  const compileMs = async (items: number, runs: number) => {
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < runs; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await compileSample(renderer, items);
      const c = process.cpuUsage(c0);
      if (i > 0) {
        wall.push(performance.now() - t0);
        cpu.push((c.user + c.system) / 1000);
      }
    }
    return { wall: median(wall), cpu: median(cpu) };
  };
  const compile100 = await compileMs(100, 4);
  const compile300 = await compileMs(300, 4);

  // A 30-item edition, rendered once: the send path's input.
  const view = buildView(planSections(sampleUpdates(30), NOW), {
    lang: 'en',
    archive: false,
    number: 8,
    compiledAt: NOW,
    timeZone: settings.timeZone,
    newsletterName: settings.newsletterName,
    archiveUrl: settings.archiveUrl,
    postalAddress: settings.postalAddress,
    defaultLanguage: 'en',
  });
  const data = view as unknown as Record<string, unknown>;
  const rendered = await renderer.render(TEMPLATE, data);
  const recipient = (i: number) => ({
    name: `Reader ${i}`,
    email: `reader${i}@example.org`,
    unsubscribe_url: `https://api.igpn.example/v1/unsubscribe?token=${i}.sig${i}`,
    preferences_url: `https://api.igpn.example/v1/preferences?token=${i}.sig${i}`,
  });

  const html = compilePersonaliser(rendered.html, 'html');
  const text = compilePersonaliser(rendered.text, 'text');
  const N = 5000;
  let sink = 0;
  for (let i = 0; i < 200; i++) sink += html(recipient(i)).length; // warm-up
  let t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const v = recipient(i);
    sink += html(v).length + text(v).length;
  }
  const personalise = (performance.now() - t0) / N;

  // Naive: the template engine and MJML per recipient (what Gazette does not do).
  const M = 20;
  t0 = performance.now();
  for (let i = 0; i < M; i++) {
    const out = await renderer.render(TEMPLATE, { ...data, recipient: recipient(i) });
    sink += out.html.length;
  }
  const mjmlPer = (performance.now() - t0) / M;
  if (sink < 0) console.log(sink); // keep the work observable

  const round = (x: number, d = 3) => Number(x.toFixed(d));
  return {
    compile_ms_100_items: round(compile100.wall, 1),
    compile_ms_300_items: round(compile300.wall, 1),
    compile_cpu_ms_100_items: round(compile100.cpu, 1),
    compile_cpu_ms_300_items: round(compile300.cpu, 1),
    personalise_ms_per_recipient: round(personalise, 4),
    mjml_render_ms_per_recipient: round(mjmlPer, 2),
    // Gmail clips a message over 102 KB: the compiled HTML of a 30-item edition must stay under it.
    edition_html_kb_30_items: round(Buffer.byteLength(rendered.html) / 1024, 1),
  };
}

// `npx tsx bench/editions.ts` runs it on its own.
if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchEditions(), null, 2));
}
