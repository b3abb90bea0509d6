using Google.Protobuf;
using ReId.MLNet.Onnx.Proto;

namespace ReId.MLNet.Onnx;

/// <summary>
/// Rewrites a user's ONNX model so ML.NET's <c>ApplyOnnxModel</c> can run it on one row: the input gets a
/// new name (the ML.NET column) and a batch of 1, optional per-channel preprocessing nodes go in front,
/// and the chosen outputs are exposed under new names with a batch of 1 so their vector sizes are known.
/// </summary>
internal static class OnnxModelRewriter
{
    /// <summary>Graph inputs that are real inputs (IR &lt; 4 also lists initializers as inputs).</summary>
    public static IReadOnlyList<ValueInfoProto> RealInputs(ModelProto model)
    {
        var initializers = model.Graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        return model.Graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
    }

    public static ValueInfoProto ResolveInput(ModelProto model, string? requested, string source)
    {
        var inputs = RealInputs(model);
        if (requested is not null)
            return inputs.FirstOrDefault(i => i.Name == requested)
                ?? throw new InvalidDataException($"ONNX model '{source}' has no input named '{requested}' (inputs: {Names(inputs)}).");
        if (inputs.Count != 1)
            throw new InvalidDataException($"ONNX model '{source}' has {inputs.Count} inputs ({Names(inputs)}); say which one is the image with InputName.");
        return inputs[0];
    }

    public static ValueInfoProto ResolveOutput(ModelProto model, string? requested, string source)
    {
        var outputs = model.Graph.Output;
        if (requested is not null)
            return outputs.FirstOrDefault(o => o.Name == requested)
                ?? throw new InvalidDataException($"ONNX model '{source}' has no output named '{requested}' (outputs: {Names(outputs)}).");
        if (outputs.Count != 1)
            throw new InvalidDataException($"ONNX model '{source}' has {outputs.Count} outputs ({Names(outputs)}); say which one to use with OutputName.");
        return outputs[0];
    }

    /// <summary>The dims of a value (null entries are unknown/symbolic); null when the shape is not declared.</summary>
    public static long?[]? Dims(ValueInfoProto value)
    {
        var shape = value.Type?.TensorType?.Shape;
        if (shape is null)
            return null;
        return shape.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : (long?)null).ToArray();
    }

    /// <summary>
    /// Returns the rewritten model bytes. <paramref name="channelScale"/>/<paramref name="channelShift"/>, when
    /// given, compute <c>x·scale[c] + shift[c]</c> per channel of an NCHW input before the user's graph.
    /// </summary>
    public static byte[] Wrap(
        ModelProto original,
        string userInput,
        string newInputName,
        OnnxDim[] newInputShape,
        float[]? channelScale,
        float[]? channelShift,
        IReadOnlyList<(string UserOutput, string NewName, long? LastDim)> outputs,
        string source,
        bool batchOfOne = true,
        IReadOnlyList<(string UserInput, string NewName)>? idInputs = null)
    {
        var model = original.Clone();
        var graph = model.Graph;
        var used = new HashSet<string>(StringComparer.Ordinal);
        used.UnionWith(graph.Input.Select(i => i.Name));
        used.UnionWith(graph.Initializer.Select(i => i.Name));
        used.UnionWith(graph.Node.SelectMany(n => n.Output));
        string Fresh(string prefix)
        {
            string name = prefix;
            for (int i = 1; used.Contains(name); i++)
                name = $"{prefix}_{i}";
            used.Add(name);
            return name;
        }

        var input = graph.Input.FirstOrDefault(i => i.Name == userInput)
            ?? throw new InvalidDataException($"ONNX model '{source}' has no input named '{userInput}'.");
        if (input.Type?.TensorType is not { } inputType || inputType.ElemType != (int)OnnxElementType.Float)
            throw new InvalidDataException($"ONNX model '{source}': input '{userInput}' must be a float tensor (element type {input.Type?.TensorType?.ElemType ?? 0}).");
        if (used.Contains(newInputName) || graph.Output.Any(o => o.Name == newInputName))
            throw new InvalidDataException($"ONNX model '{source}' already uses the name '{newInputName}'.");
        used.Add(newInputName);
        graph.Input.Remove(input);
        graph.Input.Insert(0, OnnxGraphBuilder.ValueInfo(newInputName, OnnxElementType.Float, newInputShape));

        var front = new List<NodeProto>();
        if (channelScale is not null && channelShift is not null)
        {
            int c = channelScale.Length;
            string scale = Fresh("reid_pre_scale");
            string shift = Fresh("reid_pre_shift");
            graph.Initializer.Add(OnnxTensor.FromFloats(scale, channelScale, 1, c, 1, 1).ToProto());
            graph.Initializer.Add(OnnxTensor.FromFloats(shift, channelShift, 1, c, 1, 1).ToProto());
            string scaled = Fresh("reid_pre_scaled");
            front.Add(Node("Mul", [newInputName, scale], [scaled], Fresh("reid_pre_mul")));
            front.Add(Node("Add", [scaled, shift], [userInput], Fresh("reid_pre_add")));
        }
        else
        {
            front.Add(Node("Identity", [newInputName], [userInput], Fresh("reid_pre_identity")));
        }
        foreach (var (userIdInput, newIdName) in idInputs ?? [])
        {
            var idInput = graph.Input.FirstOrDefault(i => i.Name == userIdInput)
                ?? throw new InvalidDataException($"ONNX model '{source}' has no input named '{userIdInput}' (inputs: {Names(RealInputs(model))}).");
            if (idInput.Type?.TensorType?.ElemType != (int)OnnxElementType.Int64)
                throw new InvalidDataException($"ONNX model '{source}': input '{userIdInput}' must be an int64 tensor of camera/view positions (element type {idInput.Type?.TensorType?.ElemType ?? 0}).");
            if (used.Contains(newIdName))
                throw new InvalidDataException($"ONNX model '{source}' already uses the name '{newIdName}'.");
            used.Add(newIdName);
            graph.Input.Remove(idInput);
            // ML.NET feeds a scalar column of one row as [1, 1]; the model wants [batch].
            graph.Input.Add(OnnxGraphBuilder.ValueInfo(newIdName, OnnxElementType.Int64, batchOfOne ? [1, 1] : [(OnnxDim)"batch"]));
            string fed = newIdName;
            if (batchOfOne)
            {
                string flat = Fresh("reid_id_flat_shape");
                graph.Initializer.Add(OnnxTensor.FromInt64s(flat, [-1L], 1).ToProto());
                fed = Fresh("reid_id_flat");
                front.Add(Node("Reshape", [newIdName, flat], [fed], Fresh("reid_id_reshape")));
            }
            // The caller feeds position + 1 with 0 for an unknown id, because ML.NET's MapValue gives 0 for a key it does
            // not hold; subtracting 1 here turns that into the model's contract (position, or -1 when unknown).
            string one = Fresh("reid_id_one");
            graph.Initializer.Add(OnnxTensor.FromInt64s(one, [1L], 1).ToProto());
            front.Add(Node("Sub", [fed, one], [userIdInput], Fresh("reid_id_sub")));
        }
        for (int i = front.Count - 1; i >= 0; i--)
            graph.Node.Insert(0, front[i]);

        var newOutputs = new List<ValueInfoProto>();
        foreach (var (userOutput, newName, lastDim) in outputs)
        {
            var output = graph.Output.FirstOrDefault(o => o.Name == userOutput)
                ?? throw new InvalidDataException($"ONNX model '{source}' has no output named '{userOutput}' (outputs: {Names(graph.Output)}).");
            if (used.Contains(newName))
                throw new InvalidDataException($"ONNX model '{source}' already uses the name '{newName}'.");
            used.Add(newName);
            graph.Node.Add(Node("Identity", [userOutput], [newName], Fresh("reid_post_identity")));
            var dims = Dims(output);
            OnnxDim[] shape;
            if (dims is null || dims.Length == 0)
            {
                if (lastDim is null)
                    throw new InvalidDataException($"ONNX model '{source}': output '{userOutput}' has no declared shape; give the embedding size.");
                shape = [batchOfOne ? (OnnxDim)1 : (OnnxDim)"batch", lastDim.Value];
            }
            else
            {
                // The first axis is the batch: ML.NET feeds one row, so it is 1 whatever the model declared.
                shape = dims.Select((d, i) => i == 0 ? (batchOfOne ? (OnnxDim)1 : (OnnxDim)"batch") : d.HasValue ? (OnnxDim)d.Value : (OnnxDim)$"{newName}_d{i}").ToArray();
                if (lastDim.HasValue && shape.Length >= 2)
                {
                    if (dims[^1].HasValue && dims[^1] != lastDim)
                        throw new InvalidDataException($"ONNX model '{source}': output '{userOutput}' has {dims[^1]} features but {lastDim} were expected.");
                    shape[^1] = lastDim.Value;
                }
            }
            newOutputs.Add(OnnxGraphBuilder.ValueInfo(newName, (OnnxElementType)(output.Type?.TensorType?.ElemType ?? 1), shape));
        }
        graph.Output.Clear();
        graph.Output.AddRange(newOutputs);
        return model.ToByteArray();
    }

    private static NodeProto Node(string op, string[] inputs, string[] outputs, string name)
    {
        var node = new NodeProto { OpType = op, Name = name };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        return node;
    }

    private static string Names(IEnumerable<ValueInfoProto> values) => string.Join(", ", values.Select(v => $"'{v.Name}'"));
}
