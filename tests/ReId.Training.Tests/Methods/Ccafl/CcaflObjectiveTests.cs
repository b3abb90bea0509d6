using ReId.Training.Methods.Ccafl;
using ReId.Training.Models.Backbones;
using static TorchSharp.torch;

namespace ReId.Training.Tests.Methods.Ccafl;

public sealed class CcaflObjectiveTests
{
    // 6 intra-camera identities: 0-2 in camera 0, 3-5 in camera 1; 2 images each.
    private static readonly int[] CameraOfIdentity = [0, 0, 0, 1, 1, 1];
    private static readonly int[] Labels = [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5];

    private static CcaflNetwork Network()
    {
        manual_seed(3);
        var visual = new ClipModifiedResNet(new ClipResNetOptions { Layers = [1, 1, 1, 1], Width = 8, OutputDim = 16, InputHeight = 64, InputWidth = 32, LastStride = 1 });
        return new CcaflNetwork(visual, CameraOfIdentity.Length, seed: 2);
    }

    private static float[] Features(CcaflNetwork net, Tensor images)
    {
        net.eval();
        using var noGrad = no_grad();
        using var f = nn.functional.normalize(net.forward(images), p: 2, dim: 1);
        net.train();
        return f.data<float>().ToArray();
    }

    [Fact]
    public void EachPhaseComputesItsOwnTermsAndIcalOnlyInsideItsWindow()
    {
        using var net = Network();
        using var images = randn(12, 3, 64, 32);
        using var labels = tensor(Labels.Select(l => (long)l).ToArray());
        var options = new CcaflOptions { IntraEpochs = 1, AdversarialStart = 3, AdversarialEnd = 4, AssociationRate = 2 };
        using var objective = new CcaflObjective(options, CameraOfIdentity, imagesPerIdentity: 2);
        var seen = new List<string[]>();
        for (int epoch = 1; epoch <= 4; epoch++)
        {
            var features = Features(net, images);
            var association = objective.PrepareEpoch(epoch, features, net.EmbeddingSize, Labels, new Random(epoch));
            Assert.NotNull(association);
            // With rate 2 over 6 identities every identity of camera 0 can find one partner in camera 1.
            Assert.All(association!.Links, l => Assert.NotEqual(CameraOfIdentity[l.A], CameraOfIdentity[l.B]));
            var (total, terms, _) = objective.Loss(net, images, labels, epoch);
            Assert.True(float.IsFinite(total.item<float>()));
            total.backward();
            Assert.NotNull(net.parameters().First().grad);
            total.Dispose();
            seen.Add([.. terms.Keys.Order()]);
        }
        Assert.Equal(["centroid", "hard-instance", "identity", "triplet"], seen[0]);
        Assert.DoesNotContain("adversarial", seen[1]);
        Assert.Contains("memory", seen[1]);
        Assert.Contains("adversarial", seen[2]);
        Assert.DoesNotContain("adversarial", seen[3]);
    }

    [Fact]
    public void WithoutIcdlAndAssociationItIsPlainCrossEntropyAndTriplet()
    {
        using var net = Network();
        using var images = randn(12, 3, 64, 32);
        using var labels = tensor(Labels.Select(l => (long)l).ToArray());
        var options = new CcaflOptions { Icdl = false, Association = false, Adversarial = false };
        using var objective = new CcaflObjective(options, CameraOfIdentity, imagesPerIdentity: 2);
        Assert.Null(objective.PrepareEpoch(1, Features(net, images), net.EmbeddingSize, Labels, new Random(1)));
        var (total, terms, _) = objective.Loss(net, images, labels, 1);
        Assert.Equal(["ce", "triplet"], terms.Keys.Order());
        Assert.Equal(terms["ce"] + terms["triplet"], total.item<float>(), 4);
        total.Dispose();
    }

    [Fact]
    public void MeanPerIdentityAveragesRows()
    {
        float[] f = [1, 0, 0, 1, 2, 2];
        Assert.Equal([0.5f, 0.5f, 2, 2], CcaflObjective.MeanPerIdentity(f, 2, [0, 0, 1], 2));
    }

    [Fact]
    public void AdversarialNeedsAssociationAndTheKeyIsNamed()
    {
        var e = Assert.Throws<ArgumentException>(() => new CcaflOptions { Association = false, Adversarial = true }.Validate());
        Assert.Contains("ccafl.adversarial", e.Message);
    }
}
