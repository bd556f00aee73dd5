/// The web console's files (README "Web console"), compiled into the binary as string constants
/// so that a release build, a debug build and an installed copy of the binary all serve them with
/// no resource bundle beside it, and nothing is fetched from a CDN.
enum ConsoleAssets {
    /// One file: its bytes as text and its content type.
    struct File: Sendable {
        let contentType: String
        let text: String
    }

    /// The files by path under `/console`.
    static let files: [String: File] = [
        "/index.html": File(contentType: "text/html; charset=utf-8", text: indexHTML),
        "/style.css": File(contentType: "text/css; charset=utf-8", text: styleCSS),
        "/sigv4.js": File(contentType: "text/javascript; charset=utf-8", text: sigV4Script),
        "/app.js": File(contentType: "text/javascript; charset=utf-8", text: appScript),
    ]

    /// `index.html`.
    static let indexHTML = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>paycrypt console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/console/style.css">
<script src="/console/sigv4.js" defer></script>
<script src="/console/app.js" defer></script>
</head>
<body>
<header>
  <h1>paycrypt console</h1>
  <nav id="nav" hidden>
    <a href="#keys">Keys</a>
    <a href="#run">Run an operation</a>
    <a href="#requests">Requests</a>
    <span id="who"></span>
    <button id="signout" type="button">Sign out</button>
  </nav>
</header>
<main>
  <section id="signin-view">
    <h2>Sign in</h2>
    <p>Every call this page makes is an AWS API call signed with SigV4 in your browser, so it can do
      only what the API allows these credentials. The secret stays in this tab (session storage) and is never sent.</p>
    <form id="signin">
      <label>Access key id <input id="access-key" name="access-key" autocomplete="username" required value="test"></label>
      <label>Secret access key <input id="secret-key" name="secret-key" type="password" autocomplete="current-password" required></label>
      <label>Region <input id="region" name="region" required value="us-east-1"></label>
      <button type="submit">Sign in</button>
    </form>
    <p id="signin-error" class="error" role="alert"></p>
  </section>

  <section id="keys-view" hidden>
    <h2>Keys <button id="refresh-keys" type="button">Refresh</button></h2>
    <p id="keys-status" class="status"></p>
    <div class="scroll"><table id="keys-table">
      <thead><tr><th>Key</th><th>Usage</th><th>Algorithm</th><th>KCV</th><th>State</th><th>Exportable</th><th>Aliases</th><th>Tags</th></tr></thead>
      <tbody></tbody>
    </table></div>
  </section>

  <section id="key-view" hidden>
    <h2>Key <span id="key-title"></span></h2>
    <div class="scroll"><table id="key-attributes" class="attributes"><tbody></tbody></table></div>
    <h3>Audit trail</h3>
    <p id="audit-status" class="status"></p>
    <div class="scroll"><table id="audit-table">
      <thead><tr><th>#</th><th>Time (UTC)</th><th>Operation</th><th>Caller</th><th>Result</th><th>Request id</th></tr></thead>
      <tbody></tbody>
    </table></div>
  </section>

  <section id="run-view" hidden>
    <h2>Run a data-plane operation</h2>
    <form id="run-form">
      <label>Operation <select id="run-operation"></select></label>
      <label>Key <select id="run-key"></select></label>
      <button id="run-template" type="button">Fill in an example</button>
      <label class="wide">Request body (JSON)<textarea id="run-body" rows="8" spellcheck="false"></textarea></label>
      <button type="submit" id="run-send">Send</button>
    </form>
    <div class="pair">
      <div><h3>Request</h3><pre id="run-request"></pre></div>
      <div><h3>Response <span id="run-status"></span></h3><pre id="run-response"></pre></div>
    </div>
  </section>

  <section id="requests-view" hidden>
    <h2>Requests by operation and outcome <button id="refresh-requests" type="button">Refresh</button></h2>
    <p class="status">The server's own counters (paycrypt_requests_total), for every account, since it started.</p>
    <p id="requests-status" class="status"></p>
    <div id="requests-chart" class="chart"></div>
  </section>
</main>
</body>
</html>
"""#

    /// `style.css`.
    static let styleCSS = #"""
:root { --fg: #1d2430; --muted: #5b6575; --line: #d8dde5; --accent: #0b5cad; --ok: #2e7d32; --bad: #c62828; font-family: system-ui, sans-serif; }
body { margin: 0; color: var(--fg); background: #f6f7f9; }
header { background: #1d2430; color: #fff; padding: .6rem 1rem; display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; }
header h1 { font-size: 1.1rem; margin: 0; }
nav { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem 1rem; }
nav a { color: #cfe3ff; }
nav #who { color: #aab4c3; font-size: .85rem; }
main { padding: 1rem; max-width: 72rem; margin: 0 auto; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .5rem 1rem 1rem; margin-bottom: 1rem; }
h2 { font-size: 1.15rem; } h3 { font-size: 1rem; margin-bottom: .3rem; }
form { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: flex-end; }
label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); gap: .2rem; }
label.wide { flex-basis: 100%; }
input, select, textarea, button { font: inherit; padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 4px; }
textarea, pre { font-family: ui-monospace, monospace; font-size: .85rem; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
header button { background: transparent; border-color: #aab4c3; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .85rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
td.mono, .mono { font-family: ui-monospace, monospace; }
#keys-table td, #audit-table td { white-space: nowrap; }
table.attributes td { word-break: break-all; }
table.attributes th { width: 12rem; color: var(--muted); font-weight: normal; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.pair pre { background: #f2f4f7; border: 1px solid var(--line); border-radius: 4px; padding: .5rem; min-height: 6rem; white-space: pre-wrap; word-break: break-all; }
.error { color: var(--bad); }
.status { color: var(--muted); font-size: .85rem; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.chart .row span:first-child { overflow-wrap: anywhere; }
.chart .row { display: grid; grid-template-columns: 16rem 1fr 4rem; gap: .5rem; align-items: center; font-size: .85rem; margin: .15rem 0; }
.chart .bar { height: .9rem; border-radius: 2px; background: var(--ok); min-width: 2px; }
.chart .bar.bad { background: var(--bad); }
@media (max-width: 40rem) {
  .pair { grid-template-columns: 1fr; }
  .chart .row { grid-template-columns: 9rem 1fr 3rem; }
  main { padding: .5rem; }
}
"""#

    /// `sigv4.js`.
    static let sigV4Script = #"""
// AWS Signature Version 4 in the browser, with WebCrypto's SubtleCrypto (HMAC-SHA256, SHA-256).
// The steps of the AWS General Reference, "Create a signed AWS API request": canonical request,
// string to sign, signing key derived from the secret, signature. The secret never leaves this tab.
"use strict";

const SigV4 = (() => {
  const utf8 = new TextEncoder();

  function hex(buffer) {
    return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function sha256Hex(text) {
    return hex(await crypto.subtle.digest("SHA-256", utf8.encode(text)));
  }

  async function hmac(key, text) {
    const k = await crypto.subtle.importKey("raw", typeof key === "string" ? utf8.encode(key) : key,
      { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return crypto.subtle.sign("HMAC", k, utf8.encode(text));
  }

  // RFC 3986 unreserved characters stay; everything else is %XX with upper-case hex.
  function uriEncode(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
  }

  // `20261203T093000Z` from a Date.
  function amzDate(date) {
    return date.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
  }

  /**
   * Signs a request and returns the headers to send (without Host, which the browser sets).
   * path: the path as sent (each segment already percent-encoded); query: the raw query or "".
   * headers: lower- or mixed-case names; `host` must be among them, since it is signed.
   */
  async function sign({ method, path, query = "", headers, body, region, service, accessKeyId, secretAccessKey, now = new Date() }) {
    const stamp = amzDate(now);
    const day = stamp.slice(0, 8);
    const payloadHash = await sha256Hex(body);
    const all = {};
    for (const [name, value] of Object.entries(headers)) all[name.toLowerCase()] = String(value);
    all["x-amz-date"] = stamp;
    all["x-amz-content-sha256"] = payloadHash;
    const names = Object.keys(all).sort();
    const canonicalHeaders = names.map((n) => n + ":" + all[n].trim().replace(/\s+/g, " ") + "\n").join("");
    const signedHeaders = names.join(";");
    // Services other than S3 encode each path segment once more.
    const canonicalUri = path.split("/").map(uriEncode).join("/") || "/";
    const canonicalQuery = query === "" ? "" : query.split("&").map((pair) => {
      const i = pair.indexOf("=");
      const k = decodeURIComponent(i < 0 ? pair : pair.slice(0, i));
      const v = i < 0 ? "" : decodeURIComponent(pair.slice(i + 1));
      return [uriEncode(k), uriEncode(v)];
    }).sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : (a[0] < b[0] ? -1 : 1))).map((p) => p[0] + "=" + p[1]).join("&");
    const canonicalRequest = [method, canonicalUri, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join("\n");
    const scope = `${day}/${region}/${service}/aws4_request`;
    const stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, await sha256Hex(canonicalRequest)].join("\n");
    let key = await hmac("AWS4" + secretAccessKey, day);
    key = await hmac(key, region);
    key = await hmac(key, service);
    key = await hmac(key, "aws4_request");
    const signature = hex(await hmac(key, stringToSign));
    const out = {};
    for (const n of names) if (n !== "host") out[n] = all[n];
    out["authorization"] = `AWS4-HMAC-SHA256 Credential=${accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
    return out;
  }

  return { sign, uriEncode, amzDate };
})();

if (typeof module !== "undefined") module.exports = SigV4;
"""#

    /// `app.js`.
    static let appScript = #"""
// The paycrypt console: every call is an AWS API call (or a paycrypt endpoint) signed with SigV4
// in this tab (sigv4.js). The credentials live in sessionStorage: this tab only, gone when it closes.
"use strict";

const SERVICE = "payment-cryptography";
const CONTROL = "application/x-amz-json-1.0";
const $ = (id) => document.getElementById(id);

// Data-plane operations: path (labels in braces come out of the body) and the member that names the key.
const OPERATIONS = {
  GenerateMac: { path: "/mac/generate", key: "KeyIdentifier" },
  VerifyMac: { path: "/mac/verify", key: "KeyIdentifier" },
  GenerateCardValidationData: { path: "/cardvalidationdata/generate", key: "KeyIdentifier" },
  VerifyCardValidationData: { path: "/cardvalidationdata/verify", key: "KeyIdentifier" },
  GeneratePinData: { path: "/pindata/generate", key: "GenerationKeyIdentifier" },
  VerifyPinData: { path: "/pindata/verify", key: "VerificationKeyIdentifier" },
  TranslatePinData: { path: "/pindata/translate", key: "IncomingKeyIdentifier" },
  EncryptData: { path: "/keys/{KeyIdentifier}/encrypt", key: "KeyIdentifier" },
  DecryptData: { path: "/keys/{KeyIdentifier}/decrypt", key: "KeyIdentifier" },
  ReEncryptData: { path: "/keys/{IncomingKeyIdentifier}/reencrypt", key: "IncomingKeyIdentifier" },
  GenerateAuthRequestCryptogram: { path: "/cryptogram/generate", key: "KeyIdentifier" },
  VerifyAuthRequestCryptogram: { path: "/cryptogram/verify", key: "KeyIdentifier" },
  GenerateMacEmvPinChange: { path: "/macemvpinchange/generate", key: "SecureMessagingIntegrityKeyIdentifier" },
};

// The MAC algorithm a key's usage implies, for the example request.
const MAC_ALGORITHM = {
  TR31_M0_ISO_16609_MAC_KEY: "AS2805_4_1", TR31_M1_ISO_9797_1_MAC_KEY: "ISO9797_ALGORITHM1",
  TR31_M3_ISO_9797_3_MAC_KEY: "ISO9797_ALGORITHM3", TR31_M6_ISO_9797_5_CMAC_KEY: "CMAC", TR31_M7_HMAC_KEY: "HMAC",
};

let keys = [];        // KeySummary objects of the last listing, with Aliases and Tags added
let lastMac = null;   // the Mac of the last GenerateMac, for the VerifyMac example
let renders = 0;      // a view drawn after an await is dropped when another view was asked for meanwhile

function credentials() {
  const raw = sessionStorage.getItem("paycrypt.credentials");
  return raw ? JSON.parse(raw) : null;
}

class ApiError extends Error {
  constructor(status, type, message, body) { super(`${type}: ${message}`); this.status = status; this.type = type; this.body = body; }
}

// One signed call. Returns {status, body (parsed JSON or text), request} and never throws for an
// HTTP error: the caller decides (see call()).
async function send(method, path, headers, body) {
  const c = credentials();
  if (!c) throw new Error("not signed in");
  const signed = await SigV4.sign({ method, path, headers: Object.assign({ host: location.host }, headers), body,
    region: c.region, service: SERVICE, accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey });
  const response = await fetch(path, { method, headers: signed, body: method === "GET" ? undefined : body, cache: "no-store", credentials: "omit" });
  const text = await response.text();
  let parsed = text;
  try { parsed = text ? JSON.parse(text) : {}; } catch (e) { /* not JSON: keep the text */ }
  return { status: response.status, body: parsed, errorType: response.headers.get("x-amzn-errortype") };
}

async function call(method, path, headers, body) {
  const r = await send(method, path, headers, body);
  if (r.status >= 200 && r.status < 300) return r.body;
  const b = typeof r.body === "object" ? r.body : {};
  const type = r.errorType || b.__type || `HTTP ${r.status}`;
  throw new ApiError(r.status, type.split(":")[0], b.message || b.Message || String(r.body), r.body);
}

// A control-plane operation (awsJson1_0).
function control(operation, input = {}) {
  return call("POST", "/", { "content-type": CONTROL, "x-amz-target": `PaymentCryptographyControlPlane.${operation}` }, JSON.stringify(input));
}

async function listAll(operation, member, input = {}) {
  const out = [];
  let token;
  do {
    const page = await control(operation, Object.assign({}, input, token ? { NextToken: token } : {}));
    out.push(...(page[member] || []));
    token = page.NextToken;
  } while (token);
  return out;
}

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text === undefined || text === null ? "" : String(text);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function show(view) {
  for (const id of ["signin-view", "keys-view", "key-view", "run-view", "requests-view"]) $(id).hidden = id !== view;
  $("nav").hidden = !credentials();
}

// ---- sign-in -------------------------------------------------------------------------------

async function signIn(event) {
  event.preventDefault();
  $("signin-error").textContent = "";
  const c = { accessKeyId: $("access-key").value.trim(), secretAccessKey: $("secret-key").value, region: $("region").value.trim() };
  sessionStorage.setItem("paycrypt.credentials", JSON.stringify(c));
  try {
    await control("ListKeys", { MaxResults: 1 });
  } catch (e) {
    sessionStorage.removeItem("paycrypt.credentials");
    $("signin-error").textContent = `Sign-in refused: ${e.message}`;
    return;
  }
  $("secret-key").value = "";
  if (location.hash === "#keys") route(); else location.hash = "#keys";
}

function signOut() {
  sessionStorage.removeItem("paycrypt.credentials");
  keys = [];
  lastMac = null;
  for (const id of ["keys-table", "key-attributes", "audit-table"]) $(id).tBodies[0].textContent = "";
  $("run-body").value = "";
  $("run-request").textContent = $("run-response").textContent = $("run-status").textContent = "";
  $("requests-chart").textContent = "";
  if (location.hash === "") route(); else location.hash = "";
}

// ---- keys ----------------------------------------------------------------------------------

async function loadKeys() {
  $("keys-status").textContent = "Loading…";
  const [summaries, aliases] = await Promise.all([listAll("ListKeys", "Keys"), listAll("ListAliases", "Aliases")]);
  const byKey = {};
  for (const a of aliases) if (a.KeyArn) (byKey[a.KeyArn] = byKey[a.KeyArn] || []).push(a.AliasName);
  keys = await Promise.all(summaries.map(async (k) => {
    let tags = [];
    try { tags = await listAll("ListTagsForResource", "Tags", { ResourceArn: k.KeyArn }); } catch (e) { /* not allowed: leave empty */ }
    return Object.assign({}, k, { Aliases: byKey[k.KeyArn] || [], Tags: tags });
  }));
  return keys;
}

async function showKeys() {
  show("keys-view");
  const seq = ++renders;
  const body = $("keys-table").tBodies[0];
  try {
    await loadKeys();
    if (seq !== renders) return;
  } catch (e) {
    if (seq !== renders) return;
    $("keys-status").textContent = `ListKeys refused: ${e.message}`;
    $("keys-status").className = "status error";
    return;
  }
  body.textContent = "";
  $("keys-status").className = "status";
  $("keys-status").textContent = `${keys.length} key(s) in ${credentials().region}`;
  for (const k of keys) {
    const row = body.insertRow();
    const link = document.createElement("a");
    link.href = "#key/" + encodeURIComponent(k.KeyArn);
    link.textContent = k.KeyArn.split("/").pop();
    link.title = k.KeyArn;
    cell(row, "", "mono").appendChild(link);
    const a = k.KeyAttributes || {};
    cell(row, a.KeyUsage); cell(row, a.KeyAlgorithm); cell(row, k.KeyCheckValue, "mono"); cell(row, k.KeyState);
    cell(row, k.Exportable ? "yes" : "no"); cell(row, k.Aliases.join(", "));
    cell(row, k.Tags.map((t) => `${t.Key}=${t.Value}`).join(", "));
  }
}

function modes(m) {
  return Object.entries(m || {}).filter(([, on]) => on).map(([name]) => name).join(", ");
}

function date(seconds) {
  if (seconds === undefined || seconds === null) return "";
  const d = typeof seconds === "number" ? new Date(seconds * 1000) : new Date(seconds);
  return isNaN(d) ? String(seconds) : d.toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "");
}

async function showKey(arn) {
  show("key-view");
  const seq = ++renders;
  $("key-title").textContent = arn;
  const attributes = $("key-attributes").tBodies[0];
  const audit = $("audit-table").tBodies[0];
  attributes.textContent = "";
  audit.textContent = "";
  $("audit-status").textContent = "Loading…";
  try {
    const key = (await control("GetKey", { KeyIdentifier: arn })).Key;
    const aliases = (await listAll("ListAliases", "Aliases")).filter((a) => a.KeyArn === arn).map((a) => a.AliasName);
    let tags = [];
    try { tags = await listAll("ListTagsForResource", "Tags", { ResourceArn: arn }); } catch (e) { /* not allowed */ }
    if (seq !== renders) return;
    const a = key.KeyAttributes || {};
    const rows = [["KeyArn", key.KeyArn], ["KeyUsage", a.KeyUsage], ["KeyClass", a.KeyClass], ["KeyAlgorithm", a.KeyAlgorithm],
      ["KeyModesOfUse", modes(a.KeyModesOfUse)], ["KeyCheckValue", `${key.KeyCheckValue} (${key.KeyCheckValueAlgorithm})`],
      ["KeyState", key.KeyState], ["Enabled", key.Enabled], ["Exportable", key.Exportable], ["KeyOrigin", key.KeyOrigin],
      ["Aliases", aliases.join(", ")], ["Tags", tags.map((t) => `${t.Key}=${t.Value}`).join(", ")],
      ["CreateTimestamp", date(key.CreateTimestamp)], ["UsageStartTimestamp", date(key.UsageStartTimestamp)],
      ["UsageStopTimestamp", date(key.UsageStopTimestamp)], ["DeletePendingTimestamp", date(key.DeletePendingTimestamp)]];
    for (const [name, value] of rows) {
      if (value === undefined || value === "") continue;
      const row = attributes.insertRow();
      const th = document.createElement("th");
      th.textContent = name;
      row.appendChild(th);
      cell(row, value, "mono");
    }
  } catch (e) {
    $("audit-status").textContent = `GetKey refused: ${e.message}`;
    return;
  }
  try {
    const trail = await call("POST", "/paycrypt/key-audit-trail", { "content-type": "application/json" }, JSON.stringify({ KeyIdentifier: arn }));
    if (seq !== renders) return;
    $("audit-status").textContent = `${trail.AuditEvents.length} event(s)`;
    for (const e of trail.AuditEvents) {
      const row = audit.insertRow();
      cell(row, e.Sequence); cell(row, date(e.Time)); cell(row, e.Operation); cell(row, e.Principal);
      cell(row, e.Result, e.Result === "success" ? "ok" : "bad"); cell(row, e.RequestId, "mono");
    }
  } catch (e) {
    $("audit-status").textContent = `Audit trail refused: ${e.message}`;
  }
}

// ---- run an operation ----------------------------------------------------------------------

async function showRun() {
  show("run-view");
  ++renders;
  if (keys.length === 0) { try { await loadKeys(); } catch (e) { /* the key list stays empty */ } }
  const select = $("run-key");
  const chosen = select.value;
  select.textContent = "";
  for (const k of keys) {
    const o = document.createElement("option");
    o.value = k.KeyArn;
    o.textContent = `${k.Aliases[0] || k.KeyArn.split("/").pop()} (${(k.KeyAttributes || {}).KeyUsage})`;
    select.appendChild(o);
  }
  if (chosen) select.value = chosen;
  if (!$("run-body").value) template();
}

function template() {
  const operation = $("run-operation").value;
  const arn = $("run-key").value;
  const key = keys.find((k) => k.KeyArn === arn);
  const usage = key ? (key.KeyAttributes || {}).KeyUsage : undefined;
  const body = { [OPERATIONS[operation].key]: arn || "alias/my-key" };
  if (operation === "GenerateMac" || operation === "VerifyMac") {
    body.MessageData = "4E6F77206973207468652074696D6520666F7220616C6C20";
    const attributes = { Algorithm: MAC_ALGORITHM[usage] || "CMAC" };
    if (operation === "GenerateMac") body.GenerationAttributes = attributes;
    else { body.VerificationAttributes = attributes; body.Mac = lastMac || "00000000"; }
  }
  $("run-body").value = JSON.stringify(body, null, 2);
}

async function runOperation(event) {
  event.preventDefault();
  const operation = $("run-operation").value;
  const spec = OPERATIONS[operation];
  let input;
  try {
    input = JSON.parse($("run-body").value || "{}");
  } catch (e) {
    $("run-status").textContent = "the request body is not valid JSON";
    $("run-status").className = "bad";
    return;
  }
  // restJson1: labels of the path come out of the body, percent-encoded.
  const body = Object.assign({}, input);
  const path = spec.path.replace(/\{(\w+)\}/g, (_, name) => { const v = body[name] || ""; delete body[name]; return SigV4.uriEncode(v); });
  const text = JSON.stringify(body);
  $("run-request").textContent = `POST ${path}\n\n${JSON.stringify(body, null, 2)}`;
  $("run-response").textContent = "…";
  const r = await send("POST", path, { "content-type": "application/json" }, text);
  const ok = r.status >= 200 && r.status < 300;
  $("run-status").textContent = ok ? `${r.status} OK` : `${r.status} ${r.errorType ? r.errorType.split(":")[0] : ""}`;
  $("run-status").className = ok ? "ok" : "bad";
  $("run-response").textContent = typeof r.body === "string" ? r.body : JSON.stringify(r.body, null, 2);
  if (ok && operation === "GenerateMac" && r.body.Mac) lastMac = r.body.Mac;
}

// ---- request counts ------------------------------------------------------------------------

async function showRequests() {
  show("requests-view");
  const seq = ++renders;
  const chart = $("requests-chart");
  let counts;
  try {
    counts = (await call("GET", "/paycrypt/request-counts", {}, "")).RequestCounts;
    if (seq !== renders) return;
  } catch (e) {
    $("requests-status").textContent = `Request counts refused: ${e.message}`;
    return;
  }
  chart.textContent = "";
  $("requests-status").textContent = counts.length ? "" : "No requests counted yet.";
  const max = Math.max(1, ...counts.map((c) => c.Count));
  for (const c of counts) {
    const row = document.createElement("div");
    row.className = "row";
    const label = document.createElement("span");
    label.textContent = `${c.Operation} · ${c.Outcome}`;
    const bar = document.createElement("div");
    bar.className = c.Outcome === "success" ? "bar" : "bar bad";
    bar.style.width = `${(100 * c.Count) / max}%`;
    const n = document.createElement("span");
    n.textContent = String(c.Count);
    row.append(label, bar, n);
    chart.appendChild(row);
  }
}

// ---- routing -------------------------------------------------------------------------------

function route() {
  const c = credentials();
  if (!c) { show("signin-view"); return; }
  $("who").textContent = `${c.accessKeyId} · ${c.region}`;
  const hash = location.hash.slice(1);
  if (hash.startsWith("key/")) showKey(decodeURIComponent(hash.slice(4)));
  else if (hash === "run") showRun();
  else if (hash === "requests") showRequests();
  else showKeys();
}

document.addEventListener("DOMContentLoaded", () => {
  for (const name of Object.keys(OPERATIONS)) {
    const o = document.createElement("option");
    o.value = o.textContent = name;
    $("run-operation").appendChild(o);
  }
  $("signin").addEventListener("submit", signIn);
  $("signout").addEventListener("click", signOut);
  $("refresh-keys").addEventListener("click", showKeys);
  $("refresh-requests").addEventListener("click", showRequests);
  $("run-form").addEventListener("submit", runOperation);
  $("run-template").addEventListener("click", template);
  $("run-operation").addEventListener("change", template);
  $("run-key").addEventListener("change", template);
  window.addEventListener("hashchange", route);
  route();
});
"""#
}
