// openTransport(): picks TCP, unix socket, TLS, TLS-PSK, WebSocket or SOCKS5 from the options
// and resolves a connected Duplex for the client core. Only tcp.ts is loaded up front: TLS,
// WebSocket and SOCKS code (and node:tls, ws) are imported when used, to keep start-up fast.
import type { Duplex } from 'node:stream'
import type { Options } from '../options/types.js'
import { writeErr } from '../output/colour.js'
import { openTcp } from './tcp.js'

/** What the options ask for, decided before any I/O (exported for tests). */
export interface TransportPlan {
  host: string
  port: number
  tls: boolean
  /** Trust the OS certificates (--tls-use-os-certs, mqtts://, or -p 8883 on its own). */
  useOsCerts: boolean
  /** --ws, -L ws:// or wss://: MQTT over WebSocket on top of the connection (TLS or not). */
  websocket: boolean
}

/** mosquitto's rules for when TLS is on and which port is the default (contract §2.1, §2.7). */
export function transportPlan(o: Options): TransportPlan {
  const t = o.tls
  // mosquitto 2.1's --no-tls: as if no TLS option had been given. mosquitto still defaults to
  // port 8883 for --cafile/--capath/--psk then, and speaks plain MQTT to it; we use 1883.
  if (t.noTls) return { host: o.host, port: o.port ?? 1883, tls: false, useOsCerts: false, websocket: o.websocket }
  const explicitTls = t.cafile !== undefined || t.capath !== undefined || t.psk !== undefined
  // mosquitto: an explicit -p 8883 with no CA and no PSK turns TLS on with the OS certificates
  const port8883 = o.portExplicit && o.port === 8883 && !explicitTls
  // mqtts:// and wss:// add the OS certificates (as mosquitto's mqtts:// does), except with PSK
  const useOsCerts = t.useOsCerts || port8883 || (o.urlTls && t.psk === undefined)
  const tls = explicitTls || useOsCerts || o.urlTls
  // --tls-use-os-certs alone keeps 1883 (contract §2.7); -L always sets a port
  const port = o.port ?? (explicitTls ? 8883 : 1883)
  return { host: o.host, port, tls, useOsCerts, websocket: o.websocket }
}

/**
 * Open the connection the options describe, or fail with a ToolError (UsageError for a bad --proxy) naming the cause.
 * `onConnected` runs once the socket (and TLS) is up, before a WebSocket upgrade: mosquitto's connect ends there.
 */
export async function openTransport(o: Options, onConnected?: () => void): Promise<Duplex> {
  const plan = transportPlan(o)
  // Option values are byte strings; names and paths go to the OS as UTF-8.
  const host = Buffer.from(plan.host, 'latin1').toString('utf8')
  const socks = o.proxy === undefined ? undefined : await import('./socks.js')
  const proxy = socks?.parseProxyUrl(o.proxy!)
  // TLS files and values are checked before connecting: their errors exit 1, as mosquitto's do.
  const tlsRequest = { ...o.tls, host: plan.host, port: plan.port, useOsCerts: plan.useOsCerts, warn: o.quiet ? undefined : writeErr }
  const checkOnly = !plan.tls && !o.tls.noTls && (o.tls.tlsEngine !== undefined || o.tls.tlsVersion !== undefined)
  const tlsMod = plan.tls || checkOnly ? await import('./tls.js') : undefined
  // mosquitto refuses a bad --tls-engine or --tls-version even for a plain connection (not with --no-tls).
  if (checkOnly) tlsMod!.checkValues(tlsRequest)
  const setup = plan.tls ? tlsMod!.setupTls(tlsRequest) : undefined

  // a unix socket (port 0) is never proxied
  let stream: Duplex = socks && proxy && plan.port !== 0
    ? await socks.socksConnect(proxy, { host, port: plan.port, bindAddress: o.bindAddress, nodelay: o.nodelay })
    : await openTcp({ host, port: plan.port, bindAddress: o.bindAddress, nodelay: o.nodelay, direct: !plan.tls && !plan.websocket })
  if (tlsMod && setup) stream = await tlsMod.startTls(stream, setup)
  onConnected?.()
  if (plan.websocket) {
    const { openWebSocket } = await import('./websocket.js')
    stream = await openWebSocket(stream, { host, port: plan.port, secure: plan.tls, keepalive: o.keepalive })
  }
  return stream
}
