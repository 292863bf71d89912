// The whole reporting loop in a real browser, as the people who write the
// record do it, with JavaScript off (every form must work without it):
// the admin creates a Kazakhstan focal point and a reviewer; the
// depositary opens a reporting cycle; the focal point drafts provision 1
// with a Markdown narrative and a PDF and submits it; the reviewer returns
// it with comments; the focal point reads them, saves version 2 and
// submits; the reviewer rates it largely_implemented, then implemented;
// the focal point releases it; the public implementation page shows it and
// `accord verify` passes on the log. Also: a spreadsheet with one bad row
// is refused with that row's error and nothing saved; Kyrgyzstan's focal
// point can neither see nor post Kazakhstan's drafts; the depositary
// records Turkmenistan's signature "on or before" a date with its source,
// and the public status page shows it (a record of this test's throwaway
// database, not a fact). Each step is photographed in English and Arabic.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, shoot as shootAt, axeViolations, PASSWORD, LANGS, bin } from './lib.mjs';

const ADMIN = 'admin@example.org', DEPOSITARY = 'registry@example.org';
const FOCAL = 'fp-kaz@example.org', REVIEWER = 'reviewer@example.org', KGZ = 'fp-kgz@example.org';
const CYCLE = 'loop';
const DASHBOARD = `/workspace/reports/code-of-conduct/${CYCLE}/KAZ`;
const REVIEW = `/workspace/reviews/code-of-conduct/${CYCLE}/KAZ/1`;
const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
  '2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

let t, pdfPath, step = 0;

before(async () => {
  t = await startServer({
    prefix: 'accord-loop-',
    users: [{ email: ADMIN, name: 'Registry admin', role: 'admin' },
            { email: DEPOSITARY, name: 'Registry desk', role: 'depositary' },
            { email: KGZ, role: 'focal_point', scope: 'KGZ' }],
  });
  pdfPath = join(t.dir, 'law.pdf');
  writeFileSync(pdfPath, PDF);
});

after(async () => {
  if (t) await t.stop();
});

// Photographs the page as it is (English) and, in a second tab of the same
// session, the same address in Arabic: the page itself stays where it is.
// A page that answers a post ('arabic' false) has no address to open again.
async function shoot(page, name, { arabic = true } = {}) {
  const n = String(++step).padStart(2, '0');
  await shootAt(page, `loop-${n}-${name}-en`);
  if (!arabic)
    return;
  const tab = await page.context().newPage();
  try {
    await tab.goto(page.url().replace(`${t.base}/en/`, `${t.base}/ar/`).replace(/#.*$/, ''));
    assert.equal(await tab.getAttribute('html', 'dir'), 'rtl');
    await shootAt(tab, `loop-${n}-${name}-ar`);
  } finally {
    await tab.close();
  }
}

// Submits the form whose action ends with 'action' and that carries the
// hidden field 'name' = 'value' (when given), and waits for the answer.
async function submit(page, action, name, value) {
  const form = name ? `form[action$="${action}"]:has(input[name=${name}][value="${value}"])` : `form[action$="${action}"]`;
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
}

async function signedIn(email) {
  const { context, page } = await t.newPage();
  await t.signIn(page, 'en', email);
  assert.ok(page.url().endsWith('/en/workspace/'), `${email}: ${page.url()}`);
  return { context, page };
}

async function logSize() {
  return (await t.api('GET', '/api/v1/log')).body.size;
}

test('the reporting loop, from the accounts to the public page and a verified log', async () => {
  // The admin makes the focal point and the reviewer.
  let { context, page } = await signedIn(ADMIN);
  for (const [email, role, scope] of [[FOCAL, 'focal_point', 'KAZ'], [REVIEWER, 'reviewer', '']]) {
    await page.goto(`${t.base}/en/workspace/admin/accounts`);
    await page.fill('#email', email);
    await page.fill('#display_name', email);
    await page.selectOption('#role', role);
    await page.fill('#scope', scope);
    await page.fill('#password', PASSWORD);
    await page.fill('#password_again', PASSWORD);
    await submit(page, '/workspace/admin/accounts');
  }
  await page.goto(`${t.base}/en/workspace/admin/accounts`);
  assert.match(await page.textContent('main'), /fp-kaz@example\.org/);
  assert.match(await page.textContent('main'), /reviewer@example\.org/);
  await shoot(page, 'admin-accounts');
  await context.close();

  // The depositary opens the reporting cycle.
  ({ context, page } = await signedIn(DEPOSITARY));
  await page.click('a[href="/en/workspace/depositary"]');
  await page.fill('#cycle-code', CYCLE);
  await page.fill('#cycle-name', 'Reporting loop');
  await page.fill('#cycle-opens_on', '2020-01-01');
  await page.fill('#cycle-due_on', '2020-12-31');
  await submit(page, '/workspace/depositary/cycles');
  assert.match(await page.textContent('.notice'), /The reporting cycle is open/);
  await context.close();

  // The focal point drafts provision 1 with Markdown and a PDF, and submits.
  ({ context, page } = await signedIn(FOCAL));
  await page.click(`a[href="/en${DASHBOARD}"]`);
  await shoot(page, 'dashboard');
  await page.click(`a[href="/en${DASHBOARD}?provision=1"]`);
  await page.selectOption('#status', 'in_progress');
  await page.fill('#narrative', '# Measures taken\n\nA **new law** on the financing of terrorism.');
  await page.fill('#evidence', 'https://example.org/law The law');
  await page.setInputFiles('#file', pdfPath);
  await Promise.all([page.waitForNavigation(), page.click('button[name=step][value=preview]')]);
  assert.match(await page.innerHTML('section.preview'), /<strong>new law<\/strong>/);
  await page.setInputFiles('#file', pdfPath); // a preview does not keep a chosen file
  await shoot(page, 'draft-preview', { arabic: false });
  await Promise.all([page.waitForNavigation(), page.click('button[name=step][value=save]')]);
  assert.match(page.url(), /done=saved/);
  await page.click(`a[href="/en${DASHBOARD}?provision=1"]`);
  assert.match(await page.textContent('fieldset'), /law\.pdf/);
  await submit(page, DASHBOARD, 'step', 'submit');
  assert.match(await page.textContent('main table'), /Submitted/);
  await shoot(page, 'submitted');
  await context.close();

  // The reviewer returns it with comments.
  ({ context, page } = await signedIn(REVIEWER));
  await page.click('a[href="/en/workspace/reviews"]');
  await shoot(page, 'review-queue');
  await page.click(`a[href="/en${REVIEW}"]`);
  assert.match(await page.innerHTML('dd.markdown'), /<strong>new law<\/strong>/);
  assert.match(await page.textContent('main'), /law\.pdf/);
  await page.fill('#comments', 'Please cite the law by its number and date.');
  await submit(page, REVIEW, 'outcome', 'returned');
  assert.match(await page.textContent('.notice'), /Returned to the party/);
  await shoot(page, 'returned');
  await context.close();

  // The focal point reads the comments, saves version 2 and submits.
  ({ context, page } = await signedIn(FOCAL));
  await page.goto(`${t.base}/en${DASHBOARD}?provision=1`);
  assert.match(await page.textContent('ol.reviews'), /Please cite the law by its number and date\./);
  await page.fill('#narrative', '# Measures taken\n\nLaw No. 12 of 2024 on the financing of terrorism.');
  await Promise.all([page.waitForNavigation(), page.click('button[name=step][value=save]')]);
  await page.click(`a[href="/en${DASHBOARD}?provision=1"]`);
  assert.match(await page.textContent('main'), /v2/);
  await shoot(page, 'version-2');
  await submit(page, DASHBOARD, 'step', 'submit');
  await context.close();

  // The reviewer rates it largely implemented, then implemented.
  ({ context, page } = await signedIn(REVIEWER));
  for (const [rating, rationale] of [['largely_implemented', 'The law is in force; its regulations are not.'],
                                     ['implemented', 'The regulations are now in force too.']]) {
    await page.goto(`${t.base}/en${REVIEW}`);
    await page.selectOption('#rating', rating);
    await page.fill('#rationale', rationale);
    await submit(page, REVIEW, 'outcome', 'rated');
    assert.match(await page.textContent('ol.reviews'), new RegExp(rationale.replace('.', '\\.')));
  }
  await shoot(page, 'rated');
  await context.close();

  // The focal point releases it, and the public page shows it.
  ({ context, page } = await signedIn(FOCAL));
  await page.goto(`${t.base}/en${DASHBOARD}?provision=1`);
  await submit(page, DASHBOARD, 'step', 'release');
  assert.match(await page.textContent('main table'), /Released/);
  await context.close();
  ({ context, page } = await t.newPage());
  await page.goto(`${t.base}/en/instruments/code-of-conduct/implementation?cycle=${CYCLE}`);
  const cell = await page.getAttribute('tr:has(a[href="/en/parties/KAZ"]) td.cell >> nth=0', 'class');
  assert.match(cell, /\br-implemented\b/, `KAZ provision 1 on the public page: ${cell}`);
  await shoot(page, 'public-implementation');
  await context.close();

  // The log verifies, from its public pages, once a checkpoint covers it.
  const size = await logSize();
  for (let i = 0; i < 200; i++) {
    const cp = await (await fetch(`${t.base}/log/checkpoint`)).text();
    if (Number(cp.split('\n')[1]) >= size) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const vkey = execFileSync(bin, ['log', 'key', '--db', t.db]).toString().split('\n')
    .find((l) => l.startsWith('vkey ')).slice(5);
  execFileSync(bin, ['verify', `${t.base}/`, '--vkey', vkey, '--no-state'], { stdio: 'pipe' });
});

test('a spreadsheet with one bad row: that row\'s error, and nothing saved', async () => {
  const { context, page } = await signedIn(FOCAL);
  try {
    await page.goto(`${t.base}/en${DASHBOARD}`);
    const before = await logSize();
    const csv = join(t.dir, 'kaz.csv');
    writeFileSync(csv, 'party,provision,status,narrative\nKAZ,2,in_progress,A new unit\nKAZ,3,nearly done,Training\n');
    await page.setInputFiles('#import-file', csv);
    await submit(page, `${DASHBOARD}/import`);
    assert.match(await page.textContent('.problems'), /nothing was saved/);
    const row = await page.textContent('#import-caption ~ tbody tr');
    assert.match(row, /3/);
    assert.match(row, /status/);
    await shoot(page, 'import-refused');
    assert.equal(await logSize(), before);
  } finally {
    await context.close();
  }
});

test("Kyrgyzstan's focal point can neither see nor post Kazakhstan's drafts", async () => {
  const { context, page } = await signedIn(KGZ);
  try {
    const response = await page.goto(`${t.base}/en${DASHBOARD}?provision=1`);
    assert.equal(response.status(), 403);
    assert.doesNotMatch(await page.textContent('main'), /financing of terrorism/);
    // A post of its own making, with its own valid form token.
    await page.goto(`${t.base}/en/workspace/account`);
    const csrf = await page.inputValue('input[name=csrf_token] >> nth=0');
    const cookies = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const before = await logSize();
    const r = await fetch(`${t.base}/en${DASHBOARD}`, {
      method: 'POST', redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookies },
      body: new URLSearchParams({ csrf_token: csrf, provision: '1', step: 'save', status: 'planned',
                                  narrative: 'Not ours' }).toString(),
    });
    assert.equal(r.status, 403);
    assert.equal(await logSize(), before);
  } finally {
    await context.close();
  }
});

test('the depositary records a signature "on or before" a date with its source, and the status page shows it', async () => {
  const { context, page } = await signedIn(DEPOSITARY);
  try {
    await page.goto(`${t.base}/en/workspace/depositary`);
    await page.selectOption('#action-party', 'TKM');
    await page.selectOption('#action-type', 'signature');
    await page.fill('#action-date', '2019-07-15');
    await page.selectOption('#action-date_precision', 'on_or_before');
    // First without its source: refused beside the field, kept as typed.
    await submit(page, '/workspace/depositary/actions');
    assert.ok(await page.isVisible('#action-source_title-problem'), await page.textContent('main'));
    assert.equal(await page.inputValue('#action-date'), '2019-07-15');
    await shoot(page, 'action-refused');
    await page.fill('#action-source_title', 'Turkmenistan joins Code of Conduct for a world free of terrorism');
    await page.fill('#action-source_url', 'https://turkmenistannewsgazette.com/turkmenistan-joins-code-of-conduct-for-a-world-free-of-terrorism/');
    await submit(page, '/workspace/depositary/actions');
    assert.match(await page.textContent('#recorded'), /On or before 15 July 2019, Turkmenistan signed/);
    await shoot(page, 'action-recorded');
    await page.goto(`${t.base}/en/instruments/code-of-conduct`);
    assert.ok(await page.isVisible('table.status tr[data-party="TKM"]'), 'TKM on the status page');
    await shoot(page, 'public-status');
  } finally {
    await context.close();
  }
});

test('every page of the loop in the six languages: language, direction, one h1, no axe violations', async () => {
  const pages = {
    [FOCAL]: [DASHBOARD, `${DASHBOARD}?provision=1`, `${DASHBOARD}?provision=1&version=1`],
    [REVIEWER]: ['/workspace/reviews', REVIEW],
    [DEPOSITARY]: ['/workspace/depositary'],
  };
  for (const [email, paths] of Object.entries(pages)) {
    const { context, page } = await signedIn(email);
    try {
      for (const lang of LANGS) {
        for (const p of paths) {
          const response = await page.goto(`${t.base}/${lang}${p}`);
          assert.equal(response.status(), 200, `${lang}${p}`);
          assert.equal(await page.getAttribute('html', 'lang'), lang, p);
          assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr', p);
          assert.equal(await page.locator('h1').count(), 1, `${lang}${p}: one h1`);
          assert.deepEqual(await axeViolations(page), [], `${lang}${p}: axe-core violations`);
        }
      }
    } finally {
      await context.close();
    }
  }
});
