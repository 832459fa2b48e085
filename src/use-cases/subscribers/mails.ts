import type { Subscriber } from '../../domain/index.ts';
import type { OutboundMessage } from '../../ports/mailer.ts';
import type { SubscribersConfig } from './deps.ts';
import { langOf, t } from './messages.ts';
import { esc, layout } from './pages.ts';

/** Transactional mails about the subscription itself. No List-Unsubscribe: they are not bulk mail. */
function mail(
  config: SubscribersConfig,
  s: Subscriber,
  kind: 'confirm' | 'already-subscribed' | 'erase',
  url: string,
): OutboundMessage {
  const lang = langOf(s.language);
  const vars = { name: config.GAZETTE_NEWSLETTER_NAME };
  const words = {
    confirm: {
      subject: t(lang, 'confirmSubject', vars),
      lines: [t(lang, 'confirmIntro', vars), t(lang, 'confirmExpiry'), t(lang, 'confirmIgnore')],
      action: t(lang, 'confirmAction'),
    },
    'already-subscribed': {
      subject: t(lang, 'alreadySubject', vars),
      lines: [t(lang, 'alreadyIntro', vars), t(lang, 'confirmIgnore')],
      action: t(lang, 'alreadyAction'),
    },
    erase: {
      subject: t(lang, 'eraseMailSubject', vars),
      lines: [t(lang, 'eraseMailIntro', vars), t(lang, 'eraseMailIgnore')],
      action: t(lang, 'eraseMailAction'),
    },
  }[kind];
  const { subject, lines, action } = words;
  const text = [lines[0], '', `${action}:`, url, '', ...lines.slice(1)].join('\n');
  const html = layout(
    lang,
    subject,
    `<p>${esc(lines[0] ?? '')}</p>
<p><a href="${esc(url)}" style="display:inline-block;padding:.6rem 1.2rem;background:#1f5f2c;color:#fff;border-radius:4px;text-decoration:none;font-weight:600">${esc(action)}</a></p>
${lines
  .slice(1)
  .map((l) => `<p class="note">${esc(l)}</p>`)
  .join('\n')}`,
  );
  return {
    from: config.GAZETTE_FROM,
    to: s.email,
    subject,
    text,
    html,
    tags: { type: kind, subscriber: s.subscriberId },
  };
}

export const confirmationMail = (c: SubscribersConfig, s: Subscriber, confirmUrl: string) =>
  mail(c, s, 'confirm', confirmUrl);

export const alreadySubscribedMail = (c: SubscribersConfig, s: Subscriber, preferencesUrl: string) =>
  mail(c, s, 'already-subscribed', preferencesUrl);

/** Erasure asked for on the preferences page: the mailbox itself must confirm (a forwarded link is not enough). */
export const eraseConfirmationMail = (c: SubscribersConfig, s: Subscriber, eraseUrl: string) =>
  mail(c, s, 'erase', eraseUrl);
