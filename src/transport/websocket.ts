// MQTT over WebSocket (-L ws:// and wss://), subprotocol "mqtt", binary frames. The `ws` package
// is imported here only, and this file only when a WebSocket URL is used: start-up time matters.
import { createRequire } from 'node:module'
import type { Duplex } from 'node:stream'
import { ExitCode, ToolError } from '../core/errors.js'

/** Where the WebSocket endpoint is; `socket` is the connection (TCP, TLS, unix or SOCKS) to run it over. */
export interface WebSocketTarget {
  host: string
  port: number
  path: string
  secure: boolean
}

const HANDSHAKE_TIMEOUT_MS = 10_000

function urlOf(t: WebSocketTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.port === 0 ? 'localhost' : t.host
  const port = t.port === 0 ? '' : `:${t.port}`
  return `${t.secure ? 'wss' : 'ws'}://${host}${port}${t.path.startsWith('/') ? t.path : '/' + t.path}`
}

/** Do the HTTP upgrade over `socket` and resolve a byte stream of binary frames. */
export async function openWebSocket(socket: Duplex, target: WebSocketTarget): Promise<Duplex> {
  let wsModule: typeof import('ws')
  try {
    // require, not import(): the bundle and the start-up snapshot keep `ws` outside, in node_modules.
    wsModule = createRequire(import.meta.url)('ws') as typeof import('ws')
  } catch (err) {
    throw new ToolError(ExitCode.USAGE, 'Error: WebSocket URLs need the "ws" package, which is not installed (npm install ws).\n', { cause: err })
  }
  const { WebSocket, createWebSocketStream } = wsModule
  const url = urlOf(target)
  return new Promise((resolve, reject) => {
    let settled = false
    const client = new WebSocket(url, 'mqtt', {
      // the connection is already open (and TLS already verified): hand it to the HTTP client
      createConnection: () => socket as never,
      handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      perMessageDeflate: false,
    })
    const fail = (why: string, cause?: unknown): void => {
      if (settled) return
      settled = true
      reject(new ToolError(ExitCode.USAGE, `Error: WebSocket handshake with ${url} failed: ${why}.\n`, { cause }))
      // terminate() during the handshake emits one more 'error', which the listener below ignores
      client.terminate()
      socket.destroy()
    }
    client.on('unexpected-response', (_req, res) => {
      const status = `the server answered HTTP ${res.statusCode ?? '?'} ${res.statusMessage ?? ''}`.trimEnd()
      fail(res.statusCode === 404 ? `${status} (check the path in -L)` : status)
    })
    client.on('error', (err: Error) => {
      const m = err.message
      if (/subprotocol/i.test(m)) fail(`the server does not accept the "mqtt" subprotocol (${m})`, err)
      else if (/timed out/i.test(m)) fail(`no answer within ${HANDSHAKE_TIMEOUT_MS / 1000} s`, err)
      else if (/socket hang up|ECONNRESET/.test(m)) fail('the server closed the connection without an answer (a TLS port needs wss://)', err)
      else fail(m, err)
    })
    client.once('open', () => {
      settled = true
      client.removeAllListeners('error')
      client.removeAllListeners('unexpected-response')
      // MQTT packets go out as binary frames; incoming frames arrive as Buffers
      resolve(createWebSocketStream(client))
    })
  })
}
