/**
 * File → Merge Annotations From…: another copy of this project (the same photos imported elsewhere, e.g. a
 * colleague's) or an import shard, merged into the open project (teams.merge). Shows what matched, what did not,
 * what conflicts (left for adjudication in Review) and what was added; merging twice adds nothing.
 */
import { useState, type ReactElement } from 'react'
import type { AppErrorShape } from '../../../shared/result'
import type { MergeResult } from '../../../shared/teams'
import { request } from '../store/client'
import { setReviewScope } from '../store/review-actions'
import { closeDialog, navigate } from '../store/ui-actions'
import { ErrorMessage, FolderField, Modal } from '../components/common'
import { plural } from '../format'

export function MergeDialog(): ReactElement {
  const [dir, setDir] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<AppErrorShape | null>(null)
  const [done, setDone] = useState<MergeResult | null>(null)
  const run = async (): Promise<void> => {
    if (!dir.trim()) return
    setBusy(true)
    const r = await request('teams.merge', { from: dir.trim() }, { inline: true })
    setBusy(false)
    if (!r.ok) return setError(r.error)
    setError(null)
    setDone(r.value)
  }
  return (
    <Modal
      title="Merge annotations from another project"
      onClose={closeDialog}
      testId="merge-dialog"
      width={560}
      footer={
        done ? (
          <>
            {done.conflicts > 0 && (
              <button
                className="button"
                onClick={() => {
                  closeDialog()
                  navigate('review')
                }}
              >
                Review conflicts
              </button>
            )}
            {done.importId !== null && done.faces > 0 && (
              <button
                className="button"
                data-testid="merge-review"
                title="Review only the faces this merge brought over, least sure first"
                onClick={() => {
                  setReviewScope({ kind: 'import', importId: done.importId as string })
                  closeDialog()
                  navigate('review')
                }}
              >
                Review the photos brought over
              </button>
            )}
            <button className="button button--primary" data-autofocus onClick={closeDialog}>
              Done
            </button>
          </>
        ) : (
          <>
            <button className="button" onClick={closeDialog}>
              Cancel
            </button>
            <button
              className="button button--primary"
              data-testid="merge-run"
              disabled={busy || !dir.trim()}
              onClick={() => void run()}
            >
              {busy ? 'Merging…' : 'Merge'}
            </button>
          </>
        )
      }
    >
      {done ? (
        <dl className="m-facts" data-testid="merge-done">
          <dt>Added</dt>
          <dd data-testid="merge-added">{plural(done.added, 'answer')}</dd>
          <dt>Matched</dt>
          <dd>{plural(done.matched, 'answer')} on faces found here (same photo, overlapping box)</dd>
          <dt>Unmatched</dt>
          <dd>{plural(done.unmatched, 'answer')} on faces this project does not have</dd>
          <dt>Conflicts</dt>
          <dd>{plural(done.conflicts, 'face')} where the answers differ — settle them in Review → Agreement</dd>
          {done.photos > 0 && (
            <>
              <dt>Photos</dt>
              <dd>
                {plural(done.photos, 'photo')} with {plural(done.faces, 'face')} brought over
              </dd>
            </>
          )}
        </dl>
      ) : (
        <>
          <p className="muted">
            The other project’s answers are added to this one, keeping who answered, when and how; faces match by photo
            content and box. Tasks match by name and must have the same labels. Merging the same project again adds
            nothing.
          </p>
          <FolderField
            id="merge-from"
            label="Project folder to merge from"
            value={dir}
            onChange={setDir}
            purpose="open"
            testIdPrefix="merge-from"
            onEnter={() => void run()}
          />
        </>
      )}
      {error && <ErrorMessage error={error} title="Nothing was merged" />}
    </Modal>
  )
}
