// tspub's message sources: -f (a file's exact bytes), -s (all of stdin) and -l (one message per
// line, streamed: stdin is never held whole, so a 1 GB input costs no more memory than a small one).
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import { ExitCode, ToolError } from '../core/errors.js'
import { MAX_REMAINING_LENGTH } from '../core/encode.js'
import type { MessageSource } from '../options/types.js'
import { systemErrorText } from '../transport/errno.js'

/** The largest payload MQTT can carry (mosquitto's MQTT_MAX_PAYLOAD). */
export const MAX_PAYLOAD = MAX_REMAINING_LENGTH

/**
 * The payload of -m, -f, -s or -n, read before connecting as mosquitto does (undefined for -l,
 * whose lines are read as they come, and when no source was given).
 */
export async function loadPayload(source: MessageSource | undefined): Promise<Buffer | undefined> {
  switch (source?.kind) {
    case 'message': return source.payload
    case 'file': return loadFile(source.path)
    case 'stdin-file':
      checkStdin()
      return readAllStdin()
    case 'stdin-line':
      checkStdin()
      return undefined
    case 'null': return Buffer.alloc(0)
    default: return undefined
  }
}

/** -f: the whole file, read in binary, with mosquitto's error texts. */
export function loadFile(path: Buffer): Buffer {
  const name = path.toString('latin1')
  const loadError = `Error loading input file "${name}".\n`
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch (err) {
    // mosquitto 2.1's text (2.0: 'Unable to open file "x".')
    throw new ToolError(ExitCode.USAGE, `Error: Unable to read file "${name}": ${systemErrorText(err as NodeJS.ErrnoException)}.\n${loadError}`)
  }
  try {
    const stat = fstatSync(fd)
    const tooBig = `Error: File must be less than ${MAX_PAYLOAD} bytes.\n\n${loadError}`
    // mosquitto 2.1's first line (it forgets the newline, then adds a second, garbled, line;
    // 2.0 fails the size check instead).
    if (stat.isDirectory()) throw new ToolError(ExitCode.USAGE, `Error: ${name} is not a file.\n${loadError}`)
    if (stat.size > MAX_PAYLOAD) throw new ToolError(ExitCode.USAGE, tooBig)
    return readToEnd(fd, stat.isFile() ? stat.size : 0, tooBig)
  } finally {
    closeSync(fd)
  }
}

// To EOF whatever the size said: /proc and /sys files say 0 or 4096, a pipe, a FIFO or a device
// (/dev/null, a process substitution) says nothing. One read of `sizeHint` bytes, then one to see
// EOF, for an ordinary file.
function readToEnd(fd: number, sizeHint: number, tooBig: string): Buffer {
  const chunks: Buffer[] = []
  let size = 0
  let want = sizeHint > 0 ? sizeHint : 65536
  for (;;) {
    const chunk = Buffer.allocUnsafe(want)
    const n = readSync(fd, chunk, 0, chunk.length, null)
    if (n === 0) return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
    size += n
    if (size > MAX_PAYLOAD) throw new ToolError(ExitCode.USAGE, tooBig)
    chunks.push(chunk.subarray(0, n))
    want = 65536
  }
}

/**
 * -s and -l read stdin: a directory there reads as empty in Node (mosquitto_pub -s crashes on one,
 * -l hangs), so it is refused by name before connecting.
 */
export function checkStdin(): void {
  let directory = false
  try {
    directory = fstatSync(0).isDirectory()
  } catch {
    return // no stdin at all: reading it ends at once, as for an empty one
  }
  if (directory) throw new ToolError(ExitCode.USAGE, 'Error: stdin is a directory.\nError loading input from stdin.\n')
}

/** -s: all of stdin as one message (read before connecting, as mosquitto does). */
export async function readAllStdin(stdin: NodeJS.ReadableStream = process.stdin): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    size += (chunk as Buffer).length
    if (size > MAX_PAYLOAD) {
      throw new ToolError(ExitCode.USAGE, `Error: Message length must be less than ${MAX_PAYLOAD} bytes.\n\nError loading input from stdin.\n`)
    }
    chunks.push(chunk as Buffer)
  }
  if (size === 0) throw new ToolError(ExitCode.USAGE, 'Error: Zero length input.\nError loading input from stdin.\n')
  return Buffer.concat(chunks, size)
}

/** Controls a running line reader. */
export interface LineReader {
  /** Continue after onLine returned false. */
  resume(): void
}

/**
 * -l: call onLine for every line of `input` (the "\n" removed; "\r" and NUL bytes kept; empty lines
 * are empty payloads; a last line without "\n" still counts). onLine returning false pauses reading
 * until resume(). onEnd runs once, after the last line.
 */
export function readLines(input: NodeJS.ReadableStream, onLine: (line: Buffer) => boolean, onEnd: (err?: Error) => void): LineReader {
  let partial: Buffer[] = []
  let partialSize = 0
  let paused = false
  const pause = (): void => {
    paused = true
    input.pause()
  }
  input.on('data', (chunk: Buffer) => {
    let start = 0
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      let line = chunk.subarray(start, nl)
      if (partialSize > 0) {
        line = Buffer.concat([...partial, line])
        partial = []
        partialSize = 0
      }
      start = nl + 1
      if (!onLine(line)) pause()
    }
    if (start < chunk.length) {
      partialSize += chunk.length - start
      if (partialSize > MAX_PAYLOAD) {
        input.removeAllListeners('data')
        input.pause()
        return onEnd(new ToolError(ExitCode.USAGE, `Error: Message length must be less than ${MAX_PAYLOAD} bytes.\n`))
      }
      partial.push(chunk.subarray(start))
    }
  })
  input.once('end', () => {
    if (partialSize > 0) onLine(Buffer.concat(partial))
    onEnd()
  })
  input.once('error', (err: Error) => onEnd(err))
  return {
    resume() {
      if (!paused) return
      paused = false
      input.resume()
    },
  }
}
