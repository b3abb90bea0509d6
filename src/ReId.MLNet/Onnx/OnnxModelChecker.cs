using ReId.MLNet.Onnx.Proto;

namespace ReId.MLNet.Onnx;

/// <summary>
/// Structural checks on an ONNX model before it is handed to ONNX Runtime, so a mistake in a graph we
/// built is reported with the node at fault rather than as a runtime's generic load failure.
/// </summary>
public static class OnnxModelChecker
{
    /// <summary>
    /// Checks: an opset import for the default domain, every graph input and output typed, every node
    /// input defined earlier (graph input, initializer or an earlier node's output; nodes in execution
    /// order), every value defined once, every graph output defined. Throws <see cref="InvalidDataException"/>
    /// naming the node or value at fault.
    /// </summary>
    public static void Check(byte[] model)
    {
        ArgumentNullException.ThrowIfNull(model);
        Check(OnnxModelFile.Parse(model, "ONNX model"));
    }

    internal static void Check(ModelProto model)
    {
        if (!model.OpsetImport.Any(o => string.IsNullOrEmpty(o.Domain) || o.Domain == "ai.onnx"))
            throw new InvalidDataException("The ONNX model has no opset import for the default domain (\"\").");
        if (!model.HasIrVersion || model.IrVersion < 3)
            throw new InvalidDataException($"The ONNX model's ir_version ({model.IrVersion}) is missing or older than 3.");
        var graph = model.Graph ?? throw new InvalidDataException("The ONNX model has no graph.");

        var defined = new HashSet<string>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            if (string.IsNullOrEmpty(initializer.Name))
                throw new InvalidDataException("An initializer of the ONNX graph has no name.");
            if (!defined.Add(initializer.Name))
                throw new InvalidDataException($"Initializer '{initializer.Name}' is defined twice.");
        }
        foreach (var input in graph.Input)
        {
            CheckTyped(input, "input");
            // IR < 4 lists initializers among the inputs too; that is not a redefinition.
            if (!defined.Add(input.Name) && !graph.Initializer.Any(i => i.Name == input.Name))
                throw new InvalidDataException($"Graph input '{input.Name}' is defined twice.");
        }
        for (int n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            string label = $"node #{n} '{(string.IsNullOrEmpty(node.Name) ? "(unnamed)" : node.Name)}' ({node.OpType})";
            if (string.IsNullOrEmpty(node.OpType))
                throw new InvalidDataException($"ONNX {label} has no op_type.");
            foreach (string input in node.Input)
            {
                if (input.Length == 0)
                    continue;
                if (!defined.Contains(input))
                    throw new InvalidDataException(
                        $"ONNX {label} reads '{input}', which is not a graph input, an initializer or an output of an earlier node " +
                        "(undefined value, or nodes not in topological order).");
            }
            if (node.Output.Count == 0)
                throw new InvalidDataException($"ONNX {label} has no outputs.");
            foreach (string output in node.Output)
            {
                if (output.Length == 0)
                    continue;
                if (!defined.Add(output))
                    throw new InvalidDataException($"ONNX {label} writes '{output}', which is already defined; value names must be unique.");
            }
        }
        if (graph.Output.Count == 0)
            throw new InvalidDataException("The ONNX graph has no outputs.");
        foreach (var output in graph.Output)
        {
            CheckTyped(output, "output");
            if (!defined.Contains(output.Name))
                throw new InvalidDataException($"Graph output '{output.Name}' is not produced by any node, input or initializer.");
        }
    }

    private static void CheckTyped(ValueInfoProto value, string kind)
    {
        if (string.IsNullOrEmpty(value.Name))
            throw new InvalidDataException($"A graph {kind} has no name.");
        if (value.Type?.TensorType is not { HasElemType: true } tensor || tensor.ElemType == 0)
            throw new InvalidDataException($"Graph {kind} '{value.Name}' has no tensor element type.");
    }
}
