// The "small Node receiver" of bench/listen.sh: parses each body as JSON and appends it as one
// line to a file, answering 200 once the append is queued (what a typical Express-free handler
// does). Usage: node listen_node_receiver.js PORT FILE
'use strict';
const http = require('http');
const fs = require('fs');

const port = Number(process.argv[2] || 0);
const out = fs.createWriteStream(process.argv[3] || '/dev/null', { flags: 'a' });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let parsed = null;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      parsed = { invalid: true };
    }
    out.write(JSON.stringify(parsed) + '\n');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 5000;
server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
