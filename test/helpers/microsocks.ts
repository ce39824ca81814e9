// microsocks, a real SOCKS5 server (Debian package), for the proxy tests: on a free loopback port,
// with or without a user and password; killed when the test ends (or this process exits).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import type { TestContext } from 'node:test'
import { listensOn } from './listening.js'
import { freePort } from './mosquitto.js'

const live = new Set<ChildProcess>()
process.on('exit', () => {
  for (const c of live) c.kill('SIGKILL')
})

/**
 * Starts microsocks on `address` (default 127.0.0.1; '::1' for a proxy at an IPv6 address) and
 * resolves its port once it accepts connections; undefined when skipped (not installed, outside CI).
 */
export async function startMicrosocks(t: TestContext, auth?: [string, string], address = '127.0.0.1'): Promise<number | undefined> {
  const bin = ['/usr/bin/microsocks', '/usr/local/bin/microsocks'].find((p) => fs.existsSync(p))
  if (bin === undefined) {
    if (process.env.CI === 'true') throw new Error('microsocks is not installed, and the SOCKS5 tests are required in CI (apt-get install microsocks)')
    t.skip('microsocks not installed')
    return undefined
  }
  const port = await freePort()
  const child = spawn(bin, ['-i', address, '-p', String(port), ...(auth ? ['-u', auth[0], '-P', auth[1]] : [])], { stdio: 'ignore' })
  live.add(child)
  child.once('exit', () => live.delete(child))
  t.after(() => child.kill('SIGKILL'))
  for (let i = 0; i < 100; i++) {
    if (listensOn(child.pid, port)) return port
    await new Promise((r) => setTimeout(r, 30))
  }
  throw new Error('microsocks did not start')
}
