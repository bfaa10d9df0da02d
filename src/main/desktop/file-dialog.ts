import type { ExportFormatName } from '../../shared/labels-io'
import type { FileDialogRequest } from '../api/handlers'

/** The options of Electron's showOpenDialog / showSaveDialog for a file the window asks for. */
export type FileDialog =
  | {
      kind: 'open'
      options: { title: string; properties: Array<'openFile'>; filters: Array<{ name: string; extensions: string[] }> }
    }
  | {
      kind: 'save'
      options: {
        title: string
        defaultPath?: string
        properties: Array<'createDirectory' | 'showOverwriteConfirmation'>
        filters: Array<{ name: string; extensions: string[] }>
      }
    }

const SAVE_FILTERS: Record<ExportFormatName, { name: string; extensions: string[] }> = {
  csv: { name: 'CSV', extensions: ['csv'] },
  json: { name: 'JSON rows', extensions: ['json'] },
  coco: { name: 'COCO JSON', extensions: ['json'] },
  labelstudio: { name: 'Label Studio JSON', extensions: ['json'] },
  npy: { name: 'NumPy array', extensions: ['npy'] }
}

/**
 * What a native dialog shows for a request. A save suggests the name the export form holds in the project's folder
 * (`dir`), so the user starts where the data is, and overwriting an existing export is confirmed by the OS dialog.
 */
export function fileDialogFor(
  req: FileDialogRequest,
  dir: string | null,
  join: (a: string, b: string) => string
): FileDialog {
  if (req.purpose === 'labels') {
    return {
      kind: 'open',
      options: {
        title: 'Import labels from a file',
        properties: ['openFile'],
        filters: [
          { name: 'Labels (CSV, TSV, Label Studio or COCO JSON)', extensions: ['csv', 'tsv', 'txt', 'json'] },
          { name: 'All files', extensions: ['*'] }
        ]
      }
    }
  }
  const name = req.name?.trim() ? req.name.trim() : undefined
  return {
    kind: 'save',
    options: {
      title: 'Export faces and labels',
      ...(name ? { defaultPath: dir ? join(dir, name) : name } : dir ? { defaultPath: dir } : {}),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
      filters: req.format ? [SAVE_FILTERS[req.format]] : Object.values(SAVE_FILTERS)
    }
  }
}
