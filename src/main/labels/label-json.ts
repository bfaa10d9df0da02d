/**
 * Label rows from the JSON formats other tools write: Label Studio tasks (choices per task, optionally per
 * rectangle region) and COCO (a face box per annotation, the task's label in `attributes`, or the category name
 * when the categories are the labels). Paths are as the file gives them, resolved later against its folder.
 */
import { AppError } from '../../shared/result'
import type { PixelBox } from './csv-faces'
import type { LabelSourceRow } from './label-rows'
import { readLabelFileText } from './label-table'

function readJson(file: string): unknown {
  const text = readLabelFileText(file)
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new AppError('BAD_ARGS', `${file} is not valid JSON: ${(e as Error).message}`, 'file')
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)
const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : undefined

/** A task's value in an attributes object, its name matched case-insensitively. */
function attr(attrs: Record<string, unknown>, task: string): string | undefined {
  if (task in attrs) return text(attrs[task])
  const lower = task.toLowerCase()
  const k = Object.keys(attrs).find((a) => a.toLowerCase() === lower)
  return k === undefined ? undefined : text(attrs[k])
}

/** Label Studio's local-files URL (`/data/local-files/?d=photos/a.jpg`) names a path; other URLs are kept. */
export function labelStudioPath(image: string): string {
  const m = /^\/?data\/local-files\/?\?d=(.*)$/.exec(image)
  return m ? decodeURIComponent(m[1] as string) : image
}

export function labelStudioRows(file: string, task: string): LabelSourceRow[] {
  const data = readJson(file)
  const tasks = Array.isArray(data) ? data : isObj(data) ? [data] : null
  if (!tasks) throw new AppError('BAD_ARGS', `${file} is not a Label Studio export (a JSON list of tasks).`, 'file')
  const rows: LabelSourceRow[] = []
  const lower = task.toLowerCase()
  tasks.forEach((t, i) => {
    if (!isObj(t) || !isObj(t.data)) return
    const image = text(t.data.image) ?? text(Object.values(t.data)[0])
    if (image === undefined) return
    const annotations = (
      Array.isArray(t.annotations) ? t.annotations : Array.isArray(t.completions) ? t.completions : []
    ).filter((a): a is Record<string, unknown> => isObj(a) && a.was_cancelled !== true)
    // The latest annotation of the task holds its current labels.
    const latest = annotations[annotations.length - 1]
    const result = Array.isArray(latest?.result) ? latest.result.filter(isObj) : []
    const regions = new Map<string, PixelBox>()
    for (const r of result) {
      const box = regionBox(r)
      if (box && typeof r.id === 'string') regions.set(r.id, box)
    }
    for (const r of result) {
      if (r.type !== 'choices' || typeof r.from_name !== 'string' || r.from_name.toLowerCase() !== lower) continue
      const v = isObj(r.value) && Array.isArray(r.value.choices) ? text(r.value.choices[0]) : undefined
      if (v === undefined) continue
      const box = regionBox(r) ?? (typeof r.id === 'string' ? regions.get(r.id) : undefined)
      rows.push({ line: i + 1, path: labelStudioPath(image), box, value: v })
    }
  })
  return rows
}

/** The choice names (`from_name`) a Label Studio file labels, in the order first met: the "columns" it offers. */
export function labelStudioKeys(file: string): string[] {
  const data = readJson(file)
  const tasks = Array.isArray(data) ? data : isObj(data) ? [data] : []
  const keys = new Set<string>()
  for (const t of tasks) {
    if (!isObj(t)) continue
    for (const a of Array.isArray(t.annotations) ? t.annotations : Array.isArray(t.completions) ? t.completions : []) {
      if (!isObj(a) || !Array.isArray(a.result)) continue
      for (const r of a.result)
        if (isObj(r) && r.type === 'choices' && typeof r.from_name === 'string') keys.add(r.from_name)
    }
  }
  return [...keys]
}

/** A region's box in pixels from Label Studio's percentages and the original image size. */
function regionBox(r: Record<string, unknown>): PixelBox | undefined {
  const v = r.value
  const W = num(r.original_width)
  const H = num(r.original_height)
  if (!isObj(v) || W === undefined || H === undefined) return undefined
  const [x, y, w, h] = [num(v.x), num(v.y), num(v.width), num(v.height)]
  if (x === undefined || y === undefined || w === undefined || h === undefined) return undefined
  return [(x / 100) * W, (y / 100) * H, (w / 100) * W, (h / 100) * H]
}

/**
 * What a COCO export writes beside each task's label `<task>` (library/export-coco.ts writes them from here):
 * `<task>_annotator`, `<task>_time`, `<task>_pred`, `<task>_conf`; never labels themselves.
 */
export const COCO_TASK_FIELDS = { annotator: '_annotator', time: '_time', pred: '_pred', conf: '_conf' } as const
const COCO_META_KEYS = new Set(['face_id', 'person_id', 'id'])
const COCO_META_SUFFIXES = Object.values(COCO_TASK_FIELDS)

/**
 * The attribute keys of a COCO file's annotations that hold labels (a text value on some annotation), in the order
 * first met: the "columns" it offers Import labels…; ids, annotators, times and predictions are left out.
 */
export function cocoKeys(file: string): string[] {
  const data = readJson(file)
  const keys = new Set<string>()
  for (const a of isObj(data) && Array.isArray(data.annotations) ? data.annotations : []) {
    if (!isObj(a) || !isObj(a.attributes)) continue
    for (const [k, v] of Object.entries(a.attributes)) {
      if (COCO_META_KEYS.has(k.toLowerCase()) || COCO_META_SUFFIXES.some((s) => k.endsWith(s))) continue
      if (typeof v === 'string' && v.trim() !== '') keys.add(k)
    }
  }
  return [...keys]
}

export function cocoRows(file: string, task: string): LabelSourceRow[] {
  const data = readJson(file)
  if (!isObj(data) || !Array.isArray(data.images) || !Array.isArray(data.annotations)) {
    throw new AppError('BAD_ARGS', `${file} is not a COCO file (it needs "images" and "annotations").`, 'file')
  }
  const images = new Map<number, string>()
  for (const im of data.images) {
    if (isObj(im) && num(im.id) !== undefined && typeof im.file_name === 'string')
      images.set(im.id as number, im.file_name)
  }
  const categories = new Map<number, string>()
  for (const c of Array.isArray(data.categories) ? data.categories : []) {
    if (isObj(c) && num(c.id) !== undefined && typeof c.name === 'string') categories.set(c.id as number, c.name)
  }
  // Categories are labels only when they are not the one "face" category of a detection export.
  const categoriesAreLabels = !(categories.size === 1 && [...categories.values()][0]?.toLowerCase() === 'face')
  const rows: LabelSourceRow[] = []
  data.annotations.forEach((a, i) => {
    if (!isObj(a)) return
    const p = images.get(num(a.image_id) ?? NaN)
    if (p === undefined) return
    const attrs = isObj(a.attributes) ? a.attributes : {}
    const value = attr(attrs, task) ?? (categoriesAreLabels ? categories.get(num(a.category_id) ?? NaN) : undefined)
    if (value === undefined) return
    const b = Array.isArray(a.bbox) ? a.bbox.map(num) : []
    const box =
      b.length === 4 && b.every((n) => n !== undefined) ? ([b[0], b[1], b[2], b[3]] as unknown as PixelBox) : undefined
    rows.push({ line: i + 1, path: p, box, value })
  })
  return rows
}
