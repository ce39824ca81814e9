// The differential tier's runner: the same case goes to mosquitto_pub/_sub/_rr 2.0.11 (the oracle)
// and to tspub/tssub/tsrr, against one real broker per test file; exit code, stdout bytes and
// stderr are normalised and compared, and a mismatch fails with a readable side-by-side diff.
// rr cases run both tools at once, each with its own {T}, against a responder (responder.ts).
//
// A case's words may hold placeholders, replaced per tool and put back in the output:
//   {T}    a topic prefix unique to the case (and, for tspub/sequential runs, to the tool)
//   {id}   a client id unique to the case and the tool (two live clients cannot share one)
//   {port} the broker's TCP port       {sock} the broker's unix socket     {dir} a scratch dir
//   {silent} a port that accepts connections and never answers; {closer} one that closes them at once
//   {ws}   the broker's WebSockets port (broker option websockets: true, mosquitto 2.1)
//   {http404} a port that answers any HTTP request (a WebSocket upgrade) with 404 Not Found
//
// Two oracles: mosquitto 2.0.11 (Debian 12's) and 2.1.2 (the current release). A file registers
// its tables against both with differentialBoth(). Where the two differ, ours follows 2.1.2: a
// case says what it expects from us against one oracle with `vs`, or runs against one only with
// `oracles`. The library error texts 2.1 reworded (no final period, "Invalid input" ...) are
// translated in 2.0.11's stderr before comparing (LIBRARY_TEXTS_21), and its -d lines likewise
// ("Client null"), rather than case by case.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { mosquittoAvailable, mosquittoClient, mosquittoPath, requireMosquitto, requireMosquitto21, requireMosquittoClients, startMosquitto,
  type Broker, type BrokerOptions, type MosquittoVersion } from './mosquitto.js'
import { debugLines21, libraryTexts21 } from './mosquitto-texts.js'
import { startResponder, type Responder } from './responder.js'
import { runCli, spawnCli, type RunResult, type SpawnedCli } from './run-cli.js'

export type ToolKind = 'pub' | 'sub' | 'rr'
export type Arg = string | Buffer

/** What one run of one tool produced, after normalisation. */
export interface Outcome {
  code: number | null
  stdout: Buffer
  stderr: string
  /** pub: what a monitor saw arrive under {T}, one `qos retain hex topic` line per message. */
  delivered?: string[]
  /** What the case's probe (a mosquitto_sub run after the tool) printed, e.g. retained leftovers. */
  probe?: string
}

/** How one field of our outcome must look where it deliberately differs from theirs. */
export type Want = string | Buffer | RegExp | ((got: Buffer) => boolean)

/** Our expected outcome for an intentional difference; fields left out must equal theirs. */
export interface Expect {
  code?: number | null
  stdout?: Want
  stderr?: Want
  delivered?: string[]
  probe?: string
}

/** A publish (or a pause, or a signal to both subscribers) done by the runner around a sub case. */
export type Step =
  | { pub: Arg[]; stdin?: string | Buffer }
  | { sleep: number }
  | { signal: NodeJS.Signals }

export interface DiffCase {
  name: string
  args: Arg[]
  /** Words for our tool only, after `args`: an option of ours that theirs lacks (tsrr --correlation). */
  oursArgs?: Arg[]
  /** Do not put `-h 127.0.0.1 -p <port>` in front (for -L, --unix, -p/-h cases and pure parse errors). */
  bare?: boolean
  stdin?: string | Buffer
  /** Content of the options file $XDG_CONFIG_HOME/mosquitto_<tool>, which both tools read (each its own copy). */
  config?: string | Buffer
  /** With `config`: point HOME (not XDG_CONFIG_HOME) at it, as ~/.config/<tool>. */
  configViaHome?: boolean
  env?: Record<string, string | undefined>
  /** Files written into {dir} before the run (shared by both tools). */
  files?: Record<string, string | Buffer>
  /** sub, rr: mosquitto_pub runs before the tools start (retained messages); rr: once per tool. */
  setup?: Step[]
  /** sub: steps once both subscribers have subscribed. */
  feed?: Step[]
  /** sub: the filter whose SUBSCRIBE the broker must log before the feed; default the first -t/-L
   * topic; false when the tool is expected to exit without subscribing. */
  waitFor?: string | false
  /** sub: run theirs to the end (and the probe), then ours, each with its own {T}. */
  sequential?: boolean
  /** A mosquitto_sub run after each tool (e.g. `--retained-only -W 1`), its stdout+code compared. */
  probe?: Arg[]
  /** Extra stdout normalisation for both (the runner already masks JSON tst, %I and %U times). */
  normalize?: (out: Buffer) => Buffer
  /** difference: our outcome where it deliberately differs from theirs. */
  ours?: Expect
  /** difference against one oracle only (merged over `ours`): where 2.0.11 and 2.1.2 differ. */
  vs?: Partial<Record<MosquittoVersion, Expect>>
  /** Run against these oracles only (a 2.1 feature is an "Unknown option" to 2.0.11). */
  oracles?: MosquittoVersion[]
  /** difference: theirs is not run at all (it would hang); `ours` must then say everything. */
  skipTheirs?: string
  /** Known bug outside our files: the case runs but cannot fail the suite. */
  todo?: string
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 10_000
const SUBACK_GRACE_MS = 100
const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'tspub-diff-'))
fs.chmodSync(scratchRoot, 0o1777)
process.on('exit', () => fs.rmSync(scratchRoot, { recursive: true, force: true }))

/** One test file's broker, unix socket and pub monitor. */
export class DiffEnv {
  broker!: Broker
  sock = ''
  // Not brokers: for what happens before any CONNACK.
  private silent?: net.Server
  private closer?: net.Server
  private http404?: net.Server
  silentPort = 0
  closerPort = 0
  http404Port = 0
  private monitor?: SpawnedCli
  private caseNo = 0

  /** Which mosquitto (broker and clients) is the oracle: brokerOptions.version, default 2.0.11. */
  readonly version: MosquittoVersion

  constructor(readonly label: string, readonly brokerOptions: BrokerOptions = {}, readonly acl?: string) {
    this.version = brokerOptions.version ?? '2.0'
    const users = Object.entries(brokerOptions.users ?? {})
    this.auth = users.length > 0 ? ['-u', users[0][0], '-P', users[0][1]] : []
  }

  /** Credentials the runner's own clients (monitor, feed, probe) use on a broker with users. */
  readonly auth: string[]

  /** `-h 127.0.0.1 -p <port>` plus credentials, for the runner's own mosquitto clients. */
  clientArgs(): string[] {
    return ['-h', '127.0.0.1', '-p', String(this.broker.port), ...this.auth]
  }

  async start(): Promise<void> {
    // mosquitto (started as root) drops to its own user, which must be able to create the socket.
    const sockDir = fs.mkdtempSync(path.join(scratchRoot, 'sock-'))
    fs.chmodSync(sockDir, 0o1777)
    this.sock = path.join(sockDir, 'mosquitto.sock')
    let extraConfig = this.brokerOptions.extraConfig ?? ''
    if (this.acl !== undefined) {
      const aclFile = path.join(sockDir, 'acl')
      fs.writeFileSync(aclFile, this.acl, { mode: 0o644 })
      extraConfig += `\nacl_file ${aclFile}\n`
    }
    this.broker = await startMosquitto({
      ...this.brokerOptions,
      extraConfig,
      listeners: `listener 0 ${this.sock}\n${this.brokerOptions.listeners ?? ''}`,
    })
    const held = new Set<net.Socket>()
    this.silent = net.createServer((s) => {
      held.add(s)
      s.on('error', () => undefined)
      s.on('close', () => held.delete(s))
    })
    this.silent.on('close', () => held.forEach((s) => s.destroy()))
    this.closer = net.createServer((s) => s.destroy())
    // Answers once the request's headers are in; an upgrade it refuses is not HTTP/1.1's business to keep open.
    this.http404 = net.createServer((s) => {
      let head = ''
      s.on('error', () => undefined)
      s.on('data', (d) => {
        head += d.toString('latin1')
        if (head.includes('\r\n\r\n')) s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n')
      })
    })
    this.silentPort = await listen(this.silent)
    this.closerPort = await listen(this.closer)
    this.http404Port = await listen(this.http404)
  }

  async stop(): Promise<void> {
    await this.responder?.stop()
    this.silent?.close()
    this.closer?.close()
    this.http404?.close()
    this.monitor?.child.kill('SIGKILL')
    await this.monitor?.result.catch(() => undefined)
    await this.broker?.stop()
  }

  /** Count of broker log lines showing a SUBSCRIBE to exactly `filter`. */
  subscribeCount(filter: string): number {
    const needle = `\t${filter} (QoS `
    let n = 0
    for (let at = this.broker.log().indexOf(needle); at !== -1; at = this.broker.log().indexOf(needle, at + 1)) n++
    return n
  }

  /** Wait (bounded) until the broker logged `count` SUBSCRIBEs to `filter`, or `gaveUp()` says stop. */
  async subscribed(filter: string, count: number, gaveUp: () => boolean, ms = 5000): Promise<boolean> {
    const deadline = Date.now() + ms
    while (Date.now() < deadline) {
      if (this.subscribeCount(filter) >= count) return true
      if (gaveUp()) return false
      await sleep(20)
    }
    return false
  }

  /** A mosquitto_sub on dpub/# that reports every message's QoS, retain flag (as published), payload. */
  async monitorLines(): Promise<string[]> {
    this.monitorReady ??= this.startMonitor()
    await this.monitorReady
    return this.monitor!.output().stdout.toString('latin1').split('\n').filter((l) => l !== '')
  }

  private monitorReady?: Promise<void>

  private async startMonitor(): Promise<void> {
    this.monitor = spawnCli(client('sub', this.version), [...this.clientArgs(), '-V', '5',
      '--retain-as-published', '-q', '2', '-t', 'dpub/#', '-F', '%q %r %x %t'], { timeoutMs: 600_000 })
    if (!await this.subscribed('dpub/#', 1, () => false)) throw new Error('the pub monitor did not subscribe')
  }

  nextCase(): number {
    return ++this.caseNo
  }

  private responder?: Responder
  private responderReady?: Promise<void>

  /** The responder that answers requests under drr/<label>/ (started with the first rr case). */
  async respond(): Promise<void> {
    this.responderReady ??= startResponder(this.broker.port, `drr/${this.label}`, { username: this.auth[1], password: this.auth[3] })
      .then((r) => void (this.responder = r))
    await this.responderReady
  }
}

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))
  })
}

function client(kind: ToolKind, version: MosquittoVersion): string {
  const p = mosquittoClient(`mosquitto_${kind}`, version)
  if (p === undefined) throw new Error(`mosquitto_${kind} ${version} is not installed`)
  return p
}

/** Placeholder values for one tool's run of one case. */
interface Vars { T: string; id: string; port: string; sock: string; dir: string; silent: string; closer: string; ws: string; http404: string }

function substitute(a: Arg, v: Vars): Arg {
  const rep = (s: string): string => s.replace(/\{(T|id|port|sock|dir|silent|closer|ws|http404)\}/g, (_, k: keyof Vars) => v[k])
  if (typeof a === 'string') return rep(a)
  return Buffer.from(rep(a.toString('latin1')), 'latin1')
}

function replaceAll(buf: Buffer, from: string, to: string): Buffer {
  if (from === '' || !buf.includes(from)) return buf
  const parts: Buffer[] = []
  let start = 0
  for (let at = buf.indexOf(from, start, 'latin1'); at !== -1; at = buf.indexOf(from, start, 'latin1')) {
    parts.push(buf.subarray(start, at), Buffer.from(to, 'latin1'))
    start = at + from.length
  }
  parts.push(buf.subarray(start))
  return Buffer.concat(parts)
}

function replaceRe(buf: Buffer, re: RegExp, to: string): Buffer {
  const s = buf.toString('latin1')
  const r = s.replace(re, to)
  return r === s ? buf : Buffer.from(r, 'latin1')
}

// Things that legitimately differ between two runs: the program name, the per-tool placeholder
// values, broker-assigned and generated ids, and clock readings.
function normalise(r: RunResult, kind: ToolKind, theirs: boolean, v: Vars, c: DiffCase, version: MosquittoVersion): Outcome {
  // Clock readings first, before a port number could be put back inside one of them.
  let out = replaceRe(r.stdout, /("tst":\s*")\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}/g, '$1<tst>') // %j/%J
  out = replaceRe(out, /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}/g, '<iso>') // %I
  out = replaceRe(out, /\b\d{10}\.\d{9}\b/g, '<unix>') // %U
  let err = r.stderrBuf
  const mapBoth = (f: (b: Buffer) => Buffer): void => {
    out = f(out)
    err = f(err)
  }
  if (theirs) mapBoth((b) => replaceAll(b, `mosquitto_${kind}`, `ts${kind}`))
  if (theirs && version === '2.0') {
    err = Buffer.from(libraryTexts21(err.toString('latin1')), 'latin1')
    out = Buffer.from(debugLines21(out.toString('latin1')), 'latin1')
  }
  // Only the placeholders the case uses (a bare port number could match unrelated digits);
  // longest first, so a {T} that contains a shorter value is put back whole.
  const text = caseText(c)
  const pairs = (Object.entries(v) as [keyof Vars, string][])
    .filter(([k]) => k === 'T' || k === 'id' || text.includes(`{${k}}`))
    .sort((a, b) => b[1].length - a[1].length)
  for (const [k, value] of pairs) mapBoth((b) => replaceAll(b, value, `{${k}}`))
  mapBoth((b) => replaceRe(b, /auto-[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/g, 'auto-<id>'))
  mapBoth((b) => replaceRe(b, /mosq-[A-Za-z0-9]{18}/g, 'mosq-<id>'))
  if (c.normalize) out = c.normalize(out)
  return { code: r.code, stdout: out, stderr: err.toString('latin1') }
}

// Every word of a case, to see which placeholders it uses.
function caseText(c: DiffCase): string {
  const words: (Arg | undefined)[] = [...c.args, ...(c.probe ?? []), c.config, c.stdin, c.waitFor || undefined]
  for (const s of [...(c.setup ?? []), ...(c.feed ?? [])]) if ('pub' in s) words.push(...s.pub, s.stdin)
  return words.map((w) => (w === undefined ? '' : Buffer.isBuffer(w) ? w.toString('latin1') : w)).join('\n')
}

/** JSON-ish rendering of bytes for diffs: printable ASCII as is, the rest escaped. */
export function show(b: Buffer | string): string {
  const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b
  let s = ''
  for (const c of buf) {
    if (c === 0x0a) s += '\\n'
    else if (c === 0x09) s += '\\t'
    else if (c === 0x5c) s += '\\\\'
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c)
    else s += '\\x' + c.toString(16).padStart(2, '0')
  }
  return s
}

function matches(want: Want, got: Buffer): boolean {
  if (typeof want === 'function') return want(got)
  if (want instanceof RegExp) return want.test(got.toString('latin1'))
  return got.equals(typeof want === 'string' ? Buffer.from(want, 'latin1') : want)
}

function describeWant(want: Want): string {
  if (typeof want === 'function') return `<predicate ${want.name || 'fn'}>`
  if (want instanceof RegExp) return String(want)
  return show(want)
}

/** What the case expects of us against this oracle where we differ on purpose. */
export function expectation(c: DiffCase, version: MosquittoVersion): Expect {
  return { ...c.ours, ...c.vs?.[version] }
}

/** Compare our outcome with theirs (or with the case's expectation); a readable report. */
export function compareOutcomes(c: DiffCase, theirs: Outcome | undefined, ours: Outcome, version: MosquittoVersion = '2.0'): string[] {
  const problems: string[] = []
  const field = (name: 'stdout' | 'stderr', mine: Buffer, want: Want | undefined, other: Buffer | undefined): void => {
    if (want !== undefined) {
      if (!matches(want, mine)) problems.push(`${name}: ours ${show(mine)}\n        want ${describeWant(want)} (difference)`)
      return
    }
    if (other === undefined || other.equals(mine)) return
    let at = 0
    while (at < mine.length && at < other.length && mine[at] === other[at]) at++
    problems.push(`${name} differs at byte ${at}:\n  theirs ${show(other)}\n  ours   ${show(mine)}`)
  }
  const e = expectation(c, version)
  const wantCode = 'code' in e ? e.code : theirs?.code
  if (wantCode !== ours.code) problems.push(`exit code: theirs ${theirs?.code} ours ${ours.code}${'code' in e ? ` (want ${e.code}, difference)` : ''}`)
  field('stdout', ours.stdout, e.stdout, theirs?.stdout)
  field('stderr', Buffer.from(ours.stderr, 'latin1'), e.stderr, theirs === undefined ? undefined : Buffer.from(theirs.stderr, 'latin1'))
  const wantDelivered = e.delivered ?? theirs?.delivered
  if (wantDelivered !== undefined && JSON.stringify(wantDelivered) !== JSON.stringify(ours.delivered)) {
    problems.push(`delivered:\n  theirs ${JSON.stringify(wantDelivered)}\n  ours   ${JSON.stringify(ours.delivered)}`)
  }
  const wantProbe = e.probe ?? theirs?.probe
  if (wantProbe !== undefined && wantProbe !== ours.probe) {
    problems.push(`probe:\n  theirs ${show(wantProbe)}\n  ours   ${show(ours.probe ?? '')}`)
  }
  return problems
}

/** Run one case against both tools and assert that they agree. */
export async function runCase(env: DiffEnv, kind: ToolKind, c: DiffCase): Promise<void> {
  const n = env.nextCase()
  const vars = (who: 'm' | 't', sharedT: boolean): Vars => ({
    T: sharedT ? `d${kind}/${env.label}/${n}` : `d${kind}/${env.label}/${n}/${who}`,
    id: `${env.label}-${n}-${who}`,
    port: String(env.broker.port),
    sock: env.sock,
    dir: caseDir(env.label, n),
    silent: String(env.silentPort),
    closer: String(env.closerPort),
    ws: String(env.broker.wsPort),
    http404: String(env.http404Port),
  })
  for (const [name, content] of Object.entries(c.files ?? {})) fs.writeFileSync(path.join(caseDir(env.label, n), name), content)
  const run = kind === 'pub' ? runPubCase : kind === 'rr' ? runRrCase : runSubCase
  const { theirs, ours } = await run(env, c, vars)
  const problems = compareOutcomes(c, theirs, ours, env.version)
  // DIFF_VERBOSE=1 shows what both printed, to check that a passing case compares something real.
  if (process.env.DIFF_VERBOSE) {
    const line = (o?: Outcome): string => o === undefined ? '(not run)'
      : `${o.code} out=${show(o.stdout)} err=${show(o.stderr)}${o.delivered ? ` delivered=${JSON.stringify(o.delivered)}` : ''}${o.probe !== undefined ? ` probe=${show(o.probe)}` : ''}`
    process.stderr.write(`# ${kind} ${c.name}\n#   theirs ${line(theirs)}\n#   ours   ${line(ours)}\n`)
  }
  if (problems.length > 0) {
    assert.fail(`${kind} case "${c.name}" differs:\n${problems.join('\n')}\n` +
      `(args: ${c.args.map((a) => JSON.stringify(show(a))).join(' ')})`)
  }
}

function caseDir(label: string, n: number): string {
  const dir = path.join(scratchRoot, `${label}-${n}`)
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 })
  return dir
}

function baseArgs(env: DiffEnv, c: DiffCase): Arg[] {
  return c.bare ? [] : ['-h', '127.0.0.1', '-p', String(env.broker.port)]
}

// The config file and the environment for one tool's run.
function runEnv(c: DiffCase, kind: ToolKind, theirs: boolean, v: Vars): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...c.env }
  if (c.config === undefined) return env
  const dir = path.join(v.dir, theirs ? 'cfg-theirs' : 'cfg-ours')
  const cfgDir = c.configViaHome ? path.join(dir, '.config') : dir
  fs.mkdirSync(cfgDir, { recursive: true })
  const content = substitute(typeof c.config === 'string' ? Buffer.from(c.config, 'latin1') : c.config, v) as Buffer
  // Both read mosquitto's file: a user's settings for mosquitto's clients apply to ours unchanged.
  fs.writeFileSync(path.join(cfgDir, `mosquitto_${kind}`), content)
  if (c.configViaHome) {
    // A case may still set XDG_CONFIG_HOME, to show that it then hides ~/.config.
    if (!('XDG_CONFIG_HOME' in env)) env.XDG_CONFIG_HOME = undefined
    env.HOME = dir
  } else {
    env.XDG_CONFIG_HOME = dir
  }
  return env
}

function toolArgs(env: DiffEnv, c: DiffCase, v: Vars, ours = false): Arg[] {
  return [...baseArgs(env, c), ...c.args, ...(ours ? c.oursArgs ?? [] : [])].map((a) => substitute(a, v))
}

// --- pub and rr: one run each, at once ---

// Theirs (unless skipped) with `vm` and ours with `vt`, to completion, normalised.
async function runBoth(env: DiffEnv, c: DiffCase, kind: ToolKind, vm: Vars, vt: Vars): Promise<{ theirs?: Outcome; ours: Outcome }> {
  const run = (theirs: boolean, v: Vars): Promise<RunResult> => runCli(theirs ? client(kind, env.version) : `ts${kind}`, toolArgs(env, c, v, !theirs), {
    stdin: c.stdin === undefined ? undefined : substitute(Buffer.from(c.stdin), v) as Buffer,
    env: runEnv(c, kind, theirs, v),
    timeoutMs: c.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  })
  const [rm, rt] = await Promise.all([c.skipTheirs ? undefined : run(true, vm), run(false, vt)])
  return { theirs: rm && normalise(rm, kind, true, vm, c, env.version), ours: normalise(rt, kind, false, vt, c, env.version) }
}

// --- pub ---

async function runPubCase(env: DiffEnv, c: DiffCase, vars: (who: 'm' | 't', shared: boolean) => Vars):
  Promise<{ theirs?: Outcome; ours: Outcome }> {
  const monitored = [...c.args, c.stdin ?? '', c.config ?? ''].some((a) => a.toString().includes('{T}'))
  if (monitored) await env.monitorLines()
  const vm = vars('m', false)
  const vt = vars('t', false)
  // Distinct topics, so both can run at once and the monitor tells their messages apart.
  const { theirs, ours } = await runBoth(env, c, 'pub', vm, vt)
  if (monitored) {
    const oursTarget = expectation(c, env.version).delivered?.length
    const got = await settleDelivered(env, theirs ? [vm.T, vt.T] : [vt.T], theirs ? [undefined, oursTarget] : [oursTarget])
    if (theirs) theirs.delivered = got[0]
    ours.delivered = got[got.length - 1]
  }
  if (c.probe) {
    if (theirs) theirs.probe = await probe(env, c, vm)
    ours.probe = await probe(env, c, vt)
  }
  return { theirs, ours }
}

// The monitor's lines for each prefix, once the counts have been still for a while and reached
// their targets (a known count, or else agreement with the other tool's count).
async function settleDelivered(env: DiffEnv, prefixes: string[], targets: (number | undefined)[]): Promise<string[][]> {
  const pick = (lines: string[]): string[][] => prefixes.map((p) => lines
    .map((l) => /^(\d) (\d) ([0-9a-f]*) (.*)$/s.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && (m[4] === p || m[4].startsWith(p + '/')))
    .map((m) => `${m[1]} ${m[2]} ${m[3]} ${'{T}' + m[4].slice(p.length)}`))
  const deadline = Date.now() + 3000
  let last = ''
  let stableSince = Date.now()
  for (;;) {
    const got = pick(await env.monitorLines())
    const key = JSON.stringify(got)
    if (key !== last) {
      last = key
      stableSince = Date.now()
    }
    const reached = got.every((g, i) => g.length === (targets[i] ?? (targets.every((t) => t === undefined) ? got[0].length : g.length)))
    if ((reached && Date.now() - stableSince >= 150) || Date.now() > deadline) return got
    await sleep(25)
  }
}

async function probe(env: DiffEnv, c: DiffCase, v: Vars): Promise<string> {
  const r = await runCli(client('sub', env.version), [...env.clientArgs(), ...c.probe!].map((a) => substitute(a, v)))
  return `${r.code} ${replaceAll(r.stdout, v.T, '{T}').toString('latin1')}`
}

// --- rr ---

// Both at once against the responder, each with its own {T} (so its own request and response
// topics), after the setup steps of each; the probe runs after each.
async function runRrCase(env: DiffEnv, c: DiffCase, vars: (who: 'm' | 't', shared: boolean) => Vars):
  Promise<{ theirs?: Outcome; ours: Outcome }> {
  await env.respond()
  const vm = vars('m', false)
  const vt = vars('t', false)
  const runs = c.skipTheirs ? [vt] : [vm, vt]
  for (const v of runs) await runSteps(env, c.setup, [v], [])
  const { theirs, ours } = await runBoth(env, c, 'rr', vm, vt)
  if (c.probe) {
    if (theirs) theirs.probe = await probe(env, c, vm)
    ours.probe = await probe(env, c, vt)
  }
  return { theirs, ours }
}

// --- sub ---

async function runSteps(env: DiffEnv, steps: Step[] | undefined, vs: Vars[], subs: SpawnedCli[]): Promise<void> {
  for (const s of steps ?? []) {
    if ('sleep' in s) await sleep(s.sleep)
    else if ('signal' in s) for (const sub of subs) sub.child.kill(s.signal)
    else {
      // A step naming {id} concerns each tool's own client; otherwise {T} is shared and it runs once.
      const targets = s.pub.some((a) => a.toString().includes('{id}')) ? vs : vs.slice(0, 1)
      for (const v of targets) {
        const r = await runCli(client('pub', env.version), [...env.clientArgs(), ...s.pub.map((a) => substitute(a, v))],
          { stdin: s.stdin === undefined ? undefined : substitute(Buffer.from(s.stdin), v) as Buffer })
        if (r.code !== 0) throw new Error(`feed step mosquitto_pub ${s.pub.join(' ')} failed (${r.code}): ${r.stderr}`)
      }
    }
  }
}

// The filter to wait for: the first -t value, or the topic of the first -L URL.
function firstFilter(args: Arg[], v: Vars): string | undefined {
  for (let i = 0; i + 1 < args.length; i++) {
    const a = args[i].toString()
    if (a === '-t' || a === '--topic') return substitute(args[i + 1], v).toString()
    if (a === '-L' || a === '--url') {
      const m = /^(?:mqtts?|wss?):\/\/[^/]*\/(.*)$/i.exec(substitute(args[i + 1], v).toString())
      if (m) return m[1]
    }
  }
  return undefined
}

async function runSubCase(env: DiffEnv, c: DiffCase, vars: (who: 'm' | 't', shared: boolean) => Vars):
  Promise<{ theirs?: Outcome; ours: Outcome }> {
  const shared = !c.sequential
  const vm = vars('m', shared)
  const vt = vars('t', shared)
  const start = (theirs: boolean, v: Vars): SpawnedCli => spawnCli(theirs ? client('sub', env.version) : 'tssub', toolArgs(env, c, v), {
    stdin: c.stdin === undefined ? Buffer.alloc(0) : substitute(Buffer.from(c.stdin), v) as Buffer,
    env: runEnv(c, 'sub', theirs, v),
    timeoutMs: c.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  })
  const session = async (runs: { theirs: boolean; v: Vars }[]): Promise<Outcome[]> => {
    await runSteps(env, c.setup, runs.map((r) => r.v), [])
    const before = new Map<string, number>()
    const filter = c.waitFor === false ? undefined : (c.waitFor !== undefined ? substitute(c.waitFor, runs[0].v).toString() : firstFilter(c.args, runs[0].v))
    if (filter !== undefined) before.set(filter, env.subscribeCount(filter))
    const subs = runs.map((r) => start(r.theirs, r.v))
    const exited = subs.map(() => false)
    subs.forEach((s, i) => void s.result.then(() => (exited[i] = true), () => (exited[i] = true)))
    if (filter !== undefined) {
      const ok = await env.subscribed(filter, before.get(filter)! + subs.length, () => exited.some((x) => x))
      if (!ok && !exited.some((x) => x)) {
        for (const s of subs) s.child.kill('SIGKILL')
        throw new Error(`case "${c.name}": no SUBSCRIBE to ${filter} from every subscriber`)
      }
    }
    // The broker logs the SUBSCRIBE just before it sends the SUBACK; a moment's grace keeps a feed
    // message from landing in the same read as the SUBACK (tssub then logs them out of order).
    if (c.feed) await sleep(SUBACK_GRACE_MS)
    await runSteps(env, c.feed, runs.map((r) => r.v), subs)
    const results = await Promise.all(subs.map((s) => s.result))
    const outcomes = results.map((r, i) => normalise(r, 'sub', runs[i].theirs, runs[i].v, c, env.version))
    if (c.probe) for (const [i, r] of runs.entries()) outcomes[i].probe = await probe(env, c, r.v)
    return outcomes
  }
  if (c.skipTheirs) return { ours: (await session([{ theirs: false, v: vt }]))[0] }
  if (c.sequential) {
    const [theirs] = await session([{ theirs: true, v: vm }])
    const [ours] = await session([{ theirs: false, v: vt }])
    return { theirs, ours }
  }
  const [theirs, ours] = await session([{ theirs: true, v: vm }, { theirs: false, v: vt }])
  return { theirs, ours }
}

// --- test registration ---

const available = (v: MosquittoVersion, rr: boolean): boolean => process.env.CI === 'true' || ((v === '2.1'
  ? mosquittoPath('2.1') !== undefined && mosquittoClient('mosquitto_pub', '2.1') !== undefined
  : mosquittoAvailable() && mosquittoClient('mosquitto_pub') !== undefined && mosquittoClient('mosquitto_sub') !== undefined) &&
  (!rr || mosquittoClient('mosquitto_rr', v) !== undefined))

/** A table of cases for one tool. */
export interface CaseGroup {
  title: string
  kind: ToolKind
  cases: DiffCase[]
}

/** How a file's tables are run: the broker, an ACL, how many cases of a table at a time. */
export interface DiffOptions {
  broker?: BrokerOptions
  acl?: string
  concurrency?: number
}

/** Register tables of cases under one describe block with its own broker (one per test file);
 * within a table, cases run `concurrency` at a time. */
export function differential(title: string, label: string, groups: CaseGroup[], opts: DiffOptions = {}): void {
  const env = new DiffEnv(label, opts.broker, opts.acl)
  const concurrency = opts.concurrency ?? 2
  const rr = groups.some((g) => g.kind === 'rr')
  describe(title, { skip: available(env.version, rr) ? false : `mosquitto ${env.version} or its clients are not installed` }, () => {
    before(() => env.start())
    after(() => env.stop())
    for (const g of groups) {
      describe(g.title, { concurrency }, () => {
        for (const c of g.cases.filter((c) => c.oracles === undefined || c.oracles.includes(env.version))) {
          test(c.name, { todo: c.todo }, async (t) => {
            if (env.version === '2.1' ? !requireMosquitto21(t) : !requireMosquitto(t) || !requireMosquittoClients(t)) return
            await runCase(env, g.kind, c)
          })
        }
      })
    }
  })
}

/** The same tables against both oracles, mosquitto 2.0.11 and 2.1.2 (each with its own broker). */
export function differentialBoth(title: string, label: string, groups: CaseGroup[], opts: DiffOptions = {}): void {
  for (const version of ['2.0', '2.1'] as const) {
    differential(`${title} (mosquitto ${version === '2.0' ? '2.0.11' : '2.1.2'})`, `${label}${version === '2.0' ? '' : '21'}`, groups,
      { ...opts, broker: { ...opts.broker, version } })
  }
}
