import { ConflictError, Member } from '../../domain/index.ts';
import type { MemberRepo } from '../../ports/inbound.ts';
import { keys } from './keys.ts';
import { ConditionFailed, type Item, type Table } from './table.ts';

/** `type` is the entity name on every item, so the member type is stored as `memberType`. */
const toItem = (m: Member) => ({
  ...keys.member(m.memberId),
  ...m,
  type: 'member',
  memberType: m.type,
  gsi1pk: 'MEMBERS',
  gsi1sk: `${m.organisation.toLowerCase()}#${m.memberId}`,
});
const fromItem = (item: Item): Member => Member.parse({ ...item, type: item.memberType });

/**
 * Members plus one SENDER#<email> item per allowed address (the ingest lookup is one GetItem).
 * No transactions (dynalite has none): sender items are claimed first with conditional puts, so a
 * half-done write leaves at worst an orphan claim, which `findBySender` ignores and a retry reuses.
 */
export class DynamoMemberRepo implements MemberRepo {
  constructor(private readonly table: Table) {}

  async get(memberId: string): Promise<Member | undefined> {
    const item = await this.table.get<Item>(keys.member(memberId));
    return item ? fromItem(item) : undefined;
  }

  async findBySender(email: string): Promise<Member | undefined> {
    const address = email.trim().toLowerCase();
    const claim = await this.table.get<{ memberId?: string }>(keys.sender(address));
    if (!claim?.memberId) return undefined;
    const member = await this.get(claim.memberId);
    // An orphan claim (member edited since) does not count.
    return member?.senders.includes(address) ? member : undefined;
  }

  async list(): Promise<Member[]> {
    const items = await this.table.queryGsi1<Item>('MEMBERS');
    return items.map(fromItem);
  }

  async create(member: Member): Promise<void> {
    await this.claimSenders(member, member.senders);
    if (!(await this.table.putNew(toItem(member))))
      throw new ConflictError(`member ${member.memberId} already exists`);
  }

  async save(next: Member, previous: Member): Promise<void> {
    const added = next.senders.filter((s) => !previous.senders.includes(s));
    const removed = previous.senders.filter((s) => !next.senders.includes(s));
    await this.claimSenders(next, added);
    try {
      await this.table.put(toItem(next), {
        ConditionExpression: 'updatedAt = :prev',
        ExpressionAttributeValues: { ':prev': previous.updatedAt },
      });
    } catch (e) {
      if (e instanceof ConditionFailed)
        throw new ConflictError(`member ${next.memberId} was changed meanwhile; reload and retry`);
      throw e;
    }
    for (const s of removed) {
      await this.table
        .delete(keys.sender(s), {
          ConditionExpression: 'memberId = :m',
          ExpressionAttributeValues: { ':m': next.memberId },
        })
        .catch((e) => {
          if (!(e instanceof ConditionFailed)) throw e;
        });
    }
  }

  private async claimSenders(member: Member, senders: string[]) {
    for (const address of senders) {
      try {
        await this.table.put(
          { ...keys.sender(address), type: 'sender', email: address, memberId: member.memberId },
          {
            // Free, already ours, or an orphan claim of a member that no longer lists it.
            ConditionExpression: 'attribute_not_exists(pk) OR memberId = :m',
            ExpressionAttributeValues: { ':m': member.memberId },
          },
        );
      } catch (e) {
        if (!(e instanceof ConditionFailed)) throw e;
        const claim = await this.table.get<{ memberId?: string }>(keys.sender(address));
        const holder = claim?.memberId ? await this.get(claim.memberId) : undefined;
        if (holder?.senders.includes(address))
          throw new ConflictError(`${address} is already an allowed sender of ${holder.organisation}`, {
            memberId: holder.memberId,
          });
        // Orphan: take it over, only from the very claim read (two members taking it at once: one wins).
        try {
          await this.table.put(
            { ...keys.sender(address), type: 'sender', email: address, memberId: member.memberId },
            claim?.memberId
              ? {
                  ConditionExpression: 'memberId = :orphan',
                  ExpressionAttributeValues: { ':orphan': claim.memberId },
                }
              : { ConditionExpression: 'attribute_not_exists(pk)' },
          );
        } catch (e2) {
          if (!(e2 instanceof ConditionFailed)) throw e2;
          throw new ConflictError(`${address} was claimed by another member meanwhile; reload and retry`);
        }
      }
    }
  }
}
