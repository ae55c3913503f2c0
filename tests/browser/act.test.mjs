// Acting in the browser, with JavaScript disabled: an editor adds a note, posts a comment,
// opens a review, records a decision, closes the review, uploads a file and confirms its
// import, and changes a target; each result is checked after a reload and against the CLI's
// JSON on the same workspace. A viewer gets 403 on every one of those actions.
//
// Run by `scripts/web-test.sh` after `web.test.mjs` (this file changes the demo's data and
// definitions). Values are written in the test: the uploaded report's rows and sums, the target.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the browser tests with \`scripts/web-test.sh\``);
  }
  return value;
}

const config = {
  url: new URL(required('UTFALL_URL')),
  dir: required('UTFALL_DIR'),
  binary: process.env.UTFALL || 'target/debug/utfall',
  editor: { id: required('UTFALL_EDITOR_ID'), password: required('UTFALL_EDITOR_PASSWORD') },
  viewer: { id: required('UTFALL_VIEWER_ID'), password: required('UTFALL_VIEWER_PASSWORD') },
  artefacts: path.resolve(process.env.ARTEFACTS || 'target/browser-artefacts'),
  chromium: process.env.CHROMIUM || '/usr/bin/chromium',
};

const CONTEXT = {
  javaScriptEnabled: false,
  viewport: { width: 1280, height: 900 },
  locale: 'en-GB',
  timezoneId: 'Europe/Stockholm',
};

// A Google Ads campaign report as the UI exports it, written for this test: 1 234.50 + 200.25 +
// 50.00 = 1 484.75 SEK over three days of campaign 99001.
const REPORT = [
  'Campaign performance report',
  '"November 21, 2026 - November 23, 2026"',
  'Day,Campaign,Campaign ID,Currency code,Cost,Impr.,Clicks,Conversions',
  '2026-11-21,Browser | Upload,99001,SEK,"1,234.50","1,500",40,2',
  '2026-11-22,Browser | Upload,99001,SEK,200.25,300,12,1',
  '2026-11-23,Browser | Upload,99001,SEK,50.00,20,1,0',
  '',
].join('\n');

const NOTE = 'Browser note: the webinar moved a week';
const COMMENT = 'Browser comment on **leads**';
const REVIEW_PERIOD = 'FY2026-Q3';
const REVIEW_ID = 'fy2026_q3';
const DECISION = 'browser_more_webinars';
const TARGET = 4321000;

let browser;
let editor;
let viewer;

function at(pathAndQuery, lang = 'en') {
  const url = new URL(pathAndQuery, config.url);
  url.searchParams.set('lang', lang);
  return url.href;
}

function cli(...args) {
  const out = execFileSync(config.binary, [...args, '-C', config.dir, '--format', 'json'], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return JSON.parse(out);
}

async function session(person) {
  const context = await browser.newContext(CONTEXT);
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  await page.goto(at('/login'));
  const form = page.locator('form[action="/login"]');
  await form.locator('input[name="id"]').fill(person.id);
  await form.locator('input[name="password"]').fill(person.password);
  await Promise.all([page.waitForURL((url) => url.pathname === '/'), form.locator('button[type="submit"]').click()]);
  const me = await (await page.request.get(new URL('/api/me', config.url).href)).json();
  return { context, page, csrf: me.csrf };
}

// Submits `form`'s button and waits for the page it leads to; returns the POST's status.
async function submit(page, form) {
  const posted = page.waitForResponse((r) => r.request().method() === 'POST');
  await form.locator('button[type="submit"]').first().click();
  const response = await posted;
  await page.waitForLoadState('load');
  return response.status();
}

before(async () => {
  mkdirSync(config.artefacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: config.chromium,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  editor = await session(config.editor);
  viewer = await session(config.viewer);
});

after(async () => {
  await browser?.close();
});

describe('an editor', () => {
  test('adds a note on a KPI page, shown after a reload and by the CLI', async () => {
    const { page } = editor;
    await page.goto(at('/kpi/leads'));
    const form = page.locator('form[action="/kpi/leads/annotations"]');
    await page.locator('details.add-note summary').click();
    await form.locator('input[name="on"]').fill('2026-11-02');
    await form.locator('input[name="text"]').fill(NOTE);
    assert.equal(await submit(page, form), 303);
    await page.reload();
    assert.ok((await page.content()).includes(NOTE), 'the note is on the page');
    const notes = cli('annotate', 'list', '--kpi', 'leads');
    const mine = notes.filter((n) => n.body === NOTE);
    assert.equal(mine.length, 1, 'the CLI lists the note once');
    assert.equal(mine[0].starts_on, '2026-11-02');
    assert.equal(mine[0].author, config.editor.id);
  });

  test('posts a comment, rendered as Markdown and listed by the CLI', async () => {
    const { page } = editor;
    await page.goto(at('/kpi/leads'));
    const form = page.locator('form.comment-form');
    const period = await form.locator('select[name="period"] option').first().getAttribute('value');
    await form.locator('textarea[name="text"]').fill(COMMENT);
    assert.equal(await submit(page, form), 303);
    await page.reload();
    assert.ok((await page.content()).includes('Browser comment on <strong>leads</strong>'));
    const comments = cli('comment', 'list', 'leads');
    const text = JSON.stringify(comments);
    assert.ok(text.includes(COMMENT), `the CLI lists the comment: ${text.slice(0, 300)}`);
    assert.ok(text.includes(period), 'on the chosen period');
  });

  test('opens a review, records a decision and closes it', async () => {
    const { page } = editor;
    await page.goto(at('/reviews'));
    const open = page.locator('form[action="/reviews"]');
    await open.locator('input[name="period"]').fill(REVIEW_PERIOD);
    assert.equal(await submit(page, open), 303);
    assert.equal(new URL(page.url()).pathname, `/reviews/${REVIEW_ID}`);
    const decide = page.locator(`form[action="/reviews/${REVIEW_ID}/decisions"]`);
    await decide.locator('input[name="id"]').fill(DECISION);
    await decide.locator('select[name="action"]').selectOption('more');
    await decide.locator('select[name="subject_kind"]').selectOption('channel');
    await decide.locator('input[name="subject"]').fill('events');
    await decide.locator('textarea[name="why"]').fill('Webinars brought the most MQLs per krona');
    assert.equal(await submit(page, decide), 303);
    await page.reload();
    assert.ok((await page.content()).includes(DECISION), 'the decision is on the review');
    const close = page.locator(`form[action="/reviews/${REVIEW_ID}/close"]`);
    assert.equal(await submit(page, close), 303);
    const review = cli('review', 'show', REVIEW_ID);
    assert.equal(review.status, 'closed');
    const decision = review.decisions.find((d) => d.id === DECISION);
    assert.ok(decision, 'the CLI shows the decision');
    assert.equal(decision.action, 'more');
  });

  test('uploads a report, sees the dry run and confirms the import', async () => {
    const { page } = editor;
    await page.goto(at('/data/import'));
    const form = page.locator('form.upload');
    await form.locator('input[name="file"]').setInputFiles({
      name: 'browser-report.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(REPORT),
    });
    assert.equal(await submit(page, form), 303);
    assert.match(new URL(page.url()).pathname, /^\/data\/import\/[0-9a-f]{32}$/);
    assert.equal(await page.locator('[data-state="dry-run"]').count(), 1, 'a dry run first');
    assert.equal(await page.locator('[data-preset]').getAttribute('data-preset'), 'google-ads');
    assert.equal((await page.locator('tr[data-count="read"] td').textContent()).trim(), '3');
    const before = cli('sql', "SELECT count(*) AS n FROM spend WHERE campaign_id = '99001'");
    assert.equal(before[0].n, 0, 'the dry run imported nothing');
    assert.equal(await submit(page, page.locator('form.confirm')), 303);
    await page.reload();
    assert.equal(await page.locator('[data-state="done"]').count(), 1);
    const rows = cli('sql', "SELECT count(*) AS n, sum(cost) AS cost FROM spend WHERE campaign_id = '99001'");
    assert.equal(rows[0].n, 3);
    assert.ok(Math.abs(rows[0].cost - 1484.75) < 1e-9, `cost ${rows[0].cost}`);
  });

  test('changes a target, checked and written, and the CLI scores against it', async () => {
    const { page } = editor;
    await page.goto(at('/kpi/won_revenue/edit'));
    const rows = page.locator('table.targets-edit tbody tr');
    let row = -1;
    for (let i = 0; i < (await rows.count()); i += 1) {
      if ((await rows.nth(i).locator('input[name^="period_"]').inputValue()) === REVIEW_PERIOD) {
        row = i;
      }
    }
    assert.ok(row >= 0, `a ${REVIEW_PERIOD} target row`);
    await rows.nth(row).locator('input[name^="value_"]').fill('4 321 000');
    assert.equal(await submit(page, page.locator('form.edit')), 303);
    assert.equal(new URL(page.url()).pathname, '/kpi/won_revenue');
    await page.goto(at('/kpi/won_revenue/edit'));
    assert.equal(await page.locator(`input[name="value_${row}"]`).inputValue(), String(TARGET));
    const card = cli('scorecard', '--period', REVIEW_PERIOD);
    const kpi = card.kpis.find((k) => k.kpi === 'won_revenue');
    assert.equal(kpi.target, TARGET);
  });
});

describe('a team in the workshop', () => {
  test('runs who → why → what → how to a new goal with two KPIs, as the CLI then reads it', async () => {
    const { page } = editor;
    await page.goto(at('/workshop'));
    const form = () => page.locator('form.workshop');
    const next = (step) => form().locator(`button[name="step"][value="${step}"]`);
    // Who.
    await form().locator('textarea[name="participants"]').fill('Anna Berg (marketing)\nBo Ek (sales)');
    await form().locator('input[name="audience"]').first().check();
    await Promise.all([page.waitForLoadState('load'), next('why').click()]);
    assert.equal(await form().getAttribute('data-step'), 'why');
    // Why.
    await form().locator('input[name="goal_id"]').fill('browser_goal');
    await form().locator('input[name="name_en"]').fill('More deals from the browser');
    await form().locator('input[name="period"]').fill('FY2026');
    const owners = form().locator('input[name="owner"]');
    if ((await owners.count()) > 0) {
      await owners.first().check();
    } else {
      await form().locator('input[name="owners_text"]').fill('cmo');
    }
    await Promise.all([page.waitForLoadState('load'), next('what').click()]);
    assert.equal(await form().getAttribute('data-step'), 'what');
    // What: two library KPIs the workspace does not have.
    const boxes = form().locator('input[name="kpi"]');
    assert.ok((await boxes.count()) >= 2, 'at least two library KPIs to pick');
    const picked = [await boxes.nth(0).getAttribute('value'), await boxes.nth(1).getAttribute('value')];
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await Promise.all([page.waitForLoadState('load'), next('how').click()]);
    assert.equal(await form().getAttribute('data-step'), 'how');
    for (const kpi of picked) {
      assert.ok((await page.locator(`[data-kpi="${kpi}"]`).count()) > 0, `${kpi} on the how step`);
    }
    // Write.
    const posted = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/workshop/write');
    await form().locator('button[formaction="/workshop/write"]').click();
    assert.equal((await posted).status(), 303);
    await page.waitForLoadState('load');
    assert.equal(new URL(page.url()).pathname, '/workshop/browser_goal');
    await page.reload();
    const summary = await page.content();
    assert.ok(summary.includes('More deals from the browser'));
    assert.ok(summary.includes('Anna Berg (marketing)'));
    // The CLI's scorecard has the goal with both KPIs.
    const card = cli('scorecard', '--period', 'FY2026');
    const kpis = card.kpis.filter((k) => k.goal === 'browser_goal').map((k) => k.kpi).sort();
    assert.deepEqual(kpis, [...picked].sort());
  });
});

describe('a viewer', () => {
  const ACTIONS = [
    ['/kpi/leads/annotations', { on: '2026-11-03', text: 'viewer note' }],
    ['/kpi/leads/comments', { period: '2026-11', text: 'viewer comment' }],
    ['/reviews', { period: 'FY2026-Q1' }],
    [`/reviews/${REVIEW_ID}/decisions`, { id: 'viewer_decision', action: 'stop', subject_kind: 'channel', subject: 'print' }],
    [`/reviews/${REVIEW_ID}/close`, {}],
    ['/kpi/won_revenue/edit', { stamp: 'x', owners: 'viewer' }],
    ['/goals/kpis', { kpi: 'sessions', goal: 'grow_revenue' }],
    ['/workshop', { step: 'why', participants: 'viewer' }],
    ['/workshop/write', { goal_id: 'viewer_goal', kpi: 'sessions' }],
  ];

  test('is not offered the forms', async () => {
    const { page } = viewer;
    await page.goto(at('/kpi/leads'));
    assert.equal(await page.locator('form[action="/kpi/leads/annotations"]').count(), 0);
    assert.equal(await page.locator('form.comment-form').count(), 0);
    assert.equal(await page.locator('a[href="/kpi/leads/edit"]').count(), 0);
    const edit = await page.goto(at('/kpi/won_revenue/edit'));
    assert.equal(edit.status(), 403);
    const upload = await page.goto(at('/data/import'));
    assert.equal(upload.status(), 403);
  });

  test('gets 403 on every action, with its own form token', async () => {
    const { page, csrf } = viewer;
    for (const [action, fields] of ACTIONS) {
      const response = await page.request.post(new URL(action, config.url).href, {
        form: { ...fields, csrf },
        headers: { origin: config.url.origin },
        maxRedirects: 0,
      });
      assert.equal(response.status(), 403, `${action}`);
    }
    const upload = await page.request.post(new URL('/data/import', config.url).href, {
      multipart: { csrf, file: { name: 'r.csv', mimeType: 'text/csv', buffer: Buffer.from(REPORT) } },
      headers: { origin: config.url.origin },
      maxRedirects: 0,
    });
    assert.equal(upload.status(), 403, '/data/import');
    // Nothing the viewer sent is anywhere.
    const notes = cli('annotate', 'list', '--kpi', 'leads');
    assert.equal(notes.filter((n) => n.body === 'viewer note').length, 0);
    const review = cli('review', 'show', REVIEW_ID);
    assert.equal(review.decisions.filter((d) => d.id === 'viewer_decision').length, 0);
  });
});
