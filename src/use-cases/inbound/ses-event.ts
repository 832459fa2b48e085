/**
 * The SES receipt-rule Lambda action event (https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-event.html),
 * parsed with zod. Shared by functions/ingest.ts and the embedded SMTP server, which builds the same
 * event for every message it receives so both run one code path.
 */
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { inboundRawKey, type VerdictPreset, VerdictStatus, type Verdicts } from '../../domain/update.ts';
import type { IngestCommand } from './ingest.ts';

const Verdict = z.object({ status: VerdictStatus }).optional();

/** SES message ids are short lowercase alphanumerics; anything else would be an odd S3 key. */
export const SesMessageId = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'not an SES message id');

export const SesReceiptEvent = z.object({
  Records: z
    .array(
      z.object({
        eventSource: z.literal('aws:ses').optional(),
        eventVersion: z.string().optional(),
        ses: z.object({
          mail: z.object({
            messageId: SesMessageId,
            timestamp: z.iso.datetime({ offset: true }),
            source: z.string(),
            destination: z.array(z.string()),
            headersTruncated: z.boolean().optional(),
            headers: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
            commonHeaders: z.record(z.string(), z.unknown()).optional(),
          }),
          receipt: z.object({
            timestamp: z.iso.datetime({ offset: true }),
            processingTimeMillis: z.number().optional(),
            recipients: z.array(z.string()).min(1),
            spamVerdict: Verdict,
            virusVerdict: Verdict,
            spfVerdict: Verdict,
            dkimVerdict: Verdict,
            dmarcVerdict: Verdict,
            dmarcPolicy: z.string().optional(),
            action: z.object({ type: z.string() }).loose(),
          }),
        }),
      }),
    )
    .min(1),
});
export type SesReceiptEvent = z.infer<typeof SesReceiptEvent>;

/** One ingest command per record; the raw message is where the receipt rule's S3 action put it. */
export function commandsFromEvent(event: SesReceiptEvent): IngestCommand[] {
  return event.Records.map(({ ses: { mail, receipt } }) => ({
    messageId: mail.messageId,
    rawKey: inboundRawKey(mail.messageId),
    receivedAt: new Date(receipt.timestamp),
    recipients: receipt.recipients.map((r) => r.toLowerCase()),
    // The SMTP envelope, not commonHeaders.returnPath: a Return-Path header in the message is the sender's
    // to write, and with a null sender (<>) SPF checked the HELO name, which the event does not carry.
    mailFrom: mail.source,
    verdicts: {
      // A missing verdict means the rule did not scan: DISABLED, never a silent PASS.
      spf: receipt.spfVerdict?.status ?? 'DISABLED',
      dkim: receipt.dkimVerdict?.status ?? 'DISABLED',
      dmarc: receipt.dmarcVerdict?.status ?? 'DISABLED',
      spam: receipt.spamVerdict?.status ?? 'DISABLED',
      virus: receipt.virusVerdict?.status ?? 'DISABLED',
    },
  }));
}

/**
 * Verdicts the embedded runtime stamps on a message (there is no real SPF/DKIM check on loopback).
 * "pass" includes DMARC PASS, i.e. "aligned with the From: domain": the local SMTP envelope sender is
 * whatever the client said, so without it local member mail would fail the alignment check.
 */
export function presetVerdicts(preset: VerdictPreset): Verdicts {
  const auth = preset === 'fail' ? 'FAIL' : 'PASS';
  return {
    spf: auth,
    dkim: auth,
    dmarc: auth,
    spam: preset === 'spam' ? 'FAIL' : 'PASS',
    virus: preset === 'virus' ? 'FAIL' : 'PASS',
  };
}

/** Stable local stand-in for an SES message id: same bytes (and verdicts), same id, so resends dedupe. */
export function localMessageId(raw: Uint8Array, salt = ''): string {
  return createHash('sha256').update(raw).update(salt).digest('hex').slice(0, 40);
}

/** The event SES would hand the Lambda action, for a message the embedded runtime received. */
export function localSesEvent(o: {
  messageId: string;
  at: Date;
  mailFrom: string;
  recipients: string[];
  verdicts: Verdicts;
  bucket: string;
  commonHeaders?: Record<string, unknown>;
}): SesReceiptEvent {
  const ts = o.at.toISOString();
  const v = (status: Verdicts[keyof Verdicts]) => ({ status });
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            messageId: o.messageId,
            timestamp: ts,
            source: o.mailFrom,
            destination: o.recipients,
            headersTruncated: false,
            headers: [],
            commonHeaders: o.commonHeaders,
          },
          receipt: {
            timestamp: ts,
            processingTimeMillis: 0,
            recipients: o.recipients,
            spamVerdict: v(o.verdicts.spam),
            virusVerdict: v(o.verdicts.virus),
            spfVerdict: v(o.verdicts.spf),
            dkimVerdict: v(o.verdicts.dkim),
            dmarcVerdict: v(o.verdicts.dmarc),
            action: { type: 'Lambda', functionArn: `local:${o.bucket}`, invocationType: 'Event' },
          },
        },
      },
    ],
  };
}
