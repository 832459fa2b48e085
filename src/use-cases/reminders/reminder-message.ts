import { escapeHtml } from '../../domain/html.ts';
import type { Deadline, Subscriber } from '../../domain/index.ts';
import { parseOffset, type ReminderWave } from '../../domain/reminder-schedule.ts';
import type { RecipientLinks } from '../../ports/campaign-source.ts';
import type { OutboundAttachment, OutboundMessage } from '../../ports/mailer.ts';
import { pickLanguage } from '../shared/language.ts';
import { systemMailHtml, wrapText } from '../shared/system-mail.ts';
import { buildIcs } from './calendar.ts';

/**
 * Reminder mails: plain text + the precompiled system layout filled by substitution (no template engine,
 * no mjml in this Lambda), so a wave of thousands costs a few string joins per recipient. Everything that does not depend on the
 * recipient (subject, body, .ics) is built once per campaign; the recipient's own time is cached per zone.
 */

interface Strings {
  reminder: string;
  extendedSubject: (kind: Deadline['kind']) => string;
  closes: string;
  starts: string;
  due: string;
  start: string;
  end: string;
  yourTime: string;
  newDate: string;
  more: string;
  calendar: (file: string) => string;
  footer: (name: string) => string;
  stop: string;
  preferences: string;
}

const EN: Strings = {
  reminder: 'Reminder',
  extendedSubject: (k) => (k === 'event' ? 'Rescheduled' : 'Deadline extended'),
  closes: 'closes',
  starts: 'starts',
  due: 'Due',
  start: 'Starts',
  end: 'Ends',
  yourTime: 'In your time zone',
  newDate: 'New date',
  more: 'More information',
  calendar: (f) => `A calendar entry (${f}) is attached.`,
  footer: (n) => `You receive deadline and event reminders from ${n}.`,
  stop: 'Stop these reminders',
  preferences: 'Your preferences',
};

const ZH: Strings = {
  reminder: '提醒',
  extendedSubject: (k) => (k === 'event' ? '时间变更' : '截止日期延长'),
  closes: '截止',
  starts: '开始',
  due: '截止时间',
  start: '开始时间',
  end: '结束时间',
  yourTime: '您所在时区',
  newDate: '新的日期',
  more: '详细信息',
  calendar: (f) => `附件为日历条目（${f}）。`,
  footer: (n) => `您订阅了 ${n} 的截止日期和活动提醒。`,
  stop: '取消提醒',
  preferences: '订阅设置',
};

const JA: Strings = {
  reminder: 'リマインダー',
  extendedSubject: (k) => (k === 'event' ? '日時変更' : '締切延長'),
  closes: '締切',
  starts: '開始',
  due: '締切日時',
  start: '開始日時',
  end: '終了日時',
  yourTime: 'お住まいのタイムゾーン',
  newDate: '新しい日時',
  more: '詳細',
  calendar: (f) => `カレンダー登録用ファイル（${f}）を添付しています。`,
  footer: (n) => `${n} の締切・イベントのリマインダーを購読されています。`,
  stop: 'リマインダーを停止',
  preferences: '購読設定',
};

const KO: Strings = {
  reminder: '알림',
  extendedSubject: (k) => (k === 'event' ? '일정 변경' : '마감 연장'),
  closes: '마감',
  starts: '시작',
  due: '마감 일시',
  start: '시작 일시',
  end: '종료 일시',
  yourTime: '내 시간대',
  newDate: '새 일시',
  more: '자세한 정보',
  calendar: (f) => `캘린더 항목(${f})이 첨부되어 있습니다.`,
  footer: (n) => `${n}의 마감 및 행사 알림을 구독하고 계십니다.`,
  stop: '알림 중지',
  preferences: '구독 설정',
};

const STRINGS = { en: EN, zh: ZH, ja: JA, ko: KO } as const;
const REMINDER_LANGUAGES = Object.keys(STRINGS) as (keyof typeof STRINGS)[];

/** A planned reminder this much closer to the due time than its offset went out late. */
const LATE_SLACK_MS = 2 * 3_600_000;

function formatter(language: string, timeZone: string): Intl.DateTimeFormat {
  const opts: Intl.DateTimeFormatOptions = {
    timeZone,
    weekday: 'short',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  };
  try {
    return new Intl.DateTimeFormat(language, opts);
  } catch {
    return new Intl.DateTimeFormat('en', opts);
  }
}

/** "in 7 days", "tomorrow", "in 2 hours" in the item's language. */
function relative(language: string, ms: number): string {
  let rtf: Intl.RelativeTimeFormat;
  try {
    rtf = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  } catch {
    rtf = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  }
  const minutes = Math.round(ms / 60_000);
  if (minutes % 1440 === 0 && minutes > 0) return rtf.format(minutes / 1440, 'day');
  if (minutes >= 2 * 1440) return rtf.format(Math.floor(minutes / 1440), 'day');
  if (minutes % 60 === 0 || minutes >= 120) return rtf.format(Math.round(minutes / 60), 'hour');
  return rtf.format(minutes, 'minute');
}

const esc = escapeHtml;

export interface ReminderMessageOptions {
  from: string;
  newsletterName: string;
  now: Date;
  campaign: string;
  /** Printed in the footer of every mail, as in the newsletter. */
  postalAddress?: string;
  /** The system layout saved in the template store (default: the built-in one). */
  layoutHtml?: string;
}

const FOOTER_SLOT = '\u0000footer\u0000';
const OWN_SLOT = '\u0000own\u0000';

/**
 * Prepare once per campaign; the returned function personalises per recipient. Each reader gets the mail
 * in their own language (issue 14: zh-Hant → zh → en; en, zh, ja, ko), built once per language, and in
 * the newsletter's layout (templates/system/layout.mjml, precompiled), filled once per language too.
 */
export function prepareReminderMessage(
  d: Deadline,
  wave: ReminderWave,
  o: ReminderMessageOptions,
): (s: Subscriber, links: RecipientLinks) => OutboundMessage {
  const due = new Date(d.dueAt);
  const isEvent = d.kind === 'event';
  const ics = buildIcs(d, o.newsletterName, o.now);
  const icsName = isEvent ? 'event.ics' : 'deadline.ics';
  const attachment: OutboundAttachment = {
    filename: icsName,
    contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
    content: ics,
  };
  // A subject is one header line: mail APIs refuse line breaks in it (the whole wave would fail).
  const title = d.title.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');

  const variant = (lang: keyof typeof STRINGS) => {
    const t = STRINGS[lang];
    const fmt = (zone: string, at: Date) => `${formatter(lang, zone).format(at)} (${zone})`;
    const announced = fmt(d.timeZone, due);
    const announcedEnd = isEvent && d.endAt ? fmt(d.timeZone, new Date(d.endAt)) : undefined;
    let when: string | undefined;
    const left = due.getTime() - o.now.getTime();
    if (wave.kind === 'offset') {
      const off = parseOffset(wave.offset);
      const ms = ((off.days * 24 + off.hours) * 60 + off.minutes) * 60_000;
      // Sent late (asked to, or retried): say how long is really left, not what the offset promised.
      // The slack covers a DST hour and a slow send.
      const shown = left < ms - LATE_SLACK_MS ? left : ms;
      when = shown > 0 ? relative(lang, shown) : undefined;
    } else if (wave.kind === 'now' && due.getTime() > o.now.getTime()) {
      when = relative(lang, due.getTime() - o.now.getTime());
    }
    const verb = isEvent ? t.starts : t.closes;
    const subject =
      wave.kind === 'extended'
        ? `${t.extendedSubject(d.kind)}: ${title}`
        : `${t.reminder}: ${title}${when ? ` – ${verb} ${when}` : ''}`;
    const whenLabel = wave.kind === 'extended' ? t.newDate : isEvent ? t.start : t.due;
    const head = [subject, '', `${whenLabel}: ${announced}`];
    const tailText = [
      ...(announcedEnd ? [`${t.end}: ${announcedEnd}`] : []),
      '',
      ...(d.description ? [d.description, ''] : []),
      ...(d.link ? [`${t.more}: ${d.link}`, ''] : []),
      t.calendar(icsName),
      '',
      '--',
      t.footer(o.newsletterName),
      ...(o.postalAddress ? [o.postalAddress] : []),
    ].join('\n');
    const [htmlBefore, htmlRest] = systemMailHtml({
      lang,
      title: subject,
      preheader: `${whenLabel}: ${announced}`,
      newsletterName: o.newsletterName,
      bodyHtml: `<h1>${esc(subject)}</h1><p><strong>${esc(whenLabel)}:</strong> ${esc(announced)}${OWN_SLOT}${
        announcedEnd ? `<br><strong>${esc(t.end)}:</strong> ${esc(announcedEnd)}` : ''
      }</p>${d.description ? `<p>${esc(d.description).replace(/\n/g, '<br>')}</p>` : ''}`,
      action: d.link ? { url: d.link, label: t.more } : undefined,
      notesHtml: `<p>${esc(t.calendar(icsName))}</p>`,
      footerHtml: `${esc(t.footer(o.newsletterName))}<br>${FOOTER_SLOT}`,
      postalAddress: o.postalAddress ?? '',
      layoutHtml: o.layoutHtml,
    }).split(OWN_SLOT) as [string, string];
    const [htmlMiddle, htmlAfter] = htmlRest.split(FOOTER_SLOT) as [string, string];
    // The recipient's own time, formatted once per zone.
    const own = new Map<string, string>();
    const ownTime = (zone: string) => {
      let v = own.get(zone);
      if (v === undefined) {
        // An event's end too, so a reader abroad sees the whole slot in their own time.
        const end = isEvent && d.endAt ? ` – ${fmt(zone, new Date(d.endAt))}` : '';
        v = zone === d.timeZone ? '' : `${fmt(zone, due)}${end}`;
        own.set(zone, v);
      }
      return v;
    };
    return (s: Subscriber, links: RecipientLinks) => {
      const mine = ownTime(s.timeZone);
      const text = wrapText(
        [
          ...head,
          ...(mine ? [`${t.yourTime}: ${mine}`] : []),
          tailText,
          `${t.stop}: ${links.unsubscribeUrl}`,
          `${t.preferences}: ${links.preferencesUrl}`,
        ].join('\n'),
      );
      const html = `${htmlBefore}${mine ? `<br><strong>${esc(t.yourTime)}:</strong> ${esc(mine)}` : ''}${htmlMiddle}<a href="${esc(links.unsubscribeUrl)}">${esc(t.stop)}</a> · <a href="${esc(links.preferencesUrl)}">${esc(t.preferences)}</a>${htmlAfter}`;
      return { subject, text, html };
    };
  };

  const variants = new Map<string, ReturnType<typeof variant>>();
  return (s, links) => {
    // The reader's language; a reader without one gets the item's.
    const lang = pickLanguage(s.language || d.language, REMINDER_LANGUAGES);
    let v = variants.get(lang);
    if (!v) {
      v = variant(lang);
      variants.set(lang, v);
    }
    const { subject, text, html } = v(s, links);
    return {
      from: o.from,
      to: s.email,
      subject,
      text,
      html,
      headers: { ...links.listHeaders },
      attachments: [attachment],
      tags: { campaign: o.campaign, subscriber: s.subscriberId },
    };
  };
}
