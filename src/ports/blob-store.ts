/** One bucket. Gazette has three: raw inbound mail, content (attachments, edition HTML), public archive. */
export interface BlobStore {
  readonly bucket: string;
  put(
    key: string,
    body: string | Uint8Array,
    contentType: string,
    opts?: { cacheControl?: string },
  ): Promise<void>;
  get(key: string): Promise<Uint8Array>;
  getText(key: string): Promise<string>;
  exists(key: string): Promise<boolean>;
  list(prefix: string): Promise<string[]>;
  delete(key: string): Promise<void>;
}

export interface BlobStores {
  raw: BlobStore;
  content: BlobStore;
  archive: BlobStore;
}
