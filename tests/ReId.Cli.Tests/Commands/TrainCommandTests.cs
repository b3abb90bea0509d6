using System.Diagnostics;
using System.Text.Json;
using ReId.MLNet.Data.Synthetic;

namespace ReId.Cli.Tests.Commands;

/// <summary>`reid train` on a small synthetic folder, then `reid eval --model` in a separate process on the saved .zip.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-cli-train").FullName;

    private static readonly string[] TinySettings =
    [
        "--set", "input-height=64", "--set", "input-width=32", "--set", "identities-per-batch=4", "--set", "images-per-identity=2",
        "--set", "max-batches-per-epoch=2", "--set", "warmup-epochs=1", "--set", "milestones=2", "--set", "evaluate-every=1",
    ];

    private string Data()
    {
        string dir = Path.Combine(_root, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 16, Seed = 5, Cameras = 3, ImagesPerIdentityPerCamera = (2, 2) }, dir);
        return dir;
    }

    [Fact]
    public void TrainThenEvalInAFreshProcessReproducesTheRunsFinalMap()
    {
        string data = Data(), run = Path.Combine(_root, "run");
        var (code, output, err) = CliRunner.Run(["train", "--recipe", "bot-small", "--data", data, "--format", "market1501", "--out", run, "--epochs", "2", "--seed", "3", "--json", .. TinySettings]);
        Assert.True(code == 0, err);
        using var trained = JsonDocument.Parse(output);
        double map = trained.RootElement.GetProperty("mAP").GetDouble();
        Assert.InRange(map, 0, 1);
        Assert.Contains("[train] epoch 2/2", err);

        // A separate process: nothing of the training process is shared but the files.
        string reid = Path.Combine(AppContext.BaseDirectory, "reid.dll");
        var psi = new ProcessStartInfo("dotnet", ["exec", reid, "eval", "--model", run, "--data", data, "--format", "market1501", "--json"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(psi)!;
        string evalOut = process.StandardOutput.ReadToEnd();
        string evalErr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, evalErr);
        using var evaluated = JsonDocument.Parse(evalOut);
        Assert.Equal(map, evaluated.RootElement.GetProperty("mAP").GetDouble(), 9);

        // Any checkpoint can be evaluated, including the untrained weights.
        (code, output, err) = CliRunner.Run("eval", "--model", run, "--checkpoint", "epoch-000", "--data", data, "--format", "market1501", "--json");
        Assert.True(code == 0, err);
        using var initial = JsonDocument.Parse(output);
        Assert.InRange(initial.RootElement.GetProperty("mAP").GetDouble(), 0, 1);
        (code, _, err) = CliRunner.Run("eval", "--model", run, "--checkpoint", "epoch-042", "--data", data, "--format", "market1501");
        Assert.Equal(2, code);
        Assert.Contains("no checkpoint 'epoch-042'", err);
    }

    [Fact]
    public void ListShowsTheRecipesSettingsWithOverrides()
    {
        var (code, output, _) = CliRunner.Run("train", "--recipe", "bot", "--list", "--set", "epochs=7");
        Assert.Equal(0, code);
        Assert.Contains("Bag of tricks", output);
        Assert.Contains("backbone", output);
        Assert.Contains("resnet50-ibn", output);
        Assert.Matches(@"epochs\s+7\s+Epochs of the main training loop", output);
    }

    [Fact]
    public void CudaOnAMachineWithoutItExitsWithTwoAndSaysWhy()
    {
        if (TorchSharp.torch.cuda.is_available()) return;
        string data = Data();
        var (code, _, err) = CliRunner.Run(["train", "--recipe", "bot-small", "--data", data, "--format", "market1501", "--out", Path.Combine(_root, "cuda"), "--device", "cuda:0", .. TinySettings]);
        Assert.Equal(2, code);
        Assert.Contains("device 'cuda:0': CUDA is not available", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Theory]
    [InlineData("--recipe", "nope", "unknown recipe 'nope'")]
    [InlineData("--recipe", "bot-small", "--data is required")]
    public void BadInputExitsWithTwo(string option, string value, string expected)
    {
        var (code, _, err) = CliRunner.Run("train", option, value);
        Assert.Equal(2, code);
        Assert.Contains(expected, err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void ABadSettingIsNamed()
    {
        var (code, _, err) = CliRunner.Run("train", "--recipe", "bot-small", "--list", "--set", "epochs=lots");
        Assert.Equal(2, code);
        Assert.Contains("--set epochs=lots: expected an integer", err);
    }

    [Fact]
    public void AClipReIdRunTrainsBothStagesAndItsCheckpointsEvaluate()
    {
        string data = Data(), run = Path.Combine(_root, "clip");
        var (code, output, err) = CliRunner.Run(["train", "--recipe", "clip-reid-small", "--data", data, "--format", "market1501", "--out", run,
            "--epochs", "1", "--set", "stage1-epochs=1", "--json", .. TinySettings, "--set", "warmup-epochs=0"]);
        Assert.True(code == 0, err);
        Assert.Contains("[prompts] epoch 1/1", err);
        using var trained = JsonDocument.Parse(output);
        double map = trained.RootElement.GetProperty("mAP").GetDouble();
        (code, output, err) = CliRunner.Run("eval", "--model", run, "--checkpoint", "last", "--data", data, "--format", "market1501", "--json");
        Assert.True(code == 0, err);
        using var evaluated = JsonDocument.Parse(output);
        // TorchSharp on the checkpoint vs ML.NET on the .zip: same weights, two resizers, so close but not bit-equal.
        Assert.InRange(evaluated.RootElement.GetProperty("mAP").GetDouble(), map - 0.05, map + 0.05);
    }

    [Fact]
    public void TheFullClipReIdRecipeWithoutClipWeightsExitsWithTwo()
    {
        string data = Data();
        var (code, _, err) = CliRunner.Run("train", "--recipe", "clip-reid", "--data", data, "--format", "market1501", "--out", Path.Combine(_root, "clipfull"));
        Assert.Equal(2, code);
        Assert.Contains("pretrained-weights", err);
        Assert.Contains("clip-vocabulary-file", err);
        Assert.False(Directory.Exists(Path.Combine(_root, "clipfull", "checkpoints")));
    }

    [Fact]
    public void PretrainedClipWeightsWithoutAVocabularyExitWithTwo()
    {
        string data = Data();
        string weights = Path.Combine(_root, "missing-clip.safetensors");
        var (code, _, err) = CliRunner.Run("train", "--recipe", "clip-reid-small", "--data", data, "--format", "market1501", "--out", Path.Combine(_root, "clip"),
            "--set", $"pretrained-weights={weights}");
        Assert.Equal(2, code);
        Assert.Contains("missing-clip.safetensors", err);
        Assert.DoesNotContain("   at ", err);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }
}
