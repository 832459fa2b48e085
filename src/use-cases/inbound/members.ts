/** Member registry: who may send updates, in which language they are answered, whose updates skip review. */
import { Member, MemberPatch, NewMember, NotFoundError, newId, ValidationError } from '../../domain/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { MemberRepo } from '../../ports/inbound.ts';

export function makeMembers(d: { members: MemberRepo; clock: Clock }) {
  const get = async (memberId: string): Promise<Member> => {
    const m = await d.members.get(memberId);
    if (!m) throw new NotFoundError(`no member ${memberId}`);
    return m;
  };
  const dedupe = (senders: string[]) => [...new Set(senders)];

  return {
    get,
    list: () => d.members.list(),

    async add(input: NewMember): Promise<Member> {
      const n = NewMember.parse(input);
      const now = d.clock.now().toISOString();
      const member = Member.parse({
        ...n,
        senders: dedupe(n.senders),
        memberId: newId('m', d.clock.now()),
        status: 'active',
        createdAt: now,
        updatedAt: now,
      });
      await d.members.create(member);
      return member;
    },

    async update(memberId: string, patch: MemberPatch): Promise<Member> {
      const p = MemberPatch.parse(patch);
      if (!Object.keys(p).length) throw new ValidationError('nothing to change');
      const previous = await get(memberId);
      const now = d.clock.now().toISOString();
      const next = Member.parse({
        ...previous,
        ...p,
        senders: p.senders ? dedupe(p.senders) : previous.senders,
        // updatedAt is also the optimistic-concurrency token: it must move even within one millisecond.
        updatedAt:
          now > previous.updatedAt ? now : new Date(Date.parse(previous.updatedAt) + 1).toISOString(),
      });
      await d.members.save(next, previous);
      return next;
    },

    async disable(memberId: string): Promise<Member> {
      const m = await get(memberId);
      if (m.status === 'disabled') return m;
      return this.update(memberId, { status: 'disabled' });
    },
  };
}
export type Members = ReturnType<typeof makeMembers>;
