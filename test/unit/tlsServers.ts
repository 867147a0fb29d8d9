// Loopback TLS servers for the client tests: one with a self-signed certificate made at test
// time with openssl, and one that accepts TCP connections but never answers the handshake.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import * as path from 'node:path';
import { makeTempDir, removeDir } from './support';

export interface LoopbackServer {
  readonly baseUrl: string;
  /** HTTP requests that reached the request handler (none when TLS never got through). */
  readonly requests: string[];
  close(): Promise<void>;
}

export interface SelfSignedPair {
  readonly key: string;
  readonly cert: string;
}

/**
 * A fresh self-signed certificate for 127.0.0.1, or, when openssl is missing or fails, why
 * there is none (the TLS tests are then skipped with that reason).
 */
export function makeSelfSignedPair(): SelfSignedPair | { readonly missing: string } {
  const dir = makeTempDir('tls');
  try {
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=127.0.0.1',
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
  } catch (error) {
    const { code, stderr } = error as { code?: string; stderr?: Buffer };
    if (code === 'ENOENT') return { missing: 'openssl is not installed (.ci/run installs it)' };
    const detail = stderr?.toString().trim().split('\n')[0] || (error instanceof Error ? error.message : String(error));
    return { missing: `openssl could not make a certificate: ${detail}` };
  } finally {
    removeDir(dir);
  }
}

/**
 * An HTTPS server with `pair`; `answer` decides what each request gets (by default a job id).
 * `resetAfterHandshake` drops each connection as soon as TLS is established.
 */
export async function startTlsServer(pair: SelfSignedPair, options: { resetAfterHandshake?: boolean } = {}): Promise<LoopbackServer> {
  const requests: string[] = [];
  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ success: true, data: { jobId: 'tls-job' } }));
  });
  if (options.resetAfterHandshake) server.on('secureConnection', (socket) => socket.destroy());
  server.on('tlsClientError', () => undefined);
  return listen(server, 'https', requests);
}

/** Accepts TCP connections and never says a word: a TLS handshake with it never completes. */
export async function startSilentServer(): Promise<LoopbackServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const started = await listen(server, 'https', []);
  return {
    ...started,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return started.close();
    },
  };
}

async function listen(server: net.Server, scheme: string, requests: string[]): Promise<LoopbackServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    baseUrl: `${scheme}://127.0.0.1:${port}/pictoryapis`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
