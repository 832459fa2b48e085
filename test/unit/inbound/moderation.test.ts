import { describe, expect, it } from 'vitest';
import { ConflictError, Update } from '../../../src/domain/index.ts';
import { systemClock } from '../../../src/ports/clock.ts';
import { makeModeration } from '../../../src/use-cases/inbound/moderation.ts';
import { MemoryUpdates } from './fakes.ts';

const update = (updateId: string, url: string): Update =>
  Update.parse({
    updateId,
    messageId: `m-${updateId}`,
    memberId: 'mem-1',
    organisation: 'Org',
    sender: 'news@org.example',
    receivedAt: '2026-01-10T10:00:00.000Z',
    status: 'pending',
    title: `Forum ${updateId}`,
    summary: '',
    bodyHtml: '<p>x</p>',
    bodyText: 'x',
    kind: 'news',
    section: 'news',
    links: [{ url }],
    rawKey: `inbound/m-${updateId}`,
    audit: [{ at: '2026-01-10T10:00:00.000Z', actor: 'system:ingest', action: 'received' }],
  });

describe('moderation merge', () => {
  it('a retry after a failed merge still folds the duplicates into the target', async () => {
    const updates = new MemoryUpdates();
    await updates.create(update('t', 'https://a.example/forum'));
    await updates.create(update('d', 'https://b.example/forum'));
    const moderation = makeModeration({ updates, clock: systemClock });
    // The duplicate is marked merged, then the target's write loses a race.
    const save = updates.save.bind(updates);
    let failTarget = true;
    updates.save = async (next, prev) => {
      if (next.updateId === 't' && failTarget) {
        failTarget = false;
        throw new ConflictError('changed');
      }
      return save(next, prev);
    };
    await expect(moderation.merge('t', ['d'], 'alice')).rejects.toThrow(ConflictError);
    const merged = await moderation.merge('t', ['d'], 'alice');
    expect(merged.links.map((l) => l.url)).toEqual(['https://a.example/forum', 'https://b.example/forum']);
    expect((await updates.get('t'))?.links).toHaveLength(2);
    expect(merged.audit.at(-1)).toMatchObject({ action: 'merged', note: 'merged d' });
    expect((await updates.get('d'))?.status).toBe('merged');
    // Nothing left to do: a further call changes nothing.
    const again = await moderation.merge('t', ['d'], 'alice');
    expect(again.audit).toHaveLength(merged.audit.length);
  });
});
