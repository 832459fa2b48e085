import type { CampaignStats } from '../domain/index.ts';

export type StatCounter = Exclude<keyof CampaignStats, 'campaign'>;

/** Clicks on one link of a campaign (the link already normalised: no reader token in it). */
export interface LinkClicks {
  link: string;
  clicks: number;
}

/** Per-campaign counters (edition or reminder wave): the send engine and SES events both add to them. */
export interface StatsRepo {
  increment(campaign: string, counters: Partial<Record<StatCounter, number>>): Promise<void>;
  get(campaign: string): Promise<CampaignStats>;
  /**
   * One click on `link` (atomic ADD on the campaign's counter of that link). At most `maxLinks` distinct links
   * get a counter of their own; clicks on any further link are added to `overflow`. Returns the key counted.
   * Optional so that counters-only doubles need not implement it.
   */
  addLinkClick?(campaign: string, link: string, maxLinks: number, overflow: string): Promise<string>;
  /** The campaign's link counters, most clicked first. */
  linkClicks?(campaign: string): Promise<LinkClicks[]>;
}
