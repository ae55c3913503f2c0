// The web app in headless Chromium with JavaScript switched off, as a person without scripts
// sees it: every page in Swedish and English, the numbers on them against the CLI's JSON, the
// roles, logging in and out, and the scorecard on a phone-sized screen.
//
// `scripts/web-test.sh` starts the server on a fresh demo workspace and runs this file with:
//   UTFALL_URL             the web app, e.g. `http://127.0.0.1:41234/`
//   UTFALL_DIR             the demo workspace the server serves
//   UTFALL_ADMIN_PASSWORD  the admin's one-time password the server printed
//   UTFALL_VIEWER_ID, UTFALL_VIEWER_PASSWORD  a viewer made with `utfall user add`
//   UTFALL                 the binary (default `target/debug/utfall`), for the CLI's JSON
//   UTFALL_TODAY           the demo's today (default 2026-11-20)
//   ARTEFACTS              where screenshots go (default `target/browser-artefacts`)
//   CHROMIUM               the browser (default Debian's `/usr/bin/chromium`)

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const config = {
  url: new URL(required('UTFALL_URL')),
  dir: required('UTFALL_DIR'),
  binary: process.env.UTFALL || 'target/debug/utfall',
  today: process.env.UTFALL_TODAY || '2026-11-20',
  admin: { id: 'admin', password: required('UTFALL_ADMIN_PASSWORD') },
  viewer: { id: process.env.UTFALL_VIEWER_ID || 'viewer1', password: required('UTFALL_VIEWER_PASSWORD') },
  artefacts: path.resolve(process.env.ARTEFACTS || 'target/browser-artefacts'),
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests with \`scripts/web-test.sh\``);
  }
  return value;
}

// The closed quarter whose numbers are compared (the running one moves with the data).
const CLOSED_PERIOD = 'FY2026-Q2';
const LANGUAGES = ['sv', 'en'];

// Every page a logged-in admin can open, by the name its screenshots get.
const PAGES = [
  { name: 'scorecard', path: '/' },
  { name: 'scorecard-closed', path: `/?period=${CLOSED_PERIOD}` },
  { name: 'goals', path: '/goals' },
  { name: 'kpi-leads', path: '/kpi/leads' },
  { name: 'kpi-won_revenue', path: '/kpi/won_revenue' },
  { name: 'attribution', path: '/attribution' },
  { name: 'mmm', path: '/mmm' },
  { name: 'activities', path: '/activities' },
  { name: 'data', path: '/data' },
  { name: 'account', path: '/account' },
  { name: 'people', path: '/admin/people' },
  { name: 'api', path: '/api' },
];

// What a person sees with no mix model saved, written here rather than read from the
// translation files, so that a wrong or swapped message is caught.
const NO_FIT_NOTE = {
  sv: 'Ingen mixmodell är sparad för den här KPI:n',
  en: 'No mix model is saved for this KPI',
};

const LOGOUT_BUTTON = { sv: 'Logga ut', en: 'Log out' };

// Debian's Chromium, not a browser Playwright downloads. Playwright adds `--headless` (from
// `headless: true`) and gives every launch a fresh profile in a new temporary user-data dir,
// removed on close; the flags keep the browser from calling out (the network is closed anyway).
const LAUNCH = {
  executablePath: config.chromium,
  headless: true,
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

const CONTEXT = {
  javaScriptEnabled: false,
  viewport: { width: 1280, height: 900 },
  locale: 'sv-SE',
  timezoneId: 'Europe/Stockholm',
  reducedMotion: 'reduce',
};

const NAVIGATION_TIMEOUT_MS = 60_000;

let browser;

before(async () => {
  mkdirSync(config.artefacts, { recursive: true });
  browser = await chromium.launch(LAUNCH);
});

after(async () => {
  await browser?.close();
});

// ---------------------------------------------------------------------------------------------
// Helpers

function at(pathAndQuery, lang) {
  const url = new URL(pathAndQuery, config.url);
  if (lang) {
    url.searchParams.set('lang', lang);
  }
  return url.href;
}

// Chromium asks for `/favicon.ico` by itself on a page with no icon link (the plain-text 403)
// and drops a favicon load when the test moves on to the next page: neither is the page's doing.
// The linked `/favicon.svg` is checked on its own in the login test.
function isFavicon(url) {
  return /^\/favicon\.(ico|svg)$/.test(new URL(url || 'about:blank', config.url).pathname);
}

// An inline style the Content-Security-Policy (`style-src 'self'`) blocks: the charts' styles
// live in the page's stylesheet, so none may be left.
const BLOCKED_INLINE_STYLE = /^Applying inline style violates the following Content Security Policy directive 'style-src 'self''/;

// A page in a context without JavaScript, with everything that went wrong on it collected.
async function openPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(NAVIGATION_TIMEOUT_MS);
  const problems = [];
  const blockedStyles = [];
  page.on('console', (message) => {
    if (message.type() !== 'error' || isFavicon(message.location().url)) {
      return;
    }
    if (BLOCKED_INLINE_STYLE.test(message.text())) {
      blockedStyles.push(page.url());
    }
    problems.push(`console error: ${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    if (!isFavicon(request.url())) {
      problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`);
    }
  });
  page.on('response', (response) => {
    const document = response.request().resourceType() === 'document';
    if (!document && response.status() >= 400 && !isFavicon(response.url())) {
      problems.push(`${response.status()} for ${response.url()}`);
    }
  });
  return { page, problems, blockedStyles };
}

async function newSession() {
  const context = await browser.newContext(CONTEXT);
  return { context, ...(await openPage(context)) };
}

// Opens `pathAndQuery` in `lang` and checks what every page must be: 200, the language on
// `<html lang>`, no missing translation (`⟦key⟧`), nothing failing in the console or loading.
async function visit(session, pathAndQuery, lang, { status = 200 } = {}) {
  session.problems.length = 0;
  session.blockedStyles.length = 0;
  const response = await session.page.goto(at(pathAndQuery, lang), { waitUntil: 'load' });
  assert.ok(response, `no response for ${pathAndQuery}`);
  const where = `${pathAndQuery} in ${lang}`;
  assert.equal(response.status(), status, `${where}: status`);
  if (status !== 200) {
    return response;
  }
  const landed = new URL(session.page.url());
  assert.equal(landed.pathname, new URL(pathAndQuery, config.url).pathname, `${where}: redirected`);
  assert.equal(await session.page.locator('html').getAttribute('lang'), lang, `${where}: <html lang>`);
  const html = await session.page.content();
  const missing = html.match(/⟦[^⟧]*⟧/g);
  assert.equal(missing, null, `${where}: missing translations ${missing}`);
  assert.deepEqual(session.problems, [], `${where}: console or loading problems`);
  return response;
}

async function screenshot(page, name, lang) {
  await page.screenshot({ path: path.join(config.artefacts, `${name}-${lang}.png`), fullPage: true });
}

async function logIn(session, person, lang = 'en') {
  await visit(session, '/login', lang);
  const form = session.page.locator('form[action="/login"]');
  assert.equal(await form.locator('input[name="csrf"]').count(), 1, 'the login form has a csrf field');
  assert.equal(await form.locator('input[name="next"]').count(), 1, 'the login form has a next field');
  await form.locator('input[name="id"]').fill(person.id);
  await form.locator('input[name="password"]').fill(person.password);
  const posted = session.page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/login',
  );
  await form.locator('button[type="submit"]').click();
  const answer = await posted;
  assert.equal(answer.status(), 303, `logging in as ${person.id}: the POST answers`);
  await session.page.waitForURL((url) => url.pathname === '/');
  const cookies = await session.context.cookies(config.url.href);
  assert.ok(cookies.some((c) => c.name === 'utfall_session'), 'a session cookie is set');
}

// The CLI's JSON answer, run on the same workspace.
function cli(...args) {
  const out = execFileSync(config.binary, [...args, '-C', config.dir, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return JSON.parse(out);
}

// Attributes of every element `selector` matches, read from the DOM (Playwright reads them
// through DevTools; the page's own JavaScript stays off).
async function attributes(page, selector, names) {
  const elements = await page.locator(selector).all();
  const rows = [];
  for (const element of elements) {
    const row = {};
    for (const name of names) {
      row[name] = await element.getAttribute(name);
    }
    rows.push(row);
  }
  return rows;
}

// The number an attribute holds: Rust writes an f64 in its shortest form that reads back to
// the same f64, as JSON does, so equal numbers are equal `Number`s here, bit for bit.
function attributeNumber(text, where) {
  assert.match(text ?? '', /^-?(\d+(\.\d+)?(e-?\d+)?|inf)$/, `${where}: a number, got ${text}`);
  if (text.endsWith('inf')) {
    return text.startsWith('-') ? -Infinity : Infinity;
  }
  return Number(text);
}

// Sums of money (spend, CAC) come out with different last bits of their f64 from one run to the
// next, the CLI's alone too (see the `todo` test at the end), so the page and the CLI can differ
// there. Until that is fixed, numbers agree when they agree to 12 significant digits; anything
// a person can see is far coarser.
function closeEnough(shown, expected) {
  if (shown === expected) {
    return true;
  }
  return Math.abs(shown - expected) <= 1e-12 * Math.max(Math.abs(shown), Math.abs(expected));
}

// ---------------------------------------------------------------------------------------------
// Formatting written here, independently of the app: Swedish groups thousands with a no-break
// space, writes a decimal comma, a real minus sign and `kr` after the amount; English writes
// `SEK 1,234.5`.

const NBSP = '\u00a0';
const MINUS = '\u2212';

function formatNumber(value, decimals, lang) {
  const [whole, fraction] = Math.abs(value).toFixed(decimals).split('.');
  const separator = lang === 'sv' ? NBSP : ',';
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  const decimal = lang === 'sv' ? ',' : '.';
  const digits = fraction === undefined ? grouped : `${grouped}${decimal}${fraction}`;
  const rounded = Number(Math.abs(value).toFixed(decimals));
  return value < 0 && rounded !== 0 ? `${MINUS}${digits}` : digits;
}

function formatMoney(value, lang) {
  const amount = formatNumber(value, 0, lang);
  return lang === 'sv' ? `${amount}${NBSP}kr` : `SEK${NBSP}${amount}`;
}

function formatPercent(ratio, lang) {
  const number = formatNumber(ratio * 100, 1, lang);
  return lang === 'sv' ? `${number}${NBSP}%` : `${number}%`;
}

test('the formatting written in the test follows the conventions', () => {
  assert.equal(formatMoney(1234567.4, 'sv'), `1${NBSP}234${NBSP}567${NBSP}kr`);
  assert.equal(formatMoney(1234567.6, 'en'), `SEK${NBSP}1,234,568`);
  assert.equal(formatMoney(-1234, 'sv'), `${MINUS}1${NBSP}234${NBSP}kr`);
  assert.equal(formatNumber(-0.04, 1, 'en'), '0.0');
  assert.equal(formatPercent(0.125, 'sv'), `12,5${NBSP}%`);
  assert.equal(formatPercent(0.125, 'en'), '12.5%');
});

// ---------------------------------------------------------------------------------------------

test('the test contexts run no JavaScript', async () => {
  const session = await newSession();
  try {
    await session.page.goto(
      'data:text/html,<title>off</title><noscript><p id="no">no script</p></noscript>' +
        '<script>document.title = "on"</script>',
    );
    assert.equal(await session.page.title(), 'off');
    assert.equal(await session.page.locator('#no').isVisible(), true);
  } finally {
    await session.context.close();
  }
});

test('the login page, logged out, in Swedish and English', async () => {
  const session = await newSession();
  try {
    for (const lang of LANGUAGES) {
      await visit(session, '/login', lang);
      await screenshot(session.page, 'login', lang);
    }
    const icon = await session.page.request.get(at('/favicon.svg'));
    assert.equal(icon.status(), 200, 'the icon the pages link');
    // A page that needs a login sends the visitor to the login form, and back after it.
    await session.page.goto(at('/goals'));
    const landed = new URL(session.page.url());
    assert.equal(landed.pathname, '/login');
    assert.equal(landed.searchParams.get('next'), '/goals');
  } finally {
    await session.context.close();
  }
});

test('a wrong password is refused with a message', async () => {
  const session = await newSession();
  try {
    await visit(session, '/login', 'en');
    const form = session.page.locator('form[action="/login"]');
    await form.locator('input[name="id"]').fill(config.admin.id);
    await form.locator('input[name="password"]').fill('not-the-password');
    await form.locator('button[type="submit"]').click();
    await session.page.waitForLoadState('load');
    assert.equal(new URL(session.page.url()).pathname, '/login');
    assert.equal(await session.page.locator('p.error[role="alert"]').count(), 1);
    const cookies = await session.context.cookies(config.url.href);
    assert.ok(!cookies.some((c) => c.name === 'utfall_session' && c.value !== ''));
  } finally {
    await session.context.close();
  }
});

describe('as the admin', () => {
  let admin;

  before(async () => {
    admin = await newSession();
    await logIn(admin, config.admin);
  });

  after(async () => {
    await admin?.context.close();
  });

  for (const { name, path: pagePath } of PAGES) {
    for (const lang of LANGUAGES) {
      test(`${pagePath} in ${lang}`, async () => {
        await visit(admin, pagePath, lang);
        await screenshot(admin.page, name, lang);
      });
    }
  }

  test(`the scorecard of ${CLOSED_PERIOD} shows the CLI's values`, async () => {
    const expected = cli('scorecard', '--period', CLOSED_PERIOD, '--today', config.today);
    assert.equal(expected.period, CLOSED_PERIOD);
    await visit(admin, `/?period=${CLOSED_PERIOD}`, 'sv');
    const shown = [];
    for (const row of await admin.page.locator('tr[data-kpi]').all()) {
      const value = await row.locator('td[data-value]').getAttribute('data-value');
      shown.push({ kpi: await row.getAttribute('data-kpi'), value });
    }
    assert.deepEqual(
      shown.map((s) => s.kpi),
      expected.kpis.map((k) => k.kpi),
      'the same KPIs, in the same order',
    );
    for (const [i, k] of expected.kpis.entries()) {
      const text = shown[i].value;
      if (k.value === null) {
        assert.ok(text === '' || text === null, `${k.kpi}: no value, the page shows ${text}`);
        continue;
      }
      const value = attributeNumber(text, k.kpi);
      assert.ok(closeEnough(value, k.value), `${k.kpi}: the page shows ${text}, the CLI ${k.value}`);
    }
  });

  test('the scorecard formats money and ratios in each language', async () => {
    const expected = cli('scorecard', '--period', CLOSED_PERIOD, '--today', config.today);
    const of = (id) => expected.kpis.find((k) => k.kpi === id);
    const revenue = of('won_revenue');
    const winRate = of('win_rate');
    assert.equal(revenue.unit, 'currency');
    assert.equal(winRate.unit, 'ratio');
    for (const lang of LANGUAGES) {
      await visit(admin, `/?period=${CLOSED_PERIOD}`, lang);
      const cell = (id) => admin.page.locator(`tr[data-kpi="${id}"] td[data-value]`).textContent();
      assert.equal(await cell('won_revenue'), formatMoney(revenue.value, lang), `won_revenue in ${lang}`);
      assert.equal(await cell('win_rate'), formatPercent(winRate.value, lang), `win_rate in ${lang}`);
    }
  });

  test("the leads chart and table show the CLI's series by fiscal quarter", async () => {
    const expected = cli(
      'kpi', 'show', 'leads', '--today', config.today, '--grain', 'fiscal_quarter', '--from', '2025-01-01',
    );
    assert.ok(expected.values.length >= 4, 'the CLI gives a series');
    const window = expected.values.length;
    await visit(admin, `/kpi/leads?grain=fiscal_quarter&window=${window}`, 'en');
    const points = await attributes(admin.page, 'svg circle.actual', ['data-period', 'data-value', 'class']);
    assert.deepEqual(
      points.map((p) => p['data-period']),
      expected.values.map((v) => v.period),
      'the same periods, in order',
    );
    expected.values.forEach((v, i) => {
      const value = attributeNumber(points[i]['data-value'], v.period);
      assert.ok(closeEnough(value, v.value), `${v.period}: the chart shows ${value}, the CLI ${v.value}`);
      assert.equal(points[i].class.split(' ').includes('running'), v.running, `${v.period}: running`);
    });
    assert.ok((await admin.page.locator('svg circle.last-year').count()) > 0, 'last year is drawn');
    // The values table: counts are whole numbers with English thousands separators.
    const closed = expected.values.find((v) => v.period === CLOSED_PERIOD);
    const cell = admin.page.locator(`table.values tr[data-period="${CLOSED_PERIOD}"] td`).first();
    assert.equal(await cell.textContent(), formatNumber(closed.value, 0, 'en'));
  });

  test("the won revenue chart's target band is the scorecard's target", async () => {
    const scorecard = cli('scorecard', '--period', CLOSED_PERIOD, '--today', config.today);
    const revenue = scorecard.kpis.find((k) => k.kpi === 'won_revenue');
    assert.ok(revenue.target !== null, 'won_revenue has a target in the demo');
    await visit(admin, '/kpi/won_revenue?grain=fiscal_quarter', 'sv');
    const band = admin.page.locator(`svg rect.target-band[data-period="${CLOSED_PERIOD}"]`);
    assert.equal(await band.count(), 1, 'one target band for the quarter');
    const low = attributeNumber(await band.getAttribute('data-low'), 'data-low');
    const high = attributeNumber(await band.getAttribute('data-high'), 'data-high');
    assert.ok(closeEnough(low, revenue.target), `the band starts at ${low}, the target is ${revenue.target}`);
    assert.equal(high, Infinity, 'a target to reach has no upper bound');
    const point = admin.page.locator(`svg circle.actual[data-period="${CLOSED_PERIOD}"]`);
    assert.ok(closeEnough(attributeNumber(await point.getAttribute('data-value'), 'point'), revenue.value));
  });

  test("attribution shows the CLI's Markov credit by channel", async () => {
    const expected = cli('attribution', '--conversion', 'won_deals', '--by', 'channel', '--model', 'markov', '--intervals');
    assert.equal(expected.conversion, 'won_deals');
    await visit(admin, '/attribution', 'en');
    const table = admin.page.locator('table.attribution');
    assert.equal(await table.getAttribute('data-model'), 'markov', 'the default model');
    const rows = await attributes(admin.page, 'table.attribution tr[data-key]', ['data-key', 'data-conversions']);
    assert.deepEqual(
      rows.map((r) => r['data-key']),
      expected.rows.map((r) => r.channel),
      'the same channels, in order',
    );
    for (const [i, r] of expected.rows.entries()) {
      const value = attributeNumber(rows[i]['data-conversions'], r.channel);
      const markov = r.models.markov.conversions;
      assert.ok(closeEnough(value, markov), `${r.channel}: the page shows ${value}, the CLI ${markov}`);
    }
    // The first row's cells as a person reads them: cost, credit, its 90 % interval.
    const first = expected.rows[0];
    const [low, high] = first.models.markov.conversions_interval;
    for (const lang of LANGUAGES) {
      await visit(admin, '/attribution', lang);
      const cells = admin.page.locator(`table.attribution tr[data-key="${first.channel}"] td`);
      if (first.cost !== null) {
        assert.equal(await cells.nth(0).textContent(), formatMoney(first.cost, lang), `cost in ${lang}`);
      }
      assert.equal(await cells.nth(1).textContent(), formatNumber(first.models.markov.conversions, 1, lang));
      assert.equal(
        await cells.nth(2).textContent(),
        `${formatNumber(low, 1, lang)} – ${formatNumber(high, 1, lang)}`,
        `interval in ${lang}`,
      );
    }
  });

  test('the mix model page says no model is saved, in each language', async () => {
    for (const lang of LANGUAGES) {
      await visit(admin, '/mmm', lang);
      const lede = await admin.page.locator('main p.lede').first().textContent();
      assert.ok(lede.startsWith(NO_FIT_NOTE[lang]), `in ${lang}: ${lede}`);
      assert.equal(await admin.page.locator('table.mmm').count(), 0, 'no contributions without a fit');
    }
  });

  test('the scorecard fits a 390 px wide screen', async () => {
    // `page.evaluate` runs through DevTools, which Chromium allows with the page's JavaScript
    // off, so the width is measured in the same kind of context as every other check.
    const phone = await browser.newContext({ ...CONTEXT, viewport: { width: 390, height: 844 } });
    try {
      await phone.addCookies(await admin.context.cookies(config.url.href));
      const session = { context: phone, ...(await openPage(phone)) };
      for (const lang of LANGUAGES) {
        await visit(session, '/', lang);
        const width = await session.page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(width <= 390, `in ${lang} the page is ${width} px wide`);
        const file = path.join(config.artefacts, `scorecard-390-${lang}.png`);
        await session.page.screenshot({ path: file, fullPage: true });
        // A full-page screenshot is as wide as the page's content: no evaluation needed.
        assert.ok(pngWidth(file) <= 390, `in ${lang} the screenshot is ${pngWidth(file)} px wide`);
      }
    } finally {
      await phone.close();
    }
  });
});

function pngWidth(file) {
  // A PNG's width is the big-endian u32 at offset 16 (in the IHDR chunk after the signature).
  return readFileSync(file).readUInt32BE(16);
}

describe('as a viewer', () => {
  let viewer;

  before(async () => {
    viewer = await newSession();
    await logIn(viewer, config.viewer, 'sv');
  });

  after(async () => {
    await viewer?.context.close();
  });

  test('the scorecard opens and the admin pages are not offered', async () => {
    await visit(viewer, '/', 'sv');
    assert.equal(await viewer.page.locator('a[href="/admin/people"]').count(), 0);
    assert.equal(await viewer.page.locator('form[action="/mmm/fit"]').count(), 0, 'no fit form for a viewer');
  });

  test('/admin/people answers 403', async () => {
    await visit(viewer, '/admin/people', 'en', { status: 403 });
  });

  test('logging out with the header button ends the session', async () => {
    const button = viewer.page.locator('form[action="/logout"] button[type="submit"]');
    for (const lang of LANGUAGES) {
      await visit(viewer, '/account', lang);
      assert.equal(await button.textContent(), LOGOUT_BUTTON[lang], `the button in ${lang}`);
    }
    const posted = viewer.page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/logout',
    );
    await button.click();
    assert.equal((await posted).status(), 303);
    await viewer.page.waitForURL((url) => url.pathname === '/login');
    const cookies = await viewer.context.cookies(config.url.href);
    assert.ok(!cookies.some((c) => c.name === 'utfall_session' && c.value !== ''), 'the cookie is gone');
    // The old session is ended on the server too: the scorecard asks for a login again.
    await viewer.page.goto(at('/'));
    assert.equal(new URL(viewer.page.url()).pathname, '/login');
  });
});

// ---------------------------------------------------------------------------------------------
// Two bugs found here and fixed (pp in English, the charts' inline styles), checked; and one
// known bug kept visible: node's test runner runs a `todo` test and reports its failure
// without failing the run. Drop the `todo` once the app is fixed.

test('English pages write percentage points as pp, not pe', async () => {
  const session = await newSession();
  try {
    await logIn(session, config.admin);
    await visit(session, `/?period=${CLOSED_PERIOD}`, 'en');
    const text = await session.page.locator('main').textContent();
    assert.ok(!text.includes(`${NBSP}pe`), 'the Swedish `pe` on an English page');
  } finally {
    await session.context.close();
  }
});

test('the charts\' styles are not blocked by the Content-Security-Policy', async () => {
  const session = await newSession();
  try {
    await logIn(session, config.admin);
    const blocked = [];
    for (const pagePath of ['/', '/kpi/leads', '/attribution']) {
      await visit(session, pagePath, 'en');
      blocked.push(...session.blockedStyles);
    }
    assert.deepEqual([...new Set(blocked)], [], 'pages whose <style> elements were blocked');
  } finally {
    await session.context.close();
  }
});

test('the CLI gives the same scorecard numbers, bit for bit, every time', { todo: 'sums of money differ in their last bits between runs' }, () => {
  const values = (answer) => answer.kpis.map((k) => `${k.kpi}=${k.value}`);
  const first = values(cli('scorecard', '--period', CLOSED_PERIOD, '--today', config.today));
  for (let run = 0; run < 4; run += 1) {
    assert.deepEqual(values(cli('scorecard', '--period', CLOSED_PERIOD, '--today', config.today)), first);
  }
});
