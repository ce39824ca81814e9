// TCP and unix-socket connections (mosquitto: port 0 means the host string is a socket path).
import net from 'node:net'
import type { Duplex } from 'node:stream'
import { ExitCode, ToolError } from '../core/errors.js'
import { unableToConnect } from '../core/reason-codes.js'
import { attachDirectReads } from '../core/incoming.js'
import { DirectReader } from './direct-read.js'
import { type HostAddress, resolveHost } from './resolve.js'
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
  const reader = target.direct ? new DirectReader() : undefined
  const socket = target.port === 0
    ? await connectOnce({ path: target.host, onread: reader?.onread }).catch((err) => { throw connectError(err) })
    : await connectToHost(target, reader)
  if (!reader) return socket
  reader.bind(socket)
  return attachDirectReads(socket, reader)
}

// mosquitto tries the host's addresses one after the other, each to its end, and reports the last
// failure (Node's own happy-eyeballs race would differ from it on a host with two addresses).
async function connectToHost(target: TcpTarget, reader: DirectReader | undefined): Promise<net.Socket> {
  const addresses = await resolveOrFail(target.host)
  const binds = target.bindAddress === undefined ? undefined : await bindAddresses(target.bindAddress)
  let last: NodeJS.ErrnoException | undefined
  for (const { address, family } of addresses) {
    // libmosquitto binds an address of the family it connects with: -A localhost works for
    // 127.0.0.1 and for ::1 (an address of the other family fails to bind, as it does there).
    const localAddress = binds && (binds.find((b) => b.family === family) ?? binds[0]).address
    try {
      return await connectOnce({ host: address, port: target.port, localAddress, noDelay: target.nodelay, onread: reader?.onread })
    } catch (err) {
      last = err as NodeJS.ErrnoException
    }
  }
  throw connectError(last!)
}

// One connection attempt; rejects with the socket's error.
function connectOnce(options: net.NetConnectOpts): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(options)
    const fail = (err: NodeJS.ErrnoException): void => {
      socket.destroy()
      reject(err)
    }
    socket.once('error', fail)
    socket.once('connect', () => {
      socket.off('error', fail)
      resolve(socket)
    })
  })
}

async function resolveOrFail(host: string): Promise<HostAddress[]> {
  try {
    return await resolveHost(host)
  } catch (err) {
    throw new ToolError(ExitCode.USAGE, LOOKUP_ERROR, { cause: err })
  }
}

// -A takes a name or an address (mosquitto resolves it); Node's localAddress wants an address.
async function bindAddresses(name: string): Promise<HostAddress[]> {
  if (name === '') throw new ToolError(ExitCode.USAGE, LOOKUP_ERROR)
  return resolveOrFail(name)
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
