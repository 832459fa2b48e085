import { Deadline, Reminder } from '../../domain/index.ts';
import type { DeadlineRepo, DeadlineStatus, ReminderStatus } from '../../ports/deadlines.ts';
import { keys, TABLE_KEYS } from './keys.ts';
import { ConditionFailed, type Item, type Table } from './table.ts';

const iso = (s: string) => new Date(s).toISOString();

function strip(item: Item): Item {
  const { pk: _pk, sk: _sk, gsi1pk: _g1, gsi1sk: _g2, type: _t, ...rest } = item;
  return rest;
}

/**
 * Deadline:  DEADLINE#<id> / DEADLINE,          gsi1 DEADLINES#<status> / <dueAt>
 * Reminder:  DEADLINE#<id> / REMINDER#<offset>,  gsi1 REMINDERS#<status> / <fireAt>#<id>
 * One partition per deadline, so `reminders(id)` is a single query. Versions guard concurrent edits.
 */
export class DynamoDeadlineRepo implements DeadlineRepo {
  constructor(private readonly table: Table) {}

  private deadlineItem(d: Deadline) {
    return {
      ...keys.deadline(d.deadlineId),
      type: 'deadline',
      gsi1pk: `DEADLINES#${d.status}`,
      gsi1sk: iso(d.dueAt),
      ...d,
    };
  }

  create(d: Deadline): Promise<boolean> {
    return this.table.putNew(this.deadlineItem(d));
  }

  async get(deadlineId: string): Promise<Deadline | undefined> {
    const item = await this.table.get(keys.deadline(deadlineId));
    return item ? Deadline.parse(strip(item)) : undefined;
  }

  async replace(d: Deadline, expectedVersion: number): Promise<boolean> {
    try {
      await this.table.put(this.deadlineItem(d), {
        ConditionExpression: '#v = :v',
        ExpressionAttributeNames: { '#v': 'version' },
        ExpressionAttributeValues: { ':v': expectedVersion },
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  async list(opts: { status: DeadlineStatus; dueFrom?: Date; limit?: number }): Promise<Deadline[]> {
    const values: Item = { ':p': `DEADLINES#${opts.status}` };
    let cond = 'gsi1pk = :p';
    if (opts.dueFrom) {
      cond += ' AND gsi1sk >= :f';
      values[':f'] = opts.dueFrom.toISOString();
    }
    const items: Item[] = [];
    for await (const page of this.table.queryPages({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: cond,
      ExpressionAttributeValues: values,
    })) {
      items.push(...page);
      if (opts.limit && items.length >= opts.limit) break;
    }
    return items.slice(0, opts.limit ?? items.length).map((i) => Deadline.parse(strip(i)));
  }

  async reminders(deadlineId: string): Promise<Reminder[]> {
    const items = await this.table.queryAll({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': keys.deadline(deadlineId).pk, ':s': 'REMINDER#' },
      ConsistentRead: true,
    });
    return items.map((i) => Reminder.parse(strip(i)));
  }

  async getReminder(deadlineId: string, offset: string): Promise<Reminder | undefined> {
    const item = await this.table.get(keys.reminder(deadlineId, offset));
    return item ? Reminder.parse(strip(item)) : undefined;
  }

  async saveReminder(r: Reminder, unlessStatus: ReminderStatus[] = []): Promise<boolean> {
    const item = {
      ...keys.reminder(r.deadlineId, r.offset),
      type: 'reminder',
      gsi1pk: `REMINDERS#${r.status}`,
      gsi1sk: `${iso(r.fireAt)}#${r.deadlineId}`,
      ...r,
    };
    if (!unlessStatus.length) {
      await this.table.put(item);
      return true;
    }
    const values = Object.fromEntries(unlessStatus.map((s, i) => [`:u${i}`, s]));
    try {
      await this.table.put(item, {
        ConditionExpression: `attribute_not_exists(pk) OR NOT (#s IN (${Object.keys(values).join(', ')}))`,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: values,
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }
}
