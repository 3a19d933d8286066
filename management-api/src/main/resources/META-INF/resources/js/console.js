// CAM in-browser console: the WebSocket transport to the broker, the canvas display and keyboard/mouse input,
// around the protocol in rfb.js.
'use strict';

(function (global) {
  const { RfbClient, keysymFor } = global.CamRfb;

  /** Draws the framebuffer on a canvas; pixels arrive as B,G,R,X (32 bpp little endian, R<<16|G<<8|B). */
  class CanvasDisplay {
    constructor(canvas) {
      this.canvas = canvas;
      this.ctx = canvas.getContext('2d', { alpha: false });
    }

    resize(w, h) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.ctx.fillStyle = '#000';
      this.ctx.fillRect(0, 0, w, h);
    }

    rawRows(x, y, w, rows, bgrx) {
      const img = this.ctx.createImageData(w, rows);
      const d = img.data;
      for (let i = 0; i < d.length; i += 4) {
        d[i] = bgrx[i + 2];
        d[i + 1] = bgrx[i + 1];
        d[i + 2] = bgrx[i];
        d[i + 3] = 255;
      }
      this.ctx.putImageData(img, x, y);
    }

    copyRect(sx, sy, dx, dy, w, h) {
      this.ctx.drawImage(this.canvas, sx, sy, w, h, dx, dy, w, h);
    }
  }

  /** The broker's WebSocket: subprotocol "binary", the ticket as the first text message (not in the URL). */
  function webSocketTransport(url, ticket, handlers) {
    const ws = new WebSocket(url, ['binary']);
    ws.binaryType = 'arraybuffer';
    let opened = false;
    ws.onopen = function () {
      opened = true;
      ws.send(ticket);
    };
    ws.onmessage = function (e) {
      if (e.data instanceof ArrayBuffer) {
        handlers.data(new Uint8Array(e.data));
      } else {
        handlers.data(null); // text after the handshake is not RFB
      }
    };
    ws.onclose = function (e) {
      handlers.closed({ opened: opened, code: e.code, reason: e.reason });
    };
    ws.onerror = function () {
      // onclose follows with the details
    };
    return {
      send(bytes) {
        if (ws.readyState === WebSocket.OPEN) {
          ws.send(bytes);
        }
      },
      close() {
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) {
          ws.close(1000);
        }
      },
    };
  }

  /** The broker's https origin for a wss:// URL, where a user can accept a self-signed certificate. */
  function brokerOrigin(url) {
    try {
      const u = new URL(url);
      return 'https://' + u.host + '/';
    } catch (e) {
      return url;
    }
  }

  /**
   * Opens a console on the canvas. opts: {url, ticket, viewOnly, onStatus(text), onClose(message, isError)}.
   * Returns {disconnect(), ctrlAltDel(), client}.
   */
  function openConsole(canvas, opts) {
    const display = new CanvasDisplay(canvas);
    let client = null;
    const pressed = new Map(); // KeyboardEvent.code -> keysym sent on key down
    let mask = 0;
    const listeners = [];

    function listen(target, type, fn, options) {
      target.addEventListener(type, fn, options);
      listeners.push(() => target.removeEventListener(type, fn, options));
    }

    function releaseAll() {
      pressed.forEach((keysym) => client.sendKey(keysym, false));
      pressed.clear();
    }

    const transport = webSocketTransport(opts.url, opts.ticket, {
      data(bytes) {
        if (bytes === null) {
          client.fail('unexpected text message from the broker');
        } else {
          client.receive(bytes);
        }
      },
      closed(info) {
        let reason = info.reason;
        if (!info.opened) {
          const origin = brokerOrigin(opts.url);
          reason = 'Could not connect to the broker at ' + opts.url + '. If the broker uses a self-signed '
            + 'certificate (the demo does), open ' + origin + ' once in this browser, accept the certificate, '
            + 'then request a new session (the ticket is valid once, for a short time).';
        } else if (!reason && info.code !== 1000 && info.code !== 1005) {
          reason = 'connection lost (WebSocket code ' + info.code + ')';
        }
        client.transportClosed(reason);
      },
    });

    client = new RfbClient(transport, display, {
      viewOnly: !!opts.viewOnly,
      onState(state) {
        if (opts.onStatus) {
          opts.onStatus(state);
        }
      },
      onServerInit(init) {
        if (opts.onServerInit) {
          opts.onServerInit(init);
        }
      },
      onClose(reason, error) {
        listeners.forEach((off) => off());
        listeners.length = 0;
        if (opts.onClose) {
          opts.onClose(reason, error);
        }
      },
    });

    function point(e) {
      const r = canvas.getBoundingClientRect();
      const x = Math.floor((e.clientX - r.left) * canvas.width / Math.max(1, r.width));
      const y = Math.floor((e.clientY - r.top) * canvas.height / Math.max(1, r.height));
      return [x, y];
    }

    // Browser buttons (bit 0 left, 1 right, 2 middle) to RFB (bit 0 left, 1 middle, 2 right).
    function rfbButtons(buttons) {
      return (buttons & 1) | ((buttons & 4) >> 1) | ((buttons & 2) << 1);
    }

    if (!opts.viewOnly) {
      listen(canvas, 'keydown', (e) => {
        const keysym = keysymFor(e.key, e.code);
        if (!keysym) {
          return;
        }
        e.preventDefault();
        const id = e.code || e.key;
        pressed.set(id, keysym);
        client.sendKey(keysym, true);
      });
      listen(canvas, 'keyup', (e) => {
        const id = e.code || e.key;
        const keysym = pressed.has(id) ? pressed.get(id) : keysymFor(e.key, e.code);
        pressed.delete(id);
        if (!keysym) {
          return;
        }
        e.preventDefault();
        client.sendKey(keysym, false);
      });
      listen(canvas, 'blur', releaseAll);
      listen(canvas, 'mousedown', (e) => {
        canvas.focus();
        e.preventDefault();
        mask = rfbButtons(e.buttons);
        const [x, y] = point(e);
        client.sendPointer(x, y, mask);
      });
      listen(canvas, 'mouseup', (e) => {
        e.preventDefault();
        mask = rfbButtons(e.buttons);
        const [x, y] = point(e);
        client.sendPointer(x, y, mask);
      });
      listen(canvas, 'mousemove', (e) => {
        mask = rfbButtons(e.buttons);
        const [x, y] = point(e);
        client.sendPointer(x, y, mask);
      });
      listen(canvas, 'wheel', (e) => {
        e.preventDefault();
        if (e.deltaY === 0) {
          return;
        }
        const [x, y] = point(e);
        const bit = e.deltaY < 0 ? 8 : 16; // buttons 4 (up) and 5 (down)
        client.sendPointer(x, y, mask | bit);
        client.sendPointer(x, y, mask);
      }, { passive: false });
      listen(canvas, 'contextmenu', (e) => e.preventDefault());
    }

    return {
      client,
      disconnect() {
        if (!opts.viewOnly) {
          releaseAll();
        }
        client.disconnect();
      },
      ctrlAltDel() {
        client.sendCtrlAltDel();
      },
    };
  }

  global.CamConsole = { openConsole, CanvasDisplay, brokerOrigin };
})(window);
