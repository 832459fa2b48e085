import type { CampaignStats } from '../domain/index.ts';

export type StatCounter = Exclude<keyof CampaignStats, 'campaign'>;

/** Per-campaign counters (edition or reminder wave): the send engine and SES events both add to them. */
export interface StatsRepo {
  increment(campaign: string, counters: Partial<Record<StatCounter, number>>): Promise<void>;
  get(campaign: string): Promise<CampaignStats>;
}
