// Makes data-channel offers and answers with browsers (Chromium and Firefox
// ESR from Debian, driven by puppeteer-core) and npm WebRTC stacks
// (node-datachannel: libdatachannel; @roamhq/wrtc: libwebrtc; werift), each
// offer with one data channel and complete gathering, each answer made by a
// second peer connection of the same stack, all with the STUN/TURN server
// that testdata/stacks/gen runs on 127.0.0.1. Prints one JSON line per
// description: {name, stack, version, type, how, sdp}. Run by
// `go run ./testdata/stacks/gen -node` after `npm ci` in npm/.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, 'npm', 'package.json'));
const ice = [{ urls: process.env.PEER_TURN.replace('turn:', 'stun:') },
  { urls: process.env.PEER_TURN + '?transport=udp', username: process.env.PEER_TURN_USER, credential: process.env.PEER_TURN_PASS }];
const version = (pkg) => JSON.parse(readFileSync(join(here, 'npm', 'node_modules', pkg, 'package.json'), 'utf8')).version;
const out = (name, stack, ver, type, how, sdp) => console.log(JSON.stringify({ name, stack, version: ver, type, how, sdp }));

// pair makes an offer and its answer with two peer connections of one
// stack: mk() returns a peer connection, gathered(pc) waits for complete
// gathering.
async function pair(mk, gathered) {
  const a = mk(), b = mk();
  a.createDataChannel('peer');
  await a.setLocalDescription(await a.createOffer());
  await gathered(a);
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await gathered(b);
  const r = [a.localDescription.sdp, b.localDescription.sdp];
  await a.close(); await b.close();
  return r;
}

const w3cGathered = (pc) => new Promise((resolve) => {
  if (pc.iceGatheringState === 'complete') resolve();
  pc.addEventListener?.('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve());
  pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
  setTimeout(resolve, 10000);
});

async function npmStacks() {
  const ndc = require('node-datachannel/polyfill');
  let [o, a] = await pair(() => new ndc.RTCPeerConnection({ iceServers: ice }), w3cGathered);
  out('libdatachannel-offer-turn', 'libdatachannel', 'node-datachannel ' + version('node-datachannel'), 'offer', 'node-datachannel polyfill RTCPeerConnection, STUN/TURN on 127.0.0.1', o);
  out('libdatachannel-answer-turn', 'libdatachannel', 'node-datachannel ' + version('node-datachannel'), 'answer', 'node-datachannel polyfill RTCPeerConnection, STUN/TURN on 127.0.0.1', a);
  const wrtc = require('@roamhq/wrtc');
  [o, a] = await pair(() => new wrtc.RTCPeerConnection({ iceServers: ice }), w3cGathered);
  out('libwebrtc-offer-turn', 'libwebrtc', '@roamhq/wrtc ' + version('@roamhq/wrtc'), 'offer', '@roamhq/wrtc RTCPeerConnection, STUN/TURN on 127.0.0.1', o);
  out('libwebrtc-answer-turn', 'libwebrtc', '@roamhq/wrtc ' + version('@roamhq/wrtc'), 'answer', '@roamhq/wrtc RTCPeerConnection, STUN/TURN on 127.0.0.1', a);
  const werift = require('werift');
  const wg = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.iceGatheringStateChange.subscribe((s) => s === 'complete' && resolve());
    setTimeout(resolve, 10000);
  });
  [o, a] = await pair(() => new werift.RTCPeerConnection({ iceServers: ice }), wg);
  out('werift-offer-turn', 'werift', 'werift ' + version('werift'), 'offer', 'werift RTCPeerConnection, STUN/TURN on 127.0.0.1', o);
  out('werift-answer-turn', 'werift', 'werift ' + version('werift'), 'answer', 'werift RTCPeerConnection, STUN/TURN on 127.0.0.1', a);
}

// inPage runs pair() in a browser page.
const inPage = (iceServers) => (async (servers) => {
  const gathered = (pc) => new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') resolve();
    pc.onicegatheringstatechange = () => pc.iceGatheringState === 'complete' && resolve();
    setTimeout(resolve, 10000);
  });
  const a = new RTCPeerConnection({ iceServers: servers }), b = new RTCPeerConnection({ iceServers: servers });
  a.createDataChannel('peer');
  await a.setLocalDescription(await a.createOffer());
  await gathered(a);
  await b.setRemoteDescription(a.localDescription);
  await b.setLocalDescription(await b.createAnswer());
  await gathered(b);
  const r = [a.localDescription.sdp, b.localDescription.sdp];
  a.close(); b.close();
  return r;
})(iceServers);

async function browsers() {
  const puppeteer = require('puppeteer-core');
  const chromeArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE *.local'];
  for (const [variant, extra, how] of [['mdns', [], 'default settings (mDNS host candidates)'],
    ['plain', ['--disable-features=WebRtcHideLocalIpsWithMdns'], '--disable-features=WebRtcHideLocalIpsWithMdns (IP host candidates)']]) {
    const b = await puppeteer.launch({ browser: 'chrome', executablePath: '/usr/bin/chromium', headless: true, args: [...chromeArgs, ...extra] });
    const ver = 'Chromium ' + (await b.version()).replace(/^[^/]*\//, '');
    const page = await b.newPage();
    const [o, a] = await page.evaluate(inPage, ice);
    out(`chromium-offer-turn-${variant}`, 'chromium', ver, 'offer', `headless Chromium, ${how}, STUN/TURN on 127.0.0.1`, o);
    out(`chromium-answer-turn-${variant}`, 'chromium', ver, 'answer', `headless Chromium, ${how}, STUN/TURN on 127.0.0.1`, a);
    await b.close();
  }
  for (const [variant, obfuscate, how] of [['mdns', true, 'default settings (mDNS host candidates)'],
    ['plain', false, 'media.peerconnection.ice.obfuscate_host_addresses false (IP host candidates)']]) {
    const b = await puppeteer.launch({ browser: 'firefox', executablePath: '/usr/bin/firefox-esr', headless: true,
      extraPrefsFirefox: { 'media.peerconnection.ice.obfuscate_host_addresses': obfuscate, 'media.peerconnection.ice.loopback': true, 'app.update.enabled': false,
        'browser.safebrowsing.malware.enabled': false, 'browser.safebrowsing.phishing.enabled': false, 'services.settings.server': 'http://127.0.0.1:9/' } });
    const ver = 'Firefox ESR ' + (await b.version()).replace(/^[^/]*\//, '');
    const page = await b.newPage();
    const [o, a] = await page.evaluate(inPage, ice);
    out(`firefox-offer-turn-${variant}`, 'firefox', ver, 'offer', `headless Firefox ESR, ${how}, STUN/TURN on 127.0.0.1`, o);
    out(`firefox-answer-turn-${variant}`, 'firefox', ver, 'answer', `headless Firefox ESR, ${how}, STUN/TURN on 127.0.0.1`, a);
    await b.close();
  }
}

await npmStacks();
await browsers();
process.exit(0);
