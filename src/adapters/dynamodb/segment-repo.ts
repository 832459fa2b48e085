import { Segment } from '../../domain/index.ts';
import type { SegmentRepo } from '../../ports/segments.ts';
import { keys, TABLE_KEYS } from './keys.ts';
import { ConditionFailed, type Item, type Table } from './table.ts';

const toItem = (s: Segment) => ({
  ...keys.segment(s.segmentId),
  type: 'segment',
  gsi1pk: 'SEGMENTS',
  gsi1sk: s.segmentId,
  ...s,
});

/** Saved audiences in the single table (one item each; listed through gsi1 `SEGMENTS`). */
export class DynamoSegmentRepo implements SegmentRepo {
  constructor(private readonly table: Table) {}

  async get(segmentId: string): Promise<Segment | undefined> {
    const item = await this.table.get(keys.segment(segmentId));
    return item ? Segment.parse(item) : undefined;
  }

  async list(): Promise<Segment[]> {
    const items = await this.table.queryAll<Item>({
      IndexName: TABLE_KEYS.gsi1.name,
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'SEGMENTS' },
    });
    return items.map((i) => Segment.parse(i));
  }

  create(s: Segment): Promise<boolean> {
    return this.table.putNew(toItem(Segment.parse(s)));
  }

  async replace(s: Segment, expectedVersion: number): Promise<boolean> {
    try {
      await this.table.put(toItem(Segment.parse(s)), {
        ConditionExpression: 'version = :v',
        ExpressionAttributeValues: { ':v': expectedVersion },
      });
      return true;
    } catch (e) {
      if (e instanceof ConditionFailed) return false;
      throw e;
    }
  }

  async delete(segmentId: string): Promise<void> {
    await this.table.delete(keys.segment(segmentId));
  }
}
