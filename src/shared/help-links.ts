/**
 * The only web pages the app itself links to. The desktop app opens these (and nothing else) in the
 * user's browser; every other link, window.open or navigation from the window is refused.
 */
export const HELP_LINKS = {
  /** Source, licence and provenance of the bundled face models (docs/models.md). */
  models: 'https://github.com/vladmandic/face-api'
} as const

export function isHelpLink(url: string): boolean {
  let href: string
  try {
    href = new URL(url).href
  } catch {
    return false
  }
  return Object.values(HELP_LINKS).some((link) => new URL(link).href === href)
}
