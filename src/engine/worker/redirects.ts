/**
 * Following redirects for the requests that ask for it (`followRedirects`): 301, 302, 303, 307 and 308 with a
 * Location, on the target's origin and the hosts the policy allows, up to its bound. Every hop keeps the first
 * request's deadline, so the final response's latency runs from the first intended start.
 */
import type { RedirectPolicy } from '../plan.js';
import type { Done, Outgoing, ResponseHeaders, Transport, Wants } from './transport.js';

/** Other origins a worker opens connections to (each a pool): a hostile chain of ports cannot open more. */
const MAX_OTHER_ORIGINS = 8;
/** Headers that stay with the target when a redirect leads to another host (as browsers and curl do). */
const CREDENTIALS = ['authorization', 'cookie', 'proxy-authorization'];

export class RedirectFollower {
  private readonly others = new Map<string, Transport>();

  constructor(
    private readonly target: URL,
    private readonly transport: Transport,
    /** Opens a transport to another origin the policy allows. */
    private readonly open: (origin: URL) => Transport,
  ) {}

  /** Sends `request` on the target and follows its redirects; `done` gets the final response or failure. */
  send(request: Outgoing, wants: Wants, deadline: number, policy: RedirectPolicy, done: Done): void {
    this.hop(request, this.target, this.transport, wants, deadline, policy, 0, done);
  }

  expire(now: number): void {
    for (const transport of this.others.values()) transport.expire(now);
  }

  close(): void {
    for (const transport of this.others.values()) transport.close();
    this.others.clear();
  }

  private hop(request: Outgoing, origin: URL, transport: Transport, wants: Wants, deadline: number, policy: RedirectPolicy, hops: number, done: Done): void {
    transport.send(request, wants, deadline, (status, body, failure, headers) => {
      const location = failure === undefined && isRedirect(status) ? locationOf(headers) : undefined;
      const next = location !== undefined ? this.next(request, origin, status, location, policy) : undefined;
      // Not followed (no Location, or a host not allowed): the redirect is the response, judged as such.
      if (!next) return done(status, body, failure, headers);
      if (hops >= policy.max) return done(0, undefined, 'too_many_redirects');
      this.hop(next.request, next.origin, next.transport, wants, deadline, policy, hops + 1, done);
    });
  }

  /** The request a redirect leads to, where it goes, and on which transport; undefined when it is not followed. */
  private next(
    from: Outgoing,
    origin: URL,
    status: number,
    location: string,
    policy: RedirectPolicy,
  ): { request: Outgoing; origin: URL; transport: Transport } | undefined {
    let url: URL;
    try {
      url = new URL(location, `${origin.protocol}//${from.headers['host'] ?? origin.host}${from.path}`);
    } catch {
      return undefined; // a Location that is not a URL: the redirect is the response
    }
    // On the target: its origin, or the host its requests name in a Host header of their own (a virtual host).
    const onTarget = url.protocol === this.target.protocol && (url.host === this.target.host || url.host === from.headers['host']?.toLowerCase());
    let transport = this.transport;
    let to = this.target;
    if (!onTarget) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
      if (!policy.hosts.includes(url.host) && !policy.hosts.includes(url.hostname)) return undefined;
      const known = this.others.get(url.origin);
      if (known) transport = known;
      else {
        if (this.others.size >= MAX_OTHER_ORIGINS) return undefined;
        transport = this.open(url);
        this.others.set(url.origin, transport);
      }
      to = url;
    }
    // 303, and 301/302 after a POST, continue as GET without the body (RFC 9110 §15.4, as browsers do).
    const asGet = (status === 303 && from.method !== 'HEAD') || ((status === 301 || status === 302) && from.method === 'POST');
    const headers: Record<string, string> = {};
    for (const name in from.headers) {
      if (asGet && name === 'content-type') continue;
      if (!onTarget && (name === 'host' || CREDENTIALS.includes(name))) continue;
      headers[name] = from.headers[name]!;
    }
    const request: Outgoing = {
      method: asGet ? 'GET' : from.method,
      path: url.pathname + url.search,
      headers,
      body: asGet ? undefined : from.body,
      http1Bytes: undefined,
    };
    return { request, origin: to, transport };
  }
}

function isRedirect(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function locationOf(headers: ResponseHeaders | undefined): string | undefined {
  if (!headers) return undefined;
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === 'location') return headers[i + 1];
  return undefined;
}
