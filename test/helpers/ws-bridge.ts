// A WebSocket front for a TCP broker, for tests: mosquitto 2.0.11 cannot open a websockets
// listener here (shared/notes.md), so this accepts ws:// (or wss:// with a certificate) on a
// loopback port, requires the "mqtt" subprotocol and pipes each connection's binary frames to
// the broker's plain TCP port.
import fs from 'node:fs'
import http from 'node:http'
import https from 'node:https'
import net from 'node:net'
import { WebSocketServer, createWebSocketStream } from 'ws'

// How to listen; `tls` makes it wss.
export interface BridgeOptions {
  brokerPort: number
  // Only upgrades to this path are accepted (others get 404); default '/mqtt'.
  path?: string
  tls?: { cert: string, key: string }
}

// A running bridge.
export interface WsBridge {
  port: number
  // Subprotocols and paths the clients asked for, in order.
  requests: { path: string, protocols: string[] }[]
  close(): Promise<void>
}

// Starts the bridge on a free 127.0.0.1 port.
export async function startWsBridge(opts: BridgeOptions): Promise<WsBridge> {
  const path = opts.path ?? '/mqtt'
  const server = opts.tls
    ? https.createServer({ cert: fs.readFileSync(opts.tls.cert), key: fs.readFileSync(opts.tls.key) })
    : http.createServer()
  const requests: WsBridge['requests'] = []
  const sockets = new Set<net.Socket>()
  server.on('connection', (s: net.Socket) => {
    sockets.add(s)
    s.once('close', () => sockets.delete(s))
  })
  const wss = new WebSocketServer({
    noServer: true,
    // answer only "mqtt"; a client that offers no acceptable subprotocol gets none back
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  })
  server.on('upgrade', (req, socket, head) => {
    const url = req.url ?? ''
    requests.push({ path: url, protocols: String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '') })
    if (url !== path) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n')
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client = createWebSocketStream(ws)
      const broker = net.connect({ host: '127.0.0.1', port: opts.brokerPort })
      client.on('error', () => broker.destroy())
      broker.on('error', () => client.destroy())
      client.pipe(broker).pipe(client)
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return {
    port: (server.address() as net.AddressInfo).port,
    requests,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      wss.close()
      server.close(() => resolve())
    }),
  }
}
