/** "Is this Anna?": faces close to a named person, one at a time; y / Enter accepts, n rejects. */
import { useEffect, type ReactElement } from 'react'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import { answerSuggestion } from '../store/people-actions'
import { Kbd } from '../components/common'
import { plural } from '../format'

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null
  return !!el && (el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName))
}

/** "Is this Anna?": one face at a time, y / Enter accepts, n rejects. */
export function SuggestionStrip(): ReactElement | null {
  const suggestions = useStudio((s) => s.suggestions)
  const blocked = useStudio((s) => s.dialog !== null || s.personPicker !== null)
  const first = suggestions[0]
  useEffect(() => {
    if (!first || blocked) return
    const onKey = (e: KeyboardEvent): void => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target) || e.defaultPrevented) return
      if (document.querySelector('[aria-modal="true"]')) return
      const k = e.key.toLowerCase()
      // Enter on a focused button activates that button instead.
      if (k === 'y' || (k === 'enter' && (e.target as HTMLElement | null)?.tagName !== 'BUTTON')) {
        e.preventDefault()
        void answerSuggestion(first.faceId, first.personId, true)
      } else if (k === 'n') {
        e.preventDefault()
        void answerSuggestion(first.faceId, first.personId, false)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [first, blocked])
  if (!first) return null
  return (
    <section
      className="suggestion-strip"
      data-testid="suggestion-strip"
      data-face-id={first.faceId}
      data-person-id={first.personId}
      aria-label="Suggestions"
    >
      <img className="suggestion-strip__face" src={mediaUrl(first.thumb)} alt="" draggable={false} />
      <div className="suggestion-strip__text">
        <div className="suggestion-strip__question" data-testid="suggestion-question">
          Is this <strong>{first.personName || `person #${first.personId}`}</strong>?
        </div>
        <div className="suggestion-strip__meta">
          distance {first.distance.toFixed(2)} · {plural(suggestions.length, 'suggestion')}
          {suggestions.length >= 30 ? '+' : ''} waiting
        </div>
      </div>
      <div className="suggestion-strip__actions">
        <button
          className="button button--primary"
          data-testid="suggestion-accept"
          onClick={() => void answerSuggestion(first.faceId, first.personId, true)}
        >
          Yes <Kbd>Y</Kbd>
        </button>
        <button
          className="button"
          data-testid="suggestion-reject"
          onClick={() => void answerSuggestion(first.faceId, first.personId, false)}
        >
          No <Kbd>N</Kbd>
        </button>
      </div>
      <div className="suggestion-strip__next" aria-hidden="true">
        {suggestions.slice(1, 8).map((s) => (
          <img key={`${s.faceId}:${s.personId}`} src={mediaUrl(s.thumb)} alt="" loading="lazy" draggable={false} />
        ))}
      </div>
    </section>
  )
}
