/**
 * Plain-text helpers of the ingest path: titles from subjects, the member's own field lines
 * (`When:`, `Where:`, `Link:`, `Deadline:`, `Kind:`), forwarded/quoted/signature trimming, summaries.
 * Pure functions, no I/O.
 */
import { type UpdateKind, UpdateKind as UpdateKindSchema } from '../../domain/update.ts';
import { countryCode } from './countries.ts';
import { findMarker, isHeaderLine } from './quotes.ts';

/** Reply/forward prefixes in the languages IGPN members write in. */
const REPLY_PREFIX =
  /^\s*(?:re|fwd?|aw|wg|tr|rv|sv|vs|antw|doorst|rif|enc|res|odp|pd|ynt|ilt|i̇lt|vl|转发|轉發|回复|回覆|答复|转寄|轉寄|転送|返信|전달|회신|답장)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*/iu;
/** Forward prefixes only: a mail forwarded as-is. */
const FORWARD_PREFIX =
  /^\s*(?:\[[^\]]{0,80}\]\s*|【[^】]{0,80}】\s*)*(?:fwd?|wg|tr|rv|enc|doorst|pd|ilt|i̇lt|转发|轉發|转寄|轉寄|転送|전달)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]/iu;
/** [list tags] and 【tags】; a tag naming a country ("[Korea]", "【韩国】") is the member's, and stays. */
const TAG = /^\s*(\[([^\]]{0,80})\]|【([^】]{0,80})】)\s*/u;

export const isForwardSubject = (subject: string) => FORWARD_PREFIX.test(subject);

export function cleanTitle(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  const kept: string[] = [];
  for (let i = 0; i < 20; i++) {
    const reply = REPLY_PREFIX.exec(s);
    if (reply) {
      s = s.slice(reply[0].length);
      continue;
    }
    const tag = TAG.exec(s);
    if (!tag) break;
    const inner = (tag[2] ?? tag[3] ?? '').trim();
    if (countryCode(inner) && !kept.includes(inner)) kept.push(`[${inner}]`);
    s = s.slice(tag[0].length);
  }
  s = s.trim();
  return (kept.length && s ? `${kept.join(' ')} ${s}` : s).slice(0, 300);
}

/** The country tags of a subject ("[Korea] …" → KR), in order. */
export function countryTags(subject: string): string[] {
  const out: string[] = [];
  let s = subject;
  for (let i = 0; i < 20; i++) {
    const m = REPLY_PREFIX.exec(s) ?? TAG.exec(s);
    if (!m) break;
    const code = countryCode((m[2] ?? m[3] ?? '').trim());
    if (code && !out.includes(code)) out.push(code);
    s = s.slice(m[0].length);
  }
  return out;
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

/**
 * The member's own words: for a bare forward, the forwarded message's body (without its header block);
 * quoted replies (`>` lines, "On … wrote:" in many languages), earlier messages under an Outlook
 * separator or header block, and the signature (`-- `, "Sent from my iPhone") are dropped.
 */
export function memberText(text: string): string {
  let t = text.replace(/\r\n?/g, '\n');
  const first = findMarker(t);
  if (first?.kind === 'forward') {
    const before = t.slice(0, first.index).trim();
    const lines = t.slice(first.index).split('\n');
    // The separator line itself, then the forwarded header block (and its folded continuation lines).
    let i = isHeaderLine(lines[0] ?? '') ? 0 : 1;
    while (i < lines.length && !(lines[i] ?? '').trim()) i++;
    while (i < lines.length && (isHeaderLine(lines[i] ?? '') || /^\s{2,}\S/.test(lines[i] ?? ''))) i++;
    // Only a bare forward (a line or two above the marker) is replaced by what was forwarded.
    t = before.length < 200 ? `${before ? `${before}\n\n` : ''}${lines.slice(i).join('\n')}` : before;
    const next = findMarker(t.slice(before.length));
    if (next) t = t.slice(0, before.length + next.index);
  } else if (first) t = t.slice(0, first.index);
  return t
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** First paragraph(s) of prose, field lines, greeting and sign-off left out, cut at a sentence end near `max`. */
export function summarise(text: string, max = 400): string {
  const paragraphs = withoutSignOff(text)
    .split(/\n\s*\n/)
    .map((p) => {
      const lines = p.split('\n').filter((l) => !isFieldLine(l) && l.trim());
      // A list (a webinar agenda) keeps its lines; prose is joined into one.
      const list = lines.filter((l) => LIST_ITEM.test(l)).length >= 2;
      return list
        ? lines.map((l) => l.replace(/\s+/g, ' ').trim()).join('\n')
        : lines.join(' ').replace(/\s+/g, ' ').trim();
    })
    // A short salutation ("Dear colleagues,") is not news.
    .filter((p) => p.length > 0 && !(GREETING.test(p) && p.length < 80));
  let s = '';
  for (const p of paragraphs) {
    const sep = s && (p.includes('\n') || s.includes('\n')) ? '\n' : ' ';
    if (s.length + p.length + 1 > max) {
      if (!s) s = p.includes('\n') ? cutLines(p, max) : cutAtSentence(p, max);
      break;
    }
    s = s ? `${s}${sep}${p}` : p;
    if (s.length > max / 2) break;
  }
  return s.slice(0, 1000);
}

const LIST_ITEM = /^\s*(?:[*•·▪◦‣\-–—]|\d{1,2}[.)]|[a-z][.)]|[①-⑳])\s+\S/u;
const cutLines = (p: string, max: number) => {
  const out: string[] = [];
  for (const l of p.split('\n')) {
    if (out.join('\n').length + l.length + 1 > max) break;
    out.push(l);
  }
  return out.length ? out.join('\n') : cutAtSentence(p.replace(/\n/g, ' '), max);
};

const GREETING =
  /^(dear|hello|hi|hallo|liebe|sehr geehrte|bonjour|chers?|chères?|estimad[oa]s?|queridos?|hola|cari|gentili|caros?|prezad[oa]s?|beste|geachte|szanown[ie]|drodzy|уважаем|здравствуйте|尊敬的|各位|您好|大家好|拝啓|お世話になっております|いつもお世話になっております|各位|안녕하세요|kính gửi|xin chào|yth|kepada yth|salam|שלום|مرحبا|السلام عليكم|sayın|merhaba|เรียน|สวัสดี)/iu;

/**
 * Sign-offs and the signature block after them: "Regards", "Best regards,", "Mit freundlichen Grüßen",
 * "此致 敬礼", "よろしくお願いします", "감사합니다" … as a line of their own (with at most a name after a comma).
 * Also an organisation's closing line ("GPN事務局", "IGPN Secretariat") at the very end.
 */
const SIGN_OFF = new RegExp(
  `^\\s*(?:${[
    '(?:best|kind|warm|warmest|many|with best|with kind)?\\s*regards',
    'best wishes',
    'all the best',
    'best',
    'cheers',
    'sincerely(?: yours)?',
    'yours(?: sincerely| faithfully| truly)?',
    'thanks(?: and regards| & regards| again)?',
    'thank you(?: and best regards)?',
    'many thanks',
    'respectfully',
    'mit freundlichen grüßen',
    'mit freundlichen grüssen',
    'freundliche grüße',
    'viele grüße',
    'beste grüße',
    'liebe grüße',
    'herzliche grüße',
    'gruß',
    'cordialement',
    'bien cordialement',
    'bien à vous',
    'meilleures salutations',
    'salutations(?: distinguées)?',
    'saludos(?: cordiales)?',
    'atentamente',
    'un saludo',
    'cordiali saluti',
    'distinti saluti',
    'saluti',
    'atenciosamente',
    'cumprimentos',
    'abraços',
    'met vriendelijke groet(?:en)?',
    'vriendelijke groet(?:en)?',
    'groeten',
    'z poważaniem',
    'pozdrawiam(?: serdecznie)?',
    'с уважением',
    'с наилучшими пожеланиями',
    '此致',
    '敬礼',
    '敬禮',
    '祝好',
    '顺祝商祺',
    '順祝商祺',
    '顺颂商祺',
    '顺祝',
    '谢谢',
    '謝謝',
    '感谢',
    'よろしくお願い(?:いた)?します',
    'よろしくお願い申し上げます',
    '宜しくお願い(?:いた)?します',
    '以上[、,]?\\s*よろしくお願い.*',
    '敬具',
    '草々',
    '감사합니다',
    '고맙습니다',
    '드림',
    '올림',
    'ขอแสดงความนับถือ',
    'ขอบคุณ(?:ครับ|ค่ะ)?',
    'trân trọng',
    'thân ái',
    'hormat kami',
    'salam hormat',
    'terima kasih',
    'sekian,? terima kasih',
    'בברכה',
    'תודה',
    'مع التحية',
    'مع خالص التحية',
    'وتفضلوا بقبول فائق الاحترام',
    'saygılarımla',
    'iyi çalışmalar',
  ].join('|')})\\s*(?:[,，.。!！、]?|[,，]\\s*[\\p{L}\\p{M}'-]+(?:\\s+[\\p{L}\\p{M}'-]+){0,2})\\s*$`,
  'iu',
);
/** An organisation's closing line: "GPN事務局", "IGPN 秘书处", "사무국", "… Secretariat". */
const SIGNATURE_ORG =
  /^\s*\S.{0,40}(?:事務局|事务局|秘书处|秘書處|사무국|secretariat|sekretariat|secrétariat|secretaría|secretaria)\s*$/iu;

/** The text without its sign-off and what follows it (a name, a title, an address block). */
export function withoutSignOff(text: string): string {
  const lines = text.split('\n');
  // Never the first line: "Best practice guide" is a title, not a goodbye.
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.length <= 80 && SIGN_OFF.test(line)) return lines.slice(0, i).join('\n').trim();
  }
  // An organisation line alone at the end.
  let end = lines.length;
  while (end > 1 && !(lines[end - 1] ?? '').trim()) end--;
  if (end > 1 && SIGNATURE_ORG.test(lines[end - 1] ?? ''))
    return lines
      .slice(0, end - 1)
      .join('\n')
      .trim();
  return text;
}

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
