import {
  Email,
  ExpiredTokenError,
  emailHash,
  InvalidStateError,
  InvalidTokenError,
  PreferencesUpdate,
  SubscribeRequest,
  Subscriber,
  type SubscriberEventType,
  SuppressedError,
  subscriberIdFor,
  UnsubscribeScope,
} from '../../domain/index.ts';
import { type TokenPayload, tokensIn } from '../../domain/tokens.ts';
import { parseInput } from '../../domain/validate.ts';
import { mutate, type SubscribersDeps, verify } from './deps.ts';
import { mayMailMailbox } from './mailbox.ts';
import { alreadySubscribedMail, confirmationMail } from './mails.ts';

/** A second opt-in mail to the same address within this window is not sent (mail-bombing guard). */
export const RESEND_AFTER_MS = 10 * 60_000;

export type SubscribeOutcome =
  | 'confirmation-sent'
  | 'already-subscribed-mail-sent'
  | 'throttled'
  | 'suppressed'
  | 'honeypot';

const recently = (iso: string | undefined, now: Date) =>
  iso !== undefined && now.getTime() - new Date(iso).getTime() < RESEND_AFTER_MS;

async function logEvent(
  deps: SubscribersDeps,
  subscriberId: string,
  type: SubscriberEventType,
  detail?: string,
  campaign?: string,
) {
  await deps.subscribers.addEvent(subscriberId, {
    at: deps.clock.now().toISOString(),
    type,
    detail,
    campaign,
  });
}

/**
 * Public subscribe. The caller always answers the same way whatever the outcome (no enumeration):
 * the outcome is for logs and tests only. Preferences of an already confirmed subscriber are never changed
 * here (anyone can submit any address); they get a mail with their preferences link instead.
 */
export function makeSubscribe(deps: SubscribersDeps) {
  return async (input: unknown): Promise<SubscribeOutcome> => {
    const req = parseInput(SubscribeRequest, input);
    const log = deps.logger.child({ useCase: 'subscribe', emailHash: emailHash(req.email).slice(0, 12) });
    if (req.website?.trim()) {
      log.info('honeypot filled: dropped');
      return 'honeypot';
    }
    const now = deps.clock.now();
    const iso = now.toISOString();
    const suppression = await deps.suppressions.get(req.email);
    // An erasure was the person's own wish: a fresh, confirmed opt-in may lift it. Bounces and complaints never.
    if (suppression && suppression.reason !== 'erased') {
      log.info('address is suppressed: no mail', { reason: suppression.reason });
      return 'suppressed';
    }
    const subscriberId = subscriberIdFor(req.email, await deps.tokenSecret());
    const links = await deps.links();
    const fresh = Subscriber.parse({
      subscriberId,
      email: req.email,
      name: req.name,
      language: req.language,
      timeZone: req.timeZone,
      audiences: req.audiences,
      status: 'unconfirmed',
      source: 'form',
      createdAt: iso,
      updatedAt: iso,
      confirmationSentAt: iso,
    });
    const known = await deps.subscribers.get(subscriberId);
    if (!known && !(await mayMailMailbox(deps, req.email))) return 'throttled';
    if (!known && (await deps.subscribers.create(fresh))) {
      try {
        await deps.mailer.send(
          confirmationMail(deps.config, fresh, links.confirmUrl(subscriberId), await deps.systemLayout?.()),
        );
      } catch (e) {
        // Let the visitor retry at once instead of hitting the resend guard.
        await mutate(deps.subscribers, subscriberId, (s) => ({ ...s, confirmationSentAt: undefined }));
        throw e;
      }
      await logEvent(deps, subscriberId, 'subscribe-requested', req.audiences.join(','));
      return 'confirmation-sent';
    }

    const existing = known ?? (await deps.subscribers.get(subscriberId));
    if (!existing) throw new InvalidStateError('subscriber vanished during subscribe; please retry');
    if (recently(existing.confirmationSentAt, now)) {
      log.info('opt-in mail sent recently: not resent');
      return 'throttled';
    }
    if (!(await mayMailMailbox(deps, existing.email))) return 'throttled';
    if (existing.status === 'confirmed') {
      await deps.mailer.send(
        alreadySubscribedMail(
          deps.config,
          existing,
          links.preferencesUrl(subscriberId),
          await deps.systemLayout?.(),
        ),
      );
      await mutate(deps.subscribers, subscriberId, (s) => ({ ...s, confirmationSentAt: iso }));
      return 'already-subscribed-mail-sent';
    }
    // Unconfirmed or unsubscribed: nothing is mailed to it, so taking the submitted preferences is harmless.
    const updated = await mutate(deps.subscribers, subscriberId, (s) => ({
      ...s,
      name: req.name || s.name,
      language: req.language,
      timeZone: req.timeZone,
      audiences: req.audiences,
      confirmationSentAt: iso,
      updatedAt: iso,
    }));
    const target = updated?.after ?? existing;
    try {
      await deps.mailer.send(
        confirmationMail(deps.config, target, links.confirmUrl(subscriberId), await deps.systemLayout?.()),
      );
    } catch (e) {
      // As for a new address: no mail went out, so the resend guard must not hold the visitor's retry back.
      await mutate(deps.subscribers, subscriberId, (s) =>
        s.confirmationSentAt === iso ? { ...s, confirmationSentAt: existing.confirmationSentAt } : undefined,
      );
      throw e;
    }
    await logEvent(deps, subscriberId, 'subscribe-requested', req.audiences.join(','));
    return 'confirmation-sent';
  };
}

/**
 * What the confirm link's page shows (GET): the token is checked, nothing changes. Mail security scanners
 * open every link in a mail, so only the page's button (POST) confirms.
 */
export function makeInspectConfirm(deps: SubscribersDeps) {
  return async (token: string): Promise<Subscriber> => {
    const payload = await verify(deps, 'confirm', token);
    const current = await deps.subscribers.get(payload.sub);
    if (!current) throw new InvalidTokenError('this subscription no longer exists');
    return current;
  };
}

/** Double opt-in: the button on the confirm link's page (POST). Idempotent. */
export function makeConfirm(deps: SubscribersDeps) {
  return async (token: string): Promise<{ subscriber: Subscriber; alreadyConfirmed: boolean }> => {
    const payload = await verify(deps, 'confirm', token);
    const current = await deps.subscribers.get(payload.sub);
    if (!current) throw new InvalidTokenError('this subscription no longer exists');
    const suppression = await deps.suppressions.get(current.email);
    if (suppression && suppression.reason !== 'erased') {
      throw new SuppressedError('this address cannot receive mail from us');
    }
    if (current.status === 'confirmed') return { subscriber: current, alreadyConfirmed: true };
    if (
      current.status === 'unsubscribed' &&
      !(
        current.confirmationSentAt &&
        current.unsubscribedAt &&
        current.confirmationSentAt > current.unsubscribedAt
      )
    ) {
      // An old confirmation link must not undo a later unsubscribe.
      throw new InvalidStateError('this subscription was cancelled; subscribe again to restart it');
    }
    const iso = deps.clock.now().toISOString();
    const result = await mutate(deps.subscribers, payload.sub, (s) =>
      s.status === 'confirmed'
        ? undefined
        : {
            ...s,
            status: 'confirmed',
            confirmedAt: iso,
            consentedAt: iso,
            consentSource: 'double-opt-in',
            unsubscribedAt: undefined,
            softBounces: 0,
            updatedAt: iso,
          },
    );
    if (!result) throw new InvalidTokenError('this subscription no longer exists');
    if (suppression?.reason === 'erased') await deps.suppressions.removeByHash(suppression.emailHash);
    await logEvent(deps, payload.sub, 'confirmed');
    return { subscriber: result.after, alreadyConfirmed: false };
  };
}

export function makeGetPreferences(deps: SubscribersDeps) {
  return async (token: string): Promise<Subscriber> => {
    const payload = await verify(deps, 'preferences', token);
    const s = await deps.subscribers.get(payload.sub);
    if (!s) throw new InvalidTokenError('this subscription no longer exists');
    return s;
  };
}

/**
 * Preference changes with a preferences token (it was mailed to the address, so it proves ownership).
 * No lists at all = unsubscribed; choosing lists again after unsubscribing re-subscribes.
 */
export function makeUpdatePreferences(deps: SubscribersDeps) {
  return async (token: string, input: unknown): Promise<Subscriber> => {
    const payload = await verify(deps, 'preferences', token);
    const patch = parseInput(PreferencesUpdate, input);
    const existing = await deps.subscribers.get(payload.sub);
    if (!existing) throw new InvalidTokenError('this subscription no longer exists');
    const wantsMail =
      patch.audiences === undefined ? existing.status !== 'unsubscribed' : patch.audiences.length > 0;
    if (wantsMail && existing.status === 'unsubscribed') {
      const suppression = await deps.suppressions.get(existing.email);
      if (suppression && suppression.reason !== 'erased') {
        throw new SuppressedError('this address cannot receive mail from us');
      }
    }
    const iso = deps.clock.now().toISOString();
    const result = await mutate(deps.subscribers, payload.sub, (s) => {
      const next: Subscriber = {
        ...s,
        name: patch.name ?? s.name,
        language: patch.language ?? s.language,
        timeZone: patch.timeZone ?? s.timeZone,
        updatedAt: iso,
      };
      if (patch.audiences?.length) {
        next.audiences = patch.audiences;
        if (s.status === 'unsubscribed') {
          Object.assign(next, {
            status: 'confirmed',
            confirmedAt: iso,
            consentedAt: iso,
            consentSource: 'double-opt-in',
            unsubscribedAt: undefined,
          });
        }
      } else if (patch.audiences && s.status !== 'unsubscribed') {
        Object.assign(next, { status: 'unsubscribed', unsubscribedAt: iso });
      }
      return next;
    });
    if (!result) throw new InvalidTokenError('this subscription no longer exists');
    const type: SubscriberEventType =
      result.after.status === 'unsubscribed' && result.before.status !== 'unsubscribed'
        ? 'unsubscribed'
        : result.after.status === 'confirmed' && result.before.status === 'unsubscribed'
          ? 'confirmed'
          : 'preferences-updated';
    await logEvent(deps, payload.sub, type, 'preferences page');
    return result.after;
  };
}

export type UnsubscribeVia = 'one-click' | 'page' | 'preferences' | 'mailto' | 'complaint' | 'admin';

/** Unsubscribes one list or everything. Idempotent; an unknown subscriber is not an error. */
async function unsubscribe(
  deps: SubscribersDeps,
  subscriberId: string,
  scope: UnsubscribeScope,
  via: UnsubscribeVia,
): Promise<{ found: boolean; subscriber?: Subscriber; changed: boolean }> {
  const iso = deps.clock.now().toISOString();
  const result = await mutate(deps.subscribers, subscriberId, (s) => {
    if (s.status === 'unsubscribed') return undefined;
    const remaining = scope === 'all' ? [] : s.audiences.filter((a) => a !== scope);
    if (remaining.length === s.audiences.length) return undefined;
    return remaining.length
      ? { ...s, audiences: remaining, updatedAt: iso }
      : { ...s, status: 'unsubscribed', unsubscribedAt: iso, updatedAt: iso };
  });
  if (!result) return { found: false, changed: false };
  const changed = result.after !== result.before;
  if (changed) await logEvent(deps, subscriberId, 'unsubscribed', `${scope} via ${via}`);
  return { found: true, subscriber: result.after, changed };
}

/** The token in List-Unsubscribe / the unsubscribe link: RFC 8058 one-click or the confirm page's button. */
export function makeUnsubscribeByToken(deps: SubscribersDeps) {
  return async (token: string, via: 'one-click' | 'page') => {
    const payload = await verify(deps, 'unsubscribe', token);
    const scope = UnsubscribeScope.safeParse(payload.scope ?? 'all');
    return {
      scope: scope.success ? scope.data : ('all' as const),
      ...(await unsubscribe(deps, payload.sub, scope.success ? scope.data : 'all', via)),
    };
  };
}

/** What the unsubscribe page shows before the button is pressed (verifies the token, changes nothing). */
export function makeInspectUnsubscribe(deps: SubscribersDeps) {
  return async (token: string) => {
    const payload = await verify(deps, 'unsubscribe', token);
    const scope = UnsubscribeScope.safeParse(payload.scope ?? 'all');
    return {
      scope: scope.success ? scope.data : ('all' as const),
      subscriber: await deps.subscribers.get(payload.sub),
    };
  };
}

/** Mail to the List-Unsubscribe mailto: address (called by the inbound path). Unsubscribes from everything. */
export function makeUnsubscribeByEmail(deps: SubscribersDeps) {
  return async (
    email: string,
    via: UnsubscribeVia = 'mailto',
  ): Promise<{ found: boolean; changed: boolean }> => {
    const address = Email.safeParse(email);
    if (!address.success) return { found: false, changed: false };
    const r = await unsubscribe(deps, subscriberIdFor(address.data, await deps.tokenSecret()), 'all', via);
    return { found: r.found, changed: r.changed };
  };
}

/**
 * Mail to the List-Unsubscribe mailto: address (called by the inbound path once the mail authenticated and
 * is no auto-reply). The mailto's subject carries the signed unsubscribe token of the https link: a valid
 * one unsubscribes the subscriber it names, from its scope, whatever address the mail comes from (a
 * plus address or a forwarding alias is not the From of the reply). Without one (older mails, a client that
 * dropped the subject, a tampered or expired token) the From address is unsubscribed from everything.
 * A forged token therefore does nothing the sender could not do for their own address.
 */
export function makeUnsubscribeByMail(deps: SubscribersDeps) {
  const byEmail = makeUnsubscribeByEmail(deps);
  return async (mail: {
    from: string;
    subject?: string;
  }): Promise<{ found: boolean; changed: boolean; via: 'token' | 'sender' }> => {
    for (const candidate of tokensIn(mail.subject ?? '')) {
      let payload: TokenPayload;
      try {
        payload = await verify(deps, 'unsubscribe', candidate);
      } catch (e) {
        if (e instanceof InvalidTokenError || e instanceof ExpiredTokenError) continue;
        throw e;
      }
      const scope = UnsubscribeScope.safeParse(payload.scope ?? 'all');
      const r = await unsubscribe(deps, payload.sub, scope.success ? scope.data : 'all', 'mailto');
      if (r.found) return { found: true, changed: r.changed, via: 'token' };
    }
    return { ...(await byEmail(mail.from)), via: 'sender' };
  };
}

export function makeUnsubscribeAllByPreferences(deps: SubscribersDeps) {
  return async (token: string) => {
    const payload = await verify(deps, 'preferences', token);
    return unsubscribe(deps, payload.sub, 'all', 'preferences');
  };
}

/** Internal: unsubscribe by id (complaints, admin). */
export const unsubscribeSubscriber = unsubscribe;
