// bot.js: an irc-framework client driven by the Go interop tests.
//
// Usage: node bot.js HOST PORT NICK [tls]
//
// With "tls" it connects with TLS and does not verify the certificate (the
// tests use a self-signed one).
//
// It connects with irc-framework's default options (so it requests the
// capabilities irc-framework requests by default), then reads one JSON
// command per line on stdin and prints one JSON event per line on stdout.
// The Go test (tests/interop/ircframework_test.go) decides the steps and
// synchronises on the events; this script has no script of its own.
//
// Commands: {"cmd":"join","channel":"#c"}  {"cmd":"say","target":"t","text":"x"}
//           {"cmd":"nick","nick":"n"}      {"cmd":"topic","channel":"#c","topic":"x"}
//           {"cmd":"part","channel":"#c","message":"x"}  {"cmd":"quit","message":"x"}
//           {"cmd":"raw","line":"CHATHISTORY LATEST #c * 10"}
// Events:   raw (every line in and out, with dir), registered (with the
//           enabled caps), join, part, quit, nick, topic, privmsg, notice,
//           error, close.
'use strict';

const readline = require('readline');
const IRC = require('irc-framework');

const [host, port, nick, mode] = process.argv.slice(2);
if (!host || !port || !nick) {
    process.stderr.write('usage: node bot.js HOST PORT NICK\n');
    process.exit(2);
}

// A bot left behind by a crashed test must not live on.
const lifetime = setTimeout(() => {
    emit({ event: 'error', message: 'lifetime exceeded' });
    process.exit(3);
}, 55000);
lifetime.unref();

function emit(obj) {
    process.stdout.write(JSON.stringify(obj) + '\n');
}

const client = new IRC.Client();

client.on('raw', (ev) => emit({ event: 'raw', dir: ev.from_server ? 'in' : 'out', line: ev.line.replace(/\r?\n$/, '') }));
client.on('registered', (ev) => emit({ event: 'registered', nick: ev.nick, caps: client.network.cap.enabled }));
client.on('join', (ev) => emit({ event: 'join', nick: ev.nick, channel: ev.channel }));
client.on('part', (ev) => emit({ event: 'part', nick: ev.nick, channel: ev.channel, message: ev.message }));
client.on('quit', (ev) => emit({ event: 'quit', nick: ev.nick, message: ev.message }));
client.on('nick', (ev) => emit({ event: 'nick', nick: ev.nick, new_nick: ev.new_nick }));
client.on('topic', (ev) => emit({ event: 'topic', nick: ev.nick, channel: ev.channel, topic: ev.topic }));
client.on('privmsg', (ev) => emit({
    event: 'privmsg', nick: ev.nick, target: ev.target, message: ev.message, tags: ev.tags, time: ev.time,
}));
client.on('notice', (ev) => emit({ event: 'notice', nick: ev.nick, target: ev.target, message: ev.message }));
client.on('irc error', (ev) => emit({ event: 'error', error: ev.error, reason: ev.reason }));
client.on('close', () => {
    emit({ event: 'close' });
    process.exit(0);
});

const commands = {
    join: (c) => client.join(c.channel),
    say: (c) => client.say(c.target, c.text),
    nick: (c) => client.changeNick(c.nick),
    topic: (c) => client.setTopic(c.channel, c.topic),
    part: (c) => client.part(c.channel, c.message),
    quit: (c) => client.quit(c.message),
    raw: (c) => client.raw(c.line),
};

const input = readline.createInterface({ input: process.stdin });
input.on('line', (line) => {
    let c;
    try {
        c = JSON.parse(line);
    } catch (err) {
        emit({ event: 'error', message: 'bad command: ' + line });
        return;
    }
    const run = commands[c.cmd];
    if (!run) {
        emit({ event: 'error', message: 'unknown command: ' + c.cmd });
        return;
    }
    run(c);
});
// The test closing stdin means it is over: leave at once.
input.on('close', () => process.exit(0));

client.connect({
    host: host,
    port: Number(port),
    nick: nick,
    username: nick.toLowerCase(),
    gecos: 'irc-framework ' + nick,
    auto_reconnect: false,
    tls: mode === 'tls',
    rejectUnauthorized: false,
});
