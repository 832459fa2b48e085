import { ValidationError } from '../domain/errors.ts';

/**
 * One canonical form of a request path, computed once per request before routing, so no route is reached by
 * another name: repeated slashes collapse (`//x/admin` is not a host here, `//admin/x` is `/admin/x`), and a
 * dot segment, plain or percent-encoded (`/v1/%2e%2e/admin`), is refused rather than resolved. The result is
 * still percent-encoded (as API Gateway's rawPath); the router decodes each parameter exactly once.
 */
export function normalisePath(raw: string): string {
  if (!raw.startsWith('/')) throw new ValidationError('the request path must start with /');
  if (raw.includes('\\')) throw new ValidationError('the request path must not contain a backslash');
  const segments = raw.split('/').filter((s) => s !== '');
  for (const s of segments) {
    const plain = s.replace(/%2e/gi, '.');
    if (plain === '.' || plain === '..')
      throw new ValidationError('the request path must not contain . or .. segments');
    if (/%2f|%5c/i.test(s) && /(^|%2f|%5c)(\.|%2e){1,2}($|%2f|%5c)/i.test(s))
      throw new ValidationError('the request path must not contain . or .. segments');
  }
  return `/${segments.join('/')}${raw.length > 1 && raw.endsWith('/') && segments.length ? '/' : ''}`;
}
