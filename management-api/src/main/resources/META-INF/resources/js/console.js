// The in-browser console: noVNC 1.7 (served from this origin under /vendor/novnc, fetched at build time from npm)
// over the broker's WebSocket. The broker wants the session ticket as the first text message, not in the URL
// (URLs end up in logs): we open the WebSocket, send the ticket, and hand the open socket to noVNC, whose RFB
// accepts a WebSocket-like channel. noVNC negotiates every encoding it has (Tight, TightPNG, ZRLE, Hextile, Zlib,
// RRE, CopyRect, JPEG, H.264 where the browser decodes it, Raw) and the clipboard.
import RFB from '../vendor/novnc/core/rfb.js';
import KeyTable from '../vendor/novnc/core/input/keysym.js';
import { el, button } from './ui.js';
import { reasonText } from './end-reasons.js';

/** The end reason's code from the broker's close reason ("ended: idle_timeout"), or null. */
export function endCode(reason) {
  const m = /^ended: ([a-z_]+)$/.exec(reason || '');
  return m ? m[1] : null;
}

/** The broker's close reason in words ("ended: idle_timeout": why the session ended). */
export function closeText(reason) {
  const code = endCode(reason);
  return code ? reasonText(code) : reason;
}

/** The broker's https origin for a wss:// URL, where a user can accept a self-signed certificate. */
export function brokerOrigin(url) {
  try {
    return 'https://' + new URL(url).host + '/';
  } catch (e) {
    return url;
  }
}

const mmss = (seconds) => {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  return (h ? h + ':' + pad(m) : String(m)) + ':' + pad(s % 60);
};

/**
 * Which way the console may move clipboard text, from the session's policy (the session answer's clipboard: BOTH,
 * TO_TARGET, NONE) and its mode, as the broker enforces it (docs/protocols/kvm-session.md): a view session never
 * pastes, and only BOTH lets the target's clipboard out. The page offers only what the broker would let through.
 */
export function clipboardWays(policy, control) {
  const p = policy || 'NONE';
  return { toDevice: control && (p === 'BOTH' || p === 'TO_TARGET'), fromDevice: p === 'BOTH' };
}

/**
 * Opens a console in container. opts: {url, ticket, title, viewOnly, recorded (shows that the session is recorded),
 * clipboard: 'BOTH' | 'TO_TARGET' | 'NONE',
 * idleTimeoutSeconds, maxDurationSeconds, onClose(reason, isError, code), onReconnect(), onLeave(),
 * onResume() -> Promise of {ticket, websocketUrl} for the session's next leg (rejects with {status, message})}.
 * Returns {disconnect(), rfb()}.
 */
export function openConsole(container, opts) {
  const control = !opts.viewOnly;
  const clip = clipboardWays(opts.clipboard, control);
  let rfb = null;
  let ended = false;
  let closeReason = '';
  let closeCode = 0;
  let desktopName = '';
  const started = Date.now();
  let lastInput = Date.now();

  const status = el('span', { id: 'console-status', class: 'status', role: 'status' }, 'connecting');
  const badge = opts.viewOnly ? el('span', { id: 'console-view-only', class: 'badge' }, 'View only') : null;
  // The user is told, all along, that what the target shows and what they type is being recorded.
  const recorded = opts.recorded ? el('span', { id: 'console-recorded', class: 'badge recorded', role: 'note',
    title: 'This session is recorded: the screen, your keys and clipboard text are kept and can be watched by '
      + 'administrators and auditors.' }, '\u25cf Recorded') : null;
  const clock = el('span', { id: 'console-time', class: 'clock' }, '0:00');
  const idle = el('span', { id: 'console-idle', class: 'idle-warning', role: 'alert', hidden: true });
  const reasonLine = el('p', { id: 'console-reason', class: 'reason', hidden: true });
  const screen = el('div', { id: 'console-screen', class: 'console-screen', tabIndex: -1 });

  const scale = el('select', { id: 'console-scale', 'aria-label': 'Scaling' },
    el('option', { value: 'fit' }, 'Scale to fit'), el('option', { value: 'real' }, '1:1'));
  const quality = el('select', { id: 'console-quality', 'aria-label': 'Picture quality' },
    [[6, 'Quality: normal'], [9, 'Quality: best'], [2, 'Quality: low bandwidth']].map(([v, l]) =>
      el('option', { value: v }, l)));
  const keys = control ? [
    Object.assign(button('Ctrl-Alt-Del', () => rfb && rfb.sendCtrlAltDel(), 'key-cad'), { id: 'console-cad' }),
    button('Alt-Tab', () => combo([KeyTable.XK_Alt_L, 'AltLeft'], [KeyTable.XK_Tab, 'Tab']), 'key-alttab'),
    button('Print Screen', () => combo([KeyTable.XK_Print, 'PrintScreen']), 'key-print'),
    button('Windows', () => combo([KeyTable.XK_Super_L, 'MetaLeft']), 'key-super'),
    button('Esc', () => combo([KeyTable.XK_Escape, 'Escape']), 'key-esc'),
  ] : [];
  const full = button('Full screen', () => screen.requestFullscreen && screen.requestFullscreen(), 'fullscreen');
  const disconnectButton = Object.assign(button('Disconnect', () => handle.disconnect(), 'disconnect'),
    { id: 'console-close' });
  const reconnect = Object.assign(button('Reconnect', () => opts.onReconnect && opts.onReconnect(), 'reconnect'),
    { id: 'console-reconnect' });
  reconnect.hidden = true;
  const back = Object.assign(button('Back to my targets', () => opts.onLeave && opts.onLeave(), 'back'),
    { id: 'console-back' });
  back.hidden = true;

  const clipText = el('textarea', { id: 'console-clipboard', rows: 3, readOnly: !clip.toDevice,
    placeholder: clip.toDevice ? 'Text to paste into the target' : 'Text copied on the target appears here' });
  // Only what the policy allows is on the page at all: no paste button, no panel when nothing may move.
  const send = clip.toDevice ? button('Send to target', () => {
    if (rfb) {
      rfb.clipboardPasteFrom(clipText.value);
      lastInput = Date.now();
    }
  }, 'clipboard-send') : null;
  const copy = clip.fromDevice ? button('Copy to this computer', () => {
    if (navigator.clipboard) {
      navigator.clipboard.writeText(clipText.value).catch(() => {});
    }
  }, 'clipboard-copy') : null;
  const clipboardAllowed = clip.toDevice || clip.fromDevice;
  const clipPolicy = el('span', { id: 'console-clipboard-policy', class: 'badge subtle',
    dataset: { toDevice: String(clip.toDevice), fromDevice: String(clip.fromDevice) } },
  'Clipboard: ' + (clip.toDevice && clip.fromDevice ? 'both ways' : clip.toDevice ? 'to the target only'
    : clip.fromDevice ? 'from the target only' : 'off'));
  const clipboardPanel = clipboardAllowed ? el('details', { class: 'clipboard' },
    el('summary', {}, 'Clipboard'),
    el('label', { for: 'console-clipboard' }, 'Clipboard ' + (clip.toDevice && clip.fromDevice
      ? '(both ways)' : clip.fromDevice ? '(from the target only)' : '(to the target only)')),
    clipText, el('div', { class: 'buttons' }, send, copy)) : null;

  container.replaceChildren(
    el('div', { class: 'heading console-bar' }, el('h2', {}, 'Console: ', el('span', { id: 'console-title' },
      opts.title)), badge, recorded, clipPolicy, status, clock, el('span', { class: 'spacer' }), scale, quality, full,
    disconnectButton,
    reconnect, back),
    el('div', { class: 'keys', role: 'toolbar', 'aria-label': 'Key combinations' }, keys),
    ...[idle, reasonLine, clipboardPanel, screen].filter(Boolean));

  function combo(...pressed) {
    if (!rfb || !control) {
      return;
    }
    pressed.forEach(([keysym, code]) => rfb.sendKey(keysym, code, true));
    pressed.slice().reverse().forEach(([keysym, code]) => rfb.sendKey(keysym, code, false));
    lastInput = Date.now();
    rfb.focus();
  }

  const timer = setInterval(() => {
    const now = Date.now();
    clock.textContent = mmss((now - started) / 1000)
      + (opts.maxDurationSeconds ? ' of ' + mmss(opts.maxDurationSeconds) : '');
    const idleFor = (now - lastInput) / 1000;
    const left = opts.idleTimeoutSeconds ? opts.idleTimeoutSeconds - idleFor : null;
    // The broker ends a session after idleTimeoutSeconds without keyboard, pointer or clipboard input; a view-only
    // console sends none, so it is warned too (it can only reconnect).
    if (left !== null && left <= Math.min(60, opts.idleTimeoutSeconds / 2) && !ended) {
      idle.hidden = false;
      idle.textContent = 'No input for ' + mmss(idleFor) + ': the session ends in ' + mmss(left)
        + (control ? ' unless you type or move the mouse.' : ' (a view-only session sends no input); reconnect then.');
    } else {
      idle.hidden = true;
    }
  }, 1000);
  ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart'].forEach((t) =>
    screen.addEventListener(t, () => { lastInput = Date.now(); }, { capture: true, passive: true }));

  function finish(reason, isError) {
    if (ended) {
      return;
    }
    ended = true;
    clearInterval(timer);
    idle.hidden = true;
    status.textContent = 'closed';
    disconnectButton.hidden = true;
    keys.forEach((k) => { k.disabled = true; });
    if (send) {
      send.disabled = true;
    }
    reconnect.hidden = !opts.onReconnect;
    back.hidden = !opts.onLeave;
    reasonLine.textContent = 'Session ended: ' + closeText(reason);
    reasonLine.classList.toggle('normal', !isError);
    reasonLine.hidden = false;
    if (opts.onClose) {
      opts.onClose(reason, isError, endCode(reason));
    }
  }

  // Resume: the broker that carries the session drained (it closes with RESUME_CODE) or the connection dropped
  // (1006: no close frame, e.g. the broker was killed). The session itself goes on: the console asks management-api
  // for a ticket for its next leg (opts.onResume) and connects again through the same address, which reaches
  // another replica. What ended by policy (idle, maximum, an operator) closes with 1000 and a reason: never resumed.
  const RESUME_CODE = 4001;
  const RESUMABLE_CODES = [RESUME_CODE, 1001, 1006, 1011, 1012];
  const RESUME_ATTEMPTS = 6;
  let connectedOnce = false;
  let resumeStarted = 0;
  let resumes = 0;
  let resumeTries = 0;
  let ws = null;
  let frozen = null;

  function shouldResume() {
    return !!opts.onResume && connectedOnce && !ended && RESUMABLE_CODES.includes(closeCode);
  }

  /** Keeps the last picture on the screen while reconnecting, rather than a blank. */
  function freeze() {
    const canvas = screen.querySelector('canvas');
    if (!canvas || frozen) {
      return;
    }
    try {
      frozen = el('img', { id: 'console-frozen', class: 'frozen', alt: '', src: canvas.toDataURL() });
      screen.appendChild(frozen);
    } catch (e) {
      frozen = null;
    }
  }

  function unfreeze() {
    if (frozen) {
      frozen.remove();
      frozen = null;
    }
  }

  async function resume() {
    rfb = null;
    resumeStarted = resumeStarted || Date.now();
    status.textContent = 'reconnecting';
    container.dataset.state = 'reconnecting';
    let lastError = 'the session could not be resumed';
    while (resumeTries < RESUME_ATTEMPTS && !ended) {
      const attempt = resumeTries++;
      if (attempt > 0) {
        // Jittered back-off: the consoles that just lost a broker do not all ask at the same instant.
        const base = Math.min(2000, 150 * 2 ** attempt);
        await new Promise((r) => setTimeout(r, base / 2 + Math.random() * base / 2));
      }
      let answer;
      try {
        answer = await opts.onResume();
      } catch (e) {
        lastError = e && e.message ? e.message : String(e);
        if (e && e.status && e.status >= 400 && e.status < 500 && e.status !== 429) {
          break;   // refused (ended, disconnected by an operator, window closed): final
        }
        continue;
      }
      attach(answer.websocketUrl || opts.url, answer.ticket);
      return;
    }
    unfreeze();
    finish('could not resume: ' + lastError, true);
  }

  function attach(url, ticket) {
    let opened = false;
    closeReason = '';
    closeCode = 0;
    const sock = new WebSocket(url, ['binary']);
    ws = sock;
    sock.binaryType = 'arraybuffer';
    sock.addEventListener('close', (e) => {
      closeReason = e.reason;
      closeCode = e.code;
      if (shouldResume()) {
        freeze();
      }
      if (!opened) {
        if (resumeStarted) {
          resume();   // the address answered nothing yet (a replica going away): ask again
          return;
        }
        finish('Could not connect to the broker at ' + url + '. If the broker uses a self-signed certificate '
          + '(the demo does), open ' + brokerOrigin(url) + ' once in this browser, accept the certificate, then '
          + 'request a new session (the ticket is valid once, for a short time).', true);
      }
    });
    sock.addEventListener('open', () => {
      opened = true;
      sock.send(ticket);
      if (!resumeStarted) {
        status.textContent = 'authenticating';
      }
      rfb = new RFB(screen, sock, { shared: true });
      rfb.viewOnly = !!opts.viewOnly;
      rfb.scaleViewport = scale.value === 'fit';
      rfb.qualityLevel = Number(quality.value);
      rfb.compressionLevel = 2;
      // noVNC's own canvas, named for the page's tests and styles.
      const canvas = screen.querySelector('canvas');
      if (canvas) {
        canvas.id = 'console-canvas';
      }
      const self = rfb;
      rfb.addEventListener('connect', () => {
        connectedOnce = true;
        unfreeze();
        status.textContent = 'connected to ' + (desktopName || 'the target')
          + (canvas ? ' (' + canvas.width + 'x' + canvas.height + ')' : '');
        container.dataset.state = 'connected';
        resumeTries = 0;
        if (resumeStarted) {
          resumes++;
          container.dataset.resumes = String(resumes);
          container.dataset.lastResumeMillis = String(Date.now() - resumeStarted);
          resumeStarted = 0;
        }
        if (control) {
          self.focus();
        }
      });
      rfb.addEventListener('desktopname', (e) => {
        desktopName = e.detail.name;
      });
      rfb.addEventListener('clipboard', (e) => {
        if (clip.fromDevice && clipboardPanel) {
          clipText.value = e.detail.text;
          clipboardPanel.open = true;
        }
      });
      rfb.addEventListener('securityfailure', (e) => {
        closeReason = 'refused: ' + (e.detail.reason || 'security failure');
      });
      rfb.addEventListener('credentialsrequired', () => {
        closeReason = 'the broker asked for credentials the console does not have';
        self.disconnect();
      });
      rfb.addEventListener('disconnect', (e) => {
        if (shouldResume()) {
          resume();
          return;
        }
        unfreeze();
        let reason = closeReason;
        if (!reason) {
          reason = closeCode && closeCode !== 1000 && closeCode !== 1005
            ? 'connection lost (WebSocket code ' + closeCode + ')' : 'disconnected';
        }
        const code = endCode(reason);
        const normal = code === 'client_closed' || (e.detail.clean && !code && reason === 'disconnected');
        finish(reason, !normal);
      });
    });
  }
  attach(opts.url, opts.ticket);
  scale.addEventListener('change', () => {
    if (rfb) {
      rfb.scaleViewport = scale.value === 'fit';
      rfb.clipViewport = false;
    }
    screen.classList.toggle('real-size', scale.value !== 'fit');
  });
  quality.addEventListener('change', () => {
    if (rfb) {
      rfb.qualityLevel = Number(quality.value);
    }
  });
  // A paste into the console (Ctrl-V on the screen) goes to the target's clipboard when the policy allows.
  screen.addEventListener('paste', (e) => {
    const text = e.clipboardData && e.clipboardData.getData('text/plain');
    if (rfb && text && clip.toDevice) {
      clipText.value = text;
      rfb.clipboardPasteFrom(text);
    }
  });

  const handle = {
    disconnect() {
      if (rfb) {
        rfb.disconnect();
      } else if (ws && (ws.readyState === WebSocket.CONNECTING || ws.readyState === WebSocket.OPEN)) {
        ws.close(1000);
      } else {
        finish('disconnected', false);
      }
    },
    rfb: () => rfb,
    get ended() {
      return ended;
    },
  };
  return handle;
}
