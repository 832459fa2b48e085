import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriberIdFor } from '../../../src/domain/ids.ts';
import { startTestStack, TEST_TOKEN_SECRET } from '../../support/local-stack.ts';

/** A CSV of `lines` rows written as a stream; `row(n)` is the text of file line n (header = line 1). */
async function writeCsv(path: string, lines: number, row: (n: number) => string) {
  const out = createWriteStream(path);
  out.write('email,name,consent\r\n');
  for (let n = 2; n <= lines + 1; n++) if (!out.write(`${row(n)}\r\n`)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

describe('a large CSV through the import route (embedded stack)', () => {
  let stack: Awaited<ReturnType<typeof startTestStack>>;
  let dir: string;
  const importFile = async (file: string) => {
    const r = await stack.admin('/admin/subscribers/import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: await readFile(file),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  beforeAll(async () => {
    stack = await startTestStack();
    dir = await mkdtemp(join(tmpdir(), 'gazette-import-large-'));
  });
  afterAll(async () => {
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('counts every error of 30,000 lines, lists the first 1,000 by line and says the list is cut', async () => {
    // One row in 1,000 is a consented address; the others are wrong (no DynamoDB work for those).
    const file = join(dir, 'mostly-wrong.csv');
    await writeCsv(file, 30_000, (n) =>
      n % 1000 ? `not-an-address-${n},"Name, ${n}",yes` : `big${n}@example.org,Big ${n},yes`,
    );
    const { status, body } = await importFile(file);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      rows: 30_000,
      imported: 30,
      errorCount: 29_970,
      errorsTruncated: true,
      skippedCount: 0,
      skippedTruncated: false,
    });
    const errors = body.errors as { line: number; reason: string }[];
    expect(errors).toHaveLength(1000);
    // Rows 2 … 1,002 without 1,000: the first thousand wrong ones, by line.
    expect(errors[0]).toEqual({ line: 2, reason: expect.stringMatching(/not a valid address/) });
    expect(errors.at(-1)?.line).toBe(1002);
    expect(errors.some((e) => e.line === 1000)).toBe(false);
    expect(
      await stack.app.subscribers.subscriberRepo.get(
        subscriberIdFor('big29000@example.org', TEST_TOKEN_SECRET),
      ),
    ).toMatchObject({ status: 'confirmed' });
  });

  it('refuses a file broken near its end as a whole: none of the rows before the break is imported', async () => {
    const file = join(dir, 'broken-late.csv');
    await writeCsv(file, 20_000, (n) =>
      n === 19_990 ? `"late${n}@example.org,never closed,yes` : `late${n}@example.org,Late ${n},yes`,
    );
    const { status, body } = await importFile(file);
    expect(status).toBe(400);
    expect(String(body.message)).toMatch(/CSV cannot be read at line \d+/);
    expect(
      await stack.app.subscribers.subscriberRepo.get(subscriberIdFor('late2@example.org', TEST_TOKEN_SECRET)),
    ).toBeUndefined();
  });
});
