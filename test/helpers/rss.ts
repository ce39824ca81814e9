// The resident memory of a live child, read from /proc (what a memory bound in a test checks).
import fs from 'node:fs'

/** VmRSS of a live process in MB, or undefined once it has gone. */
export function rssMb(pid: number | undefined): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) / 1024 : undefined
  } catch {
    return undefined
  }
}
