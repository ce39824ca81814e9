// What tspub and tsrr say when a message they publish is refused: by the broker (an MQTT v5
// PUBACK/PUBREC reason code of 128 or more), or before sending, by the broker's announced limits.
import { PublishFailed } from '../core/client.js'
import { ToolError } from '../core/errors.js'
import { LimitExceeded } from '../core/server-limits.js'

/** The error for a publish that failed with `err`; anything else is passed through. */
export function publishRefusal(err: PublishFailed): ToolError
export function publishRefusal(err: Error): Error
export function publishRefusal(err: Error): Error {
  // mosquitto prints this warning and still exits 0; the message was refused, so we do not.
  if (err instanceof PublishFailed) return new ToolError(err.code, `Warning: ${err.message}\n${err.reason ? err.reason + '\n' : ''}`)
  // mosquitto prints (or not) and exits 0 without publishing; nothing was sent, so we fail.
  if (err instanceof LimitExceeded) return new ToolError(err.code, `Error: ${err.message}\n`)
  return err
}
