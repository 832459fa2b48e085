import { stripInvisibles } from '../../domain/update.ts';

/**
 * Which attachments may ever be published. Everything is kept for the secretariat (in the private raw
 * bucket when not publishable); only these safe, common document and image types reach readers.
 */

const DANGEROUS_EXTENSIONS = new Set([
  // executables and installers
  'exe',
  'com',
  'scr',
  'pif',
  'msi',
  'msp',
  'mst',
  'dll',
  'cpl',
  'sys',
  'drv',
  'ocx',
  'apk',
  'app',
  'dmg',
  'pkg',
  'deb',
  'rpm',
  'run',
  'bin',
  'elf',
  'appimage',
  'xbap',
  'appx',
  'msix',
  // scripts
  'js',
  'jse',
  'mjs',
  'cjs',
  'vbs',
  'vbe',
  'wsf',
  'wsh',
  'wsc',
  'ps1',
  'psm1',
  'psd1',
  'bat',
  'cmd',
  'sh',
  'bash',
  'zsh',
  'csh',
  'py',
  'pyc',
  'pl',
  'rb',
  'php',
  'jar',
  'class',
  'hta',
  'scf',
  'lnk',
  'url',
  'reg',
  'inf',
  'gadget',
  'msc',
  'chm',
  'cab',
  'application',
  'action',
  'command',
  'workflow',
  // active documents and containers
  'docm',
  'dotm',
  'xlsm',
  'xltm',
  'xlam',
  'pptm',
  'potm',
  'ppam',
  'ppsm',
  'sldm',
  'iso',
  'img',
  'vhd',
  'vhdx',
  'html',
  'htm',
  'xhtml',
  'shtml',
  'svg',
  'svgz',
  'xml',
  'xsl',
  'swf',
  'one',
  'iqy',
  'slk',
  // archives can carry any of the above past a glance
  'zip',
  'rar',
  '7z',
  'tar',
  'gz',
  'tgz',
  'bz2',
  'xz',
  'z',
  'arj',
  'ace',
  'lzh',
  'cpio',
]);

const DANGEROUS_TYPES =
  /^(application\/(x-(ms)?dos(-)?exec|x-msdownload|x-msdos-program|x-executable|x-sh|x-csh|x-bat|x-msi|x-ms-installer|vnd\.microsoft\.portable-executable|java-archive|x-java-archive|javascript|x-javascript|ecmascript|hta|x-shockwave-flash|vnd\.ms-.*\.macroenabled.*|xhtml\+xml|zip|x-zip-compressed|x-rar-compressed|vnd\.rar|x-7z-compressed|gzip|x-gzip|x-tar|x-iso9660-image|x-apple-diskimage)|text\/(javascript|ecmascript|html|x-sh|x-python|vbscript|x-vbscript)|image\/svg\+xml|message\/.*)$/;

const SAFE_TYPES = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'text/plain',
  'text/csv',
  'text/calendar',
  'application/ics',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/epub+zip',
]);
/** Mail clients often send documents as application/octet-stream: then the extension decides. */
const SAFE_EXTENSIONS = new Set([
  'pdf',
  'png',
  'jpg',
  'jpeg',
  'gif',
  'webp',
  'txt',
  'csv',
  'ics',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'odt',
  'ods',
  'odp',
  'epub',
]);

export interface AttachmentVerdict {
  publishable: boolean;
  reason?: string;
}

export function attachmentVerdict(filename: string | undefined, contentType: string): AttachmentVerdict {
  const type = contentType.toLowerCase().split(';')[0]?.trim() ?? '';
  const name = (filename ?? '').toLowerCase().trim();
  // Every extension counts: "report.pdf.exe" and "invoice.exe.pdf" are both refused.
  const exts = name
    .split('.')
    .slice(1)
    .map((e) => e.replace(/[^a-z0-9]/g, ''));
  const badExt = exts.find((e) => DANGEROUS_EXTENSIONS.has(e));
  if (badExt) return { publishable: false, reason: `.${badExt} files are not published` };
  if (DANGEROUS_TYPES.test(type)) return { publishable: false, reason: `${type} is not published` };
  // Beyond the deny-list, only common documents and images reach readers.
  const last = exts.at(-1) ?? '';
  if (SAFE_TYPES.has(type) || (type === 'application/octet-stream' && SAFE_EXTENSIONS.has(last)))
    return { publishable: true };
  return {
    publishable: false,
    reason: `${last ? `.${last}` : type} is not a document or image type we publish`,
  };
}

/** A file name safe for an S3 key and a Content-Disposition header. */
export function safeFilename(name: string | undefined, index: number, contentType: string): string {
  // Bidi overrides and zero-width characters disguise names ("invoice\u202Efdp.exe" reads "invoiceexe.pdf").
  const base = stripInvisibles((name ?? '').normalize('NFKC').replace(/[\u0000-\u001f\u007f]/g, ''))
    .replace(/[/\\]/g, '_')
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '')
    .replace(/^\.+/, '')
    .trim();
  if (base) return shorten(base, 120);
  const ext = EXT_OF_TYPE[contentType.split(';')[0]?.trim() ?? ''] ?? 'bin';
  return `attachment-${index + 1}.${ext}`;
}

/**
 * At most `max` characters (code points: a cut never leaves half a surrogate pair), cut before the
 * extension so that the shortened name keeps it: the extension decides whether a file is published.
 */
function shorten(name: string, max: number): string {
  const chars = Array.from(name);
  if (chars.length <= max) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? Array.from(name.slice(dot)) : [];
  if (ext.length < 2 || ext.length > 16) return chars.slice(0, max).join('').trim();
  return `${chars
    .slice(0, max - ext.length)
    .join('')
    .trimEnd()}${ext.join('')}`;
}

const EXT_OF_TYPE: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
  'text/calendar': 'ics',
  'application/ics': 'ics',
  'text/plain': 'txt',
};
