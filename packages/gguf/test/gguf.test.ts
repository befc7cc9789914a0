import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, it } from "node:test";
import { fromHalf, readGguf, TensorType, toHalf, ValueType, writeGguf, writeTestModel } from "@benih/gguf";

describe("GGUF writer", () => {
  it("writes a header, typed metadata and tensor infos that read back exactly", () => {
    const bytes = writeGguf(
      [
        { key: "general.architecture", type: ValueType.STRING, value: "llama" },
        { key: "llama.block_count", type: ValueType.UINT32, value: 2 },
        { key: "llama.attention.layer_norm_rms_epsilon", type: ValueType.FLOAT32, value: 1e-5 },
        { key: "x.flag", type: ValueType.BOOL, value: true },
        { key: "x.big", type: ValueType.UINT64, value: 2n ** 40n },
        { key: "tokenizer.ggml.tokens", type: ValueType.ARRAY, itemType: ValueType.STRING, value: ["a", "中", "<|im_end|>"] },
      ],
      [
        { name: "a", dims: [3, 2], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
        { name: "b", dims: [32], data: new Float32Array(32).fill(0.5), type: TensorType.Q8_0 },
      ],
    );
    assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "GGUF");
    const info = readGguf(bytes);
    assert.equal(info.version, 3);
    assert.equal(info.metadata.get("llama.block_count"), 2);
    assert.ok(Math.abs((info.metadata.get("llama.attention.layer_norm_rms_epsilon") as number) - 1e-5) < 1e-12);
    assert.equal(info.metadata.get("x.flag"), true);
    assert.equal(info.metadata.get("x.big"), 2n ** 40n);
    assert.deepEqual(info.metadata.get("tokenizer.ggml.tokens"), ["a", "中", "<|im_end|>"]);
    assert.deepEqual(
      info.tensors.map((t) => [t.name, t.dims, t.type, t.offset]),
      [
        ["a", [3, 2], 0, 0],
        ["b", [32], 8, 32], // 24 bytes of F32 padded to 32
      ],
    );
    // Tensor data starts aligned and holds the values little-endian.
    const dataStart = bytes.length - 32 - 64;
    assert.equal(dataStart % 32, 0);
    assert.equal(new DataView(bytes.buffer, bytes.byteOffset).getFloat32(dataStart + 4, true), 2);
  });

  it("refuses what llama.cpp would refuse, with a reason", () => {
    assert.throws(() => writeGguf([], [{ name: "q", dims: [16], data: new Float32Array(16), type: TensorType.Q8_0 }]), /multiple of 32/);
    assert.throws(() => writeGguf([], [{ name: "t", dims: [2, 2], data: new Float32Array(3) }]), /hold 4 values but data has 3/);
    assert.throws(
      () =>
        writeGguf(
          [
            { key: "k", type: ValueType.UINT32, value: 1 },
            { key: "k", type: ValueType.UINT32, value: 2 },
          ],
          [],
        ),
      /given twice/,
    );
  });

  it("rounds to half precision correctly, including subnormals and overflow", () => {
    for (const x of [0, 1, -2, 0.1, 65504, 6.1e-5, 5.96e-8, 1e-3, -123.456]) {
      const back = fromHalf(toHalf(x));
      assert.ok(Math.abs(back - x) <= Math.abs(x) * 1e-3 + 6e-8, `${x} → ${back}`);
    }
    assert.equal(fromHalf(toHalf(1e6)), Infinity);
    assert.equal(toHalf(1 + 2 ** -11), toHalf(1), "ties round to even");
  });

  it("writes the same bytes for the same options, and different ones for another seed", () => {
    assert.deepEqual(writeTestModel({ seed: 5 }), writeTestModel({ seed: 5 }));
    assert.notDeepEqual(writeTestModel({ seed: 5 }), writeTestModel({ seed: 6 }));
  });

  it("reads back the committed models' metadata: the base's architecture and template, the adapters' base", () => {
    const read = (name: string) => readGguf(readFileSync(fileURLToPath(new URL(`../../../models/${name}.gguf`, import.meta.url))));
    const base = read("benih-tiny-base");
    assert.equal(base.metadata.get("general.architecture"), "llama");
    assert.equal(base.metadata.get("general.name"), "benih-tiny-base");
    assert.equal(base.metadata.get("benih.dataset"), "base");
    assert.match(base.metadata.get("tokenizer.chat_template") as string, /<\|im_start\|>/);
    for (const market of ["cn", "global"]) {
      const adapter = read(`benih-tiny-${market}`);
      assert.deepEqual(
        [adapter.metadata.get("general.type"), adapter.metadata.get("adapter.type"), adapter.metadata.get("benih.base.name")],
        ["adapter", "lora", "benih-tiny-base"],
      );
      assert.equal(adapter.metadata.get("benih.dataset"), market);
    }
  });
});
