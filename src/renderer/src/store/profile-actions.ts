/** The annotator profile: the name every answer is stored under (Settings, first run, status bar). */
import { useStudio } from './index'
import { pushToast, request } from './client'

const set = useStudio.setState
const get = useStudio.getState

export async function loadProfiles(): Promise<void> {
  const reply = await request('app.profiles', {}, { failTitle: 'Could not read the annotator profiles' })
  if (reply.ok) set({ profiles: reply.value })
}

/** Returns the error message to show beside the field, or null when the profile was switched. */
export async function chooseAnnotator(name: string): Promise<string | null> {
  const trimmed = name.trim()
  if (trimmed === get().profiles?.current) return null
  const reply = await request('app.setAnnotator', { name: trimmed }, { inline: true })
  if (!reply.ok) return reply.error.message
  const info = get().info
  set({ profiles: reply.value, info: info ? { ...info, annotator: reply.value.current } : info })
  pushToast({
    kind: 'success',
    title: `Annotating as ${reply.value.current}`,
    message: 'Your next answers are recorded under this name; earlier ones keep theirs.'
  })
  return null
}
