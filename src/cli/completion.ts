// Shell completion: what the program declares (commands, their flags and arguments, read from the commander
// program itself so it cannot drift from the CLI), the bash and zsh scripts made from it, and the reading
// of a command line's project flags for `__complete services`. Pure: no disk, engine or terminal.
import type { Command, Option } from "commander";

/** What a flag's value (or an argument) completes to. */
export type ValueKind = "none" | "file" | "directory" | "service" | "choice" | "command" | "text";

export interface FlagSpec {
  /** Short then long, as declared (`-f`, `--file`). */
  names: string[];
  description: string;
  /** "none" for a flag without a value. */
  value: ValueKind;
  choices?: string[];
  /** Not offered (hidden in help: deprecated flags, a command's copies of the global flags). */
  hidden: boolean;
  /** A command's copy of a global flag: the scripts look these up among the globals. */
  global?: true;
}

export interface CommandSpec {
  /** The name, then its aliases (`config`, `convert`). */
  names: string[];
  description: string;
  flags: FlagSpec[];
  /** What each positional argument completes to, in order. */
  args: Array<{ value: ValueKind; choices?: string[] }>;
  /** The last argument takes any number of words. */
  variadic: boolean;
}

export interface CompletionData {
  globals: FlagSpec[];
  commands: CommandSpec[];
}

/** The global flags that choose the project; `__complete services` passes them on to the loader. */
const projectFlags = {
  "--file": "file",
  "--project-name": "projectName",
  "--profile": "profile",
  "--env-file": "envFile",
  "--project-directory": "projectDirectory",
} as const;

export interface ProjectFlagValues {
  file?: string[];
  projectName?: string;
  profile?: string[];
  envFile?: string[];
  projectDirectory?: string;
}

function flagValue(option: Option): Pick<FlagSpec, "value" | "choices"> {
  if (!option.required && !option.optional) return { value: "none" };
  if (option.argChoices) return { value: "choice", choices: [...option.argChoices] };
  const placeholder = /[<[]([^>\]]*)[>\]]/.exec(option.flags)?.[1] ?? "";
  if (placeholder === "path" || placeholder === "file") {
    return { value: option.long?.endsWith("-directory") ? "directory" : "file" };
  }
  if (placeholder === "service" || placeholder === "services") return { value: "service" };
  return { value: "text" };
}

function flagSpec(option: Option, globals: readonly FlagSpec[]): FlagSpec {
  const names = [option.short, option.long].filter((n): n is string => Boolean(n));
  // A command's hidden copy of a global flag (main.ts's inheritGlobalOptions) completes as the global does.
  const global = option.hidden ? globals.find((g) => g.names.includes(option.long ?? "")) : undefined;
  const value = global
    ? { value: global.value, ...(global.choices ? { choices: global.choices } : {}), global: true as const }
    : {};
  return { names, description: option.description, ...flagValue(option), ...value, hidden: option.hidden };
}

function helpFlag(command: Command): FlagSpec[] {
  // commander adds -h/--help to every command that has not turned it off; visibleOptions lists it.
  const help = command
    .createHelp()
    .visibleOptions(command)
    .find((o) => o.long === "--help");
  return help ? [{ ...flagSpec(help, []), value: "none" }] : [];
}

function argKind(command: string, name: string): ValueKind {
  if (/^services?\b/.test(name)) return "service";
  if (name === "source" || name === "destination" || name === "path") return "file";
  if (command === "help" && name === "command") return "command";
  return "text";
}

/** The program's commands (those its help lists, in that order) and flags. */
export function completionData(program: Command): CompletionData {
  const globals = program.options.map((o) => flagSpec(o, []));
  globals.push(...helpFlag(program));
  const commands = program
    .createHelp()
    .visibleCommands(program)
    .map((command): CommandSpec => {
      const args = command.registeredArguments;
      return {
        names: [command.name(), ...command.aliases()],
        description: command.description(),
        flags: [...command.options.map((o) => flagSpec(o, globals)), ...helpFlag(command)],
        args: args.map((a) =>
          a.argChoices
            ? { value: "choice", choices: [...a.argChoices] }
            : { value: argKind(command.name(), a.name()) },
        ),
        variadic: args.at(-1)?.variadic ?? false,
      };
    });
  return { globals, commands };
}

/** A word as the shell would pass it: without the quotes around it, an unquoted `~/` expanded. */
export function shellWord(word: string, home: string): string {
  const quoted = /^(["'])(.*)\1$/s.exec(word);
  if (quoted) return quoted[2] as string;
  const bare = word.replace(/\\(.)/g, "$1");
  return bare === "~" || bare.startsWith("~/") ? home + bare.slice(1) : bare;
}

/**
 * The project flags given on a command line (its words after the program's name, before the one being
 * completed): before the command name the program's flags, after it the command's own (`logs -f` follows,
 * `up -f` is the file). bash splits `--file=x` at "=" into three words; both forms are read.
 */
export function projectFlagValues(
  data: CompletionData,
  words: readonly string[],
  home: string,
): ProjectFlagValues {
  const joined: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (words[i + 1] === "=" && word.startsWith("-")) {
      joined.push(`${word}=${words[i + 2] ?? ""}`);
      i += 2;
    } else joined.push(word);
  }
  const values: Record<string, string | string[]> = {};
  let scope = data.globals;
  let command: CommandSpec | undefined;
  for (let i = 0; i < joined.length; i++) {
    const word = joined[i] as string;
    if (word === "--") break;
    if (!word.startsWith("-") || word === "-") {
      if (command) continue;
      command = data.commands.find((c) => c.names.includes(word));
      if (!command) break;
      scope = command.flags;
      continue;
    }
    const at = word.indexOf("=");
    const name = at < 0 ? word : word.slice(0, at);
    const flag = scope.find((f) => f.names.includes(name));
    if (!flag || flag.value === "none") continue;
    const value = at < 0 ? joined[++i] : word.slice(at + 1);
    if (value === undefined) break;
    const long = flag.names.find((n) => n.startsWith("--")) ?? "";
    const key = (projectFlags as Record<string, string>)[long];
    if (!key) continue;
    const given = shellWord(value, home);
    if (key === "projectName" || key === "projectDirectory") values[key] = given;
    else values[key] = [...((values[key] as string[] | undefined) ?? []), given];
  }
  return values as ProjectFlagValues;
}

// --- the scripts ---------------------------------------------------------------------------------------

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;
const spaced = (names: readonly string[]) => quote(names.join(" "));

/** `case` branches, one per distinct value, its patterns joined (a pattern per key). */
function caseBranches(entries: ReadonlyArray<[key: string, value: string]>): string {
  const byValue = new Map<string, string[]>();
  for (const [key, value] of entries) byValue.set(value, [...(byValue.get(value) ?? []), quote(key)]);
  return [...byValue].map(([value, keys]) => `    ${keys.join("|")}) REPLY=${value} ;;`).join("\n");
}

function caseFunction(name: string, comment: string, subject: string, branches: string): string {
  return [
    `# ${comment}`,
    `${name}() {`,
    `  case ${subject} in`,
    ...(branches ? [branches] : []),
    "    *) REPLY= ;;",
    "  esac",
    "}",
  ].join("\n");
}

/** Shell functions both scripts share: the program's data as `case` tables, answering in $REPLY. */
function tables(data: CompletionData): string {
  const scopes: Array<[string, FlagSpec[]]> = [
    ["", data.globals],
    ...data.commands.map((c): [string, FlagSpec[]] => [
      c.names[0] as string,
      c.flags.filter((f) => !f.global),
    ]),
  ];
  const kinds: Array<[string, string]> = [];
  const choices: Array<[string, string]> = [];
  for (const [scope, flags] of scopes) {
    for (const flag of flags) {
      for (const name of flag.names) {
        kinds.push([`${scope}/${name}`, flag.value]);
        if (flag.choices) choices.push([`${scope}/${name}`, spaced(flag.choices)]);
      }
    }
  }
  // An argument's choices are keyed by its position: "completion/#0".
  for (const c of data.commands) {
    c.args.forEach((a, i) => {
      if (a.choices) choices.push([`${c.names[0]}/#${i}`, spaced(a.choices)]);
    });
  }
  const offered = (flags: FlagSpec[]) => spaced(flags.filter((f) => !f.hidden).flatMap((f) => f.names));
  const commandNames = data.commands.flatMap((c) => c.names);
  return [
    caseFunction(
      "__tcompose_flag",
      "$1: the command (empty before it), $2: a flag. REPLY: what its value completes to (none: no value).",
      '"$1/$2"',
      caseBranches(kinds),
    ),
    caseFunction(
      "__tcompose_choices",
      "The values of a flag that takes one of a list.",
      '"$1/$2"',
      caseBranches(choices),
    ),
    caseFunction(
      "__tcompose_flags",
      "The flags offered for a command (empty: the global flags).",
      '"$1"',
      caseBranches(scopes.map(([scope, flags]) => [scope, offered(flags)])),
    ),
    caseFunction(
      "__tcompose_command",
      "A command's name from one of its names (aliases too); empty when there is no such command.",
      '"$1"',
      caseBranches(
        data.commands.flatMap((c) => c.names.map((n): [string, string] => [n, quote(c.names[0] as string)])),
      ),
    ),
    caseFunction(
      "__tcompose_args",
      "What a command's positional arguments complete to, in order; the last ends with ... when repeated.",
      '"$1"',
      caseBranches(
        data.commands.map((c): [string, string] => {
          const args = c.args.map((a, i) =>
            c.variadic && i === c.args.length - 1 ? `${a.value}...` : a.value,
          );
          return [c.names[0] as string, spaced(args)];
        }),
      ),
    ),
    `__tcompose_commands=${spaced(commandNames)}`,
  ].join("\n\n");
}

const header = (shell: string) =>
  `# ${shell} completion for tcompose, generated by \`tcompose completion ${shell}\` from the program's own
# commands and flags: regenerate it after an upgrade. Service names come from \`tcompose __complete services\`.`;

/**
 * bash: the line's words are walked to find the command, the positional arguments before the current word
 * and whether that word is a flag's value; then the tables say what it completes to.
 */
export function bashScript(data: CompletionData): string {
  return `${header("bash")}
# Use: source <(tcompose completion bash)   (or save it in a bash-completion directory)

${tables(data)}

# Fills COMPREPLY with what a value of the given kind can be ($1), the word so far being $2.
__tcompose_values() {
  local kind=$1 cur=$2 list
  case "$kind" in
    file) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    directory) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    service)
      list=$("\${COMP_WORDS[0]}" __complete services -- "\${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null)
      mapfile -t COMPREPLY < <(compgen -W "$list" -- "$cur") ;;
    choice) __tcompose_choices "$3" "$4"; [[ -z $REPLY ]] && __tcompose_choices "" "$4"; mapfile -t COMPREPLY < <(compgen -W "$REPLY" -- "$cur") ;;
    command) mapfile -t COMPREPLY < <(compgen -W "$__tcompose_commands" -- "$cur") ;;
    *) COMPREPLY=() ;;
  esac
}

_tcompose() {
  local cur=\${COMP_WORDS[COMP_CWORD]} word cmd= flag= kind= dashdash= n=0 i=1 REPLY
  local -a args
  COMPREPLY=()
  while (( i < COMP_CWORD )); do
    word=\${COMP_WORDS[i]}
    if [[ -z $dashdash && $word == -?* ]]; then
      if [[ $word == -- ]]; then
        dashdash=1
      elif [[ $word != *=* ]]; then
        __tcompose_flag "$cmd" "$word"
        [[ -z $REPLY && -n $cmd ]] && __tcompose_flag "" "$word"
        # bash splits --flag=value at "=" (COMP_WORDBREAKS): --flag, =, value
        if [[ \${COMP_WORDS[i+1]} == = ]]; then
          if (( i + 1 == COMP_CWORD )); then flag=$word kind=$REPLY cur= && break; fi
          if (( i + 2 == COMP_CWORD )); then flag=$word kind=$REPLY && break; fi
          (( i += 2 ))
        elif [[ -n $REPLY && $REPLY != none ]]; then
          if (( i + 1 == COMP_CWORD )); then flag=$word kind=$REPLY && break; fi
          (( i++ ))
        fi
      fi
    elif [[ -z $cmd ]]; then
      __tcompose_command "$word"
      cmd=$REPLY
      [[ -z $cmd ]] && return 0
    else
      (( n++ ))
    fi
    (( i++ ))
  done
  if [[ -n $flag ]]; then
    [[ $kind == none ]] && kind=
    __tcompose_values "$kind" "$cur" "$cmd" "$flag"
  elif [[ -z $dashdash && $cur == -* ]]; then
    __tcompose_flags "$cmd"
    mapfile -t COMPREPLY < <(compgen -W "$REPLY" -- "$cur")
  elif [[ -z $cmd ]]; then
    __tcompose_values command "$cur"
  else
    __tcompose_args "$cmd"
    read -r -a args <<<"$REPLY"
    kind=
    if (( n < \${#args[@]} )); then
      kind=\${args[n]}
    elif (( \${#args[@]} )) && [[ \${args[-1]} == *... ]]; then
      kind=\${args[-1]}
    fi
    __tcompose_values "\${kind%...}" "$cur" "$cmd" "#$(( n < \${#args[@]} ? n : \${#args[@]} - 1 ))"
  fi
  return 0
}

complete -F _tcompose tcompose
`;
}

/** zsh: the same walk, with descriptions for commands and flags. */
export function zshScript(data: CompletionData): string {
  const described = (entries: ReadonlyArray<{ names: string[]; description: string }>) =>
    entries
      .flatMap((e) => e.names.map((n) => quote(`${n}:${e.description.replaceAll("\n", " ")}`)))
      .join(" ");
  const flagReplies = [
    ["", data.globals] as const,
    ...data.commands.map((c) => [c.names[0] as string, c.flags] as const),
  ].map(([scope, flags]) => `    ${quote(scope)}) reply=(${described(flags.filter((f) => !f.hidden))}) ;;`);
  return `#compdef tcompose
${header("zsh")}
# Use: source <(tcompose completion zsh) after compinit, or save it as _tcompose in a directory of $fpath.

${tables(data)}

# The commands and, for a command (empty: the global flags), its flags, as name:description.
__tcompose_described_commands() {
  reply=(${described(data.commands)})
}
__tcompose_described_flags() {
  case "$1" in
${flagReplies.join("\n")}
    *) reply=() ;;
  esac
}

# Offers what a value of the given kind can be ($1).
__tcompose_values() {
  local -a reply
  case "$1" in
    file) _files ;;
    directory) _files -/ ;;
    service) reply=(\${(f)"$(\${words[1]} __complete services -- \${words[2,CURRENT-1]} 2>/dev/null)"})
      compadd -- $reply ;;
    choice) __tcompose_choices "$2" "$3"; [[ -z $REPLY ]] && __tcompose_choices "" "$3"; compadd -- \${=REPLY} ;;
    command) __tcompose_described_commands; _describe -t commands 'tcompose command' reply ;;
  esac
}

_tcompose() {
  local cur=\${words[CURRENT]} word cmd= flag= kind= dashdash= n=0 i=2 REPLY
  local -a args reply
  while (( i < CURRENT )); do
    word=\${words[i]}
    if [[ -z $dashdash && $word == -?* ]]; then
      if [[ $word == -- ]]; then
        dashdash=1
      elif [[ $word != *=* ]]; then
        __tcompose_flag "$cmd" "$word"
        [[ -z $REPLY && -n $cmd ]] && __tcompose_flag "" "$word"
        if [[ -n $REPLY && $REPLY != none ]]; then
          if (( i + 1 == CURRENT )); then flag=$word kind=$REPLY && break; fi
          (( i++ ))
        fi
      fi
    elif [[ -z $cmd ]]; then
      __tcompose_command "$word"
      cmd=$REPLY
      [[ -z $cmd ]] && return 1
    else
      (( n++ ))
    fi
    (( i++ ))
  done
  if [[ -z $flag && -z $dashdash && $cur == -*=* ]]; then
    flag=\${cur%%=*}
    __tcompose_flag "$cmd" "$flag"
    [[ -z $REPLY && -n $cmd ]] && __tcompose_flag "" "$flag"
    kind=$REPLY
    compset -P '*='
  fi
  if [[ -n $flag ]]; then
    __tcompose_values "$kind" "$cmd" "$flag"
  elif [[ -z $dashdash && $cur == -* ]]; then
    __tcompose_described_flags "$cmd"
    _describe -t options 'option' reply
  elif [[ -z $cmd ]]; then
    __tcompose_values command
  else
    __tcompose_args "$cmd"
    args=(\${=REPLY})
    kind=
    if (( n < \${#args} )); then
      kind=\${args[n+1]}
    elif (( \${#args} )) && [[ \${args[-1]} == *... ]]; then
      kind=\${args[-1]}
    fi
    __tcompose_values "\${kind%...}" "$cmd" "#$(( n < \${#args} ? n : \${#args} - 1 ))"
  fi
}

if [[ \${funcstack[1]} == _tcompose ]]; then
  _tcompose "$@"
else
  compdef _tcompose tcompose
fi
`;
}
