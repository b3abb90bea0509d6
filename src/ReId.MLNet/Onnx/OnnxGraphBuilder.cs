using Google.Protobuf;
using ReId.MLNet.Onnx.Proto;

namespace ReId.MLNet.Onnx;

/// <summary>
/// Builds an ONNX model (one graph, default opset domain) node by node and serialises it as a
/// <c>ModelProto</c>. Nodes must be added in execution order; <see cref="OnnxModelChecker"/> verifies that.
/// </summary>
public sealed class OnnxGraphBuilder
{
    /// <summary>The ONNX IR version written (IR 8 = ONNX 1.10+, read by every ONNX Runtime since 1.10).</summary>
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private readonly Dictionary<string, long> _opsets = new(StringComparer.Ordinal);
    private readonly List<StringStringEntryProto> _metadata = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly string _producer;
    private int _nodeCount;

    public OnnxGraphBuilder(string graphName = "graph", int opset = 17, string producer = "ReIdMLNet")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(graphName);
        if (opset < 7)
            throw new ArgumentOutOfRangeException(nameof(opset), opset, "Opset 7 or later is required.");
        _graph = new GraphProto { Name = graphName };
        _opsets[""] = opset;
        _producer = producer;
        Opset = opset;
    }

    /// <summary>The default-domain opset version the model imports.</summary>
    public int Opset { get; }

    /// <summary>Number of nodes added so far.</summary>
    public int NodeCount => _nodeCount;

    /// <summary>Imports another operator domain (for example "com.microsoft") at the given version.</summary>
    public void AddOpsetImport(string domain, long version)
    {
        ArgumentNullException.ThrowIfNull(domain);
        _opsets[domain] = version;
    }

    /// <summary>Declares a graph input; returns its name.</summary>
    public string AddInput(string name, OnnxElementType type, params OnnxDim[] shape)
    {
        Claim(name);
        _graph.Input.Add(ValueInfo(name, type, shape));
        return name;
    }

    /// <summary>Declares a graph output; <paramref name="name"/> must be produced by a node, an input or an initializer.</summary>
    public void AddOutput(string name, OnnxElementType type, params OnnxDim[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _graph.Output.Add(ValueInfo(name, type, shape));
    }

    /// <summary>Adds a named float initializer; returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<float> data, params long[] dims) =>
        AddInitializer(OnnxTensor.FromFloats(name, data, dims));

    /// <summary>Adds a named int64 initializer; returns its name.</summary>
    public string AddInitializer(string name, ReadOnlySpan<long> data, params long[] dims) =>
        AddInitializer(OnnxTensor.FromInt64s(name, data, dims));

    /// <summary>Adds a prepared tensor as an initializer; returns its name.</summary>
    public string AddInitializer(OnnxTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        Claim(tensor.Name);
        _graph.Initializer.Add(tensor.ToProto());
        return tensor.Name;
    }

    /// <summary>Adds a float constant under a fresh name; returns the name.</summary>
    public string Constant(ReadOnlySpan<float> data, params long[] dims) => AddInitializer(UniqueName("const"), data, dims);

    /// <summary>Adds an int64 constant under a fresh name; returns the name.</summary>
    public string Constant(ReadOnlySpan<long> data, params long[] dims) => AddInitializer(UniqueName("const"), data, dims);

    /// <summary>A value name starting with <paramref name="prefix"/> that no input, initializer or node output uses yet.</summary>
    public string UniqueName(string prefix)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        if (!_names.Contains(prefix) && !_counters.ContainsKey(prefix))
        {
            _counters[prefix] = 0;
            return prefix;
        }
        int n = _counters.GetValueOrDefault(prefix);
        string candidate;
        do
        {
            n++;
            candidate = $"{prefix}_{n}";
        }
        while (_names.Contains(candidate));
        _counters[prefix] = n;
        return candidate;
    }

    /// <summary>Adds a node with one output; returns the output's (fresh) name.</summary>
    public string Node(string opType, string[] inputs, params OnnxAttribute[] attributes) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs; returns their (fresh) names.</summary>
    public string[] Node(string opType, string[] inputs, int outputCount, params OnnxAttribute[] attributes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputCount, 1);
        var outputs = new string[outputCount];
        string stem = opType.ToLowerInvariant();
        for (int i = 0; i < outputCount; i++)
            outputs[i] = UniqueName(outputCount == 1 ? stem : $"{stem}_out{i}");
        NodeWithOutputs(opType, inputs, outputs, attributes);
        return outputs;
    }

    /// <summary>Adds a node whose outputs have the given names (for example a graph output's name).</summary>
    public void NodeWithOutputs(string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes) =>
        NodeInDomain("", opType, inputs, outputs, attributes);

    /// <summary>Adds a node of an operator from another domain (import it with <see cref="AddOpsetImport"/>).</summary>
    public void NodeInDomain(string domain, string opType, string[] inputs, string[] outputs, params OnnxAttribute[] attributes)
    {
        ArgumentNullException.ThrowIfNull(domain);
        ArgumentException.ThrowIfNullOrWhiteSpace(opType);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(outputs);
        foreach (string output in outputs)
            Claim(output);
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        if (domain.Length > 0)
            node.Domain = domain;
        // An empty input name is ONNX's way of skipping an optional input.
        node.Input.AddRange(inputs.Select(i => i ?? ""));
        node.Output.AddRange(outputs);
        foreach (var attribute in attributes ?? [])
            node.Attribute.Add(attribute.ToProto());
        _graph.Node.Add(node);
    }

    /// <summary>Sets a model metadata entry (ONNX <c>metadata_props</c>); a second call with the same key replaces it.</summary>
    public void SetMetadata(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _metadata.RemoveAll(e => e.Key == key);
        _metadata.Add(new StringStringEntryProto { Key = key, Value = value });
    }

    /// <summary>The serialised <c>ModelProto</c>.</summary>
    public byte[] ToBytes() => ToProto(share: true).ToByteArray();

    /// <summary>Writes the model to <paramref name="path"/> atomically (temporary file in the same folder, then rename).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        OnnxModelFile.WriteAtomic(path, ToBytes());
    }

    /// <summary>The model message; with <paramref name="share"/> it references the builder's graph instead of a copy (serialise it at once).</summary>
    internal ModelProto ToProto(bool share = false)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = _producer,
            ProducerVersion = typeof(OnnxGraphBuilder).Assembly.GetName().Version?.ToString() ?? "0",
            Graph = share ? _graph : _graph.Clone(),
        };
        foreach (var (domain, version) in _opsets)
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = domain, Version = version });
        model.MetadataProps.AddRange(_metadata.Select(m => m.Clone()));
        return model;
    }

    private void Claim(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!_names.Add(name))
            throw new ArgumentException($"The graph already defines a value named '{name}'; ONNX value names must be unique.", nameof(name));
    }

    internal static ValueInfoProto ValueInfo(string name, OnnxElementType type, IReadOnlyList<OnnxDim> shape)
    {
        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = new TensorShapeProto() };
        foreach (var dim in shape ?? [])
        {
            var d = new TensorShapeProto.Types.Dimension();
            if (dim.IsFixed)
                d.DimValue = dim.Value!.Value;
            else if (dim.Symbol is not null)
                d.DimParam = dim.Symbol;
            tensorType.Shape.Dim.Add(d);
        }
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
