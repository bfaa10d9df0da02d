/**
 * Embeddings as NumPy: `<name>.npy` (float32, little-endian, C order, faces × dim, format version 1.0 as
 * numpy.lib.format writes it) and `<name>.csv`, its index: row → face id, path, box and each task's label.
 * Faces without a vector of the chosen kind are left out of both, so row i of the index is row i of the matrix.
 */
import { AppError } from '../../shared/result'
import type { Db } from '../db/open'
import { csvCell } from '../labels/csv'
import { featuresOf } from './features'
import { exportPath, type ExportData } from './export-faces'
import type { ExportFile } from './export-files'

export function npyBytes(data: Float32Array, rows: number, dim: number): Buffer {
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${dim}), }`
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const unpadded = 10 + dict.length + 1
  const header = dict + ' '.repeat((64 - (unpadded % 64)) % 64) + '\n'
  const head = Buffer.alloc(10)
  head.write('\x93NUMPY', 0, 'latin1')
  head[6] = 1
  head[7] = 0
  head.writeUInt16LE(header.length, 8)
  const body = Buffer.alloc(rows * dim * 4)
  for (let i = 0; i < rows * dim; i++) body.writeFloatLE(data[i] as number, i * 4)
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body])
}

export function npyExport(db: Db, data: ExportData, out: string, absolute: boolean, kind: string): ExportFile[] {
  const base = out.replace(/\.(npy|csv)$/i, '')
  const npy = `${base}.npy`
  const index = `${base}.csv`
  const packed = featuresOf(
    db,
    kind,
    data.faces.map((f) => f.faceId),
    { mirror: false }
  )
  if (packed.faceIds.length === 0) {
    throw new AppError('NOT_FOUND', `No face in the export has ${kind} features.`, 'feature')
  }
  const byId = new Map(data.faces.map((f) => [f.faceId, f]))
  const columns = [
    'row',
    'face_id',
    'path',
    'x',
    'y',
    'w',
    'h',
    'person_id',
    ...data.tasks.map((t) => `${t.name}_label`)
  ]
  const lines = [columns.map(csvCell).join(',')]
  packed.faceIds.forEach((id, row) => {
    const f = byId.get(id)
    if (!f) return
    const cells: Array<string | number | null> = [
      row,
      id,
      exportPath(f.file, index, absolute),
      ...f.box,
      f.personId,
      ...data.tasks.map((t) => f.labels[t.name]?.value ?? null)
    ]
    lines.push(cells.map(csvCell).join(','))
  })
  return [
    { path: npy, data: npyBytes(packed.data, packed.faceIds.length, packed.dim) },
    { path: index, data: `${lines.join('\n')}\n` }
  ]
}
