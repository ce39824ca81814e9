// Unit tests for topic checks and matching (contract §4.2); cases were checked against libmosquitto 2.0.11.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { checkPublishTopic, checkSubscribeFilter, topicMatches, type TopicCheck } from '../../src/core/topic.js'

const b = (s: string): Buffer => Buffer.from(s, 'utf8')

const publishCases: Array<[string, Buffer, TopicCheck]> = [
  ['simple', b('a/b'), 'ok'],
  ['empty is refused (mosquitto 2.1)', b(''), 'invalid'],
  ['200 levels of separators', b('a/'.repeat(200) + 'a'), 'ok'],
  ['201 separators (mosquitto 2.1: TOPIC_HIERARCHY_LIMIT)', b('a/'.repeat(201) + 'a'), 'invalid'],
  ['$SYS/x', b('$SYS/x'), 'ok'],
  ['/', b('/'), 'ok'],
  ['//', b('//'), 'ok'],
  ['spaces', b('a b '), 'ok'],
  ['UTF-8', b('café/€'), 'ok'],
  ['+ level', b('a/+'), 'invalid'],
  ['# level', b('a/#'), 'invalid'],
  ['+ inside a level', b('a+b'), 'invalid'],
  ['# inside a level', b('a#b'), 'invalid'],
  ['control char', b('a\x01b'), 'utf8'],
  ['invalid UTF-8 beats wildcard', Buffer.from([0x2b, 0xff]), 'utf8'],
  ['65535 bytes', Buffer.alloc(65535, 'a'), 'ok'],
  ['65536 bytes: passes UTF-8, fails the topic check', Buffer.alloc(65536, 'a'), 'invalid'],
  ['65537 bytes: reported as malformed UTF-8', Buffer.alloc(65537, 'a'), 'utf8'],
]

for (const [name, topic, expected] of publishCases) {
  test(`checkPublishTopic: ${name}`, () => {
    assert.equal(checkPublishTopic(topic), expected)
  })
}

const filterCases: Array<[string, Buffer, TopicCheck]> = [
  ['simple', b('a/b'), 'ok'],
  ['empty is refused (mosquitto 2.1)', b(''), 'invalid'],
  ['201 separators', b('/'.repeat(201)), 'invalid'],
  ['#', b('#'), 'ok'],
  ['+', b('+'), 'ok'],
  ['a/+/c', b('a/+/c'), 'ok'],
  ['+/+', b('+/+'), 'ok'],
  ['a/#', b('a/#'), 'ok'],
  ['/#', b('/#'), 'ok'],
  ['+/#', b('+/#'), 'ok'],
  ['$share is not special', b('$share/g/a/#'), 'ok'],
  ['a/+b', b('a/+b'), 'invalid'],
  ['+a', b('+a'), 'invalid'],
  ['a+', b('a+'), 'invalid'],
  ['++', b('++'), 'invalid'],
  ['a#', b('a#'), 'invalid'],
  ['#/a', b('#/a'), 'invalid'],
  ['a/#/', b('a/#/'), 'invalid'],
  ['##', b('##'), 'invalid'],
  ['control char', b('a/\x7f'), 'utf8'],
  ['65535 bytes', Buffer.alloc(65535, 'a'), 'ok'],
  ['65536 bytes', Buffer.alloc(65536, 'a'), 'invalid'],
  ['65537 bytes', Buffer.alloc(65537, 'a'), 'utf8'],
]

for (const [name, filter, expected] of filterCases) {
  test(`checkSubscribeFilter: ${name}`, () => {
    assert.equal(checkSubscribeFilter(filter), expected)
  })
}

const matchCases: Array<[string, string, boolean]> = [
  ['a/b', 'a/b', true],
  ['a/b', 'a/c', false],
  ['a/b', 'a/b/c', false],
  ['a/b/c', 'a/b', false],
  ['#', 'a', true],
  ['#', 'a/b/c', true],
  ['#', '/', true],
  ['a/#', 'a', true],
  ['a/#', 'a/', true],
  ['a/#', 'a/b/c', true],
  ['a/#', 'ab', false],
  ['a/b/#', 'a', false],
  ['+', 'a', true],
  ['+', '/', false],
  ['+', 'a/b', false],
  ['+/+', '/', true],
  ['a/+', 'a/', true],
  ['a/+', 'a', false],
  ['a/+/c', 'a/b/c', true],
  ['a/+/c', 'a/b/d', false],
  ['a/+/#', 'a/b', true],
  ['a/+/#', 'a/', true],
  ['+/#', 'a', true],
  ['/#', '/', true],
  ['/+', '/x', true],
  ['a//b', 'a//b', true],
  ['a/+/b', 'a//b', true],
  // topics starting with '$' are not matched by a leading wildcard
  ['#', '$SYS/x', false],
  ['+/x', '$SYS/x', false],
  ['+', '$', false],
  ['$SYS/#', '$SYS/x', true],
  ['$SYS/+', '$SYS/x', true],
  ['$SYS', '$SYS', true],
  ['$SYS/x', 'SYS/x', false],
  ['a/$', 'a/$', true],
  ['+/$x', 'a/$x', true],
  // empty strings and wildcards inside the topic never match
  ['', '', false],
  ['#', '', false],
  ['', 'a', false],
  ['a/+', 'a/+', false],
  ['#', 'a/#', false],
  ['a/b', 'a/b#', false],
  // invalid filters never match (the CLI rejects them before they get here)
  ['a+', 'a+', false],
  ['a#', 'a', false],
  ['#/a', 'x/a', false],
]

for (const [filter, topic, expected] of matchCases) {
  test(`topicMatches(${JSON.stringify(filter)}, ${JSON.stringify(topic)}) is ${expected}`, () => {
    assert.equal(topicMatches(filter, topic), expected)
    assert.equal(topicMatches(b(filter), b(topic)), expected)
  })
}

test('topicMatches: compares raw bytes', () => {
  assert.equal(topicMatches(Buffer.from([0x61, 0x2f, 0xc3, 0xa9]), 'a/é'), true)
  assert.equal(topicMatches('a/+', Buffer.from([0x61, 0x2f, 0xff])), true)
})
