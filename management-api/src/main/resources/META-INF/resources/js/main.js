// CAM web UI: login, the pages a role may use, and routing by the URL's hash (#targets, #devices...). Each page is
// an ES module of its own under pages/, loaded when first opened; all data reaches the DOM as text.
import * as api from './api.js';
import { el, message, clearMessages, problemText, guarded, whenExpired } from './ui.js';

const ADMIN = ['admin'];
const OPS = ['operator', 'admin'];
const ALL = ['viewer', 'user', 'operator', 'admin'];
// Auditors read sessions, the audit and recordings, and change nothing (the API refuses them any change).
const WATCH = ['admin', 'auditor'];

/** The pages, in the navigation's order, with the roles that may use them (docs/api.md "Roles"). */
const PAGES = [
  { id: 'mytargets', title: 'My targets', roles: ALL, load: () => import('./pages/mytargets.js') },
  { id: 'targets', title: 'Targets', roles: OPS, load: () => import('./pages/targets.js') },
  { id: 'users', title: 'Users', roles: ADMIN, load: () => import('./pages/users.js') },
  { id: 'groups', title: 'Groups', roles: ADMIN, load: () => import('./pages/groups.js') },
  { id: 'access', title: 'Access', roles: ADMIN, load: () => import('./pages/access.js') },
  { id: 'ldap', title: 'LDAP', roles: ADMIN, load: () => import('./pages/ldap.js') },
  { id: 'devices', title: 'Devices', roles: OPS, load: () => import('./pages/devices.js') },
  { id: 'scans', title: 'Discovery', roles: OPS, load: () => import('./pages/scans.js') },
  { id: 'alarms', title: 'Alarms', roles: OPS, load: () => import('./pages/alarms.js') },
  { id: 'sessions', title: 'Sessions', roles: [...ALL, 'auditor'], load: () => import('./pages/sessions.js') },
  { id: 'audit', title: 'Audit', roles: WATCH, load: () => import('./pages/audit.js') },
  { id: 'recordings', title: 'Recordings', roles: WATCH, load: () => import('./pages/recordings.js') },
  { id: 'replication', title: 'Replication', roles: ADMIN, load: () => import('./pages/replication.js') },
  // Reached from the recordings, sessions and audit pages (#playback/<session id>), not from the navigation.
  { id: 'playback', title: 'Playback', roles: WATCH, nav: false, load: () => import('./pages/playback.js') },
];

const $ = (id) => document.getElementById(id);
let me = null;
let leave = null; // the open page's cleanup

const allowed = (page) => me !== null && page.roles.some((r) => me.roles.includes(r));

function showLogin(text) {
  me = null;
  closePage();
  $('page').hidden = true;
  $('nav').hidden = true;
  $('logout').hidden = true;
  $('who').textContent = '';
  $('login-view').hidden = false;
  if (text) {
    message(text, true);
  }
  $('username').focus();
}

whenExpired(() => {
  if (!api.loggedIn()) {
    showLogin('Your session has expired; please log in again.');
  }
});

async function onLogin(e) {
  e.preventDefault();
  clearMessages();
  $('login-button').disabled = true;
  try {
    await api.login($('username').value, $('password').value);
    $('password').value = '';
    await start();
  } catch (err) {
    message(problemText(err), true);
  } finally {
    $('login-button').disabled = false;
  }
}

async function start() {
  const who = await guarded(() => api.get('/api/v1/auth/whoami'));
  if (!who) {
    if (!api.loggedIn()) {
      showLogin();
    }
    return;
  }
  me = { username: who.username, roles: who.roles || [] };
  $('login-view').hidden = true;
  $('who').textContent = me.username + ' (' + (me.roles.join(', ') || 'no role') + ')';
  $('logout').hidden = false;
  $('nav').replaceChildren(...PAGES.filter((p) => p.nav !== false && allowed(p)).map((p) =>
    el('a', { href: '#' + p.id, class: 'tab', dataset: { view: p.id } }, p.title)));
  $('nav').hidden = false;
  if (!PAGES.some(allowed)) {
    message('Your account has no CAM role yet; ask an administrator.', true);
    return;
  }
  route();
}

function closePage() {
  if (leave) {
    const l = leave;
    leave = null;
    try {
      l();
    } catch (e) {
      // a page's cleanup must not keep the next one from opening
    }
  }
}

/** Navigations so far: a page's render that finishes after a newer navigation is dropped. */
let navigations = 0;

/** Opens the page named by the hash (#devices, #console), or the first one the role may use. */
async function route() {
  if (!me) {
    return;
  }
  const [id, arg] = decodeURIComponent(location.hash.slice(1)).split('/');
  const page = PAGES.find((p) => p.id === id && allowed(p)) || PAGES.find(allowed);
  if (id !== page.id && location.hash) {
    history.replaceState(null, '', '#' + page.id);
  }
  closePage();
  clearMessages();   // a message belongs to the page it came from
  document.querySelectorAll('#nav .tab').forEach((t) => {
    const active = t.dataset.view === page.id;
    t.classList.toggle('active', active);
    if (active) {
      t.setAttribute('aria-current', 'page');
    } else {
      t.removeAttribute('aria-current');
    }
  });
  const section = $('page');
  // Each navigation renders into a view of its own: a page still loading when the user (or a link) moves on finishes
  // into a detached view, not over the next page, and its cleanup (timers, sockets) runs at once.
  const navigation = ++navigations;
  const view = el('div', { class: 'page-view' });
  section.replaceChildren(view);
  section.dataset.page = page.id;
  delete section.dataset.ready;
  section.hidden = false;
  const module = await page.load();
  if (navigation !== navigations) {
    return;
  }
  const ctx = { me, arg, hasRole: (...roles) => roles.some((r) => me.roles.includes(r)) };
  const cleanup = await module.render(view, ctx);
  if (navigation !== navigations) {
    if (typeof cleanup === 'function') {
      cleanup();
    }
    return;
  }
  leave = typeof cleanup === 'function' ? cleanup : null;
  section.dataset.ready = page.id;
}

document.addEventListener('DOMContentLoaded', () => {
  $('login-form').addEventListener('submit', onLogin);
  $('logout').addEventListener('click', async () => {
    await api.logout();
    showLogin();
    message('Logged out.');
  });
  window.addEventListener('hashchange', route);
  if (api.loggedIn()) {
    start();
  } else {
    showLogin();
  }
});
