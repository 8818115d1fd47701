// Public surface of the router.
export {
  decide, NoCapableModelError, pickReference, effectiveLocation, taskLabel, CONTEXT_SAFETY_MARGIN,
} from './router';
export type { RouteOptions, RouteDecision, CandidateFailure, FilterName } from './router';
export { classifyTask, classifyFeatures, hasStackTrace, KIND_TO_TASK } from './taskClassifier';
export type { TaskKind, Classification } from './taskClassifier';
export { requiredCapability, analyseRequest, BASE_CAPABILITY, EXPECTED_OUTPUT_TOKENS } from './requirements';
export type { Requirements } from './requirements';
export { difficulty, SIGNAL_RAISE, THRESHOLDS } from './difficulty';
export { extractFeatures } from './features';
export type { RequestFeatures } from './features';
export {
  update as updateLearning, adjustment as learnedAdjustment, learnedAdjustments, describeLearning, reset as resetLearning,
  emptyLearningState, parseLearningState, withFloor,
} from './learning';
export type { LearningState, LearningSignal, LearnedAdjustments, CapabilityFloor, LearnedFloorView } from './learning';
export { readEnvelope, MAX_INSTRUCTION_CHARS } from './envelope';
export type { Envelope, ClientShape, ContextShape, EnvelopeHints } from './envelope';
