namespace ReId.Training.Tests.Utils;

/// <summary>Issue 17: no Scalar in the training code is left to the garbage collector during a native call.</summary>
public sealed class ScalarOwnershipTests
{
    [Fact]
    public void TrainingCodeGivesEveryTorchSharpScalarAnOwner()
    {
        var findings = ScalarOwnershipScanner.ScanDirectory(Path.Combine(RepositoryRoot(), "src", "ReId.Training"));
        Assert.True(findings.Count == 0,
            $"{findings.Count} unowned TorchSharp Scalars (README, Known problems; use OwnedScalarMath, a using Scalar or a static readonly one):\n" + string.Join("\n", findings));
    }

    [Fact]
    public void TheScannerReportsEachUnownedPatternAndAcceptsOwnedScalars()
    {
        const string code = """
            using TorchSharp;
            using static TorchSharp.torch;
            static class Sample
            {
                static readonly Scalar Half = 0.5.ToScalar();
                static void Bad(Tensor a, Tensor b, double w)
                {
                    var p1 = a * w;                       // operator with a double
                    var p2 = 1 - a;                       // operator with an int on the left
                    var p3 = a + b;                       // Tensor + Tensor: implicit alpha
                    var p4 = a.add(b);                    // one-argument add: implicit alpha
                    var p5 = a.clamp_min(1e-12);          // implicit conversion at the argument
                    var p6 = a.mul(w.ToScalar());         // a Scalar nobody owns
                    Scalar s = 2.0; var p7 = a.pow(s);    // a plain local: dead during the call
                    a.add_(b, alpha: 0.1);                // implicit alpha
                    var p8 = nn.functional.softplus(a);   // softplus makes Scalars inside
                    var bn = nn.BatchNorm2d(4);           // forward adds 1 with implicit Scalars
                    a += b;                               // compound Tensor + Tensor
                }
                static void Good(Tensor a, Tensor b, double w, Scalar given)
                {
                    using var weight = w.ToScalar();
                    var q1 = a.mul(weight);
                    var q2 = a.add(b, Half);
                    var q3 = a.pow(given);
                    var q4 = a - b;                       // sub(Tensor) takes no Scalar
                    var q5 = a * b;
                    var q6 = a.clamp(max: weight);        // the omitted min is no Scalar at all
                }
            }
            """;
        var findings = ScalarOwnershipScanner.Scan([("Sample.cs", code)]);
        int[] expectedLines = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18];
        var lines = findings.Select(f => int.Parse(f.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).Distinct().Order().ToArray();
        Assert.True(expectedLines.SequenceEqual(lines), "findings:\n" + string.Join("\n", findings));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ReIdMLNet.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"no ReIdMLNet.sln above '{AppContext.BaseDirectory}'");
    }
}
