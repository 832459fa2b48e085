/**
 * One system-layout source per Infra (one per Lambda container or embedded runtime): every area that sends
 * system mail asks the same cache, so a container reads the template store at most once a minute.
 */
import { DynamoTemplateVersionRepo } from '../adapters/dynamodb/template-version-repo.ts';
import { makeSystemLayoutSource, type SystemLayoutSource } from '../use-cases/shared/system-layout-source.ts';
import type { Infra } from './infra.ts';

const sources = new WeakMap<Infra, SystemLayoutSource>();

export function systemLayoutOf(infra: Infra): SystemLayoutSource {
  let source = sources.get(infra);
  if (!source) {
    const versions = new DynamoTemplateVersionRepo(infra.table);
    source = makeSystemLayoutSource({
      latest: () => versions.latest(),
      clock: infra.clock,
      logger: infra.logger.child({ area: 'templates' }),
    });
    sources.set(infra, source);
  }
  return source;
}
