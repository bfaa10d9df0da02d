/** A person page: every face of one person (or the unassigned faces), select → merge / split / move / not this person. */
import { memo, useEffect, useMemo, useRef, useState, type ReactElement } from 'react'
import type { PersonFace, PersonSummary } from '../../../shared/domain'
import { useStudio } from '../store'
import { mediaUrl } from '../store/client'
import {
  clearSelection,
  clickFace,
  ensurePersonFaces,
  faceAt,
  loadedPeople,
  mergeOpenWith,
  moveSelected,
  nameOf,
  notThisPersonSelected,
  openPerson,
  openPersonPicker,
  renamePerson,
  selectAllFaces,
  splitSelected
} from '../store/people-actions'
import { UNASSIGNED } from '../store/people'
import { Kbd, Modal } from '../components/common'
import { CheckIcon, ChevronLeft } from '../components/icons'
import { modKey, plural } from '../format'
import { useTileGrid } from './PeopleVirtual'
import { SuggestionStrip } from './PeopleSuggestions'
import { GridThumb } from '../components/GridThumb'
import { PersonPrivacyActions } from './PeopleForget'

const MIN_TILE = 112
const GAP = 8

function FaceTileView({
  face,
  index,
  size,
  selected
}: {
  face: PersonFace | undefined
  index: number
  size: number
  selected: boolean
}): ReactElement {
  if (!face) return <div className="face-tile face-tile--loading" style={{ width: size, height: size }} />
  return (
    <button
      className={`face-tile${selected ? ' face-tile--selected' : ''}`}
      style={{ width: size, height: size }}
      data-testid="face-tile"
      data-face-id={face.faceId}
      data-selected={selected}
      data-index={index}
      aria-pressed={selected}
      title={face.confirmed ? 'Confirmed for this person' : 'Grouped by clustering'}
      onMouseDown={(e) => {
        // Shift-click would otherwise select the page's text.
        if (e.shiftKey) e.preventDefault()
      }}
      onClick={(e) => clickFace(index, e.shiftKey)}
    >
      <GridThumb src={mediaUrl(face.thumb)} />
      {face.confirmed && <span className="face-tile__confirmed" aria-label="confirmed" />}
      <span className="face-tile__check" aria-hidden="true">
        <CheckIcon width={13} height={13} />
      </span>
    </button>
  )
}

/** Memoised: scrolling re-renders the grid every frame, and only tiles whose props changed need to. */
const FaceTile = memo(FaceTileView)

function FaceGrid(): ReactElement {
  const total = useStudio((s) => s.personFaceTotal)
  const pages = useStudio((s) => s.personFacePages)
  const generation = useStudio((s) => s.personGeneration)
  const selected = useStudio((s) => s.selectedFaces)
  const grid = useTileGrid({ count: total, minTile: MIN_TILE, gap: GAP, caption: 0, padding: 2 * 24 })
  const { firstIndex, lastIndex } = grid
  useEffect(() => {
    if (total > 0) ensurePersonFaces(firstIndex, lastIndex)
  }, [firstIndex, lastIndex, total, generation])
  return (
    <div className="people-scroll" ref={grid.scrollRef} data-testid="person-faces" data-total={total}>
      <div className="grid-inner" style={{ height: grid.virtualizer.getTotalSize() }}>
        {grid.virtualizer.getVirtualItems().map((row) => (
          <div
            key={row.key}
            className="grid-row"
            style={{ transform: `translateY(${row.start}px)`, height: grid.tile, gap: GAP }}
          >
            {Array.from({ length: grid.columns }, (_, c) => {
              const index = row.index * grid.columns + c
              if (index >= total) return null
              const face = faceAt(pages, index)
              return (
                <FaceTile
                  key={index}
                  face={face}
                  index={index}
                  size={grid.tile}
                  selected={!!face && !!selected[face.faceId]}
                />
              )
            })}
          </div>
        ))}
      </div>
    </div>
  )
}

function NameField({ person }: { person: PersonSummary }): ReactElement {
  const [value, setValue] = useState(person.name ?? '')
  const [editing, setEditing] = useState(false)
  // Follow renames from elsewhere while the field is not being edited.
  const shown = editing ? value : (person.name ?? '')
  const save = (): void => {
    setEditing(false)
    if ((person.name ?? '') !== value.trim()) void renamePerson(person.id, value)
  }
  return (
    <input
      className="person-name"
      data-testid="person-name-input"
      aria-label="Name"
      placeholder="Add a name"
      value={shown}
      size={Math.max(12, shown.length + 2)}
      spellCheck={false}
      maxLength={200}
      onFocus={() => {
        setValue(person.name ?? '')
        setEditing(true)
      }}
      onChange={(e) => setValue(e.target.value)}
      onBlur={save}
      onKeyDown={(e) => {
        if (e.key === 'Enter') {
          e.preventDefault()
          e.currentTarget.blur()
        } else if (e.key === 'Escape') {
          e.preventDefault()
          e.stopPropagation()
          setValue(person.name ?? '')
          setEditing(false)
          // Blur without saving: the value was reset first.
          requestAnimationFrame(() => (document.activeElement as HTMLElement | null)?.blur())
        }
      }}
    />
  )
}

/** "Merge with…" / "Move to…": pick a person by name or size; type to filter, arrows + Enter to choose. */
function PersonPicker({ kind }: { kind: 'merge' | 'move' }): ReactElement {
  const openId = useStudio((s) => s.openPersonId)
  const selectedCount = useStudio((s) => Object.keys(s.selectedFaces).length)
  const pages = useStudio((s) => s.peoplePages)
  const [query, setQuery] = useState('')
  const [active, setActive] = useState(0)
  const listRef = useRef<HTMLUListElement>(null)
  const people = useMemo(() => {
    void pages
    const q = query.trim().toLowerCase()
    return loadedPeople().filter(
      (p) => p.id !== openId && (!q || nameOf(p).toLowerCase().includes(q) || String(p.id) === q)
    )
  }, [pages, query, openId])
  const choose = (p: PersonSummary | undefined): void => {
    if (!p) return
    if (kind === 'merge') void mergeOpenWith(p)
    else void moveSelected(p)
  }
  useEffect(() => {
    listRef.current?.querySelector(`[data-index="${active}"]`)?.scrollIntoView({ block: 'nearest' })
  }, [active])
  return (
    <Modal
      title={kind === 'merge' ? 'Merge with…' : `Move ${plural(selectedCount, 'face')} to…`}
      onClose={() => openPersonPicker(null)}
      testId="person-picker"
      width={440}
    >
      <input
        className="input person-picker__filter"
        placeholder="Filter by name or #id"
        value={query}
        data-autofocus
        data-testid="person-picker-filter"
        onChange={(e) => {
          setQuery(e.target.value)
          setActive(0)
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') setActive((a) => Math.min(people.length - 1, a + 1))
          else if (e.key === 'ArrowUp') setActive((a) => Math.max(0, a - 1))
          else if (e.key === 'Enter') choose(people[active])
          else return
          e.preventDefault()
        }}
      />
      <ul className="person-picker__list" ref={listRef} role="listbox">
        {people.length === 0 && <li className="muted person-picker__empty">No other person matches.</li>}
        {people.slice(0, 300).map((p, i) => (
          <li key={p.id}>
            <button
              className={`person-picker__item${i === active ? ' person-picker__item--active' : ''}`}
              data-testid="person-picker-item"
              data-person-id={p.id}
              data-index={i}
              role="option"
              aria-selected={i === active}
              onMouseEnter={() => setActive(i)}
              onClick={() => choose(p)}
            >
              {p.cover ? (
                <img src={mediaUrl(p.cover)} alt="" loading="lazy" />
              ) : (
                <span className="person-picker__none" />
              )}
              <span className={p.name ? '' : 'muted'}>{nameOf(p)}</span>
              <span className="person-picker__count">{plural(p.count, 'face')}</span>
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  )
}

export function PersonPage(): ReactElement {
  const id = useStudio((s) => s.openPersonId)
  const person = useStudio((s) => s.openPerson)
  const selectedCount = useStudio((s) => Object.keys(s.selectedFaces).length)
  const picker = useStudio((s) => s.personPicker)
  const blocked = useStudio((s) => s.dialog !== null || s.personPicker !== null)
  const unassigned = id === UNASSIGNED
  useEffect(() => {
    if (blocked) return
    const onKey = (e: KeyboardEvent): void => {
      const el = e.target as HTMLElement | null
      if (el && ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) return
      // A dialog of this page (forget, export) owns Escape while open.
      if (document.querySelector('[aria-modal="true"]')) return
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'a') {
        e.preventDefault()
        void selectAllFaces()
      } else if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault()
        if (Object.keys(useStudio.getState().selectedFaces).length) clearSelection()
        else openPerson(null)
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [blocked])
  const none = selectedCount === 0
  return (
    <div className="screen" data-testid="person-page" data-person-id={id ?? undefined}>
      <header className="screen__header person-header">
        <button
          className="button button--small"
          data-testid="person-back"
          title="All people (Esc)"
          onClick={() => openPerson(null)}
        >
          <ChevronLeft width={14} height={14} /> People
        </button>
        {person?.cover && <img className="person-header__avatar" src={mediaUrl(person.cover)} alt="" />}
        {unassigned ? (
          <h1>Unassigned faces</h1>
        ) : person ? (
          <NameField key={person.id} person={person} />
        ) : (
          <h1 className="muted">…</h1>
        )}
        {person && (
          <span className="screen__subtitle" data-testid="person-count">
            {plural(person.count, 'face')}
          </span>
        )}
        <span className="screen__spacer" />
        {!unassigned && (
          <button
            className="button"
            data-testid="person-merge"
            title="Merge this person with another one"
            onClick={() => openPersonPicker('merge')}
          >
            Merge with…
          </button>
        )}
        {!unassigned && person && <PersonPrivacyActions person={person} />}
      </header>
      <div className="selection-bar" data-testid="selection-bar" data-selected={selectedCount}>
        <span className="selection-bar__count">
          {none ? (
            <span className="muted">
              Click faces to select · shift-click for a range · <Kbd>{modKey}A</Kbd> all
            </span>
          ) : (
            <>
              <strong>{selectedCount}</strong> selected
              <button className="link-button" onClick={clearSelection}>
                Clear
              </button>
            </>
          )}
        </span>
        <span className="screen__spacer" />
        {!unassigned && (
          <button
            className="button button--small"
            data-testid="person-split"
            disabled={none}
            title="Make the selected faces a new person"
            onClick={() => void splitSelected()}
          >
            Split into new person
          </button>
        )}
        <button
          className="button button--small"
          data-testid="person-move"
          disabled={none}
          title="Move the selected faces to another person"
          onClick={() => openPersonPicker('move')}
        >
          Move to…
        </button>
        {!unassigned && (
          <button
            className="button button--small button--danger"
            data-testid="person-not-this"
            disabled={none}
            title="Remove the selected faces; they never rejoin this person on re-clustering"
            onClick={() => void notThisPersonSelected()}
          >
            Not this person
          </button>
        )}
      </div>
      {!unassigned && <SuggestionStrip />}
      <FaceGrid />
      {picker && <PersonPicker kind={picker} />}
    </div>
  )
}
