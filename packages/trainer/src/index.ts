export { pretokenize } from "./tokenizer/pretokenize.ts";
export { trainBpe, type TrainBpeOptions } from "./tokenizer/train-bpe.ts";
export { BpeTokenizer } from "./tokenizer/bpe.ts";
export { forward, matvec, rmsnorm, rope, softmax } from "./model/forward.ts";
export { TrainableModel } from "./model/model.ts";
export { parameterCount, parameterShapes, carve, flatten, unflatten, type Precision, type ParamViews } from "./model/params.ts";
