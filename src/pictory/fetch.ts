// Entry point of the separately bundled HTTP client, loaded on first use (see http.ts).
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import nodeFetch from 'node-fetch';
import { Fetch, proxyConfigured, withRequestSent } from './http';

/** What became of the one connection a request opens. */
class ConnectionWatch {
  /** A connection was attempted through our agent (another layer, e.g. a proxy, may replace it). */
  attempted = false;
  /** The connection was made and, for HTTPS, secured: the request may have reached the server. */
  established = false;

  observe(socket: Duplex | null | undefined, readyEvent: 'connect' | 'secureConnect'): Duplex | null | undefined {
    if (!socket) return socket;
    this.attempted = true;
    socket.once(readyEvent, () => {
      this.established = true;
    });
    return socket;
  }
}

/** A one-request agent (no keep-alive) that notes when its socket is ready to carry the request. */
function watchedAgent(url: URL, watch: ConnectionWatch): http.Agent {
  if (url.protocol === 'https:') {
    const agent = new https.Agent({ keepAlive: false });
    const create = agent.createConnection.bind(agent);
    agent.createConnection = (options, callback) => watch.observe(create(options, callback), 'secureConnect');
    return agent;
  }
  const agent = new http.Agent({ keepAlive: false });
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => watch.observe(create(options, callback), 'connect');
  return agent;
}

/**
 * node-fetch, whose rejections say whether the request may have reached the server: see
 * `requestSentOf` in http.ts. With a proxy configured, the default agent carries the request
 * and nothing is marked; nor is anything when no connection went through our agent.
 */
export const fetch: Fetch = async (url, init) => {
  if (proxyConfigured()) return nodeFetch(url, init);
  const watch = new ConnectionWatch();
  try {
    return await nodeFetch(url, { ...init, agent: (parsed) => watchedAgent(parsed, watch) });
  } catch (error) {
    throw watch.attempted ? withRequestSent(error, watch.established) : error;
  }
};
