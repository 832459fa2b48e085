import type { Segment } from '../domain/index.ts';

/** Saved audiences (DynamoDB adapter: src/adapters/dynamodb/segment-repo.ts). */
export interface SegmentRepo {
  get(segmentId: string): Promise<Segment | undefined>;
  /** Every saved segment, by id (a registry of tens, read whole). */
  list(): Promise<Segment[]>;
  /** false when the id is taken. */
  create(s: Segment): Promise<boolean>;
  /** Replace only if the stored version is `expectedVersion`; false when someone else changed it first. */
  replace(s: Segment, expectedVersion: number): Promise<boolean>;
  delete(segmentId: string): Promise<void>;
}
