import { SendJob, type SendJobStatus } from '../../domain/index.ts';
import type { SendJobRepo } from '../../ports/sending.ts';
import { keys } from './keys.ts';
import { ConditionFailed, type Table } from './table.ts';

const gsi = (status: SendJobStatus) => `SENDJOBS#${status}`;

/** One item per campaign; status changes are conditional so pause/resume/finish race safely. */
export class DynamoSendJobRepo implements SendJobRepo {
  constructor(private readonly table: Table) {}

  async create(job: SendJob): Promise<boolean> {
    const j = SendJob.parse(job);
    return this.table.putNew({
      ...keys.sendJob(j.campaign),
      type: 'send-job',
      gsi1pk: gsi(j.status),
      gsi1sk: `${j.startedAt}#${j.campaign}`,
      ...j,
    });
  }

  async get(campaign: string): Promise<SendJob | undefined> {
    const item = await this.table.get(keys.sendJob(campaign));
    return item ? SendJob.parse(item) : undefined;
  }

  async transition(
    campaign: string,
    from: SendJobStatus[],
    to: SendJobStatus,
    patch: Partial<SendJob> = {},
    when: Partial<Pick<SendJob, 'pausedBy' | 'pausedAt'>> = {},
  ): Promise<SendJob | undefined> {
    const { expr, names, values } = setExpression({ ...patch, status: to });
    names['#st'] = 'status';
    values[':g'] = gsi(to);
    const froms = from.map((s, i) => {
      values[`:f${i}`] = s;
      return `:f${i}`;
    });
    const equal = Object.entries(when)
      .filter(([, v]) => v !== undefined)
      .map(([k, v], i) => {
        names[`#w${i}`] = k;
        values[`:w${i}`] = v;
        return ` AND #w${i} = :w${i}`;
      });
    try {
      const out = await this.table.update(keys.sendJob(campaign), {
        UpdateExpression: `${expr}, gsi1pk = :g`,
        ConditionExpression: `#st IN (${froms.join(', ')})${equal.join('')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      });
      return SendJob.parse(out);
    } catch (e) {
      if (e instanceof ConditionFailed) return undefined;
      throw e;
    }
  }

  async patch(campaign: string, patch: Partial<SendJob>): Promise<SendJob> {
    const { status: _ignored, campaign: _c, ...rest } = patch;
    const { expr, names, values } = setExpression(rest);
    const out = await this.table.update(keys.sendJob(campaign), {
      UpdateExpression: expr,
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    });
    return SendJob.parse(out);
  }

  async addProgress(campaign: string, resolved: number): Promise<SendJob> {
    const out = await this.table.update(keys.sendJob(campaign), {
      UpdateExpression: 'ADD progress :n',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':n': resolved },
    });
    return SendJob.parse(out);
  }

  async list(status?: SendJobStatus): Promise<SendJob[]> {
    const statuses: SendJobStatus[] = status ? [status] : ['running', 'paused', 'finished', 'cancelled'];
    const all = await Promise.all(statuses.map((s) => this.table.queryGsi1(gsi(s), { forward: false })));
    return all
      .flat()
      .map((i) => SendJob.parse(i))
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}

function setExpression(fields: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(fields)
    .filter(([, v]) => v !== undefined)
    .map(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
      return `#f${i} = :v${i}`;
    });
  if (!sets.length) throw new Error('nothing to update');
  return { expr: `SET ${sets.join(', ')}`, names, values };
}
