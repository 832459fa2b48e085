/**
 * The Logger port over Powertools for AWS Lambda's Logger, in the Lambdas and the embedded runtime alike.
 * The JSON lines keep the fields the hand-written logger had (`level` in lower case, `time`, `msg`), so
 * the CloudWatch metric filter on `$.level = "error"` (infra/stateless-stack.ts) and anyone reading the
 * logs see no change; correlation ids (campaign, messageId, updateId, …) are persistent keys of child
 * loggers. On Lambda, Powertools adds `xray_trace_id` and honours AWS_LAMBDA_LOG_LEVEL (log controls).
 */
import { LogFormatter, LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type {
  ConstructorOptions,
  LogAttributes,
  UnformattedAttributes,
} from '@aws-lambda-powertools/logger/types';
import type { Logger } from '../../ports/logger.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL = { debug: 'DEBUG', info: 'INFO', warn: 'WARN', error: 'ERROR' } as const;

/** level, time, msg first (a person reads the embedded runtime's console), then the keys. */
class GazetteLogFormatter extends LogFormatter {
  override formatAttributes(a: UnformattedAttributes, extra: LogAttributes): LogItem {
    return new LogItem({
      attributes: {
        level: a.logLevel.toLowerCase(),
        time: this.formatTimestamp(a.timestamp),
        msg: a.message,
        service: a.serviceName,
        xray_trace_id: a.xRayTraceId,
      },
    }).addAttributes(extra);
  }
}

/**
 * Powertools prints through its own Console over stdout/stderr; `write` (tests, and the bench that counts
 * CloudWatch ingest bytes) receives each JSON line instead, children included.
 */
class SinkLogger extends PowertoolsLogger {
  private sink: ((line: string) => void) | undefined;

  constructor(options: ConstructorOptions, sink?: (line: string) => void) {
    super(options);
    this.sink = sink;
  }

  protected override printLog(logLevel: number, log: LogItem): void {
    if (!this.sink) {
      super.printLog(logLevel, log);
      return;
    }
    log.prepareForPrint();
    this.sink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }

  protected override createLogger(options?: ConstructorOptions): PowertoolsLogger {
    return new SinkLogger(options ?? {}, this.sink);
  }
}

/** Wraps one Powertools Logger; `child` is Powertools' createChild plus persistent keys. */
function fromPowertools(pt: PowertoolsLogger): Logger {
  return {
    debug: (msg, fields) => pt.debug(msg, fields ?? {}),
    info: (msg, fields) => pt.info(msg, fields ?? {}),
    warn: (msg, fields) => pt.warn(msg, fields ?? {}),
    error: (msg, fields) => pt.error(msg, fields ?? {}),
    child: (fields) => fromPowertools(pt.createChild({ persistentKeys: fields })),
  };
}

export function powertoolsLogger(
  opts: {
    service?: string;
    level?: LogLevel;
    /** Keys on every line (e.g. `fn` on Lambda, `runtime` locally). */
    keys?: Record<string, unknown>;
    write?: (line: string) => void;
  } = {},
): Logger {
  return fromPowertools(
    new SinkLogger(
      {
        serviceName: opts.service ?? 'gazette',
        logLevel: LEVEL[opts.level ?? 'info'],
        logFormatter: new GazetteLogFormatter(),
        persistentKeys: opts.keys ?? {},
      },
      opts.write,
    ),
  );
}
