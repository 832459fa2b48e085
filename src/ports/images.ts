/** Resizes member photos to e-mail widths (the sharp adapter: src/adapters/images/sharp-resizer.ts). */
export interface ResizedImage {
  width: number;
  height: number;
  body: Uint8Array;
  contentType: string;
  /** File extension for the key: "jpg", "png", "webp". */
  ext: string;
}

export interface ImageResizer {
  /**
   * One copy per width (never enlarged: a width above the original yields nothing), orientation applied,
   * metadata (GPS, camera) stripped. `original` is the source's own size. Throws on a file that is not an image.
   */
  resize(
    input: Uint8Array,
    widths: number[],
  ): Promise<{ original: { width: number; height: number }; copies: ResizedImage[] }>;
}
