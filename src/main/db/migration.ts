export interface Migration {
  /** 1-based, contiguous: the value PRAGMA user_version holds once this migration is applied. */
  version: number
  name: string
  sql: string
}
