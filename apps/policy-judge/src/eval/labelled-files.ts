import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActionTypeName } from '../domain/finding.js';

/** One labelled text of the shared datasets, as the evaluation uses it. */
export interface LabelledRow {
  id: string;
  text: string;
  label: 0 | 1;
  /** `category` of a prompt row; for outputs, harmful_response / refusal_or_benign. */
  category: string;
  /** The row's `source` (upstream repository), the unit of the cross-source check. */
  source: string;
  /** The file under `prompts/`. */
  file: string;
  actionType: ActionTypeName;
}

/** The labelled files judged by the evaluation, with the action type each is judged as. */
export const LABELLED_FILES: ReadonlyArray<{ file: string; actionType: ActionTypeName }> = [
  { file: 'labelled_prompts.jsonl', actionType: 'message' },
  { file: 'labelled_prompts_more.jsonl', actionType: 'message' },
  { file: 'labelled_outputs.jsonl', actionType: 'response' },
];

/** What was read, and which expected files were absent (reported, never fatal). */
export interface LabelledData {
  rows: LabelledRow[];
  /** Files present, in `LABELLED_FILES` order. */
  files: string[];
  /** `prompts/<file>` paths that were not there. */
  skipped: string[];
}

/**
 * Reads every labelled file present under `<datasetsDir>/prompts` (at most `limit` rows each).
 * A missing file is listed in `skipped`; a malformed line throws with its file and line number.
 */
export function readLabelledData(datasetsDir: string, limit = Infinity): LabelledData {
  const rows: LabelledRow[] = [];
  const files: string[] = [];
  const skipped: string[] = [];
  for (const { file, actionType } of LABELLED_FILES) {
    const path = join(datasetsDir, 'prompts', file);
    if (!existsSync(path)) {
      skipped.push(`prompts/${file}`);
      continue;
    }
    files.push(file);
    const lines = readFileSync(path, 'utf8').split('\n');
    let n = 0;
    for (let i = 0; i < lines.length && n < limit; i++) {
      const line = lines[i]!;
      if (line.trim() === '') continue;
      let raw: Record<string, unknown>;
      try {
        raw = JSON.parse(line) as Record<string, unknown>;
      } catch (cause) {
        throw new Error(`${path}:${i + 1}: not JSON`, { cause });
      }
      const label: 0 | 1 = raw.label === 1 || raw.label === '1' ? 1 : 0;
      const category =
        actionType === 'response' ? (label === 1 ? 'harmful_response' : 'refusal_or_benign') : String(raw.category ?? 'unknown');
      rows.push({ id: String(raw.id ?? `${file}:${i + 1}`), text: String(raw.text ?? ''), label, category, source: String(raw.source ?? 'unknown'), file, actionType });
      n++;
    }
  }
  return { rows, files, skipped };
}
