/** Small shared pieces: inline error, progress bar, modal, folder field, empty state, bounded number input. */
import { useEffect, useId, useRef, type ReactElement, type ReactNode } from 'react'
import type { AppErrorShape } from '../../../shared/result'
import { pickFile, pickFolder } from '../store/project-actions'
import { useStudio } from '../store'
import { AlertIcon, CloseIcon, FolderIcon } from './icons'

export function ErrorMessage({ error, title }: { error: AppErrorShape; title?: string }): ReactElement {
  const ref = useRef<HTMLDivElement>(null)
  // An error at the foot of a long dialog or panel would otherwise appear below the fold, unseen.
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest' })
  }, [error.message])
  return (
    <div ref={ref} className="error-message" role="alert" data-testid="error-message" data-code={error.code}>
      <AlertIcon className="error-message__icon" width={18} height={18} />
      <div>
        {title && <div className="error-message__title">{title}</div>}
        <div className="error-message__text">{error.message}</div>
      </div>
    </div>
  )
}

export function ProgressBar({
  value,
  indeterminate,
  size = 'md',
  testId
}: {
  value: number
  indeterminate?: boolean
  size?: 'sm' | 'md'
  testId?: string
}): ReactElement {
  return (
    <div
      className={`progress progress--${size}${indeterminate ? ' progress--indeterminate' : ''}`}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={indeterminate ? undefined : Math.round(value * 100)}
      data-testid={testId}
    >
      <div className="progress__fill" style={indeterminate ? undefined : { width: `${(value * 100).toFixed(1)}%` }} />
    </div>
  )
}

export function Modal({
  title,
  onClose,
  children,
  footer,
  width = 520,
  testId
}: {
  title: ReactNode
  onClose: () => void
  children: ReactNode
  footer?: ReactNode
  width?: number
  testId?: string
}): ReactElement {
  const ref = useRef<HTMLDivElement>(null)
  const titleId = useId()
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null
    const first = ref.current?.querySelector<HTMLElement>('[data-autofocus], input, select, button:not(.modal__close)')
    first?.focus()
    return () => prev?.focus?.()
  }, [])
  // Escape closes even when focus has left the dialog (e.g. a button that turned disabled while busy).
  const closeRef = useRef(onClose)
  useEffect(() => {
    closeRef.current = onClose
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape' && !e.defaultPrevented) {
        e.preventDefault()
        closeRef.current()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
  return (
    <div
      className="modal-backdrop"
      onMouseDown={(e) => {
        if (e.target === e.currentTarget) onClose()
      }}
    >
      <div
        ref={ref}
        className="modal"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        style={{ width }}
        data-testid={testId}
      >
        <header className="modal__header">
          <h2 id={titleId}>{title}</h2>
          <button className="icon-button modal__close" onClick={onClose} aria-label="Close" title="Close (Esc)">
            <CloseIcon />
          </button>
        </header>
        <div className="modal__body">{children}</div>
        {footer && <footer className="modal__footer">{footer}</footer>}
      </div>
    </div>
  )
}

/**
 * A file path text field; in the desktop app with a "Choose…" button opening the native dialog (a browser window
 * has none, so there the field is the only way in and no button is offered).
 */
export function FileField({
  id,
  label,
  value,
  onChange,
  purpose,
  pickHint,
  placeholder,
  hint,
  testId,
  invalid
}: {
  id: string
  label: string
  value: string
  onChange: (v: string) => void
  purpose: 'labels' | 'export'
  pickHint?: () => Parameters<typeof pickFile>[1]
  placeholder?: string
  hint?: ReactNode
  testId: string
  invalid?: boolean
}): ReactElement {
  const desktop = useStudio((s) => s.mode) === 'electron'
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      <div className="file-field">
        <input
          id={id}
          className={`input input--mono${invalid ? ' input--invalid' : ''}`}
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder={placeholder}
          value={value}
          data-testid={testId}
          onChange={(e) => onChange(e.target.value)}
        />
        {desktop && (
          <button
            type="button"
            className="button"
            data-testid={`${testId}-choose`}
            title="Choose a file"
            onClick={() => {
              void pickFile(purpose, pickHint?.()).then((file) => {
                if (file) onChange(file)
                else document.getElementById(id)?.focus()
              })
            }}
          >
            Choose…
          </button>
        )}
      </div>
      {hint && <span className="field__hint">{hint}</span>}
    </div>
  )
}

/** A folder path text field with a "Choose…" button; in browser mode the path field is the way in. */
export function FolderField({
  id,
  label,
  value,
  onChange,
  purpose,
  placeholder,
  testIdPrefix,
  invalid,
  onEnter
}: {
  id: string
  label: string
  value: string
  onChange: (v: string) => void
  purpose: 'create' | 'open' | 'import'
  placeholder?: string
  testIdPrefix: string
  invalid?: boolean
  onEnter?: () => void
}): ReactElement {
  const unsupported = useStudio((s) => s.pickerUnsupported)
  const mode = useStudio((s) => s.mode)
  const hintId = `${id}-hint`
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      <div className="folder-field">
        <FolderIcon className="folder-field__icon" />
        <input
          id={id}
          className={`input input--mono${invalid ? ' input--invalid' : ''}`}
          type="text"
          spellCheck={false}
          autoComplete="off"
          placeholder={
            placeholder ?? (purpose === 'import' ? '/home/you/Pictures/party' : '/home/you/Face Studio/my-project')
          }
          value={value}
          aria-invalid={invalid || undefined}
          aria-describedby={hintId}
          data-testid={`${testIdPrefix}-path`}
          onChange={(e) => onChange(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && onEnter) {
              e.preventDefault()
              onEnter()
            }
          }}
        />
        <button
          type="button"
          className="button"
          data-testid={`${testIdPrefix}-choose`}
          disabled={unsupported}
          title={unsupported ? 'No folder picker in a browser window — type the path' : 'Choose a folder'}
          onClick={() => {
            void pickFolder(purpose).then((dir) => {
              if (dir) onChange(dir)
              else document.getElementById(id)?.focus()
            })
          }}
        >
          Choose…
        </button>
      </div>
      <div id={hintId} className="field__hint">
        {unsupported
          ? 'A browser window can’t open a folder picker — type or paste the folder’s full path.'
          : mode === 'web'
            ? 'The full path of a folder on this computer.'
            : '\u00a0'}
      </div>
    </div>
  )
}

export function EmptyState({
  icon,
  title,
  children,
  actions,
  testId
}: {
  icon?: ReactNode
  title: string
  children?: ReactNode
  actions?: ReactNode
  testId?: string
}): ReactElement {
  return (
    <div className="empty-state" data-testid={testId}>
      {icon && <div className="empty-state__icon">{icon}</div>}
      <h2 className="empty-state__title">{title}</h2>
      {children && <div className="empty-state__text">{children}</div>}
      {actions && <div className="empty-state__actions">{actions}</div>}
    </div>
  )
}

export function Kbd({ children }: { children: ReactNode }): ReactElement {
  return <kbd className="kbd">{children}</kbd>
}

/** A number input that only reports values inside [min, max] (integers when `integer`), so stores never hold junk. */
export function BoundedNumberInput({
  value,
  min,
  max,
  step,
  integer = false,
  testId,
  onValid
}: {
  value: number
  min: number
  max: number
  step?: number
  integer?: boolean
  testId: string
  onValid: (v: number) => void
}): ReactElement {
  return (
    <input
      className="input"
      type="number"
      min={min}
      max={max}
      step={step}
      data-testid={testId}
      value={value}
      onChange={(e) => {
        const raw = Number(e.target.value)
        const v = integer ? Math.floor(raw) : raw
        if (Number.isFinite(v) && v >= min && v <= max) onValid(v)
      }}
    />
  )
}
