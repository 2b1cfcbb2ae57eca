/**
 * The renderer's Content-Security-Policy, in one place. Browser mode sends it as an HTTP header. The
 * Electron window (a file) reads it from index.html's meta tag, where `frame-ancestors` is ignored and
 * browsers log an error for it on every load; so the meta tag carries the policy without it (a file loaded
 * in the desktop window cannot be framed by a web page anyway). A test holds index.html to META_POLICY.
 */
const DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
];

export const CONTENT_SECURITY_POLICY = DIRECTIVES.join('; ');

export const META_POLICY = DIRECTIVES.filter((d) => !d.startsWith('frame-ancestors')).join('; ');
