// Starts a tool, from a V8 start-up snapshot or from a plain run. When the bundle is being turned
// into a snapshot (scripts/snapshot.mjs), nothing runs now: the tool's main is registered to run
// when the snapshot is deserialised, where process.argv is [node, ...user words] (no script path).
import v8 from 'node:v8'
import { buildSnapshotLater } from './snapshot-later.js'

/** Run `run` with the user's words, now or when the start-up snapshot is deserialised. */
export function start(run: (args: readonly string[]) => Promise<void>, warmUp?: () => Promise<unknown>): void {
  if (v8.startupSnapshot?.isBuildingSnapshot()) {
    // The warm-up settles before the snapshot is written (the builder runs the event loop dry);
    // a timer it left behind would break every timer of the real runs, so that fails the build.
    void warmUp?.().then(() => {
      if (process.getActiveResourcesInfo().includes('Timeout')) throw new Error('the warm-up left a timer behind')
    })
    v8.startupSnapshot.setDeserializeMainFunction(() => void run(process.argv.slice(1)))
  } else {
    void run(process.argv.slice(2))
    buildSnapshotLater()
  }
}
