/** About and keyboard-shortcut dialogs. */
import type { ReactElement } from 'react'
import { HELP_LINKS } from '../../../shared/help-links'
import { useStudio } from '../store'
import { closeDialog } from '../store/ui-actions'
import { modKey } from '../format'
import { Kbd, Modal } from './common'
import { LogoMark } from './icons'

export function AboutDialog(): ReactElement {
  const info = useStudio((s) => s.info)
  const backendState = useStudio((s) => s.backendState)
  const backend = info?.backend
  return (
    <Modal
      title="About Face Studio"
      onClose={closeDialog}
      testId="about-dialog"
      width={460}
      footer={
        <button className="button button--primary" onClick={closeDialog}>
          Done
        </button>
      }
    >
      <div className="about">
        <LogoMark width={44} height={44} />
        <div>
          <div className="about__name">{info?.name ?? 'Face Studio'}</div>
          <div className="muted">
            Version {info?.version ?? '…'} · {info?.mode === 'web' ? 'browser mode' : 'desktop'}
          </div>
        </div>
      </div>
      <dl className="kv" data-testid="about-versions">
        <dt>ML backend</dt>
        <dd data-testid="about-backend">
          {backend ? backend.label : backendState === 'unavailable' ? 'unavailable' : 'starting…'}
        </dd>
        {backend && (
          <>
            <dt>Threads</dt>
            <dd>{backend.threads}</dd>
          </>
        )}
        {Object.entries(info?.versions ?? {}).map(([k, v]) => (
          <FragmentRow key={k} k={k} v={v} />
        ))}
        {info && (
          <>
            <dt>Annotator</dt>
            <dd>{info.annotator}</dd>
            <dt>Settings</dt>
            <dd className="mono">{info.settingsDir}</dd>
          </>
        )}
        <dt>Models</dt>
        <dd>
          {/* Opens in the user's browser: the desktop app lets only its help links out (desktop/security.ts). */}
          <a href={HELP_LINKS.models} target="_blank" rel="noreferrer" data-testid="about-models-link">
            @vladmandic/face-api
          </a>
        </dd>
      </dl>
    </Modal>
  )
}

function FragmentRow({ k, v }: { k: string; v: string }): ReactElement {
  return (
    <>
      <dt>{k}</dt>
      <dd className="mono">{v}</dd>
    </>
  )
}

const SHORTCUTS: Array<[string, string]> = [
  [`${modKey}N`, 'New project'],
  [`${modKey}O`, 'Open project'],
  [`${modKey}I`, 'Import a folder of photos'],
  [`${modKey}1 … ${modKey}8`, 'Go to Library … Settings'],
  [`${modKey}Z / ${modKey}⇧Z`, 'Undo / redo: answers; on People, people changes (merge, split, move, rename)'],
  ['← →', 'Previous / next photo in the photo view'],
  ['Esc', 'Close a dialog or the photo view'],
  ['?', 'Show this list']
]

export function ShortcutsDialog(): ReactElement {
  return (
    <Modal title="Keyboard shortcuts" onClose={closeDialog} testId="shortcuts-dialog" width={420}>
      <table className="shortcuts">
        <tbody>
          {SHORTCUTS.map(([k, what]) => (
            <tr key={k}>
              <td>
                <Kbd>{k}</Kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  )
}
