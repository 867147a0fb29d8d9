import { isLoopbackHost } from './http';

/**
 * A URL from an API answer that may be shown, played or opened: `https:`, or `http:` on
 * this computer (the local test server). Anything else (`javascript:`, `data:`, `file:`,
 * `command:`…) is refused.
 */
export function safeMediaUrl(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  if (url.protocol === 'https:') return url.href;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url.href;
  return undefined;
}

/** A file name for a downloaded video: the URL's last path segment, made safe. */
export function videoFileName(videoUrl: string, fallback: string): string {
  const lastSegment = decodeURIComponent(new URL(videoUrl).pathname.split('/').pop() ?? '');
  const cleaned = lastSegment.replace(/[^\w.-]+/g, '_');
  return cleaned.endsWith('.mp4') ? cleaned : `${fallback}.mp4`;
}
