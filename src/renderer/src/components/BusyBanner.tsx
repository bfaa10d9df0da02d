/**
 * "The app is busy / not responding": shown while a call to main has waited more than a few seconds
 * (store.slowCall, kept by client.ts), so a stuck main process is said instead of looking like a frozen window.
 */
import { useEffect, useState, type ReactElement } from 'react'
import { useStudio } from '../store'
import { AlertIcon } from './icons'

/** Past this, "busy" becomes "not responding" with what to do about it. */
export const NOT_RESPONDING_AFTER_MS = 30_000

export function BusyBanner(): ReactElement | null {
  const slow = useStudio((s) => s.slowCall)
  const mode = useStudio((s) => s.mode)
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    if (!slow) return
    setNow(Date.now())
    const timer = setInterval(() => setNow(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [slow])
  if (!slow) return null
  const seconds = Math.max(0, Math.round((now - slow.since) / 1000))
  const stuck = now - slow.since >= NOT_RESPONDING_AFTER_MS
  const others = slow.waiting > 1 ? ` and ${slow.waiting - 1} more` : ''
  const restart =
    mode === 'web' ? (
      <>
        If it does not clear, stop <code>npm run web</code> and start it again, then reload this page.
      </>
    ) : (
      'If it does not clear, quit Face Studio and start it again.'
    )
  return (
    <div
      className={`busy-banner${stuck ? ' busy-banner--stuck' : ''}`}
      role="status"
      aria-live="polite"
      data-testid="busy-banner"
      data-state={stuck ? 'not-responding' : 'busy'}
      data-call={slow.name}
    >
      <span className="busy-banner__icon">{stuck ? <AlertIcon /> : <span className="busy-banner__spinner" />}</span>
      <div className="busy-banner__body">
        <div className="busy-banner__title">
          {stuck ? 'Face Studio is not responding' : 'Face Studio is busy'}
          <span className="busy-banner__time"> · no answer for {seconds} s</span>
        </div>
        <div className="busy-banner__message">
          {stuck ? restart : 'The screen updates as soon as it answers.'}{' '}
          <span className="busy-banner__call">
            Waiting for <code>{slow.name}</code>
            {others}.
          </span>
        </div>
      </div>
    </div>
  )
}
