// The classroom (`clusterproc train --classroom`) and recovery practice, driven in a real
// Chromium: an instructor's page beside a trainee's, on the trainer's real socket.
//
//   TRAINER_PASSWORD=PASSWORD node classroom.mjs CASE URL OUTDIR
//
// CASE is instructor or recovery; URL the address the trainer printed, PASSWORD the
// instructor's password it printed; screenshots go to OUTDIR as classroom-CASE-*.png.
// Exits 0 when every expectation held, 1 with a message (and a failure screenshot) when one
// did not, 2 on bad arguments. tests/it/classroom_browser.rs starts the trainer and runs
// each case.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CASE_TIMEOUT, CHROMIUM_ARGS, STEP_TIMEOUT, VIEWPORT, click, confirmClick } from './train.mjs';

/** How soon the instructor's page must show a trainee's action (ms). */
const LIVE_MS = 1_000;

let caseName = '';
let outdir = '.';
const pages = [];

async function shot(page, name) {
  const path = join(outdir, `classroom-${caseName}-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.log(`screenshot ${path}`);
}

/** A page in a fresh browser context (`options` add to the window's size and language),
 * kept for the failure screenshots, with the case's patience for each step. */
async function newPage(browser, options = {}) {
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', ...options });
  context.setDefaultTimeout(STEP_TIMEOUT);
  const page = await context.newPage();
  pages.push(page);
  return page;
}

function basic(password) {
  return `Basic ${Buffer.from(`teacher:${password}`).toString('base64')}`;
}

/** A trainee's session, started from the landing page with `name`; its page's URL. */
async function startSession(page, url, name) {
  await page.goto(url);
  if (name !== null) await page.locator('#trainee-name').fill(name);
  await click(page, '#start');
  assert.match(page.url(), /\/s\/[0-9a-f-]+$/, 'a session page');
  return page.url();
}

const CASES = {
  async instructor(browser, url, password) {
    // Without the password: 401, on the real socket.
    const refused = await fetch(new URL('/instructor', url));
    assert.equal(refused.status, 401, 'the instructor page asks for the password');
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic /);
    const wrong = await fetch(new URL('/instructor/results.csv', url), { headers: { Authorization: basic(`${password}x`) } });
    assert.equal(wrong.status, 401, 'a wrong password is refused');

    const trainee = await newPage(browser);
    const instructor = await newPage(browser, { httpCredentials: { username: 'teacher', password } });
    const session = await startSession(trainee, url, 'Aiko Sato');
    const id = session.split('/s/')[1];
    await instructor.goto(new URL('/instructor', url).href);
    const row = instructor.locator(`tr[data-session="${id}"]`);
    await row.waitFor();
    assert.equal(await row.locator('td.name').innerText(), 'Aiko Sato');
    assert.equal(await row.getAttribute('data-actions'), '0');
    // Live: the instructor's page shows the trainee's action within a second.
    // The manager asks [OK] first: the time runs from the [OK], which sends the action.
    await trainee.locator('#suspend-cluster').click();
    await trainee.locator('#confirm-dialog').waitFor({ state: 'visible' });
    const before = Date.now();
    await Promise.all([trainee.waitForNavigation({ waitUntil: 'load' }), trainee.locator('#confirm-ok').click()]);
    await instructor.waitForFunction(
      (id) => document.querySelector(`tr[data-session="${id}"]`)?.dataset.actions === '1',
      id,
      { timeout: LIVE_MS * 5 },
    );
    const seenAfter = Date.now() - before;
    console.log(`the instructor saw the action ${seenAfter} ms after the click`);
    assert.ok(seenAfter < LIVE_MS, `the instructor's view updated within ${LIVE_MS} ms (took ${seenAfter} ms)`);
    await click(trainee, '#wait-done');
    await shot(instructor, 'live');

    // A second, anonymous trainee.
    const other = await newPage(browser);
    const otherId = (await startSession(other, url, null)).split('/s/')[1];
    await instructor.locator(`tr[data-session="${otherId}"] td.name`).waitFor();
    assert.equal(await instructor.locator(`tr[data-session="${otherId}"] td.name`).innerText(), 'anonymous');

    // A fault injected into the first session at once: its page shows the standby down.
    await instructor.selectOption('#target-session', id);
    await instructor.selectOption('#fault-kind', 'crash');
    await instructor.selectOption('#fault-node', 'ssc-node2');
    await instructor.selectOption('#fault-step', '');
    await instructor.click('#inject');
    await instructor.locator('#sent.ok').waitFor();
    // The trainee's page follows the instructor's change by itself.
    await trainee.waitForFunction(() => /Down/.test(document.querySelector('[data-server="ssc-node2"]')?.textContent ?? ''));
    await shot(trainee, 'fault');
    // The other session is untouched.
    const otherState = await (await fetch(new URL(`/s/${otherId}/state.json`, url))).json();
    assert.equal(otherState.actions, 0);
    await other.reload();
    assert.equal(await other.locator('#recovery').count(), 0);

    // A fault before a step waits for it: the anonymous session logs it, and nothing struck.
    await instructor.selectOption('#target-session', otherId);
    await instructor.selectOption('#fault-kind', 'installer-fails');
    await instructor.selectOption('#fault-node', 'ssc-node1');
    await instructor.selectOption('#fault-step', 'install-active');
    await instructor.click('#inject');
    await instructor.locator('#sent.ok').waitFor();
    const otherLog = await (await fetch(new URL(`/s/${otherId}/actions.json`, url))).json();
    assert.deepEqual(otherLog.acts.map((act) => [act.do, act.kind, act.step]), [['inject', 'installer-fails', 'install-active']]);
    assert.equal((await (await fetch(new URL(`/s/${otherId}/state.json`, url))).json()).now_ms, 0, 'nothing happened yet');
    await instructor.selectOption('#target-session', id);

    // Pause: the trainee sees why and cannot act.
    await instructor.fill('#pause-reason', 'Eyes on the projector, please');
    await instructor.click('#pause');
    await trainee.locator('#paused').waitFor();
    assert.match(await trainee.locator('#paused').innerText(), /paused this session[\s\S]*Eyes on the projector/);
    await instructor.waitForFunction((id) => document.querySelector(`tr[data-session="${id}"]`)?.className === 'paused', id);
    const clockBefore = await trainee.locator('#clock').innerText();
    const actionsBefore = (await (await fetch(new URL(`/s/${id}/state.json`, url))).json()).actions;
    // The buttons cannot be clicked; a form sent anyway is refused.
    await Promise.all([
      trainee.waitForNavigation({ waitUntil: 'load' }),
      trainee.evaluate(() => document.querySelector('#wait-60').form.submit()),
    ]);
    assert.equal(await trainee.locator('#clock').innerText(), clockBefore, 'no time passed while paused');
    const paused = await (await fetch(new URL(`/s/${id}/state.json`, url))).json();
    assert.equal(paused.actions, actionsBefore, 'no action taken while paused');
    assert.equal(paused.paused, true);
    await shot(trainee, 'paused');
    await instructor.click('#resume');
    await trainee.waitForFunction(() => !document.querySelector('#paused'));
    await click(trainee, '#wait-10');
    assert.notEqual(await trainee.locator('#clock').innerText(), clockBefore, 'the trainee acts again');

    // Results, over HTTP on the real socket.
    const csv = await fetch(new URL('/instructor/results.csv', url), { headers: { Authorization: basic(password) } });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    const lines = (await csv.text()).trim().split(/\r\n/);
    assert.equal(lines.length, 3, lines.join('\n'));
    assert.match(lines[0], /^session,name,state,step,/);
    assert.ok(lines[1].startsWith(`${id},Aiko Sato,recovering,`) || lines[1].startsWith(`${id},Aiko Sato,running,`), lines[1]);
    assert.ok(lines[2].startsWith(`${otherId},,running,`), lines[2]);
    const xml = await fetch(new URL('/instructor/results.xml', url), { headers: { Authorization: basic(password) } });
    assert.equal(xml.status, 200);
    const junit = await xml.text();
    assert.match(junit, /^<\?xml/);
    assert.equal((junit.match(/<testsuite /g) ?? []).length, 2, junit);
    assert.match(junit, new RegExp(`<testsuite name="session ${id} \\(Aiko Sato\\)"`));
    await shot(instructor, 'end');
  },

  async recovery(browser, url) {
    const page = await newPage(browser);
    const session = await startSession(page, url, null);
    // The mistake: the active server restarted while the cluster is suspended.
    await confirmClick(page, '#suspend-cluster');
    await click(page, '#wait-done');
    assert.equal(await page.locator('#recovery').count(), 0, 'no recovery before a mistake');
    await click(page, '#reboot-ssc-node1');
    await click(page, '#wait-done');
    const panel = page.locator('#recovery');
    await panel.waitFor();
    assert.match(await panel.innerText(), /reboot-while-suspended broke at .* the cluster is not serving/);
    // The plan, as the planner gives it, costs points.
    await click(page, '#recovery-plan');
    const steps = await page.locator('#plan-steps li').allInnerTexts();
    console.log(`the plan: ${steps.join(' | ')}`);
    assert.ok(steps.length > 0, 'the plan has steps');
    assert.ok(steps.some((step) => /Resume Cluster/.test(step)), `the plan resumes the cluster: ${steps}`);
    await shot(page, 'plan');
    // Played by hand, as the plan says.
    for (const step of steps) {
      if (/Resume Cluster/.test(step)) await confirmClick(page, '#resume-cluster');
      else if (/Start Monitoring/.test(step)) {
        const node = step.match(/\((ssc-node\d)\)/)[1];
        const button = page.locator(`#node-${node} button[id^="startmon-"]`).first();
        await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), button.click()]);
      } else if (/Move to/.test(step)) {
        throw new Error(`a step this case does not play: ${step}`);
      }
      await click(page, '#wait-done');
    }
    await page.locator('#serving-again').waitFor();
    await click(page, '#finish');
    await page.goto(`${session}/debrief`);
    const verdict = page.locator('#recovery-verdict');
    await verdict.waitFor();
    assert.match(await verdict.innerText(), /after reboot-while-suspended broke/);
    assert.match(await page.locator('#recovery-end').innerText(), /The cluster ends serving/);
    assert.equal(await page.locator('#recovery-clean').count(), 1, 'the recovery broke no invariant');
    assert.match(await page.locator('#score-parts').innerText(), /Recovery plans shown: 1/);
    await shot(page, 'debrief');
    await page.goto(`${session}/debrief?lang=ja`);
    assert.match(await page.locator('#recovery-end').innerText(), /運用状態で終わりました/);
    await shot(page, 'debrief-ja');
  },
};

async function main() {
  const [name, url, dir] = process.argv.slice(2);
  const password = process.env.TRAINER_PASSWORD;
  if (!Object.hasOwn(CASES, name ?? '') || !url || !password || !dir) {
    console.error(`usage: TRAINER_PASSWORD=PASSWORD node classroom.mjs CASE URL OUTDIR\n  CASE: ${Object.keys(CASES).join(', ')}`);
    process.exit(2);
  }
  caseName = name;
  outdir = dir;
  mkdirSync(outdir, { recursive: true });
  const watchdog = setTimeout(() => {
    console.error(`${name}: FAILED: the case took more than ${CASE_TIMEOUT / 1000} s`);
    process.exit(1);
  }, CASE_TIMEOUT);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  try {
    await CASES[name](browser, url, password);
    console.log(`${name}: passed`);
  } catch (error) {
    for (const [index, page] of pages.entries()) {
      await shot(page, `failure-${index}`).catch(() => {});
      console.error(`${name}: page ${index} was ${page.url()}`);
    }
    throw error;
  } finally {
    await browser.close();
    clearTimeout(watchdog);
  }
}

main().catch((error) => {
  console.error(`${caseName || 'classroom.mjs'}: FAILED: ${error.stack ?? error}`);
  process.exit(1);
});
