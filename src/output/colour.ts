// Colour where a person reads it: `Error:`/`Warning:` on stderr when stderr is a terminal, and the
// -d packet trace when stdout is one. Never payloads, never a pipe. chalk is loaded only when a
// terminal is involved (start-up cost), and given an explicit level: our rules, not its guesses
// (chalk also reads --color/--no-color anywhere in argv, which could be a payload).
import type { ChalkInstance } from 'chalk'
import { isTerminal, stderr } from './std-streams.js'

/** 0: no colour; 1-3: chalk's levels (basic, 256, truecolor). */
export type ColourLevel = 0 | 1 | 2 | 3

/**
 * FORCE_COLOR decides when set (0/false: off; 1, 2, 3, true or empty: on at that level), as in
 * Node and chalk; otherwise NO_COLOR (any non-empty value, no-color.org) turns colour off; otherwise
 * colour only on a terminal, and not for TERM=dumb.
 */
export function colourLevel(isTTY: boolean | undefined, env: NodeJS.ProcessEnv = process.env): ColourLevel {
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0
    const n = Number(force)
    return n === 2 || n === 3 ? n : 1
  }
  if (env.NO_COLOR) return 0
  if (!isTTY || env.TERM === 'dumb') return 0
  return env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit' ? 3 : env.TERM?.includes('256') ? 2 : 1
}

let errPaint: ChalkInstance | undefined
let outPaint: ChalkInstance | undefined

/** Decide colour for stderr and stdout once, at start; loads chalk only if either gets colour. */
export async function setUpColour(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const errLevel = colourLevel(isTerminal(2), env)
  const outLevel = colourLevel(isTerminal(1), env)
  if (errLevel === 0 && outLevel === 0) return
  const { Chalk } = await import('chalk')
  if (errLevel) errPaint = new Chalk({ level: errLevel })
  if (outLevel) outPaint = new Chalk({ level: outLevel })
}

/** Write an error or warning text (bytes kept as they are) to stderr, its label coloured on a terminal. */
export function writeErr(text: string | Buffer): void {
  const buf = typeof text === 'string' ? Buffer.from(text, 'utf8') : text
  if (!errPaint) {
    stderr().write(buf)
    return
  }
  stderr().write(buf.toString('latin1').replace(/^(\n?)(Error:|Warning:)/gm, (_, nl: string, label: string) =>
    nl + (label === 'Error:' ? errPaint!.red.bold(label) : errPaint!.yellow.bold(label))), 'latin1')
}

/** A -d line for stdout: packet names and directions coloured on a terminal, unchanged otherwise. */
export function paintDebug(line: string): string {
  if (!outPaint) return line
  const p = outPaint
  const m = /^(Client \S+ )(sending|received) ([A-Z]+)(.*)$/.exec(line)
  if (m) {
    const [, client, dir, packet, rest] = m
    const name = dir === 'sending' ? p.cyan.bold(packet) : p.green.bold(packet)
    // A non-zero return or reason code is worth seeing at a glance.
    const tail = rest.replace(/(\(|RC:|rc)([1-9]\d*)(\)|,|$)/g, (_, a: string, code: string, b: string) => a + p.red.bold(code) + b)
    return p.dim(client) + p.dim(dir) + ' ' + name + tail
  }
  if (line.startsWith('Received DISCONNECT') || line.startsWith('Warning:')) return p.yellow(line)
  if (line.startsWith('Subscribed')) return p.green(line)
  return line
}
