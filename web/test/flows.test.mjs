// The page's flows as a person goes through them, in Chromium at a phone's
// width, with a screenshot of each screen (L.SCREENS, web/README.md): the
// start screen, an offer with its answer controls below it, an answer, a
// session, after a Disconnect (and starting again), a damaged code, peer
// serve pairing again after a hang-up (a second page told why it cannot
// pair, an old link told it is old), a frame after the end of the stream,
// and no failed request (the favicon).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from './lib.mjs';

const WIDTH = 420; // a phone's width (CSS pixels)

// visible tells which of the page's sections a person sees, in document
// order (laid out, whatever the hidden attribute says).
async function visible(page) {
  return page.evaluate(() => [...document.querySelectorAll('main > section, main > div')]
    .filter((e) => e.getClientRects().length > 0).map((e) => e.id));
}

async function shown(page, id) {
  return page.evaluate((id) => document.getElementById(id).getClientRects().length > 0, id);
}

async function text(page, id) {
  return page.evaluate((id) => document.getElementById(id).textContent, id);
}

// pairPages connects two pages (offerer, answerer) through the offer's
// link and the answer's pasted code, with screenshots of the steps.
async function pairPages(b, srv, shots) {
  const po = await L.openPage(b, srv.url, { width: WIDTH });
  assert.deepEqual(await visible(po), ['start', 'read'], 'the start screen');
  if (shots) await L.screenshot(po, '01-start');
  await L.click(po, '#btn-offer');
  const offer = await L.myCode(po);
  // The answer's controls come after the offer, as its hint says ("below").
  assert.deepEqual(await visible(po), ['mine', 'read', 'again'], 'the offer screen');
  assert.match(await text(po, 'mine-hint'), /below/);
  assert.equal(await text(po, 'read-title'), 'Then read its answer');
  if (shots) await L.screenshot(po, '02-offer');
  const pa = await L.openPage(b, offer.link, { width: WIDTH });
  const answer = await L.myCode(pa);
  assert.deepEqual(await visible(pa), ['mine', 'again'], 'the answer screen');
  if (shots) await L.screenshot(pa, '03-answer');
  await L.paste(po, answer.code);
  await Promise.all([L.waitState(po, 'connected'), L.waitState(pa, 'connected')]);
  return { po, pa };
}

test('two pages: offer, answer, session, Disconnect, start again', { timeout: 120000 }, async () => {
  const srv = await L.serve();
  const b = await L.launch('chromium', { mdns: false });
  try {
    const { po, pa } = await pairPages(b, srv, true);
    assert.equal(await po.evaluate(() => document.activeElement?.id), 'chat-input', 'a chat puts the cursor in the message box');
    await L.sendChat(po, 'hello from the offerer');
    await L.waitChat(pa, 'hello from the offerer');
    await L.sendRandomFile(pa, 'notes.bin', 40000, false);
    await L.receivedFile(po, 'notes.bin');
    assert.deepEqual(await visible(po), ['session'], 'the session screen');
    await L.screenshot(po, '04-session');

    await L.click(po, '#btn-hangup');
    await L.waitState(pa, 'closed');
    for (const [p, name] of [[po, '05-disconnected'], [pa, '06-disconnected-by-the-other']]) {
      assert.deepEqual(await visible(p), ['session', 'again'], `${name}: the log stays, with a way to start again`);
      assert.equal(await p.evaluate(() => document.getElementById('chat-input').disabled), true, `${name}: no more sending`);
      assert.equal(await shown(p, 'btn-hangup'), false, `${name}: no Disconnect`);
      assert.equal(await text(p, 'btn-again'), 'Start again');
      await L.screenshot(p, name);
    }
    await L.click(po, '#btn-again');
    await po.waitForFunction(() => peerApp.state === 'idle', { timeout: 5000, polling: 100 });
    assert.deepEqual(await visible(po), ['start', 'read'], 'back to the start screen');
    assert.equal(await po.evaluate(() => document.getElementById('chat-log').children.length), 0, 'a fresh log');
    assert.match(await po.evaluate(() => document.getElementById('downloads').textContent), /notes\.bin/, 'received files stay');
    await L.screenshot(po, '07-started-again');
    // And it pairs again.
    await L.click(po, '#btn-offer');
    await L.myCode(po);

    const pe = await L.openPage(b, srv.url, { width: WIDTH });
    const good = (await L.myCode(po)).code;
    await L.paste(pe, good.slice(0, -4));
    await pe.waitForFunction(() => peerApp.error?.class === 'malformed', { timeout: 5000, polling: 100 });
    assert.match(await text(pe, 'error'), /damaged.*Copy or scan it again/);
    await L.screenshot(pe, '08-damaged-code');
    for (const p of [po, pa, pe]) assert.deepEqual(p.failed, [], 'no request failed (favicon included)');
  } finally {
    await L.closeAll(b);
    await srv.stop();
  }
});

test('peer serve pairs again after a Disconnect and a closed tab; other pages are told why they cannot pair', { timeout: 120000 }, async () => {
  const go = await L.serve(['-loopback']);
  const b = await L.launch('chromium', { mdns: false });
  try {
    const first = await L.openPage(b, go.pageLink, { width: WIDTH });
    assert.equal(await shown(first, 'btn-serve'), true);
    await L.screenshot(first, '10-serve-start');
    await L.click(first, '#btn-serve');
    await L.waitState(first, 'connected');

    // A second page with the same link: peer serve is busy, and it says so.
    const second = await L.openPage(b, go.link, { width: WIDTH });
    await second.waitForFunction(() => peerApp.error, { timeout: 5000, polling: 100 });
    assert.equal(await second.evaluate(() => peerApp.error.class), 'state');
    assert.equal(await shown(second, 'btn-serve'), false);
    assert.match(await text(second, 'error'), /paired with another page/);
    assert.equal(await shown(second, 'serve-note'), false, 'said once');
    await L.screenshot(second, '11-serve-busy');

    // The page's Disconnect: serve stays, with a new link.
    const oldLink = go.link;
    await L.click(first, '#btn-hangup');
    await L.nextLink(go);
    assert.notEqual(go.link, oldLink);
    assert.equal(go.code, undefined, `peer serve exited (${go.code}): ${go.err}`);
    assert.match(go.err, /the page hung up/);
    await L.click(first, '#btn-again');
    await first.waitForFunction(() => peerApp.state === 'idle', { timeout: 5000, polling: 100 });
    assert.match(await text(first, 'serve-note'), /earlier pairing/, 'the first page\'s secret is an old one now');
    await L.screenshot(first, '12-serve-old-link');

    // The new link pairs (one scan); closing that tab hangs up at once.
    const third = await L.openPage(b, go.link, { width: WIDTH });
    await L.waitState(third, 'connected');
    assert.match(await text(third, 'chat-log'), /Connected to peer serve on the computer: what you send comes out on its stdout/);
    await L.screenshot(third, '13-serve-session');
    const before = go.link;
    await third.close({ runBeforeUnload: false });
    await L.nextLink(go, 8000); // pagehide sent CLOSE: well before serve's 10 s dead-peer deadline
    assert.notEqual(go.link, before);
    go.proc.kill('SIGINT');
    assert.equal(await go.waitExit(10000), 0, `Ctrl-C: status 0; stderr:\n${go.err}`);
  } finally {
    await L.closeAll(b);
    await go.stop();
  }
});

test('after the peer\'s end of stream, any frame but CLOSE is a protocol error (FRAMING.md §2)', { timeout: 120000 }, async () => {
  const srv = await L.serve();
  const b = await L.launch('chromium', { mdns: false });
  try {
    // An ignorable frame (0x40, which peers skip) after the end-of-stream.
    let { po, pa } = await pairPages(b, srv, false);
    await po.evaluate(async () => { await peerApp.endStream(); await peerApp.sendRawFrame([0x40, 0x7b, 0x7d]); });
    await pa.waitForFunction(() => peerApp.state === 'failed', { timeout: 10000, polling: 100 });
    assert.equal(await pa.evaluate(() => peerApp.error.class), 'protocol');
    assert.match(await text(pa, 'error'), /after the end of the stream/);
    assert.deepEqual(await visible(pa), ['error', 'session', 'again']);
    await L.screenshot(pa, '14-protocol-error');
    // A CLOSE after the end-of-stream is the normal end.
    ({ po, pa } = await pairPages(b, srv, false));
    await po.evaluate(async () => { await peerApp.endStream(); await peerApp.sendRawFrame([0x03]); });
    await pa.waitForFunction(() => peerApp.state === 'closed', { timeout: 10000, polling: 100 });
    assert.equal(await pa.evaluate(() => peerApp.error), null);
  } finally {
    await L.closeAll(b);
    await srv.stop();
  }
});

test('the dark theme: the offer screen', { timeout: 60000 }, async () => {
  const srv = await L.serve();
  const b = await L.launch('chromium', { mdns: false });
  try {
    const page = await b.newPage();
    await page.setViewport({ width: WIDTH, height: 800 });
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await page.goto(srv.url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.peerApp && peerApp.state === 'idle', { timeout: 15000, polling: 100 });
    await L.click(page, '#btn-offer');
    await page.waitForFunction(() => peerApp.state === 'offering', { timeout: 15000, polling: 100 });
    await L.screenshot(page, '15-offer-dark');
  } finally {
    await L.closeAll(b);
    await srv.stop();
  }
});
