/**
 * better-sqlite3, the SQLite baseline, lives in its own package folder
 * (test/bench/sqlite/, with its own lock file) so that vcstore's install does
 * not compile it. `npm run bench` installs it on first use; the smoke run of
 * the test suite works without it, its SQLite figures shown as not measured.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type BetterSqlite3 from 'better-sqlite3';

export const SQLITE_DIR = fileURLToPath(new URL('./sqlite/', import.meta.url));
export const NO_SQLITE =
  'not measured: better-sqlite3 is not installed (npm run bench installs it into test/bench/sqlite/)';

export type Driver = typeof BetterSqlite3;

let loaded: Driver | null | undefined;

/** The driver, or null when test/bench/sqlite has not been installed. */
export function sqliteDriver(): Driver | null {
  if (loaded === undefined) {
    const installed = existsSync(path.join(SQLITE_DIR, 'node_modules', 'better-sqlite3', 'package.json'));
    loaded = installed ? (createRequire(path.join(SQLITE_DIR, 'package.json'))('better-sqlite3') as Driver) : null;
  }
  return loaded;
}

/** The driver, for code that runs only when it is there. */
export function requireSqlite(): Driver {
  const driver = sqliteDriver();
  if (driver === null) throw new Error(NO_SQLITE);
  return driver;
}

/** Installs the baseline from its lock file when it is missing (a compile of a minute or two, once). */
export function ensureSqlite(log: (msg: string) => void): void {
  if (sqliteDriver() !== null) return;
  log(`installing the SQLite baseline into ${SQLITE_DIR} (once)…`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: SQLITE_DIR, stdio: ['ignore', 2, 2] });
  loaded = undefined;
  requireSqlite();
}
