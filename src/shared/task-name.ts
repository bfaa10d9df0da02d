/**
 * The one rule for task names, shared by the contract (tasks.create), the task table (labels/tasks.ts) and
 * the model store (training/version-files.ts), which makes each name a folder of models/. Imports nothing.
 *
 * Why no ".": the store keeps a task's versions in `models/<task>/` next to its temp folders
 * `.<task>-v<N>.tmp-…`; the rule used to differ between creation (dots allowed) and the store (not), so a
 * task named `my.task` was accepted and could then never be trained.
 */
export const TASK_NAME_MAX = 64
export const TASK_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/
export const TASK_NAME_RULE = 'a task name is 1–64 letters, digits, "_" or "-", starting with a letter or digit'

export function isTaskName(name: string): boolean {
  return TASK_NAME_PATTERN.test(name)
}

/** A sentence naming what is wrong with `name`, or null when it is a valid task name. */
export function taskNameProblem(name: string): string | null {
  if (isTaskName(name)) return null
  const bad = [...new Set(name.replace(/[A-Za-z0-9_-]/g, ''))].map((c) => JSON.stringify(c)).join(' ')
  const detail =
    name.length === 0
      ? 'it is empty'
      : name.length > TASK_NAME_MAX
        ? `it has ${name.length} characters`
        : bad
          ? `it contains ${bad}`
          : 'it does not start with a letter or digit'
  return `"${name}" cannot be a task name (${detail}): ${TASK_NAME_RULE}.`
}

/**
 * A task name made from free text (a labels file's column header, "Hair colour" → "Hair_colour"): spaces
 * become "_", other characters a name may not hold are dropped; may be "" (the user then types one).
 */
export function taskNameFrom(text: string): string {
  return text
    .trim()
    .replace(/\s+/g, '_')
    .replace(/[^A-Za-z0-9_-]/g, '')
    .replace(/^[_-]+/, '')
    .slice(0, TASK_NAME_MAX)
}
