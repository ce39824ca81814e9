// The prose sections of the man pages, in roff. Options come from the table (man.ts).
import { DEFAULT_OPTION_FILES } from './option-files.js'
import type { Tool } from './table.js'

/** One `.SH` section. */
export interface ManSection {
  title: string
  body: string
}

const USAGE_ETC = `A usage error (the message names the option), a connection that could not be opened
(\\fBError: Connection refused\\fR, \\fBUnable to connect (Lookup error).\\fR), a TLS option or
file that cannot be used, or a file that could not be read.`
const CONNACK_V3 = `MQTT v3.1/v3.1.1: the broker refused the connection; the status is the CONNACK return code
(4 bad user name or password, 5 not authorised).`
const PROTOCOL = 'The broker broke the protocol: a malformed packet or an impossible length.'
const PROXY_NO_CONN = 'The SOCKS proxy could not reach the broker.'
const TLS = `A TLS error: the handshake failed (the line before says why) or \\fB\\-\\-capath\\fR cannot be
read.`
const PROXY_AUTH = `The SOCKS proxy refused the user name and password, or asked for some when \\fB\\-\\-proxy\\fR
has none.`
const PROXY_OTHER = 'Any other SOCKS proxy failure (the line before says what the proxy did).'
const KEEPALIVE = 'Keepalive exceeded: no CONNACK or PINGRESP within 1.5 times the keepalive (\\fB\\-k\\fR).'
const WS_REFUSED = 'WebSockets: the server refused the upgrade (mosquitto\'s \\fBError: Unknown error\\fR).'
const STDOUT_FAILED = 'Writing to standard output failed (a full disk, an I/O error; not a reader that went away).'
const V5_REFUSED = `MQTT v5: the reason code of a refused connection, publish or subscription (a refused MQTT v3
subscription gives 128).`

// Every exit status and what it means, per tool, in order (mosquitto's man pages list only the
// CONNACK codes and 27; the others are libmosquitto's return codes, which its clients exit with).
const EXIT_STATUSES: ReadonlyArray<[string, Partial<Record<Tool, string>>]> = [
  ['0', {
    pub: 'Success: every message was sent and, at QoS 1 and 2, acknowledged by the broker.',
    rr: 'Success: the answer was received and printed.',
    sub: `Success: \\fB\\-C\\fR messages were printed, \\fB\\-E\\fR saw every subscription (or, with only
\\fB\\-U\\fR, every unsubscription) acknowledged, \\fB\\-\\-retained\\-only\\fR reached a message that is not
retained, standard output was closed, or SIGINT or SIGTERM ended the run after the broker had
answered the connection.`,
  }],
  ['1', { pub: USAGE_ETC, sub: USAGE_ETC, rr: USAGE_ETC }],
  ['1\\-5', { pub: CONNACK_V3, sub: CONNACK_V3, rr: CONNACK_V3 }],
  ['2', { pub: PROTOCOL, sub: PROTOCOL, rr: PROTOCOL }],
  ['3', {
    pub: `Invalid input: a \\fB\\-D publish topic\\-alias\\fR above the broker's topic\\-alias\\-maximum,
or the SOCKS proxy said the request was invalid.`,
    sub: 'Invalid input: the SOCKS proxy said the request was invalid.',
    rr: 'Invalid input: the SOCKS proxy said the request was invalid.',
  }],
  ['4', { pub: PROXY_NO_CONN, sub: PROXY_NO_CONN, rr: PROXY_NO_CONN }],
  ['7', {
    pub: `The connection was lost (with \\fB\\-l\\fR: and could not be made again within 60 seconds, or the
broker ended it with a DISCONNECT whose reason says the request is wrong).`,
    sub: `The broker ended the connection with a DISCONNECT whose reason says the request is wrong (any
other lost connection is made again every second).`,
    rr: 'The connection was lost.',
  }],
  ['8', { pub: TLS, sub: TLS, rr: TLS }],
  ['10', { pub: 'This feature is not supported: a retained message to a broker that announced it keeps none.' }],
  ['11', { pub: PROXY_AUTH, sub: PROXY_AUTH, rr: PROXY_AUTH }],
  ['13', { pub: WS_REFUSED, sub: WS_REFUSED, rr: WS_REFUSED }],
  ['14', { pub: STDOUT_FAILED, sub: STDOUT_FAILED, rr: STDOUT_FAILED }],
  ['16', { pub: PROXY_OTHER, sub: PROXY_OTHER, rr: PROXY_OTHER }],
  ['19', { pub: KEEPALIVE, sub: KEEPALIVE, rr: KEEPALIVE }],
  ['24', { pub: "MQTT v5: the QoS is above the broker's maximum\\-qos (nothing is sent).", rr: "The request's QoS is above the broker's maximum." }],
  ['25', { pub: "MQTT v5: the message is larger than the broker's maximum\\-packet\\-size (nothing is sent)." }],
  ['27', { sub: '\\fB\\-W\\fR timed out after the connection was made.', rr: '\\fB\\-W\\fR timed out before the answer came.' }],
  ['128\\-162', { pub: V5_REFUSED, sub: V5_REFUSED, rr: V5_REFUSED }],
  ['255', { sub: '\\fB\\-W\\fR or a signal before the broker answered the connection.' }],
]

/** The EXIT STATUS section of one tool. */
function exitStatus(tool: Tool): ManSection {
  const items = EXIT_STATUSES.filter(([, texts]) => texts[tool] !== undefined).map(([code, texts]) => `.TP\n.B ${code}\n${texts[tool]}`)
  return { title: 'EXIT STATUS', body: items.join('\n') }
}

const FILES = (tool: Tool): ManSection => {
  const [theirs, ours] = DEFAULT_OPTION_FILES[tool]
  return { title: 'FILES', body: `
.TP
.I $XDG_CONFIG_HOME/${theirs}
.TQ
.I ~/.config/${theirs}
Default options, one per line, read before the command line in mosquitto's format: a line is an
option and (after one space) its value, which runs to the end of the line; lines starting with
\\fB#\\fR are comments. This is \\fB${theirs}\\fR's own file, so the settings you have for it apply
here too. When \\fBXDG_CONFIG_HOME\\fR is set, \\fI~/.config\\fR is not consulted.
\\fB\\-o\\fR \\fIfile\\fR reads \\fIfile\\fR instead of both default files.
.TP
.I $XDG_CONFIG_HOME/${ours}
.TQ
.I ~/.config/${ours}
More default options, read after \\fI${theirs}\\fR in the same format, so they override it: the
place for options that ${theirs} does not have (such as \\fB\\-\\-pw\\-file\\fR) and would refuse.
.TP
.I ~/.config/tsmqtt/name
A named profile, read with \\fB\\-\\-profile\\fR \\fIname\\fR after the default options and before the
command line, in the same format; the same profiles serve tspub, tssub and tsrr, so hosts and
credentials stay out of scripts.
` }
}

const ENVIRONMENT: ManSection = {
  title: 'ENVIRONMENT',
  body: `
.TP
.B XDG_CONFIG_HOME, HOME
Where the default options files are looked for.
.TP
.B TSMQTT_PASSWORD
The password, when \\fB\\-u\\fR is given and no \\fB\\-P\\fR, \\fB\\-\\-pw\\-file\\fR or
\\fB\\-\\-pw\\-prompt\\fR is: it stays out of the process list.
.TP
.B NO_COLOR, FORCE_COLOR
Colour is used only on a terminal (error labels on stderr, the \\fB\\-d\\fR trace on stdout, never
payloads); \\fBNO_COLOR\\fR turns it off, \\fBFORCE_COLOR\\fR (0 to 3) decides when set.
.TP
.B TSMQTT_NO_SNAPSHOT
Start from the bundle instead of the V8 start\\-up snapshot (also when \\fBNODE_OPTIONS\\fR is set).
.TP
.B TZ
Time zone of the time stamps that tssub and tsrr print.
`,
}

const SEE_ALSO = (...others: string[]): ManSection => ({
  title: 'SEE ALSO',
  body: `${others.map((o) => `\\fB${o}\\fR(1), `).join('')}\\fBmosquitto_pub\\fR(1), \\fBmosquitto_sub\\fR(1), \\fBmosquitto_rr\\fR(1), \\fBmosquitto\\fR(8)`,
})

// mosquitto 2.1's WebSockets, as its code does them (its man page says the URL path is the HTTP
// path and the ports are 80 and 443).
const WEBSOCKETS: ManSection = {
  title: 'WEBSOCKETS',
  body: `
\\fB\\-\\-ws\\fR, or \\fB\\-L ws://\\fR\\fIhost\\fR[\\fB:\\fR\\fIport\\fR]\\fB/\\fR\\fItopic\\fR, speaks MQTT over a WebSocket, as
mosquitto 2.1 does: the client asks for the HTTP path \\fB/mqtt\\fR with the subprotocol \\fBmqtt\\fR and
sends MQTT in binary frames. The URL's path is the topic, as with \\fBmqtt://\\fR. The port defaults
to 1883, or 8883 with TLS. \\fBwss://\\fR, or \\fB\\-\\-ws\\fR with a TLS option (\\fB\\-\\-cafile\\fR, \\fB\\-\\-capath\\fR,
\\fB\\-\\-psk\\fR, \\fB\\-\\-tls\\-use\\-os\\-certs\\fR), runs it over TLS with the usual checks. It works over
\\fB\\-\\-unix\\fR and through \\fB\\-\\-proxy\\fR too (the upgrade goes through the proxy).
.PP
A server that refuses the upgrade (an HTTP status other than 101, no \\fBmqtt\\fR subprotocol) gives
\\fBError: Unknown error\\fR after a line saying what it answered, exit status 13. A server that closes
the connection without answering, as a plain MQTT or a TLS port does, gives
\\fBError: The connection was lost\\fR, exit status 7 (tssub tries again, as after any loss); one that
never answers, the keepalive error, exit status 19.
`,
}

// tssub prints every message, tsrr its answer, through the same formatter.
const OUTPUT_FORMAT: ManSection = {
  title: 'OUTPUT FORMAT',
  body: `
Without \\fB\\-F\\fR each message is printed as its payload and a newline (nothing at all for an
empty payload), or with \\fB\\-v\\fR as the topic, a space and the payload (\\fB(null)\\fR when empty).
\\fB\\-N\\fR leaves out the newline.
.PP
\\fB\\-F\\fR \\fIformat\\fR prints each message through a format string, as mosquitto_sub 2.1 does.
\\fB%\\fR sequences take an optional flag (\\fB\\-\\fR left\\-aligns, \\fB0\\fR pads with zeros), a width,
a precision and a separator character (one of !"#$&'()*+,\\-./:;<=>?@[\\e]^_\`{|}~ or a space):
.TP
.B %t %p %x %X %l %m %q %r
topic, payload, payload in lower/upper\\-case hex, payload length, packet id, QoS, retain flag.
A width on \\fB%p\\fR, \\fB%x\\fR and \\fB%X\\fR cuts the payload to that many bytes. With a precision
\\fIn\\fR, \\fB%x\\fR and \\fB%X\\fR put the separator (a space by default) after every \\fIn\\fR hex digits:
\\fB%.2:x\\fR prints \\fB6d:65:73\\fR.
.TP
.B %f %d
the payload read as a 4\\-byte float or an 8\\-byte double (IEEE 754, this machine's byte order), printed
as \\fBprintf\\fR(3) prints \\fB%f\\fR (6 decimals unless a precision is given); a payload of another
size prints nothing and a line on standard error.
.TP
.B %j %J
the message as JSON, with the payload as a string (\\fB%j\\fR) or as embedded JSON (\\fB%J\\fR);
\\fB\\-\\-pretty\\fR spreads it over lines. As in mosquitto 2.1, \\fB"retain"\\fR is true or false and user
properties are an array of one\\-member objects, so a repeated key survives.
.TP
.B %I %U
ISO\\-8601 local time, and Unix time with nanoseconds.
.TP
.B %A %C %D %E %F %P %R %S
MQTT v5 properties: topic alias, content type, correlation data, message expiry, payload format
indicator, user properties, response topic, subscription identifier.
.TP
.B @X
any \\fBstrftime\\fR(3) conversion, e.g. \\fB@Y\\-@m\\-@d\\fR; \\fB@N\\fR nanoseconds; \\fB@@\\fR a literal @.
.TP
.B \\e\\e \\e0 \\ea \\ee \\en \\er \\et \\ev
escapes.
`,
}

/** The sections before and after OPTIONS, per tool. */
export const MAN_SECTIONS: Record<Tool, { before: ManSection[]; after: ManSection[] }> = {
  pub: {
    before: [
      { title: 'SYNOPSIS', body: `
.B tspub
{[\\fB\\-h\\fR \\fIhost\\fR] [\\fB\\-p\\fR \\fIport\\fR] [\\fB\\-u\\fR \\fIusername\\fR] [\\fB\\-P\\fR \\fIpassword\\fR] [\\fB\\-\\-ws\\fR] \\fB\\-t\\fR \\fItopic\\fR | \\fB\\-L\\fR \\fIURL\\fR}
{\\fB\\-m\\fR \\fImessage\\fR | \\fB\\-f\\fR \\fIfile\\fR | \\fB\\-s\\fR | \\fB\\-l\\fR | \\fB\\-n\\fR}
[\\fIoptions\\fR]
` },
      { title: 'DESCRIPTION', body: `
\\fBtspub\\fR publishes MQTT messages. It is a drop\\-in replacement for \\fBmosquitto_pub\\fR 2.1 (and
2.0): the same options, output, exit statuses and error messages. It speaks MQTT 3.1, 3.1.1 and 5.
.PP
It exits 0 only when every message was written to the broker (QoS 0) or acknowledged by it
(QoS 1 and 2). With \\fB\\-l\\fR it publishes one message per line of standard input as the lines
arrive; if the connection drops it reconnects, resends what was not acknowledged, and gives up
(non\\-zero, saying how many messages were not confirmed) only after a bounded outage.
` },
    ],
    after: [
      exitStatus('pub'),
      WEBSOCKETS,
      FILES('pub'),
      ENVIRONMENT,
      { title: 'EXAMPLES', body: `
Publish one message:
.PP
.EX
tspub \\-h broker \\-t sensors/temp \\-m 21.5
.EE
.PP
A cron job publishing the host's load as a retained message, with a will:
.PP
.EX
uptime | tspub \\-h broker \\-t hosts/$(hostname)/load \\-r \\-q 1 \\-s
.EE
.PP
Send a file byte for byte, and a log as it grows, one message per line:
.PP
.EX
tspub \\-t firmware/blob \\-q 1 \\-f image.bin
tail \\-F app.log | tspub \\-t logs/app \\-q 1 \\-l
.EE
.PP
A chat on public and private topics: everyone reads chat/public, alice also her own topic:
.PP
.EX
tssub \\-t chat/public \\-t chat/private/alice \\-v &
tspub \\-t chat/public \\-m "hello all" \\-q 1
tspub \\-t chat/private/alice \\-m "hi alice" \\-q 1
.EE
` },
      { title: 'DIFFERENCES FROM MOSQUITTO', body: `
\\fB\\-\\-help\\fR and \\fB\\-\\-version\\fR exit 0. Numbers are read as mosquitto reads them (C atoi and atof:
\\fB\\-q 1.5\\fR is QoS 1, \\fB\\-q x\\fR is 0), but an options file line holding two options gets a
warning. An empty topic is refused before connecting, with exit 1. A message the broker refuses
(MQTT v5) makes the exit status non\\-zero. A NUL byte in a \\fB\\-l\\fR line is kept as data. See the
README for the complete list.
` },
      SEE_ALSO('tssub', 'tsrr'),
    ],
  },
  sub: {
    before: [
      { title: 'SYNOPSIS', body: `
.B tssub
{[\\fB\\-h\\fR \\fIhost\\fR] [\\fB\\-p\\fR \\fIport\\fR] [\\fB\\-u\\fR \\fIusername\\fR] [\\fB\\-P\\fR \\fIpassword\\fR] [\\fB\\-\\-ws\\fR] \\fB\\-t\\fR \\fItopic\\fR ... | \\fB\\-L\\fR \\fIURL\\fR}
[\\fIoptions\\fR]
` },
      { title: 'DESCRIPTION', body: `
\\fBtssub\\fR subscribes to MQTT topics and prints every message it receives on standard output,
byte for byte. It is a drop\\-in replacement for \\fBmosquitto_sub\\fR 2.1 (and 2.0): the same
options, output, exit statuses and error messages. It speaks MQTT 3.1, 3.1.1 and 5.
.PP
When the connection is lost it reconnects every second and subscribes again; \\fB\\-C\\fR counting
carries on. It stops on \\fB\\-C\\fR, \\fB\\-E\\fR, \\fB\\-\\-retained\\-only\\fR, \\fB\\-W\\fR, SIGINT or SIGTERM (sending
DISCONNECT first), or when standard output is closed.
` },
    ],
    after: [
      OUTPUT_FORMAT,
      exitStatus('sub'),
      WEBSOCKETS,
      FILES('sub'),
      ENVIRONMENT,
      { title: 'EXAMPLES', body: `
Print everything under a topic with the topic names:
.PP
.EX
tssub \\-h broker \\-t 'sensors/#' \\-v
.EE
.PP
A CI smoke test: wait at most 10 seconds for one message, fail otherwise:
.PP
.EX
tssub \\-h broker \\-t ci/ready \\-C 1 \\-W 10 || echo "no message (exit $?)"
.EE
.PP
Debug a broker: packet trace and every message as JSON:
.PP
.EX
tssub \\-d \\-t '#' \\-F %j
.EE
` },
      { title: 'DIFFERENCES FROM MOSQUITTO', body: `
\\fB\\-\\-help\\fR and \\fB\\-\\-version\\fR exit 0. Numbers are read as mosquitto reads them (C atoi and atof:
\\fB\\-W 1.5\\fR is one second), but an options file line holding two options gets a warning.
\\fB%j\\fR keeps NUL bytes (escaped) and carries a payload that is not UTF\\-8 as base64, with
\\fB"payload_encoding":"base64"\\fR, and \\fB%J\\fR refuses a payload that is not UTF\\-8 and keeps numbers
a double cannot hold as written, so the output is always JSON, and faithful.
\\fB\\-\\-random\\-filter\\fR is a percentage as documented (mosquitto treats it as per mille).
\\fB\\-\\-remove\\-retained\\fR with \\fB\\-C\\fR or \\fB\\-\\-retained\\-only\\fR exits once the removals are
acknowledged (mosquitto hangs). After an MQTT v5 server DISCONNECT, tssub reconnects (as
mosquitto 2.0.15 and later do). When every subscription is refused, the exit status is the SUBACK
code (mosquitto exits 0). See the README for the complete list.
` },
      SEE_ALSO('tspub', 'tsrr'),
    ],
  },
  rr: {
    before: [
      { title: 'SYNOPSIS', body: `
.B tsrr
{[\\fB\\-h\\fR \\fIhost\\fR] [\\fB\\-p\\fR \\fIport\\fR] [\\fB\\-u\\fR \\fIusername\\fR] [\\fB\\-P\\fR \\fIpassword\\fR] \\fB\\-t\\fR \\fItopic\\fR | \\fB\\-L\\fR \\fIURL\\fR}
\\fB\\-e\\fR \\fIresponse\\-topic\\fR
{\\fB\\-m\\fR \\fImessage\\fR | \\fB\\-f\\fR \\fIfile\\fR | \\fB\\-s\\fR | \\fB\\-n\\fR}
[\\fIoptions\\fR]
` },
      { title: 'DESCRIPTION', body: `
\\fBtsrr\\fR sends one request and prints the response, with MQTT v5 request/response: it
subscribes to the response topic (\\fB\\-e\\fR), publishes the request to \\fB\\-t\\fR with that topic as
its response\\-topic property, prints the answer as \\fBtssub\\fR would, and disconnects. It is a
drop\\-in replacement for \\fBmosquitto_rr\\fR: the same options, output, exit statuses and error
messages. It speaks MQTT 5 by default, and 3.1.1 and 3.1 with \\fB\\-V\\fR (the request then carries no
response topic, so the responder must know where to answer).
.PP
Unlike \\fBmosquitto_rr\\fR, the request carries correlation data (a new random value unless
\\fB\\-D publish correlation\\-data\\fR gives one) and only an answer carrying the same is taken, so a
retained or someone else's message on a shared response topic is not mistaken for the answer;
\\fB\\-\\-correlation\\fR changes that. Without \\fB\\-W\\fR, \\fBtsrr\\fR waits for the answer as long as it
takes. A QoS 1 answer is printed before its acknowledgement leaves, a QoS 2 answer is printed
even if the broker never releases it, and nothing after the answer is acknowledged.
` },
    ],
    after: [
      OUTPUT_FORMAT,
      exitStatus('rr'),
      FILES('rr'),
      ENVIRONMENT,
      { title: 'EXAMPLES', body: `
Ask a thermostat for its state, and wait at most 5 seconds for the answer:
.PP
.EX
tsrr \\-h broker \\-t home/thermostat/get \\-e home/thermostat/state/$$ \\-m state \\-W 5
.EE
.PP
A responder in a few lines of shell: each request's response topic and correlation data come in
one line from \\fBtssub\\fR, and \\fBtspub\\fR answers there with the same correlation data:
.PP
.EX
tssub \\-V 5 \\-t service/time \\-F '%R %D' | while read \\-r topic cd; do
  tspub \\-V 5 \\-t "$topic" \\-D publish correlation\\-data "$cd" \\-m "$(date)"
done
.EE
.PP
Measure the round trip through the broker (request and response on the same topic):
.PP
.EX
tsrr \\-t rr/ping \\-e rr/ping \\-m ping \\-\\-latency
.EE
` },
      { title: 'DIFFERENCES FROM MOSQUITTO', body: `
\\fB\\-\\-help\\fR and \\fB\\-\\-version\\fR exit 0. The request carries correlation data and only a matching
answer is taken (\\fB\\-\\-correlation off\\fR: as mosquitto_rr). After the answer, tsrr sends DISCONNECT, so
the broker does not publish the will. A refused subscription, a refused request and a DISCONNECT from
the broker exit non\\-zero (mosquitto_rr exits 0 or waits for ever). An empty \\fB\\-t\\fR or \\fB\\-e\\fR is
refused before connecting. \\fB\\-\\-latency\\fR prints nothing when no answer came. See the README for
the complete list.
` },
      SEE_ALSO('tspub', 'tssub'),
    ],
  },
}
