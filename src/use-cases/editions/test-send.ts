import { type Actor, Email, InvalidStateError, ValidationError } from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { EditionRepo } from '../../ports/editions.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Mailer } from '../../ports/mailer.ts';
import { loadEdition } from './lifecycle.ts';
import type { EditionSettings } from './settings.ts';
import { prepareVariants } from './source.ts';

export const MAX_TEST_RECIPIENTS = 20;

/**
 * Send the edition to a few chosen addresses, exactly as subscribers will see it but with dummy
 * personal links (they lead nowhere harmful) and "[TEST]" in the subject. Allowed before approval:
 * that is what it is for. Every language variant is sent unless `languages` narrows it.
 */
export function makeTestSend(d: {
  editions: EditionRepo;
  content: BlobStore;
  mailer: Mailer;
  logger: Logger;
  settings: () => EditionSettings;
}) {
  return async (
    number: number,
    req: { to: string[]; languages?: string[]; requestedBy: Actor },
  ): Promise<{ sent: { to: string; language: string; messageId: string }[] }> => {
    const to = [
      ...new Set(
        req.to.map((a) => {
          const r = Email.safeParse(a);
          if (!r.success) throw new ValidationError(`"${a}" is not an e-mail address`);
          return r.data;
        }),
      ),
    ];
    if (!to.length) throw new ValidationError('give at least one address to send the test to');
    if (to.length > MAX_TEST_RECIPIENTS)
      throw new ValidationError(`a test goes to at most ${MAX_TEST_RECIPIENTS} addresses`);
    const e = await loadEdition(d.editions, number);
    if (e.status === 'cancelled') throw new InvalidStateError(`edition ${number} is cancelled`);
    const variants = (await prepareVariants(e, d.content)).filter(
      (v) => !req.languages?.length || req.languages.includes(v.language),
    );
    if (!variants.length)
      throw new ValidationError(
        `edition ${number} has no variant in ${req.languages?.join(', ')} (it has ${e.variants.map((v) => v.language).join(', ')})`,
      );
    const s = d.settings();
    const base = s.publicUrl.replace(/\/$/, '');
    const sent: { to: string; language: string; messageId: string }[] = [];
    for (const address of to) {
      for (const v of variants) {
        const values = {
          name: 'Test Reader',
          email: address,
          unsubscribe_url: `${base}/v1/unsubscribe?token=TEST-LINK-DOES-NOTHING`,
          preferences_url: `${base}/v1/preferences?token=TEST-LINK-DOES-NOTHING`,
        };
        const { messageId } = await d.mailer.send({
          from: s.from,
          to: address,
          subject: `[TEST] ${v.subject}`,
          html: v.html(values),
          text: v.text(values),
          // Test mails count under their own campaign, never in the edition's stats.
          tags: { campaign: `test#edition-${number}` },
        });
        sent.push({ to: address, language: v.language, messageId });
      }
    }
    d.logger.info('edition test sent', { number, by: req.requestedBy, recipients: to.length });
    return { sent };
  };
}
