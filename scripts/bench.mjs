#!/usr/bin/env node
// npm run bench: start cost, throughput and memory of tspub/tssub (and tsrr's start) against mosquitto's own C clients
// and the Node floor, side by side in one run, repeated, interleaved (issue 7). Prints a markdown
// table on stdout (progress goes to stderr) and writes the raw samples as JSON.
//
//   node scripts/bench.mjs [--runs N] [--start-runs N] [--flood-runs N] [--lines N]
//                          [--stall S] [--quick] [--only start|throughput] [--json FILE]
//
//   --runs N        repeats of everything (default: 20 for start cost, 3 for throughput)
//   --start-runs N  repeats of the start-cost round only; --flood-runs N of the throughput round only
//   --lines N       lines per throughput run (default 200000)
//   --stall S       seconds the stalled reader reads nothing (default 3)
//   --quick         a smoke run: 3 start runs, 1 throughput run, 20000 lines, 1 s stall
//   --only WHAT     start (start cost only) or throughput (throughput and memory only)
//   --json FILE     where the JSON goes (default bench-results.json in the repository root)
//
// MQTTJS_CLI=/path/to/mqtt adds MQTT.js's `mqtt pub` to the start-cost round (install it in a
// scratch folder; it is never a dependency of this project).
//
// It needs the real mosquitto broker and clients (apt-get install mosquitto mosquitto-clients) and
// a build (npm run bench builds first). It starts its own broker on a free loopback port with its own
// temp dir; every process it starts is bounded by a timeout and stopped on the way out, Ctrl-C too.
// Not part of the test suite: wall times on a shared machine are not assertions.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { setTimeout as sleepRef } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { canConnect, freePort } from './loopback.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// ---------------------------------------------------------------------------------------------
// Options

function usage(code) {
  const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1)
  const end = lines.findIndex((l) => !l.startsWith('//'))
  const text = lines.slice(0, end).map((l) => l.replace(/^\/\/ ?/, '')).join('\n')
  ;(code === 0 ? process.stdout : process.stderr).write(text + '\n')
  process.exit(code)
}

function parseOptions(argv) {
  const o = { startRuns: 20, floodRuns: 3, lines: 200_000, stall: 3, json: path.join(root, 'bench-results.json'), quick: false }
  const set = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    const value = () => {
      const v = argv[++i]
      if (v === undefined) { console.error(`bench: ${a} needs a value`); usage(2) }
      return v
    }
    const int = (v, min) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < min) { console.error(`bench: ${a} wants an integer >= ${min}, not ${v}`); usage(2) }
      return n
    }
    switch (a) {
      case '--runs': set.startRuns = set.floodRuns = int(value(), 1); break
      case '--start-runs': set.startRuns = int(value(), 1); break
      case '--flood-runs': set.floodRuns = int(value(), 1); break
      case '--lines': set.lines = int(value(), 1); break
      case '--stall': {
        const v = value()
        const n = Number(v)
        if (!(n >= 0 && n <= 600)) { console.error(`bench: --stall wants seconds (0-600), not ${v}`); usage(2) }
        set.stall = n
        break
      }
      case '--json': set.json = path.resolve(value()); break
      case '--quick': o.quick = true; break
      case '--only': {
        const v = value()
        if (v !== 'start' && v !== 'throughput') { console.error(`bench: --only wants start or throughput, not ${v}`); usage(2) }
        o.only = v
        break
      }
      case '-h': case '--help': usage(0); break
      default: console.error(`bench: unknown option ${a}`); usage(2)
    }
  }
  if (o.quick) Object.assign(o, { startRuns: 3, floodRuns: 1, lines: 20_000, stall: 1 })
  return Object.assign(o, set)
}

const opt = parseOptions(process.argv.slice(2))
// A throughput run that has not finished by then is stopped and reported (scaled for big --lines).
const FLOOD_DEADLINE_MS = Math.max(60_000, Math.ceil(60_000 * opt.lines / 200_000))
// After the publisher exited, a subscriber whose output has not grown for this long is stuck
// (lines were lost on the way): stop it and count what it printed.
const IDLE_MS = 2_000
const TARGETS = { publish: 1.25, help: 1.15, subscribe: 1.05, throughput: { 0: 1.0, 1: 0.9, 2: 0.9 }, rss: 2.0 }
// Runs of each start item under GNU time (faults, CPU, RSS); they hardly vary, so a few suffice.
const USAGE_RUNS = opt.quick ? 3 : 7
const DEBIAN_CA_FILE = '/etc/ssl/certs/ca-certificates.crt'

// ---------------------------------------------------------------------------------------------
// Processes and clean-up: every child gets its own process group, killed whole on the way out.

const children = new Set()
const cleanups = []
let cleaned = false
function cleanup() {
  if (cleaned) return
  cleaned = true
  for (const c of children) {
    try { process.kill(-c.pid, 'SIGKILL') } catch { try { c.kill('SIGKILL') } catch { /* gone */ } }
  }
  children.clear()
  for (const f of cleanups.splice(0).reverse()) {
    try { f() } catch { /* best effort */ }
  }
}
process.on('exit', cleanup)
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, stopping everything\n`)
    cleanup()
    process.exit(code)
  })
}

function fail(message) {
  console.error(`bench: ${message}`)
  process.exit(1)
}

const log = (message) => process.stderr.write(message + '\n')
// Timers that never keep the process alive (a lost race must not hold the exit up).
const later = (ms) => sleepRef(ms, undefined, { ref: false })
const sleep = (ms) => sleepRef(ms)

/**
 * Start a process in its own group. `done` resolves on exit (or a failure to start) with the code,
 * signal and performance.now() of the exit; stderr, when piped, is kept (the first 4 KiB).
 */
function launch(cmd, args, options = {}) {
  const child = spawn(cmd, args, { detached: true, ...options })
  let stderr = ''
  child.stderr?.on('data', (c) => { if (stderr.length < 4096) stderr += c })
  const done = new Promise((resolve) => {
    let settled = false
    const settle = (r) => {
      if (settled) return
      settled = true
      children.delete(child)
      resolve({ ...r, at: performance.now(), get stderr() { return stderr } })
    }
    child.once('exit', (code, signal) => settle({ code, signal }))
    child.once('error', (error) => settle({ code: null, signal: null, error: error.message }))
  })
  if (child.pid !== undefined) children.add(child)
  return { child, done }
}

function killGroup(child, sig) {
  try { process.kill(-child.pid, sig) } catch { try { child.kill(sig) } catch { /* gone */ } }
}

/** Stop a child politely (SIGTERM to `pid`, or its group), then for good; resolves when it exited. */
async function stop(proc, pid) {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.done
  if (pid) {
    try { process.kill(pid, 'SIGTERM') } catch { killGroup(proc.child, 'SIGTERM') }
  } else {
    killGroup(proc.child, 'SIGTERM')
  }
  const timer = setTimeout(() => killGroup(proc.child, 'SIGKILL'), 2_000)
  const r = await proc.done
  clearTimeout(timer)
  return r
}

function findExecutable(name, dirs = []) {
  for (const d of [...dirs, ...(process.env.PATH ?? '').split(':').filter(Boolean)]) {
    const p = path.join(d, name)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      if (fs.statSync(p).isFile()) return p
    } catch { /* next */ }
  }
  return undefined
}

// ---------------------------------------------------------------------------------------------
// Resource use of one process: GNU time's peak RSS (KiB), minor page faults and CPU time, when
// /usr/bin/time works; else VmHWM polled from /proc (no faults, no CPU). Page faults and CPU time
// hardly move with the neighbours' load, unlike wall time: on a VM a start-up is mostly faults.

const TIME_FORMAT = '%e %M %R %U %S'
const TIME = (() => {
  try {
    const r = spawnSync('/usr/bin/time', ['-f', TIME_FORMAT, 'true'], { encoding: 'utf8', timeout: 5_000 })
    return r.status === 0 && /^\d+(\.\d+)? \d+ \d+ \d+(\.\d+)? \d+(\.\d+)?\s*$/m.test(r.stderr) ? '/usr/bin/time' : undefined
  } catch {
    return undefined
  }
})()

let usageSeq = 0
/**
 * Start cmd with its resource use measured: once it exited, `usage()` gives { rssKiB, faults,
 * cpuMs } (fields undefined where unknown), `rss()` the peak RSS alone.
 */
function launchMeasured(cmd, args, options, dir) {
  if (TIME) {
    const file = path.join(dir, `usage-${++usageSeq}.txt`)
    const proc = launch(TIME, ['-f', TIME_FORMAT, '-o', file, cmd, ...args], options)
    const usage = () => {
      try {
        const lines = fs.readFileSync(file, 'utf8').trim().split('\n')
        const f = lines[lines.length - 1].split(' ').map(Number)
        return { rssKiB: f[1], faults: f[2], cpuMs: (f[3] + f[4]) * 1000 }
      } catch {
        return {}
      }
    }
    return {
      ...proc,
      // The measured process itself (GNU time's only child): signals go to it, so that time reports.
      realPid() {
        try {
          const kids = fs.readFileSync(`/proc/${proc.child.pid}/task/${proc.child.pid}/children`, 'utf8').trim().split(/\s+/)
          return Number(kids[0]) || undefined
        } catch {
          return undefined
        }
      },
      usage,
      rss: () => usage().rssKiB,
    }
  }
  const proc = launch(cmd, args, options)
  let hwm
  const poll = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${proc.child.pid}/status`, 'utf8'))
      if (m) hwm = Math.max(hwm ?? 0, Number(m[1]))
    } catch { /* exited */ }
  }, 20)
  proc.done.then(() => clearInterval(poll))
  return { ...proc, realPid: () => proc.child.pid, usage: () => ({ rssKiB: hwm }), rss: () => hwm }
}

// ---------------------------------------------------------------------------------------------
// Statistics and formatting

function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (v.length === 0) return undefined
  const m = v.length >> 1
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2
}
const min = (xs) => (xs.length ? Math.min(...xs) : undefined)
const max = (xs) => (xs.length ? Math.max(...xs) : undefined)
const fmt = (x, digits = 1) => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toFixed(digits))
const ratio = (a, b) => (a !== undefined && b !== undefined && b > 0 ? a / b : undefined)
const fmtRatio = (r) => (r === undefined ? '—' : `${r.toFixed(2)}×`)
const int = (n) => Math.round(n).toLocaleString('en-US')
const mib = (kib) => (kib === undefined ? undefined : kib / 1024)
function verdict(r, target) {
  if (r === undefined) return '—'
  return r <= target ? 'PASS' : 'MISS'
}

/** A markdown table with padded columns (still valid markdown, readable in a terminal). */
function table(header, rows, align) {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c)))
  const widths = header.map((_, i) => Math.max(3, ...cells.map((r) => r[i].length)))
  const line = (r) => '| ' + r.map((c, i) => (align?.[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ') + ' |'
  const rule = '| ' + widths.map((w, i) => (align?.[i] === 'r' ? '-'.repeat(w - 1) + ':' : '-'.repeat(w))).join(' | ') + ' |'
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n')
}

// ---------------------------------------------------------------------------------------------
// The broker: mosquitto on a free loopback port, unlimited queues, logging only errors, warnings
// and subscriptions ("<client id> <qos> <topic>" once the subscription is in the broker's tree).

async function startBroker(bin, dir) {
  let lastError = ''
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = await freePort()
    const conf = path.join(dir, `mosquitto-${port}.conf`)
    fs.writeFileSync(conf, [
      `listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false',
      'max_queued_messages 0', 'max_queued_bytes 0', 'max_inflight_messages 20',
      'log_dest stderr', 'log_type error', 'log_type warning', 'log_type subscribe', '',
    ].join('\n'), { mode: 0o644 })
    const proc = launch(bin, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] })
    let text = ''
    const waiters = new Set()
    proc.child.stderr.setEncoding('utf8')
    proc.child.stderr.on('data', (c) => {
      text += c
      if (text.length > 1 << 20) text = text.slice(-(1 << 19))
      for (const w of waiters) w()
    })
    for (let i = 0; i < 100; i++) {
      if (await canConnect(port)) {
        const broker = {
          port,
          proc,
          log: () => text,
          /** Resolves true once the broker logged a subscription by `id`, false after `ms`. */
          subscribed(id, ms) {
            const re = new RegExp(`(^|\\n)(\\d+: )?${id.replace(/[^\w-]/g, '\\$&')} \\d `)
            return new Promise((resolve) => {
              const check = () => {
                if (re.test(text)) finish(true)
              }
              const timer = setTimeout(() => finish(false), ms)
              const finish = (v) => { clearTimeout(timer); waiters.delete(check); resolve(v) }
              waiters.add(check)
              check()
            })
          },
          alive: () => proc.child.exitCode === null && proc.child.signalCode === null,
        }
        return broker
      }
      if (proc.child.exitCode !== null) break
      await sleep(50)
    }
    lastError = text
    await stop(proc)
  }
  fail(`mosquitto did not start:\n${lastError}`)
}

// ---------------------------------------------------------------------------------------------
// The input: N distinct 40-byte lines ("line 0000042 abc...z\n"), written once to the temp dir and
// given to each publisher as its stdin file; subscribers write to a file that is checked after.

const FILLER = 'abcdefghijklmnopqrstuvwxyz'
function makeInput(file, lines) {
  const width = Math.max(7, String(lines - 1).length)
  const fd = fs.openSync(file, 'w')
  let s = ''
  for (let i = 0; i < lines; i++) {
    s += `line ${String(i).padStart(width, '0')} ${FILLER}\n`
    if (s.length > 1 << 20) { fs.writeSync(fd, s); s = '' }
  }
  fs.writeSync(fd, s)
  fs.closeSync(fd)
  return width
}

/** What a subscriber printed, against the input: identical, or how many lines were lost. */
function checkOutput(out, input, lines, width) {
  if (out.equals(input)) return { identical: true, received: lines, distinct: lines, lost: 0, duplicates: 0, malformed: 0, reordered: false }
  const seen = new Uint8Array(lines)
  const text = out.toString('latin1')
  const re = new RegExp(`^line (\\d{${width}}) ${FILLER}$`)
  let received = 0
  let distinct = 0
  let malformed = 0
  let last = -1
  let reordered = false
  const parts = text.split('\n')
  if (parts[parts.length - 1] === '') parts.pop()
  for (const l of parts) {
    const m = re.exec(l)
    const n = m ? Number(m[1]) : -1
    if (n < 0 || n >= lines) { malformed++; continue }
    received++
    if (n < last) reordered = true
    last = n
    if (!seen[n]) { seen[n] = 1; distinct++ }
  }
  return { identical: false, received, distinct, lost: lines - distinct, duplicates: received - distinct, malformed, reordered }
}

// ---------------------------------------------------------------------------------------------
// 1. Start cost: wall time per process (spawn to exit; for a subscriber, spawn until its SUBSCRIBE
// reaches the broker), and beside it the page faults and CPU time of separate runs under GNU time.

/**
 * A broker just good enough to time a subscriber's start: answers CONNECT with CONNACK and
 * SUBSCRIBE with SUBACK, and reports when a SUBSCRIBE arrived (one subscriber at a time).
 */
async function startSubscribeProbe() {
  let waiter
  const server = net.createServer((socket) => {
    socket.setNoDelay(true)
    socket.on('error', () => {})
    let buf = Buffer.alloc(0)
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk])
      for (;;) {
        let len = 0
        let mul = 1
        let i = 1
        while (i < buf.length) {
          const byte = buf[i++]
          len += (byte & 0x7f) * mul
          mul *= 128
          if (!(byte & 0x80)) break
        }
        if (buf.length < 2 || buf.length < i + len) return
        const type = buf[0] >> 4
        const v5 = type === 1 && buf[i + 6] === 5
        if (type === 1) socket.write(Buffer.from(v5 ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0]))
        if (type === 8) {
          const at = performance.now()
          socket.write(Buffer.from([0x90, 3, buf[i], buf[i + 1], 0]))
          const w = waiter
          waiter = undefined
          w?.(at)
        }
        buf = buf.subarray(i + len)
      }
    })
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  cleanups.push(() => server.close())
  return {
    port: server.address().port,
    /** Resolves with performance.now() of the next SUBSCRIBE, or undefined after `ms`. */
    nextSubscribe(ms) {
      return new Promise((resolve) => {
        const timer = setTimeout(() => { waiter = undefined; resolve(undefined) }, ms)
        waiter = (at) => { clearTimeout(timer); resolve(at) }
      })
    },
  }
}

// A run that ends at the SUBSCRIBE: the subscriber is then stopped (SIGTERM to the process itself).
async function untilSubscribed(ctx, proc, t0) {
  const at = await Promise.race([ctx.probe.nextSubscribe(30_000), proc.done.then(() => undefined)])
  const pid = proc.realPid?.() ?? proc.child.pid
  try { process.kill(pid, 'SIGTERM') } catch { /* gone */ }
  const timer = setTimeout(() => killGroup(proc.child, 'SIGKILL'), 5_000)
  const r = await proc.done
  clearTimeout(timer)
  return { ms: at === undefined ? undefined : at - t0, ok: at !== undefined, code: r.code, signal: r.signal, error: at === undefined ? `no SUBSCRIBE (exit ${r.code ?? r.signal}) ${r.stderr.trim().slice(0, 200)}` : undefined }
}

async function timeOnce(ctx, item, env) {
  const t0 = performance.now()
  const proc = launch(item.cmd, item.args, { stdio: ['ignore', 'ignore', 'pipe'], env })
  if (item.untilSubscribe) return untilSubscribed(ctx, proc, t0)
  const timer = setTimeout(() => killGroup(proc.child, 'SIGKILL'), 30_000)
  const r = await proc.done
  clearTimeout(timer)
  const ok = r.error === undefined && item.okCodes.includes(r.code)
  return { ms: r.at - t0, ok, code: r.code, signal: r.signal, error: r.error ?? (ok ? undefined : r.stderr.trim().slice(0, 300)) }
}

// The same command under GNU time: its page faults, CPU time and peak RSS.
async function usageOnce(ctx, item, env) {
  const proc = launchMeasured(item.cmd, item.args, { stdio: ['ignore', 'ignore', 'pipe'], env }, ctx.dir)
  if (item.untilSubscribe) await untilSubscribed(ctx, proc, performance.now())
  else await proc.done
  return proc.usage()
}

function startItems(ctx) {
  const { broker, tools, probe } = ctx
  const base = ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'bench/oneshot', '-m', 'hello']
  const sub = ['-h', '127.0.0.1', '-p', String(probe.port), '-t', 'bench/start']
  const items = [
    { key: 'node', label: '`node -e 0` (floor)', cmd: tools.node, args: ['-e', '0'], okCodes: [0] },
    { key: 'tspub-help', label: '`tspub --help`', cmd: tools.tspub, args: ['--help'], okCodes: [0], target: TARGETS.help, versus: 'mosq-help' },
    { key: 'mosq-help', label: '`mosquitto_pub --help` (exits 1)', cmd: tools.mosquitto_pub, args: ['--help'], okCodes: [1] },
    { key: 'tspub-q0', label: '`tspub` one-shot QoS 0', cmd: tools.tspub, args: [...base, '-q', '0'], okCodes: [0], target: TARGETS.publish, versus: 'mosq-q0' },
    { key: 'mosq-q0', label: '`mosquitto_pub` one-shot QoS 0', cmd: tools.mosquitto_pub, args: [...base, '-q', '0'], okCodes: [0] },
    { key: 'tspub-q1', label: '`tspub` one-shot QoS 1', cmd: tools.tspub, args: [...base, '-q', '1'], okCodes: [0], target: TARGETS.publish, versus: 'mosq-q1' },
    { key: 'mosq-q1', label: '`mosquitto_pub` one-shot QoS 1', cmd: tools.mosquitto_pub, args: [...base, '-q', '1'], okCodes: [0] },
    { key: 'tssub-sub', label: '`tssub` spawn → SUBSCRIBE at the broker', cmd: tools.tssub, args: sub, untilSubscribe: true, target: TARGETS.subscribe, versus: 'mosq-sub' },
    { key: 'mosq-sub', label: '`mosquitto_sub` spawn → SUBSCRIBE', cmd: tools.mosquitto_sub, args: sub, untilSubscribe: true },
  ]
  if (tools.mosquitto_rr) {
    // A request that is its own answer (request and response topic the same), so no responder is
    // needed: connect, subscribe, publish, receive, print, as any one-shot request.
    const rr = ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'bench/rr', '-e', 'bench/rr', '-m', 'hello']
    items.push(
      { key: 'tsrr', label: '`tsrr` one-shot request', cmd: tools.tsrr, args: rr, okCodes: [0], target: TARGETS.publish, versus: 'mosq-rr' },
      { key: 'mosq-rr', label: '`mosquitto_rr` one-shot request', cmd: tools.mosquitto_rr, args: rr, okCodes: [0] },
    )
  }
  if (tools.mqttjs) {
    const [cmd, ...pre] = tools.mqttjs
    items.push(
      { key: 'mqttjs-q0', label: 'MQTT.js `mqtt pub` QoS 0', cmd, args: [...pre, 'pub', ...base, '-q', '0'], okCodes: [0], versus: 'mosq-q0' },
      { key: 'mqttjs-q1', label: 'MQTT.js `mqtt pub` QoS 1', cmd, args: [...pre, 'pub', ...base, '-q', '1'], okCodes: [0], versus: 'mosq-q1' },
    )
  }
  return items
}

/**
 * One round of every start item in one environment: interleaved timed runs (each round in a
 * rotated order, so that no command always follows the same other one), then usage runs.
 */
async function startCost(ctx, variant) {
  const items = startItems(ctx).map((it) => ({ ...it, samples: [], failures: [], usage: [] }))
  log(`start cost (${variant.label}): ${items.length} commands × ${opt.startRuns} runs, then ${USAGE_RUNS} runs each under GNU time`)
  // one untimed round first (page cache, broker warm)
  for (const it of items) await timeOnce(ctx, it, variant.env)
  for (let run = 0; run < opt.startRuns; run++) {
    for (let k = 0; k < items.length; k++) {
      const it = items[(k + run) % items.length]
      const r = await timeOnce(ctx, it, variant.env)
      if (r.ok) it.samples.push(r.ms)
      else it.failures.push({ run, code: r.code, signal: r.signal, error: r.error })
    }
  }
  if (TIME) {
    for (let run = 0; run < USAGE_RUNS; run++) {
      for (const it of items) it.usage.push(await usageOnce(ctx, it, variant.env))
    }
  }
  const byKey = Object.fromEntries(items.map((it) => [it.key, it]))
  for (const it of items) {
    it.medianMs = median(it.samples)
    it.minMs = min(it.samples)
    it.maxMs = max(it.samples)
    it.faults = median(it.usage.map((u) => u.faults))
    it.cpuMs = median(it.usage.map((u) => u.cpuMs))
    it.rssKiB = median(it.usage.map((u) => u.rssKiB))
  }
  const floor = byKey.node
  for (const it of items) {
    it.ratioNode = ratio(it.medianMs, floor.medianMs)
    it.faultsRatio = ratio(it.faults, floor.faults)
    it.cpuRatio = ratio(it.cpuMs, floor.cpuMs)
    it.ratioMosq = it.versus ? ratio(it.medianMs, byKey[it.versus].medianMs) : undefined
    it.result = it.target ? (it.failures.length ? 'FAIL (errors)' : verdict(it.ratioNode, it.target)) : undefined
  }
  return { variant: variant.key, label: variant.label, items, nodeRssKiB: floor.usage.map((u) => u.rssKiB).filter((x) => x !== undefined), nodeRssMedianKiB: floor.rssKiB }
}

function startCostTable(sc) {
  const rows = sc.items.map((it) => [
    it.label,
    fmt(it.medianMs),
    it.samples.length ? `${fmt(it.minMs)}–${fmt(it.maxMs)}` : '—',
    it.key === 'node' ? '1.00×' : fmtRatio(it.ratioNode),
    it.faults === undefined ? '—' : `${int(it.faults)} (${fmtRatio(it.faultsRatio)})`,
    it.cpuMs === undefined ? '—' : `${fmt(it.cpuMs, 0)} (${fmtRatio(it.cpuRatio)})`,
    it.versus ? fmtRatio(it.ratioMosq) : '',
    it.target ? `≤ ${it.target.toFixed(2)}×` : '',
    (it.result ?? '') + (it.failures.length ? ` ${it.failures.length} failed` : ''),
  ])
  if (!sc.items.some((it) => it.key.startsWith('mqttjs'))) {
    rows.push(['MQTT.js `mqtt pub`', 'not measured', '', '', '', '', '', '', 'set MQTTJS_CLI'])
  }
  return table(['command', 'median ms', 'min–max ms', '× node -e 0', 'page faults (× node)', 'CPU ms (× node)', '× mosquitto', 'target', 'result'], rows,
    ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'])
}

/**
 * The environments the start cost is measured in: without NODE_EXTRA_CA_CERTS (the targets; node
 * then parses no extra certificates at start, as on most users' machines) and with it.
 */
function startVariants() {
  const without = { ...process.env }
  delete without.NODE_EXTRA_CA_CERTS
  const variants = [{ key: 'plain', label: 'NODE_EXTRA_CA_CERTS unset', env: without, judged: true }]
  const ca = process.env.NODE_EXTRA_CA_CERTS || (fs.existsSync(DEBIAN_CA_FILE) ? DEBIAN_CA_FILE : undefined)
  if (ca) variants.push({ key: 'extra-ca', label: `NODE_EXTRA_CA_CERTS=${ca}`, env: { ...without, NODE_EXTRA_CA_CERTS: ca }, judged: false })
  return variants
}

// ---------------------------------------------------------------------------------------------
// 2. Throughput (and 3. tssub's peak RSS under the flood, with a stalled reader too)

let floodSeq = 0

/**
 * Feed the input file into a publisher's stdin pipe, respecting backpressure, and never end it (the
 * held-open mosquitto_pub baseline). `written` resolves with performance.now() once every byte has
 * left Node for the pipe; `cancel()` stops feeding (after the publisher was stopped).
 */
function feedHeldOpen(proc, file) {
  const stdin = proc.child.stdin
  const source = fs.createReadStream(file, { highWaterMark: 1 << 16 })
  let writtenAt
  let poll
  stdin.on('error', () => { /* EPIPE once the publisher is gone */ })
  source.on('error', (e) => fail(`reading ${file}: ${e.message}`))
  const written = new Promise((resolve) => {
    source.once('end', () => {
      // All read and handed to stdin: wait until Node's own buffer for the pipe is empty too.
      const check = () => {
        if (stdin.writableLength > 0 && !stdin.destroyed) return
        clearInterval(poll)
        writtenAt = performance.now()
        resolve(writtenAt)
      }
      poll = setInterval(check, 5)
      check()
    })
  })
  source.pipe(stdin, { end: false })
  return {
    written,
    writtenAt: () => writtenAt,
    cancel() {
      clearInterval(poll)
      source.unpipe(stdin)
      source.destroy()
      stdin.destroy()
    },
  }
}

/**
 * One flood: the subscriber first (waited for in the broker's log), then the publisher reading the
 * input file; pub-side time is its run, end to end until the subscriber exited after -C N.
 */
async function flood(ctx, pair) {
  const { broker, tools, dir, input, inputFile, width } = ctx
  const seq = ++floodSeq
  const id = `bsub${seq}-${process.pid}`
  const topic = `bench/flood/${seq}`
  const outFile = path.join(dir, `out-${seq}.txt`)
  const common = ['-h', '127.0.0.1', '-p', String(broker.port), '-t', topic, '-q', String(pair.qos)]
  const res = { pub: pair.pub, sub: pair.sub, qos: pair.qos, stalled: !!pair.stall }

  // The subscriber, stdout to a file, or (stalled reader) to `sh -c 'sleep S; exec wc -l'`.
  let reader
  let readerOut = ''
  let outFd
  if (pair.stall) {
    reader = launch('/bin/sh', ['-c', `sleep ${pair.stall}; exec wc -l`], { stdio: ['pipe', 'pipe', 'ignore'] })
    reader.child.stdout.setEncoding('utf8')
    reader.child.stdout.on('data', (c) => { readerOut += c })
  } else {
    outFd = fs.openSync(outFile, 'w')
  }
  const sub = launchMeasured(tools[pair.sub], [...common, '-i', id, '-C', String(opt.lines)],
    { stdio: ['ignore', pair.stall ? reader.child.stdin : outFd, 'pipe'], env: ctx.env }, dir)
  if (pair.stall) reader.child.stdin.destroy()
  else fs.closeSync(outFd)

  const finishSub = async () => {
    await stop(sub, sub.realPid())
    if (reader) await stop(reader)
  }
  const ready = await Promise.race([broker.subscribed(id, 10_000), sub.done.then(() => false)])
  if (!ready) {
    await finishSub()
    const r = await sub.done
    return { ...res, status: 'error', note: `${pair.sub} did not subscribe: exit ${r.code ?? r.signal} ${r.stderr.trim().slice(0, 200)}` }
  }

  const hold = !!pair.holdOpen
  const inFd = hold ? undefined : fs.openSync(inputFile, 'r')
  const t0 = performance.now()
  const pub = launchMeasured(tools[pair.pub], [...common, '-i', `bpub${seq}-${process.pid}`, '-l'], { stdio: [hold ? 'pipe' : inFd, 'ignore', 'pipe'], env: ctx.env }, dir)
  if (!hold) fs.closeSync(inFd)
  const deadline = t0 + FLOOD_DEADLINE_MS
  let pubExitedAt
  pub.done.then((r) => { pubExitedAt = r.at })
  const feed = hold ? feedHeldOpen(pub, inputFile) : undefined

  // Wait for the publisher (bounded), then for the subscriber: its exit, a stall, or the deadline.
  // Held open, the publisher never exits on its own: "publisher done" is when the whole input was
  // written into its stdin (or it exited after all), and it is stopped once the subscriber is done.
  let pubRes
  let pubDoneAt
  if (hold) {
    const r = await Promise.race([feed.written.then((at) => ({ at, written: true })), pub.done, later(FLOOD_DEADLINE_MS).then(() => null)])
    pubDoneAt = r?.at ?? performance.now()
    if (r && !r.written) pubExitedAt = r.at
  } else {
    pubRes = await Promise.race([pub.done, later(FLOOD_DEADLINE_MS).then(() => null)])
    if (pubRes === null) {
      pubRes = await stop(pub)
      pubRes.timedOut = true
    }
    pubDoneAt = pubRes.at
  }
  let subRes
  let stopped
  let lastSize = -1
  let lastGrowth = performance.now()
  const sizeNow = () => {
    if (pair.stall) return undefined
    try { return fs.statSync(outFile).size } catch { return 0 }
  }
  for (;;) {
    subRes = await Promise.race([sub.done, sleep(100).then(() => null)])
    if (subRes) break
    const now = performance.now()
    const size = sizeNow()
    if (size !== lastSize) { lastSize = size; lastGrowth = now }
    if (now > deadline) { stopped = 'timeout'; break }
    // A stalled reader holds the subscriber back on purpose: only the deadline applies there.
    if (!pair.stall && now - lastGrowth > IDLE_MS && now - pubDoneAt > IDLE_MS) { stopped = 'stalled'; break }
  }
  if (stopped) subRes = await stop(sub, sub.realPid())
  let pubExitedEarly = false
  if (hold) {
    pubExitedEarly = pubExitedAt !== undefined
    pubRes = await stop(pub)
    feed.cancel()
  }
  if (reader) {
    const r = await Promise.race([reader.done, later(5_000).then(() => null)])
    if (!r) await stop(reader)
  }

  // Held open, the publisher's exit is the bench stopping it: no pub-side time.
  res.pubMs = hold ? undefined : pubRes.at - t0
  res.pubExit = pubRes.timedOut ? 'timeout' : (pubRes.code ?? pubRes.signal ?? pubRes.error)
  if (hold) {
    res.pubStdin = 'held open'
    res.pubInputWrittenMs = feed.writtenAt() === undefined ? undefined : feed.writtenAt() - t0
    res.pubExitedEarly = pubExitedEarly
    if (pubExitedEarly) res.note = `${pair.pub} exited on its own (${res.pubExit}) with its stdin still open`
  }
  res.subExit = subRes.code ?? subRes.signal ?? subRes.error
  const pubStderr = pubRes.stderr.replace(/^Command terminated by signal \d+\n?/m, '').trim()
  if (pubStderr) res.pubStderr = pubStderr.slice(0, 300)
  // CPU time of each client (a held-open publisher was stopped by the bench: its time is cut short)
  res.subCpuMs = sub.usage().cpuMs
  res.pubCpuMs = hold ? undefined : pub.usage().cpuMs
  if (subRes.stderr.trim()) res.subStderr = subRes.stderr.replace(/^Command terminated by signal \d+\n?/m, '').trim().slice(0, 300) || undefined
  res.subRssKiB = sub.rss()

  if (pair.stall) {
    const count = Number.parseInt(readerOut.trim(), 10)
    Object.assign(res, { received: Number.isNaN(count) ? undefined : count, lost: Number.isNaN(count) ? undefined : opt.lines - count })
    res.identical = res.lost === 0
  } else {
    Object.assign(res, checkOutput(fs.readFileSync(outFile), input, opt.lines, width))
    fs.rmSync(outFile, { force: true })
  }
  if (stopped) {
    res.stoppedBy = stopped === 'stalled'
      ? `no output for ${IDLE_MS} ms after the publisher ${hold && !pubExitedEarly ? 'had all the input in its stdin' : 'exited'}` : `deadline ${FLOOD_DEADLINE_MS} ms`
  } else res.e2eMs = subRes.at - t0
  const pubOk = hold ? !pubExitedEarly : res.pubExit === 0
  res.status = res.lost > 0 || res.malformed > 0 ? 'lost'
    : stopped ? stopped
      : res.received === undefined || !pubOk || res.subExit !== 0 ? 'error' : 'ok'
  if (!broker.alive()) fail(`the broker died:\n${broker.log()}`)
  return res
}

// Why mosquitto_pub -l fed a file to EOF is no baseline at QoS 1/2 (client/pub_client.c, 2.0.11).
const EOF_FINDING = 'mosquitto_pub -l queues nearly every line at once and message ids wrap at 65,535, and at EOF it ' +
  'disconnects at the first acknowledgement whose id equals the last line\'s id, so with more than 65,535 lines an ' +
  'earlier line with that id ends the run and the lines still queued are dropped'

const PAIRS = [
  { key: 'ts-0', qos: 0, pub: 'tspub', sub: 'tssub', mine: true, baseline: 'mosq-0' },
  { key: 'mosq-0', qos: 0, pub: 'mosquitto_pub', sub: 'mosquitto_sub' },
  { key: 'mosqpub-tssub-0', qos: 0, pub: 'mosquitto_pub', sub: 'tssub', baseline: 'mosq-0' },
  { key: 'tspub-mosqsub-0', qos: 0, pub: 'tspub', sub: 'mosquitto_sub', baseline: 'mosq-0' },
  // At QoS 1/2 the mosquitto baseline keeps mosquitto_pub's stdin open (see EOF_FINDING); the same
  // pair fed the file to EOF is run too, as a finding, never as a baseline.
  { key: 'ts-1', qos: 1, pub: 'tspub', sub: 'tssub', mine: true, baseline: 'mosq-1' },
  { key: 'mosq-1', qos: 1, pub: 'mosquitto_pub', sub: 'mosquitto_sub', holdOpen: true, variant: 'stdin held open' },
  { key: 'mosq-1-eof', qos: 1, pub: 'mosquitto_pub', sub: 'mosquitto_sub', eofFinding: true, variant: 'stdin to EOF' },
  { key: 'ts-2', qos: 2, pub: 'tspub', sub: 'tssub', mine: true, baseline: 'mosq-2' },
  { key: 'mosq-2', qos: 2, pub: 'mosquitto_pub', sub: 'mosquitto_sub', holdOpen: true, variant: 'stdin held open' },
  { key: 'mosq-2-eof', qos: 2, pub: 'mosquitto_pub', sub: 'mosquitto_sub', eofFinding: true, variant: 'stdin to EOF' },
  // Memory: tssub's stdout to a reader that reads nothing for --stall seconds, then drains.
  { key: 'stall-0', qos: 0, pub: 'mosquitto_pub', sub: 'tssub', stall: true },
]

async function throughput(ctx) {
  const pairs = PAIRS.map((p) => ({ ...p, runs: [] }))
  log(`throughput: ${int(opt.lines)} lines, ${pairs.length} floods × ${opt.floodRuns} runs (stalled reader: ${opt.stall} s)`)
  for (let run = 0; run < opt.floodRuns; run++) {
    for (let k = 0; k < pairs.length; k++) {
      const p = pairs[(k + run) % pairs.length]
      const r = await flood(ctx, { ...p, stall: p.stall ? opt.stall : 0 })
      p.runs.push(r)
      const e2e = r.e2eMs !== undefined ? `${fmt(r.e2eMs / 1000, 2)} s` : r.status
      const pubTime = p.holdOpen ? 'stdin held open' : `${fmt(r.pubMs / 1000, 2)} s`
      log(`  run ${run + 1}: ${p.pub} → ${p.sub}${p.stall ? ' (stalled reader)' : ''}${p.variant ? ` (${p.variant})` : ''} QoS ${p.qos}: pub ${pubTime}, end to end ${e2e}, ` +
        `${r.received === undefined ? '?' : int(r.received)} lines${r.lost ? `, LOST ${int(r.lost)}` : ''}, exit ${r.pubExit}/${r.subExit}` +
        `${r.subRssKiB ? `, sub ${fmt(mib(r.subRssKiB))} MiB` : ''}${r.note ? ` (${r.note})` : ''}`)
    }
  }
  for (const p of pairs) {
    const ok = p.runs.filter((r) => r.status === 'ok')
    p.valid = ok.length === p.runs.length && p.runs.length > 0
    p.pubMedianMs = median(p.runs.map((r) => r.pubMs))
    p.e2eMedianMs = median(ok.map((r) => r.e2eMs))
    p.e2eMinMs = min(ok.map((r) => r.e2eMs))
    p.e2eMaxMs = max(ok.map((r) => r.e2eMs))
    p.maxLost = max(p.runs.map((r) => r.lost ?? 0))
    p.lost = p.runs.map((r) => r.lost)
    p.subRssMedianKiB = median(p.runs.map((r) => r.subRssKiB))
    p.subCpuMedianMs = median(p.runs.map((r) => r.subCpuMs))
    p.pubCpuMedianMs = median(p.runs.map((r) => r.pubCpuMs))
    p.subRssMaxKiB = max(p.runs.map((r) => r.subRssKiB).filter((x) => x !== undefined))
  }
  const byKey = Object.fromEntries(pairs.map((p) => [p.key, p]))
  for (const p of pairs) {
    if (!p.baseline) continue
    const b = byKey[p.baseline]
    p.baselineValid = b.valid
    p.ratioE2e = b.valid && p.valid ? ratio(p.e2eMedianMs, b.e2eMedianMs) : undefined
    p.ratioPub = b.valid ? ratio(p.pubMedianMs, b.pubMedianMs) : undefined
    if (p.mine) {
      p.result = !p.valid ? 'FAIL (tspub/tssub lost or failed)'
        : !b.valid ? 'n/a (mosquitto baseline invalid)' : verdict(p.ratioE2e, TARGETS.throughput[p.qos])
    }
  }
  return pairs
}

function describeRuns(p) {
  const bad = p.runs.filter((r) => r.status !== 'ok')
  if (bad.length === 0) return `all ${int(opt.lines)}`
  return bad.map((r) => r.lost > 0 ? `lost ${int(r.lost)}` : `${r.status}${r.note ? `: ${r.note}` : ''}`)
    .join('; ') + ` (${bad.length}/${p.runs.length} runs)` +
    (bad.some((r) => r.pubExit === 0 && r.lost > 0 && !r.pubStdin) ? ', publisher exited 0' : '')
}

function throughputTable(pairs) {
  const rows = pairs.filter((p) => !p.stall).map((p) => [
    String(p.qos),
    `${p.pub} → ${p.sub}${p.variant ? ` (${p.variant})` : ''}`,
    (p.holdOpen ? '— (stdin held open)' : fmt(p.pubMedianMs / 1000, 2)) + (p.valid ? '' : ' (lossy)'),
    p.valid ? fmt(p.e2eMedianMs / 1000, 2) : 'invalid',
    p.valid ? `${fmt(p.e2eMinMs / 1000, 2)}–${fmt(p.e2eMaxMs / 1000, 2)}` : '—',
    p.valid ? int(opt.lines / (p.e2eMedianMs / 1000)) : '—',
    describeRuns(p),
    p.baseline ? (p.baselineValid ? fmtRatio(p.ratioE2e) : 'invalid baseline') : '',
    p.subCpuMedianMs === undefined ? '—' : `${fmt(p.subCpuMedianMs / 1000, 2)} / ${p.pubCpuMedianMs === undefined ? '—' : fmt(p.pubCpuMedianMs / 1000, 2)}`,
    p.mine ? `≤ ${TARGETS.throughput[p.qos].toFixed(2)}×` : '',
    p.result ?? (p.eofFinding ? (p.runs.some((r) => r.lost > 0) ? 'finding (see notes), not a baseline' : 'not a baseline') : ''),
  ])
  return table(['QoS', 'publisher → subscriber', 'pub-side s', 'end-to-end s', 'min–max s', 'lines/s', 'delivered', '× mosquitto pair', 'CPU s sub / pub', 'target', 'result'],
    rows, ['r', 'l', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'r', 'l'])
}

function memoryTable(sc, pairs) {
  const floor = sc.nodeRssMedianKiB
  const rows = [['`node -e 0` (floor)', fmt(mib(floor)), fmt(mib(max(sc.nodeRssKiB))), '1.00×', '', '']]
  const memory = [{ what: 'node -e 0', medianKiB: floor, maxKiB: max(sc.nodeRssKiB) }]
  for (const p of pairs) {
    if (p.subRssMedianKiB === undefined) continue
    const isTs = p.sub === 'tssub'
    // mosquitto_sub once, for reference: its RSS hardly moves with the flood.
    if (!isTs && p.key !== 'mosq-0') continue
    const r = ratio(p.subRssMedianKiB, floor)
    const what = `${p.sub}, QoS ${p.qos} flood from ${p.pub}${p.stall ? `, stalled reader (${opt.stall} s)` : ''}`
    const delivered = p.runs.every((x) => x.status === 'ok') ? '' : ` (${describeRuns(p)})`
    rows.push([what + delivered, fmt(mib(p.subRssMedianKiB)), fmt(mib(p.subRssMaxKiB)), fmtRatio(r),
      isTs ? `≤ ${TARGETS.rss.toFixed(2)}×` : '', isTs ? verdict(r, TARGETS.rss) : ''])
    memory.push({ what, medianKiB: p.subRssMedianKiB, maxKiB: p.subRssMaxKiB, ratioNode: r, target: isTs ? TARGETS.rss : undefined, result: isTs ? verdict(r, TARGETS.rss) : undefined })
  }
  return {
    text: table(['process (peak RSS)', 'median MiB', 'max MiB', '× node -e 0', 'target', 'result'], rows, ['l', 'r', 'r', 'r', 'r', 'l']),
    memory,
  }
}

// ---------------------------------------------------------------------------------------------

function toolInfo() {
  const tools = {
    node: findExecutable('node') ?? process.execPath,
    tspub: path.join(root, 'bin', 'tspub'),
    tssub: path.join(root, 'bin', 'tssub'),
    tsrr: path.join(root, 'bin', 'tsrr'),
    mosquitto: findExecutable('mosquitto', ['/usr/sbin', '/usr/local/sbin']),
    mosquitto_pub: findExecutable('mosquitto_pub'),
    mosquitto_sub: findExecutable('mosquitto_sub'),
    // optional: without it the bench leaves tsrr out
    mosquitto_rr: findExecutable('mosquitto_rr'),
  }
  for (const k of ['mosquitto', 'mosquitto_pub', 'mosquitto_sub']) {
    if (!tools[k]) fail(`${k} is not installed (apt-get install mosquitto mosquitto-clients)`)
  }
  if (!fs.existsSync(path.join(root, 'dist'))) fail('build first (npm run build, or npm run bench)')
  const mq = process.env.MQTTJS_CLI
  if (mq) {
    try {
      fs.accessSync(mq, fs.constants.R_OK)
      tools.mqttjs = /\.(c|m)?js$/.test(mq) ? [tools.node, mq] : [mq]
    } catch {
      log(`bench: MQTTJS_CLI=${mq} is not readable: MQTT.js not measured`)
    }
  }
  // How bin/tspub starts, by its own rule: `sh -x` shows the exec line it chose.
  const trace = spawnSync('sh', ['-x', tools.tspub, '--version'], { encoding: 'utf8', timeout: 10_000 }).stderr ?? ''
  const exec = trace.split('\n').find((l) => l.startsWith('+ exec ')) ?? ''
  const startMode = exec.includes('--snapshot-blob') ? `snapshot${exec.includes('/dist/snapshot/') ? '' : ' (from the user cache)'}`
    : exec.includes('/dist/bundle/') ? 'bundle' : 'sources'
  return { tools, startMode }
}

function versionOf(cmd, args) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5_000 })
  const lines = `${r.stdout ?? ''}${r.stderr ?? ''}`.split('\n').map((l) => l.trim()).filter(Boolean)
  return lines.find((l) => /version|^v?\d+\.\d+/i.test(l)) ?? lines[0]
}

async function main() {
  const began = performance.now()
  const { tools, startMode } = toolInfo()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspub-bench-'))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.chmodSync(dir, 0o755)
  const broker = await startBroker(tools.mosquitto, dir)
  cleanups.push(() => { try { process.kill(-broker.proc.child.pid, 'SIGKILL') } catch { /* gone */ } })

  const git = (args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim()
  const meta = {
    date: new Date().toISOString(),
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: (git(['status', '--porcelain', '--untracked-files=no']) ?? '') !== '',
    node: versionOf(tools.node, ['--version']),
    mosquitto: versionOf(tools.mosquitto, ['-h']),
    mosquittoClients: versionOf(tools.mosquitto_pub, ['--help']),
    mqttjs: tools.mqttjs ? versionOf(tools.mqttjs[0], [...tools.mqttjs.slice(1), '--version']) : undefined,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavgBefore: os.loadavg(),
    startMode,
    peakRssVia: TIME ? '/usr/bin/time %M' : '/proc VmHWM polling',
    options: { ...opt, floodDeadlineMs: FLOOD_DEADLINE_MS, idleMs: IDLE_MS, lineBytes: 0 },
    brokerConfig: 'mosquitto on 127.0.0.1, own temp dir, max_queued_messages 0, max_queued_bytes 0, max_inflight_messages 20, no persistence',
  }
  if (process.env.NODE_OPTIONS) log(`bench: NODE_OPTIONS is set: tspub/tssub start without their snapshot`)
  log(`bench: node ${meta.node}, ${meta.mosquitto}, ${meta.cpus} CPUs, load ${meta.loadavgBefore.map((x) => x.toFixed(2)).join(' ')}, tspub starts from its ${startMode}`)
  log(`bench: broker on 127.0.0.1:${broker.port}, temp dir ${dir}`)

  const inputFile = path.join(dir, 'input.txt')
  const width = makeInput(inputFile, opt.lines)
  const input = fs.readFileSync(inputFile)
  meta.options.lineBytes = input.length / opt.lines
  const probe = await startSubscribeProbe()
  // every client runs without NODE_EXTRA_CA_CERTS, as the floor it is compared with does
  const ctx = { broker, tools, dir, input, inputFile, width, probe, env: startVariants()[0].env }

  const starts = []
  if (opt.only !== 'throughput') for (const variant of startVariants()) starts.push(await startCost(ctx, variant))
  const sc = starts[0]
  const pairs = opt.only === 'start' ? [] : await throughput(ctx)
  meta.loadavgAfter = os.loadavg()
  meta.elapsedS = (performance.now() - began) / 1000
  await stop(broker.proc)

  const mem = sc ? memoryTable(sc, pairs) : { text: '(not measured: --only throughput has no `node -e 0` floor)', memory: [] }
  const notes = []
  for (const p of pairs) {
    if (!p.mine && !p.stall && p.runs.some((r) => r.lost > 0)) {
      notes.push(`${p.pub} → ${p.sub}${p.variant ? ` (${p.variant})` : ''} at QoS ${p.qos} lost lines (${p.lost.map((n) => int(n ?? 0)).join(', ')} of ${int(opt.lines)} per run)` +
        `${p.runs.every((r) => r.pubExit === 0) ? ' and the publisher still exited 0' : ''}: its time is not a baseline.` +
        (p.eofFinding ? ` Why: ${EOF_FINDING}.` : ''))
    }
  }
  if (!TIME) notes.push('peak RSS from /proc VmHWM polled every 20 ms (no /usr/bin/time): short peaks may be missed.')

  const out = []
  out.push(`## Benchmark (${meta.date.slice(0, 10)}, commit ${meta.commit}${meta.dirty ? '+changes' : ''})`)
  out.push('')
  out.push(`${meta.cpus}× ${meta.cpuModel}; node ${meta.node}; ${meta.mosquitto}; tspub/tssub start from their ${startMode}; ` +
    `load ${meta.loadavgBefore[0].toFixed(2)} → ${meta.loadavgAfter[0].toFixed(2)}. Medians of ${opt.startRuns} (start) / ${opt.floodRuns} (throughput) interleaved runs.`)
  out.push('')
  for (const one of starts) {
    out.push(`### Start cost, ${one.label}${one === sc ? ' (the targets)' : ''}`)
    out.push('')
    out.push(startCostTable(one))
    out.push('')
  }
  if (starts.length > 0) {
    out.push('Wall time: spawn to exit; for a subscriber, spawn until its SUBSCRIBE reached the broker (an in-process one), ' +
      'the target comparing it with the whole run of `node -e 0`. Page faults, CPU time: medians of separate runs under GNU time ' +
      '(they hardly move with the machine\'s load; on a VM each minor fault costs 10–20 µs). Targets are judged without NODE_EXTRA_CA_CERTS.')
    out.push('')
  }
  if (pairs.length > 0) {
    out.push(`### Throughput: ${int(opt.lines)} lines of ${meta.options.lineBytes} bytes, \`-l\` → mosquitto → \`-C ${opt.lines}\` (subscriber output to a file)`)
    out.push('')
    out.push('Pub-side: publisher start to exit. End-to-end: publisher start until the subscriber exited with every line ' +
      '(at QoS 1/2 it can be shorter than pub-side: the publisher still waits for its last acknowledgements). ' +
      'At QoS 1/2 the mosquitto baseline runs mosquitto_pub with its stdin held open: the bench writes the input into a pipe ' +
      'it never closes, times until mosquitto_sub exited after `-C`, then stops mosquitto_pub (so it has no pub-side time). ' +
      'Fed the file to EOF ("stdin to EOF" rows, kept as a finding), mosquitto_pub 2.0.11 at QoS 1/2 disconnects at the first ' +
      'acknowledgement whose message id equals the last line\'s, and ids wrap at 65,535: above 65,535 lines it drops the lines ' +
      'still queued and exits 0. ' +
      '"× mosquitto pair": end-to-end median over the mosquitto_pub → mosquitto_sub median at the same QoS (stdin held open at QoS 1/2), when that pair delivered every line.')
    out.push('')
    out.push(throughputTable(pairs))
  }
  out.push('')
  out.push('### Memory')
  out.push('')
  out.push(mem.text)
  if (notes.length) {
    out.push('')
    for (const n of notes) out.push(`- ${n}`)
  }
  out.push('')
  out.push(`Reproduce: \`npm run bench\` (\`node scripts/bench.mjs --help\` for options). Whole run: ${meta.elapsedS.toFixed(0)} s.`)
  process.stdout.write(out.join('\n') + '\n')

  const json = {
    meta,
    targets: TARGETS,
    startCost: starts.map((one) => ({ variant: one.variant, label: one.label, items: one.items.map(({ cmd, okCodes, ...it }) => ({ ...it, command: [cmd, ...it.args].join(' ') })) })),
    nodeRssKiB: sc?.nodeRssKiB,
    throughput: pairs.map(({ runs, ...p }) => ({ ...p, runs })),
    memory: mem.memory,
    notes,
  }
  fs.writeFileSync(opt.json, JSON.stringify(json, null, 2) + '\n')
  log(`bench: wrote ${opt.json}`)
}

main().then(() => { cleanup() }, (err) => {
  console.error(err?.stack ?? String(err))
  cleanup()
  process.exit(1)
})
