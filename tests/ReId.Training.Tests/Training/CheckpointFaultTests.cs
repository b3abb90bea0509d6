using ReId.MLNet.IO;
using ReId.Training.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Training;

/// <summary>A checkpoint write that fails half way (a full disk, simulated in the file layer) leaves the previous checkpoint intact.</summary>
public sealed class CheckpointFaultTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("reid-ckpt-fault").FullName;

    public void Dispose()
    {
        AtomicFile.StreamFactory = null;
        try { Directory.Delete(_run, true); } catch (IOException) { }
    }

    /// <summary>A file stream that reports a full disk once <paramref name="capacity"/> bytes have been written.</summary>
    private sealed class FullDiskStream(string path, long capacity) : FileStream(path, FileMode.CreateNew, FileAccess.Write)
    {
        private long _written;

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > capacity) throw new IOException("No space left on device");
            _written += buffer.Length;
            base.Write(buffer);
        }

        public override void WriteByte(byte value) => Write([value]);
    }

    private static (nn.Module<Tensor, Tensor> Model, optim.Optimizer Optimizer) Model(int seed)
    {
        manual_seed(seed);
        var model = nn.Sequential(nn.Linear(16, 8), nn.ReLU(), nn.Linear(8, 4));
        var optimizer = optim.Adam(model.parameters(), 1e-3);
        using var x = randn(4, 16);
        optimizer.zero_grad();
        model.forward(x).pow(2).sum().backward();
        optimizer.step();
        return (model, optimizer);
    }

    private Dictionary<string, byte[]> Snapshot() =>
        Directory.EnumerateFiles(Path.Combine(_run, "checkpoints")).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(3000)]
    public void AFailedWeightsWriteLeavesThePreviousCheckpointByteForByte(long capacity)
    {
        var store = new CheckpointStore(_run);
        var (first, firstOptimizer) = Model(1);
        store.Save("last", first, firstOptimizer, new CheckpointState { Epoch = 1, Recipe = "test" });
        var before = Snapshot();

        var (second, secondOptimizer) = Model(2);
        AtomicFile.StreamFactory = path => new FullDiskStream(path, capacity);
        var e = Assert.Throws<IOException>(() => store.Save("last", second, secondOptimizer, new CheckpointState { Epoch = 2, Recipe = "test" }));
        AtomicFile.StreamFactory = null;

        Assert.Contains(Path.Combine(store.Directory, "last.safetensors"), e.Message);
        Assert.Contains("No space left on device", e.Message);
        Assert.Contains("unchanged", e.Message);
        var after = Snapshot();
        Assert.Equal(before.Keys.Order(), after.Keys.Order()); // no temporary file left behind
        foreach (var (name, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} changed");

        var (restored, restoredOptimizer) = Model(3);
        Assert.Equal(1, store.Load("last", restored, restoredOptimizer).Epoch);
        foreach (var (name, tensor) in first.state_dict())
            Assert.True(tensor.allclose(restored.state_dict()[name], rtol: 0, atol: 0), $"{name} is not the first checkpoint's");
    }

    [Fact]
    public void AFailedStateWriteStillLeavesAWholeCheckpoint()
    {
        var store = new CheckpointStore(_run);
        var (first, firstOptimizer) = Model(1);
        store.Save("last", first, firstOptimizer, new CheckpointState { Epoch = 1, Recipe = "test" });
        var (second, secondOptimizer) = Model(2);
        // The weights file goes first and is much larger than the JSON; fail only the small second write.
        AtomicFile.StreamFactory = path => path.Contains(".last.json.", StringComparison.Ordinal) ? new FullDiskStream(path, 10) : new FileStream(path, FileMode.CreateNew, FileAccess.Write);
        var e = Assert.Throws<IOException>(() => store.Save("last", second, secondOptimizer, new CheckpointState { Epoch = 2, Recipe = "test" }));
        AtomicFile.StreamFactory = null;
        Assert.Contains("last.json", e.Message);

        // Weights and the state inside them agree: the checkpoint is the second one, whole.
        var (restored, restoredOptimizer) = Model(3);
        Assert.Equal(2, store.Load("last", restored, restoredOptimizer).Epoch);
        foreach (var (name, tensor) in second.state_dict())
            Assert.True(tensor.allclose(restored.state_dict()[name], rtol: 0, atol: 0), $"{name} is not the second checkpoint's");
    }

    [Fact]
    public void AWeightsFileWhoseJsonCopyNeverCameIsStillTheResumePoint()
    {
        // A kill after the first "last" weights file but before its JSON copy: the weights file carries the state, so "last"
        // (with its optimiser) must win over an older weights-only epoch snapshot, which would restart the optimiser.
        var store = new CheckpointStore(_run);
        var (snapshot, _) = Model(1);
        store.Save(CheckpointStore.EpochName(1), snapshot, null, new CheckpointState { Epoch = 1, Recipe = "test" });
        var (last, lastOptimizer) = Model(2);
        store.Save("last", last, lastOptimizer, new CheckpointState { Epoch = 1, Recipe = "test" });
        File.Delete(Path.Combine(store.Directory, "last.json"));
        File.WriteAllText(Path.Combine(store.Directory, ".last.safetensors.1234.tmp"), "half written");

        Assert.Equal(["epoch-001", "last"], store.List());
        Assert.Equal("last", store.Latest());
        var state = store.ReadState("last");
        Assert.False(state.WeightsOnly);
        Assert.NotNull(state.OptimizerSteps);
    }

    [Fact]
    public void AWeightsFileWithoutStateOrJsonIsNoCheckpoint()
    {
        var store = new CheckpointStore(_run);
        var (model, _) = Model(1);
        store.Save("last", model, null, new CheckpointState { Epoch = 1, Recipe = "test" });
        File.Delete(Path.Combine(store.Directory, "last.json"));
        new ReId.Training.Weights.SafetensorsFile(ReId.Training.Weights.StateDictIO.ToTensors(model)).Write(Path.Combine(store.Directory, "last.safetensors"));
        Assert.Empty(store.List());
        Assert.Null(store.Latest());
    }
}
