/**
 * Any number of ids in one SQL parameter: `WHERE id ${IN_IDS}` bound to `idList(ids)`, a JSON array that
 * SQLite reads with json_each.
 *
 * Why not one `?` per id: past SQLITE_MAX_VARIABLE_NUMBER (32,766 in better-sqlite3's SQLite) a statement
 * fails with "too many SQL variables", while the contract allows 100,000 ids per call; and spreading that
 * many arguments into a JavaScript call is itself close to the engine's limit. One parameter has neither
 * limit, and SQLite builds the IN set once per statement.
 */
export const IN_IDS = 'IN (SELECT value FROM json_each(?))'

export function idList(ids: readonly number[]): string {
  return JSON.stringify(ids)
}
