// The trainer (`clusterproc train`) driven in a real Chromium, the way a trainee clicks it.
//
//   node train.mjs CASE URL OUTDIR
//
// CASE is one of seed, restart-prompt, skip-monitoring, japanese, layout; URL is the address
// the trainer printed; full-page screenshots go to OUTDIR as CASE-*.png. Exits 0 when every
// expectation held, 1 with a message (and OUTDIR/CASE-failure.png) when one did not, 2 on
// bad arguments. tests/it/train_browser.rs starts the trainer and runs each case.
//
// Chromium is Debian's (`CHROMIUM` overrides /usr/bin/chromium); the flags keep it from
// reaching for the network, where it stalls on a closed one.

import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const VIEWPORT = { width: 1280, height: 800 };
/** How long one click, navigation or look may take (ms). */
export const STEP_TIMEOUT = 20_000;
/** How long a whole case may take (ms); a hung browser fails the case instead of hanging. */
export const CASE_TIMEOUT = 180_000;
/** What the page says when the trainer refused an action or did not understand it. */
const REFUSAL = /^(refused|not understood): |拒否されました: |実行できません: /m;
export const CLOCK = /\b\d\d:\d\d:\d\d\b/;

let caseName = '';
let outdir = '.';

/** A screenshot, OUTDIR/CASE-NAME.png: the full page, or what the window shows. */
export async function shot(page, name, { fullPage = true } = {}) {
  const path = join(outdir, `${caseName}-${name}.png`);
  await page.screenshot({ path, fullPage });
  console.log(`screenshot ${path}`);
}

/** The virtual clock the page shows ('' on a page without one). */
export async function clock(page) {
  const time = page.locator('#clock');
  return (await time.count()) ? (await time.innerText()).trim() : '';
}

/** What the page says about the last action (a refusal, a fault), or ''. */
export async function outcome(page) {
  const box = page.locator('#outcome');
  return (await box.count()) ? (await box.innerText()).trim() : '';
}

/**
 * Clicks `selector` (a form's button or a link) and waits for the page it leads to: every
 * button posts a form that the trainer answers with a redirect back to the page. Unless
 * `refusalOk`, a refusal shown on that page fails the case.
 */
export async function click(page, selector, { refusalOk = false } = {}) {
  const target = page.locator(selector);
  assert.equal(await target.count(), 1, `the page has one ${selector} (at ${page.url()})`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), target.click()]);
  const said = await outcome(page);
  console.log(`${(await clock(page)) || '--:--:--'}  ${selector}${said ? `  → ${said}` : ''}`);
  if (!refusalOk) {
    assert.doesNotMatch(said, REFUSAL, `after ${selector} the trainer says: ${said}`);
  }
  return said;
}

/** What the trainer has recorded for the session: `state.json` (its actions, its clock). */
export async function sessionState(page) {
  const answer = await page.request.get(`${page.url().replace(/[?#].*$/, '')}/state.json`);
  assert.equal(answer.status(), 200);
  return answer.json();
}

/**
 * Clicks `selector`, a button the manager asks about first: the [OK]/[Cancel] dialog shows
 * its question (matching `question`, if given) and nothing is done while it is open; then
 * [OK], and the page the action leads to. `via` clicks something else that leads to the same
 * question (a right-click menu's item).
 */
export async function confirmClick(page, selector, { refusalOk = false, question, via } = {}) {
  const before = (await sessionState(page)).actions;
  if (via) {
    await via();
  } else {
    const target = page.locator(selector);
    assert.equal(await target.count(), 1, `the page has one ${selector} (at ${page.url()})`);
    await target.click();
  }
  const dialog = page.locator('#confirm-dialog');
  await dialog.waitFor({ state: 'visible' });
  const asked = await page.locator('#confirm-message').innerText();
  if (question) assert.match(asked, question, asked);
  assert.equal((await sessionState(page)).actions, before, `nothing is done while the question is open (${selector})`);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#confirm-ok').click()]);
  assert.equal((await sessionState(page)).actions, before + 1, `[OK] acts (${selector})`);
  const said = await outcome(page);
  console.log(`${(await clock(page)) || '--:--:--'}  ${selector} [OK]${said ? `  → ${said}` : ''}`);
  if (!refusalOk) {
    assert.doesNotMatch(said, REFUSAL, `after ${selector} the trainer says: ${said}`);
  }
  return said;
}

/** Clicks `selector`, then [Cancel] in the question it asks: nothing is done, the page stays. */
export async function cancelClick(page, selector, { via } = {}) {
  const before = await sessionState(page);
  await page.evaluate(() => {
    window.stayed = true;
  });
  if (via) await via();
  else await page.locator(selector).click();
  await page.locator('#confirm-dialog').waitFor({ state: 'visible' });
  await page.locator('#confirm-cancel').click();
  await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
  const after = await sessionState(page);
  assert.equal(after.actions, before.actions, `[Cancel] does nothing (${selector})`);
  assert.equal(after.now_ms, before.now_ms, `[Cancel] takes no time (${selector})`);
  assert.equal(await page.evaluate(() => window.stayed), true, `[Cancel] leaves the page as it is (${selector})`);
}

/** Chooses an item in the manager's tree: its status pane shows, the others do not. */
export async function selectPane(page, pane) {
  await page.locator(`#tree-${pane}`).click();
  assert.ok(await page.locator(`#${pane}`).isVisible(), `${pane} shows once chosen in the tree`);
  assert.equal(await page.locator('#panes .pane:visible').count(), 1, 'one status pane at a time');
  assert.equal(await page.locator(`#tree-${pane}`).getAttribute('aria-selected'), 'true');
}

/** Right-clicks a tree item: its menu opens with the actions it offers (their labels). */
export async function contextMenu(page, pane) {
  await page.locator(`#tree-${pane}`).click({ button: 'right' });
  const menu = page.locator('#context-menu');
  await menu.waitFor({ state: 'visible' });
  return menu.locator('[role=menuitem]').allInnerTexts();
}

/** "Wait until this finishes"; then nothing is in progress unless `stillBusyOk`. */
export async function waitDone(page, { stillBusyOk = false } = {}) {
  await click(page, '#wait-done');
  if (!stillBusyOk) {
    assert.equal(await page.locator('#busy').getAttribute('class'), 'quiet', 'nothing in progress after waiting');
  }
}

/** Clicks every button whose id starts with `prefix`, one at a time (each click renders a new page). */
export async function clickEvery(page, prefix) {
  const clicked = [];
  for (let i = 0; i < 50; i++) {
    const button = page.locator(`button[id^="${prefix}"]`).first();
    if ((await button.count()) === 0) return clicked;
    const id = await button.getAttribute('id');
    assert.ok(!clicked.includes(id), `${id} is still there after clicking it`);
    await click(page, `#${id}`);
    clicked.push(id);
  }
  assert.fail(`more than 50 buttons ${prefix}*`);
}

/** Opens a node's Services panel (through the trainer: what it shows counts as seen). */
export async function openServices(page, node) {
  if (await page.locator(`#open-services-${node}`).count()) {
    await click(page, `#open-services-${node}`);
  }
  assert.equal(await page.locator(`#node-${node} .services`).getAttribute('data-open'), 'true');
}

/** Opens a node's Services panel and clicks a service's button. */
export async function serviceButton(page, node, id) {
  await openServices(page, node);
  await page.locator(`#${id}`).waitFor({ state: 'visible' });
  await click(page, `#${id}`);
}

/** The checklist marks `step` as the next one, and it is the only one marked. */
export async function stepNext(page, step) {
  const next = page.locator('#checklist li.next');
  assert.equal(await next.count(), 1, 'one step is marked next');
  assert.equal(await next.getAttribute('data-step'), step, `the next step is ${step}`);
  assert.equal(await next.getAttribute('aria-current'), 'step');
  assert.ok(await next.locator('details.step-text').evaluate((d) => d.open), 'the next step shows its text');
}

/** The page fits its width: nothing scrolls sideways. */
export async function noSidewaysScroll(page, what) {
  const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  assert.ok(scroll <= client, `${what}: the page is ${scroll} px wide in a ${client} px window`);
}

/** The checklist marks `step` done. */
export async function stepDone(page, step) {
  const item = page.locator(`#checklist li[data-step="${step}"]`);
  assert.equal(await item.getAttribute('class'), 'done', `the checklist ticks ${step}`);
}

/** Lets time pass, 10 s a click, until the checklist ticks `step`: a step is ticked once the
 * cluster shows its result (after the resume, every icon green: the monitors' first polls). */
export async function untilTicked(page, step, clicks = 30) {
  const item = page.locator(`#checklist li[data-step="${step}"]`);
  for (let i = 0; i < clicks; i++) {
    if ((await item.getAttribute('class')) === 'done') return;
    await click(page, '#wait-10');
  }
  await stepDone(page, step);
}

/** The default (first) folder of a select is the procedure's folder, not the mirror drive. */
export async function defaultFolder(page, select, folder) {
  const value = await page.locator(select).inputValue();
  assert.equal(value, folder, `${select} offers ${folder} first`);
  const options = await page.locator(`${select} option`).allTextContents();
  assert.ok(options.some((o) => /^E:/.test(o)), `${select} also offers the mirror drive E: (${options})`);
}

/** Unzips the module on both nodes into the procedure's folder. */
export async function unzipBoth(page, folder) {
  for (const node of ['ssc-node1', 'ssc-node2']) {
    await defaultFolder(page, `#unzip-folder-${node}`, folder);
    await click(page, `#unzip-${node}`);
  }
  await waitDone(page);
  await stepDone(page, 'unzip');
}

export async function suspend(page) {
  await confirmClick(page, '#suspend-cluster');
  await waitDone(page);
  await stepDone(page, 'suspend-cluster');
}

export async function stopMonitoring(page) {
  const clicked = await clickEvery(page, 'stopmon-ssc-node1-');
  assert.ok(clicked.length > 0, 'ssc-node1 watches services');
  await stepDone(page, 'stop-monitoring');
}

export async function stopPvm(page) {
  await serviceButton(page, 'ssc-node1', 'stop-ssc-node1-pvmservice');
  await waitDone(page);
  await stepDone(page, 'stop-services');
}

export async function install(page, node, folder) {
  await defaultFolder(page, `#install-folder-${node}`, folder);
  await click(page, `#install-${node}`);
  await waitDone(page);
}

export async function moveGroup(page, to, { cancelFirst = false } = {}) {
  await selectPane(page, 'pane-group-failover');
  const dialog = page.locator('#move-dialog-failover');
  if (cancelFirst) {
    const before = await sessionState(page);
    await page.locator('#move-failover').click();
    await dialog.waitFor({ state: 'visible' });
    await page.locator('#move-cancel-failover').click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await sessionState(page)).actions, before.actions, '[Cancel] in the Move dialog does nothing');
  }
  await page.locator('#move-failover').click();
  await dialog.waitFor({ state: 'visible' });
  // The dialog offers the group's servers, each with its status; the other one is chosen.
  assert.equal(await dialog.locator('input[type=radio]').count(), 2, 'the Move dialog offers both servers');
  assert.equal(await dialog.locator('input:checked').getAttribute('value'), to, `the other server, ${to}, is chosen first`);
  await page.locator(`#move-choice-failover-${to}`).check();
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#move-ok-failover').click()]);
  console.log(`${await clock(page)}  move failover → ${to} [OK]`);
  await waitDone(page);
  const owner = await page.locator('#group-failover .owner').innerText();
  assert.ok(owner.includes(to), `group failover runs on ${to}: ${owner}`);
}

/**
 * The rest of the seed procedure after the installers: resume, monitoring back, both moves,
 * and each check of services, which ticks only once that server's Services panel is open.
 */
export async function resumeAndMove(page, { careful = false } = {}) {
  await confirmClick(page, '#resume-cluster');
  await waitDone(page);
  await untilTicked(page, 'resume-cluster');
  await clickEvery(page, 'startmon-ssc-node1-');
  assert.equal(await page.locator('button[id^="stopmon-ssc-node1-"]').count() > 0, true, 'ssc-node1 watches again');
  await moveGroup(page, 'ssc-node2', { cancelFirst: careful });
  await stepDone(page, 'move-to-standby');
  if (careful) await stepNext(page, 'check-standby');
  assert.notEqual(await page.locator('#checklist li[data-step="check-standby"]').getAttribute('class'), 'done', 'not seen, not ticked');
  await openServices(page, 'ssc-node2');
  await stepDone(page, 'check-standby');
  await moveGroup(page, 'ssc-node1');
  await stepDone(page, 'move-to-active');
  await openServices(page, 'ssc-node1');
  await stepDone(page, 'check-active');
}

/** "I have finished" (or "Give up"), then the debrief link. */
export async function toDebrief(page, end = '#finish') {
  await click(page, end);
  assert.equal(await page.locator('#finish').count(), 0, 'no more buttons once the session ended');
  await click(page, '#debrief');
  assert.match(page.url(), /\/s\/[^/]+\/debrief$/);
}

/** Every invariant's verdict on the debrief, by id. */
export async function verdicts(page) {
  const rows = page.locator('table#invariants tr[data-invariant]');
  const out = {};
  for (const row of await rows.all()) {
    out[await row.getAttribute('data-invariant')] = await row.getAttribute('class');
  }
  assert.ok(Object.keys(out).length > 0, 'the debrief lists the invariants');
  return out;
}

export const SEED_FOLDER = 'C:\\Temp\\SSC0307-0006';
const EXAMPLE_FOLDER = 'C:\\Temp\\EXAMPLE-0001';

const CASES = {
  /** The seed procedure done correctly: every invariant passes, score 100. */
  async seed(page, url) {
    await page.goto(url);
    await click(page, '#start');
    assert.match(page.url(), /\/s\/[^/]+$/);
    assert.equal(await clock(page), '00:00:00');
    await stepNext(page, 'unzip');
    const mirror = page.locator('#checklist li[data-step="unzip"] .notes');
    assert.match(await mirror.innerText(), /Never use the mirror drive/);
    assert.ok(await mirror.isVisible(), 'the mirror-drive warning is in sight');
    await unzipBoth(page, SEED_FOLDER);
    await stepNext(page, 'suspend-cluster');
    await suspend(page);
    await stopMonitoring(page);
    await stopPvm(page);
    await install(page, 'ssc-node1', SEED_FOLDER);
    await stepDone(page, 'install-active');
    assert.equal(await page.locator('#node-ssc-node1 .installer').getAttribute('data-installer'), 'finished');
    await install(page, 'ssc-node2', SEED_FOLDER);
    await stepDone(page, 'install-standby');
    await resumeAndMove(page, { careful: true });
    await page.locator('#event-log').scrollIntoViewIfNeeded();
    await shot(page, 'page');
    await toDebrief(page);
    await shot(page, 'debrief');
    const all = await verdicts(page);
    const failed = Object.entries(all).filter(([, verdict]) => verdict !== 'passed');
    assert.deepEqual(failed, [], 'every invariant passed');
    assert.equal(await page.locator('#score').innerText(), '100');
    assert.match(await page.locator('h1').innerText(), /Install SSC0307-0006/, 'the debrief is titled with the procedure');
    assert.equal(await page.locator('#first-mistake p.correct').count(), 0, 'no first mistake');
    assert.equal(await page.locator('#out-of-order').count(), 0, 'nothing out of order');
    // "Save this debrief (HTML)" downloads a file.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#save-html').click()]);
    assert.match(download.suggestedFilename(), /^debrief-.*\.html$/);
    assert.equal(await page.locator('svg#timeline').count(), 1, 'the debrief draws the timeline');
  },

  /** Yes at the installer's restart prompt while the cluster is suspended: the keys are lost. */
  async 'restart-prompt'(page, url) {
    await page.goto(url);
    await click(page, '#start');
    await unzipBoth(page, EXAMPLE_FOLDER);
    for (const node of ['ssc-node1', 'ssc-node2']) {
      await click(page, `#backup-${node}`);
    }
    await waitDone(page);
    await stepDone(page, 'backup-registry');
    await suspend(page);
    await stopMonitoring(page);
    await stopPvm(page);
    await defaultFolder(page, '#install-folder-ssc-node1', EXAMPLE_FOLDER);
    // The scenario's restart request strikes as the installer starts; the page does not say
    // so (the trainee meets it at the prompt), the debrief does.
    const said = await click(page, '#install-ssc-node1');
    assert.doesNotMatch(said, /restart/i, 'the page does not announce the scenario');
    assert.doesNotMatch(await page.locator('#events').innerText(), /fault/i, 'nor does the alert log');
    await waitDone(page, { stillBusyOk: true });
    const prompt = page.locator('#prompt-ssc-node1');
    await prompt.waitFor({ state: 'visible' });
    assert.match(await prompt.innerText(), /Restart the system now\?/);
    await prompt.scrollIntoViewIfNeeded();
    await shot(page, 'dialog');
    await click(page, '#prompt-yes-ssc-node1');
    assert.equal(await page.locator('#prompt-ssc-node1').count(), 0, 'the prompt is answered');
    // Carry on; what the installer on ssc-node2 does now is not this case's business.
    if (await page.locator('#install-ssc-node2').count()) {
      await click(page, '#install-ssc-node2', { refusalOk: true });
    }
    await click(page, '#wait-done', { refusalOk: true });
    for (let minute = 0; minute < 10; minute++) {
      await click(page, '#wait-60', { refusalOk: true });
    }
    // The keys rolled back, and the node went down while suspended: red alerts, highlighted.
    const alerts = page.locator('#alerts');
    assert.equal(await alerts.getAttribute('role'), 'alert');
    const alerted = await alerts.innerText();
    assert.match(alerted, /restored its image/, alerted);
    assert.match(alerted, /node down/, alerted);
    assert.ok((await page.locator('#events mark.alert-line').count()) >= 2, 'the event log highlights them');
    await alerts.scrollIntoViewIfNeeded();
    await shot(page, 'alerts');
    await toDebrief(page);
    await shot(page, 'debrief');
    const all = await verdicts(page);
    assert.equal(all['reboot-while-suspended'], 'violated', JSON.stringify(all));
    assert.equal(all['registry-rolled-back'], 'violated', JSON.stringify(all));
    const moment = await page.locator('tr[data-invariant="registry-rolled-back"] .moment').innerText();
    assert.match(moment, CLOCK, `the moment the keys were lost: ${moment}`);
    assert.match(await page.locator('#scenario-faults').innerText(), /asks for a restart/);
    const first = page.locator('#first-mistake');
    assert.match(await first.innerText(), /reboot-while-suspended/);
    const correct = await first
      .locator('p.correct')
      .evaluate((p) => [...p.childNodes].filter((n) => n.nodeName !== 'STRONG').map((n) => n.textContent).join('').trim());
    assert.match(correct, /^Answer No/, `the correct next action: ${correct}`);
  },

  /** No Stop Monitoring: the Task Manager watch restarts a service under the installer. */
  async 'skip-monitoring'(page, url) {
    await page.goto(url);
    await click(page, '#start');
    await unzipBoth(page, SEED_FOLDER);
    await suspend(page);
    await stopPvm(page);
    await install(page, 'ssc-node1', SEED_FOLDER);
    const log = page.locator('#events');
    const text = await log.innerText();
    assert.match(text, /started by the Task Manager watch/, `the event log:\n${text}`);
    // The installer cut short is a red alert and a highlighted line, until acknowledged.
    assert.match(await page.locator('#alerts').innerText(), /installer interrupted/);
    assert.match(await page.locator('#events mark.alert-line').first().innerText(), /installer interrupted/);
    await click(page, '#clear-alerts');
    assert.equal(await page.locator('#alerts').count(), 0, 'acknowledged');
    // The newest lines come first, where the watch's restart is.
    await log.scrollIntoViewIfNeeded();
    await shot(page, 'log');
    await install(page, 'ssc-node2', SEED_FOLDER);
    await resumeAndMove(page);
    await toDebrief(page);
    await shot(page, 'debrief');
    const all = await verdicts(page);
    assert.equal(all['monitoring-during-apply'], 'violated', JSON.stringify(all));
    assert.match(await page.locator('#first-mistake').innerText(), /monitoring-during-apply/);
    assert.notEqual(await page.locator('#score').innerText(), '100');
  },

  /** A Japanese browser gets Japanese screens and debrief; the switch goes both ways. */
  async japanese(page, url) {
    await page.goto(url);
    assert.equal(await page.locator('html').getAttribute('lang'), 'ja', 'the landing page follows Accept-Language');
    await shot(page, 'landing');
    await click(page, '#start');
    const lang = () => page.locator('html').getAttribute('lang');
    assert.equal(await lang(), 'ja');
    assert.equal((await page.locator('#suspend-cluster').innerText()).trim(), 'クラスタサスペンド');
    await stepNext(page, 'unzip');
    assert.match(await page.locator('#checklist li[data-step="unzip"] .notes').innerText(), /ミラーディスクは絶対に使用しないでください/);
    // Careless: Resume Cluster on a cluster never suspended is refused and called out of order.
    const said = await confirmClick(page, '#resume-cluster', { refusalOk: true, question: /クラスタ: 「クラスタリジューム」を実行しますか？/ });
    assert.match(said, /リジュームできません/, said);
    assert.match(said, /手順の順序と異なります。手順書が今求めているのは手順「1 ソフトウェアを解凍する」です。/, said);
    // The hint shows the next step and the click that does it.
    await click(page, '#hint');
    const hint = await page.locator('#hint-box').innerText();
    assert.match(hint, /1 ソフトウェアを解凍する/, hint);
    assert.match(hint, /画面での操作: ファイル \(ssc-node1\): すべて展開/, hint);
    await shot(page, 'page');
    await click(page, '#lang-en');
    assert.equal(await lang(), 'en');
    assert.equal((await page.locator('#suspend-cluster').innerText()).trim(), 'Suspend Cluster');
    await click(page, '#lang-ja');
    assert.equal(await lang(), 'ja');
    assert.equal((await page.locator('#suspend-cluster').innerText()).trim(), 'クラスタサスペンド');
    // The choice sticks without the query (the cookie), even on a plain reload.
    await page.goto(page.url().replace(/\?.*$/, ''));
    assert.equal(await lang(), 'ja');
    // From the keyboard alone: Tab through the header to "Wait 1 min" and press Enter.
    const before = await clock(page);
    let focused = '';
    for (let i = 0; i < 10 && focused !== 'wait-60'; i++) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement?.id ?? '');
    }
    assert.equal(focused, 'wait-60', 'Tab reaches the wait buttons');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.keyboard.press('Enter')]);
    assert.notEqual(await clock(page), before, 'Enter on a focused button acts');
    assert.match(await clock(page), /^00:01:0\d$/, `a minute passed: ${await clock(page)}`);
    await toDebrief(page, '#give-up');
    assert.equal(await page.locator('html[lang=ja]').count(), 1, 'the debrief is in Japanese');
    assert.match(await page.locator('h1').innerText(), /振り返り: SSC0307-0006 を EXPRESSCLUSTER X 3\.3 のクラスタにインストールする/);
    assert.match(await page.locator('#out-of-order').innerText(), /クラスタリジューム/);
    assert.match(await page.locator('#score-parts').innerText(), /手順を完了していないため/);
    await shot(page, 'debrief');
  },

  /**
   * Both languages at 1024 and 1366 px: the session page (both Services panels open, an
   * alert shown) and the debrief fit without sideways scroll; no request fails (the icon).
   */
  async layout(page, url) {
    const failed = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(url);
    await click(page, '#start');
    const session = page.url();
    // An alert and a monitor's last error on the screens: PVMService stopped with the cluster
    // running, its monitor recovers it.
    await clickEvery(page, 'stopmon-ssc-node1-');
    await serviceButton(page, 'ssc-node1', 'stop-ssc-node1-pvmservice');
    for (let i = 0; i < 10 && !(await page.locator('#alerts').count()); i++) {
      await click(page, '#wait-60', { refusalOk: true });
    }
    assert.equal(await page.locator('#alerts').count(), 1, 'the monitor\'s recovery is an alert');
    assert.ok((await page.locator('.last-error').count()) > 0, 'the monitor keeps its last error');
    await openServices(page, 'ssc-node2');
    for (const lang of ['en', 'ja']) {
      for (const width of [1024, 1366]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${session}?lang=${lang}`);
        await noSidewaysScroll(page, `the ${lang} page at ${width} px`);
        const panel = await page.locator('#node-ssc-node1').boundingBox();
        const button = await page.locator('#node-ssc-node1 button[id^="startmon-"]').first().boundingBox();
        assert.ok(button.x + button.width <= panel.x + panel.width + 1, `the Task Manager's buttons fit their panel at ${width} px`);
        await shot(page, `page-${lang}-${width}`);
      }
    }
    await page.goto(session);
    await click(page, '#give-up');
    for (const lang of ['en', 'ja']) {
      for (const width of [1024, 1366]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${session}/debrief?lang=${lang}`);
        await noSidewaysScroll(page, `the ${lang} debrief at ${width} px`);
        const verdict = await page.locator('td.verdict').first().boundingBox();
        assert.ok(verdict.height < 30, `the verdict is one line at ${width} px (${verdict.height} px high)`);
        await shot(page, `debrief-${lang}-${width}`);
      }
    }
    assert.deepEqual(failed, [], 'no request failed');
  },
};

const CONTEXTS = {
  japanese: { locale: 'ja-JP', extraHTTPHeaders: { 'Accept-Language': 'ja' } },
};

/**
 * Runs the case named on the command line (`node SCRIPT CASE URL OUTDIR`) from `cases`, in a
 * browser context with `contexts[CASE]`'s options; exits 0 when it passed, 1 when it failed,
 * 2 on bad arguments. The other scripts here run their cases through it too.
 */
export async function runCase(script, cases, contexts = {}) {
  const [name, url, dir] = process.argv.slice(2);
  if (!Object.hasOwn(cases, name ?? '') || !url || !dir) {
    console.error(`usage: node ${script} CASE URL OUTDIR\n  CASE: ${Object.keys(cases).join(', ')}`);
    process.exit(2);
  }
  caseName = name;
  outdir = dir;
  mkdirSync(outdir, { recursive: true });
  const watchdog = setTimeout(() => {
    console.error(`${name}: FAILED: the case took more than ${CASE_TIMEOUT / 1000} s`);
    process.exit(1);
  }, CASE_TIMEOUT);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  let page;
  try {
    const context = await browser.newContext({ viewport: VIEWPORT, locale: 'en-US', ...contexts[name] });
    context.setDefaultTimeout(STEP_TIMEOUT);
    page = await context.newPage();
    page.on('pageerror', (error) => console.error(`the page's script failed: ${error.message}`));
    await cases[name](page, url);
    console.log(`${name}: passed`);
  } catch (error) {
    if (page) {
      await shot(page, 'failure').catch(() => {});
      console.error(`${name}: the page was ${page.url()}`);
    }
    throw error;
  } finally {
    await browser.close();
    clearTimeout(watchdog);
  }
}

// Run only as a script, not when another script imports the helpers above.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runCase('train.mjs', CASES, CONTEXTS).catch((error) => {
    console.error(`${caseName || 'train.mjs'}: FAILED: ${error.stack ?? error}`);
    process.exit(1);
  });
}
