/**
 * `leak-explorer completion bash|zsh|fish`: a completion script built from the commands' own help, so that
 * a new command or option completes without anyone editing a script. The scripts are static text: completing
 * runs no Node.
 */
import { LeakExplorerError } from '../../shared/errors.ts';
import { HELP_OPTION, type CliCommand, type CommandHelp } from './help.ts';

/** The shells we write scripts for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** Quoted for a single-quoted shell string. */
const quoted = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bash(commands: CommandHelp[]): string {
  const cases = commands
    .map((c) => `    ${c.name}) opts=${quoted([...c.options, HELP_OPTION].flatMap((o) => [`--${o.name}`, ...(o.short ? [`-${o.short}`] : [])]).join(' '))} ;;`)
    .join('\n');
  return `# bash completion for leak-explorer. Install: leak-explorer completion bash > ~/.local/share/bash-completion/completions/leak-explorer
_leak_explorer() {
  local cur=\${COMP_WORDS[COMP_CWORD]} opts
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W ${quoted(['help', '--help', '--version', ...commands.map((c) => c.name)].join(' '))} -- "$cur"))
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    *) opts='' ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o filenames -F _leak_explorer leak-explorer
`;
}

function zsh(commands: CommandHelp[]): string {
  const describe = commands.map((c) => `    ${quoted(`${c.name}:${c.summary.replace(/:/g, '\\:')}`)}`).join('\n');
  const zshText = (text: string) => text.replace(/[[\]:]/g, '\\$&');
  const cases = commands
    .map((c) => {
      const specs = [...c.options, HELP_OPTION].map((o) => {
        const action = o.value ? (/FILE/.test(o.value) ? ':file:_files' : `:${o.value.toLowerCase()}:`) : '';
        const names = o.short ? `${quoted(`(-${o.short} --${o.name})`)}{-${o.short},--${o.name}}` : quoted(`--${o.name}`);
        return `        ${names}${quoted(`[${zshText(o.text)}]${action}`)}`;
      });
      if (c.files) specs.push(`        '*:file:_files'`);
      return `      ${c.name})\n        _arguments \\\n${specs.join(' \\\n')} ;;`;
    })
    .join('\n');
  return `#compdef leak-explorer
# zsh completion for leak-explorer. Install: leak-explorer completion zsh > "\${fpath[1]}/_leak-explorer"
_leak-explorer() {
  local -a commands
  commands=(
${describe}
  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  local command=$words[2]
  shift words
  (( CURRENT-- ))
  case $command in
${cases}
  esac
}
compdef _leak-explorer leak-explorer
`;
}

function fish(commands: CommandHelp[]): string {
  const lines = [
    '# fish completion for leak-explorer. Install: leak-explorer completion fish > ~/.config/fish/completions/leak-explorer.fish',
    'complete -c leak-explorer -f',
    `complete -c leak-explorer -n __fish_use_subcommand -l version -d 'print the version'`,
    `complete -c leak-explorer -n __fish_use_subcommand -s h -l help -d 'show the help'`,
  ];
  for (const c of commands) {
    lines.push(`complete -c leak-explorer -n __fish_use_subcommand -a ${c.name} -d ${quoted(c.summary)}`);
    const when = `-n ${quoted(`__fish_seen_subcommand_from ${c.name}`)}`;
    if (c.files) lines.push(`complete -c leak-explorer ${when} -F`);
    for (const o of [...c.options, HELP_OPTION]) {
      const takes = o.value ? (/FILE/.test(o.value) ? ' -r -F' : ' -r') : '';
      lines.push(`complete -c leak-explorer ${when}${o.short ? ` -s ${o.short}` : ''} -l ${o.name}${takes} -d ${quoted(o.text)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script for `shell`, from every command's help. */
export function completionScript(shell: string, commands: CommandHelp[]): string {
  if (shell === 'bash') return bash(commands);
  if (shell === 'zsh') return zsh(commands);
  if (shell === 'fish') return fish(commands);
  throw new LeakExplorerError('BAD_ARGUMENTS', `completion takes one of ${SHELLS.join(', ')}, not '${shell ?? ''}'.`);
}

/** `leak-explorer completion SHELL`; `all` gives every command's help, loaded only when a script is asked for. */
export function completionCommand(all: () => Promise<CommandHelp[]>): CliCommand {
  return {
    run: async (args) => {
      if (args.length !== 1) throw new LeakExplorerError('BAD_ARGUMENTS', `completion takes one shell name: ${SHELLS.join(', ')}.`);
      const helps = await all();
      process.stdout.write(completionScript(args[0], helps));
      return 0;
    },
    help: {
      name: 'completion',
      summary: 'Prints a shell completion script for bash, zsh or fish',
      usage: ['completion bash|zsh|fish'],
      description: 'Prints a script that completes commands, options and file names. Load it from your shell\'s start-up file, or save it where your shell looks for completions.',
      options: [],
      examples: [
        { command: 'completion bash > ~/.local/share/bash-completion/completions/leak-explorer', text: 'bash, for new shells' },
        { command: 'completion zsh > "${fpath[1]}/_leak-explorer"', text: 'zsh (then restart it)' },
        { command: 'completion fish > ~/.config/fish/completions/leak-explorer.fish', text: 'fish' },
        { command: 'completion bash | source /dev/stdin', text: 'bash, in this shell only' },
      ],
    },
  };
}
