/**
 * Media paths are relative, transport-neutral references ("thumb/12", "image/3"); each transport turns
 * them into a URL it can serve (custom protocol in Electron, token-checked route in the web bridge).
 */
export type MediaRef = `thumb/${number}` | `image/${number}`

export function thumbRef(faceId: number): MediaRef {
  return `thumb/${faceId}`
}

export function imageRef(imageId: number): MediaRef {
  return `image/${imageId}`
}

export function parseMediaRef(ref: string): { kind: 'thumb' | 'image'; id: number } | null {
  const m = /^(thumb|image)\/(\d{1,15})$/.exec(ref)
  if (!m) return null
  return { kind: m[1] as 'thumb' | 'image', id: Number(m[2]) }
}
