// LDAP (admins): settings summary, last runs, a dry run shown as a diff before applying, sync now.
import * as api from '../api.js';
import { el, button, frame, act, guarded, when } from '../ui.js';

const KINDS = [['usersCreated', '+', 'user created'], ['usersUpdated', '~', 'user updated'],
  ['usersDisabled', '-', 'user disabled'], ['groupsCreated', '+', 'group created'],
  ['groupsUpdated', '~', 'group updated'], ['membershipChanges', '~', 'membership'], ['skipped', '!', 'skipped']];

function runLine(label, r) {
  if (!r) {
    return el('p', {}, label + ': none yet');
  }
  return el('p', { class: 'run' }, label + ': ' + r.trigger + (r.dryRun ? ' (dry run)' : '') + ', ' + r.outcome
    + ', ' + when(r.finishedAt || r.startedAt) + ' - ' + r.usersCreated + ' users created, ' + r.usersUpdated
    + ' updated, ' + r.usersDisabled + ' disabled, ' + r.groupsCreated + ' groups created, ' + r.membershipsChanged
    + ' membership changes' + (r.message ? ' (' + r.message + ')' : ''));
}

/** A sync report as a diff: one line per change, + added, - removed/disabled, ~ changed. */
function diff(report) {
  const lines = [];
  KINDS.forEach(([key, sign, what]) => (report[key] || []).forEach((x) =>
    lines.push(el('li', { class: sign === '+' ? 'diff-add' : sign === '-' ? 'diff-del' : 'diff-change' },
      sign + ' ' + what + ': ' + x))));
  return el('div', { id: 'ldap-diff' }, el('h3', {}, (report.dryRun ? 'Dry run: what a sync would change' : 'Applied')
    + ' (' + report.outcome + ')'), report.message ? el('p', {}, report.message) : null,
  lines.length ? el('ul', { class: 'diff' }, lines) : el('p', {}, 'No change: CAM matches the directory.'));
}

export function render(section) {
  const summary = el('div', { id: 'ldap-summary', class: 'card' });
  const report = el('div', { id: 'ldap-report', 'aria-live': 'polite' });
  async function load() {
    const s = await guarded(() => api.get('/api/v1/ldap/status'));
    if (s) {
      summary.replaceChildren(el('p', {}, 'Directory: ', el('code', {}, s.url || ''), s.enabled ? '' : ' (disabled)',
        ', scheduled sync: ' + (s.schedule || 'off')), runLine('Last run', s.lastRun),
      runLine('Last applied run', s.lastAppliedRun));
    }
  }
  const dry = button('Dry run', async () => {
    const r = await guarded(() => api.post('/api/v1/ldap/sync?dryRun=true'));
    if (r) {
      report.replaceChildren(diff(r), button('Apply these changes', async () => {
        const applied = await guarded(() => api.post('/api/v1/ldap/sync'));
        if (applied) {
          report.replaceChildren(diff(applied));
        }
        await load();
      }, 'primary apply'));
    }
    await load();
  }, 'dry-run');
  const now = button('Sync now', () => act(async () => {
    report.replaceChildren(diff(await api.post('/api/v1/ldap/sync')));
  }, 'LDAP sync done.', load), 'sync-now');
  section.replaceChildren(...frame('LDAP', [dry, now]), summary, report);
  load();
}
