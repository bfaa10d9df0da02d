/**
 * COCO object-detection JSON (cocodataset.org/#format-data): `images` with file names relative to the export
 * file and their pixel size, one `face` category, an annotation per face with its box `[x, y, w, h]` in pixels
 * (and the box as its polygon, for tools that read `segmentation`), and per task in `attributes` the current
 * label, its annotator and time, the active version's prediction and confidence (the CVAT convention of flat
 * attributes), plus `person_id`. `info.face_studio` names the app version and each task's active model version.
 */
import { COCO_TASK_FIELDS } from '../labels/label-json'
import { exportPath, round, type ExportData } from './export-faces'
import type { ExportMeta } from './export'

export const COCO_FACE_CATEGORY = { id: 1, name: 'face', supercategory: 'person' } as const

export function cocoExport(
  data: ExportData,
  out: string,
  absolute: boolean,
  meta: ExportMeta
): Record<string, unknown> {
  const now = new Date()
  const images = new Map<number, Record<string, unknown>>()
  const annotations: Array<Record<string, unknown>> = []
  for (const f of data.faces) {
    if (!images.has(f.imageId)) {
      images.set(f.imageId, {
        id: f.imageId,
        file_name: exportPath(f.file, out, absolute),
        width: f.width ?? 0,
        height: f.height ?? 0,
        license: 0
      })
    }
    const [x, y, w, h] = f.box
    const attributes: Record<string, string | number | null> = { face_id: f.faceId, person_id: f.personId }
    for (const t of data.tasks) {
      const l = f.labels[t.name]
      const p = f.predictions[t.name]
      attributes[t.name] = l?.value ?? null
      attributes[t.name + COCO_TASK_FIELDS.annotator] = l?.annotator ?? null
      attributes[t.name + COCO_TASK_FIELDS.time] = l?.time ?? null
      attributes[t.name + COCO_TASK_FIELDS.pred] = p?.value ?? null
      attributes[t.name + COCO_TASK_FIELDS.conf] = p?.confidence ?? null
    }
    annotations.push({
      id: f.faceId,
      image_id: f.imageId,
      category_id: COCO_FACE_CATEGORY.id,
      bbox: [x, y, w, h],
      area: round(w * h, 2),
      iscrowd: 0,
      segmentation: [[x, y, x + w, y, x + w, y + h, x, y + h]],
      score: f.score,
      attributes
    })
  }
  return {
    info: {
      description: 'Face Studio export',
      version: meta.appVersion,
      year: now.getUTCFullYear(),
      contributor: 'Face Studio',
      url: '',
      date_created: now.toISOString(),
      face_studio: {
        app_version: meta.appVersion,
        tasks: data.tasks.map((t) => ({
          name: t.name,
          kind: t.kind,
          labels: t.labels,
          active_version: data.versions[t.name] ?? null
        }))
      }
    },
    licenses: [{ id: 0, name: 'as stated by the data set owner', url: '' }],
    images: [...images.values()],
    annotations,
    categories: [COCO_FACE_CATEGORY]
  }
}
