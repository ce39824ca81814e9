// parseCommandLine(): config file + argv -> typed Options, through the one option table.
// walk.ts applies mosquitto's word rules and per-value checks; yargs' parser collects the normalised
// words (repeatable options accumulate, scalars: last one wins); build.ts types them and runs the
// post-parse checks.
import { Parser } from 'yargs/helpers'
import { UsageError } from '../core/errors.js'
import { buildOptions, type RawOptions } from './build.js'
import { configFileLines } from './config-file.js'
import { optionFiles } from './option-files.js'
import { OPTIONS, type Tool } from './table.js'
import type { ParseResult } from './types.js'
import { newWalkState, walkArgs } from './walk.js'

/** Parse the tool's options files (those present) followed by `args` (byte strings). */
export function parseCommandLine(tool: Tool, args: readonly string[], env: NodeJS.ProcessEnv): ParseResult {
  const state = newWalkState()
  const normalized: string[] = []
  // mosquitto: the config file is read first and its errors are reported like argv errors.
  for (const { content } of optionFiles(tool, args, env)) {
    if (!content) continue
    // Each line is parsed on its own: an option at the end of a line does not take the next line.
    state.inFile = true
    for (const line of configFileLines(content)) {
      const fromLine = walkArgs(tool, line.map((b) => b.toString('latin1')), state)
      if (fromLine.stop) return fromLine.stop
      normalized.push(...fromLine.normalized)
    }
  }
  state.inFile = false
  const fromArgv = walkArgs(tool, args, state)
  if (fromArgv.stop) return fromArgv.stop
  normalized.push(...fromArgv.normalized)
  return { kind: 'run', options: buildOptions(tool, collect(tool, normalized), state) }
}

// yargs' parser, configured from the table, over words that are already `--key=value`. Repeated
// words come back as arrays; build.ts takes the last one for scalars (mosquitto: the last one wins).
// The walk has already refused every unknown or malformed word, so the full yargs instance (strict
// mode, commands, help) would only add work: it cost ~1.1 ms of a one-shot publish, and its code
// ~80 KB of the start-up snapshot.
function collect(tool: Tool, normalized: string[]): RawOptions {
  const parsed = Parser.detailed(normalized.map(guardValue), parserOptionsFor(tool))
  if (parsed.error) throw new UsageError(`Error: ${parsed.error.message}\n`)
  const raw = parsed.argv as unknown as RawOptions
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') raw[key] = unguard(value)
    else if (Array.isArray(value)) raw[key] = value.map(unguard)
  }
  return raw
}

// yargs' parser removes one pair of matching quotes around any value ("on" -> on); mosquitto
// takes every value verbatim (-m '"on"' publishes the quotes). So each value goes in behind a
// one-character guard, which is never a quote, and comes out without it.
const GUARD = '\u0001'

function guardValue(word: string): string {
  const eq = word.indexOf('=')
  return eq === -1 ? word : `${word.slice(0, eq + 1)}${GUARD}${word.slice(eq + 1)}`
}

function unguard(value: string): string {
  return value.startsWith(GUARD) ? value.slice(GUARD.length) : value
}

const PARSER_CONFIGURATION = {
  'short-option-groups': false,
  'camel-case-expansion': false,
  'dot-notation': false,
  'boolean-negation': false,
  'parse-numbers': false,
  'parse-positional-numbers': false,
  'greedy-arrays': false,
}

const STOPS_OR_FILES = new Set(['help', 'version', 'completion', 'optionsFile', 'profile'])

// Built once per tool (and, in the start-up snapshot, before the program starts).
const parserOptions = new Map<Tool, Parser.Options>()

function parserOptionsFor(tool: Tool): Parser.Options {
  const cached = parserOptions.get(tool)
  if (cached) return cached
  const booleans: string[] = []
  const strings: string[] = []
  const arrays: string[] = []
  for (const spec of OPTIONS) {
    // --help, --version and --completion stop the walk, so they never reach the parser.
    if (!spec.tools.includes(tool) || STOPS_OR_FILES.has(spec.key)) continue
    if (spec.arity === 0) {
      booleans.push(spec.key)
      continue
    }
    strings.push(spec.key)
    if (spec.repeat?.includes(tool)) arrays.push(spec.key)
  }
  // Set by the walk itself: -L and --unix expand to these.
  for (const key of ['password', 'username']) if (!strings.includes(key)) strings.push(key)
  const options: Parser.Options = { boolean: booleans, string: strings, array: arrays, configuration: PARSER_CONFIGURATION }
  parserOptions.set(tool, options)
  return options
}
