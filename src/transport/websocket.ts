// MQTT over WebSocket (--ws, -L ws:// and wss://) as mosquitto 2.1 does it: GET /mqtt with the
// subprotocol "mqtt", binary frames. The `ws` package is imported here only, and this file only
// when WebSockets are asked for: start-up time matters.
import { createRequire } from 'node:module'
import type { Duplex } from 'node:stream'
import { ConnectionLost } from '../core/client.js'
import { ExitCode, ToolError } from '../core/errors.js'
import { strerror } from '../core/reason-codes.js'

/** Where the WebSocket endpoint is; the connection to run it over (TCP, TLS, unix or SOCKS) is already open. */
export interface WebSocketTarget {
  host: string
  /** 0: `host` is a unix socket path. */
  port: number
  secure: boolean
  /** Seconds the upgrade may take: mosquitto's keepalive clock runs from the TCP connect. */
  keepalive: number
}

// mosquitto 2.1's client always asks for this path (its man page says the URL's path is used).
const HTTP_PATH = '/mqtt'

/** What a person reads for the endpoint; the Host header follows from it (host:port, RFC 9110). */
function urlOf(t: WebSocketTarget): string {
  const scheme = t.secure ? 'wss' : 'ws'
  // a unix socket has no host name to give; the path names it in our messages
  if (t.port === 0) return `${scheme}://localhost${HTTP_PATH}`
  const host = t.host.includes(':') ? `[${t.host}]` : t.host
  return `${scheme}://${host}:${t.port}${HTTP_PATH}`
}

function loadWs(): typeof import('ws') {
  try {
    // require, not import(): the bundle and the start-up snapshot keep `ws` outside, in node_modules.
    return createRequire(import.meta.url)('ws') as typeof import('ws')
  } catch (err) {
    throw new ToolError(ExitCode.USAGE, 'Error: WebSockets need the "ws" package, which is not installed (npm install ws).\n', { cause: err })
  }
}

/** Do the HTTP upgrade over `socket` and resolve a byte stream of binary frames. */
export async function openWebSocket(socket: Duplex, target: WebSocketTarget): Promise<Duplex> {
  const { WebSocket, createWebSocketStream } = loadWs()
  const url = urlOf(target)
  const where = target.port === 0 ? target.host : `${target.host}:${target.port}`
  return new Promise((resolve, reject) => {
    let settled = false
    const client = new WebSocket(url, 'mqtt', {
      // the connection is already open (and TLS already verified): hand it to the HTTP client
      createConnection: () => socket as never,
      perMessageDeflate: false,
    })
    // Our own clock: ws's handshakeTimeout never fires on a socket handed over already connected.
    const timer = setTimeout(() => fail(new ConnectionLost('keepalive', 'Keepalive exceeded')), target.keepalive * 1000)
    const fail = (err: Error): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      reject(err)
      // terminate() during the handshake emits one more 'error', which the listener below ignores
      client.terminate()
      socket.destroy()
    }
    // mosquitto prints only its line, "Unknown error" (its code for no 101, no "mqtt" subprotocol
    // or a bad accept key); ours says why first.
    const refused = (why: string, cause?: unknown): void =>
      fail(new ToolError(ExitCode.UNKNOWN, `Error: WebSocket upgrade at ${url} refused: ${why}.\nError: ${strerror(ExitCode.UNKNOWN)}\n`, { cause }))
    client.on('unexpected-response', (_req, res) => {
      refused(`the server answered HTTP ${res.statusCode ?? '?'} ${res.statusMessage ?? ''}`.trimEnd())
    })
    client.on('error', (err: NodeJS.ErrnoException) => {
      const m = err.message
      if (/subprotocol/i.test(m)) refused(`the server does not speak the "mqtt" subprotocol (${m})`, err)
      else if (/socket hang up/.test(m) || err.code === 'ECONNRESET' || err.code === 'EPIPE') {
        // mosquitto: "The connection was lost" (exit 7); mosquitto_sub tries again, as after any loss
        fail(new ToolError(ExitCode.CONN_LOST, `Error: ${where} closed the connection without answering the WebSocket upgrade: ` +
          `is it a WebSocket listener? (a plain MQTT port does this, and so does a TLS port without wss://)\nError: ${strerror(ExitCode.CONN_LOST)}\n`, { cause: err }))
      } else if (err.code?.startsWith('HPE_')) refused(`the answer is not HTTP (${m})`, err)
      else refused(m, err)
    })
    client.once('open', () => {
      settled = true
      clearTimeout(timer)
      client.removeAllListeners('error')
      client.removeAllListeners('unexpected-response')
      // MQTT packets go out as binary frames; incoming frames arrive as Buffers
      const stream = createWebSocketStream(client)
      // A socket closes when the broker closes it; this stream would only end (half-open), and the
      // client, waiting for 'close', never heard of the loss (tssub stopped instead of reconnecting).
      stream.once('end', () => stream.destroy())
      resolve(stream)
    })
  })
}
