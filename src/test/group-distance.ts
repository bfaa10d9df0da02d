/** Mean 2-D distance of same-group pairs over different-group pairs: below 1 means groups stay together on a map. */
export function groupDistanceRatio(coords: Float32Array, groups: readonly (number | string)[]): number {
  let same = 0
  let nSame = 0
  let diff = 0
  let nDiff = 0
  for (let i = 0; i < groups.length; i++)
    for (let j = i + 1; j < groups.length; j++) {
      const d = Math.hypot(
        (coords[i * 2] as number) - (coords[j * 2] as number),
        (coords[i * 2 + 1] as number) - (coords[j * 2 + 1] as number)
      )
      if (groups[i] === groups[j]) {
        same += d
        nSame++
      } else {
        diff += d
        nDiff++
      }
    }
  return same / Math.max(1, nSame) / (diff / Math.max(1, nDiff))
}
