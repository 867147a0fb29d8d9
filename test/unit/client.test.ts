import assert from 'node:assert/strict';
import type * as httpModule from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ClientOptions, PictoryClient } from '../../src/pictory/client';
import { lazyFetch, requestSentOf } from '../../src/pictory/http';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { makeSelfSignedPair, SelfSignedPair, startSilentServer, startTlsServer } from './tlsServers';
import { rejection } from './support';

const loadFetch = lazyFetch(path.resolve(__dirname, '../../../dist/fetch.js'));
const KEY = 'pictai_unit<script>&"key';
const REQUEST = { prompt: 'A red fox running through fresh snow', model: 'pixverse5.5', aspectRatio: '9:16', duration: '8s' };


/** Node's own module object, whose `globalAgent` a proxy set-up replaces. */
const nodeHttp = require('node:http') as typeof httpModule;

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'];

/** Runs `action` with only the proxy variables in `values` set, then restores the environment. */
async function withProxyEnv<T>(values: Record<string, string>, action: () => Promise<T>): Promise<T> {
  const saved = PROXY_VARIABLES.map((name) => [name, process.env[name]] as const);
  for (const name of PROXY_VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
  try {
    return await action();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

/** Runs `action` with a global HTTP agent that counts the connections it opens, as a proxy's agent would carry them. */
async function withCountingGlobalAgent<T>(action: (connections: () => number) => Promise<T>): Promise<T> {
  const original = nodeHttp.globalAgent;
  const agent = new nodeHttp.Agent({ keepAlive: false });
  let opened = 0;
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    opened++;
    return create(options, callback);
  };
  nodeHttp.globalAgent = agent;
  try {
    return await action(() => opened);
  } finally {
    nodeHttp.globalAgent = original;
    agent.destroy();
  }
}

/** A port on which nothing listens. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('PictoryClient over HTTP', () => {
  let server: PictoryServer;
  const client = (options: Partial<ClientOptions> = {}) =>
    new PictoryClient({
      baseUrl: server.baseUrl,
      apiKey: KEY,
      userAgent: 'pictory-vscode/0.0.0 VSCode/test',
      loadFetch,
      requestTimeoutMs: 2000,
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 2000 },
      ...options,
    });
  const posts = () => server.requests.filter((r) => r.method === 'POST').length;
  const gets = () => server.requests.filter((r) => r.method === 'GET').length;

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('submits a job with the raw key and a descriptive User-Agent, and returns its id', async () => {
    const jobId = await client().createVideo(REQUEST);
    assert.match(jobId, /^[0-9a-f-]{36}$/);
    const [request] = server.requests;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/pictoryapis/v1/aistudio/videos');
    assert.equal(request.authorization, KEY);
    assert.match(request.userAgent ?? '', /^pictory-vscode\/0\.0\.0 VSCode\//);
    assert.deepEqual(request.body, REQUEST);
  });

  it('follows a job from in-progress to completed with its video details', async () => {
    const jobId = await client().createVideo(REQUEST);
    assert.deepEqual(await client().getJob(jobId), { state: 'running', apiStatus: 'in-progress' });
    const done = await client().getJob(jobId);
    assert.equal(done.state, 'completed');
    if (done.state !== 'completed') return;
    assert.equal(done.video.url, `${server.origin}/media/${jobId}.mp4`);
    assert.equal(done.video.width, 720);
    assert.equal(done.video.height, 1280);
    assert.equal(done.video.aiCreditsUsed, 12.8);
  });

  it('reports a failed job with its error code and message', async () => {
    const jobId = await client().createVideo({ ...REQUEST, prompt: 'This one will #fail' });
    await client().getJob(jobId);
    const failed = await client().getJob(jobId);
    assert.equal(failed.state, 'failed');
    if (failed.state === 'failed') assert.equal(failed.errorCode, 'TEXT_TO_VIDEO_FAILED');
  });

  it('treats an undocumented status as still running', async () => {
    const jobId = await client().createVideo({ ...REQUEST, prompt: 'Waiting in line #queued' });
    assert.deepEqual(await client().getJob(jobId), { state: 'running', apiStatus: 'queued' });
  });

  it('says a wrong key was rejected (401) and does not retry', async () => {
    const error = await rejection(client({ apiKey: 'pictai_wrong' }).createVideo(REQUEST));
    assert.equal(error.kind, 'unauthorized');
    assert.equal(error.status, 401);
    assert.equal(posts(), 1);
  });

  it('lists the fields of a 400', async () => {
    const error = await rejection(client().createVideo({ ...REQUEST, model: 'veo3.1', aspectRatio: '1:1', duration: '5s' }));
    assert.equal(error.kind, 'invalidRequest');
    assert.deepEqual(error.details.fields?.map((f) => f.name).sort(), ['aspectRatio', 'duration']);
    assert.equal(posts(), 1);
  });

  it('reports a 404 for an unknown job', async () => {
    const error = await rejection(client().getJob('00000000-0000-4000-8000-000000000000'));
    assert.equal(error.kind, 'notFound');
  });

  it('retries a GET after an HTML gateway page and a 500, then succeeds', async () => {
    const jobId = await client().createVideo(REQUEST);
    server.addFault({ method: 'GET', fault: { kind: 'html', status: 502 } });
    server.addFault({ method: 'GET', fault: { kind: 'status', status: 500 } });
    const status = await client().getJob(jobId);
    assert.equal(status.state, 'running');
    assert.equal(gets(), 3);
  });

  it('says an HTML page is not JSON, with the status, once retries are spent', async () => {
    server.addFault({ method: 'GET', times: 3, fault: { kind: 'html', status: 502 } });
    const error = await rejection(client().getJob('any'));
    assert.equal(error.kind, 'notJson');
    assert.match(error.message, /not JSON.*HTTP 502/);
    assert.equal(gets(), 3);
  });

  it('honours Retry-After on 429', async () => {
    server.addFault({ method: 'GET', fault: { kind: 'status', status: 429, headers: { 'Retry-After': '1' } } });
    const started = Date.now();
    await rejection(client().getJob('unknown-job'));
    const [first, second] = server.requests;
    assert.ok(second.at - first.at >= 950, `waited only ${second.at - first.at} ms`);
    assert.ok(Date.now() - started < 5000);
  });

  it('backs off on 429 without Retry-After, then succeeds', async () => {
    const jobId = await client().createVideo(REQUEST);
    server.addFault({ method: 'GET', fault: { kind: 'status', status: 429 } });
    const status = await client().getJob(jobId);
    assert.equal(status.state, 'running');
    assert.equal(gets(), 2);
  });

  it("retries a POST that Pictory refused with a 500 or 503 in its own error shape: the job did not exist yet", async () => {
    const refusals = [
      { status: 500, body: '{"code":"INTERNAL_ERROR","message":"Something went wrong"}' },
      { status: 500, body: '{"code":"INTERNAL_ERROR"}' },
      { status: 500, body: '{"success":false,"error":{"error_code":"E500","error_message":"Try again"}}' },
      { status: 500, body: '{"success":false}' },
      { status: 503, body: '{"error":{"error_message":"Busy"}}' },
      { status: 503, body: '{"error":{"error_code":"BUSY"}}' },
    ];
    for (const refusal of refusals) {
      server.reset();
      server.addFault({ method: 'POST', fault: { kind: 'status', ...refusal } });
      assert.ok(await client().createVideo(REQUEST), refusal.body);
      assert.equal(posts(), 2, refusal.body);
      assert.equal(server.jobs().size, 1);
    }
  });

  it("never resends a POST after a gateway's bare JSON message on a 500 or 503", async () => {
    const answers = [
      { status: 500, body: '{"message":"Internal server error"}' },
      { status: 503, body: '{"message":"Service Unavailable"}' },
      { status: 500, body: '{"message":"Internal server error","error":"boom"}' },
      { status: 500, body: '{"message":"Internal server error","success":true}' },
    ];
    for (const answer of answers) {
      server.reset();
      server.addFault({ method: 'POST', fault: { kind: 'status', ...answer } });
      const error = await rejection(client().createVideo(REQUEST));
      assert.equal(error.kind, 'server', answer.body);
      assert.equal(error.details.maybeCreated, true, answer.body);
      assert.match(error.message, /may have been created/);
      assert.equal(posts(), 1, answer.body);
    }
  });

  it('never resends a POST a gateway gave up on, and says the job may exist', async () => {
    server.addFault({ method: 'POST', fault: { kind: 'html', status: 502 } });
    const page = await rejection(client().createVideo(REQUEST));
    assert.equal(page.details.maybeCreated, true);
    assert.match(page.message, /may have been created/);
    server.addFault({ method: 'POST', fault: { kind: 'status', status: 504, body: '{"message":"Endpoint request timed out"}' } });
    const gatewayTimeout = await rejection(client().createVideo(REQUEST));
    assert.equal(gatewayTimeout.details.maybeCreated, true);
    assert.equal(posts(), 2);
  });

  it('does not follow redirects, which could carry the key elsewhere', async () => {
    const other = await startPictoryServer();
    try {
      server.addFault({ method: 'POST', fault: { kind: 'status', status: 307, headers: { Location: `${other.baseUrl}/v1/aistudio/videos` } } });
      const error = await rejection(client().createVideo(REQUEST));
      assert.equal(error.kind, 'httpError');
      assert.match(error.message, /redirected/);
      assert.equal(other.requests.length, 0);
    } finally {
      await other.close();
    }
  });

  it('never resends a POST that timed out, and says the job may exist', async () => {
    server.addFault({ method: 'POST', fault: { kind: 'hang' } });
    const error = await rejection(client({ requestTimeoutMs: 300 }).createVideo(REQUEST));
    assert.equal(error.kind, 'timeout');
    assert.equal(error.details.maybeCreated, true);
    assert.match(error.message, /may have been created/);
    assert.equal(posts(), 1);
  });

  it('never resends a POST whose connection was reset', async () => {
    server.addFault({ method: 'POST', fault: { kind: 'resetMidBody' } });
    const error = await rejection(client().createVideo(REQUEST));
    assert.equal(error.kind, 'network');
    assert.equal(error.details.maybeCreated, true);
    assert.equal(posts(), 1);
  });

  it('times out a GET that never answers', async () => {
    server.addFault({ method: 'GET', times: 2, fault: { kind: 'hang' } });
    const error = await rejection(client({ requestTimeoutMs: 200, retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 } }).getJob('x'));
    assert.equal(error.kind, 'timeout');
    assert.equal(gets(), 2);
  });

  it('says when the connection is refused, and that nothing was created', async () => {
    const port = await closedPort();
    const error = await rejection(client({ baseUrl: `http://127.0.0.1:${port}/pictoryapis` }).createVideo(REQUEST));
    assert.equal(error.kind, 'network');
    assert.match(error.message, /connection refused/);
    assert.equal(error.details.maybeCreated, false);
    assert.equal(error.transient, true);
  });

  it('says a key with a character a header cannot carry is invalid, sends nothing and does not retry', async () => {
    for (const apiKey of ['pictai_line\nbreak', 'pictai_euro_\u20ac']) {
      const attempts: string[] = [];
      const onRequest = (entry: { method: string }) => attempts.push(entry.method);
      for (const error of [
        await rejection(client({ apiKey, onRequest }).createVideo(REQUEST)),
        await rejection(client({ apiKey, onRequest }).getJob('x')),
      ]) {
        assert.equal(error.kind, 'invalidKey', apiKey);
        assert.ok(!error.details.maybeCreated, apiKey);
        assert.equal(error.transient, false);
        assert.equal(
          error.message,
          'The API key contains characters that cannot be sent in a request. Enter a valid key with "Pictory: Set API Key".',
        );
      }
      assert.deepEqual(attempts, ['POST', 'GET'], 'each tried once');
    }
    assert.equal(server.requests.length, 0);
  });

  it('says a 404 on the POST means the endpoint does not exist, whatever its body', async () => {
    const wrongBase = await rejection(client({ baseUrl: `${server.origin}/not-pictoryapis` }).createVideo(REQUEST));
    assert.equal(wrongBase.kind, 'endpointNotFound');
    assert.equal(wrongBase.details.url, `${server.origin}/not-pictoryapis/v1/aistudio/videos`);
    assert.equal(
      wrongBase.message,
      `Pictory's API has no such endpoint: ${server.origin}/not-pictoryapis/v1/aistudio/videos answered 404. Check the "pictory.apiBaseUrl" setting. Pictory says: Not Found`,
    );
    assert.ok(!wrongBase.message.includes(KEY));
    const listing = await rejection(client({ baseUrl: `${server.origin}/not-pictoryapis/` }).listVideos('page/2'));
    assert.equal(listing.kind, 'endpointNotFound');
    assert.match(listing.message, new RegExp(`: ${server.origin}/not-pictoryapis/v1/aistudio/videos answered 404\\.`));
    assert.doesNotMatch(listing.message, /page/);
    server.addFault({ method: 'POST', fault: { kind: 'html', status: 404 } });
    assert.equal((await rejection(client().createVideo(REQUEST))).kind, 'endpointNotFound');
    assert.equal(posts(), 2);
    assert.equal(server.jobs().size, 0);
  });

  it('retries a POST that Pictory refused with its own JSON 503', async () => {
    server.addFault({ method: 'POST', fault: { kind: 'status', status: 503, body: '{"code":"SERVICE_UNAVAILABLE","message":"Try again"}' } });
    assert.ok(await client().createVideo(REQUEST));
    assert.equal(posts(), 2);
    assert.equal(server.jobs().size, 1);
  });

  it('never resends a POST after a 5xx that is not Pictory refusing it', async () => {
    const answers = [
      { kind: 'status' as const, status: 500, body: '' },
      { kind: 'status' as const, status: 500, body: '{}' },
      { kind: 'html' as const, status: 500 },
      { kind: 'status' as const, status: 520, body: '{"message":"Web server is returning an unknown error"}' },
      { kind: 'status' as const, status: 504, body: '{"message":"Endpoint request timed out"}' },
      { kind: 'html' as const, status: 526 },
    ];
    for (const fault of answers) {
      server.reset();
      server.addFault({ method: 'POST', fault });
      const error = await rejection(client().createVideo(REQUEST));
      assert.equal(error.details.maybeCreated, true, JSON.stringify(fault));
      assert.match(error.message, /may have been created/);
      assert.equal(posts(), 1, JSON.stringify(fault));
    }
  });

  it('says when the host name does not exist', async () => {
    const error = await rejection(
      client({ baseUrl: 'https://api.pictory.invalid/pictoryapis', retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 } }).getJob('x'),
    );
    assert.equal(error.kind, 'network');
    assert.match(error.message, /host not found/);
  });

  it('refuses to send the key over plain HTTP to another computer', async () => {
    const error = await rejection(client({ baseUrl: 'http://example.com/pictoryapis' }).createVideo(REQUEST));
    assert.equal(error.kind, 'insecureEndpoint');
    assert.equal(server.requests.length, 0);
  });

  it('treats a 200 without data.jobId as an error, not undefined', async () => {
    server.addFault({ method: 'POST', fault: { kind: 'status', status: 200, body: '{"success":true,"data":{}}' } });
    const error = await rejection(client().createVideo(REQUEST));
    assert.equal(error.kind, 'unexpectedResponse');
    assert.match(error.message, /jobId/);
    assert.equal(error.details.maybeCreated, true, 'an OK without a readable id may still be a job');
  });

  it('reads a 200 with success:false as a failure with its code', async () => {
    server.addFault({
      method: 'POST',
      fault: { kind: 'status', status: 200, body: '{"success":false,"error":{"error_code":"NO_CREDITS","error_message":"Not enough credits"}}' },
    });
    const error = await rejection(client().createVideo(REQUEST));
    assert.equal(error.kind, 'rejected');
    assert.match(error.message, /NO_CREDITS: Not enough credits/);
  });

  it('accepts numeric strings in informational fields and drops other wrong types', async () => {
    server.addFault({
      method: 'GET',
      fault: {
        kind: 'status',
        status: 200,
        body: JSON.stringify({ success: true, data: { status: 'completed', url: 'https://cdn.example/v.mp4', width: '720', height: { x: 1 }, aiCreditsUsed: 'many' } }),
      },
    });
    const status = await client().getJob('x');
    assert.equal(status.state, 'completed');
    if (status.state !== 'completed') return;
    assert.equal(status.video.width, 720);
    assert.equal(status.video.height, undefined);
    assert.equal(status.video.aiCreditsUsed, undefined);
  });

  it('rejects a completed job without a url', async () => {
    server.addFault({ method: 'GET', times: 3, fault: { kind: 'status', status: 200, body: '{"success":true,"data":{"status":"completed"}}' } });
    const error = await rejection(client().getJob('x'));
    assert.equal(error.kind, 'unexpectedResponse');
  });

  it('stops at once when cancelled', async () => {
    server.addFault({ method: 'GET', fault: { kind: 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const started = Date.now();
    const error = await rejection(client({ requestTimeoutMs: 10_000 }).getJob('x', controller.signal));
    assert.equal(error.kind, 'cancelled');
    assert.ok(Date.now() - started < 2000);
    assert.equal(gets(), 1);
  });

  it('logs one line per request without the key', async () => {
    const lines: string[] = [];
    await client({ onRequest: (entry) => lines.push(JSON.stringify(entry)) }).createVideo(REQUEST);
    assert.equal(lines.length, 1);
    assert.match(lines[0], /"method":"POST","path":"\/v1\/aistudio\/videos","status":200/);
    assert.ok(!lines[0].includes(KEY));
  });
});

describe('PictoryClient before and after the request leaves', () => {
  let pair: SelfSignedPair | undefined;
  let noPair = '';
  /** The certificate for a TLS test, or a skip (whose reason the `before` hook prints). */
  const certificate = (test: Mocha.Context): SelfSignedPair => pair ?? test.skip();
  const client = (baseUrl: string, options: Partial<ClientOptions> = {}) =>
    new PictoryClient({
      baseUrl,
      apiKey: KEY,
      userAgent: 'pictory-vscode/0.0.0 VSCode/test',
      loadFetch,
      requestTimeoutMs: 2000,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      ...options,
    });

  // These look at connections made by the client's own agent, which a proxy would replace.
  const savedProxies = PROXY_VARIABLES.map((name) => [name, process.env[name]] as const);
  before(() => {
    const made = makeSelfSignedPair();
    if ('missing' in made) noPair = made.missing;
    else pair = made;
    if (noPair) console.warn(`    The TLS tests below are skipped: ${noPair}.`);
    for (const name of PROXY_VARIABLES) delete process.env[name];
  });
  after(() => {
    for (const [name, value] of savedProxies) if (value !== undefined) process.env[name] = value;
  });

  it('says nothing was sent when the certificate is not trusted', async function () {
    const tls = await startTlsServer(certificate(this));
    try {
      const error = await rejection(client(tls.baseUrl).createVideo(REQUEST));
      assert.equal(error.kind, 'network');
      assert.equal(error.details.maybeCreated, false);
      assert.equal(error.transient, true);
      assert.match(error.message, /secure connection failed/);
      assert.deepEqual(tls.requests, []);
    } finally {
      await tls.close();
    }
  });

  it('says nothing was sent when the TLS handshake never completes before the timeout', async () => {
    const silent = await startSilentServer();
    try {
      const error = await rejection(client(silent.baseUrl, { requestTimeoutMs: 300 }).createVideo(REQUEST));
      assert.equal(error.kind, 'timeout');
      assert.equal(error.details.maybeCreated, undefined);
      assert.equal(error.transient, true);
      assert.doesNotMatch(error.message, /may have been created/);
      assert.match(error.message, /no connection was made/);
    } finally {
      await silent.close();
    }
  });

  it('says the job may exist when a secured connection is dropped', async function () {
    const tls = await startTlsServer(certificate(this), { resetAfterHandshake: true });
    const trusting = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    try {
      const error = await rejection(client(tls.baseUrl).createVideo(REQUEST));
      assert.equal(error.kind, 'network');
      assert.equal(error.details.maybeCreated, true);
    } finally {
      if (trusting === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
      else process.env.NODE_TLS_REJECT_UNAUTHORIZED = trusting;
      await tls.close();
    }
  });
});

describe('PictoryClient with a proxy configured in the environment', () => {
  let server: PictoryServer;
  const client = (options: Partial<ClientOptions> = {}) =>
    new PictoryClient({
      baseUrl: server.baseUrl,
      apiKey: KEY,
      userAgent: 'pictory-vscode/0.0.0 VSCode/test',
      loadFetch,
      requestTimeoutMs: 2000,
      retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
      ...options,
    });

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('leaves the request to the global agent, which a proxy set-up replaces', async () => {
    for (const name of PROXY_VARIABLES) {
      await withProxyEnv({ [name]: 'http://127.0.0.1:9' }, () =>
        withCountingGlobalAgent(async (connections) => {
          assert.ok(await client().createVideo(REQUEST), name);
          assert.equal(connections(), 1, `${name}: the global agent carried the request`);
        }),
      );
    }
    assert.equal(server.jobs().size, PROXY_VARIABLES.length);
  });

  it('uses an agent of its own, which tells whether a connection was made, without a proxy', async () => {
    await withProxyEnv({ HTTPS_PROXY: '  ' }, () =>
      withCountingGlobalAgent(async (connections) => {
        assert.ok(await client().createVideo(REQUEST));
        assert.equal(connections(), 0);
      }),
    );
  });

  it('marks nothing behind a proxy, and falls back to the error codes', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/pictoryapis/v1/jobs/x`;
    const fetch = await loadFetch();
    const failure = (): Promise<unknown> =>
      fetch(url, { method: 'GET', headers: {} }).then(
        () => assert.fail('nothing listens there'),
        (error: unknown) => error,
      );
    assert.equal(requestSentOf(await withProxyEnv({}, failure)), false, 'marked without a proxy');
    assert.equal(requestSentOf(await withProxyEnv({ http_proxy: 'http://127.0.0.1:9' }, failure)), undefined);
    const error = await withProxyEnv({ ALL_PROXY: 'socks5://127.0.0.1:9' }, () =>
      rejection(client({ baseUrl: `http://127.0.0.1:${new URL(url).port}/pictoryapis` }).createVideo(REQUEST)),
    );
    assert.equal(error.kind, 'network');
    assert.equal(error.details.maybeCreated, false);
    assert.match(error.message, /connection refused/);
  });
});
