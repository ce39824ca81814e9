// mosquitto_sub 2.0.11 -F vs tssub -F, on what 2.0.11 and 2.1.2 print alike (format-cases.ts): every %
// specifier with its flags, width and precision, every @ time specifier, every \ escape, and the format
// errors. Where 2.1.2 prints otherwise (%j/%J, %x widths, hex groups, %f/%d, separators), tssub follows
// 2.1.2: format21.test.ts.
import { differential } from '../helpers/differential.js'
import { errors, escapes, fmt, m, properties, specifiers, time, ZONES } from './format-cases.js'

const zones = ZONES.map((tz) => fmt(`TZ=${tz}`, '@z|@Z|@H|%I', [m('message')], { env: { TZ: tz } }))

differential('mosquitto_sub 2.0.11 -F vs tssub -F', 'fmt', [
  { title: '% specifiers', kind: 'sub', cases: specifiers },
  { title: 'v5 properties', kind: 'sub', cases: properties },
  { title: 'time', kind: 'sub', cases: [...time, ...zones] },
  { title: 'escapes', kind: 'sub', cases: escapes },
  { title: 'format errors', kind: 'sub', cases: errors },
], { concurrency: 4 })
