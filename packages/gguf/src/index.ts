export { writeGguf } from "./writer.ts";
export { readGguf, type GgufInfo, type MetadataValue } from "./reader.ts";
export { readGgufHeader } from "./read-header.ts";
export { fileSha256 } from "./file-sha256.ts";
export { decodeTensor, tensorTypeName } from "./decode-tensor.ts";
export { readLlamaGguf, GgufModelError, LAYER_TENSORS, layerShapes, type LlamaModelFile } from "./read-llama.ts";
export { loraAdapterToGguf, readLoraAdapter, type LoraAdapter, type LoraPair } from "./lora-adapter.ts";
export { ValueType, TensorType, type MetadataEntry, type TensorEntry } from "./types.ts";
export { toHalf, fromHalf } from "./f16.ts";
export { bytesToUnicode, CHATML_PLAIN_TEMPLATE, CHATML_TEMPLATE, CHATML_TOKENS } from "./byte-level-bpe.ts";
export { seededRandom, seededNormal } from "./prng.ts";
export {
  llamaToGguf,
  randomLlamaWeights,
  byteLevelTokenizer,
  headDim,
  type LlamaConfig,
  type LlamaWeights,
  type LlamaLayerWeights,
  type ByteLevelTokenizer,
  type LlamaGgufOptions,
} from "./llama.ts";
export { writeTestModel, type TestModelOptions } from "./test-model.ts";
export { writeForcedModel } from "./forced-model.ts";
