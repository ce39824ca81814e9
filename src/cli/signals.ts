// What the tools do on signals besides their own handling (tssub: SIGINT, SIGTERM, SIGALRM):
// - a signal the caller ignores stays ignored (nohup tspub ..., trap '' HUP, a background job in a
//   script), as for mosquitto's clients: node resets them at start, so bin/tspub and bin/tssub pass
//   the caller's mask in TSMQTT_SIGIGN, and a listener that does nothing keeps each one ignored;
// - SIGUSR1 would make Node open its debugger on a local port: for a C program it is fatal.
import os from 'node:os'

const INHERITABLE = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGTERM'] as const

/** Install the listeners above; call once, first thing. */
export function setUpSignals(env: NodeJS.ProcessEnv = process.env): void {
  const ignored = ignoredByCaller(env.TSMQTT_SIGIGN)
  for (const sig of ignored) process.on(sig, () => {})
  if (!ignored.has('SIGUSR1')) process.on('SIGUSR1', () => process.exit(128 + os.constants.signals.SIGUSR1))
}

/** The signals set in a /proc SigIgn mask (hexadecimal, bit n-1 for signal n). */
export function ignoredByCaller(mask: string | undefined): Set<(typeof INHERITABLE)[number]> {
  const set = new Set<(typeof INHERITABLE)[number]>()
  const hex = (mask ?? '').trim()
  if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) return set
  const bits = BigInt(`0x${hex}`)
  for (const sig of INHERITABLE) {
    if ((bits >> BigInt(os.constants.signals[sig] - 1)) & 1n) set.add(sig)
  }
  return set
}
