import { pino, type Logger } from 'pino';

export type { Logger };

/** The library logs nowhere unless a logger is passed in. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** The CLI's logger: JSON lines on stderr, quiet unless asked. */
export function cliLogger(level = process.env.VCSTORE_LOG ?? 'silent'): Logger {
  return pino({ level, base: { pid: process.pid } }, pino.destination(2));
}
