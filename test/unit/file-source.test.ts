import { describe, expect, it } from 'vitest';

import {
  deniedByContentType,
  deniedByName,
  deniedBySignature,
  extensionOf,
} from '../../src/lib/files/deny-list';
import { checkFileUrl } from '../../src/lib/files/file-url';
import { fileNameOf } from '../../src/lib/files/open-file';
import { redactUrl } from '../../src/lib/redact';

describe('redactUrl', () => {
  it('drops user name and password, replaces every query value and drops the fragment', () => {
    expect(
      redactUrl('https://user:pa55word@cdn.example.com:8443/p/a%20b.jpg?X-Amz-Signature=abc123&v=2#part'),
    ).toBe('https://cdn.example.com:8443/p/a%20b.jpg?X-Amz-Signature=[REDACTED]&v=[REDACTED]');
  });

  it('keeps a URL without a query as it is', () => {
    expect(redactUrl('https://cdn.example.com/p/shoe.jpg')).toBe('https://cdn.example.com/p/shoe.jpg');
  });

  it('keeps only what comes before the query of a text that is not a URL, without credentials', () => {
    expect(redactUrl('cdn.example.com/a.jpg?token=s3cret')).toBe('cdn.example.com/a.jpg');
    expect(redactUrl('//user:s3cret@cdn/a.jpg?x=1')).toBe('//cdn/a.jpg');
  });
});

describe('the deny-list', () => {
  it.each([
    ['setup.exe', 'exe'],
    ['SETUP.EXE', 'exe'],
    ['photo.jpg.exe', 'exe'],
    ['setup.exe.', 'exe'], // Windows drops trailing dots: this file runs as setup.exe
    ['dir.d/run.sh', 'sh'],
  ])('reads the extension of %s as %s and refuses it', (name, extension) => {
    expect(extensionOf(name)).toBe(extension);
    expect(deniedByName(name)).toMatch(/a program or script type the app never uploads/);
  });

  it.each([
    'shoe.jpg',
    'manual.pdf',
    'clip.mp4',
    'logo.svg',
    'sheet.xlsx',
    'exe',
    'setup.exe.jpg',
    'noextension',
  ])('lets %s through', (name) => {
    expect(deniedByName(name)).toBeUndefined();
  });

  it('reads a Content-Type without its parameters, in any letter case', () => {
    expect(deniedByContentType('Application/X-MSDownload; charset=binary')).toMatch(
      /is served as application\/x-msdownload/,
    );
    expect(deniedByContentType('image/jpeg')).toBeUndefined();
    expect(deniedByContentType('application/octet-stream')).toBeUndefined();
  });

  it('recognises programs and scripts by their first bytes', () => {
    expect(deniedBySignature(Buffer.from('MZ\x90\x00'))).toMatch(/a Windows program/);
    expect(deniedBySignature(Buffer.from('\x7fELF'))).toMatch(/a Linux program/);
    expect(deniedBySignature(Buffer.from([0xcf, 0xfa, 0xed, 0xfe]))).toMatch(/a macOS program/);
    expect(deniedBySignature(Buffer.from('#!/bin/sh'))).toMatch(/a script/);
    expect(deniedBySignature(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toBeUndefined();
  });
});

describe('checkFileUrl', () => {
  it('refuses an encoded executable path', () => {
    const check = checkFileUrl('https://cdn.example.com/setup%2Eexe');
    expect(check).toMatchObject({ ok: false, problem: 'denied_type' });
  });

  it.each([
    ['ftp://cdn.example.com/a.jpg', 'scheme'],
    ['file:///etc/passwd', 'scheme'],
    ['not a url', 'invalid_url'],
    ['https://cdn.example.com:0/a.jpg', 'invalid_url'],
    ['https://user@cdn.example.com/a.jpg', 'credentials_in_url'],
    ['https://10.1.2.3/a.jpg', 'private_address'],
    ['https://[fd00::1]/a.jpg', 'private_address'],
    // Other spellings of private addresses, which the URL parser writes as dotted quads.
    ['https://0xa9.0xfe.0xa9.0xfe/latest/meta-data', 'private_address'],
    ['https://167772161/a.jpg', 'private_address'],
    ['https://[::ffff:10.0.0.1]/a.jpg', 'private_address'],
  ])('refuses %s (%s)', (url, problem) => {
    expect(checkFileUrl(url)).toMatchObject({ ok: false, problem });
  });

  it('takes a public https URL, a public IP literal and a signed query', () => {
    expect(checkFileUrl('https://cdn.example.com/a.jpg?sig=x').ok).toBe(true);
    expect(checkFileUrl('https://93.184.216.34/a.jpg').ok).toBe(true);
  });

  it('resolves a relative redirect against the URL that sent it', () => {
    const check = checkFileUrl('../b/c.png', new URL('https://cdn.example.com/x/y/z.png'));
    expect(check.ok && check.url.href).toBe('https://cdn.example.com/x/b/c.png');
  });
});

describe('fileNameOf', () => {
  const url = new URL('https://cdn.example.com/p/Shoe%20Red.jpg?sig=x');

  it('takes the last segment of the path, decoded', () => {
    expect(fileNameOf(undefined, url)).toBe('Shoe Red.jpg');
  });

  it("prefers Content-Disposition's filename*, then its filename", () => {
    expect(fileNameOf(`attachment; filename="a.jpg"; filename*=UTF-8''%C3%A9t%C3%A9.jpg`, url)).toBe(
      'été.jpg',
    );
    expect(fileNameOf('attachment; filename="quoted \\"name\\".png"', url)).toBe('quoted "name".png');
    expect(fileNameOf('inline; filename=plain.gif', url)).toBe('plain.gif');
  });

  it('keeps only a base name, without control characters', () => {
    expect(fileNameOf('attachment; filename="../../etc/passwd"', url)).toBe('passwd');
    expect(fileNameOf('attachment; filename="C:\\\\temp\\\\a\u0007.jpg"', url)).toBe('a.jpg');
  });

  it('falls back to "file" when neither gives a name', () => {
    expect(fileNameOf(undefined, new URL('https://cdn.example.com/'))).toBe('file');
  });
});
