import { DynamoInboundRepo } from '../adapters/dynamodb/inbound-repo.ts';
import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoNoticeOutbox } from '../adapters/dynamodb/notice-outbox-repo.ts';
import { DynamoEventLedger } from '../adapters/dynamodb/subscriber-repo.ts';
import { DynamoUpdateRepo } from '../adapters/dynamodb/update-repo.ts';
import type { MemberRepo, UpdateRepo } from '../ports/inbound.ts';
import { editionPageUrl } from '../use-cases/editions/view-model.ts';
import { makeDailyDigest } from '../use-cases/notices/digest.ts';
import { makeMemberNotices } from '../use-cases/notices/member-notices.ts';
import type { Infra } from './infra.ts';
import { systemLayoutOf } from './system-layout.ts';

/*
 * Notices to members (issue 15), composed apart from src/app/inbound.ts so that the outbound half (the send
 * worker publishes updates when an edition's send finishes) carries only this, not the admin routes.
 */

/**
 * The members' notices (approved, rejected, published), sent once each through the ledger; a failed one
 * waits in the outbox for the `notice-retries` job.
 */
export function memberNoticesOf(
  infra: Infra,
  members: MemberRepo,
  updates: Pick<UpdateRepo, 'get'> = new DynamoUpdateRepo(infra.table),
) {
  const c = infra.config;
  return makeMemberNotices({
    members,
    updates,
    outbox: new DynamoNoticeOutbox(infra.table),
    clock: infra.clock,
    ledger: new DynamoEventLedger(infra.table, () => infra.clock.now()),
    mailer: infra.mailer,
    logger: infra.logger.child({ area: 'notices' }),
    from: c.GAZETTE_FROM,
    newsletterName: c.GAZETTE_NEWSLETTER_NAME,
    postalAddress: c.GAZETTE_POSTAL_ADDRESS,
    systemLayout: systemLayoutOf(infra),
  });
}

/**
 * The update repository as the editions area publishes through it: marking an update published also tells
 * its member, with the link to the edition's archive page in their language when there is a variant in it.
 */
export function publishingWithNotice(
  infra: Infra,
  updates: UpdateRepo = new DynamoUpdateRepo(infra.table),
  members: MemberRepo = new DynamoMemberRepo(infra.table),
): Pick<UpdateRepo, 'listApprovedInWindow' | 'markPublished'> {
  const notices = memberNoticesOf(infra, members, updates);
  return {
    listApprovedInWindow: (start, end) => updates.listApprovedInWindow(start, end),
    async markPublished(updateId, editionNumber, at, actor) {
      const u = await updates.markPublished(updateId, editionNumber, at, actor);
      const c = infra.config;
      const languages = c.GAZETTE_EDITION_LANGUAGES;
      const lang = (await members.get(u.memberId))?.language?.split('-')[0];
      const variant = languages.find((l) => l === lang) ?? languages[0] ?? 'en';
      const url = editionPageUrl(c.GAZETTE_ARCHIVE_URL, editionNumber, variant, languages[0] ?? 'en');
      await notices.published(u, editionNumber, url);
      return u;
    },
  };
}

/** The secretariat's daily digest of quarantined and rejected mail (off without GAZETTE_DIGEST_EMAIL). */
export function composeDigest(infra: Infra) {
  const c = infra.config;
  return makeDailyDigest({
    inbound: new DynamoInboundRepo(infra.table),
    notices: new DynamoNoticeOutbox(infra.table),
    ledger: new DynamoEventLedger(infra.table, () => infra.clock.now()),
    mailer: infra.mailer,
    clock: infra.clock,
    logger: infra.logger.child({ area: 'notices' }),
    to: c.GAZETTE_DIGEST_EMAIL,
    from: c.GAZETTE_FROM,
    newsletterName: c.GAZETTE_NEWSLETTER_NAME,
    postalAddress: c.GAZETTE_POSTAL_ADDRESS,
    timeZone: c.GAZETTE_EDITION_TIMEZONE,
    systemLayout: systemLayoutOf(infra),
  });
}

/** The digest's daily schedule (EventBridge cron syntax, in GAZETTE_EDITION_TIMEZONE), or none when off. */
export const digestSchedule = (c: Infra['config']): string | undefined =>
  c.GAZETTE_DIGEST_EMAIL ? `cron(0 ${c.GAZETTE_DIGEST_HOUR} * * ? *)` : undefined;

/** How often failed member notices are looked at (their own backoff decides which are due). */
export const NOTICE_RETRY_SCHEDULE = 'rate(15 minutes)';

/** The `notice-retries` job: sends the member notices whose retry is due (src/use-cases/notices/). */
export function composeNoticeRetries(infra: Infra) {
  return memberNoticesOf(infra, new DynamoMemberRepo(infra.table)).retryDue;
}
