/**
 * The Nethical console: four views over the gateway's Connect API, in one page with hash
 * routing (`#/try`, `#/audit?action_id=…`, `#/verify?…`, `#/operations`). Served by the gateway
 * at /console; talks to the gateway at the same origin unless `?gateway=<url>` says otherwise
 * (the gateway then needs that origin in NETHICAL_CORS_ORIGINS).
 */
import './styles.css';
import { createClients } from './clients';
import { field, h, replace } from './dom';
import { loadSettings, saveSettings, type Settings } from './settings';
import { viewIds, type View, type ViewContext, type ViewId } from './view';
import { auditTrailView } from './views/audit-trail';
import { operationsView } from './views/operations';
import { tryActionView } from './views/try-action';
import { verifyView } from './views/verify';

let settings: Settings = loadSettings();
const gateway = new URLSearchParams(location.search).get('gateway') ?? location.origin;
const status = document.getElementById('status')!;
const main = document.getElementById('main')!;

const ctx: ViewContext = {
  clients: createClients(gateway, () => settings),
  settings: () => settings,
  navigate: (view, params) => {
    location.hash = `#/${view}${params ? `?${new URLSearchParams(params)}` : ''}`;
  },
  setPinnedKey: (key) => {
    settings = { ...settings, pinnedVerifierKey: key };
    saveSettings(settings);
  },
  announce: (message) => {
    status.textContent = message;
  },
};

const views: Record<ViewId, View> = {
  try: tryActionView(ctx),
  audit: auditTrailView(ctx),
  verify: verifyView(ctx),
  operations: operationsView(ctx),
};
let current: View | undefined;

function route(): void {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const id: ViewId = (viewIds as readonly string[]).includes(path) ? (path as ViewId) : 'try';
  current?.stop?.();
  current = views[id];
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav.views a')) {
    if (a.dataset.view === id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const heading = h('h1', { tabindex: -1, id: 'view-title' }, current.title);
  const body = h('div', { class: 'view', id: `view-${id}` });
  replace(main, heading, body);
  document.title = `${current.title} · Nethical console`;
  current.render(body, new URLSearchParams(query));
  heading.focus();
}

/** The keys dialog: API key and admin key for this tab. */
function keysForm(): HTMLElement {
  const api = h('input', {
    type: 'password',
    name: 'api_key',
    autocomplete: 'off',
    value: settings.apiKey,
  });
  const admin = h('input', {
    type: 'password',
    name: 'admin_key',
    autocomplete: 'off',
    value: settings.adminKey,
  });
  const form = h(
    'form',
    { class: 'keys', 'aria-label': 'Keys' },
    field('API key', api),
    field(
      'Admin key',
      admin,
      'Kept for this tab only (sessionStorage). Operator views need the admin key.',
    ),
    h('button', { type: 'submit' }, 'Save keys'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    settings = { ...settings, apiKey: api.value.trim(), adminKey: admin.value.trim() };
    saveSettings(settings);
    ctx.announce('Keys saved');
    panel.open = false;
    route();
  });
  const panel = h('details', { class: 'keys-panel' }, h('summary', {}, 'Keys'), form);
  return panel;
}

document.getElementById('keys')!.replaceWith(keysForm());
window.addEventListener('hashchange', route);
route();
