/**
 * The system-mail layout in force: the one saved with the newest template version (the template store,
 * docs/editions.md "Templates"), else none (the built-in layout compiled at build time). Read at most once a
 * minute per process: a save reaches every function within a minute, and a wave of mails costs no reads.
 */
import type { TemplateVersion } from '../../domain/template-set.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';

export const SYSTEM_LAYOUT_TTL_MS = 60_000;

/** The compiled layout a system mail is filled into; undefined: the built-in one. */
export type SystemLayoutSource = () => Promise<string | undefined>;

export function makeSystemLayoutSource(d: {
  latest: () => Promise<TemplateVersion | undefined>;
  clock: Clock;
  logger: Logger;
  ttlMs?: number;
}): SystemLayoutSource {
  const ttl = d.ttlMs ?? SYSTEM_LAYOUT_TTL_MS;
  let known: { at: number; html: string | undefined } | undefined;
  let reading: Promise<string | undefined> | undefined;
  return async () => {
    const now = d.clock.now().getTime();
    if (known && now - known.at < ttl) return known.html;
    reading ??= d
      .latest()
      .then(
        (v) => v?.systemLayoutHtml,
        (e) => {
          // A mail is never held up by the template store: the last layout read (or the built-in) serves.
          d.logger.warn('system layout: could not read the template store', { error: String(e) });
          return known?.html;
        },
      )
      .then((html) => {
        known = { at: now, html };
        return html;
      })
      .finally(() => {
        reading = undefined;
      });
    return reading;
  };
}
