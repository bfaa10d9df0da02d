/** Pick the annotator profile answers are recorded under: a name field plus the profiles used before. */
import { useEffect, useState, type ReactElement } from 'react'
import { useStudio } from '../store'
import { chooseAnnotator, loadProfiles } from '../store/profile-actions'

export function AnnotatorPicker({ compact = false }: { compact?: boolean }): ReactElement {
  const profiles = useStudio((s) => s.profiles)
  const projectDir = useStudio((s) => s.project?.dir ?? null)
  const [name, setName] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    void loadProfiles()
  }, [projectDir])

  const current = profiles?.current ?? ''
  const known = [...new Set([...(profiles?.recent ?? []), ...(profiles?.inProject.map((p) => p.name) ?? [])])]
  const others = known.filter((n) => n !== current)

  const submit = async (value: string): Promise<void> => {
    if (busy) return
    setBusy(true)
    const message = await chooseAnnotator(value)
    setBusy(false)
    setError(message)
    if (!message) setName('')
  }

  return (
    <div className={`annotator${compact ? ' annotator--compact' : ''}`} data-testid="annotator-picker">
      <p className="annotator__current">
        <span className="muted">Annotating as</span> <strong data-testid="annotator-current">{current || '…'}</strong>
        {profiles && current === profiles.osUser && <span className="muted"> (your account name)</span>}
      </p>
      <form
        className="annotator__form"
        onSubmit={(e) => {
          e.preventDefault()
          void submit(name)
        }}
      >
        <input
          className={`input${error ? ' input--invalid' : ''}`}
          value={name}
          placeholder="Another name, e.g. your initials"
          list="annotator-known"
          maxLength={100}
          aria-label="Annotator name"
          aria-invalid={error ? true : undefined}
          data-testid="annotator-input"
          onChange={(e) => {
            setName(e.target.value)
            setError(null)
          }}
        />
        <datalist id="annotator-known">
          {others.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
        <button className="button" type="submit" disabled={busy || name.trim() === ''} data-testid="annotator-save">
          Switch
        </button>
      </form>
      {error && (
        <p className="field__hint text-bad" role="alert" data-testid="annotator-error">
          {error}
        </p>
      )}
      {others.length > 0 && (
        <div className="annotator__recent" aria-label="Profiles used before">
          {others.slice(0, compact ? 4 : 12).map((n) => (
            <button
              key={n}
              type="button"
              className="annotator__chip"
              disabled={busy}
              data-testid="annotator-recent"
              data-name={n}
              title={`Annotate as ${n}`}
              onClick={() => void submit(n)}
            >
              {n}
            </button>
          ))}
        </div>
      )}
    </div>
  )
}
