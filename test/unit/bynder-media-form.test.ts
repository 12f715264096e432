import { describe, expect, it } from 'vitest';

import { encodeMediaForm } from '../../src/lib/bynder/media-form';

describe('encodeMediaForm: application/x-www-form-urlencoded body for POST /api/v4/media/{id}/', () => {
  it('encodes metaproperty keys and comma-separated option ids so a form parser reads them back', () => {
    const form = {
      description: 'Homepage banner & more = 100%',
      tags: 'spring,homepage',
      'metaproperty.1A2B3C4D-1111-4A22-9B33C44D55E66F77':
        '9F8E7D6C-2222-4B33-8C44D55E66F77A88,0E1F2A3B-6666-4F77-8A88B99C00D11E22',
      'metaproperty.2B3C4D5E-3333-4C44-8D55E66F77A88B99': 'Internal use only',
    };
    const body = encodeMediaForm(form);
    expect(body).toContain('metaproperty.1A2B3C4D-1111-4A22-9B33C44D55E66F77=');
    expect(body).not.toContain(' ');
    expect(Object.fromEntries(new URLSearchParams(body))).toEqual(form);
  });

  it('keeps empty values, which clear a metaproperty in Bynder', () => {
    expect(encodeMediaForm({ 'metaproperty.ABC': '', name: 'x' })).toBe('metaproperty.ABC=&name=x');
  });

  it('round-trips unicode and line breaks', () => {
    const form = { description: 'Zoë’s café\nline two', copyright: '© ACME' };
    expect(Object.fromEntries(new URLSearchParams(encodeMediaForm(form)))).toEqual(form);
  });

  it('encodes an empty form as an empty body', () => {
    expect(encodeMediaForm({})).toBe('');
  });
});
