using System.Text.Json;
using ReId.MLNet.IO;
using ReId.Training.Weights;
using TorchSharp;

namespace ReId.Training.Engine;

/// <summary>
/// Checkpoints of a run: <c>checkpoints/NAME.safetensors</c> (model parameters and buffers, optimiser state under "optimizer/")
/// and <c>NAME.json</c> (epoch, next batch, optimiser steps, best score). Both are written atomically, the JSON last,
/// so a checkpoint without its JSON never counts.
/// </summary>
public sealed class CheckpointStore(string runDirectory)
{
    private const string OptimizerPrefix = "optimizer/";
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public string Directory { get; } = Path.Combine(runDirectory, "checkpoints");

    /// <summary>Writes a checkpoint; without <paramref name="optimizer"/> it holds the weights only (a snapshot, not a resume point).</summary>
    public void Save(string name, torch.nn.Module model, torch.optim.Optimizer? optimizer, CheckpointState state)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var tensors = StateDictIO.ToTensors(model);
        Dictionary<string, long>? steps = null;
        if (optimizer is not null)
            foreach (var (key, value) in OptimizerCheckpoint.Export(optimizer, out steps))
                using (value) tensors.Add(StateDictIO.ToSafetensors(OptimizerPrefix + key, value));
        // The state travels inside the (atomically written) weights file too, so weights and state can never disagree.
        string json = JsonSerializer.Serialize(state with { OptimizerSteps = steps, WeightsOnly = optimizer is null }, Json);
        string weights = Path.Combine(Directory, name + ".safetensors");
        try
        {
            new SafetensorsFile(tensors, new Dictionary<string, string> { ["format"] = "reid-checkpoint", ["state"] = json }).Write(weights);
        }
        catch (IOException e)
        {
            throw new IOException($"could not write checkpoint '{weights}' ({e.Message}); the previous '{name}' checkpoint, if any, is unchanged", e);
        }
        try
        {
            AtomicFile.WriteAllText(Path.Combine(Directory, name + ".json"), json);
        }
        catch (IOException e)
        {
            // The weights file already holds this state in its metadata, and Load reads it from there: the checkpoint is whole.
            throw new IOException($"could not write the state copy '{Path.Combine(Directory, name + ".json")}' ({e.Message}); " +
                $"the weights file '{weights}' is complete and carries the same state", e);
        }
    }

    /// <summary>Restores model and optimiser from a checkpoint; errors name the file.</summary>
    public CheckpointState Load(string name, torch.nn.Module model, torch.optim.Optimizer? optimizer)
    {
        string weights = Path.Combine(Directory, name + ".safetensors");
        if (!File.Exists(weights)) throw new InvalidDataException($"checkpoint '{weights}' is missing");
        var file = SafetensorsFile.Read(weights);
        var state = file.Metadata.TryGetValue("state", out var json) ? Parse(json, weights) : ReadState(name);
        var tensors = file.Tensors.ToDictionary(p => p.Key, p => StateDictIO.ToTorch(p.Value));
        try
        {
            var report = StateDictIO.Load(model, tensors.Where(p => !p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToDictionary(), weights);
            if (!report.IsExact) throw new InvalidDataException($"checkpoint '{weights}' does not fit this model ({report})");
            if (optimizer is not null && !state.WeightsOnly)
                OptimizerCheckpoint.Import(optimizer, tensors.Where(p => p.Key.StartsWith(OptimizerPrefix, StringComparison.Ordinal)).ToDictionary(p => p.Key[OptimizerPrefix.Length..], p => p.Value),
                    state.OptimizerSteps ?? []);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            throw new InvalidDataException($"checkpoint '{weights}' does not fit this model: {e.Message}", e);
        }
        finally
        {
            foreach (var t in tensors.Values) t.Dispose();
        }
        return state;
    }

    /// <summary>
    /// The state of a checkpoint: the copy inside the weights file (written atomically with the weights, so it is the one that
    /// counts), else <c>NAME.json</c> (checkpoints written before the state travelled in the weights file).
    /// </summary>
    public CheckpointState ReadState(string name)
    {
        string weights = Path.Combine(Directory, name + ".safetensors");
        if (File.Exists(weights) && EmbeddedState(weights) is { } json) return Parse(json, weights);
        string path = Path.Combine(Directory, name + ".json");
        if (!File.Exists(path)) throw new FileNotFoundException($"checkpoint state '{path}' does not exist", path);
        return Parse(File.ReadAllText(path), path);
    }

    private static string? EmbeddedState(string weights)
    {
        try
        {
            return SafetensorsFile.ReadMetadata(weights).TryGetValue("state", out var json) ? json : null;
        }
        catch (InvalidDataException)
        {
            return null; // a damaged weights file is no checkpoint; List leaves it out and Load names the file if asked
        }
    }

    private static CheckpointState Parse(string json, string path)
    {
        try
        {
            return JsonSerializer.Deserialize<CheckpointState>(json, Json) ?? throw new InvalidDataException($"checkpoint state in '{path}' is empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"checkpoint state in '{path}' is corrupt: {e.Message}", e);
        }
    }

    /// <summary>
    /// Names of complete checkpoints, oldest first: a weights file that carries its state, or one with its <c>NAME.json</c>.
    /// A kill between the (atomic) weights file and its JSON copy therefore loses nothing.
    /// </summary>
    public IReadOnlyList<string> List() => !System.IO.Directory.Exists(Directory) ? []
        : [.. System.IO.Directory.EnumerateFiles(Directory, "*.safetensors").Where(f => !Path.GetFileName(f).StartsWith('.'))
            .Where(f => File.Exists(Path.ChangeExtension(f, ".json")) || EmbeddedState(f) is not null)
            .Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];

    /// <summary>The checkpoint to resume from: "last" if present, else the highest epoch-NNN.</summary>
    public string? Latest()
    {
        var names = List();
        if (names.Contains("last")) return "last";
        return names.Where(n => n.StartsWith("epoch-", StringComparison.Ordinal)).LastOrDefault();
    }

    public static string EpochName(int epoch) => $"epoch-{epoch:D3}";
}
