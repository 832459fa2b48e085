import { EPHEMERAL_PORTS, LocalConfigSchema, loadConfig } from '../src/config/config.ts';
import { silentLogger } from '../src/ports/logger.ts';
import { type LocalStackOptions, startLocalStack } from '../src/runtimes/local/stack.ts';

/** The embedded runtime's configuration for a benchmark: ephemeral ports, fixed bench secrets. */
export function benchConfig() {
  return loadConfig(LocalConfigSchema, {
    ...EPHEMERAL_PORTS,
    GAZETTE_ADMIN_TOKEN: 'bench-admin-token-0123456789',
    GAZETTE_TOKEN_SECRET: 'bench-token-secret-0123456789abcdef0123456789',
  });
}

/** The embedded stack for a benchmark: ephemeral ports, state in memory, no scheduler loop unless asked. */
export function startBenchStack(opts: Partial<Omit<LocalStackOptions, 'config'>> = {}) {
  const config = benchConfig();
  return startLocalStack({ persist: false, logger: silentLogger, schedulerLoop: false, ...opts, config });
}
