// Host names to addresses, for the names a broker usually has (localhost, an address, a name in
// /etc/hosts) without Node's dns module: loading it starts c-ares, getaddrinfo() starts the libuv
// thread pool and reads five files, and net.isIP() on a name compiles a large IPv6 regular
// expression that a start-up snapshot cannot keep — ~13 ms of a one-shot publish, for an answer
// that one read of /etc/hosts gives. Other names go to getaddrinfo() through dns.lookup().
import { readFileSync } from 'node:fs'

/** One address to try, in the order mosquitto tries them. */
export interface HostAddress {
  address: string
  family: 4 | 6
}

/** Why a name has no address: mosquitto's "Lookup error." (getaddrinfo() failed). */
export class LookupError extends Error {}

/** Every address of `host`, in the order to try them; rejects with LookupError when there is none. */
export async function resolveHost(host: string): Promise<HostAddress[]> {
  if (isIPv4Literal(host)) return [{ address: host, family: 4 }]
  // Numbers in other forms (127.1, 0x7f.1, 010.0.0.1) and IPv6 literals: getaddrinfo() reads them
  // before any file (inet_aton's rules), so they and names that start like them take the long way.
  const numeric = host.includes(':') || (host.charCodeAt(0) >= 0x30 && host.charCodeAt(0) <= 0x39)
  if (!numeric && hostsFileFirst()) {
    const listed = hostsFileAddresses(host)
    if (listed.length > 0) return listed
  }
  return lookupAll(host)
}

/** `s` is an IPv4 address in the form net.isIP() accepts (no leading zeros): checked by characters. */
export function isIPv4Literal(s: string): boolean {
  let parts = 0
  let digits = 0
  let value = 0
  for (let i = 0; i <= s.length; i++) {
    const c = i < s.length ? s.charCodeAt(i) : 0x2e
    if (c === 0x2e) {
      if (digits === 0 || value > 255 || ++parts > 4) return false
      digits = 0
      value = 0
    } else if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && value === 0) return false
      value = value * 10 + (c - 0x30)
      if (++digits > 3) return false
    } else {
      return false
    }
  }
  return parts === 4
}

// glibc answers from /etc/hosts only when nsswitch.conf puts `files` first for hosts (it does on
// Debian, Fedora, Alpine's default and in containers without the file).
function hostsFileFirst(): boolean {
  const conf = readText('/etc/nsswitch.conf')
  if (conf === undefined) return true
  const line = conf.split('\n').find((l) => /^\s*hosts\s*:/.test(l))
  if (line === undefined) return true
  return /^\s*hosts\s*:\s*files(\s|$)/.test(line.split('#')[0])
}

/**
 * The addresses /etc/hosts gives `host` (names compare without case), every one, in file order
 * (glibc's files source with `multi on`, Debian's default). mosquitto's getaddrinfo() then sorts
 * them by RFC 6724 (::1 before 127.0.0.1); we keep the file's order, which tries IPv4 first where
 * /etc/hosts lists it first: the same broker is reached, and a broker on ::1 only still is.
 */
export function hostsFileAddresses(host: string, text = readText('/etc/hosts')): HostAddress[] {
  if (text === undefined || host === '') return []
  const wanted = host.toLowerCase()
  const found: HostAddress[] = []
  for (const raw of text.split('\n')) {
    const words = raw.split('#')[0].split(/[ \t\r]+/).filter((w) => w !== '')
    if (words.length < 2) continue
    if (!words.slice(1).some((name) => name.toLowerCase() === wanted)) continue
    const address = words[0]
    if (isIPv4Literal(address)) found.push({ address, family: 4 })
    else if (address.includes(':')) found.push({ address, family: 6 })
  }
  return found
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

// getaddrinfo() with mosquitto's hints (any family, no AI_ADDRCONFIG), its order kept. Any
// failure is a lookup error, as in mosquitto: Node refuses a name that is not UTF-8 with EINVAL
// where getaddrinfo() answers "not found".
async function lookupAll(host: string): Promise<HostAddress[]> {
  // getBuiltinModule, not import(): a run started from the start-up snapshot has no module loader.
  const { lookup } = process.getBuiltinModule('node:dns/promises')
  try {
    // Node's default order is getaddrinfo()'s own, and its default hints are none.
    const all = await lookup(host, { all: true })
    if (all.length === 0) throw new LookupError(`${host}: no address`)
    return all.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }))
  } catch (err) {
    if (err instanceof LookupError) throw err
    throw new LookupError(`${host}: ${(err as Error).message}`, { cause: err })
  }
}
