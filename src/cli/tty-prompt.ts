// A hidden prompt on the controlling terminal (/dev/tty, as sudo and ssh use: stdin may be the
// message and stderr a log file), for --pw-prompt.
//
// Why not readline-sync, the library this started with: its helper script puts the terminal in raw
// mode and deletes every control character it reads, so Backspace and Ctrl-U do nothing, and
// Ctrl-C and Ctrl-D neither abort nor end the prompt. Node cannot turn off echo alone (canonical
// mode without echo, as getpass() does) — setRawMode is its only terminal setting — so the terminal
// goes to raw mode here and hidden-line.ts does the editing. Bytes are read one at a time and
// synchronously, so no event loop turn passes with the terminal in raw mode, and keys typed after
// Enter are not taken by accident: those already waiting (a paste) are handed on, cooked.
import { closeSync, constants, openSync, readSync, writeSync } from 'node:fs'
import tty from 'node:tty'
import { ExitCode, ToolError } from '../core/errors.js'
import { cookTypedAhead, HiddenLine } from './hidden-line.js'

/** The exit status of a prompt aborted with Ctrl-C: a shell's for a process killed by SIGINT. */
export const INTERRUPTED = 130

/** How to ask. */
export interface HiddenPrompt {
  prompt: string
  /** The error when there is no terminal to ask on. */
  noTerminal: string
  /** Takes the lines typed after Enter (when stdin, the same terminal, will be read next). */
  typedAhead?: (cooked: Buffer) => void
}

/** Ask on the terminal without echo; the answer's bytes as typed. */
export function askHidden(ask: HiddenPrompt): Buffer {
  let fd: number
  try {
    fd = openSync('/dev/tty', 'r+')
  } catch {
    throw new ToolError(ExitCode.USAGE, ask.noTerminal)
  }
  // Only to switch the mode: Node makes this descriptor non-blocking, so reads go through `fd`.
  const modes = new tty.ReadStream(openSync('/dev/tty', 'r'))
  try {
    return promptUntilAnswered(fd, modes, ask)
  } finally {
    modes.setRawMode(false)
    modes.destroy()
    closeSync(fd)
  }
}

function promptUntilAnswered(fd: number, modes: tty.ReadStream, ask: HiddenPrompt): Buffer {
  const line = new HiddenLine()
  for (;;) {
    // Raw before the prompt shows: a key typed as soon as it appears is not echoed.
    modes.setRawMode(true)
    writeSync(fd, ask.prompt)
    const outcome = readKeys(fd, line)
    const ahead = outcome === 'enter' && ask.typedAhead ? cookTypedAhead(takeWaiting()) : undefined
    modes.setRawMode(false)
    writeSync(fd, '\n')
    if (ahead === 'interrupt') return interrupt()
    switch (outcome) {
      case 'enter':
        if (ahead && ahead.length > 0) {
          writeSync(fd, ahead) // the echo the terminal would have given them
          ask.typedAhead!(ahead)
        }
        return line.value()
      case 'eof':
        throw new ToolError(ExitCode.USAGE, 'Error: no password was provided.\n')
      case 'interrupt':
        return interrupt()
      case 'suspend':
        // As sudo: the terminal back as it was, stop as Ctrl-Z stops a program, ask again on `fg`.
        process.kill(process.pid, 'SIGTSTP')
        line.clear()
        continue
    }
  }
}

// Read keys until one ends the line; the terminal closing counts as Ctrl-D.
function readKeys(fd: number, line: HiddenLine): 'enter' | 'eof' | 'interrupt' | 'suspend' {
  const byte = Buffer.alloc(1)
  for (;;) {
    let n: number
    try {
      n = readSync(fd, byte, 0, 1, null)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EINTR') continue
      return 'eof'
    }
    if (n === 0) return 'eof'
    const outcome = line.feed(byte[0])
    if (outcome !== 'more') return outcome
  }
}

// What is already waiting at the terminal, without waiting for more.
function takeWaiting(): Buffer {
  const fd = openSync('/dev/tty', constants.O_RDONLY | constants.O_NONBLOCK)
  const chunks: Buffer[] = []
  try {
    for (;;) {
      const chunk = Buffer.alloc(4096)
      const n = readSync(fd, chunk, 0, chunk.length, null)
      if (n <= 0) break
      chunks.push(chunk.subarray(0, n))
    }
  } catch {
    // EAGAIN: nothing more waiting
  } finally {
    closeSync(fd)
  }
  return Buffer.concat(chunks)
}

// Ctrl-C: the terminal is already restored; end as Ctrl-C ends tspub anywhere else (killed by
// SIGINT, which a shell reports as 130 and which stops a script's loop), nothing sent. When SIGINT
// has a listener (tssub's, or a caller that ignores it), exit 130 instead.
function interrupt(): never {
  if (process.listenerCount('SIGINT') === 0) process.kill(process.pid, 'SIGINT')
  throw new ToolError(INTERRUPTED, '')
}
