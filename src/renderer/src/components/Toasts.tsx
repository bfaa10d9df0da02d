import type { ReactElement } from 'react'
import { useStudio } from '../store'
import { dismissToast } from '../store/client'
import { AlertIcon, CheckIcon, CloseIcon, InfoIcon } from './icons'

/** Notifications above the status bar. Errors stay until dismissed; others fade after a few seconds. */
export function Toasts(): ReactElement {
  const toasts = useStudio((s) => s.toasts)
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div
          key={t.id}
          className={`toast toast--${t.kind}`}
          role={t.kind === 'error' ? 'alert' : 'status'}
          data-testid={t.kind === 'error' ? 'error-message' : 'toast'}
          data-code={t.code}
        >
          <span className="toast__icon">
            {t.kind === 'error' ? <AlertIcon /> : t.kind === 'success' ? <CheckIcon /> : <InfoIcon />}
          </span>
          <div className="toast__body">
            <div className="toast__title">{t.title}</div>
            <div className="toast__message">{t.message}</div>
          </div>
          <button className="icon-button icon-button--small" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            <CloseIcon width={13} height={13} />
          </button>
        </div>
      ))}
    </div>
  )
}
