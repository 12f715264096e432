// Files the app never uploads: programs and scripts. A DAM serves what it holds to many people, so
// an executable or a script uploaded from a compromised feed is a way to spread it under the
// portal's name. The type is judged three ways, each on its own enough to refuse: the file name's
// extension (of every URL on the way and of the name the host gives), the Content-Type the host
// declares, and the first bytes of the file (a program's signature, whatever it is called).
// Documents that can hold macros or scripts (Office files, PDF, SVG) are ordinary DAM assets and
// are not refused here: Bynder's own file checks apply to them.

/** Extensions of programs, installers, libraries, shortcuts and scripts (lower case, no dot). */
export const DENIED_EXTENSIONS: ReadonlySet<string> = new Set([
  // Windows programs, installers, libraries, control panel items, shortcuts, registry files
  'exe', 'msi', 'msp', 'com', 'scr', 'pif', 'cpl', 'dll', 'sys', 'drv', 'ocx', 'lnk', 'reg', 'msc', 'hta', 'appx', 'msix',
  // Windows scripts
  'bat', 'cmd', 'ps1', 'psm1', 'psd1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'wsc',
  // Unix and cross-platform scripts and programs
  'sh', 'bash', 'zsh', 'csh', 'ksh', 'command', 'py', 'pyc', 'pl', 'rb', 'php', 'mjs', 'cjs',
  // Java, macOS and Linux packages
  'jar', 'class', 'app', 'pkg', 'dmg', 'deb', 'rpm', 'apk',
]); // prettier-ignore

/** Content-Types of programs and scripts (lower case, without parameters). */
export const DENIED_CONTENT_TYPES: ReadonlySet<string> = new Set([
  'application/x-msdownload',
  'application/x-msdos-program',
  'application/x-dosexec',
  'application/x-ms-installer',
  'application/x-msi',
  'application/x-ms-shortcut',
  'application/vnd.microsoft.portable-executable',
  'application/x-executable',
  'application/x-elf',
  'application/x-mach-binary',
  'application/x-sharedlib',
  'application/x-sh',
  'application/x-shellscript',
  'application/x-csh',
  'text/x-shellscript',
  'application/x-bat',
  'application/x-msbatch',
  'application/bat',
  'application/x-powershell',
  'application/javascript',
  'application/x-javascript',
  'application/ecmascript',
  'text/javascript',
  'text/ecmascript',
  'text/jscript',
  'text/vbscript',
  'application/x-vbscript',
  'application/hta',
  'application/java-archive',
  'application/x-java-archive',
  'application/x-java-applet',
  'application/java-vm',
  'application/x-python-code',
  'text/x-python',
  'application/x-perl',
  'application/x-php',
  'application/x-apple-diskimage',
  'application/vnd.android.package-archive',
  'application/x-debian-package',
  'application/x-rpm',
]);

/** The first bytes of programs and scripts: Windows (MZ), Linux (ELF), macOS (Mach-O), and `#!`. */
const SIGNATURES: ReadonlyArray<{ what: string; bytes: readonly number[] }> = [
  { what: 'a Windows program (it starts with "MZ")', bytes: [0x4d, 0x5a] },
  { what: 'a Linux program (it starts with the ELF signature)', bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { what: 'a macOS program (it starts with the Mach-O signature)', bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { what: 'a macOS program (it starts with the Mach-O signature)', bytes: [0xce, 0xfa, 0xed, 0xfe] },
  { what: 'a script (it starts with "#!")', bytes: [0x23, 0x21] },
];

/** Bytes enough to recognise every signature above. */
export const SIGNATURE_BYTES = 4;

/** The lower-case extension of the last segment of a file name or path, without the dot. */
export function extensionOf(name: string): string | undefined {
  const last = name.split('/').pop() ?? '';
  const match = /\.([^.]+)$/.exec(last.replace(/[.\s]+$/, ''));
  return match?.[1]?.toLowerCase();
}

/** The media type of a Content-Type header, lower case, without parameters. */
export function mediaTypeOf(contentType: string): string {
  return (contentType.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/** Why a file named `name` is refused, or undefined. */
export function deniedByName(name: string): string | undefined {
  const extension = extensionOf(name);
  return extension !== undefined && DENIED_EXTENSIONS.has(extension)
    ? `is a .${extension} file, a program or script type the app never uploads`
    : undefined;
}

/** Why a file of this Content-Type is refused, or undefined. */
export function deniedByContentType(contentType: string): string | undefined {
  const type = mediaTypeOf(contentType);
  return DENIED_CONTENT_TYPES.has(type)
    ? `is served as ${type}, a program or script type the app never uploads`
    : undefined;
}

/** Why a file starting with `head` is refused, or undefined. */
export function deniedBySignature(head: Uint8Array): string | undefined {
  const found = SIGNATURES.find(({ bytes }) => bytes.every((byte, i) => head[i] === byte));
  return found ? `is ${found.what}, which the app never uploads` : undefined;
}
