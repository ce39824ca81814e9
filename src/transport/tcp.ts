// TCP and unix-socket connections (mosquitto: port 0 means the host string is a socket path).
import net from 'node:net'
import type { Duplex } from 'node:stream'
import { ExitCode, ToolError } from '../core/errors.js'
import { systemErrorText } from './errno.js'

/** Where to connect. */
export interface TcpTarget {
  host: string
  port: number
  bindAddress?: string
  nodelay?: boolean
}

/** Open a connected socket, or fail with mosquitto's text ("Error: Connection refused"). */
export function openTcp(target: TcpTarget): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket =
      target.port === 0
        ? net.connect({ path: target.host })
        : net.connect({ host: target.host, port: target.port, localAddress: target.bindAddress, noDelay: target.nodelay })
    const fail = (err: NodeJS.ErrnoException): void => {
      socket.destroy()
      reject(connectError(err))
    }
    socket.once('error', fail)
    socket.once('connect', () => {
      socket.off('error', fail)
      resolve(socket)
    })
  })
}

/** A failed connect as mosquitto reports it: `Error: <strerror>`, or a lookup error. */
export function connectError(err: NodeJS.ErrnoException): ToolError {
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' || err.code === 'EAI_FAIL' || err.code === 'EAI_NONAME') {
    return new ToolError(ExitCode.USAGE, 'Unable to connect (Lookup error.).\n', { cause: err })
  }
  return new ToolError(ExitCode.USAGE, `Error: ${systemErrorText(err)}\n`, { cause: err })
}
