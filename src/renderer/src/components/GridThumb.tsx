/**
 * A thumbnail inside a virtualised grid. It requests its image only once its tile has stayed on screen for
 * a moment: flinging through 100k faces would otherwise queue thousands of requests for tiles already gone
 * (the browser does not cancel them), and the next screen's images would wait seconds behind that queue.
 */
import { useEffect, useState, type ReactElement } from 'react'

const SETTLE_MS = 90
/** Images shown recently come from the browser cache, so they appear at once when scrolled back to. */
const recent = new Set<string>()
const RECENT_MAX = 4000

function remember(src: string): void {
  recent.add(src)
  if (recent.size > RECENT_MAX) {
    const oldest = recent.values().next().value
    if (oldest !== undefined) recent.delete(oldest)
  }
}

export function GridThumb({ src, alt = '' }: { src: string; alt?: string }): ReactElement | null {
  const [ready, setReady] = useState(() => recent.has(src))
  useEffect(() => {
    if (ready) return
    const timer = setTimeout(() => setReady(true), SETTLE_MS)
    return () => clearTimeout(timer)
  }, [ready])
  if (!ready) return null
  return <img src={src} alt={alt} loading="lazy" decoding="async" draggable={false} onLoad={() => remember(src)} />
}
