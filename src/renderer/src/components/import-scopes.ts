/**
 * The imports and folders a Review or Export scope can be limited to (library.imports, library.folders), loaded
 * once per mount; and how an import is named in a picker.
 */
import { useEffect, useState } from 'react'
import type { ImportBatch } from '../../../shared/domain'
import { request } from '../store/client'
import { count, fileName, shortDateTime } from '../format'

export interface ImportScopes {
  imports: ImportBatch[]
  folders: Array<{ folder: string; images: number; faces: number }>
}

export function useImportScopes(): ImportScopes {
  const [scopes, setScopes] = useState<ImportScopes>({ imports: [], folders: [] })
  useEffect(() => {
    let live = true
    void Promise.all([
      request('library.imports', {}, { inline: true }),
      request('library.folders', {}, { inline: true })
    ]).then(([imports, folders]) => {
      if (live) setScopes({ imports: imports.ok ? imports.value : [], folders: folders.ok ? folders.value : [] })
    })
    return () => {
      live = false
    }
  }, [])
  return scopes
}

/** "Import: photos · 04/12/2026, 01:40 (7 photos)". */
export function importName(b: ImportBatch): string {
  return `Import: ${fileName(b.folder)} · ${shortDateTime(b.at)} (${count(b.images)} photos)`
}
