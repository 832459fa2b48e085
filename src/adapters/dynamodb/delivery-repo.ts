import { DeliveryStatus } from '../../domain/index.ts';
import type { ClaimResult, DeliveryRecord, DeliveryRepo, SentEntry } from '../../ports/sending.ts';
import { keys } from './keys.ts';
import { ConditionFailed, type Item, type Table } from './table.ts';

/** Outcome logs share the claims' partition; '#' sorts before every subscriber id, so they come first. */
const LOG_PREFIX = '#LOG#';
const logSk = (run: string, seq: number) => `${LOG_PREFIX}${run}#${String(seq).padStart(5, '0')}`;

interface ClaimItem extends Item {
  pk: string;
  sk: string;
  campaign: string;
  subscriberId: string;
  status: DeliveryStatus;
  claimToken?: string;
  claimedAt?: string;
  run?: string;
  sentAt?: string;
  sesMessageId?: string;
  error?: string;
  attempts?: number;
}
interface LogItem extends Item {
  run: string;
  at: string;
  sent: Record<string, string>;
}

/**
 * Delivery claims in DynamoDB. One item per (campaign, recipient), written once with
 * attribute_not_exists before the send; successful sends are appended as grouped outcome logs
 * (one small item per ~25 sends) instead of a second write per recipient: the claim costs 1 WCU,
 * the outcome ~0.1 WCU. Every mutation is conditional on the claim token, so a late or duplicate
 * worker can never overwrite someone else's outcome.
 */
export class DynamoDeliveryRepo implements DeliveryRepo {
  constructor(private readonly table: Table) {}

  async claim(
    campaign: string,
    subscriberId: string,
    c: { token: string; run: string; at: Date },
  ): Promise<ClaimResult> {
    if (subscriberId.startsWith('#')) throw new Error(`invalid subscriber id ${subscriberId}`);
    const created = await this.table.putNew({
      ...keys.delivery(campaign, subscriberId),
      type: 'delivery',
      campaign,
      subscriberId,
      status: 'claimed',
      claimToken: c.token,
      claimedAt: c.at.toISOString(),
      run: c.run,
      attempts: 1,
    });
    if (created) return { ok: true };
    return { ok: false, existing: await this.get(campaign, subscriberId) };
  }

  async recordSent(campaign: string, run: string, seq: number, sent: SentEntry[], at: Date): Promise<void> {
    if (!sent.length) return;
    // Same key, same content on a retry: idempotent without a condition.
    await this.table.put({
      pk: keys.deliveries(campaign).pk,
      sk: logSk(run, seq),
      type: 'delivery-log',
      campaign,
      run,
      at: at.toISOString(),
      sent: Object.fromEntries(sent.map((s) => [s.subscriberId, s.messageId])),
    });
  }

  async settle(
    campaign: string,
    subscriberId: string,
    token: string,
    status: 'failed' | 'uncertain',
    at: Date,
    error?: string,
  ): Promise<boolean> {
    return this.conditional(campaign, subscriberId, {
      UpdateExpression: 'SET #st = :to, settledAt = :at, #err = :err',
      ConditionExpression: '#st = :claimed AND claimToken = :t',
      ExpressionAttributeNames: { '#st': 'status', '#err': 'error' },
      ExpressionAttributeValues: {
        ':to': status,
        ':at': at.toISOString(),
        ':err':
          error ?? (status === 'uncertain' ? 'claim outlived its lease without a recorded outcome' : ''),
        ':claimed': 'claimed',
        ':t': token,
      },
    });
  }

  async skip(campaign: string, subscriberId: string, reason: string, at: Date): Promise<boolean> {
    return this.table.putNew({
      ...keys.delivery(campaign, subscriberId),
      type: 'delivery',
      campaign,
      subscriberId,
      status: 'skipped',
      error: reason,
      claimedAt: at.toISOString(),
      attempts: 0,
    });
  }

  async release(campaign: string, subscriberId: string, token: string): Promise<boolean> {
    try {
      await this.table.delete(keys.delivery(campaign, subscriberId), {
        // Only a claim still open: one already settled (uncertain after its lease ran out) stays reported.
        ConditionExpression: 'claimToken = :t AND #st = :claimed',
        ExpressionAttributeNames: { '#st': 'status' },
        ExpressionAttributeValues: { ':t': token, ':claimed': 'claimed' },
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  async renew(campaign: string, subscriberId: string, token: string, at: Date): Promise<boolean> {
    return this.conditional(campaign, subscriberId, {
      UpdateExpression: 'SET claimedAt = :at ADD attempts :one',
      ConditionExpression: '#st = :claimed AND claimToken = :t',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: { ':at': at.toISOString(), ':one': 1, ':claimed': 'claimed', ':t': token },
    });
  }

  async confirmSent(campaign: string, subscriberId: string, messageId: string, at: Date): Promise<boolean> {
    return this.conditional(campaign, subscriberId, {
      UpdateExpression: 'SET #st = :sent, sesMessageId = :m, sentAt = :at',
      // Only uncertain: a fresh claim's own worker is about to record it.
      ConditionExpression: '#st = :uncertain',
      ExpressionAttributeNames: { '#st': 'status' },
      ExpressionAttributeValues: {
        ':sent': 'sent',
        ':m': messageId,
        ':at': at.toISOString(),
        ':uncertain': 'uncertain',
      },
    });
  }

  async get(campaign: string, subscriberId: string): Promise<DeliveryRecord | undefined> {
    const item = await this.table.get<ClaimItem>(keys.delivery(campaign, subscriberId));
    if (!item) return undefined;
    const sent = new Map<string, string>();
    if (item.run && (item.status === 'claimed' || item.status === 'uncertain')) {
      const logs = await this.table.queryAll<LogItem>({
        KeyConditionExpression: 'pk = :p AND begins_with(sk, :b)',
        ExpressionAttributeValues: { ':p': item.pk, ':b': `${LOG_PREFIX}${item.run}#` },
        ConsistentRead: true,
      });
      for (const log of logs) for (const [sid, m] of Object.entries(log.sent)) sent.set(sid, m);
    }
    return toRecord(item, sent);
  }

  async *list(campaign: string): AsyncIterable<DeliveryRecord[]> {
    const sent = new Map<string, string>();
    for await (const page of this.table.queryPages<ClaimItem | LogItem>({
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.deliveries(campaign).pk },
    })) {
      const out: DeliveryRecord[] = [];
      for (const item of page) {
        if (String(item.sk).startsWith(LOG_PREFIX)) {
          for (const [sid, m] of Object.entries((item as LogItem).sent)) sent.set(sid, m);
        } else {
          out.push(toRecord(item as ClaimItem, sent));
        }
      }
      if (out.length) yield out;
    }
  }

  private async conditional(
    campaign: string,
    subscriberId: string,
    input: Parameters<Table['update']>[1],
  ): Promise<boolean> {
    try {
      await this.table.update(keys.delivery(campaign, subscriberId), { ...input, ReturnValues: 'NONE' });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }
}

function toRecord(item: ClaimItem, sent: Map<string, string>): DeliveryRecord {
  const logged = sent.get(item.subscriberId);
  const status = logged && item.status !== 'sent' ? 'sent' : DeliveryStatus.parse(item.status);
  return {
    campaign: item.campaign,
    subscriberId: item.subscriberId,
    status,
    claimToken: item.claimToken,
    claimedAt: item.claimedAt,
    run: item.run,
    sentAt: item.sentAt,
    sesMessageId: item.sesMessageId ?? logged,
    error: status === 'sent' ? undefined : item.error,
    attempts: item.attempts ?? 0,
  };
}
