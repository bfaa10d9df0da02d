/** The `?` overlay of the Review screen: every shortcut, in the order you need them. */
import type { ReactElement } from 'react'
import { Kbd, Modal } from '../components/common'
import { modKey } from '../format'
import { setReviewHelp } from '../store/review-actions'

const ROWS: Array<[string[], string]> = [
  [['Enter'], 'Confirm the card: every unmarked face gets the asked label'],
  [['←', '→', '↑', '↓'], 'Move the focus ring'],
  [['x', 'Delete'], 'Mark the focused face wrong (again: unmark)'],
  [['1', '…', '9'], 'Label: the marked face waiting for one, otherwise the whole card'],
  [['u'], 'Unsure (same rule)'],
  [['n'], 'Not applicable (same rule)'],
  [['s'], 'Skip this card for now'],
  [[`${modKey}Z`], 'Undo the last answer (also after a restart)'],
  [[`${modKey}⇧Z`], 'Redo'],
  [['Esc'], 'Unmark a face waiting for its label'],
  [['?'], 'Show or hide this list']
]

export function ReviewHelp({ cardSize }: { cardSize: number }): ReactElement {
  return (
    <Modal title="Review shortcuts" onClose={() => setReviewHelp(false)} testId="review-help" width={520}>
      <table className="shortcuts review-help">
        <tbody>
          {ROWS.map(([keys, what]) => (
            <tr key={what}>
              <td className="review-help__keys">
                {keys.map((k) => (k === '…' ? <span key={k}> … </span> : <Kbd key={k}>{k}</Kbd>))}
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted review-help__note">
        Cards hold up to {cardSize} faces, least sure first. Score tasks: type the value, then Enter. Every answer is
        stored with who and when; the history panel shows a face’s answers.
      </p>
    </Modal>
  )
}
