import { describe, expect, it } from 'vitest';
import { InvalidStateError } from '../../../src/domain/errors.ts';
import { silentLogger } from '../../../src/ports/logger.ts';
import { approvedUpdatesFrom } from '../../../src/use-cases/editions/approved-updates.ts';

describe('approved updates as the editions port', () => {
  const repo = (fail: Record<string, Error>) => {
    const published: string[] = [];
    return {
      published,
      listApprovedInWindow: async () => [],
      markPublished: async (id: string) => {
        const e = fail[id];
        if (e) throw e;
        published.push(id);
        return {} as never;
      },
    };
  };

  it('publishes the others when one update was rejected after the edition was compiled', async () => {
    const r = repo({ u2: new InvalidStateError('update u2 is rejected') });
    await approvedUpdatesFrom(r, silentLogger).markPublished(['u1', 'u2', 'u3'], 8, new Date());
    expect(r.published).toEqual(['u1', 'u3']);
  });

  it('lets infrastructure failures through so the archive step is retried', async () => {
    const r = repo({ u1: new Error('ProvisionedThroughputExceededException') });
    await expect(approvedUpdatesFrom(r, silentLogger).markPublished(['u1'], 8, new Date())).rejects.toThrow(
      /Throughput/,
    );
  });
});
