// Name resolution without Node's dns module (src/transport/resolve.ts): which strings count as an
// address, and what /etc/hosts gives a name.
import assert from 'node:assert/strict'
import net from 'node:net'
import { test } from 'node:test'
import { hostsFileAddresses, isIPv4Literal, LookupError, resolveHost } from '../../src/transport/resolve.js'

test('an IPv4 literal is recognised by its characters exactly where net.isIP() says 4', () => {
  const cases = ['127.0.0.1', '0.0.0.0', '255.255.255.255', '10.1.2.3', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4',
    '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4 ', '', 'localhost', '::1', '1.2.3.0004', '1.2.3.a', '999.1.1.1', '1.2.3.00']
  for (const s of cases) assert.equal(isIPv4Literal(s), net.isIP(s) === 4, s)
})

const HOSTS = [
  '# comment line',
  '127.0.0.1\tlocalhost',
  '127.0.1.1 box.example box # trailing comment',
  '::1     localhost ip6-localhost ip6-loopback',
  'fe00::0 ip6-localnet',
  '10.0.0.7 Broker',
  '10.0.0.8 broker',
  'garbage-without-names',
  '999.0.0.1 broker',
  '',
].join('\n')

test('/etc/hosts: every address of a name, in file order, names compared without case', () => {
  assert.deepEqual(hostsFileAddresses('localhost', HOSTS), [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }])
  assert.deepEqual(hostsFileAddresses('LocalHost', HOSTS), [{ address: '127.0.0.1', family: 4 }, { address: '::1', family: 6 }])
  assert.deepEqual(hostsFileAddresses('box', HOSTS), [{ address: '127.0.1.1', family: 4 }])
  assert.deepEqual(hostsFileAddresses('ip6-loopback', HOSTS), [{ address: '::1', family: 6 }])
  // an address that is not one is skipped, as glibc skips the line
  assert.deepEqual(hostsFileAddresses('broker', HOSTS), [{ address: '10.0.0.7', family: 4 }, { address: '10.0.0.8', family: 4 }])
  assert.deepEqual(hostsFileAddresses('comment', HOSTS), [])
  assert.deepEqual(hostsFileAddresses('trailing', HOSTS), [])
  assert.deepEqual(hostsFileAddresses('', HOSTS), [])
  assert.deepEqual(hostsFileAddresses('localhost', ''), [])
})

test('resolveHost: a literal as it is; a name that has no address is a LookupError', async () => {
  assert.deepEqual(await resolveHost('127.0.0.1'), [{ address: '127.0.0.1', family: 4 }])
  assert.deepEqual(await resolveHost('127.1'), [{ address: '127.0.0.1', family: 4 }])
  await assert.rejects(resolveHost('nonexistent.invalid'), LookupError)
  // Node refuses a name with U+FFFD (EINVAL); getaddrinfo() says "not found": both are lookup errors
  await assert.rejects(resolveHost('\ufffd'), LookupError)
})
