// Load generator and receiver for bench/emulate.sh: places N calls on `blandhook emulate`
// (CONCURRENCY at a time), receives their post-call webhooks on a local node:http server, checks
// every X-Webhook-Signature, and reports how fast calls were accepted and completed with their
// webhook delivered and verified. Usage: node emulate.mjs EMULATOR_URL SECRET N CONCURRENCY
import http from "node:http";
import crypto from "node:crypto";

const [emulator, secret, total = "1000", concurrency = "8"] = process.argv.slice(2);
const N = Number(total);
const C = Number(concurrency);

const delivered = new Set();
let badSignatures = 0;
let duplicates = 0;
let resolveDone;
const done = new Promise((resolve) => (resolveDone = resolve));
let lastDelivery = 0;

const receiver = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    const expected = crypto.createHmac("sha256", secret).update(body).digest("hex");
    if (req.headers["x-webhook-signature"] !== expected) badSignatures++;
    const id = JSON.parse(body.toString("utf8")).call_id;
    if (delivered.has(id)) duplicates++;
    delivered.add(id);
    res.writeHead(200, { "content-type": "application/json" }).end("{}");
    if (delivered.size === N) {
      lastDelivery = performance.now();
      resolveDone();
    }
  });
});
receiver.keepAliveTimeout = 30_000;
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const hook = `http://127.0.0.1:${receiver.address().port}/hook`;

// node:http with a keep-alive agent: on this machine it is several times faster than fetch().
const api = new URL(emulator);
const agent = new http.Agent({ keepAlive: true, maxSockets: C });
function placeCall() {
  const body = JSON.stringify({
    phone_number: "+15555550100",
    task: "Benchmark call",
    webhook: hook,
  });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: api.hostname,
        port: api.port,
        path: "/v1/calls",
        method: "POST",
        agent,
        headers: {
          authorization: "bench-key",
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => resolve(JSON.parse(Buffer.concat(chunks).toString("utf8"))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const placed = new Set();
let refused = 0;
let next = 0;
const start = performance.now();
async function worker() {
  while (next < N) {
    next++;
    const answer = await placeCall();
    if (answer.status === "success") placed.add(answer.call_id);
    else refused++;
  }
}
await Promise.all(Array.from({ length: C }, worker));
const accepted = performance.now();

const timeout = setTimeout(() => resolveDone(), 120_000);
await done;
clearTimeout(timeout);
const end = lastDelivery || performance.now();

const acceptSeconds = (accepted - start) / 1000;
const totalSeconds = (end - start) / 1000;
const result = {
  calls: N,
  concurrency: C,
  accepted: placed.size,
  refused,
  delivered_and_verified: [...delivered].filter((id) => placed.has(id)).length,
  bad_signatures: badSignatures,
  duplicate_deliveries: duplicates,
  accept_seconds: Number(acceptSeconds.toFixed(3)),
  accepted_per_second: Math.round(placed.size / acceptSeconds),
  total_seconds: Number(totalSeconds.toFixed(3)),
  completed_per_second: Math.round(delivered.size / totalSeconds),
};
console.log(JSON.stringify(result, null, 2));
receiver.close();
agent.destroy();
process.exit(result.delivered_and_verified === N && badSignatures === 0 ? 0 : 1);
