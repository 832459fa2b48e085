import type { Config } from '../../config/config.ts';
import { escapeHtml } from '../../domain/html.ts';
import type { Subscriber } from '../../domain/index.ts';
import type { OutboundMessage } from '../../ports/mailer.ts';
import { pickLanguage } from '../shared/language.ts';
import { paragraphs, systemMailHtml, wrapText } from '../shared/system-mail.ts';
import type { SubscribersConfig } from './deps.ts';
import { MAIL_LANGUAGES, tm } from './messages.ts';

type MailConfig = SubscribersConfig & Partial<Pick<Config, 'GAZETTE_POSTAL_ADDRESS'>>;

/**
 * Transactional mails about the subscription itself, in the reader's language (zh-Hant → zh → en) and in
 * the newsletter's own layout (templates/system/layout.mjml), never the web pages' CSS. No List-Unsubscribe:
 * they are not bulk mail.
 */
function mail(
  config: MailConfig,
  s: Subscriber,
  kind: 'confirm' | 'already-subscribed' | 'erase',
  url: string,
  layoutHtml?: string,
): OutboundMessage {
  const lang = pickLanguage(s.language, MAIL_LANGUAGES);
  const vars = { name: config.GAZETTE_NEWSLETTER_NAME, email: s.email };
  const words = {
    confirm: {
      subject: tm(lang, 'confirmSubject', vars),
      lines: [tm(lang, 'confirmIntro', vars), tm(lang, 'confirmExpiry'), tm(lang, 'confirmIgnore')],
      action: tm(lang, 'confirmAction'),
    },
    'already-subscribed': {
      subject: tm(lang, 'alreadySubject', vars),
      lines: [tm(lang, 'alreadyIntro', vars), tm(lang, 'confirmIgnore')],
      action: tm(lang, 'alreadyAction'),
    },
    erase: {
      subject: tm(lang, 'eraseMailSubject', vars),
      lines: [tm(lang, 'eraseMailIntro', vars), tm(lang, 'eraseMailIgnore')],
      action: tm(lang, 'eraseMailAction'),
    },
  }[kind];
  const { subject, lines, action } = words;
  const footer = tm(lang, 'mailFooter', vars);
  const address = config.GAZETTE_POSTAL_ADDRESS ?? '';
  const text = wrapText(
    [lines[0], '', `${action}:`, url, '', ...lines.slice(1), '', '--', footer, address].join('\n').trimEnd(),
  );
  const html = systemMailHtml({
    lang,
    title: subject,
    preheader: lines[0],
    newsletterName: config.GAZETTE_NEWSLETTER_NAME,
    bodyHtml: `<h1>${escapeHtml(subject)}</h1>${paragraphs([lines[0] ?? ''])}`,
    action: { url, label: action },
    notesHtml: paragraphs(lines.slice(1)),
    footerHtml: escapeHtml(footer),
    postalAddress: address,
    layoutHtml,
  });
  return {
    from: config.GAZETTE_FROM,
    to: s.email,
    subject,
    text,
    html,
    tags: { type: kind, subscriber: s.subscriberId },
  };
}

/** `layoutHtml`: the system layout saved in the template store (default: the built-in one). */
export const confirmationMail = (c: MailConfig, s: Subscriber, confirmUrl: string, layoutHtml?: string) =>
  mail(c, s, 'confirm', confirmUrl, layoutHtml);

export const alreadySubscribedMail = (
  c: MailConfig,
  s: Subscriber,
  preferencesUrl: string,
  layoutHtml?: string,
) => mail(c, s, 'already-subscribed', preferencesUrl, layoutHtml);

/** Erasure asked for on the preferences page: the mailbox itself must confirm (a forwarded link is not enough). */
export const eraseConfirmationMail = (c: MailConfig, s: Subscriber, eraseUrl: string, layoutHtml?: string) =>
  mail(c, s, 'erase', eraseUrl, layoutHtml);
