// The conference chat page: a small IRC client over IRC-over-WebSocket
// (text.ircv3.net). Every text from the network goes into the page through
// textContent, never as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const WANTED_CAPS = ["server-time", "echo-message", "multi-prefix", "message-tags", "batch",
  "draft/chathistory", "sasl", "away-notify"];
const HISTORY_LINES = 50;

const state = {
  ws: null, nick: "", wantNick: "", account: "", password: "",
  caps: new Set(), offered: new Map(), registered: false, network: "",
  prefixes: { modes: "ov", symbols: "@+" }, chantypes: "#",
  buffers: new Map(), order: [], current: null, autojoin: [],
  backoff: 1000, reconnectTimer: null, closing: false, batches: new Map(), listing: null,
};

// --- IRC lines -------------------------------------------------------------

function parse(line) {
  const m = { tags: {}, source: "", command: "", params: [] };
  let i = 0;
  if (line[0] === "@") {
    const end = line.indexOf(" ");
    for (const t of line.slice(1, end).split(";")) {
      const eq = t.indexOf("=");
      const k = eq < 0 ? t : t.slice(0, eq);
      const v = eq < 0 ? "" : t.slice(eq + 1).replace(/\\(.)/g, (_, c) => ({ ":": ";", s: " ", r: "\r", n: "\n" }[c] ?? c));
      m.tags[k] = v;
    }
    i = end + 1;
  }
  while (line[i] === " ") i++;
  if (line[i] === ":") {
    const end = line.indexOf(" ", i);
    m.source = line.slice(i + 1, end);
    i = end + 1;
  }
  while (i < line.length) {
    while (line[i] === " ") i++;
    if (i >= line.length) break;
    if (line[i] === ":") { m.params.push(line.slice(i + 1)); break; }
    let end = line.indexOf(" ", i);
    if (end < 0) end = line.length;
    const word = line.slice(i, end);
    if (!m.command) m.command = word.toUpperCase(); else m.params.push(word);
    i = end;
  }
  return m;
}

const nickOf = (source) => source.split("!")[0];

function send(...args) {
  if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return;
  const last = args.length - 1;
  if (last > 0 && (args[last] === "" || args[last].includes(" ") || args[last][0] === ":")) args[last] = ":" + args[last];
  state.ws.send(args.join(" ").replace(/[\r\n]/g, " "));
}

const isChannel = (name) => name !== "" && state.chantypes.includes(name[0]);
const fold = (s) => s.toLowerCase().replace(/\[/g, "{").replace(/\]/g, "}").replace(/\\/g, "|").replace(/~/g, "^");

// --- buffers ---------------------------------------------------------------

function buffer(name, create = true) {
  const key = fold(name);
  let b = state.buffers.get(key);
  if (!b && create) {
    b = { name, key, lines: [], nicks: new Map(), topic: "", unread: 0, mention: false, joined: false, el: null };
    state.buffers.set(key, b);
    state.order.push(key);
    renderBuffers();
  }
  return b;
}

function dropBuffer(b) {
  state.buffers.delete(b.key);
  state.order = state.order.filter((k) => k !== b.key);
  if (state.current === b.key) show(state.order[state.order.length - 1] || "*");
  renderBuffers();
}

const serverBuffer = () => buffer("*");

function addLine(b, { time, nick = "", text, kind = "msg", own = false, history = false }) {
  const li = document.createElement("li");
  li.className = kind + (own ? " own" : "") + (history ? " history" : "");
  const t = document.createElement("time");
  t.className = "time";
  const when = time ? new Date(time) : new Date();
  t.dateTime = when.toISOString();
  t.textContent = when.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  li.append(t);
  if (nick) {
    const n = document.createElement("span");
    n.className = "nick";
    n.textContent = kind === "action" ? "* " + nick : kind === "notice" ? "-" + nick + "-" : "<" + nick + ">";
    li.append(n);
  }
  appendText(li, text);
  const mention = !own && !history && kind !== "event" && state.nick && b.key !== "*" &&
    new RegExp("(^|\\W)" + state.nick.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "(\\W|$)", "i").test(text);
  if (mention) li.classList.add("mention");
  b.lines.push(li);
  if (b.lines.length > 1000) b.lines.shift().remove();
  if (state.current === b.key) {
    const log = $("log");
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    log.append(li);
    if (atBottom || own) log.scrollTop = log.scrollHeight;
  } else if (!history && kind !== "event") {
    b.unread++;
    b.mention = b.mention || mention || (!isChannel(b.name) && b.key !== "*");
    renderBuffers();
  }
}

// appendText adds text, with #channel names as links that join.
function appendText(el, text) {
  const re = /(^|\s)(#[^\s,]+)/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const start = m.index + m[1].length;
    el.append(document.createTextNode(text.slice(last, start)));
    const a = document.createElement("span");
    a.className = "chan";
    a.textContent = m[2];
    a.tabIndex = 0;
    a.addEventListener("click", () => join(m[2]));
    el.append(a);
    last = start + m[2].length;
  }
  el.append(document.createTextNode(text.slice(last)));
}

function renderBuffers() {
  const ul = $("buffers");
  ul.replaceChildren();
  for (const key of state.order) {
    const b = state.buffers.get(key);
    const li = document.createElement("li");
    if (key === state.current) li.className = "active";
    const btn = document.createElement("button");
    btn.type = "button";
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = key === "*" ? (state.network || "Server") : b.name;
    btn.append(name);
    if (b.unread > 0) {
      const u = document.createElement("span");
      u.className = "unread" + (b.mention ? " mention" : "");
      u.textContent = String(b.unread);
      btn.append(u);
    }
    btn.addEventListener("click", () => { show(key); $("sidebar").classList.remove("open"); $("input").focus(); });
    li.append(btn);
    ul.append(li);
  }
  const total = [...state.buffers.values()].reduce((n, b) => n + (b.mention ? b.unread : 0), 0);
  document.title = (total ? "(" + total + ") " : "") + (state.network || "Chat");
}

function show(key) {
  const b = state.buffers.get(key);
  if (!b) return;
  state.current = key;
  b.unread = 0;
  b.mention = false;
  $("log").replaceChildren(...b.lines);
  $("log").scrollTop = $("log").scrollHeight;
  $("title").textContent = key === "*" ? (state.network || "Server") : b.name;
  $("topic").textContent = b.topic;
  $("topic").title = b.topic;
  renderNicks();
  renderBuffers();
  if (isChannel(b.name)) history.replaceState(null, "", "#" + b.name.slice(1));
}

function renderNicks() {
  const b = state.buffers.get(state.current);
  const ul = $("nicks");
  ul.replaceChildren();
  if (!b || !isChannel(b.name)) { ul.hidden = true; return; }
  ul.hidden = false;
  const rank = (p) => { const i = state.prefixes.symbols.indexOf(p[0]); return i < 0 ? 99 : i; };
  const list = [...b.nicks.entries()].map(([, v]) => v).sort((x, y) =>
    rank(x.prefix || " ") - rank(y.prefix || " ") || x.nick.localeCompare(y.nick));
  for (const m of list) {
    const li = document.createElement("li");
    li.textContent = (m.prefix ? m.prefix[0] : "") + m.nick;
    li.addEventListener("click", () => show(buffer(m.nick).key));
    ul.append(li);
  }
}

// --- connection ------------------------------------------------------------

function connect() {
  clearTimeout(state.reconnectTimer);
  const proto = location.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(proto + "//" + location.host + "/", ["text.ircv3.net"]);
  state.ws = ws;
  state.registered = false;
  state.caps.clear();
  state.offered.clear();
  status("connecting…");
  ws.onopen = () => {
    status("");
    send("CAP", "LS", "302");
    send("NICK", state.wantNick);
    send("USER", "web", "0", "*", state.wantNick);
  };
  ws.onmessage = (ev) => { for (const line of String(ev.data).split(/\r?\n/)) if (line) handle(parse(line)); };
  ws.onclose = () => {
    if (state.ws !== ws) return;
    state.ws = null;
    for (const b of state.buffers.values()) { b.joined = false; b.nicks.clear(); }
    renderNicks();
    if (state.closing) { status("disconnected"); return; }
    const wait = state.backoff;
    state.backoff = Math.min(state.backoff * 2, 30000);
    status("connection lost, retrying in " + Math.round(wait / 1000) + " s");
    state.reconnectTimer = setTimeout(connect, wait);
  };
}

window.addEventListener("online", () => { if (!state.ws && !state.closing && state.wantNick) { state.backoff = 1000; connect(); } });

function status(text) { $("status").textContent = text; }

function join(name) {
  if (!isChannel(name)) name = "#" + name;
  const b = buffer(name);
  show(b.key);
  if (!b.joined) send("JOIN", name);
}

// --- handlers --------------------------------------------------------------

function handle(m) {
  const p = m.params;
  const time = m.tags.time;
  const batch = m.tags.batch && state.batches.get(m.tags.batch);
  const from = nickOf(m.source);
  const me = state.nick && fold(from) === fold(state.nick);
  switch (m.command) {
    case "PING": send("PONG", p[0] || ""); break;
    case "CAP": cap(m); break;
    case "AUTHENTICATE":
      if (p[0] === "+") send("AUTHENTICATE", btoa(unescape(encodeURIComponent(state.account + "\0" + state.account + "\0" + state.password))));
      break;
    case "903": case "904": case "905": case "906": case "907":
      if (m.command !== "903") addLine(serverBuffer(), { time, text: "Login failed: " + p[p.length - 1], kind: "event" });
      send("CAP", "END");
      break;
    case "001":
      state.registered = true;
      state.nick = p[0];
      state.backoff = 1000;
      for (const b of state.buffers.values()) if (isChannel(b.name)) state.autojoin.push(b.name);
      for (const name of new Set(state.autojoin)) join(name);
      state.autojoin = [];
      addLine(serverBuffer(), { time, text: p[p.length - 1], kind: "event" });
      break;
    case "005":
      for (const tok of p.slice(1, -1)) {
        const [k, v = ""] = tok.split("=");
        if (k === "NETWORK") { state.network = v; $("network").textContent = v; renderBuffers(); if (state.current === "*") $("title").textContent = v; }
        if (k === "CHANTYPES") state.chantypes = v || "#";
        if (k === "PREFIX") { const mm = /^\(([^)]*)\)(.*)$/.exec(v); if (mm) state.prefixes = { modes: mm[1], symbols: mm[2] }; }
      }
      break;
    case "433": case "432":
      if (!state.registered) {
        state.wantNick = state.wantNick.slice(0, 28) + "_";
        send("NICK", state.wantNick);
      }
      addLine(buffer(state.current || "*"), { time, text: p[p.length - 1] + ": " + p[1], kind: "event" });
      break;
    case "BATCH": {
      const ref = p[0].slice(1);
      if (p[0][0] === "+") state.batches.set(ref, { type: p[1], target: p[2] });
      else state.batches.delete(ref);
      break;
    }
    case "JOIN": {
      const b = buffer(p[0]);
      b.nicks.set(fold(from), { nick: from, prefix: "" });
      if (me) {
        b.joined = true;
        b.nicks.clear();
        if (state.caps.has("draft/chathistory")) {
          // The history replaces what the page saw before (a rejoin).
          b.lines.length = 0;
          if (state.current === b.key) $("log").replaceChildren();
          send("CHATHISTORY", "LATEST", p[0], "*", String(HISTORY_LINES));
        }
      } else addLine(b, { time, text: from + " joined", kind: "event" });
      if (state.current === b.key) renderNicks();
      break;
    }
    case "PART": {
      const b = buffer(p[0], false);
      if (!b) break;
      if (me) { dropBuffer(b); break; }
      b.nicks.delete(fold(from));
      addLine(b, { time, text: from + " left" + (p[1] ? " (" + p[1] + ")" : ""), kind: "event" });
      if (state.current === b.key) renderNicks();
      break;
    }
    case "KICK": {
      const b = buffer(p[0], false);
      if (!b) break;
      b.nicks.delete(fold(p[1]));
      addLine(b, { time, text: p[1] + " was kicked by " + from + (p[2] ? " (" + p[2] + ")" : ""), kind: "event" });
      if (fold(p[1]) === fold(state.nick)) b.joined = false;
      if (state.current === b.key) renderNicks();
      break;
    }
    case "QUIT":
      for (const b of state.buffers.values()) {
        if (b.nicks.delete(fold(from))) addLine(b, { time, text: from + " quit" + (p[0] ? " (" + p[0] + ")" : ""), kind: "event" });
      }
      renderNicks();
      break;
    case "NICK":
      if (me) state.nick = p[0];
      for (const b of state.buffers.values()) {
        const n = b.nicks.get(fold(from));
        if (n) { b.nicks.delete(fold(from)); n.nick = p[0]; b.nicks.set(fold(p[0]), n); addLine(b, { time, text: from + " is now " + p[0], kind: "event" }); }
      }
      renderNicks();
      break;
    case "353": {
      const b = buffer(p[2]);
      for (const entry of p[3].split(" ")) {
        if (!entry) continue;
        let i = 0;
        while (i < entry.length && state.prefixes.symbols.includes(entry[i])) i++;
        const nick = nickOf(entry.slice(i));
        b.nicks.set(fold(nick), { nick, prefix: entry.slice(0, i) });
      }
      break;
    }
    case "366": if (state.current === fold(p[1])) renderNicks(); break;
    case "MODE": {
      const b = buffer(p[0], false);
      if (!b || !isChannel(p[0])) break;
      let add = true, arg = 2;
      for (const c of p[1] || "") {
        if (c === "+" || c === "-") { add = c === "+"; continue; }
        const idx = state.prefixes.modes.indexOf(c);
        if (idx >= 0) {
          const n = b.nicks.get(fold(p[arg++] || ""));
          const sym = state.prefixes.symbols[idx];
          if (n) {
            const set = new Set(n.prefix);
            if (add) set.add(sym); else set.delete(sym);
            n.prefix = [...state.prefixes.symbols].filter((s) => set.has(s)).join("");
          }
        } else if ("beIkl".includes(c) && (add || c !== "l")) arg++;
      }
      addLine(b, { time, text: from + " set mode " + p.slice(1).join(" "), kind: "event" });
      if (state.current === b.key) renderNicks();
      break;
    }
    case "332": { const b = buffer(p[1]); b.topic = p[2]; if (state.current === b.key) show(b.key); break; }
    case "TOPIC": {
      const b = buffer(p[0]);
      b.topic = p[1] || "";
      addLine(b, { time, text: from + " set the topic: " + b.topic, kind: "event" });
      if (state.current === b.key) { $("topic").textContent = b.topic; $("topic").title = b.topic; }
      break;
    }
    case "PRIVMSG": case "NOTICE": {
      let target = p[0];
      if (!isChannel(target.replace(/^[@+%&~]+/, ""))) target = me ? p[0] : from;
      else target = target.replace(/^[@+%&~]+/, "");
      if (!m.source.includes("!") || target === "*") target = "*"; // from the server
      let text = p[1] || "", kind = m.command === "NOTICE" ? "notice" : "msg";
      const action = /^\x01ACTION (.*)\x01?$/.exec(text);
      if (action) { text = action[1].replace(/\x01$/, ""); kind = "action"; } else if (text[0] === "\x01") break;
      const b = buffer(batch && batch.type === "chathistory" ? batch.target : target);
      addLine(b, { time, nick: from, text, kind, own: me, history: !!(batch && batch.type === "chathistory") });
      break;
    }
    case "321": state.listing = []; break;
    case "322": if (state.listing) state.listing.push({ name: p[1], users: p[2], topic: p[3] || "" }); break;
    case "323": {
      const b = serverBuffer();
      const list = (state.listing || []).sort((x, y) => Number(y.users) - Number(x.users));
      addLine(b, { text: list.length ? "Channels (click to join):" : "No channels yet: /join #lobby", kind: "event" });
      for (const c of list) addLine(b, { text: c.name + " (" + c.users + ") " + c.topic, kind: "event" });
      state.listing = null;
      show("*");
      break;
    }
    case "ERROR":
      addLine(serverBuffer(), { time, text: p[0] || "Disconnected", kind: "event" });
      break;
    default:
      if (/^\d{3}$/.test(m.command)) {
        const text = p.slice(1).join(" ");
        if (m.command[0] === "4" && state.current) addLine(buffer(state.current), { time, text, kind: "event" });
        else addLine(serverBuffer(), { time, text, kind: "event" });
        if (!state.registered && m.command === "464") { state.closing = true; }
      } else if (m.command === "FAIL") {
        addLine(buffer(state.current || "*"), { time, text: p[p.length - 1], kind: "event" });
      }
  }
}

function cap(m) {
  const p = m.params;
  const sub = p[1];
  if (sub === "LS" || sub === "NEW") {
    const more = p[2] === "*";
    for (const tok of p[p.length - 1].split(" ")) {
      if (!tok) continue;
      const [k, v = ""] = tok.split("=");
      state.offered.set(k, v);
    }
    if (more && sub === "LS") return;
    const req = WANTED_CAPS.filter((c) => state.offered.has(c) && !state.caps.has(c) && (c !== "sasl" || state.account));
    if (req.length) send("CAP", "REQ", req.join(" "));
    else if (sub === "LS") send("CAP", "END");
  } else if (sub === "ACK") {
    for (const c of p[p.length - 1].split(" ")) if (c) state.caps.add(c.replace(/^-/, ""));
    if (state.caps.has("sasl") && state.account && !state.registered) send("AUTHENTICATE", "PLAIN");
    else if (!state.registered) send("CAP", "END");
  } else if (sub === "NAK") {
    if (!state.registered) send("CAP", "END");
  } else if (sub === "DEL") {
    for (const c of p[p.length - 1].split(" ")) state.caps.delete(c);
  }
}

// --- input -----------------------------------------------------------------

function submit(text) {
  const b = state.buffers.get(state.current);
  if (!text.trim()) return;
  if (text[0] === "/" && text[1] !== "/") {
    const [cmd, ...rest] = text.slice(1).split(" ");
    const arg = rest.join(" ");
    switch (cmd.toLowerCase()) {
      case "join": case "j": for (const c of arg.split(/[ ,]+/)) if (c) join(c); return;
      case "part": case "leave": send("PART", rest[0] && isChannel(rest[0]) ? rest[0] : b.name, rest[0] && isChannel(rest[0]) ? rest.slice(1).join(" ") : arg); return;
      case "msg": case "query": { const to = rest[0]; const t = rest.slice(1).join(" "); const q = buffer(to); show(q.key); if (t) say(q, t); return; }
      case "me": say(b, "\x01ACTION " + arg + "\x01"); return;
      case "nick": send("NICK", arg); return;
      case "topic": send("TOPIC", b.name, arg); return;
      case "list": send("LIST"); return;
      case "quit": state.closing = true; send("QUIT", arg || "Leaving"); return;
      case "close": if (b.key !== "*") { if (isChannel(b.name) && b.joined) send("PART", b.name); else dropBuffer(b); } return;
      case "quote": case "raw": state.ws && state.ws.send(arg); return;
      default: addLine(b, { text: "Unknown command /" + cmd + ": try /join, /part, /msg, /me, /nick, /topic, /list, /close, /quit", kind: "event" }); return;
    }
  }
  if (text.startsWith("//")) text = text.slice(1);
  if (b.key === "*") { addLine(b, { text: "This is the server window: /join a channel or /msg someone", kind: "event" }); return; }
  say(b, text);
}

function say(b, text) {
  for (const line of text.split("\n")) {
    if (!line) continue;
    send("PRIVMSG", b.name, line);
    if (!state.caps.has("echo-message")) {
      const action = /^\x01ACTION (.*)\x01$/.exec(line);
      addLine(b, { nick: state.nick, text: action ? action[1] : line, kind: action ? "action" : "msg", own: true });
    }
  }
}

// --- page ------------------------------------------------------------------

function channelsFromHash() {
  const h = decodeURIComponent(location.hash.slice(1));
  return h ? h.split(",").filter(Boolean).map((c) => (c[0] === "#" ? c : "#" + c)) : [];
}

function start() {
  const fromHash = channelsFromHash();
  $("channels").value = (fromHash.length ? fromHash : ["#lobby"]).join(" ");
  $("nick").value = localStorage.getItem("nick") || "";
  $("login").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const nick = $("nick").value.trim().replace(/[\s,*?!@:]/g, "");
    if (!nick || /^[#&$:\d-]/.test(nick)) { $("login-error").textContent = "Pick a nickname that starts with a letter."; return; }
    localStorage.setItem("nick", nick);
    state.wantNick = nick;
    state.account = $("account").value.trim();
    state.password = $("password").value;
    state.autojoin = $("channels").value.split(/[\s,]+/).filter(Boolean).map((c) => (c[0] === "#" ? c : "#" + c));
    $("login").hidden = true;
    $("app").hidden = false;
    show(serverBuffer().key);
    connect();
    $("input").focus();
  });
  $("input-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    submit($("input").value);
    $("input").value = "";
  });
  $("list-button").addEventListener("click", () => send("LIST"));
  $("menu").addEventListener("click", () => $("sidebar").classList.toggle("open"));
  window.addEventListener("hashchange", () => { if (state.ws) for (const c of channelsFromHash()) join(c); });
  document.addEventListener("keydown", (ev) => {
    if (!ev.altKey || $("app").hidden) return;
    const i = state.order.indexOf(state.current);
    let next = -1;
    if (ev.key === "ArrowUp") next = (i - 1 + state.order.length) % state.order.length;
    else if (ev.key === "ArrowDown") next = (i + 1) % state.order.length;
    else if (/^[1-9]$/.test(ev.key)) next = Number(ev.key) - 1;
    if (next >= 0 && next < state.order.length) { ev.preventDefault(); show(state.order[next]); $("input").focus(); }
  });
}

start();
