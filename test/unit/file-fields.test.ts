import { describe, expect, it } from 'vitest';

import { buildFileFields, FILE_FORM_KEYS, splitFileForm } from '../../src/lib/fields/file-fields';

const policy = { emptyValues: 'clear', unknownOptions: 'reject' } as const;
const [url, name, version] = buildFileFields();

describe('file fields', () => {
  it('take an https address and refuse what the app never fetches, saying why and what to do', () => {
    expect(url?.toWrite(' https://cdn.example.com/a/shoe.jpg ', policy)).toEqual({
      kind: 'set',
      formValue: 'https://cdn.example.com/a/shoe.jpg',
      warnings: [],
    });
    expect(url?.toWrite('ftp://cdn.example.com/shoe.jpg', policy)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(
        /uses ftp; files are fetched over https only.*Serve the file over https/,
      ),
    });
    expect(url?.toWrite('https://10.0.0.5/shoe.jpg', policy)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/private network/),
    });
    // An empty value sends no file, whatever the empty-values policy: there is nothing to clear.
    expect(url?.toWrite('', policy)).toEqual({ kind: 'leave' });
  });

  it('take a file name with an extension and no path, and any version text or number', () => {
    expect(name?.toWrite('shoe.jpg', policy)).toMatchObject({ kind: 'set', formValue: 'shoe.jpg' });
    expect(name?.toWrite('shoe', policy)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/no extension/),
    });
    expect(name?.toWrite('../x.jpg', policy)).toMatchObject({
      kind: 'invalid',
      problem: expect.stringMatching(/path separator/),
    });
    expect(version?.toWrite(3, policy)).toMatchObject({ kind: 'set', formValue: '3' });
  });

  it('travel in the planned form under keys no Bynder field has, and are split off before a modify', () => {
    const form = {
      name: 'Shoe',
      [FILE_FORM_KEYS.url]: 'https://x.example/a.jpg',
      [FILE_FORM_KEYS.version]: '2',
    };
    expect(splitFileForm(form)).toEqual({
      form: { name: 'Shoe' },
      file: { url: 'https://x.example/a.jpg', version: '2' },
    });
    expect(splitFileForm({ name: 'Shoe', [FILE_FORM_KEYS.version]: '2' })).toEqual({
      form: { name: 'Shoe' },
      file: undefined,
    });
  });
});
