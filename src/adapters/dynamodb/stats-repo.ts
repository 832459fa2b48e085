import { CampaignStats } from '../../domain/index.ts';
import type { StatCounter, StatsRepo } from '../../ports/stats.ts';
import { keys } from './keys.ts';
import type { Table } from './table.ts';

/** Atomic ADD counters on one item per campaign (no read-modify-write, safe under concurrency). */
export class DynamoStatsRepo implements StatsRepo {
  constructor(private readonly table: Table) {}

  async increment(campaign: string, counters: Partial<Record<StatCounter, number>>): Promise<void> {
    const entries = Object.entries(counters).filter(([, n]) => n !== undefined && n !== 0);
    if (!entries.length) return;
    const names: Record<string, string> = { '#type': 'type', '#c': 'campaign' };
    const values: Record<string, unknown> = { ':type': 'stats', ':c': campaign };
    const adds = entries.map(([k, n], i) => {
      names[`#k${i}`] = k;
      values[`:n${i}`] = n;
      return `#k${i} :n${i}`;
    });
    await this.table.update(keys.stats(campaign), {
      UpdateExpression: `SET #type = :type, #c = :c ADD ${adds.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'NONE',
    });
  }

  async get(campaign: string): Promise<CampaignStats> {
    const item = await this.table.get<Record<string, unknown>>(keys.stats(campaign));
    return CampaignStats.parse({ ...item, campaign });
  }
}
