// Prints the size (minified, then gzip -9) of the peer library alone (the
// codec left out), of the codec alone, and of both in one bundle.
//
//   npm run size
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { options } from './build-peer.mjs';

const js = join(dirname(fileURLToPath(import.meta.url)), '..');

async function size(extra) {
  const r = await build({ ...options, banner: {}, minify: true, write: false, ...extra });
  const b = r.outputFiles[0].contents;
  return { min: b.length, gzip: gzipSync(b, { level: 9 }).length };
}

const rows = [
  ['peer library alone (dist/peer.js, minified)', await size({})],
  ['codec alone (dist/peer-codec.js, minified)', await size({ entryPoints: [join(js, 'src', 'index.js')] })],
  ['peer library with the codec, one bundle', await size({ plugins: [] })],
];
for (const [name, s] of rows) console.log(`${name.padEnd(46)} ${String(s.min).padStart(7)} B minified ${String(s.gzip).padStart(7)} B gzip`);
