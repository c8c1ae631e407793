/**
 * Reads the labelled evaluation data from the shared datasets folder (read-only, never copied
 * into the repository) and assigns every example its split.
 */
import { access, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionTypeName } from '../domain/action-type';
import { groupKey, splitOf, type SplitName } from './split';

/** One labelled example. */
export interface Example {
  id: string;
  text: string;
  label: 0 | 1;
  category: string;
  actionType: ActionTypeName;
  split: SplitName;
}

/** Relative paths of the files used, under the datasets folder. */
export const DATASET_FILES = {
  prompts: 'prompts/labelled_prompts.jsonl',
  outputs: 'prompts/labelled_outputs.jsonl',
} as const;

/** The repository root (this file is apps/ml-scorer/src/train/dataset.ts). */
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The datasets folder: `NETHICAL_DATASETS`, else `../shared/datasets` relative to the repo root. */
export function defaultDatasetsDir(): string {
  return resolve(REPO_ROOT, process.env.NETHICAL_DATASETS ?? '../shared/datasets');
}

/** True when the labelled prompt file is readable (tests and evals skip cleanly otherwise). */
export async function datasetsAvailable(dir: string): Promise<boolean> {
  try {
    await access(join(dir, DATASET_FILES.prompts));
    return true;
  } catch {
    return false;
  }
}

interface RawRow {
  id?: unknown;
  text?: unknown;
  label?: unknown;
  category?: unknown;
  task?: unknown;
  source_label?: { goal?: unknown } | null;
  context?: { goal?: unknown; question?: unknown } | null;
}

/** Rows of `file`; an absent file has none (evaluations report what is there). */
async function readJsonl(file: string): Promise<RawRow[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      try {
        return JSON.parse(line) as RawRow;
      } catch (cause) {
        throw new Error(`${file}:${i + 1}: not JSON`, { cause });
      }
    });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function toExample(
  row: RawRow,
  actionType: ActionTypeName,
  category: string,
  group: string,
): Example | undefined {
  const text = str(row.text);
  const id = str(row.id);
  if (text === undefined || id === undefined || (row.label !== 0 && row.label !== 1))
    return undefined;
  return { id, text, label: row.label, category, actionType, split: splitOf(groupKey(group)) };
}

/**
 * Loads prompts (as `message` actions, grouped by their harmful goal when they wrap one) and
 * outputs (as `response` actions, grouped by the goal or question they answer).
 */
export async function loadExamples(datasetsDir: string): Promise<Example[]> {
  const prompts = await readJsonl(join(datasetsDir, DATASET_FILES.prompts));
  const outputs = await readJsonl(join(datasetsDir, DATASET_FILES.outputs));
  const examples: Example[] = [];
  for (const row of prompts) {
    const group = str(row.source_label?.goal) ?? str(row.text) ?? '';
    const ex = toExample(row, 'message', str(row.category) ?? 'unknown', group);
    if (ex) examples.push(ex);
  }
  for (const row of outputs) {
    const group = str(row.context?.goal) ?? str(row.context?.question) ?? str(row.text) ?? '';
    // Both labels of an output row carry the same task ("harmful_response"); the negatives are
    // refusals or harmless answers and are reported under their own name.
    const category =
      row.label === 1 ? `response:${str(row.task) ?? 'unknown'}` : 'response:refusal_or_benign';
    const ex = toExample(row, 'response', category, group);
    if (ex) examples.push(ex);
  }
  return examples;
}
