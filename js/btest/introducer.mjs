// Helpers of the suites that drive js/internal/introducer (a Go peer B
// and its second peer C): its output lines, a page's Peer paired with B
// by code, and the order of IDs.

// line waits for a line of the introducer's stdout that starts with prefix.
export async function line(go, prefix, ms = 30000) {
  let found;
  await go.until(() => (found = go.out.toString().split('\n').find((l) => l.startsWith(prefix))), ms, `"${prefix}"`);
  return found.slice(prefix.length);
}

// openPeer opens the page's Peer (in memory, named name, with Peer.open's
// options opts) and records its joins (T.joined) and messages (T.got);
// resolves with its ID text.
export function openPeer(page, name, opts = {}) {
  return page.evaluate(async (n, o) => {
    T.peer = await T.P.Peer.open({ name: n, persist: false, ...o });
    T.joined = [];
    T.got = [];
    T.peer.on('joined', (s) => T.joined.push(s.idText));
    T.peer.on('data', (s, b) => T.got.push(`${s.idText}: ${new TextDecoder().decode(b)}`));
    return T.peer.idText;
  }, name, opts);
}

// pairGo pairs the page's Peer with the introducer go by code (the page
// offers): {me, them} (ID texts).
export async function pairGo(page, go) {
  const offer = await page.evaluate(async () => { T.first = T.peer.pair(); return T.first.offer(); });
  go.out = Buffer.alloc(0); // each answer is the next "answer " line
  go.write(`answer ${offer}\n`);
  const answer = await line(go, 'answer ');
  return page.evaluate(async (a) => {
    await T.first.connect(a);
    const s = await T.first.session;
    return { me: T.peer.idText, them: s.idText };
  }, answer);
}

// pairWith opens the page's Peer (openPeer) and pairs it with the
// introducer go by code (pairGo): {me, them} (ID texts).
export async function pairWith(page, go, name, opts = {}) {
  await openPeer(page, name, opts);
  return pairGo(page, go);
}

// openOrdered opens the pages' Peers (openPeer), again until lo's ID is
// lower than hi's, and returns their IDs.
export async function openOrdered(lo, hi, names = ['lo', 'hi']) {
  for (let i = 0; i < 32; i++) {
    const ids = [await openPeer(lo, names[0]), await openPeer(hi, names[1])];
    if (lessID(...ids)) return ids;
  }
  throw new Error('no ordered pair of IDs in 32 tries');
}

// lessID compares two IDs' text forms as their bytes (base32: a–z, then 2–7).
const B32 = 'abcdefghijklmnopqrstuvwxyz234567';
export const lessID = (x, y) => {
  const i = [...x].findIndex((ch, k) => ch !== y[k]);
  return i >= 0 && B32.indexOf(x[i]) < B32.indexOf(y[i]);
};

// bothWays checks a message each way between page A's session T.cs and
// the introducer b's second peer C (its ID cID; A's is aID).
export async function bothWays(a, b, aID, cID) {
  await a.evaluate(() => T.cs.send('after'));
  await line(b, `got2 ${aID} after`);
  b.write(`send2 ${aID} and back\n`);
  await a.waitForFunction((want) => T.got.includes(want), { timeout: 30000, polling: 50 }, `${cID}: and back`);
}
