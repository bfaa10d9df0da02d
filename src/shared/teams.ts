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
