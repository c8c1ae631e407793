import { InvalidArgumentError } from '@nethical/platform';
import { describe, expect, it } from 'vitest';
import { lookupId } from '../src/routes/operator-ports';

describe('lookup ids', () => {
  it('accepts printable ids and refuses control characters and oversize ones, naming the field', () => {
    expect(lookupId('action_id', 'a-1:ü/x')).toBe('a-1:ü/x');
    for (const bad of ['\u0000', 'a\nb', 'x'.repeat(257)]) {
      expect(() => lookupId('action_id', bad)).toThrow(InvalidArgumentError);
      expect(() => lookupId('action_id', bad)).toThrow(/^action_id: /);
    }
  });
});
