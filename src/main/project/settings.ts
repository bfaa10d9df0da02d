import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { RecentProject } from '../../shared/domain'

export interface Settings {
  recent: Array<{ dir: string; name: string; openedAt: string }>
  lastProject: string | null
  annotator: string | null
  /** Profiles chosen on this machine, most recent first (the picker offers them). */
  annotators: string[]
}

const MAX_RECENT = 10
const MAX_PROFILES = 20

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
      annotator: typeof raw.annotator === 'string' ? raw.annotator : null,
      annotators: Array.isArray(raw.annotators)
        ? raw.annotators.filter((a): a is string => typeof a === 'string').slice(0, MAX_PROFILES)
        : []
    }
  } catch {
    return { recent: [], lastProject: null, annotator: null, annotators: [] }
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

/** The OS account name: the profile every annotation carries until the user picks another. */
export function osUser(): string {
  try {
    return os.userInfo().username || 'annotator'
  } catch {
    return 'annotator'
  }
}

export function defaultAnnotator(settings: Settings): string {
  return settings.annotator ?? osUser()
}

/** Picks the profile new annotations are recorded under; remembered first in the picker's list. */
export function chooseAnnotator(settings: Settings, name: string): Settings {
  return {
    ...settings,
    annotator: name,
    annotators: [name, ...settings.annotators.filter((a) => a !== name)].slice(0, MAX_PROFILES)
  }
}
