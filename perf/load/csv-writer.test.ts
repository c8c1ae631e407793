import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvColumns, csvField, formatCsvRow, openCsvWriter, type RequestRow } from './csv-writer';

const row = (i: number, error = ''): RequestRow => ({
  agent_id: `load-agent-${i}`,
  action_id: `r-${i}`,
  timestamp: '2026-01-01T00:00:00.000Z',
  latency_ms: 1.5,
  status: '200',
  error,
  violation_detected: i % 2 === 0,
  decision: 'ALLOW',
  category: 'benign',
});

describe('csv writer', () => {
  it("starts with the seed's columns plus decision and category", () => {
    expect(csvColumns.join(',')).toBe(
      'agent_id,action_id,timestamp,latency_ms,status,error,violation_detected,decision,category',
    );
  });

  it('quotes commas, quotes and newlines, and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('line\nbreak')).toBe('"line\nbreak"');
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('-1+1')).toBe("'-1+1");
    expect(csvField(-2.5)).toBe('-2.5');
    expect(formatCsvRow(row(2, 'x,y'))).toBe(
      'load-agent-2,r-2,2026-01-01T00:00:00.000Z,1.5,200,"x,y",true,ALLOW,benign\n',
    );
  });

  it('streams every row to disk in order, across several batches', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nethical-csv-')), 'nested', 'run.csv');
    const writer = openCsvWriter(path, 7);
    for (let i = 0; i < 100; i++) writer.write(row(i));
    await writer.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(101);
    expect(lines[0]).toBe(csvColumns.join(','));
    expect(lines[100]).toBe(formatCsvRow(row(99)).trimEnd());
  });
});
