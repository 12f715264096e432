import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';

import {
  applySettingsFlags,
  parseSettingsFile,
  readSettingsFile,
} from '../../dev/cli/sync/settings/settings-input';
import { uncommentSettingLines } from '../helpers/example-settings';

describe('settings file', () => {
  it('reads the form sections, tolerating empty ones, and lets flags win', () => {
    const file = parseSettingsFile(
      'connection:\nrecords:\n  delete_policy: delete\nthroughput:\n  requests_per_second: 12\n',
    );
    expect(applySettingsFlags(file, { deletePolicy: 'ignore', maxInFlight: '3' })).toEqual({
      connection: {},
      records: { delete_policy: 'ignore' },
      throughput: { requests_per_second: 12, max_in_flight: '3' },
    });
  });

  it('takes change_detection from the file and --change-detection over it', () => {
    const file = parseSettingsFile('throughput:\n  change_detection: write_all\n');
    expect(file.throughput).toEqual({ change_detection: 'write_all' });
    expect(applySettingsFlags(file, { changeDetection: 'read_first' }).throughput).toEqual({
      change_detection: 'read_first',
    });
  });

  it('reads the fixed values as the form takes them, one "field: value" a line', () => {
    const file = parseSettingsFile('records:\n  fixed_values: |\n    campaign: Summer\n    region: EMEA\n');
    expect(file.records).toEqual({ fixed_values: 'campaign: Summer\nregion: EMEA\n' });
  });

  it('refuses credentials in the file and says where they go instead', () => {
    expect(() => parseSettingsFile('connection:\n  token: abc\n')).toThrow(
      /holds a credential; .*set BYNDER_TOKEN/,
    );
  });

  it('names unknown sections and keys with the valid ones', () => {
    expect(() => parseSettingsFile('network:\n  a: 1\n')).toThrow(
      /unknown section "network"; the sections are connection, records, throughput/,
    );
    expect(() => parseSettingsFile('records:\n  deletes: archive\n')).toThrow(
      /records\.deletes is not a setting; records has primary_key/,
    );
  });
});

describe('examples/settings.yml', () => {
  const example = path.join(__dirname, '../../examples/settings.yml');

  it('loads through the runner settings loader as shipped', async () => {
    const values = await readSettingsFile(example);
    expect(values.records).toMatchObject({ primary_key: 'asset_id', delete_policy: 'archive' });
  });

  it('loads with every commented setting uncommented, each one a known key', async () => {
    const { text, count } = uncommentSettingLines(await readFile(example, 'utf8'));
    expect(count).toBeGreaterThanOrEqual(4);
    const values = parseSettingsFile(text, 'examples/settings.yml (uncommented)');
    expect(values.connection).toEqual({ portal: 'acme.bynder.com', auth_method: 'permanent_token' });
    expect(values.throughput).toHaveProperty('change_detection', 'read_first');
  });
});
