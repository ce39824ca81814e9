// First pass over the command line, word by word, with mosquitto's rules (contract §1): exact
// option names, values taken unconditionally (`-t -d` is the topic "-d"), no bundling, no
// `--opt=value`, and each value checked where it appears so the first error in argv order wins.
// The result is a normalised argv (`--key=value` words) that yargs collects into the options.
import { UsageError } from '../core/errors.js'
import { bytes } from './argv-bytes.js'
import { checkPropertyArg } from './properties.js'
import { displayName, optionsFor, type OptionSpec, type Tool } from './table.js'
import type { Shell } from './types.js'
import { checkValue, type WalkState } from './value-checks.js'

/** What the walk found: yargs' input, plus the facts whose order matters. */
export interface WalkResult {
  normalized: string[]
  state: WalkState
  /** An option that replaces the run: print something and exit. */
  stop?: { kind: 'help' } | { kind: 'version' } | { kind: 'completion', shell: Shell }
}

// mosquitto: message sources are exclusive, even across the config file and argv.
const MESSAGE_MODES = new Set(['message', 'file', 'stdinFile', 'stdinLine', 'nullMessage'])

/** Walk config-file words then argv words (both as byte strings), checking as mosquitto does. */
export function walkArgs(tool: Tool, words: readonly string[], state: WalkState = newWalkState()): WalkResult {
  const table = optionsFor(tool)
  const normalized: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]
    const spec = table.get(word)
    if (!spec) throw new UsageError(`Error: Unknown option '${word}'.\n`)
    if (spec.key === 'help' || spec.key === 'version') return { normalized, state, stop: { kind: spec.key } }
    if (spec.arity === 0) {
      checkMessageMode(spec, state)
      normalized.push(`--${spec.key}`)
      continue
    }
    if (spec.arity === 'property') {
      const taken = takeProperty(words, i)
      i += taken.length
      // Checked here so that the first error in argv order is the one reported (mosquitto).
      checkPropertyArg({ command: taken[0], name: taken[1], values: taken.slice(2).map(bytes) })
      normalized.push(`--property=${taken.join('\0')}`)
      // mosquitto: -D switches to MQTT v5 where it appears; a later -V still wins.
      normalized.push('--protocolVersion=5')
      continue
    }
    if (i + 1 >= words.length) throw new UsageError(missingValueText(spec))
    const value = words[++i]
    if (spec.key === 'completion') return { normalized, state, stop: { kind: 'completion', shell: shellNamed(value) } }
    checkMessageMode(spec, state)
    normalized.push(...checkValue(tool, spec, value, state))
  }
  return { normalized, state }
}

function shellNamed(value: string): Shell {
  if (value === 'bash' || value === 'zsh') return value
  throw new UsageError(`Error: --completion argument given but '${value}' is not a shell it knows (bash or zsh).\n\n`)
}

/** Fresh order-dependent state; the config file and argv share one. */
export function newWalkState(): WalkState {
  return { messageMode: undefined, idGiven: false, idPrefixGiven: false, portExplicit: false, urlTls: false, warnings: [] }
}

function missingValueText(spec: OptionSpec): string {
  // mosquitto: -V names its long form in this one message.
  if (spec.key === 'protocolVersion') return 'Error: --protocol-version argument given but no version specified.\n\n'
  return `Error: ${displayName(spec)} argument given but ${spec.missing}.\n\n`
}

function checkMessageMode(spec: OptionSpec, state: WalkState): void {
  if (!MESSAGE_MODES.has(spec.key)) return
  if (state.messageMode !== undefined) throw new UsageError('Error: Only one type of message can be sent at once.\n\n')
  state.messageMode = spec.key
}

// -D takes three words, or four for user-property (matched case-insensitively).
function takeProperty(words: readonly string[], at: number): string[] {
  const notEnough = (): never => {
    throw new UsageError('Error: --property argument given but not enough arguments specified.\n\n')
  }
  const available = words.length - at - 1
  if (available < 3) notEnough()
  // A short user-property is reported by checkPropertyArg, after the command and name checks.
  const count = words[at + 2].toLowerCase() === 'user-property' ? Math.min(4, available) : 3
  return words.slice(at + 1, at + 1 + count)
}
