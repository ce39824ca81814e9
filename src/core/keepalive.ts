// Keepalive [MQTT-3.1.2-23]: PINGREQ after `keepalive` seconds without traffic; the broker is
// dead if no PINGRESP comes within half a keepalive more, so loss is seen within 1.5 x keepalive.
// While the tool has paused reading (slow stdout), unread PINGRESPs are not held against the broker.

/** What the keepalive asks of the connection. */
export interface KeepaliveActions {
  ping(): void
  dead(): void
}

/** One connection's keepalive timer. */
export class Keepalive {
  private lastOut = Date.now()
  private lastIn = Date.now()
  private pingSentAt = 0
  private paused = false
  private readonly timer: NodeJS.Timeout

  constructor(private seconds: number, private readonly actions: KeepaliveActions) {
    const tick = Math.min(1000, (seconds * 1000) / 4)
    this.timer = setInterval(() => this.check(), tick)
    this.timer.unref()
  }

  /** Use the broker's keep alive instead of ours (v5 server-keep-alive); 0 turns it off. */
  setSeconds(seconds: number): void {
    this.seconds = seconds
    if (seconds === 0) this.stop()
  }

  /** Something was written to the broker. */
  sent(): void {
    this.lastOut = Date.now()
  }

  /** Something arrived from the broker: it is alive. */
  received(): void {
    this.lastIn = Date.now()
    this.pingSentAt = 0
  }

  /** PINGRESP arrived. */
  pong(): void {
    this.pingSentAt = 0
  }

  /** Reading is paused: stop judging the broker. */
  pause(): void {
    this.paused = true
  }

  /** Reading resumed: judge from now on. */
  resume(): void {
    this.paused = false
    this.lastIn = Date.now()
    if (this.pingSentAt) this.pingSentAt = Date.now()
  }

  /** The connection is gone. */
  stop(): void {
    clearInterval(this.timer)
  }

  private check(): void {
    if (this.paused) return
    const now = Date.now()
    const period = this.seconds * 1000
    if (this.pingSentAt) {
      if (now - this.pingSentAt >= period / 2) this.actions.dead()
      return
    }
    if (now - this.lastOut >= period || now - this.lastIn >= period) {
      this.pingSentAt = now
      this.actions.ping()
    }
  }
}
