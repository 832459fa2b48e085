/**
 * Structured JSON logs (CloudWatch on AWS, the console locally), implemented over Powertools Logger in
 * src/adapters/powertools/logger.ts; `child` carries correlation ids (campaign, messageId, updateId, …).
 */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
