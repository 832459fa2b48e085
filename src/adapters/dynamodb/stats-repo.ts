import { CampaignStats } from '../../domain/index.ts';
import type { LinkClicks, StatCounter, StatsRepo } from '../../ports/stats.ts';
import { keys } from './keys.ts';
import { ConditionFailed, type Table } from './table.ts';

/**
 * Atomic ADD counters on one item per campaign (no read-modify-write, safe under concurrency), plus one
 * counter item per (campaign, link) for clicks, in the same partition.
 */
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

  /**
   * A link already counted: one conditional ADD. A new link first takes one of the campaign's `maxLinks`
   * slots (a conditional ADD on `linkSlots` of the stats item); with none left its click goes to `overflow`.
   * Two first clicks of the same new link at once may both take a slot: the cap still holds (slots only ever
   * over-count), and both clicks land on the link's counter.
   */
  async addLinkClick(campaign: string, link: string, maxLinks: number, overflow: string): Promise<string> {
    if (link !== overflow) {
      if (await this.addToExisting(campaign, link)) return link;
      if (await this.takeLinkSlot(campaign, maxLinks)) {
        await this.addClick(campaign, link);
        return link;
      }
    }
    await this.addClick(campaign, overflow);
    return overflow;
  }

  async linkClicks(campaign: string): Promise<LinkClicks[]> {
    const { pk, skPrefix } = keys.statsLinks(campaign);
    const items = await this.table.queryAll<{ link?: string; clicks?: number }>({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :s)',
      ExpressionAttributeValues: { ':p': pk, ':s': skPrefix },
      ConsistentRead: true,
    });
    return items
      .filter((i): i is LinkClicks => typeof i.link === 'string' && typeof i.clicks === 'number')
      .map(({ link, clicks }) => ({ link, clicks }))
      .sort((a, b) => b.clicks - a.clicks || a.link.localeCompare(b.link));
  }

  private async addToExisting(campaign: string, link: string): Promise<boolean> {
    try {
      await this.table.update(keys.statsLink(campaign, link), {
        UpdateExpression: 'ADD clicks :one',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'NONE',
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  private async takeLinkSlot(campaign: string, maxLinks: number): Promise<boolean> {
    try {
      await this.table.update(keys.stats(campaign), {
        UpdateExpression: 'SET #type = :type, #c = :c ADD linkSlots :one',
        ConditionExpression: 'attribute_not_exists(linkSlots) OR linkSlots < :max',
        ExpressionAttributeNames: { '#type': 'type', '#c': 'campaign' },
        ExpressionAttributeValues: { ':type': 'stats', ':c': campaign, ':one': 1, ':max': maxLinks },
        ReturnValues: 'NONE',
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  private async addClick(campaign: string, link: string): Promise<void> {
    await this.table.update(keys.statsLink(campaign, link), {
      UpdateExpression: 'SET #type = :type, #c = :c, #l = :l ADD clicks :one',
      ExpressionAttributeNames: { '#type': 'type', '#c': 'campaign', '#l': 'link' },
      ExpressionAttributeValues: { ':type': 'link-clicks', ':c': campaign, ':l': link, ':one': 1 },
      ReturnValues: 'NONE',
    });
  }
}
