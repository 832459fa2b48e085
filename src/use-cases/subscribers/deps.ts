import type { Config } from '../../config/config.ts';
import { ConflictError, type Member, type Subscriber } from '../../domain/index.ts';
import { type TokenPayload, type TokenPurpose, verifyToken } from '../../domain/tokens.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Mailer } from '../../ports/mailer.ts';
import type { RateWindows } from '../../ports/rate-windows.ts';
import type { StatsRepo } from '../../ports/stats.ts';
import type { EventLedger, SubscriberRepo, SuppressionRepo } from '../../ports/subscribers.ts';
import type { Links } from '../shared/links.ts';
import type { SystemLayoutSource } from '../shared/system-layout-source.ts';

/** What the subscribers area reads of the member registry (the inbound area owns it). */
export interface MemberDirectory {
  get(memberId: string): Promise<Member | undefined>;
  list(): Promise<Member[]>;
}

export type SubscribersConfig = Pick<
  Config,
  | 'GAZETTE_FROM'
  | 'GAZETTE_NEWSLETTER_NAME'
  | 'GAZETTE_SOFT_BOUNCE_THRESHOLD'
  | 'GAZETTE_UNSUBSCRIBE_MAILTO'
  | 'GAZETTE_OPTIN_MAILS_PER_MAILBOX_PER_DAY'
>;

/** Everything the subscriber use cases need, as ports (the composition in src/app/subscribers.ts fills it). */
export interface SubscribersDeps {
  subscribers: SubscriberRepo;
  suppressions: SuppressionRepo;
  stats: StatsRepo;
  ledger: EventLedger;
  /** Per-mailbox daily limits on opt-in mails, shared by every process. */
  rateWindows: RateWindows;
  mailer: Mailer;
  clock: Clock;
  logger: Logger;
  config: SubscribersConfig;
  links: () => Promise<Links>;
  tokenSecret: () => Promise<string>;
  /** The member registry: contacts of members (import column `member`, subscribers update --member). */
  members?: MemberDirectory;
  /**
   * SES confirmed that a tagged campaign mail went out (Send/Delivery event): the send engine turns an
   * "uncertain" recipient (worker died between SES and its log) into sent.
   */
  onMailSent?: (campaign: string, subscriberId: string, messageId: string) => Promise<unknown>;
  /** The system-mail layout saved in the template store, if any (else the built-in one). */
  systemLayout?: SystemLayoutSource;
}

export async function verify(
  deps: Pick<SubscribersDeps, 'tokenSecret' | 'clock'>,
  purpose: TokenPurpose,
  token: string,
): Promise<TokenPayload> {
  return verifyToken(await deps.tokenSecret(), purpose, token, deps.clock.now());
}

/**
 * Read-modify-write with the repository's optimistic version check, retried on a lost race.
 * `change` returns the new record, or undefined for "nothing to do".
 */
export async function mutate(
  repo: SubscriberRepo,
  subscriberId: string,
  change: (s: Subscriber) => Subscriber | undefined,
): Promise<{ before: Subscriber; after: Subscriber } | undefined> {
  for (let attempt = 1; ; attempt++) {
    const before = await repo.get(subscriberId);
    if (!before) return undefined;
    const next = change(before);
    if (!next) return { before, after: before };
    try {
      await repo.save({ ...next, version: before.version });
      return { before, after: { ...next, version: (before.version ?? 0) + 1 } };
    } catch (e) {
      if (!(e instanceof ConflictError) || attempt >= 5) throw e;
    }
  }
}
