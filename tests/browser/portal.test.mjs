// The portal in a real browser: Debian's Chromium driven by playwright-core,
// every page type in every language, its content checked against the API's
// answer to the same question, the date form, the language switcher,
// right-to-left Arabic, axe-core's accessibility rules, and screenshots for
// a person to look at. Run by `make test` (node --test) against a fresh
// database loaded with the demo data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, axeViolations, shots, LANGS, SLUG } from './lib.mjs';

let t, base, browser;

before(async () => {
  t = await startServer({
    // The sourced assistance records and the synthetic demonstration set
    // (labelled synthetic on every page that shows one of its records).
    assistance: ['assistance.json', 'assistance.synthetic.json'],
    javaScript: true,
  });
  ({ base, browser } = t);
});

after(async () => {
  if (t) await t.stop();
});

// A page on the portal, with every request it makes recorded, so that a
// request to anything but the portal itself fails the test.
async function open(path, { width = 1280, height = 900 } = {}) {
  const { context, page, foreign } = await t.newPage({ width, height });
  const response = await page.goto(base + path);
  return { context, page, response, foreign };
}

async function api(path) {
  const r = await fetch(base + path);
  assert.equal(r.status, 200, path);
  return r.json();
}

async function statusCodes(page) {
  return page.$$eval('table.status tbody tr', (rows) => rows.map((r) => r.dataset.party).sort());
}

const PAGES = [
  '/', `/instruments/${SLUG}?as_of=2019-07-15`, `/instruments/${SLUG}/implementation`,
  '/parties/KAZ', '/groups', '/groups/turkic-council?as_of=2018-09-28',
  '/regions/143', '/notifications', '/log', '/log/entries/0', '/groups/un?as_of=2018-09-28',
  '/assistance/countries/KAZ', '/assistance/gaps?region=143', '/assistance/entities/unodc/almaty',
  '/assistance/frameworks/sdg/16.a',
];

for (const lang of LANGS) {
  test(`every page type in ${lang}: language, direction, alternates, switcher, no foreign requests, no axe violations`, async () => {
    for (const p of PAGES) {
      const path = `/${lang}${p}`;
      const { context, page, response, foreign } = await open(path);
      try {
        assert.equal(response.status(), 200, path);
        assert.equal(await page.getAttribute('html', 'lang'), lang, path);
        assert.equal(await page.getAttribute('html', 'dir'), lang === 'ar' ? 'rtl' : 'ltr', path);
        const alternates = await page.$$eval('link[rel=alternate][hreflang]', (ls) => ls.map((l) => l.hreflang).sort());
        assert.deepEqual(alternates, [...LANGS].sort(), path);
        const switcher = await page.$$eval('nav.languages a', (as) => as.map((a) => a.getAttribute('hreflang')));
        assert.deepEqual(switcher, LANGS, path);
        assert.equal(await page.locator('h1').count(), 1, `${path}: one h1`);
        assert.equal(await page.locator('main').count(), 1, `${path}: one main landmark`);
        const draft = await page.locator('.draft-note').count();
        assert.equal(draft, lang === 'en' ? 0 : 1, `${path}: the draft-translation note`);
        assert.deepEqual(foreign, [], `${path}: requests outside the portal`);
        assert.deepEqual(await axeViolations(page), [], `${path}: axe-core violations`);
      } finally {
        await context.close();
      }
    }
  });
}

test('the status on 2018-09-28 lists exactly the participants the API lists', async () => {
  const want = (await api(`/api/v1/instruments/${SLUG}/status?as_of=2018-09-28`)).participants.map((p) => p.party.code).sort();
  assert.deepEqual(want, ['AZE', 'KAZ', 'KGZ', 'RUS', 'TUR', 'org:turkic-council']);
  for (const lang of ['en', 'ar', 'zh']) {
    const { context, page } = await open(`/${lang}/instruments/${SLUG}?as_of=2018-09-28`);
    assert.deepEqual(await statusCodes(page), want, lang);
    await context.close();
  }
});

test('the status on 2018-09-27 is empty, on the page as in the API', async () => {
  const st = await api(`/api/v1/instruments/${SLUG}/status?as_of=2018-09-27`);
  assert.equal(st.participants.length, 0);
  const { context, page } = await open(`/en/instruments/${SLUG}?as_of=2018-09-27`);
  assert.deepEqual(await statusCodes(page), []);
  assert.equal(await page.locator('p.empty').first().isVisible(), true);
  await context.close();
});

test('Saint Vincent and the Grenadines appears from 2019-07-15, "on or before"', async () => {
  const before = await api(`/api/v1/instruments/${SLUG}/status?as_of=2019-07-14`);
  const after = await api(`/api/v1/instruments/${SLUG}/status?as_of=2019-07-15`);
  assert.ok(!before.participants.some((p) => p.party.code === 'VCT'));
  const vct = after.participants.find((p) => p.party.code === 'VCT');
  assert.equal(vct.date_precision, 'on_or_before');
  let { context, page } = await open(`/en/instruments/${SLUG}?as_of=2019-07-14`);
  assert.ok(!(await statusCodes(page)).includes('VCT'));
  await context.close();
  ({ context, page } = await open(`/en/instruments/${SLUG}?as_of=2019-07-15`));
  const row = page.locator('tr[data-party="VCT"]');
  assert.match(await row.innerText(), /Saint Vincent and the Grenadines/);
  assert.match(await row.locator('td').first().innerText(), /on or before 15 July 2019/);
  await context.close();
  ({ context, page } = await open(`/fr/instruments/${SLUG}?as_of=2019-07-15`));
  assert.match(await page.locator('tr[data-party="VCT"] td').first().innerText(), /au plus tard le 15 juillet 2019/);
  await context.close();
});

test('the date form changes the date, without JavaScript', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${base}/en/instruments/${SLUG}?as_of=2018-09-27`);
  assert.deepEqual(await statusCodes(page), []);
  await page.fill('#as_of', '2018-09-28');
  await Promise.all([page.waitForNavigation(), page.click('form.as-of button[type=submit]')]);
  assert.match(page.url(), /as_of=2018-09-28/);
  assert.deepEqual(await statusCodes(page), ['AZE', 'KAZ', 'KGZ', 'RUS', 'TUR', 'org:turkic-council']);
  await context.close();
});

test('the language switcher leads to the same page in Arabic, right to left, with codes isolated', async () => {
  const { context, page } = await open(`/en/instruments/${SLUG}?as_of=2018-09-28`);
  await Promise.all([page.waitForNavigation(), page.click('nav.languages a[hreflang=ar]')]);
  assert.equal(new URL(page.url()).pathname, `/ar/instruments/${SLUG}`);
  assert.match(page.url(), /as_of=2018-09-28/);
  assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
  assert.equal(await page.locator('th[scope=col]').first().innerText(), 'المشارك');
  const codes = await page.$$eval('table.status bdi.code', (b) => b.map((x) => x.getAttribute('dir')));
  assert.ok(codes.length === 6 && codes.every((d) => d === 'ltr'));
  await context.close();
});

test('/ sends a browser to the language it prefers', async () => {
  const context = await browser.newContext({ locale: 'ru-RU' });
  const page = await context.newPage();
  await page.goto(base + '/');
  assert.equal(new URL(page.url()).pathname, '/ru/');
  await context.close();
  const r = await fetch(base + '/', { redirect: 'manual', headers: { 'Accept-Language': 'es-MX,es;q=0.9' } });
  assert.equal(r.status, 302);
  assert.equal(r.headers.get('location'), '/es/');
  assert.equal(r.headers.get('vary'), 'Accept-Language');
});

test('the stylesheet is cached for a year under its hash, and the CSP allows nothing inline', async () => {
  const r = await fetch(`${base}/en/`);
  const csp = r.headers.get('content-security-policy');
  assert.match(csp, /default-src 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline/);
  const html = await r.text();
  const href = html.match(/href="(\/static\/accord\.[0-9a-f]{12}\.css)"/)[1];
  const css = await fetch(base + href);
  assert.equal(css.status, 200);
  assert.match(css.headers.get('cache-control'), /max-age=31536000/);
  assert.equal((await fetch(`${base}/static/accord.000000000000.css`)).status, 404);
});

test('the implementation page lists the API matrix rows, with letters as well as colours', async () => {
  const m = await api(`/api/v1/instruments/${SLUG}/matrix?as_of=2019-07-15`);
  const { context, page } = await open(`/en/instruments/${SLUG}/implementation?as_of=2019-07-15`);
  const rows = await page.locator('table.heatmap tbody tr').count();
  assert.equal(rows, m.rows.length);
  const cells = await page.$$eval('table.heatmap td.cell abbr', (as) => as.map((a) => a.innerText.trim()));
  assert.ok(cells.length > 0 && cells.every((c) => c.length === 1));
  await context.close();
});

test('the heatmap marks assistance requested and under way exactly where the API does', async () => {
  const am = (await api('/api/v1/assistance/matrix')).cells;
  const m = await api(`/api/v1/instruments/${SLUG}/matrix`);
  const parties = new Set(m.rows.map((r) => r.party.code));
  const want = am.filter((c) => parties.has(c.party))
    .flatMap((c) => [c.requested ? `${c.party}/${c.provision}/requested` : null, c.under_way ? `${c.party}/${c.provision}/under way` : null])
    .filter(Boolean).sort();
  const { context, page } = await open(`/en/instruments/${SLUG}/implementation`);
  const got = await page.$$eval('table.heatmap tbody tr', (rows) => rows.flatMap((r) => {
    const code = r.querySelector('th a').getAttribute('href').split('/').pop();
    return [...r.querySelectorAll('td.cell')].flatMap((td, i) => [...td.querySelectorAll('.visually-hidden:not(.aid-synthetic)')]
      .map((s) => `${code}/${i + 1}/${s.textContent.replace('assistance ', '')}`));
  })).then((l) => l.sort());
  assert.ok(want.length > 0);
  assert.deepEqual(got, want);
  // A mark made from a synthetic record says so, in the cell and above.
  const synthetic = am.filter((c) => parties.has(c.party) && c.synthetic).map((c) => `${c.party}/${c.provision}`).sort();
  const said = await page.$$eval('table.heatmap tbody tr', (rows) => rows.flatMap((r) => {
    const code = r.querySelector('th a').getAttribute('href').split('/').pop();
    return [...r.querySelectorAll('td.cell')].flatMap((td, i) => (td.querySelector('.aid-synthetic') ? [`${code}/${i + 1}`] : []));
  })).then((l) => l.sort());
  assert.ok(synthetic.length > 0);
  assert.deepEqual(said, synthetic);
  assert.equal(await page.locator('.synthetic-note').count(), 1, 'the synthetic note');
  await context.close();
});

test('every assistance page labels its synthetic records, and the downloads say so too', async () => {
  for (const path of ['/assistance/countries/KAZ', '/assistance/gaps', '/assistance/entities/unodc/almaty',
                      '/assistance/frameworks/sdg/16.a']) {
    for (const lang of ['en', 'ar']) {
      const { context, page } = await open(`/${lang}${path}`);
      assert.equal(await page.locator('.synthetic-note').count(), 1, `${lang}${path}: the synthetic note`);
      // Each record listed from the synthetic set has its badge.
      const unlabelled = await page.$$eval('ul.records > li', (lis) => lis
        .filter((li) => /synthetic|syn-/i.test(li.querySelector('[lang=en]')?.textContent || '') && !li.querySelector('.badge'))
        .map((li) => li.textContent.slice(0, 80)));
      assert.deepEqual(unlabelled, [], `${lang}${path}`);
      await context.close();
    }
  }
  const r = await fetch(`${base}/api/v1/assistance/activities?format=csv`);
  const lines = (await r.text()).split(/\r?\n/);
  const col = lines[1].split(',').indexOf('#meta+synthetic');
  assert.ok(col >= 0, 'the HXL CSV has a #meta+synthetic column');
  const iati = await (await fetch(`${base}/api/v1/assistance/activities?format=iati`)).text();
  const activities = iati.split('<iati-activity ').length - 1;
  const described = iati.split('<description type="4">').length - 1;
  assert.ok(activities > 0 && described === activities, `${described} of ${activities} IATI activities say they are synthetic`);
});

test('statuses, priorities and thematic areas are written in the page\'s language', async () => {
  const acts = (await api('/api/v1/assistance/countries/KAZ')).activities;
  assert.ok(acts.length > 0);
  const { context, page } = await open('/fr/assistance/countries/KAZ');
  const text = await page.locator('main').innerText();
  for (const code of ['pipeline', 'implementation', 'completed', 'cancelled', 'suspended', 'high', 'medium', 'low'])
    assert.ok(!new RegExp(`— ${code}\\b`).test(text), `fr: the raw code ${code}`);
  assert.ok(/Priorité (élevée|moyenne|faible)/.test(text), 'fr: a priority in French');
  assert.ok(/En préparation|En cours|Achevé|Annulé|Suspendu/.test(text), 'fr: a status in French');
  assert.ok(text.includes('Domaine thématique'), 'fr: the thematic area');
  await context.close();
});

test('screenshots: desktop and phone, English and Arabic', async () => {
  for (const lang of ['en', 'ar']) {
    for (const [name, width, height] of [['desktop', 1280, 900], ['phone', 390, 844]]) {
      for (const [pageName, path] of [['home', '/'], ['instrument', `/instruments/${SLUG}?as_of=2019-07-15`],
                                      ['implementation', `/instruments/${SLUG}/implementation`],
                                      ['assistance-country', '/assistance/countries/KAZ'],
                                      ['assistance-entity', '/assistance/entities/unodc/almaty']]) {
        const { context, page } = await open(`/${lang}${path}`, { width, height });
        // Nothing pushes the page wider than the screen: wide tables scroll
        // inside their own box, and form fields fit.
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(wide <= width, `${lang}${path} at ${width} px is ${wide} px wide`);
        const file = join(shots, `${pageName}-${lang}-${name}.png`);
        await page.screenshot({ path: file, fullPage: true });
        await context.close();
        assert.ok(readFileSync(file).length > 1000, file);
      }
    }
  }
});

test('the map colours exactly the states the API lists as participants, territories as not a state', async () => {
  const st = await api(`/api/v1/instruments/${SLUG}/status?as_of=2018-09-28`);
  const want = st.participants.map((p) => p.party.code).filter((c) => !c.startsWith('org:')).sort();
  for (const lang of ['en', 'ar', 'ru']) {
    const { context, page } = await open(`/${lang}/instruments/${SLUG}?as_of=2018-09-28`);
    const svg = page.locator('svg.map');
    assert.equal(await svg.count(), 1, lang);
    const coloured = await page.$$eval('svg.map .st-participant', (els) => els.length);
    assert.equal(coloured, want.length, `${lang}: one shape or marker per participating state`);
    const participants = await page.$$eval('.map-data .names a + bdi', (els) => els.map((e) => e.textContent).sort());
    assert.deepEqual(participants, want, `${lang}: the lists beside the map`);
    // Every UN member state can be found by name on the map.
    const un = await api('/api/v1/groups/un');
    const titles = new Set(await page.$$eval('svg.map title', (ts) => ts.map((t) => t.textContent)));
    assert.ok(titles.size >= un.members.length, `${lang}: ${titles.size} named shapes for ${un.members.length} members`);
    if (lang === 'en') {
      assert.ok(titles.has('Kazakhstan') && titles.has('Greenland'));
      const grl = await page.$$eval('svg.map path', (ps) => ps.filter((p) => p.querySelector('title')?.textContent === 'Greenland').map((p) => p.getAttribute('class')));
      assert.deepEqual(grl, ['st-not_a_state']);
      assert.match(await page.locator('.un-count').innerText(), new RegExp(`^${want.length} / ${un.members.length} UN member states participate`));
    }
    await context.close();
  }
});

test('the timeline draws the recorded counts and the reported totals apart, as the API gives them', async () => {
  const st = await api(`/api/v1/instruments/${SLUG}/status?as_of=2019-07-15`);
  const { context, page } = await open(`/en/instruments/${SLUG}?as_of=2019-07-15`);
  const points = await page.$$eval('svg.timeline circle.recorded title', (ts) => ts.map((t) => t.textContent));
  assert.ok(points.at(-1).startsWith(`15 July 2019: ${st.counts.recorded.participants} `), points.at(-1));
  const reported = await page.$$eval('svg.timeline .reported-label', (ts) => ts.map((t) => t.textContent));
  assert.ok(reported.some((r) => r.includes(String(st.counts.reported.count)) && r.includes('(reported)')), reported.join('|'));
  await context.close();
});

test('the signing ceremony is on the instrument page and on its presenter\'s page, with who spoke and the source', async () => {
  const events = (await api('/api/v1/assistance/events')).events;
  const ceremony = events.find((e) => e.date === '2018-09-28');
  assert.ok(ceremony, 'the ceremony is recorded');
  for (const path of [`/fr/instruments/${SLUG}`, '/fr/parties/KAZ']) {
    const { context, page } = await open(path);
    const text = await page.locator('section[aria-labelledby=events-h]').innerText();
    for (const p of ceremony.participants) assert.ok(text.includes(`${p.name}, ${p.title}`), `${path}: ${p.name}`);
    await context.close();
  }
});

test('the assistance pages show the public needs the API gives an anonymous caller, labelled synthetic', async () => {
  const kaz = await api('/api/v1/assistance/countries/KAZ');
  const all = (await api('/api/v1/assistance/needs?country=KAZ')).needs;
  assert.ok(all.every((n) => n.access === 'public'), 'the API shows an anonymous caller public needs only');
  for (const lang of LANGS) {
    const { context, page } = await open(`/${lang}/assistance/countries/KAZ`);
    const titles = await page.$$eval('#needs-h + ul li > span.title', (ss) => ss.map((s) => s.textContent).sort());
    assert.deepEqual(titles, kaz.needs.map((n) => n.title).sort(), lang);
    assert.equal(await page.locator('.synthetic-note').count(), 1, `${lang}: the synthetic note`);
    const links = await page.$$eval('ul.downloads a', (as) => as.map((a) => a.getAttribute('href')));
    assert.ok(links.some((h) => h.includes('format=iati')) && links.some((h) => h.includes('format=csv')), lang);
    await context.close();
  }
  const sdg = await api('/api/v1/assistance/frameworks/sdg/16.a');
  const { context, page } = await open('/en/assistance/frameworks/sdg/16.a');
  const needs = await page.$$eval('#n-h + ul li > span.title', (ss) => ss.map((s) => s.textContent).sort());
  assert.deepEqual(needs, sdg.needs.map((n) => n.title).sort());
  await context.close();
});
