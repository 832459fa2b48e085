import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { emailHash, subscriberIdFor } from '../../../src/domain/ids.ts';
import { startTestStack, TEST_TOKEN_SECRET } from '../../support/local-stack.ts';

describe('import, export, GDPR access and erasure (admin API)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  const importCsv = async (csv: string, query = '') => {
    const r = await stack.admin(`/admin/subscribers/import${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const repo = () => stack.app.subscribers.subscriberRepo;

  beforeAll(async () => {
    stack = await startTestStack();
    // An earlier unsubscribe and a suppressed address the spreadsheet still lists.
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email: 'left@example.org', consent: true }),
    });
    await stack.app.subscribers.unsubscribeByEmail('left@example.org');
    await stack.app.subscribers.suppressionRepo.suppress('bounced@example.org', 'hard-bounce', new Date());
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('imports consented rows and reports every bad row with its line number and reason', async () => {
    const csv = [
      'Email,Name,Language,Time Zone,Audiences,Consent,Consented_At',
      'wang@example.cn,王小明,zh,Asia/Shanghai,newsletter reminders,yes,2025-11-03',
      'not-an-email,Bad,en,UTC,newsletter,yes,',
      'tz@example.org,TZ,en,Mars/Olympus,newsletter,yes,',
      'left@example.org,Left,en,UTC,newsletter,yes,',
      'bounced@example.org,Bounced,en,UTC,newsletter,yes,',
      'WANG@example.cn,Dup,zh,Asia/Shanghai,newsletter,yes,',
      '"multi@example.org","Line one',
      'line two",en,UTC,newsletter,yes,',
      'noconsent@example.org,No,en,UTC,newsletter,no,',
      'lists@example.org,L,en,UTC,newsletter spam,yes,',
      'short@example.org,Short',
      'later@example.org,Later,en,UTC,newsletter,maybe,',
    ].join('\n');
    const { status, body } = await importCsv(csv);
    expect(status).toBe(200);
    expect(body).toMatchObject({ rows: 11, imported: 2, updated: 0, dryRun: false });
    expect(body.errors).toEqual([
      { line: 3, reason: 'email "not-an-email" is not a valid address' },
      { line: 4, reason: 'time zone "Mars/Olympus" is not an IANA zone such as Asia/Shanghai' },
      { line: 7, reason: 'duplicate of line 2' },
      { line: 11, reason: expect.stringContaining('audiences must be among') },
      { line: 12, reason: 'number of fields differs from the header' },
      { line: 13, reason: 'consent must be yes or no, not "maybe"' },
    ]);
    expect(body.skipped).toEqual([
      { line: 5, email: 'left@example.org', reason: expect.stringContaining('imports never re-subscribe') },
      { line: 6, email: 'bounced@example.org', reason: 'suppressed (hard-bounce): never imported' },
      { line: 10, email: 'noconsent@example.org', reason: expect.stringContaining('no recorded consent') },
    ]);
    expect(await repo().get(subscriberIdFor('wang@example.cn', TEST_TOKEN_SECRET))).toMatchObject({
      status: 'confirmed',
      name: '王小明',
      audiences: ['newsletter', 'reminders'],
      source: 'import',
      consentSource: 'import',
      consentedAt: '2025-11-03T00:00:00.000Z',
    });
    expect(await repo().get(subscriberIdFor('multi@example.org', TEST_TOKEN_SECRET))).toMatchObject({
      name: 'Line one\nline two',
    });
    expect(await repo().get(subscriberIdFor('left@example.org', TEST_TOKEN_SECRET))).toMatchObject({
      status: 'unsubscribed',
    });
    expect(await repo().get(subscriberIdFor('bounced@example.org', TEST_TOKEN_SECRET))).toBeUndefined();
    expect(await repo().get(subscriberIdFor('noconsent@example.org', TEST_TOKEN_SECRET))).toBeUndefined();
  });

  it('a dry run reports without writing; a file without an email column is refused', async () => {
    const { body } = await importCsv('email,consent\ndry@example.org,yes\n', '?dryRun=true');
    expect(body).toMatchObject({ imported: 1, dryRun: true });
    expect(await repo().get(subscriberIdFor('dry@example.org', TEST_TOKEN_SECRET))).toBeUndefined();
    const bad = await importCsv('name,consent\nx,yes\n');
    expect(bad.status).toBe(400);
    const broken = await importCsv('email,name\n"a@example.org,oops\n');
    expect(broken.status).toBe(400);
    expect(String(broken.body.message)).toMatch(/line \d/);
  });

  it('accepts JSON rows with the original line numbers (what the CLI sends in chunks)', async () => {
    const r = await stack.admin('/admin/subscribers/import', {
      method: 'POST',
      body: JSON.stringify({
        rows: [
          { line: 501, values: { email: 'chunk@example.org', consent: 'yes' } },
          { line: 502, values: { email: 'nope', consent: 'yes' } },
        ],
      }),
    });
    expect(await r.json()).toMatchObject({ imported: 1, errors: [{ line: 502 }] });
  });

  it('exports CSV (re-importable, formula-safe) and JSON', async () => {
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email: 'formula@example.org', name: '=HYPERLINK("http://x")', consent: true }),
    });
    const csv = await stack.admin('/admin/subscribers/export?format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe(
      'email,name,language,time_zone,audiences,status,source,consent,consented_at,created_at,confirmed_at,unsubscribed_at,soft_bounces,suppressed,suppressed_at',
    );
    expect(text).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(text).toMatch(/left@example\.org,Left|left@example\.org,,en,UTC,newsletter,unsubscribed/);
    const json = (await (
      await stack.admin('/admin/subscribers/export?format=json&status=confirmed')
    ).json()) as {
      email: string;
      status: string;
    }[];
    expect(json.every((s) => s.status === 'confirmed')).toBe(true);
    expect(json.map((s) => s.email)).toContain('wang@example.cn');
  });

  it('exports a confirmed subscriber whose address hard-bounced with the suppression reason and date', async () => {
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email: 'gone@example.org', consent: true }),
    });
    const at = new Date('2026-02-10T08:00:00.000Z');
    await stack.app.subscribers.suppressionRepo.suppress('gone@example.org', 'hard-bounce', at);
    const text = await (await stack.admin('/admin/subscribers/export?format=csv')).text();
    const row = text.split('\n').find((l) => l.startsWith('gone@example.org,'));
    expect(row).toMatch(/,confirmed,admin,yes,.*,hard-bounce,2026-02-10T08:00:00\.000Z$/);
    expect(text.split('\n').find((l) => l.startsWith('wang@example.cn,'))).toMatch(/,,$/);
    const json = (await (await stack.admin('/admin/subscribers/export?format=json')).json()) as {
      email: string;
      suppression?: { reason: string; at: string };
    }[];
    expect(json.find((s) => s.email === 'gone@example.org')?.suppression).toEqual({
      reason: 'hard-bounce',
      at: at.toISOString(),
    });
    expect(json.find((s) => s.email === 'wang@example.cn')).not.toHaveProperty('suppression');
  });

  it('GDPR export returns everything held about one address', async () => {
    const r = await stack.admin(`/admin/subscribers/export?email=${encodeURIComponent('Wang@Example.cn')}`);
    const body = (await r.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      email: 'wang@example.cn',
      emailHash: emailHash('wang@example.cn'),
      subscriber: { name: '王小明', status: 'confirmed' },
      history: [{ type: 'imported' }],
      suppression: null,
    });
  });

  it('erase removes the subscriber and its history and keeps only a hashed suppression entry', async () => {
    const email = 'wang@example.cn';
    const id = subscriberIdFor(email, TEST_TOKEN_SECRET);
    const r = await stack.admin(`/admin/subscribers/${encodeURIComponent(email)}`, { method: 'DELETE' });
    expect(await r.json()).toEqual({ erased: true, emailHash: emailHash(email) });
    // Nothing left in the subscriber's partition.
    const left = await stack.infra.table.queryAll({
      KeyConditionExpression: 'pk = :p',
      ExpressionAttributeValues: { ':p': keys.subscriberItems(id).pk },
    });
    expect(left).toEqual([]);
    // The suppression item holds the hash and no address.
    const raw = await stack.infra.table.get<Record<string, unknown>>(keys.suppression(emailHash(email)));
    expect(raw).toMatchObject({ emailHash: emailHash(email), reason: 'erased' });
    expect(JSON.stringify(raw)).not.toContain('wang');
    expect(await stack.app.subscribers.suppressionRepo.isSuppressed(email)).toBe(true);
    // A re-import cannot bring the address back.
    const again = await importCsv(`email,consent\n${email},yes\n`);
    expect(again.body).toMatchObject({
      imported: 0,
      skipped: [{ line: 2, reason: 'suppressed (erased): never imported' }],
    });
    expect((await stack.admin(`/admin/subscribers/${encodeURIComponent(email)}`)).status).toBe(404);
  });

  it('erasing a complained address keeps the complaint reason but drops the address', async () => {
    const email = 'complainer@example.org';
    await stack.app.subscribers.suppressionRepo.suppress(email, 'complaint', new Date(), 'abuse');
    await stack.admin(`/admin/subscribers/${encodeURIComponent(email)}`, { method: 'DELETE' });
    const raw = await stack.infra.table.get<Record<string, unknown>>(keys.suppression(emailHash(email)));
    expect(raw).toMatchObject({ reason: 'complaint' });
    expect(raw?.email).toBeUndefined();
    expect(raw?.detail).toBeUndefined();
  });

  it('a bounce or complaint after an erasure replaces it, so a new opt-in cannot lift it', async () => {
    const repo = stack.app.subscribers.suppressionRepo;
    await repo.suppress('erased-then-bounced@example.org', 'erased', new Date());
    await repo.suppress('erased-then-bounced@example.org', 'hard-bounce', new Date(), '5.1.1');
    expect((await repo.get('erased-then-bounced@example.org'))?.reason).toBe('hard-bounce');
    await repo.anonymise('erased-then-complained@example.org', new Date());
    await repo.suppress('erased-then-complained@example.org', 'complaint', new Date());
    expect((await repo.get('erased-then-complained@example.org'))?.reason).toBe('complaint');
    // And an erasure never downgrades a blocking reason.
    await repo.suppress('erased-then-complained@example.org', 'erased', new Date());
    expect((await repo.get('erased-then-complained@example.org'))?.reason).toBe('complaint');
  });

  it('self-service delete-my-data from the preferences page; a later fresh opt-in may lift the erasure', async () => {
    const email = 'self@example.org';
    await stack.admin('/admin/subscribers', {
      method: 'POST',
      body: JSON.stringify({ email, consent: true }),
    });
    const url = (await stack.app.subscribers.links()).preferencesUrl(
      subscriberIdFor(email, TEST_TOKEN_SECRET),
    );
    const r = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'action=erase',
    });
    // The preferences link may have been forwarded: the mailbox confirms through a mailed erase link.
    expect(r.status).toBe(202);
    expect(await r.text()).toContain('we sent a confirmation link to s•••@example.org');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toBeDefined();
    const eraseMail = (await stack.sentMail()).filter((m) => m.destination.to.includes(email)).at(-1);
    const eraseUrl = /http\S+\/v1\/erase\?token=[\w.-]+/.exec(eraseMail?.body.text ?? '')?.[0];
    const ask = await fetch(eraseUrl!);
    expect(await ask.text()).toContain('This cannot be undone');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toBeDefined();
    const erased = await fetch(eraseUrl!, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'confirm=yes',
    });
    expect(erased.status).toBe(200);
    expect(await erased.text()).toContain('Your data is deleted');
    expect(await repo().get(subscriberIdFor(email, TEST_TOKEN_SECRET))).toBeUndefined();
    expect((await stack.app.subscribers.suppressionRepo.get(email))?.reason).toBe('erased');

    await fetch(`${stack.urls.api}/v1/subscribe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    const mail = (await stack.sentMail()).filter((m) => m.destination.to.includes(email)).at(-1);
    const confirm = /http\S+\/v1\/confirm\?token=[\w.-]+/.exec(mail?.body.text ?? '')?.[0];
    expect((await fetch(confirm!, { method: 'POST' })).status).toBe(200);
    expect(await stack.app.subscribers.suppressionRepo.isSuppressed(email)).toBe(false);
  });

  it('admin list pages through subscribers by status; show has record, history and suppression', async () => {
    const first = (await (await stack.admin('/admin/subscribers?status=confirmed&limit=2')).json()) as {
      items: { email: string }[];
      cursor?: string;
    };
    expect(first.items).toHaveLength(2);
    expect(first.cursor).toBeTruthy();
    const second = (await (
      await stack.admin(`/admin/subscribers?status=confirmed&limit=2&cursor=${first.cursor}`)
    ).json()) as { items: { email: string }[] };
    expect((second.items[0]?.email ?? '') > (first.items[1]?.email ?? '')).toBe(true);
    const show = (await (
      await stack.admin(`/admin/subscribers/${encodeURIComponent('multi@example.org')}`)
    ).json()) as Record<string, unknown>;
    expect(show).toMatchObject({
      subscriber: { email: 'multi@example.org' },
      suppression: null,
      history: [{ type: 'imported' }],
    });
    expect((await stack.admin('/admin/subscribers?status=bogus')).status).toBe(400);
  });

  it('admin list answers 400, not 500, for a limit that is not a number or a cursor it never issued', async () => {
    expect((await stack.admin('/admin/subscribers?status=confirmed&limit=ten')).status).toBe(400);
    const forged = Buffer.from(JSON.stringify({ pk: 'SUB#x' })).toString('base64url');
    expect((await stack.admin(`/admin/subscribers?status=confirmed&cursor=${forged}`)).status).toBe(400);
  });
});
