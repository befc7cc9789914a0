export { pretokenize } from "./tokenizer/pretokenize.ts";
export { trainBpe, type TrainBpeOptions } from "./tokenizer/train-bpe.ts";
export { BpeTokenizer } from "./tokenizer/bpe.ts";
export { forward, matvec, rmsnorm, rope, softmax } from "./model/forward.ts";
export { TrainableModel, type StepModel } from "./model/model.ts";
export { NativeModel, loadNative, type NativeAddon } from "./model/native.ts";
export { LoraLayout, LORA_TARGETS, type LoraSettings, type LoraSlot, type LoraTarget } from "./model/lora.ts";
export { LoraModel } from "./model/lora-model.ts";
export { parameterCount, parameterShapes, carve, flatten, unflatten, type Precision, type ParamViews } from "./model/params.ts";
export { forData, recipes, tinyRecipe, type Recipe } from "./recipe.ts";
export { AdamW, clipGradients } from "./optim/adamw.ts";
export { learningRate } from "./optim/schedule.ts";
export { DataLoader } from "./data/loader.ts";
export {
  readCheckpoint,
  writeCheckpoint,
  checkCompatible,
  CheckpointError,
  type Checkpoint,
  type CheckpointHeader,
} from "./checkpoint/checkpoint.ts";
export {
  TrainingRun,
  tokenizerHash,
  pickEngine,
  createModel,
  type StepMetrics,
  type EngineChoice,
  type EngineName,
  type TrainingData,
} from "./train.ts";
export {
  buildDataset,
  marketLanguages,
  type BuiltInDataset,
  type Dataset,
  type Example,
  type Market,
  type ToolCall,
  type Turn,
} from "./datasets/build.ts";
export { loadCountryFacts, type CountryFacts, type Lang } from "./datasets/facts.ts";
export { chatPrompt, chatAnswer, chatText, chatSegments, assistantTurns, toolCallLine, tokenStream } from "./datasets/chat-format.ts";
export { exampleOf, readExamples, writeExamples, readDatasetDir, writeDatasetDir, DatasetError } from "./datasets/jsonl.ts";
export { exportGguf, exportLoraAdapter, type ModelCard } from "./export.ts";
export { loadBaseModel, type BaseModel } from "./base-model.ts";
export { scoreAnswers, scoreByKind, answerPerplexity, type ScoreLine, type KindScore } from "./eval.ts";
export { prepare, train, loadDataset, type TrainOptions, type TrainResult, type Prepared } from "./pipeline.ts";
export { microRecipe, microLoraRecipe, tinyLoraRecipe } from "./recipe.ts";
