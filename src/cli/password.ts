// Passwords off the command line: --pw-file, --pw-prompt (a hidden prompt on the terminal) and the
// TSMQTT_PASSWORD environment variable. An explicit -P still wins, as the last word of the user.
import { readFileSync } from 'node:fs'
import { isatty } from 'node:tty'
import { ExitCode, ToolError } from '../core/errors.js'
import type { Options } from '../options/types.js'
import { systemErrorText } from '../transport/errno.js'
import { askHidden } from './tty-prompt.js'

/** The environment variable read when -u is given without any password option. */
export const PASSWORD_ENV = 'TSMQTT_PASSWORD'

/**
 * Checks that need no password yet, so that nothing fails after the user typed one: MQTT v3.x sends
 * a password only with a user name (mosquitto's "Problem setting username and/or password" for -P).
 */
export function checkPasswordSource(o: Options): void {
  if (o.password !== undefined || o.username !== undefined || o.protocolVersion === 5) return
  const source = o.pwFile !== undefined ? '--pw-file' : o.pwPrompt ? '--pw-prompt' : undefined
  if (source) throw new ToolError(ExitCode.USAGE, `Error: ${source} needs -u: MQTT v3.x sends a password only with a user name.\n`)
}

/** Fill o.password from --pw-file, --pw-prompt or the environment (in that order), if -P did not. */
export function resolvePassword(o: Options, env: NodeJS.ProcessEnv = process.env): void {
  if (o.password !== undefined) return
  if (o.pwFile !== undefined) {
    o.password = firstLine(o.pwFile)
  } else if (o.pwPrompt) {
    const user = o.username ? ` for ${o.username.toString('utf8')}` : ''
    o.password = askHidden({
      prompt: `Password${user}: `,
      noTerminal: 'Error: --pw-prompt needs a terminal to ask for the password (use --pw-file or TSMQTT_PASSWORD in scripts).\n',
      // tspub -s / -l read stdin next: when it is the terminal, lines pasted with the password are theirs.
      typedAhead: readsStdin(o) && isatty(0) ? (cooked) => process.stdin.unshift(cooked) : undefined,
    })
  } else if (o.username !== undefined && env[PASSWORD_ENV] !== undefined) {
    o.password = Buffer.from(env[PASSWORD_ENV]!, 'utf8')
  }
}

function readsStdin(o: Options): boolean {
  return o.source?.kind === 'stdin-file' || o.source?.kind === 'stdin-line'
}

// The file's first line, without its line ending: `echo secret > file` works as expected. Read to
// its end whatever its size says (a FIFO, /proc, a process substitution).
function firstLine(path: Buffer): Buffer {
  const name = path.toString('latin1')
  let data: Buffer
  try {
    data = readFileSync(path)
  } catch (err) {
    throw new ToolError(ExitCode.USAGE, `Error: --pw-file: cannot read ${name} (${systemErrorText(err as NodeJS.ErrnoException)}).\n`)
  }
  const nl = data.indexOf(10)
  let line = nl === -1 ? data : data.subarray(0, nl)
  if (line.length > 0 && line[line.length - 1] === 13) line = line.subarray(0, line.length - 1)
  // An empty password sent without a word is a truncated or wrong file far more often than a wish
  // (-P '' says it on purpose).
  if (line.length === 0) {
    const what = data.length === 0 ? `${name} is empty` : `the first line of ${name} is empty`
    throw new ToolError(ExitCode.USAGE, `Error: --pw-file: ${what}, so there is no password to send (-P '' sends an empty one).\n`)
  }
  return line
}
