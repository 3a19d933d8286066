// CAM in-browser console: a small RFB 3.8 client (RFC 6143). Protocol only: bytes come in through receive(),
// go out through the transport's send(), pixels go to a display object. No DOM, no WebSocket in here.
//
// What it speaks: version 3.8 (3.3/3.7 servers are refused), security type None (the broker's WebSocket listener
// authenticates by ticket and offers only None), ClientInit shared, 32 bpp true colour little endian
// (R<<16 | G<<8 | B), encodings CopyRect, Raw and the DesktopSize pseudo-encoding, incremental update requests
// after each update. Every length read from the wire is bounded; a malformed stream ends the connection with a
// reason, it never waits for or allocates more than the bounds below.
'use strict';

(function (global) {
  const MAX_DIMENSION = 8192;          // framebuffer width/height
  const MAX_NAME = 4096;               // desktop name, failure reasons
  const MAX_CUT_TEXT = 1 << 20;        // ServerCutText (skipped, but bounded)
  const MAX_RECTS = 65535;             // u16 anyway; CopyRect/Raw rectangles must lie inside the framebuffer

  const ENC_RAW = 0;
  const ENC_COPYRECT = 1;
  const ENC_DESKTOPSIZE = -223;

  class RfbProtocolError extends Error {}

  // A queue of received chunks read as one byte stream without copying more than what is taken.
  class ByteQueue {
    constructor() {
      this.chunks = [];
      this.offset = 0; // into chunks[0]
      this.length = 0;
    }

    push(bytes) {
      if (bytes.length > 0) {
        this.chunks.push(bytes);
        this.length += bytes.length;
      }
    }

    has(n) {
      return this.length >= n;
    }

    take(n) {
      if (n > this.length) {
        throw new RfbProtocolError('internal: take beyond buffer');
      }
      const out = new Uint8Array(n);
      let filled = 0;
      while (filled < n) {
        const head = this.chunks[0];
        const count = Math.min(n - filled, head.length - this.offset);
        out.set(head.subarray(this.offset, this.offset + count), filled);
        filled += count;
        this.offset += count;
        if (this.offset === head.length) {
          this.chunks.shift();
          this.offset = 0;
        }
      }
      this.length -= n;
      return out;
    }

    peekU8(at) {
      let i = 0;
      let pos = this.offset + at;
      while (pos >= this.chunks[i].length) {
        pos -= this.chunks[i].length;
        i++;
      }
      return this.chunks[i][pos];
    }
  }

  function u16(b, o) {
    return (b[o] << 8) | b[o + 1];
  }

  function u32(b, o) {
    return ((b[o] << 24) >>> 0) + (b[o + 1] << 16) + (b[o + 2] << 8) + b[o + 3];
  }

  function s32(b, o) {
    return u32(b, o) | 0;
  }

  // Desktop names and reasons (UTF-8 in 3.8; invalid bytes become U+FFFD). Shown as text only (textContent).
  function decodeText(bytes) {
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  }

  /**
   * @param transport {send(Uint8Array), close()}
   * @param display {resize(w, h), rawRows(x, y, w, rows, bgrx Uint8Array), copyRect(sx, sy, dx, dy, w, h)}
   * @param options {viewOnly: boolean, onState(state, detail), onServerInit({width, height, name}), onClose(reason, error)}
   */
  class RfbClient {
    constructor(transport, display, options) {
      this.transport = transport;
      this.display = display;
      this.viewOnly = !!(options && options.viewOnly);
      this.onState = (options && options.onState) || function () {};
      this.onServerInit = (options && options.onServerInit) || function () {};
      this.onClose = (options && options.onClose) || function () {};
      this.in = new ByteQueue();
      this.state = 'version';
      this.width = 0;
      this.height = 0;
      this.name = '';
      this.updates = 0;
      this.closed = false;
      this.msg = null; // the server message being parsed
    }

    // ---- input from the transport --------------------------------------------------------------------------

    receive(bytes) {
      if (this.closed) {
        return;
      }
      this.in.push(bytes);
      try {
        while (!this.closed && this.step()) {
          // keep parsing while whole items are available
        }
      } catch (e) {
        const reason = e instanceof RfbProtocolError ? e.message : 'client error: ' + e.message;
        this.fail(reason);
      }
    }

    /** The transport has gone; reason as the broker gave it (WebSocket close reason), if any. */
    transportClosed(reason) {
      if (this.closed) {
        return;
      }
      this.closed = true;
      this.onClose(reason || (this.state === 'normal' ? 'connection closed' : 'connection closed during the handshake'),
        this.state !== 'normal');
    }

    fail(reason) {
      if (this.closed) {
        return;
      }
      this.closed = true;
      this.state = 'failed';
      try {
        this.transport.close();
      } catch (e) {
        // already closed
      }
      this.onClose(reason, true);
    }

    disconnect() {
      if (this.closed) {
        return;
      }
      this.closed = true;
      try {
        this.transport.close();
      } catch (e) {
        // already closed
      }
      this.onClose('disconnected', false);
    }

    // One parsing step; false when more bytes are needed.
    step() {
      switch (this.state) {
        case 'version':
          return this.readVersion();
        case 'security-types':
          return this.readSecurityTypes();
        case 'security-result':
          return this.readSecurityResult();
        case 'reason':
          return this.readReason();
        case 'server-init':
          return this.readServerInit();
        case 'server-name':
          return this.readServerName();
        case 'normal':
          return this.readMessage();
        default:
          return false;
      }
    }

    readVersion() {
      if (!this.in.has(12)) {
        return false;
      }
      const v = decodeText(this.in.take(12));
      const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(v);
      if (!m) {
        throw new RfbProtocolError('not an RFB server');
      }
      const major = parseInt(m[1], 10);
      const minor = parseInt(m[2], 10);
      if (major !== 3 || minor < 8) {
        throw new RfbProtocolError('unsupported RFB version ' + major + '.' + minor);
      }
      this.send(new TextEncoder().encode('RFB 003.008\n'));
      this.state = 'security-types';
      this.onState('security');
      return true;
    }

    readSecurityTypes() {
      if (!this.in.has(1)) {
        return false;
      }
      const n = this.in.peekU8(0);
      if (n === 0) {
        this.in.take(1);
        this.reasonPrefix = 'refused: ';
        this.state = 'reason';
        return true;
      }
      if (!this.in.has(1 + n)) {
        return false;
      }
      const types = this.in.take(1 + n).subarray(1);
      if (types.indexOf(1) < 0) {
        throw new RfbProtocolError('server offers no security type this console supports (None)');
      }
      this.send(Uint8Array.of(1));
      this.state = 'security-result';
      return true;
    }

    readSecurityResult() {
      if (!this.in.has(4)) {
        return false;
      }
      const result = u32(this.in.take(4), 0);
      if (result !== 0) {
        this.reasonPrefix = 'authentication failed: ';
        this.state = 'reason';
        return true;
      }
      this.send(Uint8Array.of(1)); // ClientInit: shared
      this.state = 'server-init';
      this.onState('init');
      return true;
    }

    // A failure reason: u32 length + text; ends the connection.
    readReason() {
      if (!this.in.has(4)) {
        return false;
      }
      const len = u32(Uint8Array.from([this.in.peekU8(0), this.in.peekU8(1), this.in.peekU8(2), this.in.peekU8(3)]), 0);
      if (len > MAX_NAME) {
        throw new RfbProtocolError('failure reason too long (' + len + ' bytes)');
      }
      if (!this.in.has(4 + len)) {
        return false;
      }
      const text = decodeText(this.in.take(4 + len).subarray(4));
      this.fail(this.reasonPrefix + (text || 'no reason given'));
      return false;
    }

    readServerInit() {
      if (!this.in.has(24)) {
        return false;
      }
      const b = this.in.take(24);
      const w = u16(b, 0);
      const h = u16(b, 2);
      if (w < 1 || h < 1 || w > MAX_DIMENSION || h > MAX_DIMENSION) {
        throw new RfbProtocolError('bad framebuffer size ' + w + 'x' + h);
      }
      this.nameLength = u32(b, 20);
      if (this.nameLength > MAX_NAME) {
        throw new RfbProtocolError('desktop name too long (' + this.nameLength + ' bytes)');
      }
      this.width = w;
      this.height = h;
      this.state = 'server-name';
      return true;
    }

    readServerName() {
      if (!this.in.has(this.nameLength)) {
        return false;
      }
      this.name = decodeText(this.in.take(this.nameLength));
      this.display.resize(this.width, this.height);
      this.sendSetPixelFormat();
      this.sendSetEncodings([ENC_COPYRECT, ENC_RAW, ENC_DESKTOPSIZE]);
      this.requestUpdate(false);
      this.state = 'normal';
      this.onState('connected');
      this.onServerInit({ width: this.width, height: this.height, name: this.name });
      return true;
    }

    // ---- normal phase: server messages ---------------------------------------------------------------------

    readMessage() {
      if (this.msg === null) {
        if (!this.in.has(1)) {
          return false;
        }
        const type = this.in.peekU8(0);
        switch (type) {
          case 0: // FramebufferUpdate: type, pad, u16 rectangles
            if (!this.in.has(4)) {
              return false;
            }
            this.msg = { kind: 'update', left: u16(this.in.take(4), 2), rect: null };
            return true;
          case 1: { // SetColourMapEntries: type, pad, u16 first, u16 count, count * 6 bytes (ignored: true colour)
            if (!this.in.has(6)) {
              return false;
            }
            const h = this.in.take(6);
            this.msg = { kind: 'skip', left: u16(h, 4) * 6 };
            return true;
          }
          case 2: // Bell
            this.in.take(1);
            return true;
          case 3: { // ServerCutText: type, 3 pad, u32 length, text (not used by the console)
            if (!this.in.has(8)) {
              return false;
            }
            const h = this.in.take(8);
            const len = u32(h, 4);
            if (len > MAX_CUT_TEXT) {
              throw new RfbProtocolError('server clipboard text too long (' + len + ' bytes)');
            }
            this.msg = { kind: 'skip', left: len };
            return true;
          }
          default:
            throw new RfbProtocolError('unknown server message type ' + type);
        }
      }
      if (this.msg.kind === 'skip') {
        const n = Math.min(this.msg.left, this.in.length);
        if (n > 0) {
          this.in.take(n);
          this.msg.left -= n;
        }
        if (this.msg.left > 0) {
          return false;
        }
        this.msg = null;
        return true;
      }
      return this.readUpdate();
    }

    readUpdate() {
      const m = this.msg;
      if (m.rect === null) {
        if (m.left === 0) {
          this.msg = null;
          this.updates++;
          this.requestUpdate(true);
          return true;
        }
        if (!this.in.has(12)) {
          return false;
        }
        const h = this.in.take(12);
        const r = { x: u16(h, 0), y: u16(h, 2), w: u16(h, 4), h: u16(h, 6), enc: s32(h, 8), row: 0 };
        if (r.enc === ENC_DESKTOPSIZE) {
          if (r.w < 1 || r.h < 1 || r.w > MAX_DIMENSION || r.h > MAX_DIMENSION) {
            throw new RfbProtocolError('bad desktop size ' + r.w + 'x' + r.h);
          }
          this.width = r.w;
          this.height = r.h;
          this.display.resize(r.w, r.h);
          m.left--;
          return true;
        }
        if (r.x + r.w > this.width || r.y + r.h > this.height) {
          throw new RfbProtocolError('rectangle ' + r.w + 'x' + r.h + '+' + r.x + '+' + r.y
            + ' outside the ' + this.width + 'x' + this.height + ' screen');
        }
        if (r.enc !== ENC_RAW && r.enc !== ENC_COPYRECT) {
          throw new RfbProtocolError('unexpected encoding ' + r.enc);
        }
        m.rect = r;
        return true;
      }
      const r = m.rect;
      if (r.enc === ENC_COPYRECT) {
        if (!this.in.has(4)) {
          return false;
        }
        const b = this.in.take(4);
        const sx = u16(b, 0);
        const sy = u16(b, 2);
        if (sx + r.w > this.width || sy + r.h > this.height) {
          throw new RfbProtocolError('CopyRect source outside the screen');
        }
        if (r.w > 0 && r.h > 0) {
          this.display.copyRect(sx, sy, r.x, r.y, r.w, r.h);
        }
        m.rect = null;
        m.left--;
        return true;
      }
      // Raw, streamed by whole rows: at most one row plus one received chunk is ever buffered.
      const rowBytes = r.w * 4;
      if (rowBytes === 0 || r.h === 0) {
        m.rect = null;
        m.left--;
        return true;
      }
      const rows = Math.min(r.h - r.row, Math.floor(this.in.length / rowBytes));
      if (rows === 0) {
        return false;
      }
      this.display.rawRows(r.x, r.y + r.row, r.w, rows, this.in.take(rows * rowBytes));
      r.row += rows;
      if (r.row === r.h) {
        m.rect = null;
        m.left--;
      }
      return true;
    }

    // ---- client messages -----------------------------------------------------------------------------------

    send(bytes) {
      if (!this.closed) {
        this.transport.send(bytes);
      }
    }

    sendSetPixelFormat() {
      // 32 bpp, depth 24, little endian, true colour, max 255/255/255, shifts R16 G8 B0.
      this.send(Uint8Array.of(0, 0, 0, 0, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0));
    }

    sendSetEncodings(encodings) {
      const b = new Uint8Array(4 + 4 * encodings.length);
      const v = new DataView(b.buffer);
      b[0] = 2;
      v.setUint16(2, encodings.length);
      encodings.forEach((e, i) => v.setInt32(4 + 4 * i, e));
      this.send(b);
    }

    requestUpdate(incremental) {
      const b = new Uint8Array(10);
      const v = new DataView(b.buffer);
      b[0] = 3;
      b[1] = incremental ? 1 : 0;
      v.setUint16(6, this.width);
      v.setUint16(8, this.height);
      this.send(b);
    }

    /** KeyEvent; nothing in a view-only session. */
    sendKey(keysym, down) {
      if (this.viewOnly || this.state !== 'normal') {
        return;
      }
      const b = new Uint8Array(8);
      const v = new DataView(b.buffer);
      b[0] = 4;
      b[1] = down ? 1 : 0;
      v.setUint32(4, keysym >>> 0);
      this.send(b);
    }

    /** PointerEvent; mask bit 0 left, 1 middle, 2 right, 3 wheel up, 4 wheel down. */
    sendPointer(x, y, mask) {
      if (this.viewOnly || this.state !== 'normal') {
        return;
      }
      const b = new Uint8Array(6);
      const v = new DataView(b.buffer);
      b[0] = 5;
      b[1] = mask & 0xff;
      v.setUint16(2, Math.max(0, Math.min(this.width - 1, x)));
      v.setUint16(4, Math.max(0, Math.min(this.height - 1, y)));
      this.send(b);
    }

    sendCtrlAltDel() {
      const seq = [KEYSYM.Control_L, KEYSYM.Alt_L, KEYSYM.Delete];
      seq.forEach((k) => this.sendKey(k, true));
      seq.slice().reverse().forEach((k) => this.sendKey(k, false));
    }
  }

  // ---- X11 keysyms for KeyboardEvent.key -----------------------------------------------------------------------

  const KEYSYM = {
    BackSpace: 0xff08, Tab: 0xff09, Return: 0xff0d, Escape: 0xff1b, Delete: 0xffff,
    Home: 0xff50, Left: 0xff51, Up: 0xff52, Right: 0xff53, Down: 0xff54, Prior: 0xff55, Next: 0xff56, End: 0xff57,
    Insert: 0xff63, F1: 0xffbe,
    Shift_L: 0xffe1, Shift_R: 0xffe2, Control_L: 0xffe3, Control_R: 0xffe4, Caps_Lock: 0xffe5,
    Alt_L: 0xffe9, Alt_R: 0xffea, Super_L: 0xffeb, Super_R: 0xffec, ISO_Level3_Shift: 0xfe03,
  };

  const SPECIAL_KEYS = {
    Backspace: KEYSYM.BackSpace, Tab: KEYSYM.Tab, Enter: KEYSYM.Return, Escape: KEYSYM.Escape,
    Delete: KEYSYM.Delete, Home: KEYSYM.Home, End: KEYSYM.End, PageUp: KEYSYM.Prior, PageDown: KEYSYM.Next,
    ArrowLeft: KEYSYM.Left, ArrowUp: KEYSYM.Up, ArrowRight: KEYSYM.Right, ArrowDown: KEYSYM.Down,
    Insert: KEYSYM.Insert, CapsLock: KEYSYM.Caps_Lock, AltGraph: KEYSYM.ISO_Level3_Shift,
  };

  /** The keysym for a KeyboardEvent's key and code, or 0 when the console does not send that key. */
  function keysymFor(key, code) {
    if (typeof key !== 'string' || key.length === 0) {
      return 0;
    }
    if (SPECIAL_KEYS[key] !== undefined) {
      return SPECIAL_KEYS[key];
    }
    const right = typeof code === 'string' && code.endsWith('Right');
    switch (key) {
      case 'Shift': return right ? KEYSYM.Shift_R : KEYSYM.Shift_L;
      case 'Control': return right ? KEYSYM.Control_R : KEYSYM.Control_L;
      case 'Alt': return right ? KEYSYM.Alt_R : KEYSYM.Alt_L;
      case 'Meta':
      case 'OS': return right ? KEYSYM.Super_R : KEYSYM.Super_L;
      default: break;
    }
    const f = /^F([1-9]|1[0-2])$/.exec(key);
    if (f) {
      return KEYSYM.F1 + parseInt(f[1], 10) - 1;
    }
    const cp = key.codePointAt(0);
    if (String.fromCodePoint(cp) !== key) {
      return 0; // a named key we do not map (e.g. "Unidentified", "MediaPlay")
    }
    if ((cp >= 0x20 && cp <= 0x7e) || (cp >= 0xa0 && cp <= 0xff)) {
      return cp; // Latin-1 keysyms equal the code point
    }
    return 0x01000000 + cp; // Unicode keysym
  }

  global.CamRfb = { RfbClient, RfbProtocolError, keysymFor, KEYSYM, ByteQueue };
})(typeof window !== 'undefined' ? window : globalThis);
