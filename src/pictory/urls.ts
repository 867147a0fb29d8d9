import { isLoopbackHost } from './http';

/**
 * A URL from an API answer that may be shown, played or opened: `https:`, or `http:` on this
 * computer when the API itself is on this computer (a local test server). Anything else
 * (`javascript:`, `data:`, `file:`, `command:`…) is refused.
 */
export function safeMediaUrl(value: string | undefined, apiBaseUrl: string): string | undefined {
  return parseMediaUrl(value, apiBaseUrl)?.href;
}

/** `safeMediaUrl`, parsed: for callers that also want its origin. */
export function parseMediaUrl(value: string | undefined, apiBaseUrl: string): URL | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname) && isLoopbackUrl(apiBaseUrl)) return url;
  return undefined;
}

function isLoopbackUrl(value: string): boolean {
  try {
    return isLoopbackHost(new URL(value).hostname);
  } catch {
    return false;
  }
}

/** A file name for a downloaded video: the URL's last path segment, made safe. */
export function videoFileName(videoUrl: string, fallback: string): string {
  const rawSegment = new URL(videoUrl).pathname.split('/').pop() ?? '';
  let lastSegment: string;
  try {
    lastSegment = decodeURIComponent(rawSegment);
  } catch {
    lastSegment = rawSegment;
  }
  const cleaned = lastSegment.replace(/[^\w.-]+/g, '_');
  return cleaned.endsWith('.mp4') ? cleaned : `${fallback}.mp4`;
}
