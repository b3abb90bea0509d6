using ReId.MLNet.Onnx;
using static TorchSharp.torch;

namespace ReId.Training.Onnx;

/// <summary>The graph being written plus helpers modules share: weights as initializers, common op patterns.</summary>
public sealed class OnnxExportContext
{
    /// <summary>Wraps a graph builder.</summary>
    public OnnxExportContext(OnnxGraphBuilder graph) => Graph = graph;

    /// <summary>The graph.</summary>
    public OnnxGraphBuilder Graph { get; }

    /// <summary>Name of the int64 camera-id input [batch] when the model has one (SIE camera embeddings), else null.</summary>
    public string? CameraInput { get; init; }

    /// <summary>Adds a tensor's values (float32, detached, CPU) as an initializer named after <paramref name="name"/>.</summary>
    public string Weight(string name, Tensor t)
    {
        using var c = t.detach().to(ScalarType.Float32).cpu().contiguous();
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
