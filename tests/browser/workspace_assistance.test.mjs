// The workspace's assistance pages in a real browser, with JavaScript off:
// Kazakhstan's focal point records a restricted need (previewing its
// Markdown text first), UNODC's coordinator records an offer, and a
// signed-out visitor does not see the restricted need on the public
// country page. axe-core checks every assistance page in the six
// languages; screenshots in English and Arabic at 1280 and 390 px go to
// build/screenshots/workspace-assistance-*.png. The real assistance data
// and the synthetic demonstration set (labelled synthetic) are loaded.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, axeViolations, shoot as shootAt, LANGS } from './lib.mjs';

const NEEDS = '/workspace/assistance/needs/KAZ';
const UNODC = '/workspace/assistance/providers/unodc';
const NEED_TITLE = 'Forensic laboratory training (browser test)';

let t;

before(async () => {
  t = await startServer({
    prefix: 'accord-ws-assistance-',
    assistance: ['assistance.json', 'assistance.synthetic.json'],
    users: [{ email: 'fp-kaz@example.org', role: 'focal_point', scope: 'KAZ' },
            { email: 'unodc@example.org', role: 'coordinator', scope: 'unodc' }],
  });
});

after(async () => {
  if (t) await t.stop();
});

const shoot = (page, name) => shootAt(page, `workspace-assistance-${name}`);

test('the focal point previews and records a restricted need, without JavaScript', async () => {
  for (const lang of ['en', 'ar']) {
    const { context, page } = await t.newPage();
    try {
      await t.signIn(page, lang, 'fp-kaz@example.org');
      await page.click(`a[href="/${lang}${NEEDS}"]`);
      assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr');
      await shoot(page, `needs-${lang}`);
      await page.fill('#form-title', `${NEED_TITLE} ${lang}`);
      await page.fill('#form-body', 'Training for **forensic** staff of the counter-terrorism units.');
      await page.fill('#form-provisions', '3, 4');
      await page.fill('#form-thematic', '15210');
      await page.fill('#form-sdg', '16.a');
      await page.fill('#form-gcts', '2');
      await page.check('#access-restricted');
      await page.click('button[value=preview]');
      assert.equal(await page.textContent('#preview-body strong'), 'forensic');
      assert.equal(await page.inputValue('#form-title'), `${NEED_TITLE} ${lang}`);
      await shoot(page, `preview-${lang}`);
      await page.click('button[value=save]');
      await page.waitForURL(/done=1/);
      assert.ok((await page.textContent('main')).includes(`${NEED_TITLE} ${lang}`));
      await shoot(page, `recorded-${lang}`);
    } finally {
      await context.close();
    }
  }
});

test("UNODC's coordinator records an offer, without JavaScript", async () => {
  for (const lang of ['en', 'ar']) {
    const { context, page } = await t.newPage();
    try {
      await t.signIn(page, lang, 'unodc@example.org');
      await page.click(`a[href="/${lang}${UNODC}"]`);
      await shoot(page, `provider-${lang}`);
      await page.fill('#offer_form-title', `Forensic training offer ${lang}`);
      await page.fill('#offer_form-provisions', '3');
      await page.fill('#offer_form-thematic', '15210');
      await page.fill('#offer_form-countries', 'KAZ');
      await page.click('form[action$="/offers"] button[type=submit]');
      await page.waitForURL(/done=offer/);
      assert.ok((await page.textContent('main')).includes(`Forensic training offer ${lang}`));
      await shoot(page, `offer-recorded-${lang}`);
    } finally {
      await context.close();
    }
  }
  // The focal point sees the offer among those that could answer the need.
  const { context, page } = await t.newPage();
  try {
    await t.signIn(page, 'en', 'fp-kaz@example.org');
    await page.goto(`${t.base}/en${NEEDS}`);
    const need = page.locator('ul.needs > li', { hasText: `${NEED_TITLE} en` });
    assert.ok((await need.textContent()).includes('Forensic training offer en'));
  } finally {
    await context.close();
  }
});

test('a signed-out visitor does not see the restricted need on the public country page', async () => {
  const { context, page } = await t.newPage();
  try {
    const response = await page.goto(`${t.base}/en/assistance/countries/KAZ`);
    assert.equal(response.status(), 200);
    assert.doesNotMatch(await page.content(), /browser test/);
  } finally {
    await context.close();
  }
});

test('every assistance page in the six languages: language, direction, one h1, no axe violations', async () => {
  for (const [email, path] of [['fp-kaz@example.org', NEEDS], ['unodc@example.org', UNODC]]) {
    const { context, page } = await t.newPage();
    try {
      await t.signIn(page, 'en', email);
      for (const lang of LANGS) {
        const response = await page.goto(`${t.base}/${lang}${path}`);
        assert.equal(response.status(), 200, path);
        assert.equal(await page.getAttribute('html', 'lang'), lang, path);
        assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr', path);
        assert.equal(await page.locator('h1').count(), 1, `${lang}${path}: one h1`);
        assert.deepEqual(await axeViolations(page), [], `${lang}${path}: axe-core violations`);
      }
    } finally {
      await context.close();
    }
  }
});
