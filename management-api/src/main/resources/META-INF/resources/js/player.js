// Plays a recording with noVNC: noVNC's RFB gets a WebSocket-like channel that plays the device's side. It answers
// noVNC's handshake itself (version 3.8, security None, then the ServerInit the client got, from the recording's
// header) and then hands noVNC the recorded device-to-client bytes at their times, scaled by the speed. What noVNC
// sends (its SetPixelFormat, SetEncodings, update requests, fence answers) goes nowhere.
//
// Seeking: the recorded stream carries decoder state (ZRLE's one zlib stream per connection, Tight's four), so it
// cannot be entered in the middle. Seeking forward feeds the bytes up to the new time at once; seeking back starts
// a new RFB and feeds everything from the start at once (noVNC decodes synchronously, without delays). The broker's
// keyframes cannot cut the decoding short (the zlib streams run on through them), but they cut the drawing, which
// is what costs (canvas work, ~20 ms an update in headless Chromium; inflating is cheap): up to the last keyframe
// well before the target, noVNC decodes with its display's drawing calls switched off; from the keyframe on, the
// full frame the broker asked for there repaints everything and the rest is drawn as usual.
import RFB from '../vendor/novnc/core/rfb.js';
import { HEADER, DEVICE, END, KEYFRAME } from './recording.js';

const SERVER_VERSION = new TextEncoder().encode('RFB 003.008\n');
const SECURITY_NONE = new Uint8Array([1, 1]);
const SECURITY_OK = new Uint8Array([0, 0, 0, 0]);
/** The bytes handed to noVNC at a time while fast-forwarding (its receive queue grows to 40 MiB at most). */
const CHUNK = 1 << 20;
/** The longest wait between two clock updates while nothing is due. */
const TICK = 250;
/**
 * How long before a seek's target a keyframe must be to draw from it: its full frame must have arrived by then (the
 * device answers within a second). With the broker's keyframe every 30 s a seek draws at most 33 s of updates.
 */
const KEYFRAME_MARGIN = 3000;
/** noVNC 1.7's Display methods that draw (the lockfile pins the version; without them every update is drawn). */
const DRAWING = ['fillRect', 'copyImage', 'imageRect', 'blitImage', 'videoFrame', 'flip'];
const noop = () => {};

/**
 * Switches noVNC's display methods `names` off (decoding goes on) or back on; false when this noVNC has not got
 * them (then everything is drawn, which is correct, only slower).
 */
function drawing(rfb, on, names = DRAWING) {
  const display = rfb && rfb._display;
  if (!display || !names.every((m) => typeof display[m] === 'function')) {
    return false;
  }
  names.forEach((m) => {
    if (on) {
      delete display[m];
    } else {
      display[m] = noop;
    }
  });
  return true;
}

/**
 * Feeds with the copying to the visible canvas (flip) left out until the end, then copies the whole picture once:
 * noVNC draws every update into its back buffer and copies the changed part to the page's canvas after each.
 */
function withOneFlip(rfb, feed) {
  const display = rfb && rfb._display;
  if (!display || typeof display._damage !== 'function' || !drawing(rfb, false, ['flip'])) {
    feed();
    return;
  }
  try {
    feed();
  } finally {
    drawing(rfb, true, ['flip']);
    display._damage(0, 0, display.width, display.height);
    display.flip();
  }
}

/** A WebSocket-like object for noVNC's RFB (websock.js checks these properties) that plays the server. */
class RecordedChannel {
  constructor(serverInit) {
    this.binaryType = 'arraybuffer';
    this.protocol = '';
    this.readyState = 'open';
    this.onopen = null;
    this.onmessage = null;
    this.onclose = null;
    this.onerror = null;
    this._answers = [SECURITY_NONE, SECURITY_OK, serverInit];
    this._sent = 0;
    this._closed = false;
    queueMicrotask(() => this.deliver(SERVER_VERSION));
  }

  /** noVNC's handshake messages (version, security type, ClientInit) each get the next answer; the rest is dropped. */
  send() {
    if (this._sent < this._answers.length) {
      const answer = this._answers[this._sent++];
      queueMicrotask(() => this.deliver(answer));
    }
  }

  close() {
    if (this._closed) {
      return;
    }
    this._closed = true;
    this.readyState = 'closed';
    queueMicrotask(() => this.onclose && this.onclose({ code: 1000, reason: 'playback closed', wasClean: true }));
  }

  deliver(bytes) {
    if (!this._closed && this.onmessage) {
      this.onmessage({ data: bytes });
    }
  }
}

/**
 * A player over decoded records in `screen`. opts: {onTime(ms), onState('playing'|'paused'|'ended'), onError(text)}.
 * Returns {play(), pause(), seek(ms), speed(x), duration, time(), close()}.
 */
export function createPlayer(screen, recs, opts) {
  const header = recs.find((r) => r.type === HEADER);
  const device = recs.filter((r) => r.type === DEVICE);
  // Each keyframe with the index of the first device record after it.
  const keyframes = [];
  let seen = 0;
  recs.forEach((r) => {
    if (r.type === DEVICE) {
      seen++;
    } else if (r.type === KEYFRAME) {
      keyframes.push({ time: r.time, index: seen });
    }
  });
  const end = recs.find((r) => r.type === END);
  const duration = recs.length ? recs[recs.length - 1].time : 0;
  let rfb = null;
  let channel = null;
  let next = 0;           // the first device record not yet fed
  let mediaTime = 0;      // where playback is, in recording milliseconds
  let wallStart = 0;      // performance.now() when mediaTime was last anchored while playing
  let mediaStart = 0;
  let rate = 1;
  let playing = false;
  let timer = null;
  let ready = null;       // resolves when noVNC has read the ServerInit

  function connect() {
    if (rfb) {
      rfb.disconnect();
    }
    channel = new RecordedChannel(header.serverInit);
    next = 0;
    screen.replaceChildren();
    rfb = new RFB(screen, channel, { shared: true });
    rfb.viewOnly = true;
    rfb.scaleViewport = true;
    const canvas = screen.querySelector('canvas');
    if (canvas) {
      canvas.id = 'playback-canvas';
    }
    ready = new Promise((resolve) => {
      rfb.addEventListener('connect', () => resolve(), { once: true });
      rfb.addEventListener('disconnect', () => resolve(), { once: true });
    });
    rfb.addEventListener('securityfailure', (e) => opts.onError && opts.onError('noVNC refused the playback: '
      + (e.detail.reason || 'security failure')));
    return ready;
  }

  /** Feeds every device record before index `end` (or up to time `t`) at once, in chunks. */
  function feedUntil(t, end = device.length) {
    let chunk = [];
    let size = 0;
    const flush = () => {
      if (!size) {
        return;
      }
      const joined = new Uint8Array(size);
      let at = 0;
      chunk.forEach((d) => { joined.set(d, at); at += d.length; });
      channel.deliver(joined);
      chunk = [];
      size = 0;
    };
    while (next < end && device[next].time <= t) {
      const d = device[next++].data;
      chunk.push(d);
      size += d.length;
      if (size >= CHUNK) {
        flush();
      }
    }
    flush();
  }

  function now() {
    return playing ? Math.min(duration, mediaStart + (performance.now() - wallStart) * rate) : mediaTime;
  }

  function schedule() {
    clearTimeout(timer);
    if (!playing) {
      return;
    }
    mediaTime = now();
    feedUntil(mediaTime);
    if (opts.onTime) {
      opts.onTime(mediaTime);
    }
    if (mediaTime >= duration) {
      playing = false;
      if (opts.onState) {
        opts.onState('ended', end ? end.reason : null);
      }
      return;
    }
    const due = next < device.length ? (device[next].time - mediaTime) / rate : TICK;
    timer = setTimeout(schedule, Math.max(0, Math.min(TICK, due)));
  }

  const handle = {
    duration,
    time: () => now(),
    async start() {
      await connect();
      feedUntil(0);
      if (opts.onTime) {
        opts.onTime(0);
      }
    },
    play() {
      if (playing) {
        return;
      }
      if (mediaTime >= duration) {
        handle.seek(0);
      }
      playing = true;
      wallStart = performance.now();
      mediaStart = mediaTime;
      if (opts.onState) {
        opts.onState('playing');
      }
      schedule();
    },
    pause() {
      if (!playing) {
        return;
      }
      mediaTime = now();
      playing = false;
      clearTimeout(timer);
      if (opts.onState) {
        opts.onState('paused');
      }
    },
    speed(x) {
      mediaTime = now();
      mediaStart = mediaTime;
      wallStart = performance.now();
      rate = x;
      schedule();
    },
    /**
     * Seeks to `t` ms; resolves with {millis: until noVNC had decoded and drawn everything up to there, quietMillis:
     * of that, decoding without drawing up to the keyframe, drawn: device records decoded and drawn after it}.
     */
    async seek(t) {
      const began = performance.now();
      const target = Math.max(0, Math.min(duration, t));
      const backwards = target < mediaTime || (next > 0 && device[next - 1].time > target);
      clearTimeout(timer);
      if (backwards) {
        await connect();
      }
      const from = keyframes.filter((k) => k.time <= target - KEYFRAME_MARGIN && k.index > next).pop();
      const quietFrom = performance.now();
      if (from && drawing(rfb, false)) {
        try {
          feedUntil(target, from.index);
        } finally {
          drawing(rfb, true);
        }
      }
      const quietMillis = performance.now() - quietFrom;
      const drawnFrom = next;
      withOneFlip(rfb, () => feedUntil(target));
      const drawn = next - drawnFrom;
      mediaTime = target;
      mediaStart = target;
      wallStart = performance.now();
      if (opts.onTime) {
        opts.onTime(target);
      }
      schedule();
      return { millis: performance.now() - began, quietMillis, drawn };
    },
    close() {
      playing = false;
      clearTimeout(timer);
      if (rfb) {
        rfb.disconnect();
        rfb = null;
      }
    },
  };
  return handle;
}
