/**
 * The renderer's half of the Map's wire format: main encodes ids and coordinates with Node's Buffer
 * (src/main/analysis/projection.ts encodeCoords); the window decodes them with atob and must get the same
 * numbers back. The strings below are what Node's Buffer gives for these arrays (the renderer cannot import main).
 */
import { describe, expect, it } from 'vitest'
import { decodeFloat32, decodeInt32 } from './map-actions'

describe('map wire format in the renderer', () => {
  it('decodes what Node encodes: Float32 coordinates (NaN, infinity, signed zero kept) and Int32 ids', () => {
    const xy = Array.from(decodeFloat32('AADAPwAAEMAAGzdKAAAAAAAAAIAAAMB/AACAf2BCog1lIPFH'))
    expect(xy).toEqual(Array.from(new Float32Array([1.5, -2.25, 3e6, 0, -0, NaN, Infinity, 1e-30, 123456.789])))
    expect(Object.is(xy[4], -0)).toBe(true)
    expect(Array.from(decodeInt32('AQAAAP////////9/AAAAgKCGAQA='))).toEqual([1, -1, 2147483647, -2147483648, 100000])
    expect(decodeFloat32('')).toHaveLength(0)
  })

  it('round-trips 100,000 faces of coordinates at the size main sends (1.6 MB of base64)', () => {
    const xy = Float32Array.from({ length: 200_000 }, (_, i) => Math.sin(i) * 1000)
    const bytes = new Uint8Array(xy.buffer)
    let bin = ''
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i] as number)
    const back = decodeFloat32(btoa(bin))
    expect(back).toHaveLength(200_000)
    expect(Array.from(back.subarray(199_990))).toEqual(Array.from(xy.subarray(199_990)))
  })
})
