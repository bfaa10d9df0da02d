/** Actions of issue 14 the screens share: retraining a version flagged "trained on forgotten data". */
import { pushToast, request, sameProject } from './client'
import { trackJob } from './jobs-actions'
import { useStudio } from './index'

/** Starts the retrain job (same settings, from the nearest clean ancestor); the Models list refreshes when it ends. */
export async function retrainWithoutForgotten(version: number): Promise<void> {
  const task = useStudio.getState().task
  const current = sameProject()
  const reply = await request(
    'teams.retrainWithoutForgotten',
    { task, version },
    { failTitle: `Could not retrain v${version}` }
  )
  if (!reply.ok || !current()) return
  trackJob(reply.value)
  pushToast({
    kind: 'info',
    title: `Retraining v${version} without forgotten data`,
    message: 'Same settings; the new version appears here when it is done.'
  })
}
