import type { Route } from '../http/types.ts';
import type { Infra } from './infra.ts';
import type { JobHandlers } from './jobs.ts';

/** Members registry, inbound ingest, moderation (issue: member updates by email). */
export function composeInbound(_infra: Infra) {
  const routes: Route[] = [];
  const jobs: JobHandlers = {};
  /** The embedded SMTP server hands every accepted message here (stored raw, then the SES-shaped path). */
  const receiveSmtp = async (_raw: Buffer, _envelope: { from: string; to: string[] }): Promise<void> => {};
  return { jobs, routes, receiveSmtp };
}
export type InboundApp = ReturnType<typeof composeInbound>;
