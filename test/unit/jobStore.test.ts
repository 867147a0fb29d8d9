import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobRecord } from '../../src/jobs/jobRecord';
import { JobStore } from '../../src/jobs/jobStore';
import { makeTempDir, removeDir, videoRequest } from './support';

function record(id: string, submittedAt: number, extra: Partial<JobRecord> = {}): JobRecord {
  return {
    id,
    endpoint: 'https://api.pictory.ai/pictoryapis',
    request: videoRequest(`Job ${id}: a lighthouse at dawn`),
    submittedAt,
    deadline: submittedAt + 30 * 60_000,
    state: 'running',
    updatedAt: submittedAt,
    ...extra,
  };
}

describe('JobStore', () => {
  let root: string;
  let directory: string;
  let store: JobStore;

  beforeEach(() => {
    root = makeTempDir('job-store');
    directory = path.join(root, 'jobs');
    store = new JobStore(directory);
  });

  afterEach(() => removeDir(root));

  describe('records', () => {
    it('gives back what was saved, and lists the newest first', async () => {
      const completed = record('job-b', 2000, {
        state: 'completed',
        video: { url: 'https://cdn.example/b.mp4', width: 1280, height: 720 },
      });
      await store.save(record('job-a', 1000));
      await store.save(completed);
      await store.save(record('job-c', 3000, { state: 'failed', error: { code: 'TEXT_TO_VIDEO_FAILED', message: 'No.' } }));
      assert.deepEqual(await store.get('job-b'), completed);
      assert.deepEqual(
        (await store.list()).map((job) => job.id),
        ['job-c', 'job-b', 'job-a'],
      );
    });

    it('replaces a record saved again, leaving no temporary files', async () => {
      await store.save(record('job-a', 1000));
      await store.save(record('job-a', 1000, { state: 'cancelled', updatedAt: 5000 }));
      assert.equal((await store.get('job-a'))?.state, 'cancelled');
      assert.equal((await store.list()).length, 1);
      assert.deepEqual(fs.readdirSync(directory), ['job-a.json']);
    });

    it('lists nothing, without failing, before the folder exists', async () => {
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('job-a'), undefined);
    });

    it('skips damaged files instead of trusting them', async () => {
      await store.save(record('job-ok', 1000));
      fs.writeFileSync(path.join(directory, 'truncated.json'), '{"id":"truncated","endpoint":"https://api');
      fs.writeFileSync(path.join(directory, 'wrong-shape.json'), JSON.stringify({ ...record('wrong-shape', 2000), state: 'exploded' }));
      // Completed without a video: nothing to show, so not a record.
      fs.writeFileSync(path.join(directory, 'no-video.json'), JSON.stringify(record('no-video', 3000, { state: 'completed' })));
      fs.writeFileSync(path.join(directory, 'array.json'), '[]');
      assert.deepEqual(
        (await store.list()).map((job) => job.id),
        ['job-ok'],
      );
      assert.equal(await store.get('truncated'), undefined);
      assert.equal(await store.get('no-video'), undefined);
    });

    it('keeps ids with path characters inside its folder', async () => {
      const ids = ['../escaped', '..\\escaped-too', 'a/b/../../../c', '/etc/passwd'];
      for (const [index, id] of ids.entries()) await store.save(record(id, 1000 + index));
      await store.tryLease('../lease', 'owner-a', 1000);
      await store.claimAnnouncement('../announced');
      assert.deepEqual(fs.readdirSync(root), ['jobs']);
      for (const name of fs.readdirSync(directory)) assert.match(name, /^[A-Za-z0-9_-]+\.(json|pending|lease|announced)$/);
      for (const id of ids) assert.equal((await store.get(id))?.id, id);
      assert.deepEqual((await store.list()).map((job) => job.id).sort(), [...ids].sort());
    });

    it('tells from one listing whether a job is unfinished', async () => {
      assert.equal(await store.hasPending(), false);
      await store.save(record('job-a', 1000, { state: 'running' }));
      assert.equal(await store.hasPending(), true);
      await store.save(record('job-a', 1000, { state: 'completed', video: { url: 'https://cdn.example/a.mp4' } }));
      assert.equal(await store.hasPending(), false);
    });

    it('removes a job with its lease and announcement marker', async () => {
      await store.save(record('job-a', 1000));
      await store.tryLease('job-a', 'owner-a', 60_000);
      await store.claimAnnouncement('job-a');
      await store.remove('job-a');
      assert.equal(await store.get('job-a'), undefined);
      assert.deepEqual(fs.readdirSync(directory), []);
      assert.equal(await store.claimAnnouncement('job-a'), true);
      assert.equal(await store.tryLease('job-a', 'owner-b', 60_000), true);
    });
  });

  describe('leases', () => {
    const ttl = 10_000;
    const t0 = 1_000_000;

    it('lets one owner poll a job until its lease expires, then another', async () => {
      assert.equal(await store.tryLease('job', 'A', ttl, t0), true);
      assert.equal(await store.tryLease('job', 'B', ttl, t0 + 1), false);
      // A renews halfway: its lease now runs until t0 + 1.5 ttl.
      assert.equal(await store.tryLease('job', 'A', ttl, t0 + ttl / 2), true);
      assert.equal(await store.tryLease('job', 'B', ttl, t0 + ttl + 1), false);
      assert.equal(await store.tryLease('job', 'B', ttl, t0 + ttl * 1.5 + 1), true);
      assert.equal(await store.tryLease('job', 'A', ttl, t0 + ttl * 1.5 + 2), false);
      assert.equal(await store.tryLease('job', 'B', ttl, t0 + ttl * 1.5 + 3), true);
      // Only the marker of the latest takeover stays, so a late window cannot take over twice.
      assert.deepEqual(
        fs.readdirSync(directory).filter((name) => !name.endsWith('.lease')),
        [`job.lease.${t0 + ttl * 1.5}.old`],
        'no temporary lease files are left',
      );
    });

    it('lets a damaged lease file block nobody once a lease would have expired', async () => {
      fs.mkdirSync(directory, { recursive: true });
      fs.writeFileSync(path.join(directory, 'job.lease'), '{"own');
      const written = fs.statSync(path.join(directory, 'job.lease')).mtimeMs;
      assert.equal(await store.tryLease('job', 'A', ttl, written + 1), false);
      assert.equal(await store.tryLease('job', 'A', ttl, written + ttl + 1), true);
    });

    it('is released only by its owner', async () => {
      assert.equal(await store.tryLease('job', 'A', ttl, t0), true);
      await store.releaseLease('job', 'B');
      assert.equal(await store.tryLease('job', 'B', ttl, t0 + 1), false);
      await store.releaseLease('job', 'A');
      assert.equal(await store.tryLease('job', 'B', ttl, t0 + 2), true);
      await store.releaseLease('never-leased', 'A');
    });

    it('keeps leases of different jobs apart', async () => {
      assert.equal(await store.tryLease('job-1', 'A', ttl, t0), true);
      assert.equal(await store.tryLease('job-2', 'B', ttl, t0), true);
      assert.equal(await store.tryLease('job-1', 'B', ttl, t0), false);
      assert.equal(await store.tryLease('job-2', 'A', ttl, t0), false);
    });

    it('goes to exactly one of several owners asking at once for a free job', async () => {
      for (let round = 0; round < 20; round++) {
        const owners = ['A', 'B', 'C', 'D', 'E'];
        const granted = await Promise.all(owners.map((owner) => store.tryLease(`job-${round}`, owner, ttl, t0)));
        assert.equal(granted.filter(Boolean).length, 1, `round ${round}: ${granted}`);
      }
    });
  });

  describe('announcements', () => {
    it('are claimed once, until reset', async () => {
      assert.equal(await store.claimAnnouncement('job'), true);
      assert.equal(await store.claimAnnouncement('job'), false);
      assert.equal(await new JobStore(directory).claimAnnouncement('job'), false, 'another window sharing the folder');
      assert.equal(await store.claimAnnouncement('other-job'), true);
      await store.resetAnnouncement('job');
      assert.equal(await store.claimAnnouncement('job'), true);
      assert.equal(await store.claimAnnouncement('job'), false);
    });

    it('go to exactly one of several windows claiming at once', async () => {
      const windows = Array.from({ length: 6 }, () => new JobStore(directory));
      const claims = await Promise.all(windows.map((window) => window.claimAnnouncement('job')));
      assert.equal(claims.filter(Boolean).length, 1);
    });

    it('can be reset when none was claimed', async () => {
      await store.resetAnnouncement('job');
      assert.equal(await store.claimAnnouncement('job'), true);
    });
  });
});
