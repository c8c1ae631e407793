import { toJsonString } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { Decision, auditv1 } from '@nethical/contracts';
import { facts, field, h, replace } from '../dom';
import { actionTypeLabel, decisionBadge, decisionName, pct, severityName, time } from '../format';
import { errorBox, type View, type ViewContext } from '../view';

/** A date as a `datetime-local` input value (local time, seconds). */
function localInput(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** One record in full: the main fields, the violations and the record as Connect JSON. */
function recordDetail(ctx: ViewContext, r: auditv1.AuditRecord): HTMLElement {
  return h(
    'article',
    { class: 'card', 'aria-labelledby': 'record-title' },
    h(
      'h3',
      { id: 'record-title', tabindex: -1 },
      `Record ${r.sequence} `,
      decisionBadge(r.decision),
    ),
    facts([
      ['Action id', r.actionId],
      ['Agent', r.agentId],
      ['Tenant / region', `${r.tenantId} / ${r.regionId}`],
      ['Type', actionTypeLabel(r.actionType)],
      ['Risk', pct(r.riskScore)],
      ['Policy revision', r.policyRevision || '—'],
      ['Received', time(r.receivedAt)],
      ['Committed', time(r.committedAt)],
      ['Reasoning', r.reasoning || '—'],
      ['Request digest', h('code', {}, r.requestDigest || '—')],
      ['Leaf (bytes)', String(r.leaf.length)],
    ]),
    h('h4', {}, 'Content (as stored, redacted)'),
    h('pre', { class: 'text' }, r.content),
    h('h4', {}, `Violations (${r.violations.length})`),
    r.violations.length
      ? h(
          'ul',
          {},
          ...r.violations.map((v) =>
            h(
              'li',
              {},
              `${v.detector} — ${v.category}, ${severityName(v.severity)}: ${v.evidence.map((e) => `“${e.excerpt}”`).join(', ')}`,
            ),
          ),
        )
      : h('p', {}, 'None.'),
    h(
      'p',
      {},
      h(
        'button',
        { type: 'button', onclick: () => ctx.navigate('verify', { action_id: r.actionId }) },
        'Verify this record',
      ),
    ),
    h(
      'details',
      {},
      h('summary', {}, 'The record as JSON'),
      h('pre', { class: 'json' }, toJsonString(auditv1.AuditRecordSchema, r, { prettySpaces: 2 })),
    ),
  );
}

/** Audit trail: recent records, paged, filtered by agent, decision and time; one record in full. */
export function auditTrailView(ctx: ViewContext): View {
  return {
    title: 'Audit trail',
    render(root, params) {
      const agent = h('input', {
        name: 'agent',
        autocomplete: 'off',
        value: params.get('agent_id') ?? '',
      });
      const decision = h('select', { name: 'decision' }, h('option', { value: '0' }, 'any'));
      for (const d of Object.values(Decision).filter(
        (v): v is Decision => typeof v === 'number' && v !== Decision.UNSPECIFIED,
      )) {
        decision.append(h('option', { value: d }, decisionName(d)));
      }
      // The store lists oldest first, so "recent" starts from an hour ago (cleared: everything).
      const since = h('input', {
        name: 'since',
        type: 'datetime-local',
        step: 1,
        value: localInput(new Date(Date.now() - 3_600_000)),
      });
      const until = h('input', { name: 'until', type: 'datetime-local', step: 1 });
      const pageSize = h(
        'select',
        { name: 'page_size' },
        ...[10, 25, 50, 100].map((n) => h('option', { value: n, selected: n === 25 }, String(n))),
      );
      const list = h('section', { 'aria-live': 'polite', class: 'result', id: 'audit-list' });
      const detail = h('section', { id: 'audit-detail' });
      /** Page tokens of the pages before the current one (for "Previous"). */
      const tokens: string[] = [];
      let current = '';

      const load = async (token: string) => {
        list.setAttribute('aria-busy', 'true');
        try {
          const toTs = (v: string) => (v ? timestampFromDate(new Date(v)) : undefined);
          const res = await ctx.clients.governance.listAuditRecords({
            agentId: agent.value.trim(),
            decision: Number(decision.value),
            since: toTs(since.value),
            until: toTs(until.value),
            pageSize: Number(pageSize.value),
            pageToken: token,
          });
          current = token;
          const table = h(
            'table',
            {},
            h(
              'caption',
              {},
              `Page ${tokens.length + 1}: ${res.records.length} record${res.records.length === 1 ? '' : 's'}`,
            ),
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ...['Seq', 'Committed', 'Agent', 'Type', 'Decision', 'Risk', ''].map((c) =>
                  h('th', { scope: 'col' }, c),
                ),
              ),
            ),
            h(
              'tbody',
              {},
              ...res.records.map((r) =>
                h(
                  'tr',
                  {},
                  h('td', {}, String(r.sequence)),
                  h('td', {}, time(r.committedAt)),
                  h('td', {}, r.agentId),
                  h('td', {}, actionTypeLabel(r.actionType)),
                  h('td', {}, decisionBadge(r.decision)),
                  h('td', {}, pct(r.riskScore)),
                  h(
                    'td',
                    {},
                    h(
                      'button',
                      {
                        type: 'button',
                        class: 'link',
                        'aria-label': `Open record ${r.sequence}`,
                        onclick: () => show(r),
                      },
                      'Open',
                    ),
                  ),
                ),
              ),
            ),
          );
          const prev = h(
            'button',
            {
              type: 'button',
              disabled: tokens.length === 0,
              onclick: () => void load(tokens.pop() ?? ''),
            },
            '← Previous',
          );
          const next = h(
            'button',
            {
              type: 'button',
              disabled: !res.nextPageToken,
              onclick: () => {
                tokens.push(current);
                void load(res.nextPageToken);
              },
            },
            'Next →',
          );
          replace(list, table, h('nav', { class: 'row', 'aria-label': 'Pages' }, prev, next));
        } catch (err) {
          replace(list, errorBox(err));
        } finally {
          list.setAttribute('aria-busy', 'false');
        }
      };
      const show = (r: auditv1.AuditRecord) => {
        replace(detail, recordDetail(ctx, r));
        detail.querySelector<HTMLElement>('#record-title')?.focus();
      };
      const open = async (actionId: string) => {
        try {
          const res = await ctx.clients.governance.getAuditRecord({ actionId });
          if (res.record) show(res.record);
        } catch (err) {
          replace(detail, errorBox(err));
        }
      };

      const byId = h('input', {
        name: 'action_id',
        autocomplete: 'off',
        value: params.get('action_id') ?? '',
      });
      const filters = h(
        'form',
        { class: 'card filters', 'aria-label': 'Filter records' },
        field('Agent id', agent),
        field('Decision', decision),
        field('Since', since, 'Oldest first from here.'),
        field('Until', until),
        field('Page size', pageSize),
        h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary' }, 'Search')),
      );
      filters.addEventListener('submit', (ev) => {
        ev.preventDefault();
        tokens.length = 0;
        void load('');
      });
      const lookup = h(
        'form',
        { class: 'card row', 'aria-label': 'Open a record by action id' },
        field('Action id', byId),
        h('button', { type: 'submit' }, 'Open'),
      );
      lookup.addEventListener('submit', (ev) => {
        ev.preventDefault();
        if (byId.value.trim()) void open(byId.value.trim());
      });
      replace(root, filters, lookup, list, detail);
      void load('');
      const wanted = params.get('action_id');
      if (wanted) void open(wanted);
    },
  };
}
