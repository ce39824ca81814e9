// parseCommandLine(): config file + argv -> typed Options, through the one option table.
// walk.ts applies mosquitto's word rules and per-value checks; yargs collects the normalised words
// (repeatable options accumulate, scalars: last one wins); build.ts types them and runs the
// post-parse checks.
import yargs from 'yargs/yargs'
import { UsageError } from '../core/errors.js'
import { buildOptions, type RawOptions } from './build.js'
import { configFileLines } from './config-file.js'
import { optionFiles } from './option-files.js'
import { OPTIONS, type Tool } from './table.js'
import type { ParseResult } from './types.js'
import { newWalkState, walkArgs } from './walk.js'

/** Parse the config file of `toolName` (unless absent) followed by `args` (byte strings). */
export function parseCommandLine(tool: Tool, toolName: string, args: readonly string[], env: NodeJS.ProcessEnv): ParseResult {
  const state = newWalkState()
  const normalized: string[] = []
  // mosquitto: the config file is read first and its errors are reported like argv errors.
  for (const { content } of optionFiles(tool, toolName, args, env)) {
    if (!content) continue
    // Each line is parsed on its own: an option at the end of a line does not take the next line.
    for (const line of configFileLines(content)) {
      const fromLine = walkArgs(tool, line.map((b) => b.toString('latin1')), state)
      if (fromLine.stop) return { kind: fromLine.stop }
      normalized.push(...fromLine.normalized)
    }
  }
  const fromArgv = walkArgs(tool, args, state)
  if (fromArgv.stop) return { kind: fromArgv.stop }
  normalized.push(...fromArgv.normalized)
  return { kind: 'run', options: buildOptions(tool, collect(tool, normalized), state) }
}

// yargs, configured from the table, over words that are already `--key=value`. Repeated words
// come back as arrays; build.ts takes the last one for scalars (mosquitto: the last one wins).
function collect(tool: Tool, normalized: string[]): RawOptions {
  return parserFor(tool).parseSync(normalized) as unknown as RawOptions
}

// One configured yargs instance per tool, built once (and, in the start-up snapshot, before the
// program starts): configuring ~70 options costs more than parsing a command line.
const parsers = new Map<Tool, ReturnType<typeof yargs>>()

function parserFor(tool: Tool): ReturnType<typeof yargs> {
  const cached = parsers.get(tool)
  if (cached) return cached
  const specs: Record<string, { type: 'string' | 'boolean'; array?: boolean }> = {}
  for (const spec of OPTIONS) {
    // --help and --version stop the walk, so they never reach yargs (which reserves "version").
    if (!spec.tools.includes(tool) || spec.key === 'help' || spec.key === 'version' || spec.key === 'optionsFile' || spec.key === 'profile') continue
    specs[spec.key] = spec.arity === 0 ? { type: 'boolean' } : { type: 'string', array: spec.repeat?.includes(tool) ?? false }
  }
  // Set by the walk itself: -L and --unix expand to these.
  specs.password ??= { type: 'string' }
  specs.username ??= { type: 'string' }
  const parser = yargs()
    .parserConfiguration({
      'short-option-groups': false,
      'camel-case-expansion': false,
      'dot-notation': false,
      'boolean-negation': false,
      'parse-numbers': false,
      'parse-positional-numbers': false,
      'greedy-arrays': false,
    })
    .options(specs)
    .strict()
    .help(false)
    .version(false)
    .exitProcess(false)
    .fail((msg) => {
      // The walk already refused everything yargs could object to; reaching here is our bug.
      throw new UsageError(`Error: ${msg}\n`)
    })
  parsers.set(tool, parser)
  return parser
}
