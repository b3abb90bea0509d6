using ReId.MLNet.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Onnx;

/// <summary>The graph being written plus helpers modules share: weights as initializers, common op patterns.</summary>
public sealed class OnnxExportContext
{
    /// <summary>Wraps a graph builder.</summary>
    public OnnxExportContext(OnnxGraphBuilder graph) => Graph = graph;

    /// <summary>The graph.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>Name of the int64 camera-position input [batch] when cameras are offered (SIE camera embeddings), else null.</summary>
    public string? CameraInput { get; init; }

    /// <summary>Name of the int64 view-position input [batch] when views are offered, else null.</summary>
    public string? ViewInput { get; init; }

    /// <summary>
    /// Rows of an embedding table [N, D] picked by int64 <paramref name="positions"/> [batch] → [batch, D]. A zero row is
    /// appended, so position −1 (what deployments feed for a camera or view the model was not trained on; ONNX Gather
    /// counts negative indices from the end) adds nothing rather than borrowing another camera's embedding.
    /// </summary>
    public string IdEmbedding(string name, Tensor table, string positions)
    {
        if (table.dim() != 2)
            throw new ArgumentException($"An id embedding table must be [N, D]; '{name}' has shape [{string.Join(",", table.shape)}].", nameof(table));
        using var scope = NewDisposeScope(); // owns the chain's temporaries (see StateDictIO.ToSafetensors)
        var detached = table.detach().to(ScalarType.Float32).cpu();
        var padded = cat([detached, zeros(1, table.shape[1], ScalarType.Float32)], 0);
        return Graph.Node("Gather", [Weight(name, padded), positions], OnnxAttribute.Int("axis", 0));
    }

    /// <summary>Adds a tensor's values (float32, detached, CPU) as an initializer named after <paramref name="name"/>.</summary>
    public string Weight(string name, Tensor t)
    {
        using var scope = NewDisposeScope(); // owns the chain's temporaries (see StateDictIO.ToSafetensors)
        var c = t.detach().to(ScalarType.Float32).cpu().contiguous();
        return Graph.AddInitializer(Graph.UniqueName(name), c.data<float>().ToArray(), c.shape);
    }

    /// <summary>An int64 constant.</summary>
    public string Ints(params long[] values) => Graph.Constant(values, values.Length);

    /// <summary>A float scalar constant.</summary>
    public string Scalar(float value) => Graph.Constant([value]);

    /// <summary>x @ W + b for a weight stored as [out, in] (PyTorch Linear), via MatMul with Wᵀ.</summary>
    public string Linear(string x, string name, Tensor weight, Tensor? bias)
    {
        string y = Graph.Node("MatMul", [x, Weight(name + ".weight_t", weight.t())]);
        return bias is null ? y : Graph.Node("Add", [y, Weight(name + ".bias", bias)]);
    }

    /// <summary>LayerNormalization over the last axis (opset 17).</summary>
    public string LayerNorm(string x, string name, Tensor weight, Tensor bias, float eps) =>
        Graph.Node("LayerNormalization", [x, Weight(name + ".weight", weight), Weight(name + ".bias", bias)],
            OnnxAttribute.Int("axis", -1), OnnxAttribute.Float("epsilon", eps));

    /// <summary>QuickGELU x·σ(1.702x) (no ONNX op for it).</summary>
    public string QuickGelu(string x) =>
        Graph.Node("Mul", [x, Graph.Node("Sigmoid", [Graph.Node("Mul", [x, Scalar(1.702f)])])]);
}
