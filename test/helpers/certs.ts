// Test certificates made with the `openssl` command (node:crypto cannot issue certificates):
// a CA, a server certificate for localhost/127.0.0.1, a client certificate, an expired server
// certificate, and a second CA with its own server and client certificates (the "wrong CA").
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

// Paths of everything makeCerts() wrote; every file is readable by all (mosquitto drops to its
// own user when started as root, shared/notes.md).
export interface Certs {
  dir: string
  caCert: string
  caKey: string
  serverCert: string
  serverKey: string
  clientCert: string
  clientKey: string
  // Signed by the CA, for localhost/127.0.0.1, valid 2020-01-01 to 2021-01-01.
  expiredCert: string
  expiredKey: string
  // Signed by the CA, but only for the name "elsewhere.example" (a host name mismatch).
  otherNameCert: string
  otherNameKey: string
  // A CA nobody trusts, a server certificate and a client certificate it signed.
  wrongCaCert: string
  wrongServerCert: string
  wrongServerKey: string
  wrongClientCert: string
  wrongClientKey: string
  // A directory of PEM files with the CA in it (for --capath).
  capath: string
  // Removes the directory.
  remove(): void
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 20_000 })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`}): ${r.stderr}`)
}

// EC P-256 keys: generated in milliseconds, and mosquitto and Node both accept them.
function newKey(dir: string, name: string): string {
  openssl(dir, ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name])
  return path.join(dir, name)
}

// A self-signed CA certificate.
function newCa(dir: string, base: string, cn: string): { cert: string, key: string } {
  const key = newKey(dir, `${base}.key`)
  openssl(dir, ['req', '-x509', '-new', '-key', key, '-out', `${base}.pem`, '-days', '3650', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'])
  return { cert: path.join(dir, `${base}.pem`), key }
}

// A leaf certificate signed by `ca`. `dates` uses `openssl ca`, the only 3.0 command that takes a
// start date in the past.
function newLeaf(dir: string, base: string, ca: { cert: string, key: string }, cn: string, ext: string,
  dates?: { start: string, end: string }): { cert: string, key: string } {
  const key = newKey(dir, `${base}.key`)
  openssl(dir, ['req', '-new', '-key', key, '-out', `${base}.csr`, '-subj', `/CN=${cn}`])
  fs.writeFileSync(path.join(dir, `${base}.ext`), ext)
  if (dates === undefined) {
    openssl(dir, ['x509', '-req', '-in', `${base}.csr`, '-CA', ca.cert, '-CAkey', ca.key, '-set_serial',
      String(Date.now() % 1e9 + Math.floor(Math.random() * 1000)), '-days', '825', '-extfile', `${base}.ext`, '-out', `${base}.pem`])
  } else {
    const db = path.join(dir, `${base}-db`)
    fs.mkdirSync(db)
    fs.writeFileSync(path.join(db, 'index.txt'), '')
    fs.writeFileSync(path.join(db, 'serial'), '1000\n')
    fs.writeFileSync(path.join(db, 'ca.cnf'), [
      '[ca]', 'default_ca = c', '[c]', `dir = ${db}`, 'database = $dir/index.txt', 'serial = $dir/serial',
      'new_certs_dir = $dir', 'default_md = sha256', 'policy = p', 'unique_subject = no', '[p]', 'commonName = supplied', '',
    ].join('\n'))
    openssl(dir, ['ca', '-batch', '-config', path.join(db, 'ca.cnf'), '-cert', ca.cert, '-keyfile', ca.key,
      '-startdate', dates.start, '-enddate', dates.end, '-extfile', `${base}.ext`, '-in', `${base}.csr`,
      '-out', `${base}.pem`, '-notext'])
  }
  return { cert: path.join(dir, `${base}.pem`), key }
}

const SERVER_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n' +
  'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n'
const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n'

// Makes every certificate in a new temp dir (about a second: EC keys, a dozen openssl runs).
export function makeCerts(): Certs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tspub-certs-'))
  try {
    const ca = newCa(dir, 'ca', 'tspub test CA')
    const wrongCa = newCa(dir, 'wrong-ca', 'tspub wrong CA')
    const server = newLeaf(dir, 'server', ca, 'localhost', SERVER_EXT)
    const client = newLeaf(dir, 'client', ca, 'tspub-client', CLIENT_EXT)
    const expired = newLeaf(dir, 'expired', ca, 'localhost', SERVER_EXT, { start: '20200101000000Z', end: '20210101000000Z' })
    const otherName = newLeaf(dir, 'other-name', ca, 'elsewhere.example',
      SERVER_EXT.replace('DNS:localhost,IP:127.0.0.1', 'DNS:elsewhere.example'))
    const wrongServer = newLeaf(dir, 'wrong-server', wrongCa, 'localhost', SERVER_EXT)
    const wrongClient = newLeaf(dir, 'wrong-client', wrongCa, 'tspub-client', CLIENT_EXT)
    const capath = path.join(dir, 'capath')
    fs.mkdirSync(capath)
    fs.copyFileSync(ca.cert, path.join(capath, 'test-ca.pem'))
    openssl(dir, ['rehash', capath])
    // Readable by the broker's user; keys too (test keys, in a private temp dir).
    for (const f of fs.readdirSync(dir, { recursive: true }) as string[]) fs.chmodSync(path.join(dir, f), fs.statSync(path.join(dir, f)).isDirectory() ? 0o755 : 0o644)
    fs.chmodSync(dir, 0o755)
    return {
      dir,
      caCert: ca.cert,
      caKey: ca.key,
      serverCert: server.cert,
      serverKey: server.key,
      clientCert: client.cert,
      clientKey: client.key,
      expiredCert: expired.cert,
      expiredKey: expired.key,
      otherNameCert: otherName.cert,
      otherNameKey: otherName.key,
      wrongCaCert: wrongCa.cert,
      wrongServerCert: wrongServer.cert,
      wrongServerKey: wrongServer.key,
      wrongClientCert: wrongClient.cert,
      wrongClientKey: wrongClient.key,
      capath,
      remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    }
  } catch (err) {
    fs.rmSync(dir, { recursive: true, force: true })
    throw err
  }
}
