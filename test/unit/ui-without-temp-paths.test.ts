import { describe, expect, it } from 'vitest';

import { withoutTempPaths } from '../../dev/ui/without-temp-paths';

describe('withoutTempPaths: the page names its files by their names', () => {
  const root = '/tmp';

  it('replaces a path under the temporary folder with the file name, wherever it sits in the text', () => {
    expect(
      withoutTempPaths('Sync "local sync of /tmp/bynder-ui-Ab1/source-x9/assets.csv": 4 rejected', root),
    ).toBe('Sync "local sync of assets.csv": 4 rejected');
    expect(withoutTempPaths('mapping (from /tmp/bynder-ui-Ab1/r1-q/mapping.yml):', root)).toBe(
      'mapping (from mapping.yml):',
    );
  });

  it('handles paths inside JSON, several in one text, and a trailing slash on the root', () => {
    const json = JSON.stringify({ source: '/tmp/a/b.csv', appLog: '/tmp/a/r1/app.log' });
    expect(withoutTempPaths(json, '/tmp/')).toBe(JSON.stringify({ source: 'b.csv', appLog: 'app.log' }));
  });

  it('leaves other paths and the folder name alone when no path follows it', () => {
    expect(withoutTempPaths('/work/examples/assets.csv and /tmpfile and /tmp', root)).toBe(
      '/work/examples/assets.csv and /tmpfile and /tmp',
    );
  });

  it('escapes a root holding characters special to a regular expression', () => {
    expect(withoutTempPaths('C:\\Temp (x)\\bynder-ui-1\\a.csv', 'C:\\Temp (x)')).toBe('a.csv');
  });
});
