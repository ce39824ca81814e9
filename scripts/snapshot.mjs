#!/usr/bin/env node
// Builds a V8 start-up snapshot of each bundled tool (dist/bundle/<tool>.cjs) for THIS node binary:
// the tools then start without parsing or initialising any JavaScript of their own.
//
//   node scripts/snapshot.mjs              into dist/snapshot/ (npm run build, postinstall)
//   node scripts/snapshot.mjs --cache DIR  into DIR, a directory of the user's cache that bin/<tool>
//                                          named (first use of an install without its postinstall)
//
// A blob fits only the node binary that built it: another node exits 14 on it ("built with
// Node.js version ..."), and a damaged one crashes it. So every blob is written under another
// name, tried once, then given the node binary's modification time (`touch -r`) and renamed into
// place: bin/<tool> uses a blob only when its time equals that of the node it is about to run,
// which any change to the binary and any write to the blob breaks. Failing here is never fatal:
// the bundle still runs.
import { spawnSync } from 'node:child_process'
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { V8_FLAGS } from './v8-flags.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const bundles = `${root}/dist/bundle`
// A lock older than this is left over from a builder that died: take it over.
const STALE_LOCK_MS = 10 * 60_000

const cacheAt = process.argv.indexOf('--cache')
const into = cacheAt >= 0 ? process.argv[cacheAt + 1] : `${root}/dist/snapshot`
if (!into) {
  process.stderr.write('snapshot: --cache needs a directory\n')
  process.exit(2)
}
const tools = existsSync(bundles) ? readdirSync(bundles).filter((f) => f.endsWith('.cjs')).map((f) => f.slice(0, -4)) : []

// NODE_OPTIONS may carry V8 flags, which the blob would be built under (bin/<tool> runs a blob
// only without NODE_OPTIONS).
const env = { ...process.env }
delete env.NODE_OPTIONS

/** Build, check and seal one tool's blob; returns what went wrong, or undefined. */
function buildBlob(tool) {
  const blob = `${into}/${tool}.blob`
  const tmp = `${blob}.${process.pid}.tmp`
  try {
    const built = spawnSync(process.execPath, [...V8_FLAGS, '--snapshot-blob', tmp, '--build-snapshot', `${bundles}/${tool}.cjs`], { encoding: 'utf8', env })
    if (built.status !== 0) return `could not build ${tool}'s start-up snapshot:\n${(built.stderr ?? '').split('\n').slice(-8).join('\n')}`
    const tried = spawnSync(process.execPath, [...V8_FLAGS, '--snapshot-blob', tmp, '--', '--version'], { encoding: 'utf8', env })
    if (tried.status !== 0) return `${tool}'s start-up snapshot does not start (exit ${tried.status}): ${tried.stderr}`
    // utimes() would round the time to a fraction of a microsecond; the wrapper compares nanoseconds.
    const sealed = spawnSync('touch', ['-r', process.execPath, tmp], { encoding: 'utf8' })
    if (sealed.status !== 0) return `could not give ${tool}'s snapshot the node binary's time: ${sealed.stderr ?? sealed.error}`
    renameSync(tmp, blob)
    return undefined
  } catch (err) {
    return `${tool}'s start-up snapshot: ${err.message}`
  } finally {
    rmSync(tmp, { force: true })
  }
}

/** Take the directory's lock (one builder at a time); false when another builder holds it. */
function lock(file) {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(file, 'wx'))
      return true
    } catch (err) {
      if (err.code !== 'EEXIST') throw err
      if (Date.now() - statSync(file).mtimeMs < STALE_LOCK_MS) return false
      rmSync(file, { force: true })
    }
  }
  return false
}

function main() {
  // a user's cache is theirs alone; dist/ is read by every user of a global install
  mkdirSync(into, { recursive: true, mode: cacheAt >= 0 ? 0o700 : 0o755 })
  const lockFile = `${into}/build.lock`
  if (cacheAt >= 0 && !lock(lockFile)) return 0
  const problems = []
  try {
    for (const tool of tools) {
      // the old blob goes first: a run in between takes the bundle, never a blob of another build
      rmSync(`${into}/${tool}.blob`, { force: true })
      const problem = buildBlob(tool)
      if (problem) problems.push(problem)
    }
    // a build that cannot work here is not tried again at every run (src/cli/snapshot-later.ts)
    if (cacheAt >= 0 && problems.length > 0) writeFileSync(`${into}/build.failed`, problems.join('\n') + '\n')
  } finally {
    if (cacheAt >= 0) rmSync(lockFile, { force: true })
  }
  if (cacheAt < 0) for (const p of problems) process.stderr.write(`snapshot: ${p} (the bundle will be used)\n`)
  return problems.length > 0 && process.env.TSMQTT_SNAPSHOT_REQUIRED ? 1 : 0
}

process.exitCode = main()
