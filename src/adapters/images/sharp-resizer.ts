/**
 * Member photos at e-mail widths with sharp (libvips): rotated as the camera meant, metadata stripped,
 * JPEG for photos and PNG where the source has transparency. Only the edition compiler loads it.
 */
import type { ImageResizer, ResizedImage } from '../../ports/images.ts';

export async function createSharpResizer(): Promise<ImageResizer> {
  const { default: sharp } = await import('sharp');
  return {
    async resize(input, widths) {
      // limitInputPixels guards against decompression bombs (a tiny file that decodes to gigapixels).
      const meta = await sharp(input, { limitInputPixels: 80_000_000 }).metadata();
      const rotated = (meta.orientation ?? 1) >= 5;
      const width = (rotated ? meta.height : meta.width) ?? 0;
      const height = (rotated ? meta.width : meta.height) ?? 0;
      if (!width || !height) throw new Error('not an image');
      const alpha = Boolean(meta.hasAlpha) && meta.format !== 'jpeg';
      const copies: ResizedImage[] = [];
      for (const w of widths) {
        if (w > width) continue;
        const pipeline = sharp(input, { limitInputPixels: 80_000_000 }).rotate().resize({ width: w });
        const out = alpha
          ? await pipeline.png({ compressionLevel: 9, palette: true }).toBuffer({ resolveWithObject: true })
          : await pipeline
              .flatten({ background: '#ffffff' })
              .jpeg({ quality: 80, mozjpeg: true, progressive: true })
              .toBuffer({ resolveWithObject: true });
        copies.push({
          width: out.info.width,
          height: out.info.height,
          body: new Uint8Array(out.data),
          contentType: alpha ? 'image/png' : 'image/jpeg',
          ext: alpha ? 'png' : 'jpg',
        });
      }
      return { original: { width, height }, copies };
    },
  };
}
