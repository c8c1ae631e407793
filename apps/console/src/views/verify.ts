import { Code, ConnectError } from '@connectrpc/connect';
import { facts, field, h, replace } from '../dom';
import { hex } from '../format';
import { verifyRecord, type ProofSource, type RecordVerification } from '../verify/record-proof';
import { mayReadRecords } from '../settings';
import { errorBox, type View, type ViewContext } from '../view';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The gateway's RPCs as the verifier's narrow source of bytes. */
function proofSource(ctx: ViewContext): ProofSource {
  const g = ctx.clients.governance;
  return {
    async checkpoint() {
      const res = await g.getCheckpoint({});
      if (!res.checkpoint) throw new Error('the gateway returned no checkpoint');
      return { note: res.checkpoint.note, verifierKey: res.checkpoint.verifierKey };
    },
    async record(actionId) {
      if (!mayReadRecords(ctx.settings())) return undefined;
      try {
        const res = await g.getAuditRecord({ actionId });
        return res.record ? { sequence: res.record.sequence, leaf: res.record.leaf } : undefined;
      } catch (err) {
        const code = ConnectError.from(err).code;
        if (code === Code.Unauthenticated || code === Code.PermissionDenied) return undefined;
        throw err;
      }
    },
    async position(actionId) {
      try {
        // Against the current tree (tree_size 0); the anchor waits a moment for a fresh leaf.
        return (await g.getInclusionProof({ actionId, treeSize: 0n })).proof?.index;
      } catch (err) {
        if (ConnectError.from(err).code === Code.NotFound) return undefined;
        throw err;
      }
    },
    async inclusion(actionId, treeSize) {
      const res = await g.getInclusionProof({ actionId, treeSize });
      const p = res.proof;
      if (!p) throw new Error('the gateway returned no proof');
      return { index: p.index, treeSize: p.treeSize, leafHash: p.leafHash, hashes: p.hashes };
    },
  };
}

function report(
  out: Exclude<RecordVerification, { status: 'pending' }>,
  pin: (key: string) => void,
): Node[] {
  const ok = out.status === 'verified';
  const nodes: Node[] = [
    h(
      'p',
      { class: `verdict ${ok ? 'good' : 'bad'}`, id: 'verdict', 'data-status': out.status },
      ok ? '✓ Verified' : '✗ Verification failed',
    ),
    h(
      'ol',
      { class: 'checks' },
      ...out.checks.map((c) =>
        h(
          'li',
          { class: c.ok ? 'good' : 'bad' },
          h('strong', {}, `${c.ok ? '✓ pass' : '✗ FAIL'} — ${c.name}: `),
          c.detail,
        ),
      ),
    ),
  ];
  if (out.checkpoint) {
    nodes.push(
      h('h3', {}, 'Signed checkpoint'),
      facts([
        ['Origin', out.checkpoint.origin],
        ['Tree size', String(out.checkpoint.size)],
        ['Root hash', h('code', {}, hex(out.checkpoint.rootHash))],
        [
          'Key',
          out.keySource === 'pinned'
            ? 'your pinned key'
            : h(
                'span',
                {},
                'as served by this gateway — pin it to notice if it ever changes ',
                h('button', { type: 'button', onclick: () => pin(out.servedKey) }, 'Pin this key'),
              ),
        ],
      ]),
    );
  }
  return nodes;
}

/**
 * Verify: fetch the latest signed checkpoint and an inclusion proof for a record, and check both
 * here in the page (WebCrypto SHA-256, RFC 6962 path, Ed25519 note signature).
 */
export function verifyView(ctx: ViewContext): View {
  let stopped = false;
  return {
    title: 'Verify',
    stop: () => {
      stopped = true;
    },
    render(root, params) {
      stopped = false;
      const actionId = h('input', {
        name: 'action_id',
        autocomplete: 'off',
        required: true,
        value: params.get('action_id') ?? '',
      });
      const key = h('input', {
        name: 'verifier_key',
        autocomplete: 'off',
        value: ctx.settings().pinnedVerifierKey,
        placeholder: 'name+keyid+base64',
      });
      const tamper = h('input', { type: 'checkbox', name: 'tamper' });
      const out = h('section', { 'aria-live': 'polite', class: 'result', id: 'verify-result' });
      const submit = h('button', { type: 'submit', class: 'primary' }, 'Verify in this browser');
      const form = h(
        'form',
        { class: 'card', 'aria-label': 'Record to verify' },
        field(
          'Action id',
          actionId,
          'The record to prove. Opened from “Try an action” or the audit trail, it is filled in.',
        ),
        field(
          'Trusted verifier key (optional)',
          key,
          'Empty: the key the gateway serves is used, and the result says so.',
        ),
        h(
          'div',
          { class: 'field check' },
          tamper,
          h(
            'label',
            { for: (tamper.id = 'tamper') },
            'Tamper with the proof (flip one bit) to see a failure',
          ),
        ),
        h('div', { class: 'row' }, submit),
      );
      const pin = (k: string) => {
        key.value = k;
        ctx.setPinnedKey(k);
        ctx.announce('Verifier key pinned');
      };
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        void run();
      });
      const run = async () => {
        submit.disabled = true;
        out.setAttribute('aria-busy', 'true');
        replace(out, h('p', {}, 'Verifying…'));
        try {
          const src = proofSource(ctx);
          const opts = { trustedKey: key.value.trim() || undefined, tamper: tamper.checked };
          let res = await verifyRecord(src, actionId.value.trim(), opts);
          // The anchor signs a checkpoint every second or 1,000 records: a fresh record waits.
          for (let i = 0; res.status === 'pending' && i < 20 && !stopped; i++) {
            replace(
              out,
              h(
                'p',
                {},
                `Record ${res.sequence} is not in checkpoint ${res.treeSize} yet; waiting for the next one…`,
              ),
            );
            await sleep(500);
            res = await verifyRecord(src, actionId.value.trim(), opts);
          }
          if (res.status === 'pending')
            replace(
              out,
              h(
                'p',
                { class: 'error', role: 'alert' },
                'The record is not in a signed checkpoint yet; try again.',
              ),
            );
          else {
            replace(out, ...report(res, pin));
            ctx.announce(res.status === 'verified' ? 'Verified' : 'Verification failed');
          }
        } catch (err) {
          replace(out, errorBox(err));
        } finally {
          submit.disabled = false;
          out.setAttribute('aria-busy', 'false');
        }
      };
      replace(root, form, out);
      if (actionId.value) void run();
    },
  };
}
