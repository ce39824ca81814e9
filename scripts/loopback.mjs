// Loopback helpers shared by the bench and soak scripts (which start their own mosquitto).
import net from 'node:net'

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort() {
  const s = net.createServer()
  await new Promise((resolve, reject) => { s.once('error', reject); s.listen(0, '127.0.0.1', resolve) })
  const { port } = s.address()
  await new Promise((resolve) => s.close(resolve))
  return port
}

/** True when something accepts connections on 127.0.0.1:port. */
export function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' })
    s.once('connect', () => { s.destroy(); resolve(true) })
    s.once('error', () => resolve(false))
  })
}
