using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ReId.Training.Tests.Docs;

/// <summary>
/// Issue 15: the README's C# examples compile as written. Each ```csharp block is taken verbatim from README.md and compiled with
/// Roslyn, as the body of a method whose parameters are the block's free variables (declared below, per block), against the
/// assemblies these tests run with. An example that drifts from the API fails here, naming the block and the compiler's error.
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    // The free variables of each block, in README order: what the surrounding prose says the reader already has.
    private static readonly string[] Contexts =
    [
        "IDataView queries, FeatureSet galleryFeatureSet, IDataView queryView, IDataView galleryView", // ML.NET API
        "MLContext ml",                                                                                   // Training from ML.NET
        "float[] queries, float[] gallery, float[] galleryRows, int[] identities, float[] queryRows",     // Exact search
        "string connectionString, float[] queries, int[] qIds, int[] qCams, DateTimeOffset t0, DateTimeOffset t1, bool useDatabase", // pgvector
        "MLContext ml, IDataView images",                                                                 // CUDA
    ];

    private const string Usings = """
        global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic;
        global using Microsoft.ML; global using Microsoft.ML.Data;
        global using ReId.MLNet.Data; global using ReId.MLNet.Data.Datasets; global using ReId.MLNet.Evaluation;
        global using ReId.MLNet.Features; global using ReId.MLNet.Pipelines; global using ReId.MLNet.Ranking;
        global using ReId.Training.Pipelines; global using ReId.Storage;
        """;

    [GeneratedRegex(@"^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex CSharpBlock();

    [Fact]
    public void EveryCSharpExampleInTheReadmeCompiles()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md")).Replace("\r\n", "\n");
        var blocks = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).ToList();
        Assert.True(blocks.Count == Contexts.Length,
            $"README.md has {blocks.Count} C# blocks but this test knows the free variables of {Contexts.Length}: add the new block's context to Contexts");

        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = new List<SyntaxTree> { CSharpSyntaxTree.ParseText(Usings, parse, "Usings.cs") };
        for (int i = 0; i < blocks.Count; i++)
        {
            string source = $"static class ReadmeBlock{i + 1}\n{{\n    static void Example({Contexts[i]})\n    {{\n#line 1 \"README block {i + 1}\"\n{blocks[i]}\n    }}\n}}\n";
            trees.Add(CSharpSyntaxTree.ParseText(source, parse, $"ReadmeBlock{i + 1}.cs"));
        }
        var compilation = CSharpCompilation.Create("ReadmeExamples", trees, References(),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        // Unused results and the like are fine in an example; errors are not.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        Assert.True(errors.Count == 0, "README examples do not compile:\n" + string.Join("\n", errors));
    }

    [Fact]
    public void AnExampleThatDriftsFromTheApiIsReported()
    {
        // The check itself can fail: a call to an overload that does not exist is an error.
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = new[]
        {
            CSharpSyntaxTree.ParseText(Usings, parse),
            CSharpSyntaxTree.ParseText("static class C { static void M(MLContext ml) { ml.Transforms.ReIdRank(\"Top\", 3.5); } }", parse),
        };
        var compilation = CSharpCompilation.Create("Drift", trees, References(), new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        Assert.Contains(compilation.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
    }

    private static List<MetadataReference> References()
    {
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => !Path.GetFileNameWithoutExtension(p).Equals("ReId.Training.Tests", StringComparison.Ordinal))
            .GroupBy(Path.GetFileName, StringComparer.Ordinal)
            .Select(g => g.First());
        var references = new List<MetadataReference>();
        foreach (var path in paths)
        {
            try { references.Add(MetadataReference.CreateFromFile(path)); }
            catch (BadImageFormatException) { } // native libraries next to the tests
            catch (IOException) { }
        }
        return references;
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
