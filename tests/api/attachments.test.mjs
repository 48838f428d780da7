// attachments.test.mjs — issue 9 mechanism 5: attachments on any record (R-INT-3).
// Content-addressed files under the server's data folder, types sniffed from the bytes, limits
// from settings, visibility through the record ("a share gives sight, never command"),
// thumbnails for images, the audit trail, and backup/restore carrying the files.
//
// Org tree:  总公司(1) ─┬─ 华东 (repA owns the records, repB gets shares, mgrE manages)
//                       └─ 华南 (repS sees nothing of 华东)
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { useServer, test, assert, expectError, expectStatus, BIN, CLI_TIMEOUT_MS } from './lib/harness.mjs';

let east, south, repA, repB, repS, mgrE, cust, other;
const srv = useServer(async () => {
  east = await srv.createUnit('华东', 1, 'AT-E');
  south = await srv.createUnit('华南', 1, 'AT-S');
  repA = await srv.userClient('at.repA', ['sales_rep'], east.id, { display_name: '张伟' });
  repB = await srv.userClient('at.repB', ['sales_rep'], east.id, { display_name: '刘洋' });
  repS = await srv.userClient('at.repS', ['sales_rep'], south.id, { display_name: '徐静' });
  mgrE = await srv.userClient('at.mgrE', ['sales_manager'], east.id, { display_name: '李强' });
  cust = expectStatus(await repA.post(C, { name: 'AT 附件测试机械有限公司' }), 201, 'customer');
  other = expectStatus(await repA.post(C, { name: 'AT 另一家客户有限公司' }), 201, 'second customer');
});
const C = '/api/v1/customers';
const A = '/api/v1/attachments';

// ------------------------------------------------------------------ test files

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A valid RGB PNG of w x h with a gradient (idat: override the pixel data, e.g. a truncated one). */
function makePng(w, h, idat) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  let data = idat;
  if (!data) {
    const raw = Buffer.alloc((w * 3 + 1) * h);
    for (let y = 0; y < h; y++) {
      raw[y * (w * 3 + 1)] = 0;
      for (let x = 0; x < w; x++) {
        const p = y * (w * 3 + 1) + 1 + x * 3;
        raw[p] = x & 255; raw[p + 1] = y & 255; raw[p + 2] = 128;
      }
    }
    data = deflateSync(raw);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', data), chunk('IEND', Buffer.alloc(0))]);
}
/** Width and height from a PNG's IHDR. */
function pngSize(buf) {
  assert.equal(buf.subarray(1, 4).toString('latin1'), 'PNG', 'a PNG');
  return { w: buf.readUInt32BE(16), h: buf.readUInt32BE(20) };
}
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n');
const sha = (b) => createHash('sha256').update(b).digest('hex');

/** Minimal stored ZIP (no compression) of [name, text] entries, in the order given. */
function makeZip(entries) {
  const locals = [], centrals = [];
  let off = 0;
  for (const [name, text] of entries) {
    const n = Buffer.from(name), d = Buffer.from(text), crc = crc32(d);
    const l = Buffer.alloc(30);
    l.writeUInt32LE(0x04034b50, 0); l.writeUInt16LE(20, 4); l.writeUInt32LE(crc, 14);
    l.writeUInt32LE(d.length, 18); l.writeUInt32LE(d.length, 22); l.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0); c.writeUInt16LE(20, 4); c.writeUInt16LE(20, 6); c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(d.length, 20); c.writeUInt32LE(d.length, 24); c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(off, 42);
    locals.push(l, n, d);
    centrals.push(c, n);
    off += 30 + n.length + d.length;
  }
  const cd = Buffer.concat(centrals);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0); e.writeUInt16LE(entries.length, 8); e.writeUInt16LE(entries.length, 10);
  e.writeUInt32LE(cd.length, 12); e.writeUInt32LE(off, 16);
  return Buffer.concat([...locals, cd, e]);
}
const DOCX = makeZip([
  ['[Content_Types].xml', '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'],
  ['_rels/.rels', '<?xml version="1.0"?><Relationships/>'],
  ['word/document.xml', '<?xml version="1.0"?><w:document/>'],
]);

// ------------------------------------------------------------------ helpers

/** POST the bytes as a file of the record. */
function upload(c, id, name, bytes, entity = 'customers') {
  const q = name === undefined ? '' : `?name=${encodeURIComponent(name)}`;
  return c.post(`/api/v1/${entity}/${id}/attachments${q}`, bytes, { headers: { 'Content-Type': 'application/octet-stream' } });
}
async function list(c, id, entity = 'customers') {
  return expectStatus(await c.get(`/api/v1/${entity}/${id}/attachments`), 200, `list as ${c.user.username}`);
}
/** Every content file under the server's data folder (no temp files). */
function contentFiles() {
  const root = join(srv.data, 'files');
  const out = [];
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else out.push(join(d, e.name));
    }
  };
  walk(root);
  return out;
}
function runCli(args) {
  return new Promise((ok, fail) => {
    execFile(BIN, args, { env: srv.env, timeout: CLI_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err) fail(new Error(`${args.join(' ')}: ${err.message}\n${stdout}\n${stderr}`));
      else ok({ stdout, stderr });
    });
  });
}

let png, pngAtt, pdfAtt;

// ------------------------------------------------------------------ cases

test('AT01 the owner attaches a PNG: 201 with the sniffed type, the size and the SHA-256 of the bytes', async () => {
  png = makePng(600, 300);
  pngAtt = expectStatus(await upload(repA, cust.id, '现场照片.png', png), 201, 'upload png');
  assert.deepEqual(
    { file_name: pngAtt.file_name, mime: pngAtt.mime, size: pngAtt.size, sha256: pngAtt.sha256, entity: pngAtt.entity,
      row_id: pngAtt.row_id, created_by: pngAtt.created_by, created_by_name: pngAtt.created_by_name, thumbnail: pngAtt.thumbnail,
      url: pngAtt.url },
    { file_name: '现场照片.png', mime: 'image/png', size: png.length, sha256: sha(png), entity: 'customers', row_id: cust.id,
      created_by: repA.user.id, created_by_name: '张伟', thumbnail: true, url: `${A}/${pngAtt.id}` });
});

test('AT02 a PDF sent as text/plain is stored as application/pdf; the list has both, newest first', async () => {
  pdfAtt = expectStatus(await repA.post(`${C}/${cust.id}/attachments?name=${encodeURIComponent('报价单.pdf')}`, PDF,
    { headers: { 'Content-Type': 'text/plain' } }), 201, 'upload pdf');
  assert.equal(pdfAtt.mime, 'application/pdf');
  const l = await list(repA, cust.id);
  assert.deepEqual(l.items.map((x) => [x.id, x.file_name, x.mime, x.thumbnail]),
    [[pdfAtt.id, '报价单.pdf', 'application/pdf', false], [pngAtt.id, '现场照片.png', 'image/png', true]]);
  assert.equal(l.can_write, true);
});

test('AT03 download: the same bytes, the stored type, nosniff, an attachment disposition', async () => {
  const r = await repA.get(`${A}/${pngAtt.id}`);
  expectStatus(r, 200, 'download');
  assert.ok(r.buf.equals(png), 'bytes equal');
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.headers.get('content-disposition'), /^attachment; /);
});

test('AT04 thumbnail: a PNG of at most 256 px keeping the aspect; a PDF has none (404 attach.no_thumbnail)', async () => {
  const r = await repA.get(`${A}/${pngAtt.id}/thumbnail`);
  expectStatus(r, 200, 'thumbnail');
  assert.equal(r.headers.get('content-type'), 'image/png');
  assert.deepEqual(pngSize(r.buf), { w: 256, h: 128 });
  expectError(await repA.get(`${A}/${pdfAtt.id}/thumbnail`), 404, 'attach.no_thumbnail');
});

test('AT05 the same bytes attached twice (another record too) are stored once under their hash', async () => {
  const before = contentFiles();
  const again = expectStatus(await upload(repA, other.id, '同一张照片.png', png), 201, 'second upload');
  assert.equal(again.sha256, pngAtt.sha256);
  assert.notEqual(again.id, pngAtt.id);
  const after = contentFiles();
  assert.deepEqual(after, before, 'no new file');
  const h = sha(png);
  assert.deepEqual(after.filter((f) => f.endsWith(h)), [join(srv.data, 'files', h.slice(0, 2), h.slice(2, 4), h)]);
  assert.ok(readFileSync(join(srv.data, 'files', h.slice(0, 2), h.slice(2, 4), h)).equals(png));
});

test('AT06 an executable named .pdf is refused (400 attach.type_not_allowed naming the sniffed type), nothing stored', async () => {
  const before = contentFiles();
  const elf = readFileSync('/bin/true');
  const e = expectError(await upload(repA, cust.id, '发票.pdf', elf), 400, 'attach.type_not_allowed');
  assert.match(e.message, /application\/x-(pie-)?(executable|sharedlib)/);
  assert.deepEqual(contentFiles(), before);
  assert.equal((await list(repA, cust.id)).items.length, 2);
});

test('AT07 an empty file is 400 attach.empty; no name is 400 field.required name', async () => {
  expectError(await upload(repA, cust.id, 'empty.txt', Buffer.alloc(0)), 400, 'attach.empty');
  expectError(await upload(repA, cust.id, undefined, PDF), 400, 'field.required', 'name');
  assert.equal((await list(repA, cust.id)).items.length, 2);
});

test('AT08 the size limit comes from the setting attach.max_mib: over it 413 attach.too_large, at it 201', async () => {
  expectStatus(await srv.admin.put('/api/v1/settings/attach.max_mib', { value: 1 }), 200, 'set 1 MiB');
  try {
    const big = Buffer.alloc((1 << 20) + 1, 'a');
    const e = expectError(await upload(repA, cust.id, 'big.txt', big), 413, 'attach.too_large');
    assert.match(e.message, /1 MiB/);
    const ok = expectStatus(await upload(repA, cust.id, 'exact.txt', big.subarray(0, 1 << 20)), 201, 'exactly 1 MiB');
    assert.equal(ok.mime, 'text/plain');
    expectStatus(await repA.del(`${A}/${ok.id}`), 204);
  } finally {
    expectStatus(await srv.admin.put('/api/v1/settings/attach.max_mib', { value: 20 }), 200, 'reset');
  }
});

test('AT09 a rep who cannot see the record gets 404 on list, upload, download, thumbnail and delete', async () => {
  expectError(await repS.get(`${C}/${cust.id}/attachments`), 404, 'record.not_found');
  expectError(await upload(repS, cust.id, 'x.pdf', PDF), 404, 'record.not_found');
  expectError(await repS.get(`${A}/${pngAtt.id}`), 404, 'record.not_found');
  expectError(await repS.get(`${A}/${pngAtt.id}/thumbnail`), 404, 'record.not_found');
  expectError(await repS.del(`${A}/${pngAtt.id}`), 404, 'record.not_found');
  assert.equal((await list(repA, cust.id)).items.length, 2, 'nothing changed');
});

test('AT10 a user the record is shared with lists and downloads, but gets 403 on upload and delete', async () => {
  expectStatus(await repA.post(`${C}/${cust.id}/shares`, { user_id: repB.user.id }), 201, 'share');
  const l = await list(repB, cust.id);
  assert.deepEqual(l.items.map((x) => x.id), [pdfAtt.id, pngAtt.id]);
  assert.equal(l.can_write, false);
  const d = await repB.get(`${A}/${pdfAtt.id}`);
  expectStatus(d, 200, 'sharee downloads');
  assert.ok(d.buf.equals(PDF));
  expectError(await upload(repB, cust.id, '补充.pdf', PDF), 403, 'auth.forbidden');
  expectError(await repB.del(`${A}/${pdfAtt.id}`), 403, 'auth.forbidden');
  assert.equal((await list(repA, cust.id)).items.length, 2, 'nothing changed');
});

test('AT11 delete hides the file from list and download; attach and detach are in the record\'s audit trail', async () => {
  const tmp = expectStatus(await upload(repA, cust.id, '临时文件.txt', Buffer.from('临时\n')), 201);
  expectStatus(await repA.del(`${A}/${tmp.id}`), 204, 'delete');
  expectError(await repA.get(`${A}/${tmp.id}`), 404, 'record.not_found');
  expectError(await repA.del(`${A}/${tmp.id}`), 404, 'record.not_found');
  assert.ok(!(await list(repA, cust.id)).items.some((x) => x.id === tmp.id), 'not listed');
  const audit = expectStatus(await repA.get(`/api/v1/audit?entity=customers&id=${cust.id}`), 200).items;
  const det = audit.find((a) => a.action === 'detach' && a.changes.attachment_id[0] === tmp.id);
  const att = audit.find((a) => a.action === 'attach' && a.changes.attachment_id[1] === tmp.id);
  assert.deepEqual(det && { ...det.changes, user: det.user_id },
    { attachment_id: [tmp.id, null], file_name: ['临时文件.txt', null], size: [tmp.size, null], user: repA.user.id });
  assert.deepEqual(att && att.changes,
    { attachment_id: [null, tmp.id], file_name: [null, '临时文件.txt'], size: [null, tmp.size], mime: [null, 'text/plain'] });
});

test('AT12 a Chinese file name round-trips in Content-Disposition (RFC 5987 filename*)', async () => {
  const r = await repA.get(`${A}/${pdfAtt.id}`);
  expectStatus(r, 200);
  const cd = r.headers.get('content-disposition');
  const m = /filename\*=UTF-8''([^;]+)/.exec(cd);
  assert.ok(m, cd);
  assert.equal(decodeURIComponent(m[1]), '报价单.pdf');
  assert.match(cd, /filename="[\x20-\x7e]*\.pdf"/, 'an ASCII fallback');
});

test('AT13 path separators and control characters are cleaned out of the name, the Chinese kept', async () => {
  const a = expectStatus(await upload(repA, other.id, '../../etc/合同\u0001扫描件.pdf', PDF), 201);
  assert.equal(a.file_name, '合同_扫描件.pdf');
  expectStatus(await repA.del(`${A}/${a.id}`), 204);
});

test('AT14 Office files: an OOXML document is stored with its Word type, a CSV as text/csv', async () => {
  const d = expectStatus(await upload(repA, other.id, '方案.docx', DOCX), 201);
  assert.equal(d.mime, 'application/vnd.openxmlformats-officedocument.wordprocessingml.document');
  const csv = expectStatus(await upload(repA, other.id, '名单.csv', Buffer.from('名称,金额\n甲,1\n乙,2\n')), 201);
  assert.equal(csv.mime, 'text/csv');
});

test('AT15 a manager over the record may attach; an entity without attachments answers 404 route.not_found', async () => {
  const m = expectStatus(await upload(mgrE, cust.id, '经理批注.pdf', PDF), 201, 'manager uploads');
  assert.equal(m.created_by, mgrE.user.id);
  expectStatus(await mgrE.del(`${A}/${m.id}`), 204, 'manager removes');
  const prod = expectStatus(await srv.admin.post('/api/v1/products', { code: 'AT-P1', name: 'AT 产品', unit: '台', list_price: 100 }), 201);
  expectError(await srv.admin.get(`/api/v1/products/${prod.id}/attachments`), 404, 'route.not_found');
});

test('AT16 an image claiming 100 megapixels is stored but never decoded: no thumbnail, the server lives on', async () => {
  const huge = makePng(10000, 10000, deflateSync(Buffer.alloc(1000)));
  const a = expectStatus(await upload(repA, other.id, '巨幅.png', huge), 201);
  assert.equal(a.mime, 'image/png');
  expectError(await repA.get(`${A}/${a.id}/thumbnail`), 404, 'attach.no_thumbnail');
  expectStatus(await repA.get(`${A}/${pngAtt.id}/thumbnail`), 200, 'still serving');
});

test('AT17 meta marks the entities that take attachments', async () => {
  const meta = expectStatus(await repA.get('/api/v1/meta'), 200);
  const flag = Object.fromEntries(meta.entities.map((e) => [e.name, e.attachments]));
  assert.deepEqual(
    ['customers', 'contacts', 'leads', 'opportunities', 'market_research', 'budgets', 'collision_claims', 'products']
      .map((n) => flag[n]),
    [true, true, true, true, true, true, true, false]);
});

test('AT18 backup carries the files and restore puts them back: the same bytes after a wipe', async () => {
  const dest = join(srv.dir, 'backup.db');
  const r = await runCli(['backup', '--db', srv.db, '--data', srv.data, dest]);
  assert.match(r.stdout, /attachment files backed up to .*backup\.db\.files: \d+ copied/);
  const h = sha(png);
  assert.ok(readFileSync(join(`${dest}.files`, h.slice(0, 2), h.slice(2, 4), h)).equals(png), 'file in DEST.files');
  // stop, wipe the content (and on SQLite the database), restore, start again
  srv.proc.kill('SIGTERM');
  await srv.closed;
  rmSync(join(srv.data, 'files'), { recursive: true, force: true });
  rmSync(join(srv.data, 'thumbs'), { recursive: true, force: true });
  if (srv.mode === 'sqlite') for (const s of ['', '-wal', '-shm']) rmSync(srv.db + s, { force: true });
  const back = await runCli(['restore', '--db', srv.db, '--data', srv.data, dest]);
  assert.match(back.stdout, /attachment files restored from .*: \d+ copied/);
  await srv.spawnServe();
  srv.admin = await srv.login('admin', srv.adminPassword);
  const d = await srv.admin.get(`${A}/${pngAtt.id}`);
  expectStatus(d, 200, 'download after restore');
  assert.ok(d.buf.equals(png), 'same bytes');
  const t = await srv.admin.get(`${A}/${pngAtt.id}/thumbnail`);
  expectStatus(t, 200, 'thumbnail made again');
  assert.deepEqual(pngSize(t.buf), { w: 256, h: 128 });
  assert.ok(statSync(join(srv.data, 'files', h.slice(0, 2), h.slice(2, 4), h)).isFile());
});
