/**
 * Settings: who is annotating (the profile stored on every answer), which ML backend runs and why, and
 * where the project and settings live. Only what the app really does; nothing here is decorative.
 */
import type { ReactElement } from 'react'
import type { AnnotatorProfiles } from '../../../shared/domain'
import '../settings.css'
import { useStudio } from '../store'
import { openDialog } from '../store/ui-actions'
import { AnnotatorPicker } from '../components/AnnotatorPicker'
import { count } from '../format'

const NONE: AnnotatorProfiles['inProject'] = []

function Annotators(): ReactElement {
  // A shared empty list: a fresh [] per call would make the store selector loop.
  const inProject = useStudio((s) => s.profiles?.inProject ?? NONE)
  const current = useStudio((s) => s.profiles?.current)
  return (
    <section className="card settings__card" aria-labelledby="settings-annotator">
      <h2 id="settings-annotator" className="section-title">
        Annotator profile
      </h2>
      <p className="muted settings__blurb">
        Every answer is stored with the name of who gave it, so a lab can tell annotators apart, audit a label’s history
        and compare people’s answers. The profile applies to the app and to the command line on this computer.
      </p>
      <AnnotatorPicker />
      {inProject.length > 0 && (
        <table className="settings__table" data-testid="annotators-in-project">
          <caption className="muted">Answers in this project</caption>
          <thead>
            <tr>
              <th scope="col">Annotator</th>
              <th scope="col" className="num">
                Answers
              </th>
            </tr>
          </thead>
          <tbody>
            {inProject.map((a) => (
              <tr key={a.name} data-testid="annotator-row" data-name={a.name} data-count={a.annotations}>
                <td>
                  {a.name}
                  {a.name === current && <span className="badge settings__you">you</span>}
                </td>
                <td className="num mono">{count(a.annotations)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

function Backend(): ReactElement {
  const info = useStudio((s) => s.info)
  const state = useStudio((s) => s.backendState)
  const b = info?.backend
  return (
    <section className="card settings__card" aria-labelledby="settings-backend">
      <h2 id="settings-backend" className="section-title">
        Machine learning
      </h2>
      <dl className="kv" data-testid="settings-backend">
        <dt>Backend</dt>
        <dd>{b ? b.label : state === 'unavailable' ? 'unavailable' : 'starting…'}</dd>
        {b && (
          <>
            <dt>Workers</dt>
            <dd>{b.workers} (one per CPU core; imports and training run there, never in the window)</dd>
          </>
        )}
      </dl>
      <p className="muted settings__blurb">
        Face Studio picks the fastest backend that loads: CUDA (<code>@tensorflow/tfjs-node-gpu</code>), then native CPU
        (<code>@tensorflow/tfjs-node</code>), then WebAssembly with SIMD, then plain JavaScript. To force one, start the
        app with <code>FACE_STUDIO_BACKEND=wasm</code> (or <code>cpu</code>, <code>tensorflow</code>). Every model
        version records the backend that trained it.
      </p>
    </section>
  )
}

function Storage(): ReactElement {
  const info = useStudio((s) => s.info)
  const project = useStudio((s) => s.project)
  return (
    <section className="card settings__card" aria-labelledby="settings-storage">
      <h2 id="settings-storage" className="section-title">
        Where things are
      </h2>
      <dl className="kv">
        {project && (
          <>
            <dt>Project</dt>
            <dd className="mono" data-testid="settings-project-dir">
              {project.dir}
            </dd>
            <dt>Database</dt>
            <dd className="mono">studio.db (schema v{project.schemaVersion})</dd>
          </>
        )}
        <dt>Settings</dt>
        <dd className="mono">{info?.settingsDir ?? '…'}</dd>
      </dl>
      <p className="muted settings__blurb">
        Photos stay where they are; the project folder holds the database, thumbnails and every model version. Nothing
        is sent anywhere.{' '}
        <button className="link-button" onClick={() => openDialog('shortcuts')}>
          Keyboard shortcuts
        </button>
      </p>
    </section>
  )
}

export function Settings(): ReactElement {
  return (
    <div className="screen" data-testid="settings-screen">
      <header className="screen__header">
        <h1>Settings</h1>
      </header>
      <div className="settings">
        <Annotators />
        <Backend />
        <Storage />
      </div>
    </div>
  )
}
