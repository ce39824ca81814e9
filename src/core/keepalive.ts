// Keepalive [MQTT-3.1.2-23]: PINGREQ once `keepalive` seconds pass without traffic either way; the
// broker counts as dead if no answer comes, and loss is always seen within 1.5 x keepalive (checked
// every TICK_MS, so the PINGRESP wait is shortened by the check's own possible lateness). While the
// tool has paused reading (slow stdout), PINGREQs still go out on time, but unread PINGRESPs are
// not held against the broker.

const TICK_MS = 250

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
  // Before CONNACK nothing but CONNECT may go out (mosquitto sends no PINGREQ then): a broker
  // that has not answered within one keepalive is dead.
  private connected = false
  private readonly startedAt = Date.now()
  private readonly timer?: NodeJS.Timeout

  constructor(private seconds: number, private readonly actions: KeepaliveActions) {
    // [MQTT-3.1.2-10] keepalive 0 turns the mechanism off: no timer at all.
    if (seconds === 0) return
    this.timer = setInterval(() => this.check(), TICK_MS)
    this.timer.unref()
  }

  /** Use the broker's keep alive instead of ours (v5 server-keep-alive); 0 turns it off. */
  setSeconds(seconds: number): void {
    this.seconds = seconds
    if (seconds === 0) this.stop()
  }

  /** CONNACK arrived: from now on, PINGREQ keeps the connection alive. */
  connackReceived(): void {
    this.connected = true
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

  /** Reading is paused: stop judging the broker (but keep pinging). */
  pause(): void {
    this.paused = true
  }

  /** Reading resumed: judge from now on. */
  resume(): void {
    if (!this.paused) return
    this.paused = false
    this.lastIn = Date.now()
    if (this.pingSentAt) this.pingSentAt = Date.now()
  }

  /** The connection is gone. */
  stop(): void {
    clearInterval(this.timer)
  }

  private check(): void {
    const now = Date.now()
    const period = this.seconds * 1000
    if (!this.connected) {
      if (now - this.startedAt >= period) this.actions.dead()
      return
    }
    if (this.pingSentAt) {
      if (!this.paused && now - this.pingSentAt >= Math.max(period / 2 - 2 * TICK_MS, TICK_MS)) this.actions.dead()
      return
    }
    if (now - this.lastOut >= period || now - this.lastIn >= period) {
      this.pingSentAt = now
      this.actions.ping()
    }
  }
}
