/**
 * Checks of `npm run images:test` after the load test against a compose region:
 *
 *  1. every scheduled action was answered 2xx (the CSV has one row per measured request);
 *  2. every answered action is in the audit trail (`GET /v1/audit/{action_id}`);
 *  3. the anchor caught up: the latest signed checkpoint covers every audited index;
 *  4. Merkle inclusion proofs of the first, a middle and the last action verify offline
 *     against the signed checkpoint with the log's verifier key (the `nethical verify
 *     inclusion` code path).
 *
 * Usage: npx tsx tools/deploy/check-region.ts --gateway URL --csv FILE --expected N
 * Prints one line per check and exits 1 when any fails.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyInclusionOffline } from '../../apps/cli/src/commands/verify/offline-verify';

interface Row {
  actionId: string;
  status: string;
}

/** The CSV the load generator writes: a header, then one row per measured request. */
function readRows(file: string): Row[] {
  const [header, ...lines] = readFileSync(file, 'utf8').trimEnd().split('\n');
  const columns = (header ?? '').split(',');
  const idAt = columns.indexOf('action_id');
  const statusAt = columns.indexOf('status');
  if (idAt < 0 || statusAt < 0) throw new Error(`${file}: no action_id/status columns`);
  // action ids and statuses never hold commas or quotes, so a plain split is exact here.
  return lines.map((line) => {
    const fields = line.split(',');
    return { actionId: fields[idAt] ?? '', status: fields[statusAt] ?? '' };
  });
}

async function getJson<T>(url: string, headers: Record<string, string>): Promise<T> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return (await res.json()) as T;
}

async function getText(url: string, headers: Record<string, string>): Promise<string> {
  const res = await fetch(url, { headers, signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res.text();
}

/** Run `fn` over `items` with at most `width` calls in flight. */
async function mapLimited<T, R>(
  items: T[],
  width: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  return out;
}

/** Size of the tree a signed checkpoint note commits to (line 2 of the C2SP body). */
function checkpointSize(note: string): number {
  return Number(note.split('\n')[1]);
}

async function main(): Promise<boolean> {
  const { values } = parseArgs({
    options: {
      gateway: { type: 'string' },
      csv: { type: 'string' },
      expected: { type: 'string' },
      'admin-key': { type: 'string' },
    },
  });
  if (!values.gateway || !values.csv || !values.expected) {
    throw new Error('usage: check-region.ts --gateway URL --csv FILE --expected N [--admin-key K]');
  }
  const gateway = values.gateway.replace(/\/$/, '');
  const headers: Record<string, string> = values['admin-key']
    ? { authorization: `Bearer ${values['admin-key']}` }
    : {};
  let ok = true;
  const check = (pass: boolean, line: string) => {
    process.stdout.write(`${pass ? 'PASS' : 'FAIL'} ${line}\n`);
    ok &&= pass;
  };

  const rows = readRows(values.csv);
  const expected = Number(values.expected);
  const answered = rows.filter((r) => /^2\d\d$/.test(r.status));
  const statuses = rows.reduce<Record<string, number>>(
    (acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }),
    {},
  );
  check(
    rows.length >= expected && answered.length === rows.length,
    `answered: ${answered.length} of ${rows.length} measured actions 2xx (expected ≥ ${expected}; statuses ${JSON.stringify(statuses)})`,
  );

  const records = await mapLimited(answered, 16, async (r) => {
    try {
      return await getJson<{ index: number | string; leaf: string }>(
        `${gateway}/v1/audit/${encodeURIComponent(r.actionId)}`,
        headers,
      );
    } catch {
      return undefined;
    }
  });
  const audited = records.filter((r) => r !== undefined);
  check(
    audited.length === answered.length,
    `audited: ${audited.length} of ${answered.length} answered actions found in the audit trail`,
  );
  if (audited.length === 0) return false;

  const maxIndex = Math.max(...audited.map((r) => Number(r.index)));
  const deadline = Date.now() + 30_000;
  let note = await getText(`${gateway}/v1/merkle/checkpoint`, headers);
  while (checkpointSize(note) <= maxIndex && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    note = await getText(`${gateway}/v1/merkle/checkpoint`, headers);
  }
  const size = checkpointSize(note);
  check(
    size > maxIndex,
    `anchored: signed checkpoint of size ${size} covers the last audited index ${maxIndex}`,
  );

  const key = (await getText(`${gateway}/v1/merkle/key`, headers)).trim();
  const picks = [0, Math.floor(audited.length / 2), audited.length - 1];
  for (const at of picks) {
    const record = audited[at]!;
    const proof = await getText(
      `${gateway}/v1/merkle/inclusion?index=${record.index}&tree_size=${size}`,
      headers,
    );
    const result = verifyInclusionOffline({
      checkpointNote: note,
      verifierKey: key,
      proofJson: proof,
      leaf: record.leaf,
      index: record.index,
      treeSize: size,
    });
    check(
      result.ok,
      `inclusion of index ${record.index} in tree ${size}: ${result.ok ? result.summary : result.reason}`,
    );
  }
  return ok;
}

main().then(
  (ok) => {
    process.exitCode = ok ? 0 : 1;
  },
  (err: unknown) => {
    process.stderr.write(`check-region: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
