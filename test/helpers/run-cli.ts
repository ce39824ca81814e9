// Spawns the built tools (or any binary, e.g. mosquitto_pub for differential tests) with a clean,
// predictable environment, byte-exact argv, and bounded run time.
import { spawn, type ChildProcess } from 'node:child_process'
import os from 'node:os'
import path from 'node:path'
import type { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'

// What a finished run produced.
export interface RunResult {
  code: number | null
  signal: string | null
  stdout: Buffer
  stderr: string
  stderrBuf: Buffer
}

// Options of runCli and spawnCli.
export interface RunOptions {
  // Bytes for the child's stdin, then EOF. Without it runCli gives an empty stdin (EOF at once)
  // and spawnCli leaves child.stdin open for the test to write to and end.
  stdin?: Buffer | string | NodeJS.ReadableStream
  // Added to (and overriding) the clean environment; an undefined value removes a variable.
  env?: Record<string, string | undefined>
  // After this the child gets SIGKILL and the result rejects with the output so far (default 10000).
  timeoutMs?: number
  cwd?: string
}

// A process started by spawnCli: the child (to signal it), its final result, and what it has
// printed so far (waitForOutput reads this, so output printed before the wait is not missed).
export interface SpawnedCli {
  child: ChildProcess
  result: Promise<RunResult>
  output(): { stdout: Buffer, stderr: Buffer }
}

const DEFAULT_TIMEOUT_MS = 10_000

// Environment variables that would make a run depend on the developer's shell: Node flags and
// the test runner's own context, debug switches (mqtt-packet logs through `debug`), colour and
// terminal hints, locale (mosquitto prints strerror() text) and any user config location.
const STRIPPED_ENV = [
  /^NODE_OPTIONS$/, /^NODE_TEST_CONTEXT$/, /^NODE_DEBUG$/, /^NODE_PENDING_DEPRECATION$/, /^DEBUG$/,
  /^FORCE_COLOR$/, /^NO_COLOR$/, /^NODE_DISABLE_COLORS$/, /^CLICOLOR/, /^COLORTERM$/, /^TERM$/,
  /^COLUMNS$/, /^LINES$/, /^LANG$/, /^LANGUAGE$/, /^LC_/, /^TZ$/, /^XDG_CONFIG_HOME$/, /^GLIBC_TUNABLES$/,
]

// A directory that never exists: with XDG_CONFIG_HOME set, mosquitto (and we) read
// $XDG_CONFIG_HOME/<tool> and do not fall back to ~/.config, so no user config file is read.
const NO_CONFIG_DIR = path.join(os.tmpdir(), `tspub-test-no-config-${process.pid}-does-not-exist`)
// A cache directory that can never be made: a run that finds no start-up snapshot for its node
// would otherwise build one into the user's ~/.cache (src/cli/snapshot-later.ts).
export const NO_CACHE_DIR = '/dev/null/tspub-test-no-cache'

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of live) killTree(child)
})

// Children run in their own process group (detached), so that a timeout also kills whatever
// they started, and a Ctrl-C meant for the test runner does not reach them first.
function killTree(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
  } catch {
    child.kill('SIGKILL')
  }
}

// Absolute path of bin/tspub, bin/tssub or bin/tsrr, from this file's compiled place (dist/test/helpers/).
export const binPath = (tool: 'tspub' | 'tssub' | 'tsrr'): string =>
  fileURLToPath(new URL(`../../../bin/${tool}`, import.meta.url))

// The environment every child gets unless a test overrides it.
export function cleanEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (!STRIPPED_ENV.some((re) => re.test(k))) env[k] = v
  }
  Object.assign(env, { XDG_CONFIG_HOME: NO_CONFIG_DIR, XDG_CACHE_HOME: NO_CACHE_DIR, NO_COLOR: '1', LC_ALL: 'C', TZ: 'UTC' }, extra)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}

// Runs a tool to completion and collects its exit status and output.
export function runCli(tool: string, args: (string | Buffer)[], opts: RunOptions = {}): Promise<RunResult> {
  return spawnCli(tool, args, { ...opts, stdin: opts.stdin ?? Buffer.alloc(0) }).result
}

// Starts a tool and returns at once, for long-running tssub: the test signals the child and
// awaits `result`; the timeout still applies (pass a larger timeoutMs for long scenarios).
export function spawnCli(tool: string, args: (string | Buffer)[], opts: RunOptions = {}): SpawnedCli {
  const { file, argv } = commandLine(tool, args)
  const child = spawn(file, argv, { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], detached: true })
  live.add(child)
  const out: Buffer[] = []
  const err: Buffer[] = []
  child.stdout?.on('data', (c: Buffer) => out.push(c))
  child.stderr?.on('data', (c: Buffer) => err.push(c))
  // The child may exit without reading its stdin; that EPIPE is not the test's concern.
  child.stdin?.on('error', () => {})
  feedStdin(child, opts.stdin)
  const output = (): { stdout: Buffer, stderr: Buffer } => ({ stdout: Buffer.concat(out), stderr: Buffer.concat(err) })
  const label = `${tool} ${args.map((a) => JSON.stringify(Buffer.isBuffer(a) ? a.toString('latin1') : a)).join(' ')}`
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS

  const result = new Promise<RunResult>((resolve, reject) => {
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killTree(child)
    }, timeoutMs)
    child.once('error', (e) => {
      clearTimeout(timer)
      live.delete(child)
      reject(new Error(`cannot run ${label}: ${e.message}`))
    })
    // 'close' (not 'exit'), so that all output has been read: on a loaded machine the last bytes
    // can sit in the pipe well after the exit (a 500 ms cut-off once lost a whole stderr). A
    // grandchild that kept the pipes open holds 'close' back until the timeout kills the group.
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      live.delete(child)
      child.stdin?.destroy()
      const { stdout, stderr } = output()
      if (timedOut) {
        reject(new Error(`${label}: timed out after ${timeoutMs} ms and was killed with SIGKILL\n` +
          `stdout so far: ${JSON.stringify(stdout.toString('latin1'))}\nstderr so far: ${JSON.stringify(stderr.toString())}`))
        return
      }
      resolve({ code, signal, stdout, stderr: stderr.toString(), stderrBuf: stderr })
    })
  })
  // Keeps a rejection the test never awaited from crashing the process; awaiting still rejects.
  result.catch(() => {})
  return { child, result, output }
}

function feedStdin(child: ChildProcess, stdin: RunOptions['stdin']): void {
  if (stdin === undefined || child.stdin === null) return
  if (typeof stdin === 'string' || Buffer.isBuffer(stdin)) child.stdin.end(stdin)
  else (stdin as Readable).pipe(child.stdin)
}

// File and argv to spawn. child_process only takes
// strings and encodes them as UTF-8, so an argument that must reach the child as arbitrary bytes
// (a Buffer) goes through /bin/sh: its bytes are written as octal escapes in the script, printf
// rebuilds them, and `exec` replaces the shell, so the child's pid is the spawned pid. Limits of
// this: argv cannot hold NUL bytes (rejected here), and a Buffer argument of N bytes can take up
// to 4N bytes of script, which Linux caps at 128 KiB per argument.
export function commandLine(tool: string, args: (string | Buffer)[]): { file: string, argv: string[] } {
  // Our tools run as installed: bin/tspub is a shell wrapper that picks the start-up snapshot.
  const isOurs = tool === 'tspub' || tool === 'tssub' || tool === 'tsrr'
  const file = isOurs ? binPath(tool) : tool
  const pre: string[] = []
  if (!args.some((a) => Buffer.isBuffer(a))) return { file, argv: [...pre, ...(args as string[])] }

  const all: (string | Buffer)[] = [...pre, ...args]
  const lines: string[] = []
  const refs: string[] = []
  const positional: string[] = []
  all.forEach((a, i) => {
    const n = i + 1
    if (Buffer.isBuffer(a)) {
      if (a.includes(0)) throw new Error('runCli: an argument cannot contain a NUL byte (argv strings end at NUL)')
      // The trailing x survives command substitution, which would strip trailing newlines.
      lines.push(`a${n}=$(printf '${printfEscape(a)}x'); a${n}=\${a${n}%x}`)
      positional.push('')
    } else {
      lines.push(`a${n}=\${${n}}`)
      positional.push(a)
    }
    refs.push(`"$a${n}"`)
  })
  lines.push(`exec "$0" ${refs.join(' ')}`)
  return { file: '/bin/sh', argv: ['-c', lines.join('\n'), file, ...positional] }
}

// Bytes as a printf format inside single quotes: printable ASCII as is, except the characters
// that mean something to printf (\ %) or end the quoting ('), which become \ooo like all others.
function printfEscape(buf: Buffer): string {
  let s = ''
  for (const b of buf) {
    if (b >= 0x20 && b < 0x7f && b !== 0x25 && b !== 0x27 && b !== 0x5c) s += String.fromCharCode(b)
    else s += '\\' + b.toString(8).padStart(3, '0')
  }
  return s
}

// Waits until the child (or a stream) has printed something matching `match` (a substring, a
// RegExp on the latin1 text, or a predicate on all bytes so far) and resolves with all bytes so
// far. Rejects after timeoutMs, or when the stream ends first, with what was printed.
export function waitForOutput(
  target: SpawnedCli | NodeJS.ReadableStream,
  match: string | RegExp | ((soFar: Buffer) => boolean),
  timeoutMs = 5000,
  which: 'stdout' | 'stderr' = 'stdout',
): Promise<Buffer> {
  const test = (buf: Buffer): boolean => typeof match === 'function' ? match(buf)
    : typeof match === 'string' ? buf.includes(match) : match.test(buf.toString('latin1'))
  const spawned = 'child' in target ? target : undefined
  const stream = (spawned ? spawned.child[which] : target) as Readable | null
  if (stream === null) return Promise.reject(new Error(`waitForOutput: no ${which} stream`))
  const chunks: Buffer[] = spawned ? [spawned.output()[which]] : []

  return new Promise((resolve, reject) => {
    const soFar = (): Buffer => Buffer.concat(chunks)
    const finish = (error?: Error): void => {
      clearTimeout(timer)
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('close', onEnd)
      if (error) reject(error)
      else resolve(soFar())
    }
    const onData = (c: Buffer): void => {
      chunks.push(c)
      if (test(soFar())) finish()
    }
    const describeWant = typeof match === 'function' ? 'the predicate' : String(match)
    const onEnd = (): void => finish(new Error(
      `waitForOutput: ${which} ended before ${describeWant}; got ${JSON.stringify(soFar().toString('latin1'))}`))
    const timer = setTimeout(() => finish(new Error(
      `waitForOutput: no ${describeWant} on ${which} after ${timeoutMs} ms; got ${JSON.stringify(soFar().toString('latin1'))}`)),
    timeoutMs)
    if (test(soFar())) {
      finish()
      return
    }
    if (stream.readableEnded || stream.destroyed) {
      onEnd()
      return
    }
    stream.on('data', onData)
    stream.once('end', onEnd)
    stream.once('close', onEnd)
  })
}
