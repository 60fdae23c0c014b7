// canonical_node: blandhook's canonical_json must print exactly what
//   JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8')))
// prints in node, byte for byte, for every file of the corpus (every fixture, the awkward cases
// in tests/canonical/corpus, and generated numbers). A body node rejects must be rejected too.
// Usage: node compare.js PRINTER DIR_OR_FILE...
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const [printer, ...inputs] = process.argv.slice(2);
if (!printer || inputs.length === 0) {
  console.error('usage: node compare.js PRINTER DIR_OR_FILE...');
  process.exit(2);
}

const files = [];
for (const input of inputs) {
  if (fs.statSync(input).isDirectory()) {
    for (const name of fs.readdirSync(input).sort()) {
      if (name.endsWith('.json')) files.push(path.join(input, name));
    }
  } else {
    files.push(input);
  }
}

// Generated cases: random doubles printed the JavaScript way, and long decimal strings whose
// rounding to the nearest double must agree.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'canonical-'));
const view = new DataView(new ArrayBuffer(8));
let seed = 20260527;
const random32 = () => {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed;
};
const doubles = [];
while (doubles.length < 5000) {
  view.setUint32(0, random32());
  view.setUint32(4, random32());
  const value = view.getFloat64(0);
  if (Number.isFinite(value)) doubles.push(String(value));
}
for (let i = 0; i < 2000; i++) {
  let digits = String(random32()) + String(random32()) + String(random32());
  const exponent = (random32() % 700) - 350;
  doubles.push(`${i % 2 ? '-' : ''}${digits[0]}.${digits.slice(1)}e${exponent}`);
  doubles.push(`0.${digits}`);
  doubles.push(digits);
}
for (let e = -330; e <= 310; e++) doubles.push(`1e${e}`, `5e${e}`, `123456789e${e}`);
fs.writeFileSync(path.join(scratch, 'generated-numbers.json'), `[${doubles.join(',')}]`);
files.push(path.join(scratch, 'generated-numbers.json'));

let failures = 0;
for (const file of files) {
  let expected = null;
  try {
    expected = Buffer.from(JSON.stringify(JSON.parse(fs.readFileSync(file, 'utf8'))), 'utf8');
  } catch (error) {
    expected = null; // node rejects it: so must we
  }
  const run = spawnSync(printer, [file], { maxBuffer: 64 * 1024 * 1024 });
  const name = path.basename(file);
  if (run.error) {
    console.error(`cannot run ${printer}: ${run.error.message}`);
    process.exit(2);
  }
  if (expected === null) {
    if (run.status !== 1) {
      failures++;
      console.log(`FAIL ${name}: node rejects it, blandhook printed ${run.stdout.length} bytes`);
    } else {
      console.log(`ok   ${name} (rejected by both)`);
    }
    continue;
  }
  if (run.status !== 0) {
    failures++;
    console.log(`FAIL ${name}: blandhook rejected it: ${run.stderr.toString().trim()}`);
    continue;
  }
  if (Buffer.compare(expected, run.stdout) !== 0) {
    failures++;
    let at = 0;
    while (at < expected.length && expected[at] === run.stdout[at]) at++;
    const around = (buffer) => JSON.stringify(buffer.subarray(Math.max(0, at - 40), at + 40).toString('latin1'));
    console.log(`FAIL ${name}: first difference at byte ${at}\n  node:      ${around(expected)}\n  blandhook: ${around(run.stdout)}`);
    continue;
  }
  console.log(`ok   ${name} (${expected.length} bytes)`);
}
fs.rmSync(scratch, { recursive: true, force: true });
console.log(`${files.length - failures}/${files.length} files identical`);
process.exit(failures === 0 ? 0 : 1);
