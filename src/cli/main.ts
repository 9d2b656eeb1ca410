import { Command, Option } from 'commander';
import { cliLogger, type Logger } from '../log.ts';
import { applyCommand } from './commands/apply.ts';
import { demoCommand } from './commands/demo.ts';
import { diffCommand } from './commands/diff.ts';
import { exportCommand } from './commands/export.ts';
import { headCommand } from './commands/head.ts';
import { importCommand } from './commands/import.ts';
import { listCommand } from './commands/list.ts';
import { logCommand } from './commands/log.ts';
import { replayCommand } from './commands/replay.ts';
import { showCommand } from './commands/show.ts';
import { recoverCommand } from './commands/recover.ts';
import { verifyCommand } from './commands/verify.ts';
import { watchCommand } from './commands/watch.ts';
import { describe, exitCodeOf, EXIT } from './exit-codes.ts';

export interface GlobalOptions {
  logLevel?: string;
}

const program = new Command('vcstore')
  .description('a journaled, crash-safe store for Kata Containers sandbox state')
  .addOption(new Option('--log-level <level>', 'log to stderr at this pino level (default: $VCSTORE_LOG or silent)'))
  .showHelpAfterError()
  .exitOverride();

// One logger for the whole run, made when a command first asks for it.
let logger: Logger | undefined;
const log = () => (logger ??= cliLogger(program.opts<GlobalOptions>().logLevel));

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(EXIT.ok);
  throw err;
});
const commands = [applyCommand, logCommand, listCommand, showCommand, diffCommand, replayCommand, headCommand, exportCommand, importCommand];
for (const add of [...commands, demoCommand, verifyCommand, recoverCommand, watchCommand]) add(program, log);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  const code = (err as { code?: string }).code;
  if (code === 'commander.helpDisplayed' || code === 'commander.version') process.exit(EXIT.ok);
  if (typeof code === 'string' && code.startsWith('commander.')) process.exit(EXIT.usage);
  process.stderr.write(`${describe(err)}\n`);
  process.exit(exitCodeOf(err));
}
