// A one-node ONNX model (MatMul of two float matrices), encoded by hand: onnxruntime's MatMul is the reference
// for this machine's peak matmul throughput, and no ONNX tooling is needed for one node.

function varint(n: number): number[] {
  const out: number[] = [];
  while (n > 127) {
    out.push((n & 127) | 128);
    n >>>= 7;
  }
  out.push(n);
  return out;
}
const field = (no: number, wire: number) => varint((no << 3) | wire);
const bytesField = (no: number, data: number[] | Uint8Array) => [...field(no, 2), ...varint(data.length), ...data];
const stringField = (no: number, s: string) => bytesField(no, new TextEncoder().encode(s));
const intField = (no: number, v: number) => [...field(no, 0), ...varint(v)];

function valueInfo(name: string, dims: number[]): number[] {
  const shape = dims.flatMap((d) => bytesField(1, intField(1, d)));
  const tensorType = [...intField(1, 1 /* FLOAT */), ...bytesField(2, shape)];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** C[M][N] = A[M][K] · B[K][N] */
export function matmulModel(M: number, K: number, N: number): Uint8Array {
  const node = [...stringField(1, "A"), ...stringField(1, "B"), ...stringField(2, "C"), ...stringField(4, "MatMul")];
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, "matmul"),
    ...bytesField(11, valueInfo("A", [M, K])),
    ...bytesField(11, valueInfo("B", [K, N])),
    ...bytesField(12, valueInfo("C", [M, N])),
  ];
  const opset = [...stringField(1, ""), ...intField(2, 13)];
  return Uint8Array.from([...intField(1, 8), ...bytesField(7, graph), ...bytesField(8, opset)]);
}
