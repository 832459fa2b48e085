import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryRepo } from '../../../src/adapters/dynamodb/delivery-repo.ts';
import { startTestStack } from '../../support/local-stack.ts';

const sendEvent = (campaignTag: string, subscriber: string, messageId: string) => {
  const e = JSON.parse(readFileSync(new URL('../../fixtures/ses-events/send.json', import.meta.url), 'utf8'));
  e.mail.messageId = messageId;
  e.mail.tags = { ...e.mail.tags, campaign: [campaignTag], subscriber: [subscriber] };
  return e;
};

describe('an SES Send event settles an uncertain delivery', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('turns a claim left uncertain (worker died after SES accepted) into sent with the SES message id', async () => {
    const deliveries = new DynamoDeliveryRepo(stack.infra.table);
    const at = new Date();
    const claim = await deliveries.claim('edition#8', 's_uncertain1', { token: 't1', run: 'r1', at });
    expect(claim).toBeTruthy();
    expect(await deliveries.settle('edition#8', 's_uncertain1', 't1', 'uncertain', at)).toBe(true);

    // SES tags allow no '#': the mailer sends "edition_8", the event handler reads it back.
    const res = await stack.admin('/admin/ses-events', {
      method: 'POST',
      body: JSON.stringify(sendEvent('edition_8', 's_uncertain1', 'ses-msg-123')),
    });
    expect(res.status).toBeLessThan(300);

    const record = await deliveries.get('edition#8', 's_uncertain1');
    expect(record).toMatchObject({ status: 'sent', sesMessageId: 'ses-msg-123' });
  });

  it('leaves a delivery that was never claimed alone (no evidence of our own send)', async () => {
    const deliveries = new DynamoDeliveryRepo(stack.infra.table);
    await stack.admin('/admin/ses-events', {
      method: 'POST',
      body: JSON.stringify(sendEvent('edition_8', 's_neverclaimed', 'ses-msg-456')),
    });
    expect(await deliveries.get('edition#8', 's_neverclaimed')).toBeUndefined();
  });
});

describe('releasing a claim', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack?.stop());

  it('deletes an open claim so a later run can send, but never one already settled as uncertain', async () => {
    const deliveries = new DynamoDeliveryRepo(stack.infra.table);
    const at = new Date();
    await deliveries.claim('edition#9', 's_open', { token: 't1', run: 'r1', at });
    expect(await deliveries.release('edition#9', 's_open', 't1')).toBe(true);
    expect(await deliveries.get('edition#9', 's_open')).toBeUndefined();

    // Its lease ran out and a status check reported it uncertain: a late release must not reopen it.
    await deliveries.claim('edition#9', 's_settled', { token: 't2', run: 'r1', at });
    await deliveries.settle('edition#9', 's_settled', 't2', 'uncertain', at);
    expect(await deliveries.release('edition#9', 's_settled', 't2')).toBe(false);
    expect(await deliveries.get('edition#9', 's_settled')).toMatchObject({ status: 'uncertain' });
  });
});
