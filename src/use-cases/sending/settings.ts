import type { Config } from '../../config/config.ts';
import type { ReputationSettings } from './reputation-guard.ts';

/** The engine's tunables, read from configuration once per runtime. */
export interface SendSettings {
  /** Optional cap below the SES account rate (messages/s, whole fleet). */
  maxSendRate?: number;
  /** Concurrent workers sharing the account rate (SQS event source maximum concurrency on AWS). */
  workerConcurrency: number;
  /** Recipients per queue message. */
  batchSize: number;
  /** A claim older than this without an outcome is reported uncertain. */
  claimLeaseMs: number;
  /** Sends in flight per worker; derived from the per-worker rate when unset. */
  parallelism?: number;
  /** Successful sends recorded per outcome-log write. */
  logFlushSize: number;
  /** How long a GetAccount answer is trusted. */
  quotaTtlMs: number;
  /** How long a worker trusts the job status it read (pause takes effect within this). */
  jobStatusTtlMs: number;
  /** A send paused for the SES daily quota: GetAccount is asked again this long after each look (SQS: ≤ 15 min). */
  quotaCheckDelayMs: number;
  /** …and no longer than this after the pause: then it waits for a human, with a warning. */
  quotaCheckForMs: number;
  /** The reputation guard's thresholds (reputation-guard.ts); absent: the guard is off. */
  reputation?: ReputationSettings;
}

export function sendSettingsFrom(config: Config): SendSettings {
  return {
    maxSendRate: config.GAZETTE_MAX_SEND_RATE,
    workerConcurrency: config.GAZETTE_SEND_WORKER_CONCURRENCY,
    batchSize: config.GAZETTE_SEND_BATCH_SIZE,
    claimLeaseMs: config.GAZETTE_SEND_CLAIM_LEASE_SECONDS * 1000,
    parallelism: config.GAZETTE_SEND_PARALLELISM,
    logFlushSize: 25,
    quotaTtlMs: 5 * 60_000,
    jobStatusTtlMs: 1_000,
    quotaCheckDelayMs: 15 * 60_000,
    quotaCheckForMs: 48 * 3_600_000,
    reputation: {
      maxHardBounceRate: config.GAZETTE_REPUTATION_MAX_BOUNCE_PERCENT / 100,
      bounceSample: config.GAZETTE_REPUTATION_BOUNCE_SAMPLE,
      maxComplaintRate: config.GAZETTE_REPUTATION_MAX_COMPLAINT_PERCENT / 100,
      complaintSample: config.GAZETTE_REPUTATION_COMPLAINT_SAMPLE,
      checkEveryMs: 1_000,
      alertTo: config.GAZETTE_ALERT_EMAIL ?? mailboxOf(config.GAZETTE_FROM),
      alertFrom: config.GAZETTE_FROM,
    },
  };
}

/** In-flight sends a worker needs to keep its rate busy (SES answers in ~50–150 ms). */
export const parallelismFor = (perWorkerRate: number, configured?: number) =>
  configured ?? Math.max(4, Math.min(64, Math.ceil(perWorkerRate / 8)));

/** "IGPN Gazette <news@igpn.example>" → news@igpn.example (the default alert address: the sender's own). */
const mailboxOf = (from: string) =>
  /<([^<>\s]+@[^<>\s]+)>/.exec(from)?.[1] ?? (from.includes('@') ? from.trim() : undefined);
