/**
 * Publishable attachments of an edition's items, made reachable by readers: photos resized to e-mail
 * widths (600 px, and 1200 px for retina screens), documents copied as they are, all under `media/` in
 * the content bucket (the only prefix CloudFront serves; drafts and raw mail stay private). Keys derive
 * from the stored file's key, so a recompile reuses what an earlier one made and URLs never change.
 */
import type { Update } from '../../domain/index.ts';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { ImageResizer } from '../../ports/images.ts';
import type { Logger } from '../../ports/logger.ts';
import type { MediaMap } from './view-model.ts';

export const MEDIA_PREFIX = 'media/';
/** Narrower than this is a signature logo or an icon, not a photo for the newsletter. */
const MIN_IMAGE_WIDTH = 300;
const WIDTHS = [600, 1200] as const;
const IMMUTABLE = 'public, max-age=31536000, immutable';

const IMAGE_TYPES = /^image\/(jpeg|png|webp|gif|avif|tiff|heic|heif)$/i;

/** Stored beside the copies (keys, not URLs: the public base may move). */
interface ImageManifest {
  src: string;
  src2x: string | null;
  width: number;
  height: number;
}

export interface MediaDeps {
  content: BlobStore;
  images?: () => Promise<ImageResizer>;
  /** Public base URL of `media/` (/media on the embedded runtime); undefined: nothing is published. */
  mediaUrl: string | undefined;
  logger: Logger;
}

/** Where a stored attachment is published: media/<updateId>/<file name>. */
export function mediaKeyOf(updateId: string, storedKey: string): string {
  const name = storedKey.split('/').pop() ?? 'file';
  return `${MEDIA_PREFIX}${updateId}/${name}`;
}

export function mediaUrlOf(base: string, key: string): string {
  const rel = key.slice(MEDIA_PREFIX.length).split('/').map(encodeURIComponent).join('/');
  return `${base.replace(/\/$/, '')}/${rel}`;
}

export async function prepareMedia(updates: Update[], deps: MediaDeps): Promise<MediaMap> {
  const media: MediaMap = new Map();
  const { mediaUrl } = deps;
  if (mediaUrl === undefined) {
    if (updates.some((u) => u.attachments.some((f) => f.publishable)))
      deps.logger.warn('attachments left out of the edition: no GAZETTE_MEDIA_URL serves them here');
    return media;
  }
  const d = { ...deps, mediaUrl };
  let resizer: Promise<ImageResizer> | undefined;
  /** Set once the image library failed to load (a bundle without sharp's native binary). */
  let unavailable = false;
  const copyAsFile = async (key: string, f: Update['attachments'][number]) => {
    if (!(await d.content.exists(key)))
      await d.content.put(key, await d.content.get(f.key), f.contentType, { cacheControl: IMMUTABLE });
    media.set(f.key, { kind: 'file', url: mediaUrlOf(d.mediaUrl, key) });
  };
  for (const u of updates)
    for (const f of u.attachments) {
      if (!f.publishable) continue;
      const key = mediaKeyOf(u.updateId, f.key);
      try {
        if (IMAGE_TYPES.test(f.contentType) && !unavailable) {
          const load = d.images;
          if (!load) continue; // no image library in this runtime: images stay out rather than full-size
          // Loaded only when a photo has no copies yet: a recompile reads the manifests.
          const loadOnce = () => {
            resizer ??= load();
            return resizer.catch((e: unknown) => {
              throw new ImageLibraryUnavailable(e);
            });
          };
          const image = await prepareImage(key, f.key, loadOnce, d);
          if (image) media.set(f.key, { kind: 'image', ...image });
        } else await copyAsFile(key, f);
      } catch (e) {
        let error = e;
        if (e instanceof ImageLibraryUnavailable) {
          // The edition still goes out: this photo and the rest are linked at their own size instead.
          unavailable = true;
          d.logger.warn('image library unavailable: photos are linked as files at their original size', {
            error: e.message,
          });
          error = await copyAsFile(key, f).then(
            () => undefined,
            (copyError: unknown) => copyError,
          );
          if (error === undefined) continue;
        }
        // One unreadable photo must not stop the edition: it is left out and logged for the secretariat.
        d.logger.warn('attachment left out of the edition', {
          updateId: u.updateId,
          file: f.filename,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  return media;
}

async function prepareImage(
  key: string,
  source: string,
  resizerOf: () => Promise<ImageResizer>,
  d: MediaDeps & { mediaUrl: string },
): Promise<ImageManifest | undefined> {
  const manifestKey = `${key}.json`;
  if (await d.content.exists(manifestKey)) {
    const m = JSON.parse(await d.content.getText(manifestKey)) as ImageManifest | { skipped: string };
    return 'skipped' in m ? undefined : withUrls(m, d.mediaUrl);
  }
  const input = await d.content.get(source);
  const resizer = await resizerOf();
  let { original, copies } = await resizer.resize(input, [...WIDTHS]);
  if (original.width < MIN_IMAGE_WIDTH) {
    await d.content.put(
      manifestKey,
      JSON.stringify({ skipped: `${original.width} px wide` }),
      'application/json',
    );
    return undefined;
  }
  // A photo narrower than 600 px is shown at its own width (never enlarged).
  if (!copies.length) ({ copies } = await resizer.resize(input, [original.width]));
  const [one, two] = copies;
  if (!one) return undefined;
  const stem = key.replace(/\.[A-Za-z0-9]{1,8}$/, '');
  const put = async (c: typeof one) => {
    const k = `${stem}-${c.width}.${c.ext}`;
    await d.content.put(k, c.body, c.contentType, { cacheControl: IMMUTABLE });
    return k;
  };
  const manifest: ImageManifest = {
    src: await put(one),
    src2x: two ? await put(two) : null,
    width: one.width,
    height: one.height,
  };
  await d.content.put(manifestKey, JSON.stringify(manifest), 'application/json');
  return withUrls(manifest, d.mediaUrl);
}

/** The resizer could not be loaded at all (as opposed to one photo it could not read). */
class ImageLibraryUnavailable extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const withUrls = (m: ImageManifest, base: string): ImageManifest => ({
  ...m,
  src: mediaUrlOf(base, m.src),
  src2x: m.src2x ? mediaUrlOf(base, m.src2x) : null,
});
