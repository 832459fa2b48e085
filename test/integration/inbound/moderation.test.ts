import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../../src/adapters/dynamodb/keys.ts';
import { DynamoMemberRepo } from '../../../src/adapters/dynamodb/member-repo.ts';
import type { Table } from '../../../src/adapters/dynamodb/table.ts';
import { ConflictError, type IngestResult, type Member, type Update } from '../../../src/domain/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { makeMembers } from '../../../src/use-cases/inbound/members.ts';
import { mail } from '../../fixtures/inbound/index.ts';
import { startTestStack } from '../../support/local-stack.ts';

type Stack = Awaited<ReturnType<typeof startTestStack>>;

describe('member registry and moderation over the admin API', () => {
  let stack: Stack;
  let member: Member;
  const call = async <T>(method: string, path: string, body?: unknown, status = 200): Promise<T> => {
    const res = await stack.admin(path, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = (await res.json()) as T;
    expect(res.status, JSON.stringify(data)).toBe(status);
    return data;
  };
  const ingest = async (subject: string, body = 'News from our network.'): Promise<string> => {
    const r = (await stack.app.ingest.receiveRaw(mail({ subject, body }), {
      from: 'news@greenbuy.example',
      to: [],
    })) as IngestResult;
    expect(r.outcome).toBe('accepted');
    return r.updateId!;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    member = await call<Member>(
      'POST',
      '/admin/members',
      {
        organisation: 'GreenBuy e.V.',
        type: 'network',
        country: 'Germany',
        senders: ['News@GreenBuy.example'],
      },
      201,
    );
  });
  afterAll(async () => {
    await stack?.stop();
  });

  describe('members', () => {
    it('adds a member with normalised sender addresses and defaults', () => {
      expect(member).toMatchObject({
        memberId: expect.stringMatching(/^m_/),
        senders: ['news@greenbuy.example'],
        language: 'en',
        trusted: false,
        status: 'active',
      });
    });

    it('refuses a sender address that already belongs to another member, and bad input, with 4xx', async () => {
      const dup = await call<{ error: string; message: string }>(
        'POST',
        '/admin/members',
        { organisation: 'Other', type: 'associate', country: 'France', senders: ['news@greenbuy.example'] },
        409,
      );
      expect(dup.message).toMatch(/already an allowed sender of GreenBuy/);
      await call(
        'POST',
        '/admin/members',
        { organisation: 'X', type: 'club', country: 'FR', senders: [] },
        400,
      );
      await call('GET', '/admin/members/m_nope', undefined, 404);
    });

    it('lists, shows, updates senders (releasing the old address) and disables', async () => {
      const other = await call<Member>(
        'POST',
        '/admin/members',
        {
          organisation: 'Another Network',
          type: 'advisory',
          country: 'Kenya',
          senders: ['a@another.example'],
        },
        201,
      );
      const list = await call<{ members: Member[] }>('GET', '/admin/members');
      expect(list.members.map((m) => m.organisation)).toEqual(['Another Network', 'GreenBuy e.V.']);
      const changed = await call<Member>('PATCH', `/admin/members/${other.memberId}`, {
        senders: ['b@another.example'],
        trusted: true,
        language: 'fr',
      });
      expect(changed).toMatchObject({ senders: ['b@another.example'], trusted: true, language: 'fr' });
      // The released address can be registered again by someone else.
      await call(
        'POST',
        '/admin/members',
        { organisation: 'Third', type: 'associate', country: 'Peru', senders: ['a@another.example'] },
        201,
      );
      const disabled = await call<Member>('POST', `/admin/members/${other.memberId}/disable`);
      expect(disabled.status).toBe('disabled');
      const r = await stack.app.ingest.receiveRaw(mail({ from: 'b@another.example' }), {
        from: 'b@another.example',
        to: [],
      });
      expect(r).toEqual({ outcome: 'rejected', reason: 'member Another Network is disabled' });
      expect(await call<Member>('GET', `/admin/members/${other.memberId}`)).toMatchObject({
        status: 'disabled',
      });
    });

    it('two members taking over one orphaned sender address at once: one gets it, the other a 409', async () => {
      const table = stack.infra.table;
      const address = 'orphan@shared.example';
      // The claim of a member that no longer lists the address (a half-done write): free to take over.
      await table.put({ ...keys.sender(address), type: 'sender', email: address, memberId: 'm_gone' });
      // Both read the orphan claim before either takes it over.
      const arrived: (() => void)[] = [];
      const racing = new Proxy(table, {
        get(target, prop) {
          const value = Reflect.get(target, prop, target);
          if (prop !== 'get') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: Parameters<Table['get']>) => {
            const item = await target.get(...args);
            if (args[0].pk === keys.sender(address).pk && arrived.length < 2)
              await new Promise<void>((resolve) => {
                arrived.push(resolve);
                if (arrived.length === 2) for (const go of arrived) go();
              });
            return item;
          };
        },
      });
      const members = makeMembers({ members: new DynamoMemberRepo(racing), clock: systemClock });
      const add = (organisation: string) =>
        members.add({ organisation, type: 'associate', country: 'Chile', senders: [address] });
      const results = await Promise.allSettled([add('Racer One'), add('Racer Two')]);
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r) => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost.map((r) => (r as PromiseRejectedResult).reason)).toEqual([expect.any(ConflictError)]);
      const winner = (won[0] as PromiseFulfilledResult<Member>).value;
      expect((await new DynamoMemberRepo(table).findBySender(address))?.memberId).toBe(winner.memberId);
      const registered = await call<{ members: Member[] }>('GET', '/admin/members');
      expect(registered.members.filter((m) => m.senders.includes(address))).toHaveLength(1);
    });

    it('answers an id too long to exist with 400, not a 500 from the database', async () => {
      const long = 'x'.repeat(3000);
      for (const [method, path, body] of [
        ['GET', `/admin/members/${long}`],
        ['PATCH', `/admin/members/${long}`, { organisation: 'Y' }],
        ['POST', `/admin/members/${long}/disable`],
        ['GET', `/admin/updates/${long}`],
        ['POST', `/admin/updates/${long}/approve`, {}],
        ['POST', `/admin/updates/${long}/reject`, { reason: 'spam' }],
        ['POST', `/admin/updates/${long}/merge`, { duplicates: ['u_other'] }],
        ['POST', `/admin/updates/u_other/merge`, { duplicates: [long] }],
        ['GET', `/admin/inbound/${long}`],
      ] as const) {
        const res = await stack.admin(path, {
          method,
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        expect([method, path.slice(0, 30), res.status]).toEqual([method, path.slice(0, 30), 400]);
      }
    });

    it('requires admin credentials', async () => {
      const res = await fetch(`${stack.urls.api}/admin/members`);
      expect(res.status).toBe(401);
    });
  });

  describe('moderation', () => {
    it('lists pending and quarantined updates, shows one, approves it with edits and records who did what', async () => {
      const id = await ingest('Re: [GreenBuy] our news');
      const quarantined = (await stack.app.ingest.receiveRaw(
        mail({ subject: 'Suspicious' }),
        { from: 'news@greenbuy.example', to: [] },
        'spam',
      )) as IngestResult;
      expect(quarantined.outcome).toBe('quarantined');
      const review = await call<{ updates: Update[] }>('GET', '/admin/updates');
      expect(review.updates.map((u) => u.status)).toContain('quarantined');
      expect(review.updates.map((u) => u.updateId)).toEqual(
        expect.arrayContaining([id, quarantined.updateId]),
      );

      const shown = await call<Update>('GET', `/admin/updates/${id}`);
      expect(shown).toMatchObject({ title: 'our news', status: 'pending', section: 'news' });

      const approved = await call<Update>('POST', `/admin/updates/${id}/approve`, {
        title: 'Our big news',
        kind: 'publication',
      });
      expect(approved).toMatchObject({
        status: 'approved',
        title: 'Our big news',
        kind: 'publication',
        section: 'publications',
      });
      expect(approved.audit.slice(1).map((a) => [a.actor, a.action, a.note])).toEqual([
        ['local-admin', 'edited', 'changed title, kind, section'],
        ['local-admin', 'approved', undefined],
      ]);
      expect(
        (await call<{ updates: Update[] }>('GET', '/admin/updates?status=approved')).updates.map(
          (u) => u.updateId,
        ),
      ).toContain(id);
      await call('POST', `/admin/updates/${id}/approve`, { status: 'approved' }, 400);
    });

    it('rejects with a required reason', async () => {
      const id = await ingest('Not for the newsletter');
      await call('POST', `/admin/updates/${id}/reject`, {}, 400);
      const r = await call<Update>('POST', `/admin/updates/${id}/reject`, {
        reason: 'internal announcement',
      });
      expect(r).toMatchObject({ status: 'rejected', reason: 'internal announcement' });
      expect(r.audit.at(-1)).toMatchObject({
        action: 'rejected',
        actor: 'local-admin',
        note: 'internal announcement',
      });
    });

    it('merges duplicates: they point at the target, which gains their links', async () => {
      const target = await ingest('Forum 2026', 'Forum. Link: https://a.example/forum');
      const dup = await ingest('Forum 2026 (again)', 'Forum again. Link: https://b.example/forum');
      const merged = await call<Update>('POST', `/admin/updates/${target}/merge`, { duplicates: [dup] });
      expect(merged.links.map((l) => l.url)).toEqual(['https://a.example/forum', 'https://b.example/forum']);
      expect(merged.audit.at(-1)).toMatchObject({ action: 'merged', note: `merged ${dup}` });
      expect(await call<Update>('GET', `/admin/updates/${dup}`)).toMatchObject({
        status: 'merged',
        mergedInto: target,
      });
      // Merged updates are final.
      await call('POST', `/admin/updates/${dup}/approve`, {}, 409);
      await call('POST', `/admin/updates/${target}/merge`, { duplicates: [target] }, 400);
    });

    it('detects a concurrent moderation write instead of losing it', async () => {
      const id = await ingest('Race');
      const u = await stack.app.inbound.moderation.get(id);
      await stack.app.inbound.moderation.approve(id, { title: 'First' }, 'alice');
      // A write based on the stale copy must fail.
      const { DynamoUpdateRepo } = await import('../../../src/adapters/dynamodb/update-repo.ts');
      await expect(new DynamoUpdateRepo(stack.infra.table).save({ ...u, title: 'stale' }, u)).rejects.toThrow(
        /changed meanwhile/,
      );
    });

    it('gives the editions area approved updates of a window and marks them published once', async () => {
      const id = await ingest('For the edition');
      await call('POST', `/admin/updates/${id}/approve`, {});
      const now = Date.now();
      const inWindow = await stack.app.inbound.listApprovedInWindow(
        new Date(now - 60_000),
        new Date(now + 60_000),
      );
      expect(inWindow.map((u) => u.updateId)).toContain(id);
      expect(inWindow.every((u) => u.status === 'approved')).toBe(true);
      const later = await stack.app.inbound.listApprovedInWindow(
        new Date(now + 60_000),
        new Date(now + 120_000),
      );
      expect(later.map((u) => u.updateId)).not.toContain(id);

      const published = await stack.app.inbound.markPublished(id, 7, 'system:editions');
      expect(published).toMatchObject({ status: 'published', editionNumber: 7 });
      expect(published.audit.at(-1)).toMatchObject({ action: 'published', note: 'edition 7' });
      await expect(stack.app.inbound.markPublished(id, 7, 'system:editions')).resolves.toMatchObject({
        editionNumber: 7,
      });
      await expect(stack.app.inbound.markPublished(id, 8, 'system:editions')).rejects.toThrow(
        /published \(edition 7\)/,
      );
      expect(
        (await stack.app.inbound.listApprovedInWindow(new Date(now - 60_000), new Date(now + 60_000))).map(
          (u) => u.updateId,
        ),
      ).not.toContain(id);
    });
  });
});
