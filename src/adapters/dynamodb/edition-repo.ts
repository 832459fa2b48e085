import { type CompileAttempt, ConflictError, Edition, type EditionStatus } from '../../domain/index.ts';
import type { EditionCounter, EditionRepo } from '../../ports/editions.ts';
import { keys, pad } from './keys.ts';
import { ConditionFailed, type Table } from './table.ts';

const COUNTER = keys.counter('edition');
const strip = ({ pk, sk, gsi1pk, gsi1sk, type, ...rest }: Record<string, unknown>) => rest;

/**
 * Editions (EDITION#<n>, listed through GSI1 "EDITIONS") and the edition counter (COUNTER#edition:
 * `value` = last number handed out, `draft` = the open draft, `lastCompile` = latest compile outcome).
 * Status changes are conditional writes on the status the caller read: no lost updates without transactions.
 */
export class DynamoEditionRepo implements EditionRepo {
  constructor(private readonly table: Table) {}

  async get(number: number): Promise<Edition | undefined> {
    const item = await this.table.get<Record<string, unknown>>(keys.edition(number));
    return item ? Edition.parse(strip(item)) : undefined;
  }

  async list(limit?: number): Promise<Edition[]> {
    const items = await this.table.queryGsi1<Record<string, unknown>>('EDITIONS', { forward: false });
    const all = items.map((i) => Edition.parse(strip(i)));
    return limit === undefined ? all : all.slice(0, limit);
  }

  async counter(): Promise<EditionCounter> {
    const item = await this.table.get<{ value?: number; draft?: number; lastCompile?: CompileAttempt }>(
      COUNTER,
    );
    return { value: item?.value, draft: item?.draft, lastCompile: item?.lastCompile };
  }

  async claimDraftNumber(current: number | undefined, next: number): Promise<boolean> {
    try {
      await this.table.update(COUNTER, {
        UpdateExpression: 'SET #v = :next, #d = :next, #type = :type',
        ConditionExpression: `${current === undefined ? 'attribute_not_exists(#v)' : '#v = :cur'} AND attribute_not_exists(#d)`,
        ExpressionAttributeNames: { '#v': 'value', '#d': 'draft', '#type': 'type' },
        ExpressionAttributeValues: {
          ':next': next,
          ':type': 'counter',
          ...(current === undefined ? {} : { ':cur': current }),
        },
        ReturnValues: 'NONE',
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  async claimSchedule(number: number, at: string, claimedAt: string): Promise<boolean> {
    try {
      await this.table.update(keys.edition(number), {
        UpdateExpression: 'SET #sch.#cl = :now',
        ConditionExpression: '#s = :approved AND #sch.#at = :at',
        ExpressionAttributeNames: { '#s': 'status', '#sch': 'schedule', '#cl': 'claimedAt', '#at': 'at' },
        ExpressionAttributeValues: { ':approved': 'approved', ':at': at, ':now': claimedAt },
        ReturnValues: 'NONE',
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  async clearDraftMarker(number: number): Promise<void> {
    try {
      await this.table.update(COUNTER, {
        UpdateExpression: 'REMOVE #d',
        ConditionExpression: '#d = :n',
        ExpressionAttributeNames: { '#d': 'draft' },
        ExpressionAttributeValues: { ':n': number },
        ReturnValues: 'NONE',
      });
    } catch (e) {
      if (!(e instanceof ConditionFailed)) throw e;
    }
  }

  async recordCompile(attempt: CompileAttempt): Promise<void> {
    await this.table.update(COUNTER, {
      UpdateExpression: 'SET #l = :a, #type = :type',
      ExpressionAttributeNames: { '#l': 'lastCompile', '#type': 'type' },
      ExpressionAttributeValues: { ':a': attempt, ':type': 'counter' },
      ReturnValues: 'NONE',
    });
  }

  async save(
    edition: Edition,
    expect: EditionStatus[] | 'absent',
    opts: { revision?: string; unclaimedSince?: string } = {},
  ): Promise<void> {
    const item = {
      ...Edition.parse(edition),
      ...keys.edition(edition.number),
      gsi1pk: 'EDITIONS',
      gsi1sk: pad(edition.number),
      type: 'edition',
    };
    try {
      if (expect === 'absent') {
        await this.table.put(item, { ConditionExpression: 'attribute_not_exists(pk)' });
      } else {
        const values: Record<string, unknown> = Object.fromEntries(expect.map((s, i) => [`:s${i}`, s]));
        let condition = `#s IN (${Object.keys(values).join(', ')})`;
        const names: Record<string, string> = { '#s': 'status' };
        if (opts.revision !== undefined) {
          condition += ' AND #r = :r';
          names['#r'] = 'revision';
          values[':r'] = opts.revision;
        }
        if (opts.unclaimedSince !== undefined) {
          // ISO instants compare as strings: a claim older than the limit was abandoned.
          condition +=
            ' AND (attribute_not_exists(#sch) OR attribute_not_exists(#sch.#cl) OR #sch.#cl < :since)';
          names['#sch'] = 'schedule';
          names['#cl'] = 'claimedAt';
          values[':since'] = opts.unclaimedSince;
        }
        await this.table.put(item, {
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        });
      }
    } catch (e) {
      if (e instanceof ConditionFailed)
        throw new ConflictError(
          expect === 'absent'
            ? `edition ${edition.number} already exists`
            : `edition ${edition.number} is no longer ${expect.join(' or ')}${opts.revision ? ` (revision ${opts.revision})` : ''}${opts.unclaimedSince ? ', or its scheduled send is starting' : ''}`,
        );
      throw e;
    }
  }
}
