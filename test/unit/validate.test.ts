import { BadUserInputError, PayloadTooLargeError } from '../../src/errors';
import * as v from '../../src/services/validate';

describe('validation', () => {
  it('trims names and refuses empty, long and control-character names', () => {
    expect(v.name('  loss ', 'name')).toBe('loss');
    expect(() => v.name('   ', 'name')).toThrow(new BadUserInputError('name must not be empty'));
    expect(() => v.name('x'.repeat(256), 'name')).toThrow('name must be at most 255 characters, got 256');
    expect(() => v.name('a\u0000b', 'name')).toThrow('name must not contain control characters');
  });

  it('accepts only non-negative integer steps', () => {
    expect(v.count(0, 'step')).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => v.count(bad, 'step')).toThrow(BadUserInputError);
    }
  });

  it.each(['../etc/passwd', '/etc/passwd', 'a/../../b', 'a\\b', 'C:evil', 'a//b', './a', 'a/.', ''])(
    'refuses the file name %j',
    (name) => {
      expect(() => v.fileName(name)).toThrow(BadUserInputError);
    },
  );

  it('accepts plain relative file names', () => {
    expect(v.fileName('plots/loss curve.png')).toBe('plots/loss curve.png');
    expect(v.fileName('model..v2.bin')).toBe('model..v2.bin');
  });

  it('stringifies parameter values as Comet stores them', () => {
    expect(v.scalarValue(0.001, 'v')).toBe('0.001');
    expect(v.scalarValue(true, 'v')).toBe('true');
    expect(v.scalarValue([1, 2], 'v')).toBe('[1,2]');
    expect(() => v.scalarValue(null, 'v')).toThrow(BadUserInputError);
  });

  it('caps list sizes with PAYLOAD_TOO_LARGE', () => {
    expect(() => v.list(new Array(1001).fill('x'), 'tags')).toThrow(PayloadTooLargeError);
  });
});
