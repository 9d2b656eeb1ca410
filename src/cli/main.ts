import { Command, CommanderError, Option } from 'commander';
import { errIO } from '../errors.ts';
import type { Logger } from '../log.ts';
import { packageVersion } from '../version.ts';
import { describe, EXIT, exitCodeOf, usageHint } from './exit-codes.ts';
import { versionText } from './version-text.ts';

export interface GlobalOptions {
  logLevel?: string;
}

/** What a command module exports: it adds its options and action to the command made for it. */
export type CommandSetup = (command: Command, log: () => Logger) => void;

interface CommandEntry {
  name: string;
  summary: string;
  /** loaded only when the command runs or its help is asked for, so `--help` starts fast */
  load: () => Promise<CommandSetup>;
}

/** Every command: add one line here (and its module under commands/) to add a command. */
const COMMANDS: CommandEntry[] = [
  {
    name: 'apply',
    summary: 'run an ops file (the legacy fixtures format, - for stdin) and print one JSON line per op',
    load: async () => (await import('./commands/apply.ts')).applyCommand,
  },
  {
    name: 'log',
    summary: "print a sandbox's events, oldest first (read-only, takes no lock)",
    load: async () => (await import('./commands/log.ts')).logCommand,
  },
  {
    name: 'list',
    summary: 'every sandbox with a journal, deleted ones included, and whether its tree matches the journal',
    load: async () => (await import('./commands/list.ts')).listCommand,
  },
  {
    name: 'show',
    summary: 'print one resource as its legacy file held it at a point of the history (default: now)',
    load: async () => (await import('./commands/show.ts')).showCommand,
  },
  {
    name: 'diff',
    summary: "what changed in a sandbox's legacy files between two events, field by field",
    load: async () => (await import('./commands/diff.ts')).diffCommand,
  },
  {
    name: 'replay',
    summary: "write a sandbox's legacy tree as it was at a point of its history into an empty folder",
    load: async () => (await import('./commands/replay.ts')).replayCommand,
  },
  {
    name: 'head',
    summary: "the journal's last sequence number and chain hash: record it elsewhere to prove history later",
    load: async () => (await import('./commands/head.ts')).headCommand,
  },
  {
    name: 'export',
    summary: 'the events as canonical JSON lines (the bytes the journal hashes), for archives',
    load: async () => (await import('./commands/export.ts')).exportCommand,
  },
  {
    name: 'report',
    summary:
      "one self-contained HTML file of a sandbox's history: timeline, state lanes, files and diffs, for a ticket",
    load: async () => (await import('./commands/report.ts')).reportCommand,
  },
  {
    name: 'import',
    summary: 'adopt a tree written by the legacy runtime: a journal per sandbox, and the tree under --root',
    load: async () => (await import('./commands/import.ts')).importCommand,
  },
  {
    name: 'demo',
    summary:
      'a sandbox lifecycle, a crash in the middle of a write, the recovery, and questions answered from the history',
    load: async () => (await import('./commands/demo.ts')).demoCommand,
  },
  {
    name: 'verify',
    summary: 'check every journal (CRCs, sequence, chain) and compare the legacy tree with its replay (read-only)',
    load: async () => (await import('./commands/verify.ts')).verifyCommand,
  },
  {
    name: 'recover',
    summary: 'cut torn journal tails, rebuild the legacy tree from the journal, remove leftover temp files',
    load: async () => (await import('./commands/recover.ts')).recoverCommand,
  },
  {
    name: 'ship',
    summary:
      'publish every event of every sandbox to NATS JetStream, old then live, until interrupted (read-only, takes no lock)',
    load: async () => (await import('./commands/ship.ts')).shipCommand,
  },
  {
    name: 'keys',
    summary: "print this host's public ship key as a trust file line (made if missing)",
    load: async () => (await import('./commands/keys.ts')).keysCommand,
  },
  {
    name: 'restore',
    summary: "rebuild a host's journals and legacy tree from NATS JetStream into an empty root",
    load: async () => (await import('./commands/restore.ts')).restoreCommand,
  },
  {
    name: 'prune',
    summary:
      'remove the journals of sandboxes deleted before a cutoff, nothing left of them in the tree, every event shipped',
    load: async () => (await import('./commands/prune.ts')).pruneCommand,
  },
  {
    name: 'watch',
    summary: 'record every write a live legacy runtime makes to the tree, as observe events, until interrupted',
    load: async () => (await import('./commands/watch.ts')).watchCommand,
  },
  {
    name: 'serve',
    summary: 'serve the store over HTTP on a unix socket (docs/api.md) until SIGTERM or SIGINT',
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  {
    name: 'completion',
    summary: 'print a completion script for bash or zsh: source <(vcstore completion bash)',
    load: async () => (await import('./commands/completion.ts')).completionCommand,
  },
];

/** The long-running commands: they log at info by default (start, stop, drift, retries, errors), for journald. */
const SERVICES = new Set(['serve', 'watch', 'ship']);
const HELP_OR_VERSION = ['-h', '--help', '-V', '--version'];

const GLOBAL_WITH_VALUE = new Set(['--log-level']);

/** The command named on the line (`help X` names X), found before commander parses so only it is loaded. */
function named(args: string[]): { name: string | undefined; help: boolean } {
  const words: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? '';
    if (GLOBAL_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith('-')) words.push(arg);
  }
  const help = words[0] === 'help';
  return { name: help ? words[1] : words[0], help };
}

async function program(args: string[]): Promise<Command> {
  const root = new Command('vcstore')
    .description('a journaled, crash-safe store for Kata Containers sandbox state')
    .version(
      args.includes('-V') || args.includes('--version') ? await versionText() : packageVersion(),
      '-V, --version',
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'log to stderr at this pino level (default: $VCSTORE_LOG, else info for serve, watch and ship, silent for the rest)',
      ),
    )
    .configureOutput({ outputError: () => {} }) // errors are printed once, in our format, below
    .exitOverride();

  // One logger for the whole run, made before the action so that a bad level is a usage error.
  let logger: Logger | undefined;
  root.hook('preAction', async (_root, action) => {
    const { cliLogger } = await import('../log.ts');
    const fallback = process.env.VCSTORE_LOG || (SERVICES.has(action.name()) ? 'info' : 'silent');
    logger = cliLogger(root.opts<GlobalOptions>().logLevel ?? fallback);
  });
  const log = (): Logger => {
    if (logger === undefined) throw errIO('logger asked for before the action');
    return logger;
  };

  const wanted = named(args).name;
  for (const entry of COMMANDS) {
    const command = root.command(entry.name).description(entry.summary);
    // completion describes every command, so it loads them all
    if (entry.name === wanted || wanted === 'completion') {
      (await entry.load())(command, log); // exitOverride and configureOutput are inherited from root
    }
  }
  return root;
}

/**
 * Runs the command line (`process.argv.slice(2)`) to its end. A function rather than top-level code so that
 * the single executable, a CommonJS bundle, where top-level await does not exist, runs the same.
 */
export async function run(args: string[]): Promise<void> {
  // A reader that stops early (`| head`) is not an error.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT.ok);
    throw err;
  });

  const cli = await program(args);
  if (args.length === 0) {
    cli.outputHelp(); // bare `vcstore`: the help, and success
    process.exit(EXIT.ok);
  }
  try {
    const { name, help } = named(args);
    // options and no command (`vcstore --frob`): commander would print the help and succeed
    if (name === undefined && !help && !args.some((a) => HELP_OR_VERSION.includes(a))) {
      const unknown = args.find((a) => a.startsWith('-') && !GLOBAL_WITH_VALUE.has(a));
      throw new CommanderError(
        EXIT.usage,
        unknown ? 'commander.unknownOption' : 'commander.missingArgument',
        unknown ? `unknown option '${unknown}'` : 'no command given',
      );
    }
    // commander answers `help frob` with the general help and success; a script deserves the error
    if (help && name !== undefined && !COMMANDS.some((c) => c.name === name)) {
      throw new CommanderError(EXIT.usage, 'commander.unknownCommand', `unknown command '${name}'`);
    }
    await cli.parseAsync(args, { from: 'user' });
  } catch (err) {
    if (
      err instanceof CommanderError &&
      ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(err.code)
    ) {
      process.exit(EXIT.ok);
    }
    process.stderr.write(`${describe(err)}\n`);
    const name = named(args).name;
    // one line per failure; a person at a terminal also gets where the usage is described
    const hint = usageHint(err, COMMANDS.some((c) => c.name === name) ? name : undefined);
    if (hint && process.stderr.isTTY) process.stderr.write(`${hint}\n`);
    process.exit(exitCodeOf(err));
  }
}
