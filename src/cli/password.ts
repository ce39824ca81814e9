// Passwords off the command line: --pw-file, --pw-prompt (a hidden prompt on the terminal) and the
// TSMQTT_PASSWORD environment variable. An explicit -P still wins, as the last word of the user.
import { readFileSync } from 'node:fs'
import { ExitCode, ToolError } from '../core/errors.js'
import type { Options } from '../options/types.js'
import { isTerminal } from '../output/std-streams.js'

/** The environment variable read when -u is given without any password option. */
export const PASSWORD_ENV = 'TSMQTT_PASSWORD'

/** Fill o.password from --pw-file, --pw-prompt or the environment (in that order), if -P did not. */
export function resolvePassword(o: Options, env: NodeJS.ProcessEnv = process.env): void {
  if (o.password !== undefined) return
  if (o.pwFile !== undefined) {
    o.password = firstLine(o.pwFile)
  } else if (o.pwPrompt) {
    o.password = prompt(o)
  } else if (o.username !== undefined && env[PASSWORD_ENV] !== undefined) {
    o.password = Buffer.from(env[PASSWORD_ENV]!, 'utf8')
  }
}

// The file's first line, without its line ending: `echo secret > file` works as expected.
function firstLine(path: Buffer): Buffer {
  let data: Buffer
  try {
    data = readFileSync(path)
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message
    throw new ToolError(ExitCode.USAGE, `Error: --pw-file: cannot read ${path.toString('latin1')} (${why}).\n`)
  }
  const nl = data.indexOf(10)
  let line = nl === -1 ? data : data.subarray(0, nl)
  if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1)
  return line
}

// readline-sync runs a helper script beside its own file, so it is loaded from node_modules only
// when a prompt is really needed (never bundled, never at start-up).
function prompt(o: Options): Buffer {
  if (!process.stdin.isTTY && !isTerminal(2)) {
    throw new ToolError(ExitCode.USAGE, 'Error: --pw-prompt needs a terminal to ask for the password (use --pw-file or TSMQTT_PASSWORD in scripts).\n')
  }
  // node:module is loaded only here (start-up would otherwise carry it and the ESM loader).
  const { createRequire } = process.getBuiltinModule('node:module')
  const readlineSync = createRequire(import.meta.url)('readline-sync') as typeof import('readline-sync')
  const user = o.username ? ` for ${o.username.toString('utf8')}` : ''
  const answer = readlineSync.question(`Password${user}: `, { hideEchoBack: true, mask: '', keepWhitespace: true })
  return Buffer.from(answer, 'utf8')
}
