// First use of an install whose postinstall script did not run (npm --ignore-scripts, npm 11's
// allowScripts): bin/<tool> found no start-up snapshot for this node and named, in
// TSMQTT_SNAPSHOT_CACHE, the directory of the user's cache where one belongs. Build it there in the
// background (scripts/snapshot.mjs, ~1.5 s of CPU once), so that the next run starts from it.
import { mkdirSync, statSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// A builder is running (its lock is younger than this): do not start another.
const BUSY_MS = 10 * 60_000
// A build that failed is tried again after this long (not at every run).
const RETRY_FAILED_MS = 24 * 3600_000

/** Start the builder for the directory bin/<tool> named, unless one runs or recently failed. */
export function buildSnapshotLater(env: NodeJS.ProcessEnv = process.env): void {
  const into = env.TSMQTT_SNAPSHOT_CACHE
  if (!into) return
  // not handed on to anything this process starts
  delete env.TSMQTT_SNAPSHOT_CACHE
  try {
    if (youngerThan(`${into}/build.lock`, BUSY_MS) || youngerThan(`${into}/build.failed`, RETRY_FAILED_MS)) return
    mkdirSync(into, { recursive: true, mode: 0o700 })
    // The bundle is dist/bundle/<tool>.cjs; the builder ships beside it in scripts/.
    const builder = fileURLToPath(new URL('../../scripts/snapshot.mjs', import.meta.url))
    // loaded here, not imported: node:child_process would otherwise weigh on every start-up snapshot
    const { spawn } = process.getBuiltinModule('node:child_process')
    spawn(process.execPath, [builder, '--cache', into], { detached: true, stdio: 'ignore' })
      .on('error', () => {})
      .unref()
  } catch {
    // no cache (read-only home, a file in the way): the bundle goes on working
  }
}

function youngerThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < ms
  } catch {
    return false
  }
}
