import { InvalidTokenError, type Subscriber } from '../../domain/index.ts';
import { makeEraseSubscriber } from './data.ts';
import { type SubscribersDeps, verify } from './deps.ts';
import { mayMailMailbox } from './mailbox.ts';
import { eraseConfirmationMail } from './mails.ts';

/**
 * Self-service erasure in two steps. A preferences link travels with every newsletter, and newsletters get
 * forwarded, so holding that link is not proof of owning the mailbox: asking to erase mails a short-lived
 * erase link to the address itself, and only that link's page (GET shows a question, POST erases) deletes.
 */
export function makeRequestErase(deps: SubscribersDeps) {
  return async (preferencesToken: string): Promise<{ subscriber: Subscriber; mailed: boolean }> => {
    const payload = await verify(deps, 'preferences', preferencesToken);
    const s = await deps.subscribers.get(payload.sub);
    if (!s) throw new InvalidTokenError('this subscription no longer exists');
    if (!(await mayMailMailbox(deps, s.email))) return { subscriber: s, mailed: false };
    const links = await deps.links();
    await deps.mailer.send(
      eraseConfirmationMail(deps.config, s, links.eraseUrl(s.subscriberId), await deps.systemLayout?.()),
    );
    await deps.subscribers.addEvent(s.subscriberId, {
      at: deps.clock.now().toISOString(),
      type: 'erase-requested',
      detail: 'preferences page',
    });
    return { subscriber: s, mailed: true };
  };
}

/** What the erase page shows before its button is pressed (verifies the token, changes nothing). */
export function makeInspectErase(deps: SubscribersDeps) {
  return async (eraseToken: string): Promise<Subscriber | undefined> => {
    const payload = await verify(deps, 'erase', eraseToken);
    return deps.subscribers.get(payload.sub);
  };
}

/** The erase page's button. Idempotent: a second press finds nothing left and says so. */
export function makeConfirmErase(deps: SubscribersDeps) {
  const erase = makeEraseSubscriber(deps);
  return async (eraseToken: string): Promise<{ erased: boolean; subscriber?: Subscriber }> => {
    const payload = await verify(deps, 'erase', eraseToken);
    const subscriber = await deps.subscribers.get(payload.sub);
    if (!subscriber) return { erased: false };
    await erase(subscriber.subscriberId, 'self-service');
    return { erased: true, subscriber };
  };
}
