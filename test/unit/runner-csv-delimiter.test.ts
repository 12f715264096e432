import { describe, expect, it } from 'vitest';

import { parseDelimiterOption, sniffDelimiter } from '../../dev/cli/sync/sources/csv-delimiter';

describe('CSV delimiter', () => {
  it('picks the delimiter that splits the header and the rows below it alike', () => {
    expect(sniffDelimiter('a,b,c\n1,2,3\n', true)).toEqual({ delimiter: ',', how: 'detected' });
    // Commas inside the cells do not win over the semicolon the header uses.
    expect(sniffDelimiter('Asset ID;Title\nx;"one, two"\ny;three, four\n', true).delimiter).toBe(';');
    expect(sniffDelimiter('id\ttext\n1\ta, b; c\n', true).delimiter).toBe('\t');
    expect(sniffDelimiter('id|text\n1|x\n', true).delimiter).toBe('|');
  });

  it('ignores delimiters inside quoted header cells and a last line cut by the sample', () => {
    expect(sniffDelimiter('"a;b",c\n"x;y",z\n"cut;', false).delimiter).toBe(',');
    // A quoted line break does not end the header.
    expect(sniffDelimiter('id;"multi\nline, name"\n1;2\n', true).delimiter).toBe(';');
  });

  it('prefers the delimiter the rows agree with when the header splits either way', () => {
    // The header splits into 3 by comma and 2 by semicolon; only the semicolon splits every row alike.
    expect(sniffDelimiter('Name, first;Last, name\nAnn;Lee, Jr.\nBo;Li\n', true).delimiter).toBe(';');
  });

  it('falls back to the comma for one column or an empty file', () => {
    expect(sniffDelimiter('asset_id\nA\n', true)).toEqual({ delimiter: ',', how: 'default' });
    expect(sniffDelimiter('', true)).toEqual({ delimiter: ',', how: 'default' });
  });

  it('takes --delimiter as one character or a name, and refuses anything else with the usage code', () => {
    expect(parseDelimiterOption('tab')).toBe('\t');
    expect(parseDelimiterOption('\\t')).toBe('\t');
    expect(parseDelimiterOption('Semicolon')).toBe(';');
    expect(parseDelimiterOption(':')).toBe(':');
    expect(() => parseDelimiterOption(';;')).toThrow(/--delimiter ";;" is not a delimiter/);
    expect(() => parseDelimiterOption('"')).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });
});
