/**
 * The public archive: one static page per sent edition (the archive copy rendered at compile time:
 * no placeholders, no personal data, no tracking), an index page and an Atom feed, in the archive
 * bucket (S3 static website on AWS, served at /archive/ by the embedded runtime).
 */
import { escapeHtml } from '../../domain/html.ts';
import { type Edition, InvalidStateError } from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ApprovedUpdates, EditionRepo } from '../../ports/editions.ts';
import type { Logger } from '../../ports/logger.ts';
import { type EditionLifecycle, loadEdition } from './lifecycle.ts';
import { hasPlaceholders } from './personalise.ts';
import type { EditionSettings } from './settings.ts';
import { editionPageUrl } from './view-model.ts';

const PAGE_CACHE = 'public, max-age=300';

export function makePublishArchive(d: {
  editions: EditionRepo;
  lifecycle: EditionLifecycle;
  updates: ApprovedUpdates;
  content: BlobStore;
  archive: BlobStore;
  clock: Clock;
  logger: Logger;
  settings: () => EditionSettings;
}) {
  /** Idempotent: publishing again rewrites the same objects. Marks a finished send as sent. */
  return async function publishArchive(number: number): Promise<{ url: string; edition: Edition }> {
    let e = await loadEdition(d.editions, number);
    if (e.status === 'sending' || e.status === 'paused') e = await d.lifecycle.setSendStatus(number, 'sent');
    if (e.status !== 'sent')
      throw new InvalidStateError(
        `edition ${number} is ${e.status}: only a sent edition goes to the archive`,
      );
    const s = d.settings();
    const defaultLanguage = e.variants[0]?.language ?? 'en';
    for (const v of e.variants) {
      if (!v.archiveKey) continue;
      const page = await d.content.getText(v.archiveKey);
      if (hasPlaceholders(page))
        throw new InvalidStateError(`the ${v.language} archive copy is not anonymous`);
      await d.archive.put(`editions/${number}/${v.language}.html`, page, 'text/html; charset=utf-8', {
        cacheControl: PAGE_CACHE,
      });
      if (v.language === defaultLanguage)
        await d.archive.put(`editions/${number}/index.html`, page, 'text/html; charset=utf-8', {
          cacheControl: PAGE_CACHE,
        });
    }
    const url = editionPageUrl(s.archiveUrl, number, defaultLanguage, defaultLanguage);
    if (e.archiveUrl !== url) {
      const next = { ...e, archiveUrl: url };
      await d.editions.save(next, ['sent']);
      e = next;
    }
    const sent = (await d.editions.list()).filter((x) => x.status === 'sent');
    await d.archive.put('index.html', archiveIndex(sent, s), 'text/html; charset=utf-8', {
      cacheControl: PAGE_CACHE,
    });
    await d.archive.put('feed.xml', atomFeed(sent, s, d.clock.now()), 'application/atom+xml; charset=utf-8', {
      cacheControl: PAGE_CACHE,
    });
    await d.updates.markPublished(
      e.items.map((i) => i.updateId),
      number,
      d.clock.now(),
    );
    d.logger.info('edition archived', { number, url });
    return { url, edition: e };
  };
}

const esc = escapeHtml;

const sentDate = (e: Edition) => (e.sentAt ?? e.compiledAt).slice(0, 10);

export function archiveIndex(sent: Edition[], s: EditionSettings): string {
  const base = s.archiveUrl.replace(/\/$/, '');
  const rows = [...sent]
    .sort((a, b) => b.number - a.number)
    .map((e) => {
      const langs = e.variants
        .map(
          (v) =>
            `<a href="${esc(editionPageUrl(base, e.number, v.language, e.variants[0]?.language ?? 'en'))}" lang="${esc(v.language)}">${esc(v.language)}</a>`,
        )
        .join(' · ');
      const items = e.items
        .slice(0, 8)
        .map((i) => `<li>${esc(i.title)} <span class="org">(${esc(i.organisation)})</span></li>`)
        .join('');
      return `<article><h2><a href="${esc(`${base}/editions/${e.number}/`)}">${esc(e.title)}</a></h2>
<p class="meta">${esc(sentDate(e))} · ${langs}</p><ul>${items}</ul></article>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(s.newsletterName)}: archive</title>
<link rel="alternate" type="application/atom+xml" title="${esc(s.newsletterName)}" href="${esc(`${base}/feed.xml`)}">
<style>body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;max-width:40rem;margin:0 auto;padding:1rem;color:#1f2a24;line-height:1.5;overflow-wrap:anywhere}
h1{color:#1b5e20}a{color:#1b5e20}.meta,.org{color:#5b6b60;font-size:.9em}article{border-top:1px solid #dfe7df;padding:.5rem 0}</style>
</head><body><h1>${esc(s.newsletterName)}</h1>
<p>Every edition of the newsletter. <a href="${esc(`${base}/feed.xml`)}">Atom feed</a></p>
${rows || '<p>No editions yet.</p>'}
<footer><p class="meta">${esc(s.postalAddress)}</p></footer>
</body></html>
`;
}

export function atomFeed(sent: Edition[], s: EditionSettings, now: Date): string {
  const base = s.archiveUrl.replace(/\/$/, '');
  const sorted = [...sent].sort((a, b) => b.number - a.number);
  const updated = sorted[0]?.sentAt ?? now.toISOString();
  const entries = sorted
    .map((e) => {
      const url = `${base}/editions/${e.number}/`;
      const summary = e.items.map((i) => `${i.title} (${i.organisation})`).join('; ');
      return `  <entry>
    <title>${esc(e.title)}</title>
    <id>${esc(url)}</id>
    <link rel="alternate" type="text/html" href="${esc(url)}"/>
    <updated>${esc(e.sentAt ?? e.compiledAt)}</updated>
    <summary type="text">${esc(summary)}</summary>
  </entry>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>${esc(s.newsletterName)}</title>
  <id>${esc(`${base}/`)}</id>
  <link rel="self" type="application/atom+xml" href="${esc(`${base}/feed.xml`)}"/>
  <link rel="alternate" type="text/html" href="${esc(`${base}/`)}"/>
  <updated>${esc(updated)}</updated>
  <author><name>${esc(s.newsletterName)}</name></author>
${entries}
</feed>
`;
}
