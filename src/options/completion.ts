// Shell completion scripts for bash and zsh, generated from the option table so they cannot offer
// a flag the parser refuses or miss one it accepts. One script serves every tool of TOOL_NAMES.
// `<tool> --completion bash|zsh` prints them (so `source <(tspub --completion bash)` needs no
// path), and scripts/gen-completion.mjs writes them as files (completion/tspub.bash, _tspub).
import { listedOptions } from './help.js'
import { PROFILE_DIR } from './option-files.js'
import { PROPERTY_COMMANDS, propertyNames } from './properties.js'
import { description, OPTIONS, TOOL_NAMES, type OptionSpec, type Tool } from './table.js'

const TOOLS = Object.entries(TOOL_NAMES) as [Tool, string][]
const NAMES = TOOLS.map(([, name]) => name).join(' ')
// The scripts' `case` on the command name: one arm per tool, tspub's the fallback arm.
const ARMS: readonly [Tool, string][] = [...TOOLS.filter(([tool]) => tool !== 'pub'), ['pub', '*']]

/** What the word after an option is completed with. */
type ValueKind = { kind: 'none' } | { kind: 'choices', values: readonly string[] } | { kind: 'file' } | { kind: 'dir' } | { kind: 'profile' }

// The table has no "this is a path" field; its metavars say it (-f file, --cafile file, --unix path,
// --capath dir), so a new option with such a metavar gets file completion without a change here.
function valueKind(spec: OptionSpec): ValueKind {
  if (spec.choices) return { kind: 'choices', values: spec.choices }
  // --profile NAME: the names are the files in the profile folder
  if (spec.key === 'profile') return { kind: 'profile' }
  if (spec.arg === 'file' || spec.arg === 'path') return { kind: 'file' }
  if (spec.arg === 'dir') return { kind: 'dir' }
  return { kind: 'none' }
}

function spellings(spec: OptionSpec): string[] {
  return [spec.short, spec.long].filter((s): s is string => s !== undefined)
}

// Option names, choices and property names go into the scripts unquoted or inside single quotes:
// a word with a blank, a quote or a glob character would need quoting that the scripts do not do.
function words(list: readonly string[]): string {
  for (const w of list) {
    if (!/^[\w.+@/-]+$/.test(w)) throw new Error(`completion: ${JSON.stringify(w)} cannot be written as a plain shell word`)
  }
  return list.join(' ')
}

/** The option words completion offers for `tool`: every spelling of every option --help lists. */
export function completionWords(tool: Tool): string[] {
  return listedOptions(tool).flatMap(spellings)
}

// Options of `tool` (hidden ones too: they still consume their value) taking exactly one value.
function oneValueOptions(tool: Tool): string[] {
  return OPTIONS.filter((o) => o.tools.includes(tool) && o.arity === 1).flatMap(spellings)
}

const PROPERTY_OPTIONS = OPTIONS.filter((o) => o.arity === 'property').flatMap(spellings)

// ---------------------------------------------------------------------------------------------
// bash

/** The bash script: one completion function registered for tspub, tssub and tsrr. */
export function bashCompletion(): string {
  const toolArms = ARMS.map(([tool, pattern]) => [
    `    ${pattern})`,
    `      opts='${words(completionWords(tool))}'`,
    `      one=' ${words(oneValueOptions(tool))} ' ;;`,
  ].join('\n'))
  const valueArms = OPTIONS.filter((o) => o.arity === 1).flatMap((spec) => {
    const v = valueKind(spec)
    const pattern = spellings(spec).join('|')
    switch (v.kind) {
      case 'choices': return [`    ${pattern}) _tsmqtt_compgen -W '${words(v.values)}' ;;`]
      case 'file': return [`    ${pattern}) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -f ;;`]
      case 'dir': return [`    ${pattern}) compopt -o filenames 2>/dev/null; _tsmqtt_compgen -d ;;`]
      case 'profile': return [`    ${pattern}) _tsmqtt_profiles ;;`]
      default: return []
    }
  })
  const commandArms = PROPERTY_COMMANDS.map((c) => `        ${c}) _tsmqtt_compgen -W '${words(propertyNames(c))}' ;;`)

  return `# bash completion for ${NAMES}.
# Generated from the option table (src/options/table.ts): do not edit.
# Use: \`source <(tspub --completion bash)\` in ~/.bashrc (any of the tools prints it).

# COMPREPLY = the words of compgen "$@" matching $cur, one per line (so file names may hold blanks).
_tsmqtt_compgen() {
  mapfile -t COMPREPLY < <(compgen "$@" -- "$cur")
}

# Sets \`words\` (argv up to the cursor) and \`lead\`. bash splits words at COMP_WORDBREAKS (: =), so
# \`-L mqtt://host:1883/t\` arrives as five words; an option's position in argv decides what the
# next word is, so the pieces that no blank separates are glued back together. \`lead\` is the part
# of the current word before the piece bash will replace.
_tsmqtt_words() {
  local line=\${COMP_LINE:0:COMP_POINT} rest w i
  words=() lead=
  if [[ -z \${COMP_LINE+set} ]]; then
    words=("\${COMP_WORDS[@]:0:COMP_CWORD+1}")
    return
  fi
  for ((i = 0; i <= COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    rest=\${line#"\${line%%[![:space:]]*}"}
    if ((i == 0)) || [[ \${#rest} -ne \${#line} ]]; then
      words+=('')
    fi
    if ((i == COMP_CWORD)); then
      # the current word ends at the cursor
      w=$rest
      lead=\${words[\${#words[@]}-1]}
    fi
    words[\${#words[@]}-1]+=$w
    line=\${rest:\${#w}}
  done
}

# Completes the word after -D: its command, then the property names valid for that command;
# the value (two words for user-property) is free text.
_tsmqtt_property() {
  case $1 in
    1) _tsmqtt_compgen -W '${words(PROPERTY_COMMANDS)}' ;;
    2)
      case \${2,,} in
${commandArms.join('\n')}
      esac ;;
  esac
}

# Completes a profile name: a file in the profile folder, found as the tools find it (a set
# XDG_CONFIG_HOME wins, else ~/.config). Names are file names: -o filenames makes readline quote
# one with blanks or quotes (\`my\\ lab\`), and the word typed so far is matched without its quoting.
_tsmqtt_profiles() {
  local f typed=\${cur#[\\\"\\\']}
  typed=\${typed//\\\\/}
  compopt -o filenames 2>/dev/null
  for f in "\${XDG_CONFIG_HOME-$HOME/.config}/${PROFILE_DIR}"/*; do
    if [[ -f $f && \${f##*/} == "$typed"* ]]; then
      COMPREPLY+=("\${f##*/}")
    fi
  done
}

# Completes the value of option $1: a fixed set, a file or a directory; other values are free text.
_tsmqtt_value() {
  case $1 in
${valueArms.join('\n')}
  esac
}

_tsmqtt() {
  local tool=\${COMP_WORDS[0]##*/} cur lead opts one i n last
  local -a words
  COMPREPLY=()
  _tsmqtt_words
  last=$((\${#words[@]} - 1))
  cur=\${words[last]}
  case $tool in
${toolArms.join('\n')}
  esac
  # Walk argv as the tools parse it, so that a value (\`-m -d\`, \`-t --help\`) is never taken for an option.
  for ((i = 1; i < last; i++)); do
    case \${words[i]} in
      ${words(PROPERTY_OPTIONS).replace(/ /g, '|')})
        # command, identifier, value; user-property has a key and a value
        n=3
        [[ \${words[i+2],,} == user-property ]] && n=4
        if ((last - i <= n)); then
          _tsmqtt_property $((last - i)) "\${words[i+1]}"
          break
        fi
        ((i += n)) ;;
      *)
        if [[ $one == *" \${words[i]} "* ]]; then
          if ((i + 1 == last)); then
            _tsmqtt_value "\${words[i]}"
            break
          fi
          ((i++))
        fi ;;
    esac
  done
  if ((i >= last)); then
    _tsmqtt_compgen -W "$opts"
  fi
  # bash replaces only the piece after the last word break: drop what precedes it
  if [[ -n $lead ]]; then
    COMPREPLY=("\${COMPREPLY[@]#"$lead"}")
  fi
}

complete -F _tsmqtt ${NAMES}
`
}

// ---------------------------------------------------------------------------------------------
// zsh

// The first sentence of a description, for zsh's one-line listings ("e.g." does not end one).
function firstSentence(text: string): string {
  const m = /^(.*?)(?<!\be\.g|\bi\.e)\.(?:\s|$)/s.exec(text)
  return m ? m[1]! : text
}

// Text inside a single-quoted zsh word, within an _arguments [explanation] or :message: field.
function zshQuote(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1').replace(/'/g, `'\\''`)
}

function zshAction(spec: OptionSpec): string {
  const v = valueKind(spec)
  switch (v.kind) {
    case 'choices': return `(${words(v.values)})`
    case 'file': return '_files'
    case 'dir': return '_files -/'
    case 'profile': return '_tspub_profile'
    // an action of one blank: no completion, only the message
    default: return ' '
  }
}

// One _arguments spec (a word of zsh source) for one option of `tool`.
function zshSpec(spec: OptionSpec, tool: Tool): string {
  const names = spellings(spec)
  const repeatable = spec.repeat?.includes(tool) ?? false
  // A scalar is not offered again once given; the short and long forms exclude each other.
  const prefix = repeatable ? `'*'` : names.length > 1 ? `'(${names.join(' ')})'` : ''
  const optnames = names.length > 1 ? `{${names.join(',')}}'` : `'${names[0]}`
  const explanation = `[${zshQuote(firstSentence(description(spec, tool)))}]`
  let args = ''
  if (spec.arity === 1) args = `:${zshQuote(spec.arg ?? 'value')}:${zshAction(spec)}`
  if (spec.arity === 'property') {
    args = `:command:(${words(PROPERTY_COMMANDS)}):property name:_tspub_property_name:value: `
  }
  return `${prefix}${optnames}${explanation}${args}'`
}

/**
 * The zsh script, for every tool. Sourced (`source <(tspub --completion zsh)` after compinit) it
 * defines _tspub and registers it with compdef; as a file named _tspub in $fpath, compinit
 * autoloads it and zsh runs it as the function itself.
 */
export function zshCompletion(): string {
  const toolArms = ARMS.map(([tool, pattern]) => [
    `    ${pattern})`,
    '      args=(',
    ...listedOptions(tool).map((spec) => `        ${zshSpec(spec, tool)}`),
    '      ) ;;',
  ].join('\n'))
  const commandArms = PROPERTY_COMMANDS.map((c) => `    ${c}) names=(${words(propertyNames(c))}) ;;`)

  return `#compdef ${NAMES}
# zsh completion for ${NAMES}.
# Generated from the option table (src/options/table.ts): do not edit.
# Use: \`source <(tspub --completion zsh)\` in ~/.zshrc after compinit (any of the tools prints it),
# or this file, named _tspub, in a directory of $fpath before compinit runs.

_tspub() {
  local -a args
  case $service in
${toolArms.join('\n')}
  esac
  _arguments : $args
}

# The property names -D accepts after the command word just before them.
_tspub_property_name() {
  local -a names
  case \${(L)words[CURRENT-1]} in
${commandArms.join('\n')}
  esac
  _describe -t property-names 'property name' names
}

# The profile names: the files in the profile folder (a set XDG_CONFIG_HOME wins, else ~/.config).
_tspub_profile() {
  local -a expl names
  names=(\${XDG_CONFIG_HOME-$HOME/.config}/${PROFILE_DIR}/*(N-.:t))
  _wanted profiles expl 'profile' compadd -a names
}

if [[ \${funcstack[1]} == _tspub ]]; then
  # autoloaded by compinit from $fpath: this file is the completion function, called now
  _tspub "$@"
elif (( \${+functions[compdef]} )); then
  compdef _tspub ${NAMES}
else
  print -u2 'tspub: zsh completion needs compinit first (autoload -Uz compinit && compinit)'
fi
`
}
