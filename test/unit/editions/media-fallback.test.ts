import { describe, expect, it } from 'vitest';
import type { BlobStore } from '../../../src/ports/blob-store.ts';
import type { Logger } from '../../../src/ports/logger.ts';
import { prepareMedia } from '../../../src/use-cases/editions/media.ts';
import { buildView, planSections } from '../../../src/use-cases/editions/view-model.ts';
import { anUpdate } from './fixtures.ts';

function memoryBlobs() {
  const m = new Map<string, { body: Uint8Array; type: string }>();
  const store: BlobStore = {
    bucket: 'content',
    put: async (k, b, type) => {
      m.set(k, { body: typeof b === 'string' ? Buffer.from(b) : b, type });
    },
    get: async (k) => {
      const v = m.get(k);
      if (!v) throw new Error(`no ${k}`);
      return v.body;
    },
    getText: async (k) => Buffer.from((await store.get(k)) as Uint8Array).toString('utf8'),
    exists: async (k) => m.has(k),
    list: async (p) => [...m.keys()].filter((k) => k.startsWith(p)),
    delete: async (k) => {
      m.delete(k);
    },
  };
  return { store, m };
}

function recordingLogger() {
  const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn(msg: string, fields?: Record<string, unknown>) {
      warnings.push({ msg, fields });
    },
    error() {},
    child: () => logger,
  } as unknown as Logger;
  return { logger, warnings };
}

const file = (name: string, contentType: string, size: number) => ({
  key: `attachments/u1/${name}`,
  filename: name,
  contentType,
  size,
  inline: false,
  publishable: true,
});

describe('an edition whose runtime cannot load the image library', () => {
  it('links every photo at its original size as a file, warns once, and still publishes the PDF', async () => {
    const { store, m } = memoryBlobs();
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    await store.put('attachments/u1/01-forum.jpg', jpeg, 'image/jpeg');
    await store.put('attachments/u1/02-panel.png', new Uint8Array([0x89, 0x50, 0x4e, 0x47]), 'image/png');
    await store.put('attachments/u1/03-guide.pdf', Buffer.from('%PDF-1.7 guide'), 'application/pdf');
    const u = anUpdate({
      updateId: 'u1',
      title: 'Forum photos',
      attachments: [
        file('01-forum.jpg', 'image/jpeg', 900_000),
        file('02-panel.png', 'image/png', 450_000),
        file('03-guide.pdf', 'application/pdf', 2_400_000),
      ],
    });
    let loads = 0;
    const { logger, warnings } = recordingLogger();
    const media = await prepareMedia([u], {
      content: store,
      // What `import('sharp')` throws in a bundle without the linux-arm64 binary.
      images: () => {
        loads++;
        return Promise.reject(new Error('Could not load the "sharp" module using the linux-arm64 runtime'));
      },
      mediaUrl: 'https://media.igpn.example/media',
      logger,
    });

    expect(loads).toBe(1);
    expect(warnings.map((w) => w.msg)).toEqual([
      'image library unavailable: photos are linked as files at their original size',
    ]);
    expect(m.get('media/u1/01-forum.jpg')?.body).toEqual(jpeg);
    expect(m.get('media/u1/02-panel.png')?.type).toBe('image/png');
    expect([...media.values()]).toEqual([
      { kind: 'file', url: 'https://media.igpn.example/media/u1/01-forum.jpg' },
      { kind: 'file', url: 'https://media.igpn.example/media/u1/02-panel.png' },
      { kind: 'file', url: 'https://media.igpn.example/media/u1/03-guide.pdf' },
    ]);
    const item = buildView(planSections([u], new Date('2026-04-01T00:00:00Z')), {
      lang: 'en',
      archive: false,
      number: 8,
      compiledAt: new Date('2026-04-01T00:00:00Z'),
      timeZone: 'Asia/Shanghai',
      newsletterName: 'IGPN Gazette',
      archiveUrl: 'https://news.example.org/archive',
      postalAddress: 'IGPN Secretariat, Beijing',
      defaultLanguage: 'en',
      media,
    }).sections[0]?.items[0];
    expect(item?.images).toEqual([]);
    expect(item?.files.map((f) => `${f.label} (${f.type}, ${f.size})`)).toEqual([
      'forum.jpg (JPG, 879 KB)',
      'panel.png (PNG, 439 KB)',
      'guide.pdf (PDF, 2.3 MB)',
    ]);
  });
});
