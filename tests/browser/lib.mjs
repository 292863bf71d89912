// What every browser test file shares: where the program and the data
// are, a server of its own on a fresh database, Debian's Chromium, pages
// with or without JavaScript, axe-core, signing in, screenshots.
//
// A test file calls `const t = await startServer({...})` in its before()
// hook and `await t.stop()` in its after() hook.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const root = process.env.ACCORD_SOURCE_ROOT || join(dirname(new URL(import.meta.url).pathname), '..', '..');
export const bin = process.env.ACCORD_BIN || join(root, 'build', 'accord');
export const shots = process.env.ACCORD_SCREENSHOT_DIR || join(root, 'build', 'screenshots');
export const LANGS = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
export const SLUG = 'code-of-conduct';
export const PASSWORD = 'correct horse battery staple';

// The pages newPage() made with JavaScript off: axeViolations() cannot run
// axe-core in them (its promises never settle without scripts).
const scriptless = new WeakSet();

// Runs the accord command line on the test's database; returns stdout.
function cli(db, args, input) {
  return execFileSync(bin, [...args.slice(0, 2), '--db', db, ...args.slice(2)],
                      { input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] }).toString();
}

// A server on a fresh database in a temporary folder, and a browser.
//   datasets:   files under data/ loaded with `accord load` (default: the demo)
//   assistance: files under data/ loaded with `accord assistance load`
//   users:      [{email, role, scope}] made with `accord user add`, password PASSWORD
//   javaScript: whether pages run scripts (default false: forms must work without)
// Returns {base, dir, db, admin (the admin's API token), browser, cli(args),
// api(method, path, body, token), newPage(opts), signIn(page, lang, email),
// stop()}.
export async function startServer({ datasets = ['code-of-conduct.json'], assistance = [], users = [],
                                    javaScript = false, prefix = 'accord-browser-' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = join(dir, 'accord.db');
  const tokenFile = join(dir, 'admin.token');
  const pw = join(dir, 'pw');
  writeFileSync(pw, PASSWORD + '\n');
  execFileSync(bin, ['init', '--db', db, '--token-file', tokenFile], { stdio: 'ignore' });
  for (const d of datasets)
    execFileSync(bin, ['load', '--db', db, join(root, 'data', d)], { stdio: 'ignore' });
  for (const a of assistance)
    execFileSync(bin, ['assistance', 'load', '--db', db, join(root, 'data', a)], { stdio: 'ignore' });
  for (const u of users)
    execFileSync(bin, ['user', 'add', '--db', db, '--email', u.email, '--name', u.name || u.email, '--role', u.role,
                       ...(u.scope ? ['--scope', u.scope] : []), '--password-file', pw], { stdio: 'ignore' });
  const server = spawn(bin, ['serve', '--db', db, '--address', '127.0.0.1', '--port', '0', '--threads', '4'],
                       { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`accord serve exited with ${code}`)));
  });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           // containers (CI) often give /dev/shm 64 MB, too little for Chromium
           '--disable-dev-shm-usage'],
    // playwright-core gives every launch a fresh temporary --user-data-dir
    // of its own (and refuses one passed here).
  });
  mkdirSync(shots, { recursive: true });
  const admin = readFileSync(tokenFile, 'utf8').trim();

  const t = {
    base, dir, db, admin, browser,
    cli: (args, input) => cli(db, args, input),
    // A request to the API; answers {status, body (parsed JSON or text), headers}.
    async api(method, path, body, token = admin) {
      const headers = { Authorization: `Bearer ${token}` };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      let parsed = text;
      try { parsed = JSON.parse(text); } catch { /* not JSON */ }
      return { status: r.status, body: parsed, headers: r.headers };
    },
    // A page in a context of its own; requests to anything but this server
    // are recorded in 'foreign'.
    async newPage({ width = 1280, height = 900, js = javaScript } = {}) {
      const context = await browser.newContext({ viewport: { width, height }, javaScriptEnabled: js });
      const page = await context.newPage();
      if (!js) scriptless.add(page);
      const foreign = [];
      page.on('request', (r) => { if (!r.url().startsWith(base)) foreign.push(r.url()); });
      return { context, page, foreign };
    },
    async signIn(page, lang, email, password = PASSWORD) {
      await page.goto(`${base}/${lang}/workspace/sign-in`);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await Promise.all([page.waitForNavigation(), page.click('form.workspace button[type=submit]')]);
    },
    async stop() {
      await browser.close();
      server.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}

// axe-core's violations on the page. axe needs JavaScript: when the page
// runs without it (made by newPage() with js false), axe runs in a second
// context on the same address with the same cookies.
export async function axeViolations(page) {
  let p = page, context = null;
  if (scriptless.has(page)) {
    context = await page.context().browser().newContext({ viewport: page.viewportSize() || { width: 1280, height: 900 } });
    await context.addCookies(await page.context().cookies());
    p = await context.newPage();
    await p.goto(page.url());
  }
  try {
    await p.evaluate(axeSource);
    const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  } finally {
    if (context) await context.close();
  }
}

// Screenshots of the page at desktop and phone width into shots/, named
// '<name>-1280.png' and '<name>-390.png'; fails when the page is wider
// than the phone's screen.
export async function shoot(page, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(shots, `${name}-${width}.png`), fullPage: true });
    if (width === 390) {
      // (a synchronous read: it works in a page without JavaScript too)
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      if (scrollWidth > 390) {
        // Name the element that reaches furthest, to say what to fix.
        const widest = await page.evaluate(() => {
          let best = null, right = 0;
          for (const e of document.body.querySelectorAll('*')) {
            const r = e.getBoundingClientRect().right;
            if (r > right) { right = r; best = e; }
          }
          return best ? `${best.tagName.toLowerCase()}.${best.className} (${Math.round(right)} px)` : '';
        });
        assert.fail(`${name}: ${scrollWidth} px wide on a 390 px screen; widest: ${widest}`);
      }
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}
