// Runs one of our tools on a pseudo-terminal (util-linux `script`), as a person at a terminal runs
// it: the test reads the screen and types keys, control keys included (Backspace is DEL, 0x7f).
import { spawnSync } from 'node:child_process'
import { binPath, spawnCli, waitForOutput, type RunResult } from './run-cli.js'

/** A tool running on a pseudo-terminal. */
export interface OnPty {
  /** Everything the terminal showed so far (prompt, echo, the tool's stdout and stderr). */
  screen(): string
  /** Resolves once the screen shows `text` after the first `after` characters (0: anywhere). */
  waitFor(text: string, after?: number): Promise<void>
  /** Keys, as the terminal's keyboard sends them. */
  type(keys: string): void
  /** The exit status (a tool killed by a signal reports 128 + its number, as a shell would). */
  result: Promise<RunResult>
}

/** Whether `script` is there to give a pseudo-terminal. */
export const hasPty = process.platform === 'linux' && spawnSync('script', ['--version']).status === 0

// A generous bound for a hang, never a timing assertion: a loaded machine starts node slowly.
const HANG_MS = 15_000

/**
 * Start `tool args...` on a fresh pseudo-terminal (the words are single-quoted for the shell);
 * `thenRun`, a shell command, runs on the same terminal after it (the tool's status is kept).
 */
export function onPty(tool: 'tspub' | 'tssub', args: string[], thenRun?: string): OnPty {
  const quote = (w: string): string => `'${w.replace(/'/g, "'\\''")}'`
  let cmd = [binPath(tool), ...args].map(quote).join(' ')
  if (thenRun) cmd = `${cmd}; status=$?; ${thenRun}; exit $status`
  // -e: script exits with the tool's status; its stdin stays open (EOF would reach the tool as ^D).
  const run = spawnCli('script', ['-qec', cmd, '/dev/null'], { timeoutMs: HANG_MS })
  const screen = (): string => run.output().stdout.toString('latin1')
  return {
    screen,
    waitFor: async (text, after = 0) => {
      await waitForOutput(run, (soFar) => soFar.toString('latin1').indexOf(text, after) !== -1, HANG_MS)
    },
    type: (keys) => run.child.stdin!.write(keys),
    result: run.result,
  }
}
