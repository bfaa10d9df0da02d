/** Result types of the teams-and-privacy calls (issue 14): agreement, disagreements, forgetting, merging. */

export interface AgreementPair {
  a: string
  b: string
  /** Faces both annotators answered. */
  n: number
  /** Share of those faces with the same answer. */
  observed: number
  /** Cohen's κ; null where undefined (both gave one and the same label on every shared face). */
  kappa: number | null
}

export interface AgreementClass {
  label: string
  /** Answers with this label on faces with ≥ 2 answers. */
  n: number
  /** Given one answer of this label on a face, the chance another answer there is the same; null when n = 0. */
  agreement: number | null
}

export interface AgreementReport {
  task: string
  /** Faces with answers from ≥ 2 annotators (the only faces agreement is computed on). */
  n_faces: number
  /** Answers on those faces. */
  n_answers: number
  annotators: Array<{ name: string; answers: number }>
  pairs: AgreementPair[]
  /** Krippendorff's α (nominal) over all annotators; null when undefined (one label only, or no faces). */
  alpha: number | null
  per_class: AgreementClass[]
  /** Faces whose answers differ and that no adjudication settled yet. */
  disagreements: number
}

export interface DisagreementFace {
  faceId: number
  thumb: string
  /** Each annotator's current answer, by name. */
  answers: Array<{ annotator: string; value: string; at: string }>
}

export interface DisagreementQueue {
  task: string
  total: number
  faces: DisagreementFace[]
}

/** What `teams.forget` / `face-studio forget` did. */
export interface ForgetResult {
  faces: number
  annotations: number
  /** Thumbnails and previews removed from the project's thumbs/ folder. */
  files: number
  versions_flagged: number
  /** The flagged versions (task name, version number), for the screens. */
  versions: Array<{ task: string; version: number }>
}

/** One forget, as kept: nothing that identifies the person. */
export interface ForgetAuditRow {
  at: string
  /** The annotator profile that forgot. */
  by: string
  faces: number
  annotations: number
  files: number
  versions_flagged: number
}

export interface PersonExport {
  path: string
  faces: number
  annotations: number
  predictions: number
  files: string[]
}

/** How a version trained on a since-forgotten person is marked (ModelVersionInfo.forgottenData). */
export interface ForgottenDataInfo {
  at: string
  /** Forgotten faces in its own training set (0: inherited from the version it was fine-tuned from). */
  faces: number
  inherited: boolean
}

/** An annotator as the project knows them: answers given and optional self-declared attributes (free text). */
export interface AnnotatorProfileInfo {
  name: string
  /** Counted answers (labels, not undo/redo bookkeeping). */
  answers: number
  attributes: Record<string, string>
}

export interface AnnotatorGroupCell {
  /** The annotator, or the value of their attribute when grouped by one. */
  unit: string
  /** The subject group (of the grouping task's annotations). */
  group: string
  /** Answers in this cell. */
  n: number
  /** label → share of the cell's answers. */
  rates: Record<string, number>
}

export interface AnnotatorGroupGap {
  unit: string
  label: string
  high: { group: string; rate: number; n: number }
  low: { group: string; rate: number; n: number }
  /** high.rate − low.rate. */
  difference: number
}

export interface AnnotatorGroupReport {
  task: string
  grouping: string
  /** 'annotator', or the attribute key annotators were grouped by. */
  by: string
  labels: string[]
  units: string[]
  groups: string[]
  cells: AnnotatorGroupCell[]
  /** Cells with fewer answers are shown but not compared. */
  minAnswers: number
  /** The largest difference between two subject groups in one unit's rate of one label; null when nothing compares. */
  largest: AnnotatorGroupGap | null
  /** The same in words. */
  sentence: string
}

/** What `teams.merge` / `face-studio merge` did (the CLI prints the first four). */
export interface MergeResult {
  /** Answers whose face was found here (matched by photo hash and box, or brought over with its photo). */
  matched: number
  /** Answers whose face is not here (a photo this project has without that face, person-level answers). */
  unmatched: number
  /** Faces whose label here differed from an answer merged in (left for adjudication in Review). */
  conflicts: number
  /** Answers newly appended (0 when merging the same project again). */
  added: number
  /** Photos brought over whole (a shard), and their faces. */
  photos: number
  faces: number
  /** The batch the photos brought over belong to (library.imports, a Review / Export scope); null when none came. */
  importId: string | null
}
