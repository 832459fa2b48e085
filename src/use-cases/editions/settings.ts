import type { Config } from '../../config/config.ts';

/** The configuration the edition use cases read, named for what it means here. */
export interface EditionSettings {
  firstNumber: number;
  /** Language variants; the first is the default (archive index page, fallback). */
  languages: string[];
  newsletterName: string;
  archiveUrl: string;
  publicUrl: string;
  postalAddress: string;
  /** Edition dates, quarters and the default compile window are computed in this zone. */
  timeZone: string;
  from: string;
  /**
   * Public base URL of published attachments (media/ in the content bucket), or undefined where nothing
   * serves them: then attachments stay out of the edition instead of linking to nothing.
   */
  mediaUrl: string | undefined;
}

export function editionSettings(c: Config): EditionSettings {
  return {
    firstNumber: c.GAZETTE_FIRST_EDITION_NUMBER,
    languages: c.GAZETTE_EDITION_LANGUAGES,
    newsletterName: c.GAZETTE_NEWSLETTER_NAME,
    archiveUrl: c.GAZETTE_ARCHIVE_URL,
    publicUrl: c.GAZETTE_PUBLIC_URL,
    postalAddress: c.GAZETTE_POSTAL_ADDRESS,
    timeZone: c.GAZETTE_EDITION_TIMEZONE,
    from: c.GAZETTE_FROM,
    // The embedded runtime serves media/ itself under its public URL; the AWS API does not, so there the
    // operator must name the media origin (GAZETTE_MEDIA_URL) before attachments are published.
    mediaUrl:
      c.GAZETTE_MEDIA_URL ??
      ('GAZETTE_HTTP_PORT' in c ? `${c.GAZETTE_PUBLIC_URL.replace(/\/$/, '')}/media` : undefined),
  };
}

export const campaignOf = (n: number) => `edition#${n}`;

export function editionNumberOf(campaign: string): number | undefined {
  const m = /^edition#(\d+)$/.exec(campaign);
  return m ? Number(m[1]) : undefined;
}
