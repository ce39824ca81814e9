// The three real brokers the interop tests run against, behind one shape: mosquitto 2.0.11
// (Debian's), mosquitto 2.1.2 (built by .ci/run) and aedes 1.2 in this process (MQTT 3.1.1 only).
// A test says which it needs; a missing mosquitto skips locally and fails under CI.
import net from 'node:net'
import type { TestContext } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { mosquittoPath, requireMosquitto, requireMosquitto21, startMosquitto, type BrokerOptions } from './mosquitto.js'

export type BrokerKind = 'mosquitto 2.0' | 'mosquitto 2.1' | 'aedes'

export const BROKER_KINDS: readonly BrokerKind[] = ['mosquitto 2.0', 'mosquitto 2.1', 'aedes']

/** A running broker of any kind. */
export interface RealBroker {
  kind: BrokerKind
  port: number
  /** Whether it speaks MQTT v5 (aedes 1.2 does not). */
  v5: boolean
  /** Resolves once client `clientId` has sent `count` SUBSCRIBEs in all (bounded: rejects after 10 s). */
  subscribed(clientId: string, count?: number): Promise<void>
  stop(): Promise<void>
}

/** Whether this kind is installed here (aedes always is). */
export function brokerAvailable(kind: BrokerKind): boolean {
  return kind === 'aedes' || mosquittoPath(kind === 'mosquitto 2.1' ? '2.1' : '2.0') !== undefined
}

/** Whether this kind can run here; skips `t` (or throws under CI) when it cannot. */
export function requireBroker(t: TestContext, kind: BrokerKind): boolean {
  if (kind === 'aedes') return true
  return kind === 'mosquitto 2.1' ? requireMosquitto21(t) : requireMosquitto(t)
}

/**
 * Start a broker of `kind` on a free loopback port. `mosquitto` is passed to mosquitto's
 * configuration (extraConfig etc.); aedes keeps sessions and queues in memory without limits.
 */
export async function startBroker(kind: BrokerKind, mosquitto: BrokerOptions = {}): Promise<RealBroker> {
  if (kind === 'aedes') return startAedes()
  const b = await startMosquitto({ ...mosquitto, version: kind === 'mosquitto 2.1' ? '2.1' : '2.0' })
  return {
    kind,
    port: b.port,
    v5: true,
    async subscribed(clientId, count = 1) {
      const line = `Received SUBSCRIBE from ${clientId}\n`
      for (let i = 0; i < 200; i++) {
        if (b.log().split(line).length > count) return
        await sleep(50)
      }
      throw new Error(`no SUBSCRIBE from ${clientId} in the broker log:\n${b.log()}`)
    },
    stop: () => b.stop(),
  }
}

async function startAedes(): Promise<RealBroker> {
  const { Aedes } = await import('aedes')
  const aedes = await Aedes.createBroker()
  const subscribes = new Map<string, number>()
  const waiters = new Set<() => void>()
  aedes.on('subscribe', (_subs, client) => {
    if (!client) return
    subscribes.set(client.id, (subscribes.get(client.id) ?? 0) + 1)
    for (const w of [...waiters]) w()
  })
  const sockets = new Set<net.Socket>()
  const server = net.createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    aedes.handle(socket)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  return {
    kind: 'aedes',
    port: (server.address() as net.AddressInfo).port,
    v5: false,
    subscribed(clientId, count = 1) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if ((subscribes.get(clientId) ?? 0) < count) return
          clearTimeout(timer)
          waiters.delete(check)
          resolve()
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`aedes: no SUBSCRIBE #${count} from ${clientId} within 10 s`))
        }, 10_000)
        waiters.add(check)
        check()
      })
    },
    async stop() {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await new Promise<void>((resolve) => aedes.close(() => resolve()))
    },
  }
}
