// IP address parsing and canonical text (SPEC.md §3.1, §3.2): dotted IPv4
// without leading zeros, IPv6 in any RFC 4291 form, printed as RFC 5952.

/** parseIPv4 returns 4 bytes or null. */
export function parseIPv4(s) {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  const b = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^[0-9]{1,3}$/.test(p) || (p.length > 1 && p[0] === '0')) return null;
    const v = Number(p);
    if (v > 255) return null;
    b[i] = v;
  }
  return b;
}

/** parseIPv6 returns {bytes, zone} or null. */
export function parseIPv6(s) {
  let zone = '';
  const pct = s.indexOf('%');
  if (pct >= 0) {
    zone = s.slice(pct + 1);
    s = s.slice(0, pct);
    if (zone === '') return null;
  }
  const b = new Uint8Array(16);
  let ellipsis = -1;
  let i = 0; // byte index
  let rest = s;
  if (rest.startsWith('::')) { ellipsis = 0; rest = rest.slice(2); if (rest === '') return { bytes: b, zone }; }
  while (rest.length > 0) {
    // hex group or trailing IPv4
    const m = /^[0-9a-fA-F]{1,4}/.exec(rest);
    if (!m) return null;
    if (rest[m[0].length] === '.') {
      if (i > 12) return null;
      const v4 = parseIPv4(rest);
      if (!v4) return null;
      b.set(v4, i); i += 4; rest = '';
      break;
    }
    const v = parseInt(m[0], 16);
    if (i >= 16) return null;
    b[i] = v >> 8; b[i + 1] = v & 0xff; i += 2;
    rest = rest.slice(m[0].length);
    if (rest === '') break;
    if (rest[0] !== ':') return null;
    if (rest.startsWith('::')) {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      rest = rest.slice(2);
      if (rest === '') break;
    } else {
      rest = rest.slice(1);
      if (rest === '') return null;
    }
  }
  if (i < 16) {
    if (ellipsis < 0) return null;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) b[j + n] = b[j];
    for (let j = ellipsis; j < ellipsis + n; j++) b[j] = 0;
  } else if (ellipsis >= 0) {
    return null;
  }
  return { bytes: b, zone };
}

/** parseIP returns {v4: bool, bytes, zone} (Go netip.ParseAddr) or null. */
export function parseIP(s) {
  if (s.includes(':')) {
    const r = parseIPv6(s);
    return r ? { v4: false, bytes: r.bytes, zone: r.zone } : null;
  }
  const b = parseIPv4(s);
  return b ? { v4: true, bytes: b, zone: '' } : null;
}

export function formatIPv4(b) {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** formatIPv6 prints 16 bytes as RFC 5952 text (IPv4-mapped as ::ffff:a.b.c.d). */
export function formatIPv6(b) {
  let mapped = true;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) mapped = false;
  if (mapped && b[10] === 0xff && b[11] === 0xff) return '::ffff:' + formatIPv4(b.subarray(12));
  const g = [];
  for (let i = 0; i < 16; i += 2) g.push((b[i] << 8) | b[i + 1]);
  let bestS = -1, bestL = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestL && j - i >= 2) { bestS = i; bestL = j - i; }
    i = j;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestS) { s += '::'; i += bestL - 1; continue; }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += g[i].toString(16);
  }
  return s;
}

/** isDomainName: labels of A–Z a–z 0–9 - _ (SPEC.md §3.1). */
export function isDomainName(s) {
  if (s === '' || s.length > 255) return false;
  if (s.endsWith('.')) s = s.slice(0, -1);
  for (const label of s.split('.')) {
    if (label === '' || label.length > 63 || !/^[A-Za-z0-9_-]+$/.test(label)) return false;
  }
  return true;
}

/** validAddress: an IP address or a domain name (SPEC.md §3.1). */
export function validAddress(s) {
  return parseIP(s) !== null || isDomainName(s);
}

/** isPrivate: loopback, private (RFC 1918, RFC 4193) or link-local unicast. */
export function isPrivateIP(ip) {
  const b = ip.bytes;
  if (ip.v4) {
    return b[0] === 127 || b[0] === 10 || (b[0] === 172 && (b[1] & 0xf0) === 16) ||
      (b[0] === 192 && b[1] === 168) || (b[0] === 169 && b[1] === 254);
  }
  // Like Go's netip, an IPv4-mapped IPv6 address is judged as IPv4.
  let mapped = b[10] === 0xff && b[11] === 0xff;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) mapped = false;
  if (mapped) return isPrivateIP({ v4: true, bytes: b.subarray(12) });
  let loop = b[15] === 1;
  for (let i = 0; i < 15; i++) if (b[i] !== 0) loop = false;
  return loop || (b[0] & 0xfe) === 0xfc || (b[0] === 0xfe && (b[1] & 0xc0) === 0x80);
}
