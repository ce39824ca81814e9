#!/usr/bin/env node
// npm run soak: 1,000,000 lines at QoS 1 through a real mosquitto with tspub -l, the broker
// stopped with SIGTERM (so it saves its state) and restarted once in the middle; a persistent
// subscriber (tssub -c -i, or mosquitto_sub with --sub mosquitto_sub) counts distinct lines.
// Prints the figures and exits non-zero unless every line arrived and tspub exited 0.
//
//   node scripts/soak.mjs [--lines N] [--sub tssub|mosquitto_sub] [--qos 1|2]
//
// Not part of the test suite: it takes a minute or two. Loopback only; every wait is bounded and
// every process it starts is stopped on the way out.
import { spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { canConnect, freePort } from './loopback.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const opt = (name, fallback) => {
  const i = args.indexOf(name)
  return i === -1 ? fallback : args[i + 1]
}
const LINES = Number(opt('--lines', '1000000'))
const SUB = opt('--sub', 'tssub')
const QOS = opt('--qos', '1')
// The whole run must end within this; tspub alone gives up after a 60 s outage.
const DEADLINE_MS = 15 * 60_000
const TOPIC = 'soak/lines'
const WIDTH = String(LINES - 1).length

const children = new Set()
const cleanups = []
function track(child) {
  children.add(child)
  child.once('exit', () => children.delete(child))
  return child
}
function cleanup() {
  for (const c of children) c.kill('SIGKILL')
  for (const f of cleanups.splice(0)) f()
}
process.on('exit', cleanup)
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130) })

function findExecutable(name) {
  for (const d of ['/usr/sbin', '/usr/local/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(':')]) {
    const p = path.join(d, name)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch { /* next */ }
  }
  return undefined
}

function fail(message) {
  console.error(`soak: ${message}`)
  process.exit(1)
}

// mosquitto with persistence and unlimited queues (so that any loss is ours, not the broker's
// max_queued_messages), little logging (log_type all would cost more than the clients).
async function startBroker() {
  const bin = findExecutable('mosquitto')
  if (!bin) fail('mosquitto is not installed (apt-get install mosquitto)')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspub-soak-'))
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }))
  // Started as root, mosquitto drops to the mosquitto user, which must write data/.
  fs.chmodSync(dir, 0o755)
  fs.mkdirSync(path.join(dir, 'data'), { mode: 0o777 })
  fs.chmodSync(path.join(dir, 'data'), 0o777)
  const port = await freePort()
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), [
    'allow_anonymous true', 'persistence true', `persistence_location ${path.join(dir, 'data')}/`,
    'autosave_interval 0', 'max_queued_messages 0', 'max_queued_bytes 0',
    'log_dest stderr', 'log_type error', 'log_type warning', `listener ${port} 127.0.0.1`, '',
  ].join('\n'), { mode: 0o644 })
  let proc
  let log = ''
  const launch = async () => {
    proc = track(spawn(bin, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'pipe'] }))
    proc.stderr.on('data', (c) => { log += c })
    for (let i = 0; i < 100; i++) {
      if (await canConnect(port)) return
      if (proc.exitCode !== null) break
      await sleep(50)
    }
    fail(`mosquitto did not start on port ${port}:\n${log}`)
  }
  const stop = async () => {
    const p = proc
    if (!p || p.exitCode !== null) return
    const exited = new Promise((resolve) => p.once('exit', resolve))
    p.kill('SIGTERM')
    const timer = setTimeout(() => p.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  }
  await launch()
  return { port, stop, restart: async () => { await stop(); await launch() }, log: () => log }
}

// The subscriber: counts distinct lines in a bitmap (no line is kept), and duplicates.
function startSubscriber(port) {
  const id = `soak-sub-${process.pid}`
  const bin = SUB === 'mosquitto_sub' ? findExecutable('mosquitto_sub') : path.join(root, 'bin', 'tssub')
  if (!bin) fail(`${SUB} not found`)
  const child = track(spawn(bin, ['-h', '127.0.0.1', '-p', String(port), '-c', '-i', id, '-q', QOS, '-t', TOPIC, '-t', 'soak/probe'],
    { stdio: ['ignore', 'pipe', 'pipe'] }))
  const seen = new Uint8Array(LINES)
  const state = { distinct: 0, total: 0, probes: 0, bad: 0, stderr: '' }
  let partial = ''
  child.stdout.setEncoding('latin1')
  child.stdout.on('data', (text) => {
    const parts = (partial + text).split('\n')
    partial = parts.pop()
    for (const line of parts) {
      if (line === 'probe') { state.probes++; continue }
      const n = Number(line)
      if (line.length !== WIDTH || !Number.isInteger(n) || n < 0 || n >= LINES) { state.bad++; continue }
      state.total++
      if (seen[n] === 0) {
        seen[n] = 1
        state.distinct++
      }
    }
  })
  child.stderr.on('data', (c) => { state.stderr += c })
  return { child, state }
}

// The lines, produced as tspub reads them (never held whole).
function lineSource() {
  let next = 0
  const batch = 1000
  return new Readable({
    read() {
      if (next >= LINES) return this.push(null)
      const end = Math.min(LINES, next + batch)
      let s = ''
      for (let i = next; i < end; i++) s += String(i).padStart(WIDTH, '0') + '\n'
      next = end
      this.push(s)
    },
  })
}

async function until(cond, ms, what) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    if (cond()) return
    await sleep(100)
  }
  if (!cond()) fail(`timed out waiting for ${what}`)
}

async function main() {
  if (!fs.existsSync(path.join(root, 'dist'))) fail('build first (npm run build)')
  const broker = await startBroker()
  const sub = startSubscriber(broker.port)

  // Wait until the subscription is in place: probe until the subscriber prints one.
  const tspub = path.join(root, 'bin', 'tspub')
  await until(() => {
    if (sub.state.probes > 0) return true
    spawnSync(tspub, ['-h', '127.0.0.1', '-p', String(broker.port), '-t', 'soak/probe', '-q', '1', '-m', 'probe'], { timeout: 5000 })
    return sub.state.probes > 0
  }, 15_000, 'the subscriber to subscribe')

  console.log(`soak: ${LINES.toLocaleString('en')} lines at QoS ${QOS}, subscriber ${SUB}, broker on 127.0.0.1:${broker.port}`)
  const start = Date.now()
  const pub = track(spawn(tspub, ['-h', '127.0.0.1', '-p', String(broker.port), '-i', `soak-pub-${process.pid}`, '-q', QOS, '-t', TOPIC, '-l'],
    { stdio: ['pipe', 'ignore', 'pipe'] }))
  let pubStderr = ''
  pub.stderr.on('data', (c) => { pubStderr += c })
  pub.stdin.on('error', () => {})
  lineSource().pipe(pub.stdin)
  const pubExit = new Promise((resolve) => pub.once('exit', (code, signal) => resolve({ code, signal, at: Date.now() })))

  const progress = setInterval(() => {
    const s = (Date.now() - start) / 1000
    console.log(`  ${s.toFixed(0)} s: ${sub.state.distinct.toLocaleString('en')} distinct received`)
  }, 5000)

  // The restart, half-way through (by what the subscriber has seen).
  await until(() => sub.state.distinct >= LINES / 2, DEADLINE_MS, 'half of the lines')
  const restartAt = Date.now()
  const before = sub.state.distinct
  await broker.restart()
  const restartMs = Date.now() - restartAt
  console.log(`  broker restarted (SIGTERM + start: ${restartMs} ms) after ${before.toLocaleString('en')} lines`)

  // An unref'd timer: it must not keep the script alive once tspub has exited.
  const timeout = new Promise((resolve) => setTimeout(() => resolve({ code: null, signal: 'timeout', at: Date.now() }), DEADLINE_MS).unref())
  const pubResult = await Promise.race([pubExit, timeout])
  // After tspub is done, the subscriber may still be draining what the broker queued for it.
  const drainDeadline = Date.now() + 60_000
  let last = -1
  while (Date.now() < drainDeadline && sub.state.distinct < LINES) {
    if (sub.state.distinct === last && Date.now() - pubResult.at > 20_000) break
    last = sub.state.distinct
    await sleep(500)
  }
  const end = Date.now()
  clearInterval(progress)
  sub.child.kill('SIGTERM')
  await broker.stop()

  const seconds = (pubResult.at - start) / 1000
  const missing = LINES - sub.state.distinct
  const duplicates = sub.state.total - sub.state.distinct
  console.log('')
  console.log(`lines published       ${LINES.toLocaleString('en')} (QoS ${QOS})`)
  console.log(`tspub exit            ${pubResult.code ?? pubResult.signal}${pubStderr ? `, stderr: ${pubStderr.trim()}` : ''}`)
  console.log(`tspub time            ${seconds.toFixed(1)} s (${Math.round(LINES / seconds).toLocaleString('en')} lines/s, restart included)`)
  console.log(`all received after    ${((end - start) / 1000).toFixed(1)} s`)
  console.log(`broker restart        ${restartMs} ms (SIGTERM to accepting again), after ${before.toLocaleString('en')} lines`)
  console.log(`distinct received     ${sub.state.distinct.toLocaleString('en')}`)
  console.log(`missing               ${missing.toLocaleString('en')}`)
  console.log(`duplicates            ${duplicates.toLocaleString('en')}`)
  if (sub.state.bad > 0) console.log(`malformed lines       ${sub.state.bad}`)
  if (sub.state.stderr) console.log(`subscriber stderr     ${sub.state.stderr.trim()}`)
  const ok = missing === 0 && pubResult.code === 0 && sub.state.bad === 0
  console.log(ok ? '\nsoak: OK, zero loss' : '\nsoak: FAILED')
  process.exitCode = ok ? 0 : 1
}

main().catch((err) => fail(err.stack ?? String(err)))
