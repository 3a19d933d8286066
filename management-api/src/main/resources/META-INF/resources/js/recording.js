// A session recording read in the browser (the format is protocol's org.cam.protocol.recording: segments of
// compressed records, each chained to the one before by SHA-256). Each segment names its codec: LZ4 (what the broker
// writes by default) is decoded by lz4Frame below, zlib (older recordings, and the broker's stored segments) by the
// browser's own DecompressionStream ('deflate' is the zlib format). Not on the server: management-api serves the
// file as stored (the audited bytes, with range requests) and spends no CPU on players, and the chain is checked on
// the very bytes that are played.

const MAGIC = [0x43, 0x41, 0x4d, 0x52]; // "CAMR"
const HEADER_LENGTH = 25;
const DIGEST_LENGTH = 32;
const ZLIB = 1;
const LZ4 = 2;

export const HEADER = 0;
export const DEVICE = 1;
export const KEY = 2;
export const POINTER = 3;
export const CLIPBOARD = 4;
export const CLIENT_CONTROL = 5;
export const KEYFRAME = 6;
export const END = 7;

const u32 = (b, o) => ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
const u16 = (b, o) => (b[o] << 8) | b[o + 1];
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
const utf8 = new TextDecoder('utf-8');

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// ---- LZ4: exactly the frame profile of protocol's Lz4Frame -------------------------------------------------------
// Written here rather than taken from npm: the LZ4 block format is a fixed specification of a few dozen lines, the npm
// decoders are CommonJS without an ES module build (lz4js, unchanged since 2017) or WebAssembly (which the page's CSP
// does not allow), and the bytes reach it only after their SHA-256 chain has held. Every read and write is bounds
// checked: a bad frame throws, it never reads or writes past its arrays.

/** magic, FLG (version 01, independent blocks, no checksums), BD (64 KiB blocks), header checksum */
const LZ4_HEADER = [0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82];
const LZ4_MAX_BLOCK = 65536;

function lz4Error(what) {
  return new Error('LZ4 segment payload: ' + what);
}

/** A length continued in 255-bytes (literal run or match length), from `p.at`. */
function lz4Length(src, p, end, n) {
  let b;
  do {
    if (p.at >= end) {
      throw lz4Error('a length runs past its block');
    }
    b = src[p.at++];
    n += b;
  } while (b === 255);
  return n;
}

/** Decodes the block src[start, end) into out from `o`, at most up to `limit`; returns where its output ends. */
function lz4Block(src, start, end, out, o, limit) {
  const blockStart = o;
  const p = { at: start };
  while (p.at < end) {
    const token = src[p.at++];
    let literals = token >>> 4;
    if (literals === 15) {
      literals = lz4Length(src, p, end, literals);
    }
    if (p.at + literals > end || o + literals > limit) {
      throw lz4Error('literals run past the block or the segment');
    }
    out.set(src.subarray(p.at, p.at + literals), o);
    p.at += literals;
    o += literals;
    if (p.at === end) {
      break; // the last sequence has literals only
    }
    if (p.at + 2 > end) {
      throw lz4Error('a match offset runs past its block');
    }
    const offset = src[p.at] | (src[p.at + 1] << 8);
    p.at += 2;
    if (offset === 0 || offset > o - blockStart) {
      throw lz4Error('a match points before its block');
    }
    let length = token & 15;
    if (length === 15) {
      length = lz4Length(src, p, end, length);
    }
    length += 4;
    if (o + length > limit) {
      throw lz4Error('a match runs past the segment');
    }
    const from = o - offset;
    if (offset >= length) {
      out.copyWithin(o, from, from + length);
    } else {
      for (let i = 0; i < length; i++) {
        out[o + i] = out[from + i]; // overlapping: the run repeats what it has just written
      }
    }
    o += length;
  }
  return o;
}

/** The `rawLength` bytes of an LZ4 segment payload (protocol's Lz4Frame). */
export function lz4Frame(src, rawLength) {
  if (src.length < LZ4_HEADER.length + 4 || LZ4_HEADER.some((x, i) => src[i] !== x)) {
    throw lz4Error('not the recording\'s LZ4 frame profile');
  }
  const out = new Uint8Array(rawLength);
  let s = LZ4_HEADER.length;
  let o = 0;
  for (;;) {
    if (s + 4 > src.length) {
      throw lz4Error('the frame ends inside a block size');
    }
    const word = (src[s] | (src[s + 1] << 8) | (src[s + 2] << 16) | (src[s + 3] << 24)) >>> 0;
    s += 4;
    if (word === 0) {
      break;
    }
    const size = word & 0x7fffffff;
    if (size > LZ4_MAX_BLOCK || s + size > src.length) {
      throw lz4Error('a block of ' + size + ' bytes does not fit');
    }
    const limit = Math.min(rawLength, o + LZ4_MAX_BLOCK);
    if (word & 0x80000000) {
      if (o + size > limit) {
        throw lz4Error('a stored block runs past the segment');
      }
      out.set(src.subarray(s, s + size), o);
      o += size;
    } else {
      o = lz4Block(src, s, s + size, out, o, limit);
    }
    s += size;
  }
  if (o !== rawLength || s !== src.length) {
    throw lz4Error('it gives ' + o + ' of ' + rawLength + ' bytes' + (s !== src.length ? ', bytes after its end' : ''));
  }
  return out;
}

/** The records' bytes of a segment, by its codec. */
function decompress(segment) {
  return segment.codec === LZ4 ? lz4Frame(segment.payload, segment.rawLength) : inflate(segment.payload);
}

async function sha256(...parts) {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  parts.forEach((p) => { joined.set(p, at); at += p.length; });
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

/**
 * Splits the file into segments and checks their chain. Returns {segments: [{index, first, last, payload}], intact,
 * problem, digest (hex of the last chained segment)}; everything from a broken segment on is left out, as the server
 * does. Without crypto.subtle (a page not served over HTTPS) the chain is not checked here: checkedHere is false and
 * the server's verification is all there is.
 */
export async function segments(file) {
  const b = new Uint8Array(file);
  const checkedHere = !!(globalThis.crypto && crypto.subtle);
  const out = [];
  let previous = new Uint8Array(DIGEST_LENGTH);
  const broken = (problem) => ({ segments: out, intact: false, problem, digest: hex(previous), checkedHere });
  let pos = 0;
  while (pos < b.length) {
    const at = 'segment ' + out.length + ' at byte ' + pos;
    if (b.length - pos < HEADER_LENGTH) {
      return broken('the file ends inside ' + at);
    }
    const codec = b[pos + 4];
    if (MAGIC.some((m, i) => b[pos + i] !== m) || (codec !== ZLIB && codec !== LZ4)) {
      return broken(at + ' has no segment header');
    }
    const index = u32(b, pos + 5);
    const compressed = u32(b, pos + 21);
    const end = pos + HEADER_LENGTH + compressed + DIGEST_LENGTH;
    if (end > b.length) {
      return broken('the file ends inside ' + at);
    }
    if (index !== out.length) {
      return broken(at + ' is numbered ' + index);
    }
    const signed = b.subarray(pos, pos + HEADER_LENGTH + compressed);
    const stored = b.subarray(pos + HEADER_LENGTH + compressed, end);
    if (checkedHere) {
      const d = await sha256(previous, signed);
      if (d.some((x, i) => x !== stored[i])) {
        return broken(at + ': its SHA-256 digest does not match');
      }
    }
    previous = stored;
    out.push({ index, codec, first: u32(b, pos + 9), last: u32(b, pos + 13), rawLength: u32(b, pos + 17),
      payload: b.subarray(pos + HEADER_LENGTH, pos + HEADER_LENGTH + compressed) });
    pos = end;
  }
  return { segments: out, intact: true, problem: null, digest: out.length ? hex(previous) : null, checkedHere };
}

function str(b, p) {
  const n = u16(b, p.at);
  const s = utf8.decode(b.subarray(p.at + 2, p.at + 2 + n));
  p.at += 2 + n;
  return s;
}

function header(b, off, len, time) {
  const p = { at: off + 2 };
  const h = { type: HEADER, time, version: u16(b, off) };
  h.sessionId = str(b, p);
  h.targetId = str(b, p);
  h.user = str(b, p);
  h.mode = str(b, p);
  h.startedAt = u32(b, p.at) * 4294967296 + u32(b, p.at + 4);
  h.width = u16(b, p.at + 8);
  h.height = u16(b, p.at + 10);
  h.pixelFormat = b.subarray(p.at + 12, p.at + 28);
  const n = u32(b, p.at + 28);
  h.serverInit = b.subarray(p.at + 32, p.at + 32 + n);
  return h;
}

/** The records of inflated segment bytes; device data and control messages are views, not copies. */
export function records(b) {
  const out = [];
  let pos = 0;
  while (pos + 9 <= b.length) {
    const type = b[pos];
    const time = u32(b, pos + 1);
    const n = u32(b, pos + 5);
    const off = pos + 9;
    if (off + n > b.length) {
      throw new Error('record at ' + pos + ' runs past its segment');
    }
    const data = b.subarray(off, off + n);
    switch (type) {
      case HEADER: out.push(header(b, off, n, time)); break;
      case DEVICE: out.push({ type, time, data }); break;
      case KEY: out.push({ type, time, down: b[off] !== 0, keysym: u32(b, off + 1) }); break;
      case POINTER: out.push({ type, time, mask: b[off], x: u16(b, off + 1), y: u16(b, off + 3) }); break;
      case CLIPBOARD: out.push({ type, time, text: utf8.decode(data) }); break;
      case CLIENT_CONTROL: out.push({ type, time, data }); break;
      case KEYFRAME: out.push({ type, time }); break;
      case END: out.push({ type, time, reason: utf8.decode(data) }); break;
      default: throw new Error('unknown record type ' + type + ' at ' + pos);
    }
    pos = off + n;
  }
  return out;
}

/** Every record of the chained segments, in order (zlib segments inflate in parallel). */
export async function allRecords(scan) {
  const decompressed = await Promise.all(scan.segments.map(decompress));
  return decompressed.flatMap(records);
}

// ---- the key log: protocol's KeyText, with each press's time ----------------------------------------------------

const NAMES = new Map([[0xff08, 'BackSpace'], [0xff09, 'Tab'], [0xff0d, 'Enter'], [0xff8d, 'Enter'],
  [0xff1b, 'Esc'], [0xffff, 'Delete'], [0xff50, 'Home'], [0xff51, 'Left'], [0xff52, 'Up'], [0xff53, 'Right'],
  [0xff54, 'Down'], [0xff55, 'PageUp'], [0xff56, 'PageDown'], [0xff57, 'End'], [0xff63, 'Insert'],
  [0xff13, 'Pause'], [0xff61, 'Print'], [0xff14, 'ScrollLock'], [0xff7f, 'NumLock'], [0xff67, 'Menu'],
  [0xfe20, 'Tab']]);
const SILENT = new Set([0xffe1, 0xffe2, 0xffe5, 0xfe03]); // Shift, Caps Lock, AltGr: their effect is in the keysym

export function character(k) {
  if ((k >= 0x20 && k <= 0x7e) || (k >= 0xa0 && k <= 0xff)) {
    return String.fromCharCode(k);
  }
  if (((k & 0xff000000) >>> 0) === 0x01000000) {
    const cp = k & 0x00ffffff;
    if (cp <= 0x10ffff && !(cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) && !(cp >= 0xd800 && cp <= 0xdfff)) {
      return String.fromCodePoint(cp);
    }
  }
  if (k >= 0xffaa && k <= 0xffb9) {
    return String.fromCharCode(k - 0xffaa + 42); // keypad * + , - . / 0-9
  }
  return null;
}

export function keyName(k) {
  if (k >= 0xffbe && k <= 0xffe0) {
    return '<F' + (k - 0xffbe + 1) + '>';
  }
  return '<' + (NAMES.get(k) || '0x' + k.toString(16)) + '>';
}

/**
 * The typed text as log entries {time, text}: a run of printable keys is one entry until a pause of more than
 * `gapMillis`, a special key or a combination; Enter ends an entry; clipboard text sent to the target is an entry of
 * its own ({clipboard: true}).
 */
export function keyLog(recs, gapMillis = 1500) {
  const out = [];
  let ctrl = false;
  let alt = false;
  let sup = false;
  let open = null;
  const close = () => { open = null; };
  const add = (time, text, join) => {
    if (join && open && time - open.last <= gapMillis) {
      open.text += text;
      open.last = time;
      return;
    }
    open = { time, last: time, text };
    out.push(open);
  };
  recs.forEach((r) => {
    if (r.type === CLIPBOARD) {
      close();
      out.push({ time: r.time, last: r.time, text: r.text, clipboard: true });
      return;
    }
    if (r.type !== KEY) {
      return;
    }
    const k = r.keysym;
    if (k === 0xffe3 || k === 0xffe4) {
      ctrl = r.down;
    } else if (k === 0xffe9 || k === 0xffea || k === 0xffe7 || k === 0xffe8) {
      alt = r.down;
    } else if (k === 0xffeb || k === 0xffec) {
      sup = r.down;
    } else if (r.down && !SILENT.has(k)) {
      const ch = character(k);
      const name = ch !== null ? ch : keyName(k);
      if (ctrl || alt || sup) {
        add(r.time, '<' + (ctrl ? 'Ctrl+' : '') + (alt ? 'Alt+' : '') + (sup ? 'Super+' : '')
          + (name.startsWith('<') ? name.slice(1, -1) : name) + '>', false);
        close();
      } else if (ch !== null) {
        add(r.time, ch, true);
      } else {
        add(r.time, name, true);
        if (name === '<Enter>') {
          close();
        }
      }
    }
  });
  return out.map(({ time, text, clipboard }) => ({ time, text, clipboard: !!clipboard }));
}
