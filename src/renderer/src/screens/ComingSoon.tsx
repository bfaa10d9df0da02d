/** The honest placeholder for screens not built yet: what the screen will do, no fake controls. */
import type { ReactElement } from 'react'
import type { ScreenId } from '../store/slices'
import { SCREENS } from '../components/Sidebar'

const PLANS: Record<Exclude<ScreenId, 'library'>, { summary: string; points: string[] }> = {
  people: {
    summary: 'Faces grouped by identity, so you can name people and fix the grouping.',
    points: [
      'Person tiles with a cover face, face count and name, largest groups first',
      'Merge, split into a new person, move faces, or mark “not this person”',
      'A threshold slider that previews how clusters change',
      '“Is this Anna?” suggestions to confirm in one keystroke'
    ]
  },
  review: {
    summary: 'The main screen: confirm or correct the model one card at a time, keyboard-first.',
    points: [
      '“Are these all happy?” cards with the model’s confidence, least-sure faces first',
      'Label keys 1–9, u for unsure, n for not applicable, Enter to confirm, s to skip',
      'x or Delete marks a face wrong and asks for its label; Ctrl+Z undoes',
      'A live counter of faces still below the confidence threshold'
    ]
  },
  train: {
    summary: 'Fine-tune the active task’s classifier on your annotations.',
    points: [
      'A data summary: annotations per class and the size of the evaluation set',
      'Epochs, learning rate and bias mitigation (reweighting ω or a penalty λ)',
      'Live training and validation loss / accuracy per epoch, with Cancel'
    ]
  },
  models: {
    summary: 'Every model version of each task, with where it came from.',
    points: [
      'Lineage from the built-in v0 through each fine-tuned version',
      'Date, annotations used, headline metric, backend and mitigation',
      'Activate, export, or open a version’s metadata'
    ]
  },
  compare: {
    summary: 'Two model versions side by side on the same held-out faces.',
    points: [
      'A metric table with deltas, better in green and worse in red',
      'Both confusion matrices as heat maps and a reliability diagram',
      'The flip list: faces a version fixed or broke'
    ]
  },
  fairness: {
    summary: 'How the model’s errors fall across groups.',
    points: [
      'TPR, FPR, TNR and FNR heat maps, class × group, with counts; small groups greyed',
      'The largest gap called out in words',
      'A sweep of accuracy against the largest gap over mitigation strengths',
      'A queue of people whose faces get contradictory predictions'
    ]
  },
  settings: {
    summary: 'Preferences for this computer and this project.',
    points: [
      'Annotator name recorded with every label',
      'ML backend choice and worker count',
      'Default detector, thumbnail size and review thresholds'
    ]
  }
}

export function ComingSoon({ screen }: { screen: Exclude<ScreenId, 'library'> }): ReactElement {
  const meta = SCREENS.find((s) => s.id === screen)
  const plan = PLANS[screen]
  const Icon = meta?.icon
  return (
    <div className="screen">
      <header className="screen__header">
        <h1>{meta?.label}</h1>
      </header>
      <div className="coming-soon" data-testid={`coming-soon-${screen}`}>
        {Icon && (
          <div className="coming-soon__icon">
            <Icon width={28} height={28} />
          </div>
        )}
        <span className="badge">Coming in a later version</span>
        <p className="coming-soon__summary">{plan.summary}</p>
        <ul className="coming-soon__points">
          {plan.points.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      </div>
    </div>
  )
}
