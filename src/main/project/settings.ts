import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RecentProject } from '../../shared/domain'

export interface Settings {
  recent: Array<{ dir: string; name: string; openedAt: string }>
  lastProject: string | null
  annotator: string | null
}

const MAX_RECENT = 10

/** Where settings live: FACE_STUDIO_HOME (tests, portable installs) or the OS config folder. */
export function settingsDir(): string {
  const override = process.env.FACE_STUDIO_HOME
  if (override) return path.resolve(override)
  const base = process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config')
  return path.join(base, 'face-studio')
}

function settingsFile(): string {
  return path.join(settingsDir(), 'settings.json')
}

export function loadSettings(): Settings {
  try {
    const raw = JSON.parse(fs.readFileSync(settingsFile(), 'utf8')) as Partial<Settings>
    return {
      recent: Array.isArray(raw.recent) ? raw.recent.filter((r) => typeof r?.dir === 'string') : [],
      lastProject: typeof raw.lastProject === 'string' ? raw.lastProject : null,
      annotator: typeof raw.annotator === 'string' ? raw.annotator : null
    }
  } catch {
    return { recent: [], lastProject: null, annotator: null }
  }
}

/** Written to a temp file and renamed, so a crash never leaves half a settings file. */
export function saveSettings(settings: Settings): void {
  const dir = settingsDir()
  fs.mkdirSync(dir, { recursive: true })
  const tmp = path.join(dir, `settings.json.${process.pid}.tmp`)
  fs.writeFileSync(tmp, JSON.stringify(settings, null, 2))
  fs.renameSync(tmp, settingsFile())
}

export function rememberProject(settings: Settings, dir: string, name: string): Settings {
  const recent = [{ dir, name, openedAt: new Date().toISOString() }, ...settings.recent.filter((r) => r.dir !== dir)]
  return { ...settings, recent: recent.slice(0, MAX_RECENT), lastProject: dir }
}

export function forgetProject(settings: Settings, dir: string): Settings {
  return {
    ...settings,
    recent: settings.recent.filter((r) => r.dir !== dir),
    lastProject: settings.lastProject === dir ? null : settings.lastProject
  }
}

export function recentProjects(settings: Settings): RecentProject[] {
  return settings.recent.map((r) => ({ ...r, exists: fs.existsSync(path.join(r.dir, 'studio.db')) }))
}

export function defaultAnnotator(settings: Settings): string {
  if (settings.annotator) return settings.annotator
  try {
    return os.userInfo().username
  } catch {
    return 'annotator'
  }
}
