// Byte-exact round trips through a transport under test: ours on one side, mosquitto's client on
// the broker's plain port on the other, a retained message carrying every kind of byte between.
import assert from 'node:assert/strict'
import fs from 'node:fs'
import path from 'node:path'
import { runCli } from './run-cli.js'

/** The broker's plain port, the payload file, and mosquitto's clients to use there. */
export interface PlainSide {
  port: number
  payload: string
  mosquittoPub: string
  mosquittoSub: string
}

/** Words naming the transport (and, where it carries it, the topic: a -L URL). */
export type ArgsFor = (topic: string) => string[]

/** tspub over `args` publishes retained; mosquitto_sub on the plain port must receive the same bytes. */
export async function publishThrough(side: PlainSide, topic: string, args: ArgsFor): Promise<void> {
  const pub = await runCli('tspub', [...args(topic), '-f', side.payload, '-r', '-q', '1'])
  assert.equal(pub.stderr, '')
  assert.equal(pub.code, 0)
  const sub = await runCli(side.mosquittoSub, ['-h', '127.0.0.1', '-p', String(side.port), '-t', topic, '-C', '1', '-N', '-W', '5'])
  assert.equal(sub.code, 0, sub.stderr)
  assert.deepEqual(sub.stdout, fs.readFileSync(side.payload))
}

/** mosquitto_pub publishes retained on the plain port; tssub over `args` must print the same bytes. */
export async function subscribeThrough(side: PlainSide, topic: string, args: ArgsFor): Promise<void> {
  const pub = await runCli(side.mosquittoPub, ['-h', '127.0.0.1', '-p', String(side.port), '-t', topic, '-f', side.payload, '-r'])
  assert.equal(pub.code, 0, pub.stderr)
  const sub = await runCli('tssub', [...args(topic), '-C', '1', '-N'])
  assert.equal(sub.stderr, '')
  assert.equal(sub.code, 0)
  assert.deepEqual(sub.stdout, fs.readFileSync(side.payload))
}

/** A `sock` directory under `parent` that mosquitto (dropped to its own user when started as root) can create sockets in. */
export function socketDir(parent: string): string {
  const dir = path.join(parent, 'sock')
  fs.mkdirSync(dir)
  fs.chmodSync(dir, 0o1777)
  return dir
}

/** A payload file under `dir`: NUL, 0xff, CR LF, UTF-8, then `size` bytes of 0xa5. */
export function writePayload(dir: string, size: number): string {
  const file = path.join(dir, 'payload.bin')
  fs.writeFileSync(file, Buffer.concat([Buffer.from('\x00\xff\r\n€ '), Buffer.alloc(size, 0xa5)]))
  return file
}
