// Smoke: the differential runner against mosquitto 2.1.2's broker and clients.
import { differential, type DiffCase } from '../helpers/differential.js'

const sub: DiffCase[] = [
  { name: '-v', args: ['-t', '{T}/#', '-C', '2', '-v'], feed: [{ pub: ['-t', '{T}/a', '-m', 'x', '-q', '1'] }, { pub: ['-t', '{T}/b', '-m', 'y', '-q', '1'] }] },
]
const pub: DiffCase[] = [
  { name: '-m', args: ['-t', '{T}', '-m', 'hello', '-q', '1'] },
]
differential('smoke against 2.1.2', 's21', [{ title: 'sub', kind: 'sub', cases: sub }, { title: 'pub', kind: 'pub', cases: pub }], { broker: { version: '2.1' } })
