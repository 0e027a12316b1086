import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { TypedEmitter, TypedEvents } from './index.ts';

interface JobEvents {
  progress: { percent: number };
  done: string;
}

/** A subclass as jobs and the tracker use it; collects listener errors instead of rethrowing them. */
class Job extends TypedEmitter<JobEvents> {
  readonly listenerErrors: unknown[] = [];
  fire<K extends keyof JobEvents>(event: K, payload: JobEvents[K]): void {
    this.emit(event, payload);
  }
  protected override onListenerError(error: unknown): void {
    this.listenerErrors.push(error);
  }
}

describe('TypedEmitter', () => {
  it('delivers payloads to the listeners of that event only, in the order they were added', () => {
    const job = new Job();
    const seen: string[] = [];
    job.on('progress', (p) => seen.push(`a${p.percent}`)).on('progress', (p) => seen.push(`b${p.percent}`));
    job.on('done', (result) => seen.push(`done:${result}`));
    job.fire('progress', { percent: 5 });
    job.fire('done', 'ok');
    assert.deepEqual(seen, ['a5', 'b5', 'done:ok']);
  });

  it('removes listeners in pairs, and has() reports whether anyone still listens', () => {
    const job = new Job();
    const seen: number[] = [];
    const listener = (p: { percent: number }) => seen.push(p.percent);
    assert.equal(job.has('progress'), false);
    job.on('progress', listener);
    assert.equal(job.has('progress'), true);
    job.fire('progress', { percent: 1 });
    job.off('progress', listener);
    assert.equal(job.has('progress'), false);
    job.fire('progress', { percent: 2 });
    assert.deepEqual(seen, [1]);
  });

  it('once() runs a listener a single time', () => {
    const job = new Job();
    let calls = 0;
    job.once('done', () => calls++);
    job.fire('done', 'a');
    job.fire('done', 'b');
    assert.equal(calls, 1);
    assert.equal(job.has('done'), false);
  });

  it('calls the listeners present when emit starts: one added during emit waits for the next emit', () => {
    for (const initial of [1, 2]) {
      const job = new Job();
      const seen: string[] = [];
      const late = () => seen.push('late');
      for (let i = 0; i < initial; i++) job.on('done', () => (job.on('done', late), seen.push(`first${i}`)));
      job.fire('done', 'x');
      assert.deepEqual(seen, initial === 1 ? ['first0'] : ['first0', 'first1'], `${initial} listener(s)`);
    }
  });

  it('keeps calling the other listeners when one throws, and hands the error on', () => {
    const job = new Job();
    const seen: string[] = [];
    const bug = new Error('listener bug');
    job.on('done', () => {
      throw bug;
    });
    job.on('done', (result) => seen.push(result));
    job.fire('done', 'still delivered');
    assert.deepEqual(seen, ['still delivered']);
    assert.deepEqual(job.listenerErrors, [bug]);
  });

  it('removeAllListeners() drops one event or all of them', () => {
    const job = new Job();
    job.on('done', () => {}).on('progress', () => {});
    job.removeAllListeners('done');
    assert.deepEqual([job.has('done'), job.has('progress')], [false, true]);
    job.removeAllListeners();
    assert.equal(job.has('progress'), false);
  });
});

describe('TypedEvents', () => {
  it('lets the owner emit from outside (renderer, player keep it private)', () => {
    const events = new TypedEvents<{ view: { yaw: number } }>();
    const yaws: number[] = [];
    events.on('view', (v) => yaws.push(v.yaw));
    events.emit('view', { yaw: 90 });
    assert.deepEqual(yaws, [90]);
  });

  it("rethrows a listener's error after emit returns, so it still reaches the runtime's error report", () => {
    // In its own process: the rethrown error is an uncaught exception there, by design.
    const module = path.join(path.dirname(fileURLToPath(import.meta.url)), 'index.ts');
    const script = `
      const { TypedEvents } = await import(${JSON.stringify(module)});
      process.on('uncaughtException', (error) => { console.log('uncaught:' + error.message); });
      const events = new TypedEvents();
      events.on('x', () => { throw new Error('listener bug'); });
      events.on('x', () => console.log('second listener ran'));
      events.emit('x', {});
      console.log('emit returned');
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(child.stderr, '');
    assert.deepEqual(child.stdout.trim().split('\n'), ['second listener ran', 'emit returned', 'uncaught:listener bug']);
  });
});
