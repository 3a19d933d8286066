// Playback of a session's recording (#playback/<session id>; admins and auditors): noVNC plays the recorded screen
// (player.js), with play/pause, speed, a seek bar and the key log beside it (a click seeks there). Whether the
// recording verifies is said first: the server checks the file against the digest audited when the session ended,
// and this page checks the SHA-256 chain of the very bytes it plays. Watching is audited (RECORDING_VIEW) when the
// data is fetched. Nothing here changes anything.
import * as api from '../api.js';
import { el, button, frame, guarded, when } from '../ui.js';
import { segments, allRecords, keyLog, HEADER } from '../recording.js';
import { createPlayer } from '../player.js';
import { reasonText } from '../end-reasons.js';

const SPEEDS = [1, 2, 4, 8, 16];

export function clock(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const pad = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return (h ? h + ':' + pad(m) : String(m)) + ':' + pad(s % 60);
}

export async function render(section, ctx) {
  const id = ctx.arg;
  const back = el('a', { href: '#recordings', id: 'playback-back' }, 'All recordings');
  if (!id) {
    section.replaceChildren(...frame('Playback', back, el('p', {}, 'No recording chosen.')));
    return undefined;
  }
  const verdict = el('p', { id: 'playback-verify', class: 'verify', role: 'status' }, 'Checking the recording…');
  const meta = el('dl', { id: 'playback-meta', class: 'meta' });
  const screen = el('div', { id: 'playback-screen', class: 'console-screen playback-screen' });
  const playButton = button('Play', () => (state === 'playing' ? player.pause() : player.play()), 'primary play');
  playButton.id = 'playback-play';
  playButton.disabled = true;
  const speed = el('select', { id: 'playback-speed', 'aria-label': 'Speed' },
    SPEEDS.map((x) => el('option', { value: x }, x + 'x')));
  const seekBar = el('input', { id: 'playback-seek', type: 'range', min: 0, max: 0, step: 100, value: 0,
    'aria-label': 'Position', disabled: true });
  const time = el('span', { id: 'playback-time', class: 'clock', dataset: { ms: '0' } }, '0:00');
  const keys = el('ol', { id: 'playback-keylog', class: 'keylog', 'aria-label': 'Key log' });
  section.replaceChildren(...frame('Recording of session ' + id, back),
    verdict, meta,
    el('div', { class: 'playback' },
      el('div', { class: 'playback-main' },
        el('div', { class: 'console-bar heading' }, playButton, speed, seekBar, time), screen),
      el('aside', { class: 'playback-keys' }, el('h3', {}, 'Key log'), keys)));

  const m = await guarded(() => api.get('/api/v1/sessions/' + encodeURIComponent(id) + '/recording'));
  if (!m) {
    verdict.textContent = 'The recording cannot be read.';
    return undefined;
  }
  meta.replaceChildren(...[['User', m.user], ['Target', m.targetName || String(m.targetId)], ['Mode', m.mode],
    ['Started', when(m.startedAt)], ['Ended', when(m.endedAt)], ['Duration', clock(m.durationMillis)],
    ['Digest (SHA-256)', m.digest || 'none']].flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v || '')]));
  if (!m.fileExists) {
    say(false, 'The recording file is missing.');
    return undefined;
  }
  const file = await guarded(async () => (await api.blob('/api/v1/sessions/' + encodeURIComponent(id)
    + '/recording/data', {}, 'application/octet-stream')).arrayBuffer());
  if (!file) {
    verdict.textContent = 'The recording cannot be read.';
    return undefined;
  }
  const scan = await segments(file);
  const chainHere = !scan.checkedHere || (scan.intact && (!m.digest || scan.digest === m.digest.toLowerCase()));
  const problem = m.problem || scan.problem || (chainHere ? null : 'the file\'s last digest ' + scan.digest
    + ' is not the audited ' + m.digest);
  if (m.verified === true && chainHere) {
    say(true, 'Verified: the SHA-256 chain of the recording holds and ends at the digest audited when the session '
      + 'ended' + (scan.checkedHere ? ' (checked on the server and in this browser).' : ' (checked on the server).'));
  } else {
    say(false, 'This recording does NOT verify: ' + (problem || 'it has no audited digest') + '. It may have been '
      + 'altered or cut off; what plays is not proven to be what was recorded'
      + (scan.intact ? '.' : scan.segments.length ? ', and only the part before the break plays.'
        : ', and nothing of it can be played.'));
  }

  let recs;
  try {
    recs = await allRecords(scan);
  } catch (e) {
    say(false, 'This recording does NOT verify: ' + e.message + '.');
    return undefined;
  }
  if (!recs.length || recs[0].type !== HEADER) {
    return undefined;
  }
  const log = keyLog(recs);
  keys.replaceChildren(...(log.length ? log.map((k, i) => el('li', { dataset: { ms: String(k.time) } },
    el('button', { type: 'button', class: 'link keylog-entry' + (k.clipboard ? ' clipboard' : ''),
      id: 'playback-key-' + i, onclick: () => seek(k.time) },
    el('span', { class: 'when' }, clock(k.time)), ' ', k.clipboard ? 'Clipboard: ' : '', el('span', { class: 'text' },
      k.text)))) : [el('li', { class: 'empty' }, 'Nothing was typed.')]));

  let state = 'paused';
  const player = createPlayer(screen, recs, {
    onTime: (ms) => {
      time.textContent = clock(ms) + ' / ' + clock(player.duration);
      time.dataset.ms = String(Math.round(ms));
      if (!seeking) {
        seekBar.value = String(ms);
      }
      keys.querySelectorAll('li[data-ms]').forEach((li) => li.classList.toggle('past', Number(li.dataset.ms) <= ms));
    },
    onState: (s, reason) => {
      state = s;
      screen.dataset.state = s;
      playButton.textContent = s === 'playing' ? 'Pause' : 'Play';
      if (s === 'ended') {
        time.textContent += ' (end of the recording)';
        time.title = reason ? 'The session ended: ' + reasonText(reason) : '';
      }
    },
    onError: (text) => say(false, text),
  });
  let seeking = false;

  async function seek(ms) {
    seeking = true;
    const took = await player.seek(ms);
    seeking = false;
    seekBar.value = String(ms);
    // How long the seek took, and its parts (the page's benchmark reads them; see docs/performance.md).
    screen.dataset.seekMillis = String(Math.round(took.millis));
    screen.dataset.seekQuietMillis = String(Math.round(took.quietMillis));
    screen.dataset.seekDrawn = String(took.drawn);
    screen.dataset.seeks = String(Number(screen.dataset.seeks || 0) + 1);
  }

  seekBar.max = String(player.duration);
  seekBar.addEventListener('input', () => { seeking = true; });
  seekBar.addEventListener('change', () => seek(Number(seekBar.value)));
  speed.addEventListener('change', () => player.speed(Number(speed.value)));
  await player.start();
  seekBar.disabled = false;
  playButton.disabled = false;
  screen.dataset.state = 'paused';
  screen.dataset.duration = String(player.duration);

  function say(ok, text) {
    verdict.textContent = text;
    verdict.dataset.verified = String(ok);
    verdict.classList.toggle('bad', !ok);
    verdict.classList.toggle('good', ok);
  }

  return () => player.close();
}
