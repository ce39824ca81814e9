// The V8 flags every tool runs with, in one place for the scripts; bin/<tool> has the same words
// (test/unit/start-up-wrapper.test.ts keeps them in step). Node refuses a start-up snapshot built
// under other V8 flags, so the snapshot builder uses these too.
// --max-semi-space-size=2: a small young generation, so that a flood of messages (or a stalled
// stdout) does not let short-lived garbage grow the process by tens of megabytes.
export const V8_FLAGS = ['--max-semi-space-size=2']
