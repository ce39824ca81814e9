// Unit tests for the direct PUBLISH decoding: user properties read in packet order from the raw bytes.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import mqtt from 'mqtt-packet'
import { decodePublish, publishUserProperties } from '../../src/core/decode-publish.js'

const str = (s: string | Buffer): Buffer => {
  const b = typeof s === 'string' ? Buffer.from(s) : s
  const len = Buffer.alloc(2)
  len.writeUInt16BE(b.length)
  return Buffer.concat([len, b])
}
const user = (k: string, v: string | Buffer): Buffer => Buffer.concat([Buffer.from([0x26]), str(k), str(v)])

// A v5 PUBLISH with the given property bytes (remaining length < 128 here).
function publish(props: Buffer, qos = 0): Buffer {
  const body = Buffer.concat([str('t/x'), qos > 0 ? Buffer.from([0, 9]) : Buffer.alloc(0), Buffer.from([props.length]), props, Buffer.from('m')])
  return Buffer.concat([Buffer.from([0x30 | (qos << 1), body.length]), body])
}

const strings = (l: [Buffer, Buffer][] | undefined): [string, string][] | undefined => l?.map(([k, v]) => [k.toString('latin1'), v.toString('latin1')])

test('user properties come back in packet order, between other properties of every shape', () => {
  const props = Buffer.concat([
    Buffer.from([0x01, 1]), // payload format indicator
    user('a', '1'),
    Buffer.from([0x02, 0, 0, 0x0e, 0x10]), // message expiry
    Buffer.from([0x03]), str('text/plain'),
    user('b', '2'),
    Buffer.from([0x09]), str(Buffer.from([0, 1, 2])), // correlation data
    Buffer.from([0x0b, 0x80, 0x01]), // subscription identifier 128 (two-byte varint)
    Buffer.from([0x23, 0, 3]), // topic alias
    user('a', '3'), user('2', 'x'), user('1', Buffer.from([0xff])),
  ])
  for (const qos of [0, 1]) {
    const packet = publish(props, qos)
    assert.equal(decodePublish(packet, 5), undefined, 'a PUBLISH with properties goes to mqtt-packet')
    assert.deepEqual(strings(publishUserProperties(packet)), [['a', '1'], ['b', '2'], ['a', '3'], ['2', 'x'], ['1', '\xff']])
  }
})

test('the same order for a packet mqtt-packet generated; none when there are no user properties', () => {
  const packet = mqtt.generate({ cmd: 'publish', topic: 't', payload: 'p', qos: 1, messageId: 5, dup: false, retain: false,
    properties: { contentType: 'c', userProperties: { k: ['v1', 'v2'], z: 'w' } } }, { protocolVersion: 5 })
  assert.deepEqual(strings(publishUserProperties(packet)), [['k', 'v1'], ['k', 'v2'], ['z', 'w']])
  assert.equal(publishUserProperties(publish(Buffer.from([0x01, 1]))), undefined)
})

test('a malformed or unknown property block gives undefined (mqtt-packet decides)', () => {
  assert.equal(publishUserProperties(publish(Buffer.concat([user('a', '1'), Buffer.from([0x7f, 0])]))), undefined, 'unknown id')
  assert.equal(publishUserProperties(publish(user('a', '1').subarray(0, 5))), undefined, 'pair cut short')
  assert.equal(publishUserProperties(publish(Buffer.from([0x02, 0, 0]))), undefined, 'integer runs past the block')
})
