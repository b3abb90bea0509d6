using ReId.MLNet.Data.Datasets;
using ReId.MLNet.Data.IntraCamera;
using ReId.MLNet.Data.Synthetic;
using ReId.Training.Engine;
using ReId.Training.Methods;
using ReId.Training.Methods.Ccafl;
using ReId.Training.Models.Backbones;
using ReId.Training.Recipes;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Ccafl;

/// <summary>CCAFL's text side: the per-camera image-to-text term by hand, stage 1's per-camera batches, and stage 1 learning.</summary>
public sealed class CcaflPromptTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("reid-ccafl-prompts").FullName;

    // Identities 0 and 1 are seen by camera 0, identity 2 by camera 1.
    private static Tensor ClassCamera() => tensor(new long[] { 0, 0, 1 });

    private static Tensor Text() => tensor(new float[] { 1, 0, 0, 1, 1, 1 }, [3, 2]);

    [Fact]
    public void TheImageToTextTermMatchesAHandComputedCase()
    {
        // Images (normalised inside): (3,0) of identity 0, (0,2) of identity 2, (1,1) of identity 1; τ = 0.5.
        using var images = tensor(new float[] { 3, 0, 0, 2, 1, 1 }, [3, 2]);
        using var labels = tensor(new long[] { 0, 2, 1 });
        using var text = Text();
        using var cameras = ClassCamera();
        using var loss = new ImageToTextCrossEntropy(0.5).Forward(images, text, labels, cameras);
        // Image 0: logits 1/0.5 = 2 (own) and 0 (identity 1); identity 2 is camera 1's → CE = log(1 + e^-2).
        // Image 1: camera 1 holds identity 2 only → CE = 0. Image 2: cos = 1/√2 with both of camera 0's texts → CE = log 2.
        double expected = (Math.Log(1 + Math.Exp(-2)) + 0 + Math.Log(2)) / 3;
        Assert.Equal(expected, loss.item<float>(), 5);

        // Without cameras image 1 would be contrasted with camera 0's texts too: logits (0, 2, √2)/… → CE > 0.
        using var open = new ImageToTextCrossEntropy(0.5).Forward(images.narrow(0, 1, 1), text, labels.narrow(0, 1, 1), null);
        Assert.Equal(-Math.Sqrt(2) + Math.Log(Math.Exp(0) + Math.Exp(2) + Math.Exp(Math.Sqrt(2))), open.item<float>(), 5);
    }

    [Fact]
    public void AnIdentityOfAnotherCameraNeverAppearsInTheLogits()
    {
        using var images = randn(5, 2);
        using var labels = tensor(new long[] { 0, 1, 2, 2, 0 });
        using var cameras = ClassCamera();
        using var text = Text();
        var term = new ImageToTextCrossEntropy(0.05);
        using var logits = term.Logits(images, text, labels, cameras);
        var own = new long[] { 0, 0, 1, 1, 0 };
        for (int i = 0; i < 5; i++)
            for (int c = 0; c < 3; c++)
            {
                float v = logits[i, c].item<float>();
                if (new long[] { 0, 0, 1 }[c] == own[i]) Assert.True(float.IsFinite(v));
                else Assert.Equal(float.NegativeInfinity, v);
            }

        // Moving camera 1's text changes nothing for camera 0's images.
        using var moved = text.clone();
        moved[2] = tensor(new float[] { -5, 7 });
        using var a = term.Forward(images.narrow(0, 0, 2), text, labels.narrow(0, 0, 2), cameras);
        using var b = term.Forward(images.narrow(0, 0, 2), moved, labels.narrow(0, 0, 2), cameras);
        Assert.Equal(a.item<float>(), b.item<float>());
    }

    [Fact]
    public void StageOneBatchesHoldOneCameraEachAndCoverEveryImageOnce()
    {
        long[] labels = [0, 0, 1, 1, 1, 2, 2, 3, 3, 3, 3];
        int[] group = [0, 0, 1, 1];
        var order = Enumerable.Range(0, labels.Length).ToArray();
        new Random(4).Shuffle(order);
        var batches = PromptLearningStage.GroupedBatches(order, labels, group, 4, new Random(5));
        Assert.All(batches, b => Assert.Single(b.Select(i => group[(int)labels[i]]).Distinct()));
        Assert.Equal(Enumerable.Range(0, labels.Length), batches.SelectMany(b => b).Order());
        // Camera 0 has 5 images (batches of 4 + 1), camera 1 six (4 + 2).
        Assert.Equal(4, batches.Count);
        Assert.Equal([1, 2, 4, 4], batches.Select(b => b.Length).Order());
        Assert.Equal(4, PromptLearningStage.GroupedBatches(Enumerable.Range(0, labels.Length).ToArray(), labels, group, 4, new Random(0)).Count);
    }

    [Fact]
    public void PseudoIdentitiesTextIsTheNormalisedMeanOfTheirMembersAndBothTermsJoinTheLoss()
    {
        // Identities 0, 1 in camera 0 and 2 in camera 1; 0 and 2 look alike, so rate 1 links them and leaves 1 alone.
        int[] cameraOfIdentity = [0, 0, 1];
        var options = new CcaflOptions { IntraEpochs = 0, Adversarial = false, AssociationRate = 1 };
        using var objective = new CcaflObjective(options, cameraOfIdentity, imagesPerIdentity: 1);
        using var text = tensor(new float[] { 2, 0, 0, 0, 1, 0, 0, 0, 3 }, [3, 3]);
        objective.SetClassText(text);
        var association = objective.PrepareEpoch(1, [1, 0, 0, 1, 1, 0.1f], 2, [0, 1, 2], new Random(1))!;
        Assert.Equal([0, -1, 0], association.ClusterOfIdentity);
        var cluster = objective.ClusterText!;
        Assert.Equal([1L, 3L], cluster.shape);
        float h = (float)Math.Sqrt(0.5);
        Assert.Equal([h, 0, h], cluster.data<float>().ToArray(), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void TheImageToTextTermsJoinBothPhasesOnceTheTextIsFixed()
    {
        int[] cameraOfIdentity = [0, 0, 0, 1, 1, 1];
        int[] labelValues = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
        manual_seed(3);
        var visual = new ClipVisionTransformer(new ClipVisionOptions { Width = 32, Layers = 1, PatchSize = 16, InputHeight = 64, InputWidth = 32, OutputDim = 16 });
        using var net = new CcaflNetwork(visual, 6, seed: 2);
        using var images = randn(12, 3, 64, 32);
        using var labels = tensor(labelValues.Select(l => (long)l).ToArray());
        var options = new CcaflOptions { IntraEpochs = 1, Adversarial = false, AssociationRate = 2 };
        using var objective = new CcaflObjective(options, cameraOfIdentity, imagesPerIdentity: 2);
        using var text = randn(6, 16);
        objective.SetClassText(text);
        for (int epoch = 1; epoch <= 2; epoch++)
        {
            float[] features;
            net.eval();
            using (no_grad())
            using (var f = nn.functional.normalize(net.forward(images), p: 2, dim: 1)) features = f.data<float>().ToArray();
            net.train();
            objective.PrepareEpoch(epoch, features, net.EmbeddingSize, labelValues, new Random(epoch));
            var (total, terms, _) = objective.Loss(net, images, labels, epoch);
            Assert.Contains("i2t", terms.Keys);
            Assert.True(float.IsFinite(total.item<float>()));
            total.Dispose();
        }
    }

    [Fact]
    public void StageOneLowersItsLossAndMatchesImagesToTheirOwnPromptInsideTheirCamera()
    {
        string dir = Path.Combine(_root, "data");
        SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { Format = "market1501", Identities = 12, Seed = 3, Cameras = 3, ImagesPerIdentityPerCamera = (2, 2) }, dir);
        var data = IntraCameraSupervision.Apply(DatasetFormats.Load("market1501", dir)).Dataset;
        var cameras = data.Train.Select(s => s.Camera).Distinct().Order().ToList();
        var cameraOfIdentity = new int[data.NumTrainIdentities];
        foreach (var s in data.Train) cameraOfIdentity[s.Label] = cameras.IndexOf(s.Camera);

        TrainingOptions Options(int epochs)
        {
            var o = TrainingRecipes.Get("ccafl-small");
            o.Supervision = IntraCameraSupervision.Name;
            o.InputHeight = 64; o.InputWidth = 32; o.Backbone = "clip-vit"; o.VitWidth = 64; o.VitLayers = 2; o.VitPatch = 16; o.VitStride = 16; o.EmbeddingDim = 32;
            o.Stage1Epochs = epochs; o.Stage1LearningRate = 5e-3; o.Workers = 2;
            return o;
        }

        (double Loss, double Accuracy) Run(int epochs)
        {
            var o = Options(epochs);
            manual_seed(7);
            using var net = (CcaflNetwork)ReIdTrainer.CreateNetwork(o, data.NumTrainIdentities);
            var stage = new PromptLearningStage("prompts", net, new CcaflPromptTarget(net), o, new TrainingProgressReporter(null), labelGroups: cameraOfIdentity);
            stage.Run(new StageContext(data, default));
            // Each image's projection against the prompts of its own camera's identities.
            using var scope = NewDisposeScope();
            var (image, y) = stage.CacheImageFeatures(data.Train);
            using var all = net.AllTextFeatures();
            using var classCamera = tensor(cameraOfIdentity.Select(c => (long)c).ToArray());
            using var logits = new ImageToTextCrossEntropy(1).Logits(image, all, y, classCamera);
            return (stage.LastLoss, logits.argmax(1).eq(y).to(ScalarType.Float32).mean().item<float>());
        }

        var (first, before) = Run(1);
        var (last, after) = Run(25);
        Assert.True(double.IsFinite(first) && double.IsFinite(last));
        Assert.True(last < 0.7 * first, $"stage-1 loss {first:F4} after one epoch, {last:F4} after 25");
        Assert.True(after > before, $"image→own-prompt accuracy inside the camera {before:P0} after one epoch, {after:P0} after 25");
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, true); } catch (IOException) { }
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
