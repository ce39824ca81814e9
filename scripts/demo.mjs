#!/usr/bin/env node
// The demo: start a broker for the occasion (an embedded aedes on a free loopback port), subscribe
// with tssub, publish with tspub (a message, a QoS 2 message, and three lines from stdin), and
// show what the subscriber printed. Run it with `npm run demo` after `npm ci`.
import { spawn } from 'node:child_process'
import net from 'node:net'
import { fileURLToPath } from 'node:url'
import { Aedes } from 'aedes'

const bin = (tool) => fileURLToPath(new URL(`../bin/${tool}`, import.meta.url))
const broker = await Aedes.createBroker()
const server = net.createServer(broker.handle)
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
const port = String(server.address().port)
console.log(`demo: broker listening on 127.0.0.1:${port}`)

const sub = spawn(bin('tssub'), ['-h', '127.0.0.1', '-p', port, '-t', 'demo/#', '-v', '-C', '5', '-W', '10'], { stdio: ['ignore', 'pipe', 'inherit'] })
// Listen for the exit now: tssub may well finish before the last tspub has returned.
const subExit = new Promise((resolve) => sub.on('exit', resolve))
let printed = ''
sub.stdout.on('data', (chunk) => {
  printed += chunk
  process.stdout.write(`tssub> ${chunk}`.replace(/\n(?!$)/g, '\ntssub> '))
})
// Wait until the broker has the subscription before publishing.
await new Promise((resolve) => broker.on('subscribe', resolve))

// The broker runs in this process, so tspub must run alongside it (never spawnSync).
const pub = async (args, input) => {
  console.log(`$ tspub ${args.join(' ')}${input ? ' <<< ' + JSON.stringify(input) : ''}`)
  const child = spawn(bin('tspub'), ['-h', '127.0.0.1', '-p', port, ...args], { stdio: ['pipe', 'inherit', 'inherit'] })
  child.stdin.end(input ?? '')
  const status = await new Promise((resolve) => child.on('exit', resolve))
  if (status !== 0) throw new Error(`tspub exited ${status}`)
}
await pub(['-t', 'demo/hello', '-m', 'Hello from tspub'])
await pub(['-t', 'demo/qos2', '-q', '2', '-m', 'exactly once'])
await pub(['-t', 'demo/lines', '-l', '-q', '1'], 'line one\nline two\nline three\n')

const code = await subExit
server.close()
broker.close()
console.log(`demo: tssub exited ${code} after ${printed.split('\n').filter(Boolean).length} messages`)
process.exit(code === 0 ? 0 : 1)
