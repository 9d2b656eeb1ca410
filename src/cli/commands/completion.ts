import { Argument, type Command } from 'commander';

interface Described {
  name: string;
  summary: string;
  options: Array<{ flag: string; about: string }>;
}

/** Every command with its long options, from the command tree itself (main.ts loads them all for this command). */
function describeCommands(root: Command): Described[] {
  return root.commands
    .filter((c) => c.name() !== 'help')
    .map((c) => ({
      name: c.name(),
      summary: c.description(),
      options: [
        ...c.options.flatMap((o) => (o.long ? [{ flag: o.long, about: o.description }] : [])),
        { flag: '--help', about: 'display help for command' },
      ],
    }));
}

const GLOBAL = ['--help', '--version', '--log-level'];

function bash(commands: Described[]): string {
  const cases = commands.map((c) => `    ${c.name}) words="${c.options.map((o) => o.flag).join(' ')}" ;;`).join('\n');
  return `# vcstore completion for bash: source <(vcstore completion bash)
_vcstore() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cmd="" words="" i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case \${COMP_WORDS[i]} in
      --log-level) ((i++)) ;;
      -*) ;;
      *) cmd=\${COMP_WORDS[i]}; break ;;
    esac
  done
  if [[ $prev == --log-level ]]; then
    COMPREPLY=($(compgen -W "silent trace debug info warn error fatal" -- "$cur")); return
  fi
  case $cmd in
    "") words="${commands.map((c) => c.name).join(' ')} ${GLOBAL.join(' ')}" ;;
${cases}
  esac
  # an option name, or a command name; anything else (a value, a file) falls back to file names
  if [[ $cur == -* || -z $cmd ]]; then COMPREPLY=($(compgen -W "$words" -- "$cur")); else COMPREPLY=(); fi
}
complete -o default -F _vcstore vcstore
`;
}

/** A zsh _describe entry: `name:description`, with zsh's separators and quotes escaped. */
const entry = (name: string, about: string) =>
  `'${`${name}:${about.replaceAll(':', '\\:')}`.replaceAll("'", "'\\''")}'`;

function zsh(commands: Described[]): string {
  const cases = commands
    .map((c) => `    ${c.name}) opts=(${c.options.map((o) => entry(o.flag, o.about)).join(' ')}) ;;`)
    .join('\n');
  return `#compdef vcstore
# vcstore completion for zsh: source <(vcstore completion zsh), or save it as _vcstore in a folder of $fpath
_vcstore() {
  local -a commands opts
  commands=(${commands.map((c) => entry(c.name, c.summary)).join(' ')})
  if (( CURRENT == 2 )) && [[ $PREFIX != -* ]]; then _describe 'command' commands; return; fi
  case $words[2] in
${cases}
    *) opts=(${GLOBAL.map((g) => `'${g}'`).join(' ')}) ;;
  esac
  if [[ $PREFIX == -* ]]; then _describe 'option' opts; else _files; fi
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then _vcstore "$@"; else compdef _vcstore vcstore; fi
`;
}

export function completionCommand(command: Command): void {
  command
    .addArgument(new Argument('<shell>', 'the shell to complete for').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') => {
      const commands = describeCommands(command.parent ?? command);
      process.stdout.write(shell === 'bash' ? bash(commands) : zsh(commands));
    });
}
