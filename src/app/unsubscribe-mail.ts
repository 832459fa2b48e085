import { DynamoMemberRepo } from '../adapters/dynamodb/member-repo.ts';
import { DynamoRateWindows } from '../adapters/dynamodb/rate-window-repo.ts';
import { DynamoStatsRepo } from '../adapters/dynamodb/stats-repo.ts';
import { DynamoEventLedger, DynamoSubscriberRepo } from '../adapters/dynamodb/subscriber-repo.ts';
import { DynamoSuppressionRepo } from '../adapters/dynamodb/suppression-repo.ts';
import { makeLinks } from '../use-cases/shared/links.ts';
import type { SubscribersDeps } from '../use-cases/subscribers/deps.ts';
import { makeUnsubscribeByMail } from '../use-cases/subscribers/lifecycle.ts';
import type { Infra } from './infra.ts';
import { systemLayoutOf } from './system-layout.ts';

/**
 * The one subscriber use case the ingest function needs: mail to the List-Unsubscribe mailto address
 * (IngestDeps.unsubscribeByEmail). The same ports and use case as the subscribers area
 * (src/app/subscribers.ts, unsubscribeByEmail), without its routes, pages, import/export and SES events,
 * which ingest never serves (issue 17: ~20 KB of the ingest bundle).
 */
export function composeUnsubscribeByMail(infra: Infra): (email: string, subject?: string) => Promise<void> {
  const deps: SubscribersDeps = {
    subscribers: new DynamoSubscriberRepo(infra.table),
    suppressions: new DynamoSuppressionRepo(infra.table),
    stats: new DynamoStatsRepo(infra.table),
    ledger: new DynamoEventLedger(infra.table, () => infra.clock.now()),
    rateWindows: new DynamoRateWindows(infra.table, () => infra.clock.now()),
    // A getter: the Lambda runtime builds its SES client only when a mail is actually sent.
    get mailer() {
      return infra.mailer;
    },
    clock: infra.clock,
    logger: infra.logger.child({ area: 'subscribers' }),
    config: infra.config,
    links: async () =>
      makeLinks({ config: infra.config, secret: await infra.tokenSecret(), now: () => infra.clock.now() }),
    tokenSecret: infra.tokenSecret,
    members: new DynamoMemberRepo(infra.table),
    systemLayout: systemLayoutOf(infra),
  };
  const byMail = makeUnsubscribeByMail(deps);
  return async (email, subject) => {
    await byMail({ from: email, subject });
  };
}
