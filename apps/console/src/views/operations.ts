import { judgev1, type gatewayv1 } from '@nethical/contracts';
import { facts, field, h, replace } from '../dom';
import { ms, pct, time } from '../format';
import { rateBetween } from '../live-rate';
import { errorBox, type View, type ViewContext } from '../view';

const POLL_MS = 2000;

function decisionMix(decisions: Record<string, bigint>): HTMLElement {
  const rows = Object.entries(decisions).sort((x, y) => Number(y[1] - x[1]));
  const total = rows.reduce((n, [, c]) => n + Number(c), 0);
  if (total === 0) return h('p', {}, 'No decisions yet.');
  return h(
    'table',
    { class: 'mix' },
    h('caption', {}, 'Decision mix since the gateway started'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Decision'),
        h('th', { scope: 'col' }, 'Count'),
        h('th', { scope: 'col' }, 'Share'),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map(([name, count]) => {
        const share = Number(count) / total;
        return h(
          'tr',
          {},
          h('th', { scope: 'row' }, name),
          h('td', {}, String(count)),
          h(
            'td',
            {},
            h('meter', { min: 0, max: 1, value: share, 'aria-label': `${name} share` }),
            ` ${pct(share)}`,
          ),
        );
      }),
    ),
  );
}

/** Operations: live rate, p99 and decision mix; quarantined agents; the escalation queue. */
export function operationsView(ctx: ViewContext): View {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let active = false;
  return {
    title: 'Operations',
    stop() {
      active = false;
      clearTimeout(timer);
    },
    render(root) {
      active = true;
      const live = h('section', { class: 'card', id: 'ops-live', 'aria-labelledby': 'live-title' });
      const quarantine = h('section', {
        class: 'card',
        id: 'ops-quarantine',
        'aria-labelledby': 'q-title',
      });
      const escalations = h('section', {
        class: 'card',
        id: 'ops-escalations',
        'aria-labelledby': 'e-title',
      });
      let previous: gatewayv1.GetStatsResponse | undefined;
      let rate: number | undefined;

      const poll = async () => {
        try {
          const s = await ctx.clients.operations.getStats({});
          rate = rateBetween(previous, s) ?? rate;
          previous = s;
          replace(
            live,
            h('h2', { id: 'live-title' }, 'Live'),
            h(
              'div',
              { class: 'tiles' },
              tile(
                'Rate',
                rate === undefined ? 'measuring…' : `${rate.toFixed(1)} /s`,
                'actions per second between the last two samples',
              ),
              tile(
                'p99',
                s.windowCount ? ms(s.p99Ms) : '—',
                `target ${ms(s.targetP99Ms)}${s.breached ? ' — BREACHED' : ''}`,
                s.breached ? 'bad' : 'good',
              ),
              tile(
                'p50',
                s.windowCount ? ms(s.p50Ms) : '—',
                `${s.windowCount} actions in the last ${s.windowSeconds} s window`,
              ),
              tile('Actions', String(s.actionsTotal), `since start; ${s.privacyMode} statistics`),
            ),
            decisionMix(s.decisions),
          );
        } catch (err) {
          replace(live, h('h2', { id: 'live-title' }, 'Live'), errorBox(err));
        }
        if (active) timer = setTimeout(() => void poll(), POLL_MS);
      };

      const loadQuarantine = async () => {
        try {
          const res = await ctx.clients.admin.listQuarantined({});
          const agent = h('input', { name: 'agent', autocomplete: 'off', required: true });
          const reason = h('input', { name: 'reason', autocomplete: 'off' });
          const add = h(
            'form',
            { class: 'row', 'aria-label': 'Quarantine an agent' },
            field('Agent id', agent),
            field('Reason', reason),
            h('button', { type: 'submit' }, 'Quarantine'),
          );
          add.addEventListener('submit', (ev) => {
            ev.preventDefault();
            void act(
              () =>
                ctx.clients.admin.quarantineAgent({
                  agentId: agent.value.trim(),
                  reason: reason.value,
                }),
              `Quarantined ${agent.value}`,
              loadQuarantine,
            );
          });
          replace(
            quarantine,
            h('h2', { id: 'q-title' }, `Quarantined agents (${res.entries.length})`),
            res.entries.length
              ? h(
                  'table',
                  {},
                  h(
                    'thead',
                    {},
                    h(
                      'tr',
                      {},
                      ...['Agent', 'Reason', 'Since', 'Until', 'Source', ''].map((c) =>
                        h('th', { scope: 'col' }, c),
                      ),
                    ),
                  ),
                  h(
                    'tbody',
                    {},
                    ...res.entries.map((e) =>
                      h(
                        'tr',
                        {},
                        h('td', {}, e.agentId),
                        h('td', {}, e.reason || '—'),
                        h('td', {}, time(e.since)),
                        h('td', {}, e.until ? time(e.until) : 'until released'),
                        h('td', {}, e.source),
                        h(
                          'td',
                          {},
                          h(
                            'button',
                            {
                              type: 'button',
                              'aria-label': `Release ${e.agentId}`,
                              onclick: () =>
                                void act(
                                  () => ctx.clients.admin.releaseAgent({ agentId: e.agentId }),
                                  `Released ${e.agentId}`,
                                  loadQuarantine,
                                ),
                            },
                            'Release',
                          ),
                        ),
                      ),
                    ),
                  ),
                )
              : h('p', {}, 'No agent is quarantined.'),
            add,
          );
        } catch (err) {
          replace(quarantine, h('h2', { id: 'q-title' }, 'Quarantined agents'), errorBox(err));
        }
      };

      const status = h(
        'select',
        { name: 'status' },
        ...['PENDING', 'APPROVED', 'REJECTED', 'ALL'].map((s) =>
          h('option', { value: s }, s.toLowerCase()),
        ),
      );
      status.addEventListener('change', () => void loadEscalations());
      const loadEscalations = async () => {
        try {
          const chosen =
            status.value === 'ALL'
              ? judgev1.EscalationStatus.UNSPECIFIED
              : judgev1.EscalationStatus[status.value as 'PENDING'];
          const res = await ctx.clients.admin.listEscalations({ status: chosen });
          const resolve = (id: string, to: judgev1.EscalationStatus) =>
            void act(
              () =>
                ctx.clients.admin.resolveEscalation({
                  escalationId: id,
                  status: to,
                  resolvedBy: 'console',
                }),
              `Escalation ${id} ${judgev1.EscalationStatus[to].toLowerCase()}`,
              loadEscalations,
            );
          replace(
            escalations,
            h('h2', { id: 'e-title' }, `Escalations (${res.escalations.length})`),
            field('Status', status),
            res.escalations.length
              ? h(
                  'ul',
                  { class: 'escalations' },
                  ...res.escalations.map((e) =>
                    h(
                      'li',
                      {},
                      facts([
                        ['Escalation', e.escalationId],
                        ['Agent', e.agentId],
                        ['Created', time(e.createdAt)],
                        ['Status', judgev1.EscalationStatus[e.status]],
                        [
                          'Violations',
                          e.violations.map((v) => `${v.detector} (${v.category})`).join(', ') ||
                            '—',
                        ],
                      ]),
                      h('pre', { class: 'text' }, e.redactedContent),
                      e.status === judgev1.EscalationStatus.PENDING
                        ? h(
                            'p',
                            { class: 'row' },
                            h(
                              'button',
                              {
                                type: 'button',
                                'aria-label': `Approve ${e.escalationId}`,
                                onclick: () =>
                                  resolve(e.escalationId, judgev1.EscalationStatus.APPROVED),
                              },
                              'Approve',
                            ),
                            h(
                              'button',
                              {
                                type: 'button',
                                'aria-label': `Reject ${e.escalationId}`,
                                onclick: () =>
                                  resolve(e.escalationId, judgev1.EscalationStatus.REJECTED),
                              },
                              'Reject',
                            ),
                          )
                        : h('p', {}, `Resolved by ${e.resolvedBy || '—'} at ${time(e.resolvedAt)}`),
                    ),
                  ),
                )
              : h('p', {}, 'The queue is empty.'),
          );
        } catch (err) {
          replace(escalations, h('h2', { id: 'e-title' }, 'Escalations'), errorBox(err));
        }
      };

      const act = async (
        call: () => Promise<unknown>,
        done: string,
        reload: () => Promise<void>,
      ) => {
        try {
          await call();
          ctx.announce(done);
        } catch (err) {
          root.prepend(errorBox(err));
        }
        await reload();
      };

      replace(root, live, quarantine, escalations);
      void poll();
      void loadQuarantine();
      void loadEscalations();
    },
  };
}

function tile(label: string, value: string, hint: string, tone = ''): HTMLElement {
  return h(
    'div',
    { class: `tile ${tone}` },
    h('div', { class: 'tile-label' }, label),
    h('div', { class: 'tile-value' }, value),
    h('div', { class: 'hint' }, hint),
  );
}
