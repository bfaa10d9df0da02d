/**
 * Starts the store: binds the client to main, lets every feature register its own listeners, then asks for
 * what the first screen shows. The only module that knows every feature; nothing imports it but main.tsx.
 */
import type { ConnectedApi } from '../api'
import { connect } from './client'
import { loadJobs, registerJobs } from './jobs-actions'
import { registerLibrary } from './library-actions'
import { loadAppInfo, loadRecent, refreshProject, registerProject } from './project-actions'
import { registerUi } from './ui-actions'
import { registerPeople } from './people-actions'
import { registerReview } from './review-actions'
import { registerLabelErrors } from './label-errors-actions'
import { registerModels } from './models-actions'
import { registerFairness } from './fairness-actions'
import { registerMap } from './map-actions'

export function initStudio(connected: ConnectedApi): void {
  connect(connected)
  // Order matters where several features follow one event: jobs first (the map others read), then the rest.
  registerJobs()
  registerProject()
  registerLibrary()
  registerUi()
  registerPeople()
  registerReview()
  registerLabelErrors()
  registerModels()
  registerFairness()
  registerMap()
  void refreshProject()
  void loadRecent()
  void loadJobs()
  void loadAppInfo()
}
