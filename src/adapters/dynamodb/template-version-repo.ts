import { TemplateVersion } from '../../domain/template-set.ts';
import type { TemplateVersionRepo } from '../../ports/templates.ts';
import { pad } from './keys.ts';
import type { Item, Table } from './table.ts';

/**
 * Saved edition-template versions, one item each in one partition (`TEMPLATES` / `VERSION#<6 digits>`; not
 * yet in keys.ts, which another area owns). The version number is claimed with a conditional put, so two
 * saves made on the same version cannot both land: the second is told, and nothing is overwritten.
 */
const PK = 'TEMPLATES';
const key = (version: number) => ({ pk: PK, sk: `VERSION#${pad(version)}` });
const parse = (i: Item) => TemplateVersion.parse(i);

export class DynamoTemplateVersionRepo implements TemplateVersionRepo {
  constructor(private readonly table: Table) {}

  async latest(): Promise<TemplateVersion | undefined> {
    // Newest first, one item: the first page answers (queryAll would walk every version a page at a time).
    for await (const page of this.table.queryPages<Item>({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':p': PK, ':v': 'VERSION#' },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    })) {
      const item = page[0];
      return item ? parse(item) : undefined;
    }
    return undefined;
  }

  async get(version: number): Promise<TemplateVersion | undefined> {
    const item = await this.table.get(key(version));
    return item ? parse(item) : undefined;
  }

  async list(): Promise<TemplateVersion[]> {
    const items = await this.table.queryAll<Item>({
      KeyConditionExpression: 'pk = :p AND begins_with(sk, :v)',
      ExpressionAttributeValues: { ':p': PK, ':v': 'VERSION#' },
      ConsistentRead: true,
    });
    return items.map(parse);
  }

  claim(v: TemplateVersion): Promise<boolean> {
    return this.table.putNew({ ...key(v.version), type: 'templateVersion', ...TemplateVersion.parse(v) });
  }
}
