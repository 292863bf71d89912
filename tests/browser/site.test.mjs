// accord site export: the static copy served by a plain static file
// server (Node's http module, files only) has no broken link. Every
// href and src of every page reached from index.html is fetched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname, normalize, extname } from 'node:path';

const root = process.env.ACCORD_SOURCE_ROOT || join(dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = process.env.ACCORD_BIN || join(root, 'build', 'accord');
let dir, site, server, base;

const TYPES = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.atom': 'application/atom+xml',
                '.json': 'application/json', '.csv': 'text/csv', '.xlsx': 'application/octet-stream' };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accord-site-'));
  const db = join(dir, 'accord.db');
  execFileSync(bin, ['init', '--db', db, '--token-file', join(dir, 'token')], { stdio: 'ignore' });
  execFileSync(bin, ['load', '--db', db, join(root, 'data', 'code-of-conduct.json')], { stdio: 'ignore' });
  // The demo's assistance records: the sourced set and the synthetic one.
  for (const f of ['assistance.json', 'assistance.synthetic.json'])
    execFileSync(bin, ['assistance', 'load', '--db', db, join(root, 'data', f)], { stdio: 'ignore' });
  // The server signs the first checkpoint; the copy publishes it.
  const live = spawn(bin, ['serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise((resolve) => {
    live.stdout.on('data', (d) => { const m = String(d).match(/(http:\/\/127\.0\.0\.1:\d+)\//); if (m) resolve(m[1]); });
  });
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${url}/log/checkpoint`);
    if (r.status === 200) break;
    await new Promise((r2) => setTimeout(r2, 100));
  }
  live.kill('SIGTERM');
  await new Promise((r) => live.on('exit', r));
  site = join(dir, 'site');
  execFileSync(bin, ['site', 'export', '--db', db, site], { stdio: 'ignore' });
  server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    let file = join(site, path);
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = readFileSync(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  if (server) server.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the static copy, served by a plain file server, has no broken link', async () => {
  const seen = new Set(), broken = [];
  const queue = [`${base}/index.html`];
  let pages = 0;
  while (queue.length) {
    const url = queue.shift();
    if (seen.has(url)) continue;
    seen.add(url);
    const r = await fetch(url);
    if (r.status !== 200) { broken.push(url); continue; }
    if (!(r.headers.get('content-type') || '').startsWith('text/html')) { await r.arrayBuffer(); continue; }
    pages++;
    const html = await r.text();
    for (const m of html.matchAll(/\b(?:href|src)="([^"]*)"/g)) {
      const link = m[1].replace(/&amp;/g, '&');
      if (/^[a-z]+:/i.test(link) || link.startsWith('#')) continue; // other sites, and this page
      assert.ok(!link.startsWith('/'), `${url} links ${link}: not relative`);
      const next = new URL(link, url);
      next.hash = '';
      if (next.origin === base) queue.push(next.href);
    }
  }
  assert.deepEqual(broken, []);
  // Every page type in every language was reached.
  for (const lang of ['ar', 'zh', 'en', 'fr', 'ru', 'es']) {
    for (const p of ['index.html', 'instruments/code-of-conduct.html', 'instruments/code-of-conduct/implementation.html',
                     'parties/KAZ.html', 'groups/turkic-council.html', 'regions/143.html', 'notifications.html',
                     'log.html', 'log/entries/0.html', 'assistance/countries/KAZ.html', 'assistance/gaps.html',
                     'assistance/entities/unodc.html', 'assistance/entities/unodc/almaty.html',
                     'assistance/frameworks/sdg/16.a.html']) {
      assert.ok(seen.has(`${base}/${lang}/${p}`), `${lang}/${p} not reached`);
    }
  }
  for (const f of ['feeds/notifications.atom', 'log/checkpoint', 'api/v1/instruments/code-of-conduct/status.csv',
                   'api/v1/assistance/needs-KAZ.csv', 'api/v1/assistance/activities-KAZ.iati.xml',
                   'api/v1/assistance/activities.csv']) {
    assert.ok(seen.has(`${base}/${f}`), `${f} not linked`);
  }
  assert.ok(pages > 6 * 20, `only ${pages} pages`);
});

test('no need that is not public is in the copy', () => {
  const data = JSON.parse(readFileSync(join(root, 'data', 'assistance.synthetic.json'), 'utf8'));
  const hidden = data.needs.filter((n) => n.access !== 'public');
  const shown = data.needs.filter((n) => n.access === 'public');
  assert.ok(hidden.length > 0 && shown.length > 0);
  const files = [];
  const walk = (d) => { for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(d, e.name)); else files.push(join(d, e.name)); } };
  walk(site);
  let publicSeen = false;
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    for (const n of hidden) {
      assert.ok(!text.includes(n.title), `${f} shows the ${n.access} need "${n.title}"`);
      if (n.body) assert.ok(!text.includes(n.body), `${f} shows the text of the ${n.access} need ${n.id}`);
    }
    if (text.includes(shown[0].title)) publicSeen = true;
  }
  assert.ok(publicSeen, 'a public need is in the copy');
});
