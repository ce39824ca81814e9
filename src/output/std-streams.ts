// process.stdout and process.stderr, created only when used: creating the stream objects costs
// about two milliseconds of start-up, which a one-shot publish that prints nothing need not pay.
// At exit, only the streams that were used have bytes to wait for.
import tty from 'node:tty'

let usedOut = false
let usedErr = false
/** The first error writing to stdout (a full disk, a closed pipe), if any. */
let outError: NodeJS.ErrnoException | undefined

/** process.stdout, marked as used. */
export function stdout(): NodeJS.WriteStream {
  if (!usedOut) {
    usedOut = true
    // A failed write must not pass unnoticed (nor crash the run): the exit status reports it.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => (outError ??= err))
  }
  return process.stdout
}

/** Why writing to stdout failed, if it did. */
export function stdoutError(): NodeJS.ErrnoException | undefined {
  return outError
}

/** process.stderr, marked as used. */
export function stderr(): NodeJS.WriteStream {
  usedErr = true
  return process.stderr
}

/** Whether file descriptor 1 or 2 is a terminal, without creating its stream. */
export function isTerminal(fd: 1 | 2): boolean {
  return tty.isatty(fd)
}

/**
 * Call `done` once everything written to stdout and stderr has left: a write's callback runs after
 * the bytes before it (a pipe with a slow reader can hold them back; process.exit() would drop them).
 */
export function whenStdFlushed(done: () => void): void {
  const afterErr = (): void => (usedErr ? void process.stderr.write('', () => done()) : done())
  if (usedOut) process.stdout.write('', (err?: Error | null) => {
    if (err) outError ??= err
    afterErr()
  })
  else afterErr()
}
