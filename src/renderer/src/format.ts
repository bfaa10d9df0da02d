/** Small formatting helpers for counts, rates and durations shown in progress UI. */

export { count, plural } from '../../shared/format'

export function rate(perSecond: number, unit = 'files'): string {
  if (!Number.isFinite(perSecond) || perSecond <= 0) return `— ${unit}/s`
  const digits = perSecond < 10 ? 1 : 0
  return `${perSecond.toFixed(digits)} ${unit}/s`
}

export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—'
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}:${String(s % 60).padStart(2, '0')}`
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`
}

export function fraction(done: number, total: number): number {
  return total > 0 ? Math.min(1, Math.max(0, done / total)) : 0
}

export function fileName(relPath: string): string {
  const i = Math.max(relPath.lastIndexOf('/'), relPath.lastIndexOf('\\'))
  return i >= 0 ? relPath.slice(i + 1) : relPath
}

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform)
export const modKey = isMac ? '⌘' : 'Ctrl+'

/** A timestamp as a short local date and time ("02/12/2026, 14:05"); the raw text if it does not parse. */
export function shortDateTime(iso: string): string {
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' })
}
