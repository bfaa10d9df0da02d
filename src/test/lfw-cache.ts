/**
 * identity_lfw (332 photos, 40 people) imported once per test run (shared-import.ts) for the suites that need
 * all of it (people/people, app/projection): photos, SSD detector, as `face-studio import` does by default.
 */
import path from 'node:path'
import { sharedImport, sharedProjectCopy, type SharedImport } from './shared-import'
import { sharedData } from './support'

export const LFW = path.join(sharedData, 'identity_lfw')

/** A private, writable copy of the run's identity_lfw project at `dest`. */
export async function lfwProject(dest: string): Promise<SharedImport> {
  // The shared folder itself, so photo paths are what an import of it in the test would store.
  return sharedProjectCopy(sharedImport('lfw', path.join(LFW, 'images'), []), dest)
}
