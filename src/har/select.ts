/**
 * Which recorded requests become steps: those to the chosen hosts, without static assets (unless kept),
 * without what a replay cannot send (websockets, requests that never got a response). Everything left out
 * is listed, by reason.
 */
import type { HarEntry } from './har-file.js';

const STATIC_TYPES = new Set(['stylesheet', 'image', 'font', 'script', 'media', 'manifest', 'texttrack', 'other']);
const STATIC_PATH = /\.(css|js|mjs|map|png|jpe?g|gif|svg|ico|webp|avif|woff2?|ttf|otf|eot|mp4|webm|mp3|wasm)$/i;
const STATIC_MIME = /^(image|font|audio|video)\/|^text\/css|javascript/i;

export interface Selection {
  kept: HarEntry[];
  /** The origin every kept request goes to. */
  origin: string;
  dropped: { staticAssets: string[]; otherHosts: Map<string, number>; websockets: string[]; noResponse: string[] };
}

export function selectEntries(entries: readonly HarEntry[], options: { hosts: string[]; keepStatic: boolean }): Selection | { error: string } {
  if (entries.length === 0) return { error: 'the recording has no requests' };
  const wanted = options.hosts.length > 0 ? options.hosts.map((h) => h.toLowerCase()) : [defaultHost(entries)];
  const isWanted = (e: HarEntry): boolean => wanted.includes(e.url.host.toLowerCase()) || wanted.includes(e.url.hostname.toLowerCase());
  const dropped: Selection['dropped'] = { staticAssets: [], otherHosts: new Map(), websockets: [], noResponse: [] };
  const kept: HarEntry[] = [];
  for (const e of entries) {
    const label = `${e.method} ${e.url.pathname}`;
    if (!isWanted(e)) dropped.otherHosts.set(e.url.host, (dropped.otherHosts.get(e.url.host) ?? 0) + 1);
    else if (e.isWebSocket) dropped.websockets.push(label);
    else if (e.status === 0) dropped.noResponse.push(label);
    else if (!options.keepStatic && isStatic(e)) dropped.staticAssets.push(label);
    else kept.push(e);
  }
  if (kept.length === 0) {
    return {
      error: `no request to ${wanted.join(', ')} is left to replay${options.keepStatic ? '' : ' (static assets are dropped: --keep-static keeps them)'}`,
    };
  }
  const origins = [...new Set(kept.map((e) => e.url.origin))];
  if (origins.length > 1) return { error: `a journey goes to one origin; the chosen hosts are ${origins.join(', ')}: choose one with --host` };
  return { kept, origin: origins[0]!, dropped };
}

/** The host of the first page the browser loaded (a document), else of the first request. */
function defaultHost(entries: readonly HarEntry[]): string {
  const first = entries.find((e) => e.resourceType === 'document' || /text\/html/i.test(e.responseMimeType)) ?? entries[0]!;
  return first.url.host.toLowerCase();
}

function isStatic(e: HarEntry): boolean {
  if (e.method !== 'GET') return false;
  if (e.resourceType && STATIC_TYPES.has(e.resourceType)) return e.resourceType !== 'other' || STATIC_PATH.test(e.url.pathname);
  return STATIC_PATH.test(e.url.pathname) || STATIC_MIME.test(e.responseMimeType) || e.url.pathname === '/favicon.ico';
}
