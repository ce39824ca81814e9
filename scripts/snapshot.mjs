#!/usr/bin/env node
// Builds a V8 start-up snapshot of each bundled tool for THIS node binary
// (dist/snapshot/ts{pub,sub,rr}.blob): the tools then start without parsing or initialising any
// JavaScript of their own. bin/tspub, bin/tssub and bin/tsrr use a blob only when it is newer than
// the node binary; otherwise they run the bundle. Failing here is not fatal: the bundle still works.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
// Kept in step with bin/tspub, bin/tssub and bin/tsrr: a small young generation, so a flood of messages
// (or a stalled stdout) does not let short-lived garbage grow the process by tens of megabytes.
const V8_FLAGS = ['--max-semi-space-size=2']
mkdirSync(`${root}/dist/snapshot`, { recursive: true })
let failed = false
for (const tool of ['tspub', 'tssub', 'tsrr']) {
  const bundle = `${root}/dist/bundle/${tool}.cjs`
  const blob = `${root}/dist/snapshot/${tool}.blob`
  rmSync(blob, { force: true })
  if (!existsSync(bundle)) continue
  // The V8 flags must be the ones bin/tspub runs with: node refuses a snapshot built under others.
  const r = spawnSync(process.execPath, [...V8_FLAGS, '--snapshot-blob', blob, '--build-snapshot', bundle], { encoding: 'utf8' })
  if (r.status !== 0) {
    failed = true
    rmSync(blob, { force: true })
    process.stderr.write(`snapshot: could not build ${tool}'s start-up snapshot (the bundle will be used):\n${(r.stderr ?? '').split('\n').slice(-8).join('\n')}\n`)
  }
}
process.exitCode = failed && process.env.TSMQTT_SNAPSHOT_REQUIRED ? 1 : 0
