import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../src/adapters/ses/ses-mailer.ts';
import { MailerThrottledError, MailerTransientError } from '../../../src/ports/mailer.ts';

/** A stand-in SES endpoint answering SendEmail from a script of statuses (0 = reset); counts requests. */
async function scriptedSes(statuses: number[]) {
  let requests = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const status = statuses[Math.min(requests, statuses.length - 1)] ?? 200;
      requests++;
      if (status === 0) {
        req.socket.destroy(); // connection reset before any answer
      } else if (status === 200) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ MessageId: 'ok-1' }));
      } else if (status === 429) {
        res.writeHead(429, {
          'content-type': 'application/json',
          'x-amzn-errortype': 'TooManyRequestsException',
        });
        res.end(JSON.stringify({ message: 'Maximum sending rate exceeded.' }));
      } else {
        res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
        res.end(JSON.stringify({ message: 'internal failure' }));
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { endpoint, requests: () => requests, close: () => new Promise((r) => server.close(r)) };
}

const message = { from: 'news@gazette.local', to: 'reader@example.org', subject: 's', text: 't' };
const credentials = { accessKeyId: 'x', secretAccessKey: 'y' };

describe('SES client retries (SES has no idempotency key)', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('retries a throttling answer: SES did not take the message', async () => {
    const ses = await scriptedSes([429, 429, 200]);
    close = ses.close;
    const mailer = SesMailer.connect({ region: 'us-east-1', endpoint: ses.endpoint, credentials });
    await expect(mailer.send(message)).resolves.toEqual({ messageId: 'ok-1' });
    expect(ses.requests()).toBe(3);
  });

  it('never replays a request after a 5xx (it may have been sent): one request, then the engine decides', async () => {
    const ses = await scriptedSes([500, 200]);
    close = ses.close;
    const mailer = SesMailer.connect({ region: 'us-east-1', endpoint: ses.endpoint, credentials });
    await expect(mailer.send(message)).rejects.toBeInstanceOf(MailerTransientError);
    expect(ses.requests()).toBe(1);
  });

  it('retries a connection reset before any answer (a pooled socket the server had closed)', async () => {
    const ses = await scriptedSes([0, 200]);
    close = ses.close;
    const mailer = SesMailer.connect({ region: 'us-east-1', endpoint: ses.endpoint, credentials });
    await expect(mailer.send(message)).resolves.toEqual({ messageId: 'ok-1' });
    expect(ses.requests()).toBe(2);
  });

  it('gives up after a bounded number of throttled attempts and reports throttling', async () => {
    const ses = await scriptedSes([429]);
    close = ses.close;
    const mailer = SesMailer.connect({ region: 'us-east-1', endpoint: ses.endpoint, credentials });
    await expect(mailer.send(message)).rejects.toBeInstanceOf(MailerThrottledError);
    expect(ses.requests()).toBe(4);
  });
});
