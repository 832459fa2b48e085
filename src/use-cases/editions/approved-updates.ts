import { isDomainError } from '../../domain/index.ts';
import type { ApprovedUpdates } from '../../ports/editions.ts';
import type { UpdateRepo } from '../../ports/inbound.ts';
import type { Logger } from '../../ports/logger.ts';

/**
 * The inbound area's update repository, seen through the narrow port the edition compiler needs.
 * Publishing is tolerant: an update rejected or merged after the edition was compiled went out with it all
 * the same, so it is logged and skipped, never allowed to block the archive (which the send engine retries).
 */
export function approvedUpdatesFrom(
  repo: Pick<UpdateRepo, 'listApprovedInWindow' | 'markPublished'>,
  logger: Logger,
): ApprovedUpdates {
  return {
    listApprovedInWindow: (start, end) => repo.listApprovedInWindow(start, end),
    async markPublished(updateIds, editionNumber, at) {
      for (const id of updateIds) {
        try {
          await repo.markPublished(id, editionNumber, at, 'system:editions');
        } catch (e) {
          if (!isDomainError(e) || (e.code !== 'invalid_state' && e.code !== 'not_found')) throw e;
          logger.warn('update not marked published', { updateId: id, editionNumber, reason: e.message });
        }
      }
    },
  };
}
