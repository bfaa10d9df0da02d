/**
 * Label Studio JSON tasks (labelstud.io/guide/task_format): one task per photo, `data.image` its path
 * (relative to the export file, or absolute), `annotations` with one `choices` result per task holding the
 * current labels, and `predictions` (one per task with an active version: `model_version`, `score` = mean
 * confidence). A photo with several faces gets a `rectanglelabels` region per face (percent of
 * `original_width`/`original_height`) and per-region choices sharing the region's id, so labels stay on
 * their face. The matching labelling config is in docs/formats.md.
 */
import { exportPath, round, byImage, type ExportData, type ExportFace } from './export-faces'

type Result = Record<string, unknown>

function region(f: ExportFace): { id: string; geometry: Result; size: Result } | null {
  if (!f.width || !f.height) return null
  const [x, y, w, h] = f.box
  const pct = (v: number, of: number): number => round((v / of) * 100, 4)
  return {
    id: `face${f.faceId}`,
    geometry: {
      x: pct(x, f.width),
      y: pct(y, f.height),
      width: pct(w, f.width),
      height: pct(h, f.height),
      rotation: 0
    },
    size: { original_width: f.width, original_height: f.height, image_rotation: 0 }
  }
}

export function labelStudioExport(data: ExportData, out: string, absolute: boolean): Array<Record<string, unknown>> {
  return byImage(data.faces).map((faces) => {
    const first = faces[0] as ExportFace
    const several = faces.length > 1
    const labelResults: Result[] = []
    const predictions: Array<Record<string, unknown>> = []
    let latest = ''
    const regions = several ? faces.map(region) : []
    if (several) {
      faces.forEach((f, i) => {
        const r = regions[i]
        if (!r) return
        labelResults.push({
          id: r.id,
          type: 'rectanglelabels',
          from_name: 'face',
          to_name: 'image',
          ...r.size,
          value: { ...r.geometry, rectanglelabels: ['face'] }
        })
      })
    }
    const choice = (f: ExportFace, i: number, task: string, value: string): Result => {
      const r = regions[i]
      return r
        ? {
            id: r.id,
            type: 'choices',
            from_name: task,
            to_name: 'image',
            ...r.size,
            value: { ...r.geometry, choices: [value] }
          }
        : { type: 'choices', from_name: task, to_name: 'image', value: { choices: [value] } }
    }
    for (const t of data.tasks) {
      faces.forEach((f, i) => {
        const l = f.labels[t.name]
        if (!l) return
        labelResults.push(choice(f, i, t.name, l.value))
        if (l.time > latest) latest = l.time
      })
      const preds = faces
        .map((f, i) => ({ f, i, p: f.predictions[t.name] }))
        .filter((x) => x.p !== null && x.p !== undefined)
      if (preds.length > 0) {
        const confs = preds.map((x) => x.p?.confidence).filter((c): c is number => typeof c === 'number')
        predictions.push({
          model_version: `${t.name} v${preds[0]?.p?.version ?? 0}`,
          score: confs.length > 0 ? round(confs.reduce((a, b) => a + b, 0) / confs.length, 4) : null,
          result: preds.map((x) => choice(x.f, x.i, t.name, x.p?.value ?? ''))
        })
      }
    }
    const hasLabels = labelResults.some((r) => r.type === 'choices')
    return {
      id: first.imageId,
      data: { image: exportPath(first.file, out, absolute) },
      meta: { face_ids: faces.map((f) => f.faceId), person_ids: faces.map((f) => f.personId) },
      annotations: hasLabels ? [{ result: labelResults, created_at: latest, ground_truth: false }] : [],
      predictions
    }
  })
}
