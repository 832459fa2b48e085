/**
 * Plain-text helpers of the ingest path: titles from subjects, the member's own field lines
 * (`When:`, `Where:`, `Link:`, `Deadline:`, `Kind:`), forwarded/quoted/signature trimming, summaries.
 * Pure functions, no I/O.
 */
import { type UpdateKind, UpdateKind as UpdateKindSchema } from '../../domain/update.ts';

/** Reply/forward prefixes in the languages IGPN members write in, plus list tags like [IGPN]. */
const PREFIX =
  /^\s*(?:(?:re|fwd?|aw|wg|tr|rv|sv|vs|antw|doorst|rif|enc|res|odp|pd|ynt|vl|转发|轉發|回复|回覆|答复|转寄|轉寄|転送|返信|전달|회신|답장)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]|\[[^\]]{0,80}\]|【[^】]{0,80}】)\s*/iu;

export function cleanTitle(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let i = 0; i < 20; i++) {
    const next = s.replace(PREFIX, '');
    if (next === s) break;
    s = next;
  }
  return s.trim().slice(0, 300);
}

export interface FieldLines {
  when?: string;
  where?: string;
  deadline?: string;
  kind?: string;
  links: { url: string; label?: string }[];
}

const FIELD_NAMES: Record<keyof Omit<FieldLines, 'links'> | 'link', string[]> = {
  // Not "Date:" or "Time:": forwarded and quoted header blocks are full of them.
  when: ['when', 'event date', '时间', '活动时间', '日時', '開催日時', '일시', 'cuándo', 'quand', 'wann'],
  where: [
    'where',
    'location',
    'venue',
    'place',
    '地点',
    '地點',
    '場所',
    '会場',
    '장소',
    'lugar',
    'lieu',
    'ort',
  ],
  deadline: [
    'deadline',
    'due',
    'closing date',
    '截止',
    '截止日期',
    '截止时间',
    '締切',
    '締め切り',
    '마감',
    '마감일',
    'plazo',
    'date limite',
    'frist',
  ],
  kind: ['kind', 'type', 'category', '类型', '類型', '種類', '유형', 'tipo'],
  link: ['link', 'url', 'web', 'website', 'more', '链接', '鏈接', '网址', 'リンク', '링크', 'enlace', 'lien'],
};
const NAME_TO_FIELD = new Map<string, keyof typeof FIELD_NAMES>();
for (const [field, names] of Object.entries(FIELD_NAMES))
  for (const n of names) NAME_TO_FIELD.set(n, field as keyof typeof FIELD_NAMES);
const FIELD_LINE = /^[ \t*•-]*([\p{L} ]{2,20}?)[ \t]*[:：][ \t]*(.+)$/u;

/** Reads `Name: value` lines (first of each, every Link:), case-insensitive, in several languages. */
export function extractFields(text: string): FieldLines {
  const out: FieldLines = { links: [] };
  const lines = text.split(/\r?\n/, 2_000);
  for (const line of lines) {
    const m = FIELD_LINE.exec(line.slice(0, 1_000));
    if (!m) continue;
    const field = NAME_TO_FIELD.get((m[1] ?? '').trim().toLowerCase());
    const value = (m[2] ?? '').trim().slice(0, 500);
    if (!field || !value) continue;
    if (field === 'link') {
      for (const match of value.matchAll(URL_RE)) {
        const url = safeUrl(match[0]);
        if (url && !out.links.some((l) => l.url === url))
          out.links.push({ url, label: labelBefore(value.slice(0, match.index)) });
      }
    } else {
      out[field] ??= value;
    }
  }
  return out;
}

function labelBefore(prefix: string): string | undefined {
  const label = prefix.replace(/[<(\-–—:|]+\s*$/, '').trim();
  return label ? label.slice(0, 200) : undefined;
}

const URL_RE = /\bhttps?:\/\/[^\s<>"'()[\]{}]+[^\s<>"'()[\]{}.,;:!?]/gi;
export function findUrls(text: string, max = 50): string[] {
  const urls: string[] = [];
  for (const m of text.matchAll(URL_RE)) {
    if (urls.length >= max) break;
    const url = safeUrl(m[0]);
    if (url && !urls.includes(url)) urls.push(url);
  }
  return urls;
}

/** http(s) only, no credentials, at most 2,000 characters. */
export function safeUrl(raw: string): string | undefined {
  try {
    const u = new URL(raw.trim());
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    if (u.username || u.password) return undefined;
    const s = u.toString();
    return s.length <= 2_000 ? s : undefined;
  } catch {
    return undefined;
  }
}

const KIND_WORDS: [UpdateKind, RegExp][] = [
  [
    'event',
    /^(event|events|meeting|webinar|conference|workshop|seminar|活动|會議|会议|イベント|行事|행사|evento|événement)$/iu,
  ],
  [
    'deadline',
    /^(deadline|call|call for proposals|tender|consultation|截止|締切|마감|convocatoria|appel)$/iu,
  ],
  [
    'publication',
    /^(publication|report|guide|study|paper|toolkit|出版|报告|報告|出版物|報告書|보고서|publicación|rapport)$/iu,
  ],
  ['news', /^(news|announcement|update|新闻|新聞|お知らせ|ニュース|소식|뉴스|noticia|nouvelles)$/iu],
];

export function kindFromWord(word: string | undefined): UpdateKind | undefined {
  if (!word) return undefined;
  const w = word.trim().toLowerCase();
  const direct = UpdateKindSchema.safeParse(w);
  if (direct.success) return direct.data;
  return KIND_WORDS.find(([, re]) => re.test(w))?.[0];
}

/** A guess from the title when the member said nothing: cheap keyword rules, moderators can correct. */
export function kindFromTitle(title: string): UpdateKind | undefined {
  const t = title.toLowerCase();
  if (
    /\b(call for|deadline|tender|consultation open|apply by|submissions?)\b|截止|征集|締切|募集|마감|공모/u.test(
      t,
    )
  )
    return 'deadline';
  if (
    /\b(webinar|conference|workshop|seminar|forum|summit|meeting|training)\b|研讨会|会议|論壇|论坛|セミナー|会議|세미나|회의|포럼/u.test(
      t,
    )
  )
    return 'event';
  if (
    /\b(report|publication|guide|guidelines|handbook|toolkit|study|published)\b|报告|指南|发布|報告書|ガイド|보고서|가이드/u.test(
      t,
    )
  )
    return 'publication';
  return undefined;
}

const FORWARD_MARKERS = [
  /^-{2,}\s*(?:forwarded message|original message|weitergeleitete nachricht|message transféré|mensaje reenviado|转发的邮件|原始邮件|転送されたメッセージ|전달된 메시지)\s*-{2,}\s*$/imu,
  /^begin forwarded message:\s*$/im,
  /^_{10,}\s*$/m,
];
const FORWARD_HEADER =
  /^(from|to|cc|date|sent|subject|发件人|收件人|日期|主题|差出人|宛先|件名|日付|보낸 사람|받는 사람|제목|날짜|von|an|betreff|gesendet|de|para|asunto|enviado|objet|envoyé|à)\s*[:：]/iu;

/**
 * The member's own words: for a bare forward, the forwarded message's body (without its header block);
 * quoted replies (`>` lines, "On … wrote:") and the signature (`-- `) are dropped.
 */
export function memberText(text: string): string {
  let t = text.replace(/\r\n?/g, '\n');
  for (const marker of FORWARD_MARKERS) {
    const m = marker.exec(t);
    if (!m) continue;
    const before = t.slice(0, m.index).trim();
    const after = t.slice(m.index + m[0].length).replace(/^\s*\n/, '');
    // Only a bare forward (a line or two above the marker) is replaced by what was forwarded.
    if (before.length < 200) {
      const lines = after.split('\n');
      let i = 0;
      while (i < lines.length && (FORWARD_HEADER.test(lines[i] ?? '') || /^\s{2,}\S/.test(lines[i] ?? '')))
        i++;
      t = `${before ? `${before}\n\n` : ''}${lines.slice(i).join('\n')}`;
    } else {
      t = before;
    }
    break;
  }
  const out: string[] = [];
  for (const line of t.split('\n')) {
    if (line === '-- ' || line === '--') break;
    if (/^On .{5,200} wrote:\s*$/i.test(line) || /^在.{2,100}写道[:：]\s*$/u.test(line)) break;
    if (/^\s*>/.test(line)) continue;
    out.push(line);
  }
  return out
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** First paragraph(s) of prose, field lines left out, cut at a sentence end near `max`. */
export function summarise(text: string, max = 400): string {
  const paragraphs = text
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .filter((l) => !isFieldLine(l))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    )
    // A short salutation ("Dear colleagues,") is not news.
    .filter((p) => p.length > 0 && !(GREETING.test(p) && p.length < 80));
  let s = '';
  for (const p of paragraphs) {
    if (s.length + p.length + 1 > max) {
      if (!s) s = cutAtSentence(p, max);
      break;
    }
    s = s ? `${s} ${p}` : p;
    if (s.length > max / 2) break;
  }
  return s.slice(0, 1000);
}

const GREETING = /^(dear|hello|hi|hallo|bonjour|estimad[oa]s?|尊敬的|各位|拝啓|안녕하세요)/iu;

function isFieldLine(line: string): boolean {
  const m = FIELD_LINE.exec(line.slice(0, 1_000));
  return Boolean(m && NAME_TO_FIELD.has((m[1] ?? '').trim().toLowerCase()));
}

function cutAtSentence(p: string, max: number): string {
  const slice = p.slice(0, max);
  const end = Math.max(
    slice.lastIndexOf('. '),
    slice.lastIndexOf('。'),
    slice.lastIndexOf('! '),
    slice.lastIndexOf('? '),
    slice.lastIndexOf('！'),
    slice.lastIndexOf('？'),
  );
  return end > max / 2 ? slice.slice(0, end + 1) : `${slice.replace(/\s+\S*$/, '')}…`;
}

/** Script-based language guess for mails without Content-Language (CJK only; Latin scripts are ambiguous). */
export function guessLanguage(text: string): string | undefined {
  const sample = text.slice(0, 2_000);
  if (/[\u3040-\u30ff]/u.test(sample)) return 'ja';
  if (/[\uac00-\ud7af]/u.test(sample)) return 'ko';
  if (/[\u4e00-\u9fff]/u.test(sample)) return 'zh';
  return undefined;
}

/** Plain text → minimal safe HTML (paragraphs, line breaks, linked URLs). */
export function textToHtml(text: string): string {
  const esc = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  return text
    .split(/\n\s*\n/)
    .filter((p) => p.trim())
    .map((p) => {
      const html = esc(p.trim()).replace(/\n/g, '<br />');
      const linked = html.replace(
        /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)]/g,
        (u) => `<a href="${u}" rel="noopener noreferrer nofollow">${u}</a>`,
      );
      return `<p>${linked}</p>`;
    })
    .join('\n');
}
