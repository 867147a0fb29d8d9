import assert from 'node:assert/strict';
import { PictoryClient } from '../../src/pictory/client';
import { PictoryApiError } from '../../src/pictory/errors';
import { creditsLeft, readQuota } from '../../src/pictory/responses';
import { PictoryServer, startPictoryServer } from '../server/pictoryServer';
import { WRONG_KEY, makeClient, rejection, videoRequest } from './support';


describe('the account quota', () => {
  let server: PictoryServer;
  let client: PictoryClient;
  const quotaRequests = () => server.requests.filter((r) => r.path === '/pictoryapis/v1/quota');
  const answerQuota = (body: unknown, times = 1) =>
    server.addFault({ method: 'GET', path: /\/v1\/quota$/, times, fault: { kind: 'status', status: 200, body: JSON.stringify(body) } });

  before(async () => {
    server = await startPictoryServer({ pollsUntilDone: 1 });
    client = makeClient(server.baseUrl);
  });
  after(() => server.close());
  beforeEach(() => server.reset());

  it('reads the credits and minutes, and counts the credits of each job made', async () => {
    assert.deepEqual(await client.getQuota(), { aiCredits: { used: 690, limit: 22000 }, videoMinutes: { used: 98, limit: 14400 } });
    const [request] = quotaRequests();
    assert.equal(request.method, 'GET');
    assert.equal(request.authorization, 'pictai_unit_tests');
    assert.equal(request.body, undefined);
    await client.createVideo({ ...videoRequest(), duration: '8s' });
    await client.createVideo({ ...videoRequest('A second clip of the same lighthouse'), model: 'veo3.1', duration: '4s' });
    const quota = await client.getQuota();
    assert.equal(quota.aiCredits.used, 782.8, '690 + 12.8 + 80');
    assert.equal(creditsLeft(quota), 21217.2);
  });

  it('says a rejected key is rejected (401), without retrying', async () => {
    const error = await rejection(makeClient(server.baseUrl, { apiKey: WRONG_KEY }).getQuota());
    assert.equal(error.kind, 'unauthorized');
    assert.equal(error.status, 401);
    assert.equal(quotaRequests().length, 1);
  });

  it('retries after a JSON 500, as any GET, and reports it once retries are spent', async () => {
    server.addFault({ method: 'GET', path: /\/v1\/quota$/, fault: { kind: 'status', status: 500, body: '{"code":"INTERNAL_ERROR","message":"Try again"}' } });
    assert.equal((await client.getQuota()).aiCredits.limit, 22000);
    assert.equal(quotaRequests().length, 2);
    server.reset();
    server.addFault({ method: 'GET', path: /\/v1\/quota$/, times: 2, fault: { kind: 'status', status: 500, body: '{"code":"INTERNAL_ERROR","message":"Try again"}' } });
    const error = await rejection(client.getQuota());
    assert.equal(error.kind, 'server');
    assert.equal(error.status, 500);
    assert.equal(error.details.code, 'INTERNAL_ERROR');
    assert.match(error.message, /server error.*HTTP 500.*INTERNAL_ERROR: Try again/);
    assert.ok(!error.details.maybeCreated);
    assert.equal(quotaRequests().length, 2);
  });

  it("says a gateway's HTML page is not JSON, after retrying", async () => {
    server.addFault({ method: 'GET', path: /\/v1\/quota$/, fault: { kind: 'html', status: 502 } });
    assert.equal((await client.getQuota()).aiCredits.used, 690);
    server.reset();
    server.addFault({ method: 'GET', path: /\/v1\/quota$/, times: 2, fault: { kind: 'html', status: 503 } });
    const error = await rejection(client.getQuota());
    assert.equal(error.kind, 'notJson');
    assert.match(error.message, /not JSON.*HTTP 503/);
    assert.doesNotMatch(error.message, /may have been created/);
    assert.equal(quotaRequests().length, 2);
  });

  it('says an HTML page answered with 200 is not JSON', async () => {
    server.addFault({ method: 'GET', path: /\/v1\/quota$/, times: 2, fault: { kind: 'status', status: 200, contentType: 'text/html', body: '<html><body>Sign in</body></html>' } });
    assert.equal((await rejection(client.getQuota())).kind, 'notJson');
  });

  it('says a 404 means the endpoint does not exist', async () => {
    const error = await rejection(makeClient(`${server.origin}/elsewhere`).getQuota());
    assert.equal(error.kind, 'endpointNotFound');
    assert.equal(error.details.url, `${server.origin}/elsewhere/v1/quota`);
  });

  it('accepts numeric strings, an answer wrapped in data, and drops unreadable minutes', async () => {
    answerQuota({ aiCredits: { used: '12.5', limit: ' 100 ' }, videoMinutes: { used: 'n/a', limit: 10 } });
    assert.deepEqual(await client.getQuota(), { aiCredits: { used: 12.5, limit: 100 } });
    answerQuota({ success: true, data: { aiCredits: { used: 1, limit: 2 }, videoMinutes: { used: 3, limit: 4 } } });
    assert.deepEqual(await client.getQuota(), { aiCredits: { used: 1, limit: 2 }, videoMinutes: { used: 3, limit: 4 } });
    answerQuota({ aiCredits: { used: 5, limit: 6, extra: true }, storage: { used: 1 } });
    assert.deepEqual(await client.getQuota(), { aiCredits: { used: 5, limit: 6 } });
  });

  it('refuses an answer without readable AI credits', async () => {
    const bodies: unknown[] = [
      {},
      { videoMinutes: { used: 98, limit: 14400 } },
      { aiCredits: null },
      { aiCredits: [690, 22000] },
      { aiCredits: { used: 690 } },
      { aiCredits: { used: 'lots', limit: 22000 } },
      { aiCredits: { used: 690, limit: '' } },
      { aiCredits: { used: 690, limit: null } },
      { aiCredits: { used: 690, limit: 'Infinity' } },
      [],
    ];
    for (const body of bodies) {
      server.reset();
      answerQuota(body);
      const error = await rejection(client.getQuota());
      assert.equal(error.kind, 'unexpectedResponse', JSON.stringify(body));
      assert.match(error.message, /aiCredits|not an object/, JSON.stringify(body));
      assert.ok(!error.details.maybeCreated);
      assert.equal(quotaRequests().length, 1, JSON.stringify(body));
    }
  });

  it('reads a failure in Pictory\'s own shape as one', () => {
    assert.throws(
      () => readQuota({ success: false, error: { error_code: 'E1', error_message: 'No plan' } }),
      (error: unknown) => error instanceof PictoryApiError && error.kind === 'rejected' && /E1: No plan/.test(error.message),
    );
  });

  it('counts the credits left, never below zero and without floating-point noise', () => {
    assert.equal(creditsLeft({ aiCredits: { used: 690, limit: 22000 } }), 21310);
    assert.equal(creditsLeft({ aiCredits: { used: 0.1 + 0.2, limit: 1 } }), 0.7);
    assert.equal(creditsLeft({ aiCredits: { used: 120, limit: 100 } }), 0);
  });

  it('stops when cancelled', async () => {
    server.addFault({ method: 'GET', path: /\/v1\/quota$/, fault: { kind: 'hang' } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    assert.equal((await rejection(client.getQuota(controller.signal))).kind, 'cancelled');
    assert.equal(quotaRequests().length, 1);
  });
});
