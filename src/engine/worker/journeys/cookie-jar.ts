/**
 * One journey's cookies, for the one origin it talks to (RFC 6265 §5.2–5.4, the parts that matter for a
 * single host): Path and its default, Max-Age before Expires, a Domain must cover the host, Secure is sent
 * over https and to loopback (as browsers treat localhost). Bounded: a server cannot make a jar grow without end.
 */
const MAX_COOKIES = 50;
const MAX_COOKIE_BYTES = 4096;

interface Cookie {
  name: string;
  value: string;
  path: string;
  /** Epoch ms; Infinity for a session cookie. */
  expiresAt: number;
  secure: boolean;
}

export class CookieJar {
  private cookies: Cookie[] = [];

  /** `host` is the origin's host name (no port); `secureChannel`: https, or loopback. */
  constructor(
    private readonly host: string,
    private readonly secureChannel: boolean,
  ) {}

  get size(): number {
    return this.cookies.length;
  }

  /** Takes the Set-Cookie values of a response to a request for `requestPath`. */
  store(setCookies: readonly string[], requestPath: string, now: number): void {
    for (const line of setCookies) this.storeOne(line, requestPath, now);
  }

  /** The Cookie header for a request to `requestPath`, or undefined when no cookie applies. */
  header(requestPath: string, now: number): string | undefined {
    if (this.cookies.length === 0) return undefined;
    const path = pathOnly(requestPath);
    const matching = this.cookies.filter((c) => c.expiresAt > now && (!c.secure || this.secureChannel) && pathMatches(path, c.path));
    if (matching.length === 0) return undefined;
    // Longer paths first (RFC 6265 §5.4); the sort is stable, so equal paths keep their creation order.
    matching.sort((a, b) => b.path.length - a.path.length);
    return matching.map((c) => `${c.name}=${c.value}`).join('; ');
  }

  /** A cookie's value (the one with the longest path), for a `{ cookie: name }` extraction. */
  value(name: string, now: number): string | undefined {
    let best: Cookie | undefined;
    for (const c of this.cookies) if (c.name === name && c.expiresAt > now && (!best || c.path.length > best.path.length)) best = c;
    return best?.value;
  }

  private storeOne(line: string, requestPath: string, now: number): void {
    if (line.length > MAX_COOKIE_BYTES) return;
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq === -1) return; // no name=value pair: ignored (§5.2)
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!name) return;
    let path: string | undefined;
    let maxAge: number | undefined;
    let expires: number | undefined;
    let secure = false;
    for (const attribute of attributes) {
      const i = attribute.indexOf('=');
      const key = (i === -1 ? attribute : attribute.slice(0, i)).trim().toLowerCase();
      const v = i === -1 ? '' : attribute.slice(i + 1).trim();
      if (key === 'path') path = v.startsWith('/') ? v : undefined;
      else if (key === 'max-age' && /^-?\d+$/.test(v)) maxAge = Number(v);
      else if (key === 'expires') {
        const t = Date.parse(v);
        if (!Number.isNaN(t)) expires = t;
      } else if (key === 'secure') secure = true;
      else if (key === 'domain' && v && !this.domainCovers(v.replace(/^\./, '').toLowerCase())) return; // for another host: rejected
    }
    const expiresAt = maxAge !== undefined ? (maxAge <= 0 ? -Infinity : now + maxAge * 1000) : (expires ?? Infinity);
    const cookie: Cookie = { name, value, path: path ?? defaultPath(requestPath), expiresAt, secure };
    const same = this.cookies.findIndex((c) => c.name === cookie.name && c.path === cookie.path);
    if (same !== -1) this.cookies.splice(same, 1);
    if (expiresAt <= now) return; // an expiry in the past deletes the cookie
    this.cookies = this.cookies.filter((c) => c.expiresAt > now);
    if (this.cookies.length >= MAX_COOKIES) this.cookies.shift(); // the oldest goes, as browsers evict
    this.cookies.push(cookie);
  }

  private domainCovers(domain: string): boolean {
    const host = this.host.toLowerCase();
    if (host === domain) return true;
    // An IP address matches only itself; a name matches its parent domains.
    return !/^[\d.]+$|:/.test(host) && host.endsWith(`.${domain}`);
  }
}

function pathOnly(requestPath: string): string {
  const q = requestPath.search(/[?#]/);
  return q === -1 ? requestPath : requestPath.slice(0, q);
}

/** The directory of the request's path (RFC 6265 §5.1.4). */
function defaultPath(requestPath: string): string {
  const path = pathOnly(requestPath);
  if (!path.startsWith('/')) return '/';
  const last = path.lastIndexOf('/');
  return last <= 0 ? '/' : path.slice(0, last);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}
