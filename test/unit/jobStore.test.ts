import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JobStore } from '../../src/jobs/jobStore';
import { jobRecord, makeTempDir, removeDir, waitFor } from './support';

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
      const completed = jobRecord('job-b', 2000, {
        state: 'completed',
        video: { url: 'https://cdn.example/b.mp4', width: 1280, height: 720 },
      });
      await store.save(jobRecord('job-a', 1000));
      await store.save(completed);
      await store.save(jobRecord('job-c', 3000, { state: 'failed', error: { code: 'TEXT_TO_VIDEO_FAILED', message: 'No.' } }));
      assert.deepEqual(await store.get('job-b'), completed);
      assert.deepEqual(
        (await store.list()).map((job) => job.id),
        ['job-c', 'job-b', 'job-a'],
      );
    });

    it('replaces a record saved again, leaving no temporary files', async () => {
      await store.save(jobRecord('job-a', 1000));
      await store.save(jobRecord('job-a', 1000, { state: 'cancelled', updatedAt: 5000 }));
      assert.equal((await store.get('job-a'))?.state, 'cancelled');
      assert.equal((await store.list()).length, 1);
      assert.deepEqual(fs.readdirSync(directory), ['job-a.json']);
    });

    it('lists nothing, without failing, before the folder exists', async () => {
      assert.deepEqual(await store.list(), []);
      assert.equal(await store.get('job-a'), undefined);
    });

    it('moves damaged files aside, saying where, instead of trusting them', async () => {
      const logs: string[] = [];
      store = new JobStore(directory, { log: (message) => logs.push(message) });
      await store.save(jobRecord('job-ok', 1000));
      fs.writeFileSync(path.join(directory, 'truncated.json'), '{"id":"truncated","endpoint":"https://api');
      fs.writeFileSync(path.join(directory, 'empty.json'), '');
      // Completed without a video: nothing to show, so not a record.
      fs.writeFileSync(path.join(directory, 'no-video.json'), JSON.stringify(jobRecord('no-video', 3000, { state: 'completed' })));
      fs.writeFileSync(path.join(directory, 'array.json'), '[]');
      assert.deepEqual(
        (await store.list()).map((job) => job.id),
        ['job-ok'],
      );
      assert.deepEqual(fs.readdirSync(directory).sort(), ['array.damaged', 'empty.damaged', 'job-ok.json', 'job-ok.pending', 'no-video.damaged', 'truncated.damaged']);
      assert.equal(fs.readFileSync(path.join(directory, 'truncated.damaged'), 'utf8'), '{"id":"truncated","endpoint":"https://api', 'kept as it was');
      assert.equal(logs.length, 4);
      assert.ok(logs.some((line) => line.includes('empty.json') && line.includes('the file is empty') && line.includes(path.join(directory, 'empty.damaged'))));
      assert.equal(await store.get('truncated'), undefined);
    });

    it('reads a damaged record as damaged, and where it was moved', async () => {
      fs.mkdirSync(directory, { recursive: true });
      fs.writeFileSync(path.join(directory, 'job-a.json'), '{"id":');
      assert.deepEqual(await store.read('job-a'), { kind: 'damaged', path: path.join(directory, 'job-a.damaged') });
      assert.deepEqual(await store.read('job-a'), { kind: 'missing' });
    });

    it('leaves a record of a newer version alone', async () => {
      fs.mkdirSync(directory, { recursive: true });
      const newer = JSON.stringify({ ...jobRecord('job-new', 1000), state: 'rendering' });
      fs.writeFileSync(path.join(directory, 'job-new.json'), newer);
      fs.writeFileSync(path.join(directory, 'job-new.pending'), '');
      fs.utimesSync(path.join(directory, 'job-new.pending'), new Date(0), new Date(0));
      assert.deepEqual(await store.recover(), { records: [], damaged: [] });
      assert.deepEqual(await store.read('job-new'), { kind: 'unknownState' });
      assert.deepEqual(fs.readdirSync(directory).sort(), ['job-new.json', 'job-new.pending']);
    });

    it('syncs a record to disk before renaming it into place', async () => {
      await store.save(jobRecord('job-a', 1000));
      const handle = await fs.promises.open(path.join(directory, 'job-a.json'), 'r');
      const prototype = Object.getPrototypeOf(handle) as { sync: () => Promise<void> };
      await handle.close();
      const original = prototype.sync;
      const seen: string[][] = [];
      prototype.sync = function (this: unknown) {
        seen.push(fs.readdirSync(directory).sort());
        return original.call(this);
      };
      try {
        await store.save(jobRecord('job-b', 2000));
      } finally {
        prototype.sync = original;
      }
      assert.ok(seen.length >= 1);
      const [first] = seen;
      assert.ok(!first.includes('job-b.json'), `synced before the rename: ${first.join(', ')}`);
      const temporary = first.find((name) => name.startsWith('job-b.json.') && name.endsWith('.tmp'));
      assert.ok(temporary, `the record was synced as a temporary file: ${first.join(', ')}`);
      assert.deepEqual(await store.get('job-b'), jobRecord('job-b', 2000));
    });

    it('removes its temporary file when a write fails', async () => {
      fs.mkdirSync(path.join(directory, 'job-a.json'), { recursive: true });
      await assert.rejects(store.save(jobRecord('job-a', 1000)));
      assert.deepEqual(
        fs.readdirSync(directory).filter((name) => name.endsWith('.tmp')),
        [],
      );
    });

    it('keeps ids with path characters inside its folder', async () => {
      const ids = ['../escaped', '..\\escaped-too', 'a/b/../../../c', '/etc/passwd'];
      for (const [index, id] of ids.entries()) await store.save(jobRecord(id, 1000 + index));
      await store.tryLease('../lease', 'owner-a', 1000);
      await store.claimAnnouncement('../announced');
      assert.deepEqual(fs.readdirSync(root), ['jobs']);
      for (const name of fs.readdirSync(directory)) assert.match(name, /^[A-Za-z0-9_-]+\.(json|pending|lease|announced)$/);
      for (const id of ids) assert.equal((await store.get(id))?.id, id);
      assert.deepEqual((await store.list()).map((job) => job.id).sort(), [...ids].sort());
    });

    it('tells from one listing whether a job is unfinished', async () => {
      assert.equal(await store.hasPending(), false);
      await store.save(jobRecord('job-a', 1000, { state: 'running' }));
      assert.equal(await store.hasPending(), true);
      await store.save(jobRecord('job-a', 1000, { state: 'completed', video: { url: 'https://cdn.example/a.mp4' } }));
      assert.equal(await store.hasPending(), false);
    });

    it('removes a job with its lease and announcement marker', async () => {
      await store.save(jobRecord('job-a', 1000));
      await store.tryLease('job-a', 'owner-a', 60_000);
      await store.claimAnnouncement('job-a');
      await store.remove('job-a');
      assert.equal(await store.get('job-a'), undefined);
      assert.deepEqual(fs.readdirSync(directory), []);
      assert.equal(await store.claimAnnouncement('job-a'), true);
      assert.equal(await store.tryLease('job-a', 'owner-b', 60_000), true);
    });
  });

  describe('recovery after a crash', () => {
    const old = new Date(Date.now() - 10 * 60_000);

    it('removes temporary files a crash left, but not a write under way', async () => {
      await store.save(jobRecord('job-a', 1000));
      const leftover = path.join(directory, 'job-a.json.1234.tmp');
      const young = path.join(directory, 'job-a.json.5678.tmp');
      fs.writeFileSync(leftover, '{"id":"job-a"');
      fs.utimesSync(leftover, old, old);
      fs.writeFileSync(young, '{"id":"job-a"');
      const { records } = await store.recover();
      assert.deepEqual(
        records.map((job) => job.id),
        ['job-a'],
      );
      assert.equal(fs.existsSync(leftover), false);
      assert.equal(fs.existsSync(young), true);
    });

    it('moves an empty record aside with its marker, so that start-up stops looking for it', async () => {
      const logs: string[] = [];
      store = new JobStore(directory, { log: (message) => logs.push(message) });
      await store.save(jobRecord('job-a', 1000));
      fs.writeFileSync(path.join(directory, 'job-a.json'), '');
      assert.equal(await store.hasPending(), true);
      const damaged = path.join(directory, 'job-a.damaged');
      assert.deepEqual(await store.recover(), { records: [], damaged: [damaged] });
      assert.equal(await store.hasPending(), false);
      assert.deepEqual(fs.readdirSync(directory), ['job-a.damaged']);
      assert.ok(logs.some((line) => line.includes(damaged)));
    });

    it('clears old markers of ended jobs and of records never written, not young ones', async () => {
      await store.save(jobRecord('ended', 1000, { state: 'failed', error: { code: 'X', message: 'No.' } }));
      await store.save(jobRecord('running', 2000));
      for (const name of ['ended.pending', 'never-written.pending', 'running.pending']) {
        fs.writeFileSync(path.join(directory, name), '');
        fs.utimesSync(path.join(directory, name), old, old);
      }
      fs.writeFileSync(path.join(directory, 'being-saved.pending'), '');
      await store.recover();
      assert.deepEqual(
        fs.readdirSync(directory).filter((name) => name.endsWith('.pending')).sort(),
        ['being-saved.pending', 'running.pending'],
      );
    });
  });

  describe('saving synchronously, as the window closes', () => {
    it('gives back what was saved, with its marker, leaving no temporary files', async () => {
      const pending = jobRecord('job-a', 1000, { state: 'maybeCreated' });
      store.saveNow(pending);
      assert.deepEqual(await store.get('job-a'), pending);
      assert.deepEqual(fs.readdirSync(directory).sort(), ['job-a.json', 'job-a.pending']);
      const completed = jobRecord('job-a', 1000, { state: 'completed', video: { url: 'https://cdn.example/a.mp4' } });
      store.saveNow(completed);
      assert.deepEqual(await store.get('job-a'), completed);
      assert.deepEqual(fs.readdirSync(directory), ['job-a.json'], 'the marker of an ended job is removed');
    });

    it('writes the marker of a job already pending anew, so that watchers report it', async () => {
      await store.save(jobRecord('job-a', 1000, { state: 'submitting' }));
      const reported: string[][] = [];
      const watch = new JobStore(directory).watchPending((ids) => reported.push(ids), 10);
      try {
        store.saveNow(jobRecord('job-a', 1000, { state: 'maybeCreated' }));
        await waitFor('job-a to be reported', () => reported.some((ids) => ids.includes('job-a')));
      } finally {
        watch.dispose();
      }
      assert.equal((await store.get('job-a'))?.state, 'maybeCreated');
      assert.deepEqual(fs.readdirSync(directory).sort(), ['job-a.json', 'job-a.pending']);
    });

    it('throws when the folder cannot be written, leaving no temporary file', () => {
      fs.mkdirSync(path.join(directory, 'job-a.json'), { recursive: true });
      assert.throws(() => store.saveNow(jobRecord('job-a', 1000)));
      assert.deepEqual(
        fs.readdirSync(directory).filter((name) => name.endsWith('.tmp')),
        [],
      );
    });
  });

  describe('watching for pending jobs', () => {
    it('reports jobs other windows start, creating the folder to watch', async () => {
      const reported: string[][] = [];
      const watch = store.watchPending((ids) => reported.push(ids), 10);
      try {
        assert.ok(fs.statSync(directory).isDirectory());
        const other = new JobStore(directory);
        await other.save(jobRecord('job-a', 1000, { state: 'submitting' }));
        await waitFor('job-a to be reported', () => reported.some((ids) => ids.includes('job-a')));
        await other.save(jobRecord('job-b', 2000));
        await waitFor('job-b to be reported', () => reported.some((ids) => ids.includes('job-b')));
        assert.deepEqual(reported.at(-1)?.sort(), ['job-a', 'job-b']);
      } finally {
        watch.dispose();
      }
    });
  });

  describe('leases', () => {
    const ttl = 10_000;

    it('reports the pending jobs to watchers when a lease is given up, not when it is renewed', async () => {
      await store.save(jobRecord('job-a', 1000));
      assert.equal(await store.tryLease('job-a', 'closing-window', ttl, 1000), true);
      const reported: string[][] = [];
      const watch = new JobStore(directory).watchPending((ids) => reported.push(ids), 10);
      try {
        assert.equal(await store.tryLease('job-a', 'closing-window', ttl, 2000), true);
        await new Promise((resolve) => setTimeout(resolve, 100));
        assert.equal(reported.length, 0, 'a renewal changes nothing to follow');
        store.releaseLeasesNow(['job-a'], 'closing-window');
        await waitFor('job-a to be reported', () => reported.some((ids) => ids.includes('job-a')));
      } finally {
        watch.dispose();
      }
    });

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

    describe('taken over from a window that crashed mid-takeover', () => {
      const grace = 5_000;
      const expiredAt = t0 + ttl;
      const marker = () => path.join(directory, `job.lease.${expiredAt}.old`);

      beforeEach(async () => {
        store = new JobStore(directory, { takeoverGraceMs: grace });
        assert.equal(await store.tryLease('job', 'A', ttl, t0), true);
      });

      it('is taken over once the marker is older than the grace period', async () => {
        // The crashed window wrote its marker, and never the lease.
        fs.writeFileSync(marker(), JSON.stringify({ owner: 'crashed', at: expiredAt + 1 }));
        assert.equal(await store.tryLease('job', 'B', ttl, expiredAt + 2), false, 'a takeover may be under way');
        assert.equal(await store.tryLease('job', 'B', ttl, expiredAt + grace + 2), true);
        assert.equal(await store.tryLease('job', 'A', ttl, expiredAt + grace + 3), false, 'B holds it now');
        assert.equal(await store.tryLease('job', 'B', ttl, expiredAt + grace + 4), true, 'and renews it');
        assert.deepEqual(
          fs.readdirSync(directory).filter((name) => name.endsWith('.old')),
          [`job.lease.${expiredAt}.1.old`],
        );
      });

      it('is taken over when the marker was left empty, by the age of its file', async () => {
        fs.writeFileSync(marker(), '');
        const written = fs.statSync(marker()).mtimeMs;
        assert.equal(await store.tryLease('job', 'B', ttl, written + 1), false);
        assert.equal(await store.tryLease('job', 'B', ttl, written + grace + 1), true);
      });

      it('goes to exactly one of several windows taking it over at once', async () => {
        for (let round = 0; round < 30; round++) {
          const id = `job-${round}`;
          assert.equal(await store.tryLease(id, 'A', ttl, t0), true);
          fs.writeFileSync(path.join(directory, `${id}.lease.${expiredAt}.old`), JSON.stringify({ owner: 'crashed', at: expiredAt }));
          const now = expiredAt + grace + 1;
          const granted = await Promise.all(['B', 'C', 'D', 'E', 'F'].map((owner) => store.tryLease(id, owner, ttl, now)));
          assert.equal(granted.filter(Boolean).length, 1, `round ${round}: ${granted}`);
        }
      });
    });

    it('goes to exactly one of several owners taking over an expired lease at once', async () => {
      for (let round = 0; round < 20; round++) {
        assert.equal(await store.tryLease(`job-${round}`, 'A', ttl, t0), true);
        const owners = ['B', 'C', 'D', 'E', 'F'];
        const granted = await Promise.all(owners.map((owner) => store.tryLease(`job-${round}`, owner, ttl, t0 + ttl + 1)));
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
