/**
 * Branding without a redeploy (issue 15): logo, colours, footer text, postal address and summary length
 * live in the content store, each save kept as a version, and apply from the next compile. The MJML
 * templates themselves are versioned in the content store by templates.ts beside it.
 */
import { Branding } from '../../domain/edition.ts';
import type { Actor } from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { Clock } from '../../ports/clock.ts';

export const BRANDING_KEY = 'templates/branding.json';
const VERSIONS = 'templates/branding/';

export interface BrandingVersion {
  version: string;
  savedAt: string;
  savedBy: Actor;
  branding: Branding;
}

export function makeBrandingStore(d: { content: BlobStore; clock: Clock }) {
  const current = async (): Promise<BrandingVersion | undefined> =>
    (await d.content.exists(BRANDING_KEY))
      ? (JSON.parse(await d.content.getText(BRANDING_KEY)) as BrandingVersion)
      : undefined;
  return {
    current,
    /** What the compile renders with (empty: the defaults of the templates and settings). */
    async active(): Promise<Branding> {
      const c = await current();
      const parsed = c ? Branding.safeParse(c.branding) : undefined;
      return parsed?.success ? parsed.data : {};
    },
    async save(branding: Branding, by: Actor): Promise<BrandingVersion> {
      const at = d.clock.now().toISOString();
      const v: BrandingVersion = { version: at.replace(/[^0-9]/g, ''), savedAt: at, savedBy: by, branding };
      // The version first: a crash between the two writes leaves history, never an unrecorded current.
      await d.content.put(`${VERSIONS}${v.version}.json`, JSON.stringify(v), 'application/json');
      await d.content.put(BRANDING_KEY, JSON.stringify(v), 'application/json');
      return v;
    },
    async versions(): Promise<string[]> {
      return (await d.content.list(VERSIONS)).map((k) => k.slice(VERSIONS.length, -'.json'.length)).sort();
    },
  };
}
