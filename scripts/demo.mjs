#!/usr/bin/env node
// The demo: start a broker for the occasion (an embedded aedes on a free loopback port), subscribe
// with tssub, publish with tspub (a message, a QoS 2 message, and three lines from stdin), and
// show what the subscriber printed. Run it with `npm run demo` after `npm ci`.
import { spawn, spawnSync } from 'node:child_process'
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
let printed = ''
sub.stdout.on('data', (chunk) => {
  printed += chunk
  process.stdout.write(`tssub> ${chunk}`.replace(/\n(?!$)/g, '\ntssub> '))
})
// Wait until the broker has the subscription before publishing.
await new Promise((resolve) => broker.on('subscribe', resolve))

const pub = (args, input) => {
  console.log(`$ tspub ${args.join(' ')}${input ? ' <<< ' + JSON.stringify(input) : ''}`)
  const r = spawnSync(bin('tspub'), ['-h', '127.0.0.1', '-p', port, ...args], { input, stdio: ['pipe', 'inherit', 'inherit'] })
  if (r.status !== 0) throw new Error(`tspub exited ${r.status}`)
}
pub(['-t', 'demo/hello', '-m', 'Hello from tspub'])
pub(['-t', 'demo/qos2', '-q', '2', '-m', 'exactly once'])
pub(['-t', 'demo/lines', '-l', '-q', '1'], 'line one\nline two\nline three\n')

const code = await new Promise((resolve) => sub.on('exit', resolve))
server.close()
broker.close()
console.log(`demo: tssub exited ${code} after ${printed.split('\n').filter(Boolean).length} messages`)
process.exit(code === 0 ? 0 : 1)
