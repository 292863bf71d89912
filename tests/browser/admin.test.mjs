// The administrator's pages and each person's account page in a real
// browser, with JavaScript off (the forms must not need it): the admin,
// made with `accord user add --role admin`, signs in, creates a focal
// point of Kazakhstan and a reviewer, disables and re-enables the
// reviewer, and reads the security log; the new focal point signs in,
// changes their password, creates an API token (shown once; it works
// against GET /api/v1/me) and revokes it (it stops working). axe-core
// checks every page added here in the six languages; screenshots in
// English and Arabic at 1280 and 390 px go to build/screenshots/admin-*.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, axeViolations, shoot as shootAt, LANGS, PASSWORD } from './lib.mjs';

const ADMIN = 'admin@example.org';
const FP = 'fp-kaz@example.org';
const REVIEWER = 'reviewer@example.org';
const NEW_PASSWORD = 'a longer passphrase of my own';

let t;

before(async () => {
  t = await startServer({ prefix: 'accord-admin-', users: [{ email: ADMIN, name: 'Registry admin', role: 'admin' }] });
});

after(async () => {
  if (t) await t.stop();
});

const shoot = (page, name) => shootAt(page, `admin-${name}`);

// Submits the form whose action ends with 'action' (and, when given,
// whose hidden step is 'step'), and waits for the answer.
async function submit(page, action, step) {
  const form = step ? `form[action$="${action}"]:has(input[name=step][value="${step}"])` : `form[action$="${action}"]`;
  await Promise.all([page.waitForNavigation(), page.click(`${form} button[type=submit]`)]);
}

// The id of the account 'email', from the API (as the bootstrap admin).
async function accountId(email) {
  const r = await t.api('GET', '/api/v1/users');
  return r.body.users.find((u) => u.email === email).id;
}

// Fills the add-account form and sends it.
async function addAccount(page, email, name, role, scope) {
  await page.fill('#email', email);
  await page.fill('#display_name', name);
  await page.selectOption('#role', role);
  await page.fill('#scope', scope);
  await page.fill('#password', PASSWORD);
  await page.fill('#password_again', PASSWORD);
  await submit(page, '/workspace/admin/accounts');
}

test('the admin adds a focal point and a reviewer, disables and re-enables one, reads the security log', async () => {
  const { context, page } = await t.newPage();
  try {
    await t.signIn(page, 'en', ADMIN);
    await page.click('a[href="/en/workspace/admin/accounts"]');
    assert.match(await page.textContent('main table'), /admin@example\.org/);
    await addAccount(page, FP, 'Kazakhstan focal point', 'focal_point', 'KAZ');
    assert.match(page.url(), /\/en\/workspace\/admin\/accounts\/[0-9a-f]+\?done=created$/);
    assert.match(await page.textContent('.notice'), /The account has been created/);
    assert.match(await page.textContent('main dl'), /Focal point[\s\S]*KAZ/);
    await page.goto(`${t.base}/en/workspace/admin/accounts`);
    // The scope rules of the API: a focal point must name a party.
    await addAccount(page, 'nobody@example.org', 'Nobody', 'focal_point', 'XXX');
    assert.match(await page.textContent('.problems'), /The account was not created/);
    assert.match(await page.textContent('#scope-problem'), /no registered party 'XXX'/);
    assert.equal(await page.inputValue('#email'), 'nobody@example.org');
    assert.equal(await page.inputValue('#password'), '');
    await shoot(page, 'accounts-refused-en');
    await addAccount(page, REVIEWER, 'Reviewer of all instruments', 'reviewer', '');
    await shoot(page, 'account-en');

    await submit(page, '/workspace/admin/accounts/' + await accountId(REVIEWER), 'disable');
    assert.match(page.url(), /done=disabled/);
    assert.match(await page.textContent('main dl'), /Disabled/);
    const refused = await t.newPage();
    await t.signIn(refused.page, 'en', REVIEWER);
    assert.match(await refused.page.textContent('.problems'), /Wrong email or password/);
    await submit(page, '/workspace/admin/accounts/' + await accountId(REVIEWER), 'enable');
    assert.match(page.url(), /done=enabled/);
    await t.signIn(refused.page, 'en', REVIEWER);
    assert.ok(refused.page.url().endsWith('/en/workspace/'), refused.page.url());
    await refused.context.close();

    await page.goto(`${t.base}/en/workspace/admin/accounts`);
    await shoot(page, 'accounts-en');
    await page.click('a[href="/en/workspace/admin/security-log"]');
    const log = await page.textContent('main table');
    for (const kind of ['user.created', 'user.disabled', 'user.enabled', 'login.failed', 'login.succeeded'])
      assert.match(log, new RegExp(kind.replace('.', '\\.')), kind);
    assert.ok(log.indexOf('user.enabled') < log.indexOf('user.disabled'), 'newest first');
    await page.selectOption('#kind', 'user.disabled');
    await Promise.all([page.waitForNavigation(), page.click('form.filters button')]);
    assert.equal(await page.locator('main tbody tr').count(), 1);
    assert.match(await page.textContent('main tbody'), /reviewer@example\.org/);
    await page.goto(`${t.base}/en/workspace/admin/security-log`);
    await shoot(page, 'security-log-en');
    for (const p of ['/workspace/admin/accounts', '/workspace/admin/accounts/' + await accountId(FP),
                     '/workspace/admin/security-log']) {
      await page.goto(`${t.base}/ar${p}`);
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
      await shoot(page, p.replace('/workspace/admin/', '').replace(/\/[0-9a-f]+$/, '-one') + '-ar');
    }
  } finally {
    await context.close();
  }
});

test('the new focal point changes their password, makes a token seen once, and revokes it', async () => {
  const { context, page } = await t.newPage();
  try {
    await t.signIn(page, 'en', FP);
    assert.ok(page.url().endsWith('/en/workspace/'), page.url());
    await page.click('a[href="/en/workspace/account"]');
    await shoot(page, 'my-account-en');
    await page.fill('#current_password', 'not my password at all');
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#password_again', NEW_PASSWORD);
    await submit(page, '/workspace/account/password');
    assert.match(await page.textContent('#current_password-problem'), /not your current password/);
    await page.fill('#current_password', PASSWORD);
    await page.fill('#password', NEW_PASSWORD);
    await page.fill('#password_again', NEW_PASSWORD);
    await submit(page, '/workspace/account/password');
    assert.match(page.url(), /\/en\/workspace\/account\?done=password$/);
    assert.match(await page.textContent('.notice'), /Your password has been changed/);

    await page.fill('#name', 'nightly export');
    await page.fill('#days', '30');
    await page.fill('#token_current_password', NEW_PASSWORD);
    await submit(page, '/workspace/account/tokens', 'create');
    const secret = await page.inputValue('#secret');
    assert.match(secret, /^acc_[A-Za-z0-9_-]{43}$/);
    assert.ok(!page.url().includes(secret), 'never in the URL');
    await shoot(page, 'token-created-en');
    let me = await t.api('GET', '/api/v1/me', undefined, secret);
    assert.equal(me.status, 200);
    assert.equal(me.body.email, FP);

    await page.goto(`${t.base}/en/workspace/account`);
    const html = await page.content();
    assert.ok(!html.includes(secret), 'the secret is shown once');
    assert.match(await page.textContent('main table'), /nightly export[\s\S]*Active/);
    await shoot(page, 'my-account-tokens-en');
    await page.goto(`${t.base}/ar/workspace/account`);
    await shoot(page, 'my-account-ar');
    await page.goto(`${t.base}/en/workspace/account`);
    await submit(page, '/workspace/account/tokens', 'revoke');
    assert.match(page.url(), /done=revoked/);
    assert.match(await page.textContent('main table'), /Revoked/);
    me = await t.api('GET', '/api/v1/me', undefined, secret);
    assert.equal(me.status, 401, 'a revoked token stops working');

    // In Arabic, the page that shows a new token.
    await page.goto(`${t.base}/ar/workspace/account`);
    await page.fill('#name', 'report upload');
    await page.fill('#days', '7');
    await page.fill('#token_current_password', NEW_PASSWORD);
    await submit(page, '/workspace/account/tokens', 'create');
    assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
    await shoot(page, 'token-created-ar');
  } finally {
    await context.close();
  }
});

test('a focal point is refused the admin pages as a page', async () => {
  const { context, page } = await t.newPage();
  try {
    await t.signIn(page, 'fr', FP, NEW_PASSWORD);
    const response = await page.goto(`${t.base}/fr/workspace/admin/accounts`);
    assert.equal(response.status(), 403);
    assert.match(response.headers()['content-type'], /text\/html/);
  } finally {
    await context.close();
  }
});

test('every page added here, in the six languages: language, direction, one h1, no axe violations', async () => {
  // With JavaScript on, so that axe-core runs on the answer to a post (the
  // new token, a refused form) without loading it again.
  const { context, page } = await t.newPage({ js: true });
  const one = '/workspace/admin/accounts/' + await accountId(FP);
  const check = async (lang, what) => {
    assert.equal(await page.getAttribute('html', 'lang'), lang, what);
    assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr', what);
    assert.equal(await page.locator('h1').count(), 1, `${lang} ${what}: one h1`);
    assert.deepEqual(await axeViolations(page), [], `${lang} ${what}: axe-core violations`);
  };
  try {
    await t.signIn(page, 'en', ADMIN);
    for (const lang of LANGS) {
      for (const p of ['/workspace/account', '/workspace/admin/accounts', one, '/workspace/admin/security-log',
                       '/workspace/sign-in?disabled=1']) {
        const response = await page.goto(`${t.base}/${lang}${p}`);
        assert.equal(response.status(), 200, p);
        await check(lang, p);
      }
      await page.goto(`${t.base}/${lang}/workspace/admin/accounts`);
      await page.fill('#email', `x-${lang}@example.org`);
      await page.fill('#display_name', 'X');
      await page.fill('#password', PASSWORD);
      await page.fill('#password_again', 'something else entirely');
      await submit(page, '/workspace/admin/accounts');
      await check(lang, 'a refused form');
      await page.goto(`${t.base}/${lang}/workspace/account`);
      await page.fill('#name', `axe ${lang}`);
      await page.fill('#days', '1');
      await page.fill('#token_current_password', PASSWORD);
      await submit(page, '/workspace/account/tokens', 'create');
      assert.ok(await page.inputValue('#secret'));
      await check(lang, 'the new token');
    }
  } finally {
    await context.close();
  }
});
