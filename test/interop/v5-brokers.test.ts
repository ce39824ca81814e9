// MQTT v5 behaviour that only a v5 broker of today shows: mosquitto 2.1.2 sends topic aliases to
// a client that allows them (-D connect topic-alias-maximum), so every message after the first on
// a topic arrives with an empty topic and the alias alone (issue 14, item 4). aedes 1.2 speaks
// MQTT 3.1.1 only; mosquitto 2.0.11 sends no aliases (the same test passes there trivially).
import assert from 'node:assert/strict'
import { after, describe, test } from 'node:test'
import { requireBroker, startBroker, type RealBroker } from '../helpers/brokers.js'
import { runCli, spawnCli } from '../helpers/run-cli.js'

describe('topic aliases from mosquitto 2.1.2', () => {
  let broker: RealBroker | undefined
  after(() => broker?.stop())

  test('-v, %t, %j and -d show the topic of every message, the aliased ones too', async (t) => {
    if (!requireBroker(t, 'mosquitto 2.1')) return
    broker = await startBroker('mosquitto 2.1')
    const at = ['-h', '127.0.0.1', '-p', String(broker.port)]
    const id = `alias-${process.pid}`
    const sub = spawnCli('tssub', [...at, '-V', '5', '-i', id, '-D', 'connect', 'topic-alias-maximum', '10', '-t', 'alias/#',
      '-C', '3', '-d', '-F', '%t %A %p|%j'], { timeoutMs: 20_000 })
    await broker.subscribed(id)
    for (const m of ['one', 'two', 'three']) {
      const p = await runCli('tspub', [...at, '-t', 'alias/x', '-q', '1', '-m', m])
      assert.equal(p.code, 0, p.stderr)
    }
    const r = await sub.result
    assert.equal(r.code, 0, r.stderr)
    const printed = r.stdout.toString().split('\n').filter((l) => l.startsWith('alias/'))
    assert.equal(printed.length, 3, r.stdout.toString())
    for (const [i, m] of ['one', 'two', 'three'].entries()) {
      const [head, json] = printed[i].split('|')
      assert.match(head, new RegExp(`^alias/x \\d+ ${m}$`))
      assert.equal(JSON.parse(json).topic, 'alias/x')
    }
    // The broker did use an alias: the later messages carry one (an empty %A would be '').
    assert.match(printed[1], /^alias\/x [1-9]\d* two/)
    assert.equal((r.stdout.toString().match(/received PUBLISH \(d0, q0, r0, m0, 'alias\/x'/g) ?? []).length, 3)
  })
})
