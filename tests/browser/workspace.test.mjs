// The workspace in a real browser, with JavaScript off (its forms must not
// need it): a Kazakhstan focal point signs in, finds the cycle's
// dashboard, drafts provision 1 with a Markdown narrative, saves it and
// submits it; a wrong password gets its message; Kyrgyzstan's focal point
// is refused Kazakhstan's dashboard. axe-core checks every workspace page
// in the six languages; screenshots in English and Arabic at 1280 and
// 390 px go to build/screenshots/. The accounts are made with the CLI (the
// admin's pages do not exist yet) and the cycle with the API.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const root = process.env.ACCORD_SOURCE_ROOT || join(dirname(new URL(import.meta.url).pathname), '..', '..');
const bin = process.env.ACCORD_BIN || join(root, 'build', 'accord');
const shots = process.env.ACCORD_SCREENSHOT_DIR || join(root, 'build', 'screenshots');
const LANGS = ['ar', 'zh', 'en', 'fr', 'ru', 'es'];
const PASSWORD = 'correct horse battery staple';
const DASHBOARD = '/workspace/reports/code-of-conduct/w1/KAZ';

let dir, server, base, browser;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'accord-workspace-'));
  const db = join(dir, 'accord.db');
  const tokenFile = join(dir, 'admin.token');
  const pw = join(dir, 'pw');
  writeFileSync(pw, PASSWORD + '\n');
  execFileSync(bin, ['init', '--db', db, '--token-file', tokenFile], { stdio: 'ignore' });
  execFileSync(bin, ['load', '--db', db, join(root, 'data', 'code-of-conduct.json')], { stdio: 'ignore' });
  for (const [email, scope] of [['fp-kaz@example.org', 'KAZ'], ['fp-kgz@example.org', 'KGZ']])
    execFileSync(bin, ['user', 'add', '--db', db, '--email', email, '--name', email, '--role', 'focal_point',
                       '--scope', scope, '--password-file', pw], { stdio: 'ignore' });
  server = spawn(bin, ['serve', '--db', db, '--address', '127.0.0.1', '--port', '0', '--threads', '4'],
                 { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/serving (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`accord serve exited with ${code}`)));
  });
  const admin = readFileSync(tokenFile, 'utf8').trim();
  const r = await fetch(`${base}/api/v1/instruments/code-of-conduct/cycles`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${admin}` },
    body: JSON.stringify({ code: 'w1', name: 'Workspace cycle', opens_on: '2020-01-01', due_on: '2020-12-31' }),
  });
  assert.equal(r.status, 201, await r.text());
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage'],
  });
  mkdirSync(shots, { recursive: true });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function newPage(width = 1280) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, javaScriptEnabled: false });
  return { context, page: await context.newPage() };
}

// axe-core needs JavaScript: it runs in a second context on the HTML the
// first one was given, with the same cookie.
async function axeViolations(page) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    await context.addCookies(await page.context().cookies());
    const p = await context.newPage();
    await p.goto(page.url());
    await p.evaluate(axeSource);
    const result = await p.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  } finally {
    await context.close();
  }
}

async function signIn(page, lang, email, password = PASSWORD) {
  await page.goto(`${base}/${lang}/workspace/sign-in`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('form.workspace button[type=submit]')]);
}

async function shoot(page, name) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(shots, `workspace-${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('a wrong password is answered on the page, in the language, with the email kept', async () => {
  const { context, page } = await newPage();
  try {
    await signIn(page, 'fr', 'fp-kaz@example.org', 'not the right password');
    assert.match(await page.textContent('.problems'), /Adresse électronique ou mot de passe incorrect/);
    assert.equal(await page.inputValue('#email'), 'fp-kaz@example.org');
    assert.equal(await page.inputValue('#password'), '');
  } finally {
    await context.close();
  }
});

test('the focal point drafts provision 1 in Markdown, saves and submits, without JavaScript', async () => {
  for (const lang of ['en', 'ar']) {
    const { context, page } = await newPage();
    try {
      await page.goto(`${base}/${lang}/workspace/sign-in`);
      await shoot(page, `sign-in-${lang}`);
      await signIn(page, lang, 'fp-kaz@example.org');
      assert.ok(page.url().endsWith(`/${lang}/workspace/`), page.url());
      await shoot(page, `home-${lang}`);
      await page.click(`a[href="/${lang}${DASHBOARD}"]`);
      assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr');
      await shoot(page, `dashboard-${lang}`);
      if (lang === 'ar')
        continue;
      await page.click(`a[href="/${lang}${DASHBOARD}?provision=1"]`);
      await page.selectOption('#status', 'in_progress');
      await page.fill('#narrative', '# Measures taken\n\nA **new law** on the financing of terrorism, in force since 2024.');
      await page.fill('#evidence', 'https://example.org/law The law');
      await shoot(page, `draft-${lang}`);
      await page.click('form.workspace button[type=submit]');
      await page.waitForURL(/done=saved/);
      assert.match(await page.textContent('main table'), /v1/);
      await page.click(`a[href="/${lang}${DASHBOARD}?provision=1"]`);
      assert.match(await page.inputValue('#narrative'), /\*\*new law\*\*/);
      await page.click('input[value=submit] ~ p button');
      await page.locator('main table td', { hasText: 'Submitted' }).first().waitFor();
    } finally {
      await context.close();
    }
  }
});

test("Kyrgyzstan's focal point is refused Kazakhstan's dashboard", async () => {
  const { context, page } = await newPage();
  try {
    await signIn(page, 'en', 'fp-kgz@example.org');
    const response = await page.goto(`${base}/en${DASHBOARD}`);
    assert.equal(response.status(), 403);
    assert.match(await page.textContent('main'), /Your account may not do this/);
  } finally {
    await context.close();
  }
});

test('every workspace page in the six languages: language, direction, one h1, no axe violations', async () => {
  const { context, page } = await newPage();
  try {
    await signIn(page, 'en', 'fp-kaz@example.org');
    for (const lang of LANGS) {
      for (const p of ['/workspace/sign-in', '/workspace/', DASHBOARD, `${DASHBOARD}?provision=2`]) {
        const response = await page.goto(`${base}/${lang}${p}`);
        assert.equal(response.status(), 200, p);
        assert.equal(await page.getAttribute('html', 'lang'), lang, p);
        assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr', p);
        assert.equal(await page.locator('h1').count(), 1, `${lang}${p}: one h1`);
        assert.deepEqual(await axeViolations(page), [], `${lang}${p}: axe-core violations`);
      }
    }
  } finally {
    await context.close();
  }
});
