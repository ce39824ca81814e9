// Timers of any length: one Node timer waits at most 2^31 - 1 ms, and a longer one fires at once
// (with a TimeoutOverflowWarning), which made -W 2147484 or --repeat-delay 2147484 mean "now".
import { setTimeout as sleep } from 'node:timers/promises'

const MAX_TIMER_MS = 2 ** 31 - 1

/** Sleep `ms`, however long. */
export async function sleepLong(ms: number): Promise<void> {
  for (let left = ms; left > 0; left -= MAX_TIMER_MS) await sleep(Math.min(left, MAX_TIMER_MS))
}

/** Call `fn` after `ms`, however long, without keeping the process alive (unref'd). */
export function unrefLongTimeout(fn: () => void, ms: number): void {
  const step = Math.min(ms, MAX_TIMER_MS)
  setTimeout(() => (ms > step ? unrefLongTimeout(fn, ms - step) : fn()), step).unref()
}

/**
 * mosquitto's -W is alarm(N), armed once the TCP connection exists: call `fire` after `seconds`
 * (when given), and on a SIGALRM from outside too. Returns what removes the signal listener.
 */
export function armAlarm(seconds: number | undefined, fire: () => void): () => void {
  if (seconds !== undefined) unrefLongTimeout(fire, seconds * 1000)
  process.on('SIGALRM', fire)
  return () => process.off('SIGALRM', fire)
}
