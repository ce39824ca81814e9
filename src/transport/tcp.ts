// TCP and unix-socket connections (mosquitto: port 0 means the host string is a socket path).
import net from 'node:net'
import type { Duplex } from 'node:stream'
import { ExitCode, ToolError } from '../core/errors.js'
import { unableToConnect } from '../core/reason-codes.js'
import { attachDirectReads } from '../core/incoming.js'
import { DirectReader } from './direct-read.js'
import { systemErrorText } from './errno.js'

/** Where to connect. */
export interface TcpTarget {
  host: string
  port: number
  bindAddress?: string
  nodelay?: boolean
  /** The socket is the connection itself (no TLS, WebSocket or proxy on top): read it directly. */
  direct?: boolean
}

const LOOKUP_ERROR = unableToConnect(ExitCode.EAI)
const INVALID_ARGUMENTS = unableToConnect(ExitCode.INVAL)

/** Open a connected socket, or fail with mosquitto's text ("Error: Connection refused"). */
export async function openTcp(target: TcpTarget): Promise<Duplex> {
  // mosquitto: an empty host or -A is a failed lookup (Node would quietly use localhost / no bind),
  // an empty socket path or a port out of range is an invalid argument.
  if (target.port === 0 && target.host === '') throw new ToolError(ExitCode.USAGE, INVALID_ARGUMENTS)
  if (target.port !== 0 && target.host === '') throw new ToolError(ExitCode.USAGE, LOOKUP_ERROR)
  if (target.port < 0 || target.port > 65535) throw new ToolError(ExitCode.USAGE, INVALID_ARGUMENTS)
  // sockaddr_un holds 108 bytes, the terminating NUL included (mosquitto refuses a longer path).
  if (target.port === 0 && Buffer.byteLength(target.host) >= 108) throw new ToolError(ExitCode.USAGE, INVALID_ARGUMENTS)
  const localAddress = target.bindAddress === undefined ? undefined : await bindAddressFor(target.bindAddress, net.isIP(target.host))
  const reader = target.direct ? new DirectReader() : undefined
  const onread = reader?.onread
  return new Promise((resolve, reject) => {
    const socket =
      target.port === 0
        ? net.connect({ path: target.host, onread })
        : net.connect({ host: target.host, port: target.port, localAddress, noDelay: target.nodelay, onread })
    const fail = (err: NodeJS.ErrnoException): void => {
      socket.destroy()
      reject(connectError(err))
    }
    socket.once('error', fail)
    socket.once('connect', () => {
      socket.off('error', fail)
      if (!reader) return resolve(socket)
      reader.bind(socket)
      resolve(attachDirectReads(socket, reader))
    })
  })
}

// -A takes a name or an address (mosquitto resolves it); Node's localAddress wants an address.
// When the broker's address is known, the name resolves in its family (as libmosquitto binds an
// address of the family it connects with): -A localhost works for 127.0.0.1 and for ::1.
async function bindAddressFor(name: string, family: number): Promise<string> {
  if (name === '') throw new ToolError(ExitCode.USAGE, LOOKUP_ERROR)
  if (net.isIP(name)) return name
  try {
    // getBuiltinModule, not import(): a run started from the start-up snapshot has no module
    // loader for import() (it failed there, and -A with a host name with it).
    const { lookup } = process.getBuiltinModule('node:dns/promises')
    return (await lookup(name, family === 0 ? {} : { family })).address
  } catch (err) {
    throw new ToolError(ExitCode.USAGE, LOOKUP_ERROR, { cause: err })
  }
}

/** A failed connect as mosquitto reports it: `Error: <strerror>`, or a lookup error. */
export function connectError(err: NodeJS.ErrnoException): ToolError {
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_FAIL' || err.code === 'EAI_NONAME') {
    return new ToolError(ExitCode.USAGE, LOOKUP_ERROR, { cause: err })
  }
  // Binding to an address of the other family (-A ::1 for an IPv4 broker).
  if (err.code === 'EINVAL' && err.syscall === 'bind') {
    return new ToolError(ExitCode.USAGE, 'Error: Address family not supported by protocol\n', { cause: err })
  }
  return new ToolError(ExitCode.USAGE, `Error: ${systemErrorText(err)}\n`, { cause: err })
}
