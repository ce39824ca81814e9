// Whether a child process itself listens on a TCP port, read from /proc: a probe connection cannot
// tell, since between freePort() and the child's bind another test's fake broker may take the port
// (and would count the probe as its first client).
import fs from 'node:fs'

/** True when process `pid` holds a listening TCP socket (IPv4 or IPv6) on `port`. */
export function listensOn(pid: number | undefined, port: number): boolean {
  if (pid === undefined) return false
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = fs.readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; the inode is the tenth field.
      if (f.length > 9 && f[1].endsWith(`:${hexPort}`) && f[3] === '0A') inodes.add(f[9])
    }
  }
  if (inodes.size === 0) return false
  try {
    return fs.readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.has(/^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1] ?? '')
      } catch {
        return false
      }
    })
  } catch {
    return false
  }
}
