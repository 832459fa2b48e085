import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { createSharpResizer } from '../../../src/adapters/images/sharp-resizer.ts';
import type { BlobStore } from '../../../src/ports/blob-store.ts';
import { prepareMedia } from '../../../src/use-cases/editions/media.ts';
import { buildView, planSections } from '../../../src/use-cases/editions/view-model.ts';
import { anUpdate } from './fixtures.ts';

function memoryBlobs() {
  const m = new Map<string, { body: Uint8Array; type: string; cacheControl?: string }>();
  const store: BlobStore = {
    bucket: 'content',
    put: async (k, b, type, o) => {
      m.set(k, { body: typeof b === 'string' ? Buffer.from(b) : b, type, cacheControl: o?.cacheControl });
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

const logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return logger;
  },
} as never;
const photo = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#3a7d44' } })
    .jpeg()
    .toBuffer();

describe('attachments reach readers', () => {
  it('resizes a photo to 600 and 1200 px under media/, lists a PDF with type and size, reuses both on a recompile', async () => {
    const { store, m } = memoryBlobs();
    await store.put('attachments/u1/01-forum.jpg', new Uint8Array(await photo(2400, 1600)), 'image/jpeg');
    await store.put('attachments/u1/02-guide.pdf', Buffer.from('%PDF-1.7 guide'), 'application/pdf');
    await store.put('attachments/u1/03-logo.png', new Uint8Array(await photo(120, 40)), 'image/png');
    const u = anUpdate({
      updateId: 'u1',
      title: 'Forum photos',
      attachments: [
        {
          key: 'attachments/u1/01-forum.jpg',
          filename: '01-forum.jpg',
          contentType: 'image/jpeg',
          size: 900_000,
          inline: false,
          publishable: true,
        },
        {
          key: 'attachments/u1/02-guide.pdf',
          filename: '02-guide.pdf',
          contentType: 'application/pdf',
          size: 2_400_000,
          inline: false,
          publishable: true,
        },
        {
          key: 'attachments/u1/03-logo.png',
          filename: '03-logo.png',
          contentType: 'image/png',
          size: 2_000,
          inline: true,
          publishable: true,
        },
        {
          key: 'attachments/u1/04-run.exe',
          filename: '04-run.exe',
          contentType: 'application/x-msdownload',
          size: 10,
          inline: false,
          publishable: false,
        },
      ],
    });
    const deps = {
      content: store,
      images: createSharpResizer,
      mediaUrl: 'https://media.igpn.example/',
      logger,
    };
    const media = await prepareMedia([u], deps);

    const small = await sharp(Buffer.from(await store.get('media/u1/01-forum-600.jpg'))).metadata();
    const large = await sharp(Buffer.from(await store.get('media/u1/01-forum-1200.jpg'))).metadata();
    expect([small.width, small.height, large.width]).toEqual([600, 400, 1200]);
    expect(m.get('media/u1/01-forum-600.jpg')?.cacheControl).toContain('immutable');
    expect(m.get('media/u1/02-guide.pdf')?.type).toBe('application/pdf');
    // A signature logo (under 300 px) and an unpublishable file stay out.
    expect([...m.keys()].filter((k) => k.startsWith('media/u1/03-logo-') || k.includes('04-run'))).toEqual(
      [],
    );

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
    expect(item?.images).toEqual([
      {
        src: 'https://media.igpn.example/u1/01-forum-600.jpg',
        srcset:
          'https://media.igpn.example/u1/01-forum-600.jpg 600w, https://media.igpn.example/u1/01-forum-1200.jpg 1200w',
        alt: 'Forum photos',
        width: 600,
        height: 400,
      },
    ]);
    expect(item?.files).toEqual([
      { url: 'https://media.igpn.example/u1/02-guide.pdf', label: 'guide.pdf', type: 'PDF', size: '2.3 MB' },
    ]);

    // A recompile reads the manifests: the library is not even loaded, the URLs are the same.
    const again = await prepareMedia([u], {
      ...deps,
      images: () => Promise.reject(new Error('resized twice')),
    });
    expect([...again.entries()]).toEqual([...media.entries()]);
  }, 30_000);

  it('leaves an unreadable photo out of the edition instead of failing the compile', async () => {
    const { store } = memoryBlobs();
    await store.put('attachments/u2/01-broken.jpg', Buffer.from('not a jpeg'), 'image/jpeg');
    const u = anUpdate({
      updateId: 'u2',
      attachments: [
        {
          key: 'attachments/u2/01-broken.jpg',
          filename: '01-broken.jpg',
          contentType: 'image/jpeg',
          size: 10,
          inline: false,
          publishable: true,
        },
      ],
    });
    const media = await prepareMedia([u], {
      content: store,
      images: createSharpResizer,
      mediaUrl: 'https://m.example',
      logger,
    });
    expect(media.size).toBe(0);
  });

  it('leaves attachments out when no media URL serves them (AWS without GAZETTE_MEDIA_URL), saying so', async () => {
    const { store, m } = memoryBlobs();
    await store.put('attachments/u3/01-forum.jpg', new Uint8Array(await photo(1600, 1000)), 'image/jpeg');
    const u = anUpdate({
      updateId: 'u3',
      attachments: [
        {
          key: 'attachments/u3/01-forum.jpg',
          filename: '01-forum.jpg',
          contentType: 'image/jpeg',
          size: 90_000,
          inline: false,
          publishable: true,
        },
      ],
    });
    const warnings: string[] = [];
    const media = await prepareMedia([u], {
      content: store,
      images: () => Promise.reject(new Error('resized although nothing serves media/')),
      mediaUrl: undefined,
      logger: {
        debug() {},
        info() {},
        warn: (msg: string) => warnings.push(msg),
        error() {},
      } as never,
    });
    expect(media.size).toBe(0);
    expect([...m.keys()].filter((k) => k.startsWith('media/'))).toEqual([]);
    expect(warnings.join('\n')).toMatch(/GAZETTE_MEDIA_URL/);
  });
});
