import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { projectionSchema } from '@spherecast/shared';
import { ladderRungSchema, probeResultSchema } from '@spherecast/shared/media';
import { savedCheckReportSchema } from '../check/check-report.ts';
import { jobSnapshotSchema } from '../jobs/job-queue.ts';
import { StudioError } from '../errors.ts';

/** Ids are UUIDs: they name files in the data folder, so nothing else may pass. */
export const projectIdSchema = z.uuid({ message: 'That is not a project id.' });

/**
 * A project as it is saved in `<data>/projects/<id>.json`: a source file, its probe, the latest stitch-check
 * report, the edited ladder and the jobs run for it (the probe, report and rungs are the media engine's shapes).
 */
export const projectSchema = z.object({
  id: projectIdSchema,
  name: z.string(),
  sourcePath: z.string(),
  /** True when the file was uploaded into the data folder (browser mode); removing the project deletes that copy. */
  uploaded: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  probe: probeResultSchema,
  /** The layout used for preview, transcode and publish: the probe's, or the user's choice. */
  projection: projectionSchema,
  /** The latest stitch-check report, or null before the first check. */
  checkReport: savedCheckReportSchema.nullable(),
  /** The user's edited ladder, or null to use the planned one. */
  ladder: z.array(ladderRungSchema).nullable(),
  jobs: z.array(jobSnapshotSchema),
});

export type StoredProject = z.infer<typeof projectSchema>;

/** Keeps the library as one JSON file per project; writes are atomic (temp file + rename). */
export class ProjectStore {
  readonly #dir: string;
  readonly #projects = new Map<string, StoredProject>();
  /** Serialises writes per project so a slow write never overtakes a newer one. */
  readonly #writes = new Map<string, Promise<void>>();

  constructor(dataDir: string) {
    this.#dir = path.join(dataDir, 'projects');
  }

  /** Reads every saved project. Files that do not parse are skipped and reported through `onSkip`. */
  async load(onSkip: (file: string, reason: string) => void = () => undefined): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    this.#projects.clear();
    for (const entry of await readdir(this.#dir)) {
      if (!entry.endsWith('.json')) continue;
      const file = path.join(this.#dir, entry);
      try {
        const project = projectSchema.parse(JSON.parse(await readFile(file, 'utf8')));
        this.#projects.set(project.id, project);
      } catch (error) {
        onSkip(file, error instanceof Error ? error.message : String(error));
      }
    }
  }

  list(): StoredProject[] {
    return [...this.#projects.values()].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  get(id: string): StoredProject {
    const project = this.#projects.get(id);
    if (!project) throw new StudioError('PROJECT_NOT_FOUND', 'That project is not in the library any more. Pick another one or add the file again.');
    return project;
  }

  find(id: string): StoredProject | undefined {
    return this.#projects.get(id);
  }

  async create(init: Omit<StoredProject, 'id' | 'createdAt' | 'updatedAt' | 'checkReport' | 'ladder' | 'jobs'>): Promise<StoredProject> {
    const now = new Date().toISOString();
    const project: StoredProject = { ...init, id: randomUUID(), createdAt: now, updatedAt: now, checkReport: null, ladder: null, jobs: [] };
    this.#projects.set(project.id, project);
    await this.#save(project);
    return project;
  }

  /** Applies `change` to the current project and saves it. */
  async update(id: string, change: (project: StoredProject) => Partial<StoredProject>): Promise<StoredProject> {
    const current = this.get(id);
    const next: StoredProject = { ...current, ...change(current), id, updatedAt: new Date().toISOString() };
    this.#projects.set(id, next);
    await this.#save(next);
    return next;
  }

  async remove(id: string): Promise<StoredProject> {
    const project = this.get(id);
    this.#projects.delete(id);
    await this.#queue(id, () => rm(this.#file(id), { force: true }));
    return project;
  }

  /** Waits for pending writes (before the process exits). */
  async flush(): Promise<void> {
    await Promise.all(this.#writes.values());
  }

  #file(id: string): string {
    return path.join(this.#dir, `${projectIdSchema.parse(id)}.json`);
  }

  #save(project: StoredProject): Promise<void> {
    const file = this.#file(project.id);
    const text = `${JSON.stringify(project, null, 2)}\n`;
    return this.#queue(project.id, async () => {
      await mkdir(this.#dir, { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, text);
      await rename(temp, file);
    });
  }

  #queue(id: string, write: () => Promise<void>): Promise<void> {
    const previous = this.#writes.get(id) ?? Promise.resolve();
    const next = previous.then(write, write);
    this.#writes.set(id, next);
    void next.finally(() => {
      if (this.#writes.get(id) === next) this.#writes.delete(id);
    });
    return next;
  }
}
