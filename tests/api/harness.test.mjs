// harness.test.mjs — the test client's own behaviour on a connection the server closes unanswered
// (lib/harness.mjs Client.request): a request that changes nothing is sent once more, on a new
// connection; a write is never repeated. No salesloop server: a TCP server that drops the first
// request it reads and answers every later one.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Client } from './lib/harness.mjs';

const seen = []; // the request lines the server read, in order
const socks = new Set();
const server = net.createServer((sock) => {
  socks.add(sock);
  sock.on('data', (buf) => {
    seen.push(buf.toString('latin1').split('\r\n')[0]);
    if (seen.length === 1) return sock.destroy(); // closed with nothing answered
    sock.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}');
  });
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const base = `http://127.0.0.1:${server.address().port}`;
after(() => {
  for (const s of socks) s.destroy(); // the client's kept-alive connection
  server.close();
});

test('H01 a GET whose connection closes unanswered is sent once more and answered', async () => {
  seen.length = 0;
  const r = await new Client(base).get('/api/v1/customers?q=x');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { ok: true });
  assert.deepEqual(seen, ['GET /api/v1/customers?q=x HTTP/1.1', 'GET /api/v1/customers?q=x HTTP/1.1']);
});

test('H02 a POST whose connection closes unanswered fails, sent once', async () => {
  seen.length = 0;
  await assert.rejects(new Client(base).post('/api/v1/customers', { name: 'x' }), /POST \/api\/v1\/customers failed: fetch failed \/ other side closed/);
  assert.deepEqual(seen, ['POST /api/v1/customers HTTP/1.1']);
});
