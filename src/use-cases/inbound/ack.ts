/**
 * The acknowledgement a member gets for each message: what was received and what happens next, in the
 * member's language when we have it (English otherwise). Marked Auto-Submitted (RFC 3834) so that
 * vacation responders do not answer it, and threaded to the original with In-Reply-To.
 */

import { escapeHtml } from '../../domain/html.ts';
import type { EventTime } from '../../domain/index.ts';
import type { OutboundMessage } from '../../ports/mailer.ts';
import { systemMailHtml, wrapText } from '../shared/system-mail.ts';

export type AckStatus = 'pending' | 'approved' | 'quarantined' | 'rejected';

interface Strings {
  subject: (title: string) => string;
  greeting: (org: string) => string;
  received: (title: string) => string;
  status: Record<AckStatus, string>;
  reason: string;
  attachments: (n: number) => string;
  withheld: (names: string) => string;
  help: string;
  signoff: string;
  /** What was read from the mail, repeated so the member can correct it (issue 15). */
  read: string;
  fields: { title: string; when: string; where: string; deadline: string };
  correct: string;
}

const STRINGS: Record<string, Strings> = {
  en: {
    subject: (t) => `Received: ${t}`,
    greeting: (o) => `Hello ${o},`,
    received: (t) => `Thank you, we received your update “${t}”.`,
    status: {
      pending: 'It is waiting for review by the secretariat and will be considered for the next newsletter.',
      approved: 'It has been approved and will appear in the next newsletter.',
      quarantined: 'It is being held for a manual check by the secretariat before it can be considered.',
      rejected: 'It could not be accepted.',
    },
    reason: 'Reason',
    attachments: (n) => `Attachments received: ${n}.`,
    withheld: (n) => `These attachments will not be published: ${n}.`,
    help: 'Tip: lines such as “When:”, “Where:”, “Link:” and “Deadline:” help us list your item correctly.',
    signoff: 'This is an automatic message.',
    read: 'What we read from your message:',
    fields: { title: 'Title', when: 'When', where: 'Where', deadline: 'Deadline' },
    correct: 'If any of this is wrong, reply to this message with the correction.',
  },
  zh: {
    subject: (t) => `已收到：${t}`,
    greeting: (o) => `${o}，您好：`,
    received: (t) => `感谢您的来信，我们已收到您的动态“${t}”。`,
    status: {
      pending: '秘书处将进行审核，并考虑收录于下一期通讯。',
      approved: '已审核通过，将刊登在下一期通讯中。',
      quarantined: '该邮件需秘书处人工核查后方可处理。',
      rejected: '很抱歉，该邮件未能被接受。',
    },
    reason: '原因',
    attachments: (n) => `收到附件：${n} 个。`,
    withheld: (n) => `以下附件不会发布：${n}。`,
    help: '提示：在邮件中写明“When:”（时间）、“Where:”（地点）、“Link:”（链接）和“Deadline:”（截止日期）有助于我们准确收录。',
    signoff: '此为系统自动发送的邮件。',
    read: '我们从您的邮件中读取到：',
    fields: { title: '标题', when: '时间', where: '地点', deadline: '截止日期' },
    correct: '如有错误，请直接回复此邮件告知更正内容。',
  },
  ja: {
    subject: (t) => `受領しました：${t}`,
    greeting: (o) => `${o} 御中`,
    received: (t) => `「${t}」を受け取りました。ありがとうございます。`,
    status: {
      pending: '事務局で確認のうえ、次号のニュースレターへの掲載を検討します。',
      approved: '承認され、次号のニュースレターに掲載されます。',
      quarantined: '事務局による手動確認のため保留されています。',
      rejected: '申し訳ありませんが、受け付けることができませんでした。',
    },
    reason: '理由',
    attachments: (n) => `受領した添付ファイル：${n} 件。`,
    withheld: (n) => `次の添付ファイルは公開されません：${n}。`,
    help: 'ヒント：「When:」「Where:」「Link:」「Deadline:」の行を書くと、正確に掲載できます。',
    signoff: 'これは自動送信メールです。',
    read: 'メールから読み取った内容：',
    fields: { title: 'タイトル', when: '日時', where: '場所', deadline: '締切' },
    correct: '誤りがあれば、このメールに返信して訂正内容をお知らせください。',
  },
  ko: {
    subject: (t) => `접수 완료: ${t}`,
    greeting: (o) => `${o} 담당자님께,`,
    received: (t) => `보내주신 소식 “${t}”을(를) 잘 받았습니다. 감사합니다.`,
    status: {
      pending: '사무국 검토 후 다음 뉴스레터 게재를 검토합니다.',
      approved: '승인되었으며 다음 뉴스레터에 게재됩니다.',
      quarantined: '사무국의 수동 확인을 위해 보류 중입니다.',
      rejected: '죄송하지만 접수할 수 없었습니다.',
    },
    reason: '사유',
    attachments: (n) => `받은 첨부 파일: ${n}개.`,
    withheld: (n) => `다음 첨부 파일은 게시되지 않습니다: ${n}.`,
    help: '도움말: “When:”, “Where:”, “Link:”, “Deadline:” 줄을 적어 주시면 정확하게 소개할 수 있습니다.',
    signoff: '자동 발송 메일입니다.',
    read: '보내주신 메일에서 읽은 내용:',
    fields: { title: '제목', when: '일시', where: '장소', deadline: '마감' },
    correct: '잘못된 내용이 있으면 이 메일에 회신하여 알려 주세요.',
  },
  es: {
    subject: (t) => `Recibido: ${t}`,
    greeting: (o) => `Estimados/as ${o}:`,
    received: (t) => `Gracias, hemos recibido su novedad «${t}».`,
    status: {
      pending: 'La secretaría la revisará y la considerará para el próximo boletín.',
      approved: 'Ha sido aprobada y aparecerá en el próximo boletín.',
      quarantined: 'Queda retenida para una revisión manual de la secretaría.',
      rejected: 'No ha podido ser aceptada.',
    },
    reason: 'Motivo',
    attachments: (n) => `Archivos adjuntos recibidos: ${n}.`,
    withheld: (n) => `Estos adjuntos no se publicarán: ${n}.`,
    help: 'Consejo: líneas como «When:», «Where:», «Link:» y «Deadline:» nos ayudan a publicar su noticia correctamente.',
    signoff: 'Este es un mensaje automático.',
    read: 'Esto es lo que leímos en su mensaje:',
    fields: { title: 'Título', when: 'Cuándo', where: 'Dónde', deadline: 'Fecha límite' },
    correct: 'Si algo no es correcto, responda a este mensaje con la corrección.',
  },
  fr: {
    subject: (t) => `Reçu : ${t}`,
    greeting: (o) => `Bonjour ${o},`,
    received: (t) => `Merci, nous avons bien reçu votre actualité « ${t} ».`,
    status: {
      pending: 'Le secrétariat va l’examiner pour la prochaine lettre d’information.',
      approved: 'Elle est approuvée et paraîtra dans la prochaine lettre d’information.',
      quarantined: 'Elle est retenue pour une vérification manuelle par le secrétariat.',
      rejected: 'Elle n’a pas pu être acceptée.',
    },
    reason: 'Motif',
    attachments: (n) => `Pièces jointes reçues : ${n}.`,
    withheld: (n) => `Ces pièces jointes ne seront pas publiées : ${n}.`,
    help: 'Astuce : des lignes « When: », « Where: », « Link: » et « Deadline: » nous aident à bien présenter votre information.',
    signoff: 'Ceci est un message automatique.',
    read: 'Voici ce que nous avons lu dans votre message :',
    fields: { title: 'Titre', when: 'Quand', where: 'Où', deadline: 'Date limite' },
    correct: 'Si quelque chose est inexact, répondez à ce message avec la correction.',
  },
};

export const ACK_LANGUAGES = Object.keys(STRINGS);

export function stringsFor(language: string | undefined): Strings {
  const primary = (language ?? 'en').toLowerCase().split('-')[0] ?? 'en';
  return STRINGS[primary] ?? (STRINGS.en as Strings);
}

export interface AckInput {
  /** The system layout saved in the template store (default: the built-in one). */
  layoutHtml?: string;
  to: string;
  from: string;
  replyTo?: string;
  organisation: string;
  language?: string;
  title: string;
  status: AckStatus;
  reason?: string;
  attachments: number;
  withheld: string[];
  /** Message-ID of the member's mail, for threading (only if it is a plain <id@host>). */
  inReplyTo?: string;
  updateId?: string;
  /** The event and deadline read from the mail, shown back in the zone the member wrote (or the fallback). */
  event?: EventTime;
  deadline?: string;
  timeZone?: string;
  newsletterName?: string;
  postalAddress?: string;
}

function formatAt(iso: string, language: string | undefined, zone: string, dateOnly?: boolean): string {
  const opts: Intl.DateTimeFormatOptions = {
    timeZone: zone,
    dateStyle: 'full',
    ...(dateOnly ? {} : { timeStyle: 'short' as const }),
  };
  let f: Intl.DateTimeFormat;
  try {
    f = new Intl.DateTimeFormat(language ?? 'en', opts);
  } catch {
    f = new Intl.DateTimeFormat('en', opts);
  }
  return `${f.format(new Date(iso))}${dateOnly ? '' : ` (${zone})`}`;
}

/** Label/value pairs of what was read: title always, then when, where and deadline if found. */
function whatWasRead(a: AckInput, s: Strings, title: string): [string, string][] {
  const zone = a.event?.timeZone ?? a.timeZone ?? 'UTC';
  const rows: [string, string][] = [[s.fields.title, title]];
  if (a.event) {
    const start = formatAt(a.event.start, a.language, zone, a.event.allDay);
    const end = a.event.end ? ` – ${formatAt(a.event.end, a.language, zone, a.event.allDay)}` : '';
    rows.push([s.fields.when, start + end]);
    if (a.event.location) rows.push([s.fields.where, oneLine(a.event.location)]);
  }
  if (a.deadline) rows.push([s.fields.deadline, formatAt(a.deadline, a.language, a.timeZone ?? 'UTC')]);
  return rows;
}

export function buildAck(a: AckInput): OutboundMessage {
  const s = stringsFor(a.language);
  const title = oneLine(a.title).slice(0, 150) || '(no subject)';
  const rows = whatWasRead(a, s, title);
  const lines = [
    s.greeting(oneLine(a.organisation)),
    '',
    s.received(title),
    s.status[a.status],
    ...(a.reason ? [`${s.reason}: ${a.reason}`] : []),
    '',
    s.read,
    ...rows.map(([k, v]) => `  ${k}: ${v}`),
    s.correct,
    ...(a.attachments ? ['', s.attachments(a.attachments)] : []),
    ...(a.withheld.length ? [s.withheld(a.withheld.join(', '))] : []),
    '',
    s.help,
    '',
    `— ${s.signoff}`,
    ...(a.updateId ? [`(ref. ${a.updateId})`] : []),
    ...(a.postalAddress ? [a.postalAddress] : []),
  ];
  const e = escapeHtml;
  const html = systemMailHtml({
    lang: (a.language ?? 'en').split('-')[0] ?? 'en',
    title: s.subject(title),
    preheader: s.received(title),
    newsletterName: a.newsletterName ?? (/^\s*"?([^"<]+?)"?\s*</.exec(a.from)?.[1] || 'Gazette'),
    bodyHtml:
      `<p>${e(s.greeting(oneLine(a.organisation)))}</p><p>${e(s.received(title))} ${e(s.status[a.status])}</p>` +
      (a.reason ? `<p><strong>${e(s.reason)}:</strong> ${e(a.reason)}</p>` : '') +
      `<p>${e(s.read)}</p><table role="presentation">${rows
        .map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`)
        .join('')}</table><p>${e(s.correct)}</p>` +
      (a.attachments ? `<p>${e(s.attachments(a.attachments))}</p>` : '') +
      (a.withheld.length ? `<p>${e(s.withheld(a.withheld.join(', ')))}</p>` : ''),
    notesHtml: `<p>${e(s.help)}</p>`,
    footerHtml: `${e(s.signoff)}${a.updateId ? ` (ref. ${e(a.updateId)})` : ''}`,
    postalAddress: a.postalAddress ?? '',
    layoutHtml: a.layoutHtml,
  });
  const headers: Record<string, string> = {
    'Auto-Submitted': 'auto-replied',
    'X-Auto-Response-Suppress': 'All',
  };
  // Printable ASCII only: SES refuses anything else in a header value (and the ack would be lost).
  if (a.inReplyTo && /^<[!-;=?-~]{1,250}>$/.test(a.inReplyTo)) {
    headers['In-Reply-To'] = a.inReplyTo;
    headers.References = a.inReplyTo;
  }
  return {
    from: a.from,
    to: a.to,
    replyTo: a.replyTo,
    subject: s.subject(title),
    text: wrapText(lines.join('\n')),
    html,
    headers,
    tags: { kind: 'inbound-ack' },
  };
}

const oneLine = (v: string) => v.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
