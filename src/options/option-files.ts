// Where option files come from: the default files (mosquitto's own ~/.config/mosquitto_pub, then
// our ~/.config/tspub), mosquitto 2.1's `-o FILE` (which replaces them), and our named profiles
// shared by every tool (`--profile prod` reads ~/.config/tsmqtt/prod), so hosts and credentials
// stay out of scripts. All are read before argv, in mosquitto's file format, so argv overrides them.
import { UsageError } from '../core/errors.js'
import { configFilePath, readConfigFile } from './config-file.js'
import { optionsFor, type Tool } from './table.js'

/**
 * Each tool's default options files, in reading order, looked up as mosquitto does (under
 * $XDG_CONFIG_HOME, else ~/.config). mosquitto's own file comes first, so the settings a user
 * already has for mosquitto's clients apply unchanged; ours comes second and overrides it, and
 * may hold our extensions (--pw-file...) that mosquitto's clients, reading the same first file,
 * would refuse. A missing file is skipped, as mosquitto does.
 */
export const DEFAULT_OPTION_FILES: Record<Tool, readonly string[]> = {
  pub: ['mosquitto_pub', 'tspub'],
  sub: ['mosquitto_sub', 'tssub'],
  rr: ['mosquitto_rr', 'tsrr'],
}

/** The folder of named profiles, under the user's config directory. */
export const PROFILE_DIR = 'tsmqtt'

/** One option file to read: its path, and its bytes (undefined when a default file is absent). */
export interface OptionFile {
  path: string
  content: Buffer | undefined
}

/** The option files for this command line, in reading order. */
export function optionFiles(tool: Tool, args: readonly string[], env: NodeJS.ProcessEnv): OptionFile[] {
  const { optionsFile, profiles } = scan(tool, args)
  const files: OptionFile[] = []
  if (optionsFile !== undefined) {
    const content = readConfigFile(optionsFile)
    if (content === undefined) throw new UsageError(`Error: Unable to read options file "${optionsFile}".\n`)
    files.push({ path: optionsFile, content })
  } else {
    for (const name of DEFAULT_OPTION_FILES[tool]) {
      const path = configFilePath(name, env)
      if (path !== undefined) files.push({ path, content: readConfigFile(path) })
    }
  }
  for (const name of profiles) files.push(profileFile(name, env))
  return files
}

function profileFile(name: string, env: NodeJS.ProcessEnv): OptionFile {
  if (name === '' || name.includes('/') || name.startsWith('.')) {
    throw new UsageError(`Error: Invalid profile name '${name}': use a plain file name from ~/.config/${PROFILE_DIR}/.\n`)
  }
  const dir = configFilePath(PROFILE_DIR, env)
  const path = `${dir}/${name}`
  const content = dir === undefined ? undefined : readConfigFile(path)
  if (content === undefined) throw new UsageError(`Error: No profile '${name}': ${path} cannot be read.\n`)
  return { path, content }
}

// Find -o and --profile in argv without checking anything else (the walk does that later),
// stepping over option values so that a value that looks like "-o" is not taken for one.
function scan(tool: Tool, args: readonly string[]): { optionsFile?: string; profiles: string[] } {
  const table = optionsFor(tool)
  let optionsFile: string | undefined
  const profiles: string[] = []
  for (let i = 0; i < args.length; i++) {
    const spec = table.get(args[i])
    if (!spec) continue
    if (spec.key === 'help' || spec.key === 'version') break
    if (spec.arity === 'property') {
      i += args[i + 2]?.toLowerCase() === 'user-property' ? 4 : 3
      continue
    }
    if (spec.arity === 0 || i + 1 >= args.length) continue
    const value = args[++i]
    if (spec.key === 'optionsFile') {
      // mosquitto 2.1: only one -o.
      if (optionsFile !== undefined) throw new UsageError('Error: Duplicate -o argument given.\n\n')
      optionsFile = value
    } else if (spec.key === 'profile') {
      profiles.push(value)
    }
  }
  return { optionsFile, profiles }
}
