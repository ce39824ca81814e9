// Run while the start-up snapshot is built: exercise the code every run needs (option parsing,
// packet encoding and decoding) so that V8 has compiled it before the heap is saved, and a real
// run starts with that work done. Pure computation only: no I/O, timers or sockets (a snapshot
// cannot hold them).
import mqtt from 'mqtt-packet'
import type { Packet } from 'mqtt-packet'
import { encodePacket, encodePublish } from '../core/encode.js'
import { parseCommandLine } from '../options/parse.js'
import type { Tool } from '../options/table.js'

/** Exercise parsing and the codec for `tool`; errors are ignored (this is only a warm-up). */
export function warmUp(tool: Tool): void {
  const env = { XDG_CONFIG_HOME: '/nonexistent' }
  const args = tool === 'pub'
    ? ['-h', 'localhost', '-p', '1883', '-t', 'warm/up', '-m', 'x', '-q', '1', '-i', 'warm']
    : ['-h', 'localhost', '-p', '1883', '-t', 'warm/up', '-v', '-q', '1', '-C', '1', '-i', 'warm']
  try {
    parseCommandLine(tool, 'warm-up', args, env)
  } catch {
    // a warm-up only
  }
  for (const version of [4, 5] as const) {
    encodePacket({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: version, clientId: 'warm', clean: true, keepalive: 60 } as Packet, version)
    encodePacket({ cmd: 'disconnect' }, version)
    encodePacket({ cmd: 'puback', messageId: 1 }, version)
    encodePublish({ topic: Buffer.from('warm/up'), payload: Buffer.from('x'), qos: 1, retain: false, dup: false, mid: 1 }, version)
    const parser = mqtt.parser({ protocolVersion: version })
    parser.on('packet', () => undefined)
    parser.parse(Buffer.from(version === 5 ? [0x20, 3, 0, 0, 0] : [0x20, 2, 0, 0]))
    parser.parse(Buffer.from(version === 5 ? [0x40, 3, 0, 1, 0] : [0x40, 2, 0, 1]))
  }
}
