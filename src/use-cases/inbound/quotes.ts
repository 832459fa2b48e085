/**
 * Where the member's own words end: quoted replies, forwarded-message headers and signatures, in the text
 * and in the HTML body, as mail clients write them in IGPN's languages. Outlook localises its separator
 * ("-----Original Message-----", "-----邮件原件-----", "-----Ursprüngliche Nachricht-----") or writes only a
 * header block ("Von: … Gesendet: …", "发件人: … 发送时间: …"); Gmail, Apple Mail and Thunderbird mark the
 * quote in the HTML (gmail_quote, <blockquote type="cite">, moz-cite-prefix). Pure functions, no I/O.
 */
import { decodeEntities } from '../../domain/html.ts';

/** "-----Original Message-----" and its translations (Outlook, Foxmail/QQ "------ 原始邮件 ------"). */
const SEPARATOR_WORDS = [
  'original message',
  'forwarded message',
  'original',
  'weitergeleitete nachricht',
  'ursprüngliche nachricht',
  'originalnachricht',
  "message d'origine",
  'message d’origine',
  'message transféré',
  'message original',
  'mensaje original',
  'mensaje reenviado',
  'messaggio originale',
  'messaggio inoltrato',
  'mensagem original',
  'mensagem encaminhada',
  'oorspronkelijk bericht',
  'origineel bericht',
  'doorgestuurd bericht',
  'wiadomość oryginalna',
  'oryginalna wiadomość',
  'wiadomość przekazana',
  'исходное сообщение',
  'пересылаемое сообщение',
  'пересланное сообщение',
  '邮件原件',
  '原始邮件',
  '转发邮件',
  '转发的邮件',
  '原始郵件',
  '郵件原件',
  '轉寄郵件',
  '轉寄的郵件',
  '元のメッセージ',
  '転送されたメッセージ',
  '転送メッセージ',
  '원본 메시지',
  '원래 메시지',
  '전달된 메시지',
  'ข้อความต้นฉบับ',
  'ข้อความที่ส่งต่อ',
  'thư gốc',
  'tin nhắn gốc',
  'thư đã chuyển tiếp',
  'pesan asli',
  'pesan terusan',
  'mesej asal',
  'orijinal ileti',
  'orijinal mesaj',
  'iletilen ileti',
  'ההודעה המקורית',
  'הודעה מקורית',
  'הודעה שהועברה',
  'الرسالة الأصلية',
  'رسالة معاد توجيهها',
  'ursprungligt meddelande',
  'alkuperäinen viesti',
  'původní zpráva',
];
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const SEPARATOR = new RegExp(
  `^[ \\t>]*[-—–_=]{2,}\\s*(?:${SEPARATOR_WORDS.map(esc).join('|')})\\s*[-—–_=]{2,}\\s*$`,
  'imu',
);
/** Apple Mail's "Begin forwarded message:" in its languages, and Outlook on the web's rule of underscores. */
const FORWARD_INTRO =
  /^[ \t]*(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message (?:réexpédié|transféré)|inicio del mensaje reenviado|inizio messaggio inoltrato|início da mensagem reencaminhada|begin doorgestuurd bericht|początek przekazywanej wiadomości|начало переадресованного сообщения|以下是转发的邮件|転送されたメッセージ|전달된 메시지)\s*[:：]\s*$|^_{10,}\s*$/imu;

/** The first line of a quoted message's header block, in the languages of Outlook, Gmail and Apple Mail. */
const FROM_WORD =
  /^[ \t>*]*(?:from|von|de|da|van|od|от|发件人|寄件者|寄件人|發件人|差出人|送信者|보낸 사람|보낸사람|จาก|từ|dari|daripada|מאת|من|kimden|från|lähettäjä)\s*[:：]/iu;
/** A header of that block that says when it was sent (or to whom), within the next few lines. */
const HEADER_WORD =
  /^[ \t>*]*(?:sent|date|to|cc|bcc|reply-to|subject|抄送|副本|참조|gesendet|datum|an|betreff|envoyé|date d'envoi|à|objet|enviado|fecha|para|asunto|inviato|data|a|oggetto|enviada|assunto|verzonden|aan|onderwerp|wysłano|wysłane|data wysłania|do|temat|отправлено|дата|кому|тема|发送时间|发送日期|日期|时间|收件人|主题|寄件日期|傳送時間|收件者|主旨|送信日時|日付|宛先|件名|보낸 날짜|날짜|받는 사람|제목|ส่ง|วันที่|ถึง|เรื่อง|đã gửi|ngày|đến|chủ đề|dikirim|tanggal|kepada|subjek|perihal|dihantar|tarikh|נשלח|תאריך|אל|נושא|تاريخ|أرسل|إلى|الموضوع|gönderildi|tarih|kime|konu|skickat|skickades|till|ämne|lähetetty|päivämäärä|vastaanottaja|aihe)\s*[:：]/iu;

/** "On 3 Mar 2026, at 10:15, Jane <jane@x> wrote:" and its translations (Gmail, Apple, Thunderbird). */
const ATTRIBUTION = [
  /^(?:on|am|le|el|il|em|op|w dniu|vào|pada|в|dne|den|tanggal|เมื่อ|ב-?)\s.{5,300}(?:wrote|schrieb|a écrit|escribió|ha scritto|escreveu|schreef|pisze|napisał\(a\)|napisała?|написал\(а\)|написала?|пишет|đã viết|menulis|napsal\(a\)|napsal|skrev|kirjoitti|เขียนว่า|כתב\(ה\)|כתב|כתבה)(?:\s.{0,200})?\s*[:：]\s*$/iu,
  /^.{5,300}(?:wrote|schrieb|a écrit|escribió|ha scritto|escreveu|schreef|napisał\(a\)|написал\(а\)|написал|написала|đã viết|menulis|şunu yazdı|yazdı|כתב\(ה\)|كتب)\s*[:：]\s*$/iu,
  /^在.{2,200}(?:写道|寫道|來信)\s*[:：]\s*$/u,
  /^.{2,200}(?:님이 작성|님이 씀|님이 작성한 메시지)\s*[:：]\s*$/u,
  // Gmail ja / zh: "2026年3月3日(火) 10:15 Taro Yamada <taro@x.jp>:"
  /^\d{4}\s*[年년]\s*\d{1,2}\s*[月월].{2,200}<[^<>\s]+@[^<>\s]+>\s*[:：]?\s*$/u,
];
/** The generic attribution reads like a sentence ("As the minister wrote:"), so it needs an address or a digit. */
const looksLikeAttribution = (line: string) =>
  ATTRIBUTION.some((re, i) => re.test(line) && (i !== 1 || /[@\d]/.test(line)));

/** Signatures: "-- " (RFC 3676), and the mobile clients' "Sent from my iPhone" lines. */
const SIGNATURE =
  /^(?:-- ?|--|__\s*)$|^(?:sent from my |sent from outlook|get outlook for |von meinem .{1,40} gesendet|envoyé de mon |enviado desde mi |inviato da |enviado do meu |verzonden vanaf mijn |wysłano z |отправлено с |发自我的|從我的 .{1,40} 傳送|iphoneから送信|보낸 사람: ?.{0,20}(?:iphone|galaxy))/iu;

export type MarkerKind = 'forward' | 'quote' | 'signature';
export interface Marker {
  /** Index of the marker's first line in the text. */
  index: number;
  kind: MarkerKind;
}

/** The first place the member's own text ends, by lines; undefined when the whole text is theirs. */
export function findMarker(text: string): Marker | undefined {
  const lines = text.split('\n');
  let at = 0;
  for (let i = 0; i < lines.length && i < 5_000; i++) {
    const line = (lines[i] ?? '').slice(0, 1_000);
    const trimmed = line.trim();
    if (SEPARATOR.test(line) || FORWARD_INTRO.test(line)) return { index: at, kind: 'forward' };
    if (FROM_WORD.test(line) && headerBlockFollows(lines, i)) return { index: at, kind: 'forward' };
    if (looksLikeAttribution(trimmed)) return { index: at, kind: 'quote' };
    if (SIGNATURE.test(line === '-- ' ? line : trimmed)) return { index: at, kind: 'signature' };
    at += line.length + 1;
  }
  return undefined;
}

/** Two or more header lines (From: plus Sent:/To:/Subject:) make a header block, not a sentence. */
function headerBlockFollows(lines: string[], i: number): boolean {
  let headers = 0;
  for (let j = i + 1; j < Math.min(lines.length, i + 6); j++) {
    const l = lines[j] ?? '';
    if (HEADER_WORD.test(l)) headers++;
    else if (l.trim() && !/^\s{2,}\S/.test(l)) break;
  }
  return headers >= 2;
}

export const isHeaderLine = (line: string) => FROM_WORD.test(line) || HEADER_WORD.test(line);

// --- HTML ------------------------------------------------------------------------------------------

/** Elements mail clients put around a quote or a signature (checked on the raw HTML, before sanitising). */
const QUOTE_ELEMENT =
  /<(?:div|span|p|table|blockquote|section)\b[^>]*?\b(?:class\s*=\s*["']?[^"'>]*?\b(?:gmail_quote|gmail_extra|gmail_signature|yahoo_quoted|moz-cite-prefix|moz-signature|protonmail_quote|zmail_extra|OutlookMessageHeader|AppleOriginalContents|x_gmail_quote|x_gmail_signature)\b|id\s*=\s*["']?(?:x_)?(?:divRplyFwdMsg|appendonsend|Signature|OLK_SRC_BODY_SECTION|mail-editor-reference-message-container|isForwardContent|isReplyContent|reference_message|ymail_android_signature)\b|type\s*=\s*["']?cite\b)|<hr\b[^>]*\bid\s*=\s*["']?stopSpelling|<pre\b[^>]*\bclass\s*=\s*["']?moz-signature/i;

const BLOCK_OPEN = /^<(?:p|div|table|tr|blockquote|section|hr|h[1-6]|ul|ol|li|pre)\b/i;
const BREAK = /^<(?:br|\/?(?:p|div|table|tr|blockquote|section|hr|h[1-6]|ul|ol|li|pre))\b/i;

/**
 * The member's part of an HTML body: cut before the first quote, forwarded header block or signature.
 * A bare forward (little of the member's own text above the forwarded part, and `forwarded`) is kept
 * whole, as memberText keeps a forwarded text. Returns the raw HTML prefix (the caller sanitises it).
 */
export function memberHtml(html: string, opts: { forwarded: boolean }): { html: string; cut: boolean } {
  const structural = QUOTE_ELEMENT.exec(html);
  let cutAt = structural?.index;
  // Text with line breaks where the HTML breaks lines, and where each piece came from.
  const pieces: { text: number; html: number; block: number }[] = [];
  let text = '';
  let block = 0;
  const limit = cutAt ?? html.length;
  for (const m of html.slice(0, limit).matchAll(/<!--[\s\S]*?-->|<[^>]*>|[^<]+/g)) {
    const tok = m[0];
    if (tok.startsWith('<')) {
      if (BLOCK_OPEN.test(tok)) block = m.index;
      if (BREAK.test(tok) && !text.endsWith('\n')) {
        pieces.push({ text: text.length, html: m.index, block });
        text += '\n';
      }
      continue;
    }
    pieces.push({ text: text.length, html: m.index, block });
    text += decodeEntities(tok).replace(/[ \t\r\n]+/g, ' ');
    if (text.length > 200_000) break;
  }
  const marker = findMarker(text.replace(/^ +| +$/gm, ''));
  let ownText = structural ? text : '';
  if (marker) {
    // Map the marker's line back to the HTML: the block element that holds it.
    const lineStart = nthLineStart(text, marker.index, text.replace(/^ +| +$/gm, ''));
    const piece = [...pieces].reverse().find((p) => p.text <= lineStart);
    if (piece) {
      cutAt = piece.block > 0 && piece.block <= piece.html ? piece.block : piece.html;
      ownText = text.slice(0, lineStart);
    }
    if (marker.kind === 'signature' && cutAt !== undefined) return { html: html.slice(0, cutAt), cut: true };
  }
  if (cutAt === undefined) return { html, cut: false };
  if (opts.forwarded && ownText.replace(/\s+/g, ' ').trim().length < 200) return { html, cut: false };
  return { html: html.slice(0, cutAt), cut: true };
}

/** Offset in `raw` of the line that starts at `index` in `trimmed` (the same lines, blanks trimmed). */
function nthLineStart(raw: string, index: number, trimmed: string): number {
  const n = trimmed.slice(0, index).split('\n').length - 1;
  let at = 0;
  for (let i = 0; i < n; i++) {
    const next = raw.indexOf('\n', at);
    if (next < 0) return raw.length;
    at = next + 1;
  }
  return at;
}
