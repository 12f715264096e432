// Why a file the user named cannot be read, in words: the system's error codes (ENOENT, EACCES, ...)
// mean nothing to most people, and the fix differs for each.

const REASONS: Record<string, string> = {
  ENOENT: 'does not exist; check the path (it is relative to the folder you run the command from)',
  EISDIR: 'is a folder, not a file; name a file inside it',
  ENOTDIR: 'cannot be reached: a part of the path before the file name is a file, not a folder',
  EACCES: 'is not readable: permission denied; check its permissions (ls -l) or run as its owner',
  EPERM: 'is not readable: the operation is not permitted; check its permissions',
  ELOOP: 'cannot be reached: the path has a loop of symbolic links',
  ENAMETOOLONG: 'cannot be read: the path is too long',
  EMFILE: 'cannot be opened now: too many files are open; close some programs and try again',
  EBUSY: 'cannot be read now: it is busy or locked by another program',
  EIO: 'cannot be read: the disk reported an input/output error',
};

/** `<flag> "<path>" <why>`, e.g. `--source "data.csv" does not exist; check the path ...`. */
export function describeFileProblem(flag: string, file: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    (code !== undefined ? REASONS[code] : undefined) ??
    `cannot be read: ${error instanceof Error ? error.message : String(error)}`;
  return `${flag} "${file}" ${reason}`;
}

/** The same reason for a path that exists but is not a regular file (a folder, a device, a socket). */
export function describeNotAFile(flag: string, file: string, isDirectory: boolean): string {
  return isDirectory
    ? `${flag} "${file}" ${REASONS.EISDIR}`
    : `${flag} "${file}" is not a regular file (a device, socket or pipe); name a file`;
}
