/**
 * Contacts of members (docs/subscribers.md "Contacts of members"): a subscriber linked to a member
 * organisation with a role, set by `subscribers add/update`, the import column `member` and the admin API.
 */
import {
  ConflictError,
  type ContactRole,
  ContactRoleInput,
  InvalidStateError,
  type Member,
  NotFoundError,
  type Subscriber,
  SubscriberPatch,
  ValidationError,
} from '../../domain/index.ts';
import { parseInput } from '../../domain/validate.ts';
import { resolveId } from './data.ts';
import { type MemberDirectory, mutate, type SubscribersDeps } from './deps.ts';

export type MemberResolution = { kind: 'ok'; memberId: string } | { kind: 'error'; reason: string };

/**
 * "m_cec", "China Environmental United Certification Center" or "china environmental united certification
 * center" → that member's id. The registry is read once per resolver (one import, one update).
 */
export function makeMemberResolver(members: MemberDirectory | undefined) {
  let all: Promise<Member[]> | undefined;
  return async (text: string): Promise<MemberResolution> => {
    if (!members) return { kind: 'error', reason: 'the member registry is not available here' };
    all ??= members.list();
    const list = await all;
    const t = text.trim();
    const byId = list.find((m) => m.memberId === t);
    if (byId) return { kind: 'ok', memberId: byId.memberId };
    const byName = list.filter((m) => m.organisation.toLowerCase() === t.toLowerCase());
    if (byName.length === 1) return { kind: 'ok', memberId: byName[0]!.memberId };
    if (byName.length > 1)
      return {
        kind: 'error',
        reason: `member ${JSON.stringify(t)} names ${byName.length} organisations: use the member id (${byName.map((m) => m.memberId).join(', ')})`,
      };
    return {
      kind: 'error',
      reason: `member ${JSON.stringify(t)} is neither a member id nor an organisation name (see: gazette members list)`,
    };
  };
}

/** A role as typed ("Main contact", "survey_focal_point") → the ContactRole value; refuses others. */
export function parseRole(text: string): ContactRole {
  return parseInput(ContactRoleInput, text);
}

/** `gazette subscribers update` / PATCH /admin/subscribers/:id. */
export function makeUpdateSubscriber(deps: SubscribersDeps) {
  return async (idOrEmail: string, input: unknown, by: string) => {
    const p = parseInput(SubscriberPatch, input);
    const { ifVersion, member, memberRole, country, ...plain } = p;
    if (![...Object.keys(plain), member, memberRole, country].some((v) => v !== undefined))
      throw new ValidationError('nothing to change');
    const id = resolveId(idOrEmail, await deps.tokenSecret());
    let memberId: string | null | undefined = member === null ? null : undefined;
    if (member) {
      const r = await makeMemberResolver(deps.members)(member);
      if (r.kind === 'error') throw new ValidationError(r.reason);
      memberId = r.memberId;
    }
    const role = memberRole ? parseRole(memberRole) : memberRole;
    const iso = deps.clock.now().toISOString();
    const out = await mutate(deps.subscribers, id, (s) => {
      if (ifVersion !== undefined && (s.version ?? 0) !== ifVersion)
        throw new ConflictError(
          `subscriber is at version ${s.version ?? 0}, not ${ifVersion}; reload and retry`,
        );
      if (s.status === 'unsubscribed' && plain.audiences)
        throw new InvalidStateError('an unsubscribed address gets lists back only by subscribing again');
      const next: Subscriber = { ...s, ...plain, updatedAt: iso };
      if (memberId === null) {
        delete next.memberId;
        delete next.memberRole;
      } else if (memberId !== undefined) next.memberId = memberId;
      if (role === null) delete next.memberRole;
      else if (role !== undefined) next.memberRole = role;
      if (next.memberRole && !next.memberId) throw new ValidationError('a role needs a member (--member)');
      if (country === null) delete next.country;
      else if (country !== undefined) next.country = country;
      return next;
    });
    if (!out) throw new NotFoundError(`no subscriber ${idOrEmail}`);
    const changed = (Object.keys(out.after) as (keyof Subscriber)[]).filter(
      (k) => !['updatedAt', 'version'].includes(k) && out.after[k] !== out.before[k],
    );
    const gone = (Object.keys(out.before) as (keyof Subscriber)[]).filter((k) => !(k in out.after));
    const fields = [...new Set([...changed, ...gone])].filter((k) => k !== 'audiences' || p.audiences);
    if (fields.length)
      await deps.subscribers.addEvent(id, {
        at: iso,
        type: 'preferences-updated',
        detail: `by ${by}: ${fields.join(', ')}`.slice(0, 1000),
      });
    deps.logger.info('subscriber updated', { by, fields });
    return { subscriber: out.after, changed: fields };
  };
}

/**
 * A member's contacts and, offered (never added by themselves), its allowed sender addresses that are not
 * contacts yet: the secretariat decides who gets member mail.
 */
export function makeMemberContacts(deps: SubscribersDeps) {
  return async (memberText: string) => {
    const r = await makeMemberResolver(deps.members)(memberText);
    if (r.kind === 'error') throw new NotFoundError(r.reason);
    const member = (await deps.members?.get(r.memberId)) as Member;
    const contacts: Subscriber[] = [];
    for (const status of ['confirmed', 'unconfirmed', 'unsubscribed'] as const)
      for await (const page of deps.subscribers.listByStatus(status))
        contacts.push(...page.filter((s) => s.memberId === r.memberId));
    const known = new Set(contacts.map((c) => c.email));
    const suggested = member.senders
      .filter((e) => !known.has(e))
      .map((email) => ({
        email,
        why: 'an allowed sender of this member, not a contact yet',
        command: `gazette subscribers add ${email} --member ${member.memberId} --role main-contact`,
      }));
    return {
      member: { memberId: member.memberId, organisation: member.organisation, type: member.type },
      contacts,
      suggested,
    };
  };
}
