// Starts a real mosquitto broker for the interop tier: its own temp dir and config, a free
// loopback port, and cleanup that survives a failing (or killed) test process.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import type { TestContext } from 'node:test'

// How the broker is configured; everything is optional.
export interface BrokerOptions {
  // user -> password; written with mosquitto_passwd, and anonymous access is then refused.
  users?: Record<string, string>
  // Raw config lines, placed right after our `listener PORT 127.0.0.1` line: listener options
  // (max_qos, protocol…) apply to that listener, global ones (message_size_limit…) to the broker.
  extraConfig?: string
  // Keep messages and sessions across restart() (persistence_location is <dir>/data/).
  persistence?: boolean
  // Raw extra `listener …` blocks (TLS, unix socket…), placed at the end of the config.
  listeners?: string
  // Which mosquitto: Debian's 2.0.11 (default) or 2.1.2 built by .ci/run (mosquitto21Prefix()).
  version?: MosquittoVersion
  // Also a WebSockets listener on 127.0.0.1 (Broker.wsPort): mosquitto 2.1's built-in one, which
  // 2.0.11 cannot open here (shared/notes.md).
  websockets?: boolean
}

/** The two mosquittos the tools are a drop-in for. */
export type MosquittoVersion = '2.0' | '2.1'

// A running (or stopped and restartable) broker.
export interface Broker {
  port: number
  // The WebSockets listener's port (BrokerOptions.websockets), else 0.
  wsPort: number
  // Its own temp dir: mosquitto.conf, passwd, data/; tests may put certificates here.
  dir: string
  // Sends the signal (default SIGTERM, which makes mosquitto save its persistence db) and waits
  // for the exit; SIGKILL follows after 5 s.
  stop(signal?: NodeJS.Signals): Promise<void>
  // Stops (SIGTERM) if running, then starts again on the same port with the same dir.
  restart(): Promise<void>
  // Everything the broker has logged so far (log_type all), over all its runs.
  log(): string
}

const START_TIMEOUT_MS = 5000
const STOP_TIMEOUT_MS = 5000

// Brokers and temp dirs still to clean when this process exits, even after a failed test.
const cleanups = new Set<() => void>()
process.on('exit', () => {
  for (const c of cleanups) c()
})

// Path of the mosquitto binary: Debian installs it in /usr/sbin, which is often not on PATH.
export function mosquittoPath(version: MosquittoVersion = '2.0'): string | undefined {
  return version === '2.1' ? inPrefix('sbin/mosquitto') : findExecutable('mosquitto')
}

/**
 * Where mosquitto 2.1.2 (clients and broker) is installed: $TSMQTT_MOSQUITTO21, else the cache
 * .ci/run builds it into from ../shared/vendor (~/.cache/tspub-ci/mosquitto-2.1.2).
 */
export function mosquitto21Prefix(): string {
  return process.env.TSMQTT_MOSQUITTO21 || path.join(os.homedir(), '.cache', 'tspub-ci', 'mosquitto-2.1.2')
}

function inPrefix(rel: string): string | undefined {
  const p = path.join(mosquitto21Prefix(), rel)
  try {
    fs.accessSync(p, fs.constants.X_OK)
    return p
  } catch {
    return undefined
  }
}

function findExecutable(name: string): string | undefined {
  const dirs = ['/usr/sbin', '/usr/local/sbin', '/usr/bin', ...(process.env.PATH ?? '').split(':').filter((d) => d !== '')]
  for (const d of dirs) {
    const p = path.join(d, name)
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch { /* try the next one */ }
  }
  return undefined
}

// Path of mosquitto_pub, mosquitto_sub… (for differential tests and the harness's own tests).
export function mosquittoClient(name: 'mosquitto_pub' | 'mosquitto_sub' | 'mosquitto_rr', version: MosquittoVersion = '2.0'): string | undefined {
  return version === '2.1' ? inPrefix(`bin/${name}`) : findExecutable(name)
}

// Call first in every test that needs mosquitto 2.1.2 (broker or clients): locally a missing
// build skips the test; under CI it is required (.ci/run builds it).
export function requireMosquitto21(t: TestContext): boolean {
  if (mosquittoPath('2.1') !== undefined && mosquittoClient('mosquitto_pub', '2.1') !== undefined) return true
  if (process.env.CI === 'true') {
    throw new Error(`mosquitto 2.1.2 is not built in ${mosquitto21Prefix()}, and it is required in CI ` +
      '(.ci/run builds it with ../shared/tools/build-mosquitto.sh)')
  }
  t.skip(`mosquitto 2.1.2 not built in ${mosquitto21Prefix()} (bash .ci/run builds it)`)
  return false
}

// Like requireMosquitto, for tests that run mosquitto_pub / mosquitto_sub themselves.
export function requireMosquittoClients(t: TestContext): boolean {
  if (mosquittoClient('mosquitto_pub') !== undefined && mosquittoClient('mosquitto_sub') !== undefined) return true
  if (process.env.CI === 'true') {
    throw new Error('mosquitto_pub/mosquitto_sub are not installed, and they are required in CI ' +
      '(apt-get install mosquitto-clients)')
  }
  t.skip('mosquitto clients not installed')
  return false
}

// Whether the real-broker tier can run here.
export function mosquittoAvailable(): boolean {
  return mosquittoPath() !== undefined
}

// Call first in every real-broker test: locally a missing broker skips the test; under CI
// (CI=true) the tier is required, so it throws instead.
export function requireMosquitto(t: TestContext): boolean {
  if (mosquittoAvailable()) return true
  if (process.env.CI === 'true') {
    throw new Error('mosquitto is not installed, and the real-broker tests are required in CI ' +
      '(apt-get install mosquitto mosquitto-clients)')
  }
  t.skip('mosquitto not installed')
  return false
}

// A loopback port that was free a moment ago (the kernel picks it; there is a small race until
// the broker binds it, which startMosquitto covers by retrying).
export async function freePort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

// Starts mosquitto on a free 127.0.0.1 port; resolves once the port accepts connections.
export async function startMosquitto(opts: BrokerOptions = {}): Promise<Broker> {
  const bin = mosquittoPath(opts.version)
  if (bin === undefined) throw new Error(`mosquitto ${opts.version ?? '2.0'} is not installed`)
  if (opts.websockets && opts.version !== '2.1') throw new Error('a websockets listener needs mosquitto 2.1 (version: \'2.1\')')
  const dir = makeDir(opts)
  let logText = ''
  let proc: RunningBroker | undefined
  const cleanup = (): void => {
    proc?.killNow()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  cleanups.add(cleanup)

  // The port may be taken between freePort() and mosquitto's bind: retry with another one.
  let port = 0
  let wsPort = 0
  for (let attempt = 1; ; attempt++) {
    port = await freePort()
    wsPort = opts.websockets ? await freePort() : 0
    writeConfig(dir, port, wsPort, opts)
    try {
      proc = await launch(bin, dir, port, (s) => { logText += s })
      break
    } catch (err) {
      if (attempt >= 3 || !/Address already in use/.test(logText)) {
        cleanup()
        cleanups.delete(cleanup)
        throw err
      }
    }
  }

  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    const p = proc
    proc = undefined
    await p?.stop(signal)
  }
  return {
    port,
    wsPort,
    dir,
    stop,
    async restart() {
      await stop('SIGTERM')
      logText += '\n--- restart ---\n'
      proc = await launch(bin, dir, port, (s) => { logText += s })
    },
    log: () => logText,
  }
}

// The temp dir must be readable by the `mosquitto` user, which mosquitto becomes when started as
// root (shared/notes.md); data/ must also be writable by it for persistence.
function makeDir(opts: BrokerOptions): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspub-mosquitto-'))
  fs.chmodSync(dir, 0o755)
  const data = path.join(dir, 'data')
  fs.mkdirSync(data)
  fs.chmodSync(data, 0o777)
  const users = Object.entries(opts.users ?? {})
  if (users.length > 0) writePasswords(path.join(dir, 'passwd'), users)
  return dir
}

function writePasswords(file: string, users: [string, string][]): void {
  users.forEach(([user, password], i) => {
    const args = i === 0 ? ['-c', '-b', file, user, password] : ['-b', file, user, password]
    const r = spawnSync(findExecutable('mosquitto_passwd') ?? 'mosquitto_passwd', args, { encoding: 'utf8', timeout: 10_000 })
    if (r.status !== 0) {
      throw new Error(`mosquitto_passwd failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}${r.stdout}`)
    }
  })
  fs.chmodSync(file, 0o644)
}

function writeConfig(dir: string, port: number, wsPort: number, opts: BrokerOptions): void {
  const hasUsers = Object.keys(opts.users ?? {}).length > 0
  const lines = [
    '# written by test/helpers/mosquitto.ts',
    `allow_anonymous ${hasUsers ? 'false' : 'true'}`,
    ...(hasUsers ? [`password_file ${path.join(dir, 'passwd')}`] : []),
    `persistence ${opts.persistence === true ? 'true' : 'false'}`,
    `persistence_location ${path.join(dir, 'data')}/`,
    'log_dest stderr',
    'log_type all',
    'log_timestamp_format %H:%M:%S',
    `listener ${port} 127.0.0.1`,
    opts.extraConfig ?? '',
    opts.listeners ?? '',
    ...(wsPort === 0 ? [] : [`listener ${wsPort} 127.0.0.1`, 'protocol websockets']),
    '',
  ]
  fs.writeFileSync(path.join(dir, 'mosquitto.conf'), lines.join('\n'), { mode: 0o644 })
}

interface RunningBroker {
  stop(signal: NodeJS.Signals): Promise<void>
  killNow(): void
}

// Spawns mosquitto plus a watchdog shell that holds a pipe from us: if this process dies in any
// way (even SIGKILL), the pipe closes, `read` returns and the watchdog stops the broker.
async function launch(bin: string, dir: string, port: number, onLog: (s: string) => void): Promise<RunningBroker> {
  const child = spawn(bin, ['-c', path.join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  let ownLog = ''
  const collect = (c: Buffer): void => {
    ownLog += c.toString()
    onLog(c.toString())
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  child.once('error', (e) => collect(Buffer.from(`cannot run ${bin}: ${e.message}\n`)))
  const watchdog = startWatchdog(child, dir)
  // A forgotten stop() must not keep the test process alive; the exit hook then kills it.
  for (const h of [child, child.stdout, child.stderr, watchdog, watchdog.stdin]) unref(h)

  let running = true
  void exited.then(() => { running = false })
  const killNow = (): void => {
    watchdog.kill('SIGKILL')
    if (running) child.kill('SIGKILL')
  }
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    watchdog.kill('SIGKILL')
    if (!running) return
    child.kill(signal)
    if (!await within(exited, STOP_TIMEOUT_MS)) {
      child.kill('SIGKILL')
      await within(exited, STOP_TIMEOUT_MS)
    }
  }
  try {
    await waitForRunning(() => ownLog, exited, () => running)
  } catch (err) {
    killNow()
    await within(exited, STOP_TIMEOUT_MS)
    throw new Error(`${(err as Error).message}\nmosquitto log:\n${ownLog}`)
  }
  return { stop, killNow }
}

function startWatchdog(broker: ChildProcess, dir: string): ChildProcess {
  // Ignores INT/TERM/HUP so that a signal to our process group does not kill it before it acts;
  // gives the broker 5 s to exit before removing its dir.
  const script = 'trap "" INT TERM HUP; read _; kill -TERM "$0" 2>/dev/null; i=0; ' +
    'while kill -0 "$0" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; rm -rf "$1"'
  const dog = spawn('/bin/sh', ['-c', script, String(broker.pid), dir], { stdio: ['pipe', 'ignore', 'ignore'] })
  dog.stdin?.on('error', () => {})
  return dog
}

function unref(h: unknown): void {
  (h as { unref?: () => void } | null)?.unref?.()
}

function within(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms)
    void p.then(() => {
      clearTimeout(timer)
      resolve(true)
    })
  })
}

// Waits for mosquitto's "mosquitto version X running", which it logs once every listener is open,
// until the broker exits or START_TIMEOUT_MS passes. Not a probe connection: between freePort()
// and mosquitto's bind, another test's fake broker may take the port, and a probe would then be
// that broker's first client (its script's connection 0) while mosquitto fails to bind.
async function waitForRunning(log: () => string, exited: Promise<void>, running: () => boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS
  while (Date.now() < deadline) {
    if (/: mosquitto version \S+ running$/m.test(log())) return
    if (!running()) throw new Error('mosquitto exited during start-up (see its log)')
    await Promise.race([new Promise((r) => setTimeout(r, 20)), exited])
  }
  throw new Error(`mosquitto did not say it was running within ${START_TIMEOUT_MS} ms`)
}

