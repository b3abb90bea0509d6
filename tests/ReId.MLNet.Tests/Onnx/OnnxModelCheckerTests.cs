using ReId.MLNet.Onnx;

namespace ReId.MLNet.Tests.Onnx;

public class OnnxModelCheckerTests
{
    [Fact]
    public void UndefinedInput_IsRejectedNamingTheNodeAndValue()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, 2);
        b.NodeWithOutputs("Add", [x, "missing"], ["y"]);
        b.AddOutput("y", OnnxElementType.Float, 2);

        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelChecker.Check(b.ToBytes()));
        Assert.Contains("Add_0", ex.Message);
        Assert.Contains("'missing'", ex.Message);
    }

    [Fact]
    public void NodesOutOfTopologicalOrder_AreRejectedNamingTheNode()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, 2);
        b.NodeWithOutputs("Relu", ["later"], ["y"]);
        b.NodeWithOutputs("Neg", [x], ["later"]);
        b.AddOutput("y", OnnxElementType.Float, 2);

        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelChecker.Check(b.ToBytes()));
        Assert.Contains("Relu_0", ex.Message);
        Assert.Contains("topological", ex.Message);
    }

    [Fact]
    public void GraphOutputNotProduced_IsRejected()
    {
        var b = new OnnxGraphBuilder();
        b.AddInput("x", OnnxElementType.Float, 2);
        b.AddOutput("nowhere", OnnxElementType.Float, 2);

        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelChecker.Check(b.ToBytes()));
        Assert.Contains("'nowhere'", ex.Message);
    }

    [Fact]
    public void BytesThatAreNotOnnx_AreRejected()
    {
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModelChecker.Check("definitely not a model"u8.ToArray()));
        Assert.Contains("not an ONNX model", ex.Message);
    }

    [Fact]
    public void OptionalEmptyInput_IsAccepted()
    {
        var b = new OnnxGraphBuilder();
        string x = b.AddInput("x", OnnxElementType.Float, 2);
        string min = b.Constant(new float[] { 0 });
        b.NodeWithOutputs("Clip", [x, min, ""], ["y"]);
        b.AddOutput("y", OnnxElementType.Float, 2);

        OnnxModelChecker.Check(b.ToBytes());
    }
}
