// The MQTT v5 subscription options byte [MQTT-3.8.3.1] that tssub and tsrr ask for, as mosquitto
// 2.1 builds it: retain-as-published, and the retain handling of --retain-handling, else -R's
// "never" (a broker then sends no stale retained message at all; the tools also drop any that come).

const RETAIN_AS_PUBLISHED = 0x08
const RETAIN_NEVER = 2

/** The options byte for `o` (MQTT v3 has no options: 0). */
export function subscriptionOptions(o: { protocolVersion: number; retainAsPublished: boolean; noRetained: boolean; retainHandling?: number }): number {
  if (o.protocolVersion !== 5) return 0
  const handling = o.retainHandling ?? (o.noRetained ? RETAIN_NEVER : 0)
  return (o.retainAsPublished ? RETAIN_AS_PUBLISHED : 0) | (handling << 4)
}
