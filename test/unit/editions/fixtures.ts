import { type Update, Update as UpdateSchema } from '../../../src/domain/index.ts';

let seq = 0;

/** A valid approved update; override what the test is about. */
export function anUpdate(over: Partial<Update> = {}): Update {
  seq += 1;
  const id = over.updateId ?? `u_test_${String(seq).padStart(4, '0')}`;
  return UpdateSchema.parse({
    updateId: id,
    messageId: `m_${id}`,
    memberId: 'mem_cec',
    organisation: '中国环境联合认证中心',
    sender: 'news@cec.example.cn',
    receivedAt: '2026-02-10T08:00:00.000Z',
    status: 'approved',
    title: `Update ${seq}`,
    summary: 'A short summary.',
    bodyHtml: '<p>Body</p>',
    bodyText: 'Body',
    kind: 'news',
    section: 'news',
    links: [],
    attachments: [],
    rawKey: `raw/${id}.eml`,
    audit: [],
    ...over,
  });
}
