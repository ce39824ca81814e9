// --proxy socks5h://[user[:pass]@]host[:port]: mosquitto's URL rules (contract §2.1) and a SOCKS5
// client (RFC 1928, with RFC 1929 user name/password authentication) over a plain socket.
import { isIPv4, isIPv6 } from 'node:net'
import type { Socket } from 'node:net'
import { ExitCode, ToolError, UsageError } from '../core/errors.js'
import { errorLine } from '../core/reason-codes.js'
import { atoi } from '../options/c-numbers.js'
import { openTcp } from './tcp.js'

/** A parsed --proxy URL; user name and password as raw bytes. */
export interface ProxyUrl {
  host: string
  port: number
  username?: Buffer
  password?: Buffer
}

const HANDSHAKE_TIMEOUT_MS = 10_000
const PREFIX = 'socks5h://'

// %25, %3A/%3a and %40 (mosquitto turns %40 into ':'; we decode it to '@' as intended); any other
// escape is a usage error with no message of its own, as in mosquitto.
function percentDecode(s: string): Buffer {
  let out = ''
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      out += s[i]
      continue
    }
    const code = s.slice(i + 1, i + 3).toLowerCase()
    const ch = code === '25' ? '%' : code === '3a' ? ':' : code === '40' ? '@' : undefined
    if (ch === undefined) throw new UsageError('')
    out += ch
    i += 2
  }
  return Buffer.from(out, 'latin1')
}

/** Parse --proxy as mosquitto does; throws UsageError with mosquitto's texts. Pure: no I/O. */
export function parseProxyUrl(url: string): ProxyUrl {
  // mosquitto: the scheme is case-sensitive and only socks5h is known
  if (!url.startsWith(PREFIX)) throw new UsageError(`Error: Unsupported proxy protocol: ${url}\n`)
  let rest = url.slice(PREFIX.length)
  const result: ProxyUrl = { host: '', port: 1080 }
  const at = rest.indexOf('@')
  if (at !== -1) {
    const userInfo = rest.slice(0, at)
    rest = rest.slice(at + 1)
    // mosquitto fails these silently (and crashes on a user with no ':'); we say why
    if (rest.includes('@')) throw new UsageError("Error: Invalid proxy: more than one '@' (write '@' in a user name or password as %40).\n")
    const colon = userInfo.indexOf(':')
    const user = colon === -1 ? userInfo : userInfo.slice(0, colon)
    const pass = colon === -1 ? '' : userInfo.slice(colon + 1)
    // mosquitto 2.1 (2.0 took the rest as the password); write a ':' in either as %3A
    if (pass.includes(':')) throw new UsageError("Error: Username cannot contain ':'.\n")
    result.username = percentDecode(user)
    result.password = percentDecode(pass)
    if (user === '' || (colon !== -1 && pass === '')) {
      throw new UsageError('Error: Invalid proxy: empty user name or password.\n')
    }
  }
  if (rest === '') throw new UsageError('Error: Invalid proxy.\n')
  const { host, portText } = hostAndPort(rest)
  if (portText !== undefined) {
    if (portText === '' || host === '') throw new UsageError('Error: Invalid proxy.\n')
    // mosquitto: atoi, so "1080/x" is 1080 and "abc" is 0
    const port = atoi(portText)
    if (port < 1 || port > 65535) throw new UsageError(`Error: Invalid proxy port ${port}\n`)
    result.port = port
  }
  // option values are byte strings; the host goes to the resolver as UTF-8
  result.host = Buffer.from(host, 'latin1').toString('utf8')
  return result
}

// "host[:port]", or (mosquitto 2.1) "[IPv6 address][:port]". mosquitto 2.1 fails a second ':'
// without a word, and reads what follows ']' without a ':' as the port; both are refused here
// with a message, the latter as mosquitto does ("Invalid proxy port 0").
function hostAndPort(rest: string): { host: string, portText?: string } {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close === -1) throw new UsageError("Error: Invalid proxy: no ']' after the IPv6 address.\n")
    const host = rest.slice(1, close)
    if (host.includes('[') || rest.indexOf('[', close) !== -1 || rest.indexOf(']', close + 1) !== -1) {
      throw new UsageError('Error: Duplicate IPv6 address.\n')
    }
    const after = rest.slice(close + 1)
    if (after === '') return { host }
    const portText = after.startsWith(':') ? after.slice(1) : after
    if (portText.includes(':')) throw new UsageError('Error: Invalid proxy.\n')
    return { host, portText }
  }
  const colon = rest.indexOf(':')
  if (colon === -1) return { host: rest }
  const portText = rest.slice(colon + 1)
  if (portText.includes(':')) throw new UsageError('Error: Invalid proxy.\n')
  return { host: rest.slice(0, colon), portText }
}

/** Where to tunnel to, and how to reach the proxy. */
export interface SocksTarget {
  host: string
  port: number
  bindAddress?: string
  nodelay?: boolean
}

const REPLIES: Record<number, string> = {
  1: 'general SOCKS server failure',
  2: 'connection not allowed by its rules',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
}

// Reads exactly the bytes the handshake asks for, in paused mode: whatever the proxy sends after
// its reply (the broker's first bytes) stays in the socket's buffer for the MQTT client.
class Reader {
  private wake?: () => void
  private failure?: Error
  private readonly onReadable = (): void => this.wake?.()
  private readonly onEnd = (): void => this.fail(new Error('closed'))
  private readonly onError = (e: Error): void => this.fail(e)

  constructor(private readonly socket: Socket) {
    socket.on('readable', this.onReadable)
    socket.on('end', this.onEnd)
    socket.on('close', this.onEnd)
    socket.on('error', this.onError)
  }

  async read(n: number): Promise<Buffer> {
    for (;;) {
      const b = this.socket.read(n) as Buffer | null
      // at the end of the stream read(n) hands back what is left, even if short
      if (b !== null && b.length === n) return b
      if (b !== null || this.failure) throw this.failure ?? new Error('closed')
      await new Promise<void>((resolve) => (this.wake = resolve))
    }
  }

  // Hands the socket over: once the last 'readable' listener is gone, a 'data' listener makes it flow.
  detach(): void {
    this.socket.off('readable', this.onReadable)
    this.socket.off('end', this.onEnd)
    this.socket.off('close', this.onEnd)
    this.socket.off('error', this.onError)
  }

  private fail(e: Error): void {
    this.failure ??= e
    this.wake?.()
  }
}

// The SOCKS5 CONNECT address: IPv4/IPv6 literals as such, anything else as a name the proxy resolves.
function addressBytes(host: string): Buffer {
  if (isIPv4(host)) return Buffer.from([1, ...host.split('.').map(Number)])
  if (isIPv6(host)) {
    const [head, tail = ''] = host.split('::')
    const groups = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)))
    const h = groups(head!)
    const t = groups(tail)
    const all = host.includes('::') ? [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t] : h
    const out = Buffer.alloc(17)
    out[0] = 4
    all.forEach((g, i) => out.writeUInt16BE(g, 1 + i * 2))
    return out
  }
  const name = Buffer.from(host, 'utf8')
  return Buffer.concat([Buffer.from([3, name.length]), name])
}

// A handshake failure: our line naming the cause, then mosquitto's line for that code.
class SocksFailure extends Error {
  constructor(readonly line: string, readonly exitCode: number = ExitCode.PROXY) {
    super(line)
  }
}

// Method selection, then RFC 1929 user name/password if the proxy picks it.
async function authenticate(socket: Socket, reader: Reader, proxy: ProxyUrl, where: string): Promise<void> {
  const auth = proxy.username !== undefined
  socket.write(Buffer.from(auth ? [5, 2, 0, 2] : [5, 1, 0]))
  const choice = await reader.read(2)
  if (choice[0] !== 5) throw new SocksFailure(`${where} did not answer as a SOCKS5 server.`)
  if (choice[1] === 0) return
  if (choice[1] === 0xff) {
    throw new SocksFailure(auth ? `${where} accepts none of our authentication methods.`
      : `${where} requires a user name and password (socks5h://user:pass@host:port).`, ExitCode.AUTH)
  }
  if (choice[1] !== 2 || !auth) throw new SocksFailure(`${where} chose an authentication method we did not offer (${choice[1]}).`)
  const user = proxy.username!.subarray(0, 255)
  const pass = (proxy.password ?? Buffer.alloc(0)).subarray(0, 255)
  socket.write(Buffer.concat([Buffer.from([1, user.length]), user, Buffer.from([pass.length]), pass]))
  const status = await reader.read(2)
  if (status[1] !== 0) throw new SocksFailure(`${where} refused the user name and password in --proxy.`, ExitCode.AUTH)
}

// The exit status mosquitto gives a failed CONNECT reply (socks_mosq.c): 2 "not allowed" is an
// authorisation failure, 3-5 (unreachable, refused) leave it "not connected", 9 and up are
// invalid; the rest are proxy errors.
function replyExit(code: number): number {
  if (code === 2) return ExitCode.AUTH
  if (code >= 3 && code <= 5) return ExitCode.NO_CONN
  if (code >= 9) return ExitCode.INVAL
  return ExitCode.PROXY
}

// CONNECT to the broker and read the whole reply, so that only the broker's bytes remain.
async function requestConnect(socket: Socket, reader: Reader, target: SocksTarget, where: string): Promise<void> {
  const port = Buffer.alloc(2)
  port.writeUInt16BE(target.port)
  socket.write(Buffer.concat([Buffer.from([5, 1, 0]), addressBytes(target.host), port]))
  const head = await reader.read(4)
  if (head[0] !== 5) throw new SocksFailure(`${where} did not answer as a SOCKS5 server.`)
  if (head[1] !== 0) {
    let why = REPLIES[head[1]!] ?? `reply code ${head[1]}`
    // microsocks, for one, answers a failed name lookup this way
    if (head[1] === 1 && !isIPv4(target.host) && !isIPv6(target.host)) why += ' (can it resolve the name?)'
    throw new SocksFailure(`${where} could not connect to ${target.host}:${target.port}: ${why}.`, replyExit(head[1]!))
  }
  // the bound address: 4 or 16 bytes, or a length-prefixed name; then a port
  const len = head[3] === 1 ? 4 : head[3] === 4 ? 16 : (await reader.read(1))[0]!
  await reader.read(len + 2)
}

/** Connect to `target` through the proxy; resolves the tunnel as a plain socket. */
export async function socksConnect(proxy: ProxyUrl, target: SocksTarget): Promise<Socket> {
  const where = `the SOCKS5 proxy at ${proxy.host}:${proxy.port}`
  let socket: Socket
  try {
    socket = await openTcp({ host: proxy.host, port: proxy.port, bindAddress: target.bindAddress, nodelay: target.nodelay }) as Socket
  } catch (err) {
    // mosquitto prints only "Error: Connection refused"; we first say it was the proxy
    if (err instanceof ToolError) throw new ToolError(err.exitCode, `Error: cannot reach ${where} (--proxy).\n${err.text}`, { cause: err })
    throw err
  }
  const reader = new Reader(socket)
  const timer = setTimeout(() => socket.destroy(new Error('timeout')), HANDSHAKE_TIMEOUT_MS)
  try {
    await authenticate(socket, reader, proxy, where)
    await requestConnect(socket, reader, target, where)
    reader.detach()
    return socket
  } catch (err) {
    socket.destroy()
    if (err instanceof SocksFailure) throw new ToolError(err.exitCode, `Error: ${err.line}\n${errorLine(err.exitCode)}`)
    const why = (err as Error).message === 'timeout'
      ? `did not complete the SOCKS5 handshake within ${HANDSHAKE_TIMEOUT_MS / 1000} s` : 'closed the connection during the SOCKS5 handshake'
    throw new ToolError(ExitCode.PROXY, `Error: ${where} ${why}.\n${errorLine(ExitCode.PROXY)}`, { cause: err })
  } finally {
    clearTimeout(timer)
  }
}
