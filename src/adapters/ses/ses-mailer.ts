import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { encodedMailbox } from '../../domain/headers.ts';
import {
  type Mailer,
  MailerOutcomeUnknownError,
  MailerPermanentError,
  MailerThrottledError,
  MailerTransientError,
  type OutboundMessage,
  type SendQuota,
} from '../../ports/mailer.ts';
import type { AwsClientOptions } from '../aws-options.ts';
import { type ClientSource, clientGetter, once } from '../lazy.ts';
import { sesRetries } from './ses-retries.ts';

const sdk = once(() => import('@aws-sdk/client-sesv2'));

const THROTTLE_NAMES = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'LimitExceededException',
]);
const PERMANENT_NAMES = new Set(['MessageRejected', 'BadRequestException']);
/**
 * SES refused the request because of the account or its set-up, not this message or recipient (sending
 * paused or suspended, MAIL FROM domain not verified, configuration set missing). It did not take the
 * message, and the next recipient would be refused the same way: marking each one "failed" would burn the
 * whole list for good. Transient instead: the engine holds and retries, and releases the claims it could
 * not send for a later delivery or rerun once the account is fixed.
 */
const ACCOUNT_REFUSAL_NAMES = new Set([
  'SendingPausedException',
  'AccountSuspendedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
]);

/** SES error → one of the three mailer errors the send engine understands. Exported for tests. */
export function classifySesError(e: unknown): Error {
  const err = e as Error & { $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = err.$metadata?.httpStatusCode;
  const text = `${err.name ?? ''} ${err.message ?? ''}`;
  if (THROTTLE_NAMES.has(err.name) || status === 429 || /maximum sending rate exceeded|throttl/i.test(text)) {
    return new MailerThrottledError(err.message || err.name);
  }
  if (ACCOUNT_REFUSAL_NAMES.has(err.name)) return new MailerTransientError(`${err.name}: ${err.message}`);
  if (PERMANENT_NAMES.has(err.name) || (status !== undefined && status >= 400 && status < 500)) {
    return new MailerPermanentError(`${err.name}: ${err.message}`);
  }
  // No HTTP answer at all: the request may have reached SES and been accepted.
  if (status === undefined) return new MailerOutcomeUnknownError(`${err.name}: ${err.message}`);
  return new MailerTransientError(`${err.name}: ${err.message}`);
}

/**
 * SES v2 mailer using Simple content with custom Headers and Attachments (both native to SES v2), so
 * List-Unsubscribe, List-Unsubscribe-Post and .ics attachments are exact on AWS and in aws-ses-v2-local.
 */
export class SesMailer implements Mailer {
  private readonly client: () => Promise<SESv2Client>;
  constructor(
    ses: ClientSource<SESv2Client>,
    private readonly defaults: { configurationSet?: string } = {},
  ) {
    this.client = clientGetter(ses);
  }

  static connect(aws: AwsClientOptions, defaults: { configurationSet?: string } = {}): SesMailer {
    return new SesMailer(
      async () =>
        new (await sdk()).SESv2Client({
          ...aws,
          retryStrategy: sesRetries(),
          // Idle pooled sockets close after 4 s (and sooner if the server's Keep-Alive says so), before the
          // server drops them: a send on a socket the server already closed is the reset sesRetries allows.
          requestHandler: {
            httpAgent: new HttpAgent({ keepAlive: true, timeout: 4_000 }),
            httpsAgent: new HttpsAgent({ keepAlive: true, timeout: 4_000 }),
          },
        }),
      defaults,
    );
  }

  async send(m: OutboundMessage): Promise<{ messageId: string }> {
    assertSafeHeaders(m.headers);
    const configurationSet = m.configurationSet ?? this.defaults.configurationSet;
    try {
      const out = await (await this.client()).send(
        new (await sdk()).SendEmailCommand({
          // SES refuses a raw non-ASCII display name ("国际绿色采购网络 <news@…>"): encode it; quote "IGPN, Secretariat".
          FromEmailAddress: encodedMailbox(m.from),
          Destination: { ToAddresses: [m.to] },
          ReplyToAddresses: m.replyTo ? [encodedMailbox(m.replyTo)] : undefined,
          Content: {
            Simple: {
              Subject: { Data: m.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: m.text, Charset: 'UTF-8' },
                Html: m.html === undefined ? undefined : { Data: m.html, Charset: 'UTF-8' },
              },
              Headers: m.headers
                ? Object.entries(m.headers).map(([Name, Value]) => ({ Name, Value }))
                : undefined,
              Attachments: m.attachments?.map((a) => ({
                FileName: a.filename,
                ContentType: a.contentType,
                ContentDisposition: a.disposition === 'inline' ? 'INLINE' : 'ATTACHMENT',
                RawContent: typeof a.content === 'string' ? new TextEncoder().encode(a.content) : a.content,
              })),
            },
          },
          ConfigurationSetName: configurationSet,
          EmailTags: m.tags
            ? Object.entries(m.tags).map(([Name, Value]) => ({ Name, Value: sanitiseTag(Value) }))
            : undefined,
        }),
      );
      if (!out.MessageId) throw new MailerOutcomeUnknownError('SES returned no MessageId');
      return { messageId: out.MessageId };
    } catch (e) {
      if (e instanceof MailerTransientError || e instanceof MailerPermanentError) throw e;
      throw classifySesError(e);
    }
  }

  async getSendQuota(): Promise<SendQuota> {
    const out = await (await this.client()).send(new (await sdk()).GetAccountCommand({}));
    return {
      maxSendRate: out.SendQuota?.MaxSendRate ?? 1,
      max24HourSend: out.SendQuota?.Max24HourSend ?? 200,
      sentLast24Hours: out.SendQuota?.SentLast24Hours ?? 0,
    };
  }
}

/**
 * Header injection guard: names and values reach the wire verbatim. SES's own limits too (printable ASCII,
 * at most 870 characters), so a bad value fails here with its name rather than as SES's bare BadRequest.
 */
function assertSafeHeaders(headers: Record<string, string> | undefined) {
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (!/^[!-9;-~]+$/.test(k) || /[\r\n]/.test(v)) {
      throw new MailerPermanentError(`header ${JSON.stringify(k)} is not a valid single-line header`);
    }
    if (!/^[ -~]{1,870}$/.test(v)) {
      throw new MailerPermanentError(
        `header ${JSON.stringify(k)} must be 1–870 printable ASCII characters (encode other text, RFC 2047)`,
      );
    }
  }
}

/** SES tag values allow only [A-Za-z0-9_-.@]. */
const sanitiseTag = (v: string) => v.replace(/[^A-Za-z0-9_\-.@]/g, '_').slice(0, 256);
