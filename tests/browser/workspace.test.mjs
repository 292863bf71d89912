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
import { startServer, axeViolations, shoot as shootAt, LANGS } from './lib.mjs';

const DASHBOARD = '/workspace/reports/code-of-conduct/w1/KAZ';

let t;

before(async () => {
  t = await startServer({
    prefix: 'accord-workspace-',
    users: [{ email: 'fp-kaz@example.org', role: 'focal_point', scope: 'KAZ' },
            { email: 'fp-kgz@example.org', role: 'focal_point', scope: 'KGZ' }],
  });
  const r = await t.api('POST', '/api/v1/instruments/code-of-conduct/cycles',
                        { code: 'w1', name: 'Workspace cycle', opens_on: '2020-01-01', due_on: '2020-12-31' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});

after(async () => {
  if (t) await t.stop();
});

const newPage = async (width = 1280) => t.newPage({ width });
const signIn = (page, lang, email, password) => t.signIn(page, lang, email, password);
const shoot = (page, name) => shootAt(page, `workspace-${name}`);

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
      await page.goto(`${t.base}/${lang}/workspace/sign-in`);
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
    const response = await page.goto(`${t.base}/en${DASHBOARD}`);
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
        const response = await page.goto(`${t.base}/${lang}${p}`);
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
