import { pino, type Logger } from 'pino';
import { errUsage } from './errors.ts';

export type { Logger };

/** The library logs nowhere unless a logger is passed in. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** The CLI's logger: JSON lines on stderr, quiet unless asked. */
export function cliLogger(level = process.env.VCSTORE_LOG || 'silent'): Logger {
  if (level !== 'silent' && !(level in pino.levels.values)) {
    const known = Object.keys(pino.levels.values).join(', ');
    throw errUsage(`unknown log level ${JSON.stringify(level)} (use silent, ${known})`);
  }
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}
