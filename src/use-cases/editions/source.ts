import { type Edition, type Subscriber, ValidationError } from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { CampaignSource, RecipientLinks } from '../../ports/campaign-source.ts';
import type { EditionRepo } from '../../ports/editions.ts';
import type { OutboundMessage } from '../../ports/mailer.ts';
import type { SubscriberRepo } from '../../ports/subscribers.ts';
import { assertSendable, loadEdition } from './lifecycle.ts';
import { chooseVariant, compilePersonaliser, type RecipientValues } from './personalise.ts';
import { campaignOf, type EditionSettings, editionNumberOf } from './settings.ts';

export interface PreparedVariant {
  language: string;
  subject: string;
  html: (v: RecipientValues) => string;
  text: (v: RecipientValues) => string;
}

/** Load each variant's HTML and text once and split them for substitution. */
export async function prepareVariants(e: Edition, content: BlobStore): Promise<PreparedVariant[]> {
  return Promise.all(
    e.variants.map(async (v) => {
      const [html, text] = await Promise.all([content.getText(v.htmlKey), content.getText(v.textKey)]);
      return {
        language: v.language,
        subject: v.subject,
        html: compilePersonaliser(html, 'html'),
        text: compilePersonaliser(text, 'text'),
      };
    }),
  );
}

/**
 * The send engine's view of "edition#N": who receives it (confirmed subscribers of its audience) and
 * the cheap per-recipient personaliser. Only an approved (or already sending/sent) edition can be sent.
 */
export function makeEditionSource(d: {
  editions: EditionRepo;
  subscribers: SubscriberRepo;
  content: BlobStore;
  settings: () => EditionSettings;
  /**
   * The edition's audience (schedule-audience.ts): its targeted segment, narrowed to readers of its list.
   * Without it, every confirmed reader of the list, as before segments.
   */
  recipientsOf?: (e: Edition) => AsyncIterable<Subscriber[]>;
  /** Refuse the first start of a targeted edition whose segment is empty (`sends start edition#N` too). */
  requireAudience?: (e: Edition) => Promise<unknown>;
}): CampaignSource {
  const editionFor = async (campaign: string) => {
    const n = editionNumberOf(campaign);
    if (n === undefined) throw new ValidationError(`${campaign} is not an edition campaign`);
    const e = await loadEdition(d.editions, n);
    assertSendable(e);
    return e;
  };
  return {
    handles: (campaign) => editionNumberOf(campaign) !== undefined,

    async ready(campaign) {
      try {
        const e = await editionFor(campaign);
        // Only a targeted edition: the default audience keeps its behaviour on this generic path (the
        // editions routes, POST /admin/editions/:n/send and the schedule, refuse any empty audience).
        if (e.status === 'approved' && e.target && d.requireAudience) await d.requireAudience(e);
        return true;
      } catch (e) {
        return e instanceof Error ? e.message : String(e);
      }
    },

    async *recipients(campaign) {
      const e = await editionFor(campaign);
      if (d.recipientsOf) {
        yield* d.recipientsOf(e);
        return;
      }
      for await (const page of d.subscribers.listByStatus('confirmed')) {
        const mine = page.filter((s) => s.status === 'confirmed' && s.audiences.includes(e.audience));
        if (mine.length) yield mine;
      }
    },

    async prepare(campaign) {
      const e = await editionFor(campaign);
      const variants = await prepareVariants(e, d.content);
      const { from } = d.settings();
      const tag = campaignOf(e.number);
      return (subscriber: Subscriber, links: RecipientLinks): OutboundMessage => {
        const v = chooseVariant(variants, subscriber.language);
        const values: RecipientValues = {
          name: subscriber.name,
          email: subscriber.email,
          unsubscribe_url: links.unsubscribeUrl,
          preferences_url: links.preferencesUrl,
        };
        return {
          from,
          to: subscriber.email,
          subject: v.subject,
          html: v.html(values),
          text: v.text(values),
          headers: links.listHeaders,
          tags: { campaign: tag, subscriber: subscriber.subscriberId },
        };
      };
    },
  };
}
