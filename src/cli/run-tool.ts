// The one place where errors become text on stderr and an exit code.
import { ExitCode, ToolError, UsageError } from '../core/errors.js'
import { setUpColour, writeErr } from '../output/colour.js'
import { stderr, stdoutError, whenStdFlushed } from '../output/std-streams.js'
import { systemErrorText } from '../transport/errno.js'
import { setUpSignals } from './signals.js'

/** Shared by a tool's main and the error reporter: --quiet is only known after parsing. */
export interface ToolContext {
  name: string
  quiet: boolean
}

/** Run a tool's main, then exit with its code once stdout and stderr have taken their bytes. */
export async function runTool(name: string, main: (ctx: ToolContext) => Promise<number>): Promise<void> {
  const ctx: ToolContext = { name, quiet: false }
  // If the event loop empties while main is still waiting, some promise was never going to
  // settle: that is our bug, and it must not pass for success (exit 0).
  const stalled = (): void => {
    writeErr('Error: internal error: the run stopped with work pending.\n')
    process.exitCode = 1
  }
  process.once('beforeExit', stalled)
  setUpSignals()
  try {
    await setUpColour()
    process.exitCode = await main(ctx)
  } catch (err) {
    process.exitCode = report(ctx, err)
  } finally {
    process.off('beforeExit', stalled)
  }
  // The run is over: if some handle still holds the event loop (a bug, not a feature), do not
  // hang a script forever. The timer is unref'd, so it never delays a normal exit.
  setTimeout(() => process.exit(), 3000).unref()
  // Leave as soon as the output is out: process.exit() skips tearing down the whole environment
  // and heap, which a natural exit does (a few milliseconds of every run).
  whenStdFlushed(() => {
    if (!reportStdoutFailure()) return process.exit()
    whenStdFlushed(() => process.exit())
  })
}

/**
 * Output that could not be written is a failure, not a success (`> /dev/full`): say so and exit
 * with libmosquitto's "system call failed" status. A reader that went away (EPIPE, `| head -1`)
 * took what it wanted: that stays a success. True when it printed something.
 */
function reportStdoutFailure(): boolean {
  const err = stdoutError()
  if (!err || err.code === 'EPIPE' || (process.exitCode !== undefined && process.exitCode !== 0)) return false
  writeErr(`Error: Unable to write to stdout: ${systemErrorText(err)}.\n`)
  process.exitCode = ExitCode.ERRNO
  return true
}

/** Print an error the way mosquitto does and return the exit code. */
export function report(ctx: ToolContext, err: unknown): number {
  if (err instanceof UsageError) {
    // mosquitto: option errors are printed even with --quiet.
    writeErr(err.text)
    if (err.withUsageHint) stderr().write(`\nUse '${ctx.name} --help' to see usage.\n`)
    return 1
  }
  if (err instanceof ToolError) {
    if (!ctx.quiet && err.text) writeErr(err.text)
    return err.exitCode
  }
  const detail = process.env.TSMQTT_DEBUG ? (err as Error)?.stack : (err as Error)?.message
  writeErr(`Error: ${detail ?? String(err)}\n`)
  return 1
}
