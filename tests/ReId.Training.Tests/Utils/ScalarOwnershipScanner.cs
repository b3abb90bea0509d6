using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace ReId.Training.Tests.Utils;

/// <summary>
/// Finds, with the C# compiler's semantic model, every place where TorchSharp 0.107 would hand libtorch a
/// <c>Scalar</c> that nothing keeps alive during the native call (issue 17): TorchSharp passes <c>scalar.Handle</c>
/// and drops the Scalar, so a garbage collection at that moment runs <c>~Scalar</c>, which frees the native
/// <c>c10::Scalar</c> while libtorch reads it. A Scalar is owned when it is a <c>using</c> local, a static readonly
/// field or a parameter (its caller is checked). Everything else is reported:
/// <list type="bullet">
/// <item>a .NET number converted to <c>Scalar</c> implicitly, or any other Scalar expression passed as an argument;</item>
/// <item>a <c>Tensor</c> operator with a .NET number (<c>t * 0.5</c>, <c>1 - t</c>, <c>t += 1</c>): TorchSharp converts inside;</item>
/// <item><c>Tensor + Tensor</c> and the one-argument <c>add</c>/<c>add_</c>: TorchSharp passes an implicit alpha of 1;</item>
/// <item>TorchSharp members that make Scalars inside (softplus, the BatchNorm modules' forward, the optimisers' step).</item>
/// </list>
/// </summary>
public static class ScalarOwnershipScanner
{
    /// <summary>TorchSharp members that create unowned Scalars internally (read in TorchSharp 0.107's source), and what to use instead.</summary>
    private static readonly Dictionary<string, string> Banned = new(StringComparer.Ordinal)
    {
        ["TorchSharp.torch.Tensor.softplus"] = "Tensor.softplus(double, double) converts beta and threshold to Scalars it does not keep; use OwnedScalarMath.Softplus",
        ["TorchSharp.torch.nn.functional.softplus"] = "functional.softplus converts beta and threshold to Scalars it does not keep; use OwnedScalarMath.Softplus",
        ["TorchSharp.torch.nn.BatchNorm1d"] = "BatchNorm's forward runs num_batches_tracked.add_(1) with implicit Scalars; use ScalarSafeBatchNorm.For1d",
        ["TorchSharp.torch.nn.BatchNorm2d"] = "BatchNorm's forward runs num_batches_tracked.add_(1) with implicit Scalars; use ScalarSafeBatchNorm.For2d",
        ["TorchSharp.torch.nn.BatchNorm3d"] = "BatchNorm's forward runs num_batches_tracked.add_(1) with implicit Scalars",
        ["TorchSharp.torch.optim.Adam"] = "Adam.step() passes implicit Scalars (mul_(beta1), add_(grad, alpha), …); use ScalarSafeAdam, ScalarSafeAdamW or ScalarSafeSgd",
        ["TorchSharp.torch.optim.AdamW"] = "AdamW.step() passes implicit Scalars; use ScalarSafeAdam, ScalarSafeAdamW or ScalarSafeSgd",
        ["TorchSharp.torch.optim.SGD"] = "SGD.step() passes implicit Scalars (add(param, alpha: weight_decay), …); use ScalarSafeAdam, ScalarSafeAdamW or ScalarSafeSgd",
        ["TorchSharp.Modules.Adam..ctor"] = "Adam.step() passes implicit Scalars; use ScalarSafeAdam, ScalarSafeAdamW or ScalarSafeSgd",
        ["TorchSharp.Modules.AdamW..ctor"] = "AdamW.step() passes implicit Scalars; use ScalarSafeAdam, ScalarSafeAdamW or ScalarSafeSgd",
        ["TorchSharp.Modules.SGD..ctor"] = "SGD.step() passes implicit Scalars; use ScalarSafeAdam, ScalarSafeAdamW or ScalarSafeSgd",
    };

    /// <summary>The findings in the C# files under <paramref name="sourceDirectory"/> (bin/ and obj/ left out).</summary>
    public static IReadOnlyList<string> ScanDirectory(string sourceDirectory)
    {
        var files = Directory.EnumerateFiles(sourceDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path.GetRelativePath(sourceDirectory, f), File.ReadAllText(f)));
        return Scan(files, excludeAssembly: "ReId.Training");
    }

    /// <summary>The findings in the given sources ("file:line: what"), compiled against the assemblies this test runs with.</summary>
    public static IReadOnlyList<string> Scan(IEnumerable<(string Path, string Text)> sources, string? excludeAssembly = null)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, s.Path)).ToList();
        // The project's implicit usings (ImplicitUsings=enable).
        trees.Add(CSharpSyntaxTree.ParseText(
            "global using System; global using System.IO; global using System.Linq; global using System.Collections.Generic; " +
            "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;", parse, "ImplicitUsings.cs"));
        // Named as the scanned assembly so that InternalsVisibleTo of its references (ReId.MLNet) applies.
        var compilation = CSharpCompilation.Create(excludeAssembly ?? "ScalarOwnershipScan", trees, References(excludeAssembly),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true));

        // Without a trustworthy semantic model the scan would pass by accident; only the [GeneratedRegex] partials
        // (filled in by a source generator this compilation does not run) may be missing.
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795").Take(5).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException("the sources do not compile for the scan: " + string.Join("; ", errors));

        var findings = new List<string>();
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not (InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or BinaryExpressionSyntax or AssignmentExpressionSyntax))
                    continue;
                var operation = model.GetOperation(node);
                if (operation is null) continue;
                foreach (var what in Check(operation))
                {
                    var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    findings.Add($"{tree.FilePath}:{line}: {what}: {Shorten(node.ToString())}");
                }
            }
        }
        return findings;
    }

    private static IEnumerable<string> Check(IOperation operation)
    {
        switch (operation)
        {
            case IInvocationOperation invocation:
                if (BannedReason(invocation.TargetMethod) is { } reason) yield return reason;
                if (invocation.TargetMethod.Name == "arange" && invocation.TargetMethod.Parameters.Count(p => IsScalar(p.Type)) < 3)
                    yield return "arange without start or step passes implicit Scalars (0, 1); use OwnedScalarMath.Arange";
                if (IsImplicitAlphaAdd(invocation.TargetMethod))
                    yield return $"{invocation.TargetMethod.Name}({invocation.TargetMethod.Parameters[0].Type.Name}) passes an implicit alpha Scalar; give alpha explicitly (OwnedScalarMath.Add)";
                foreach (var problem in Arguments(invocation.Arguments)) yield return problem;
                break;
            case IObjectCreationOperation creation when creation.Constructor is { } constructor:
                if (BannedReason(constructor) is { } why) yield return why;
                foreach (var problem in Arguments(creation.Arguments)) yield return problem;
                break;
            case IBinaryOperation { OperatorMethod: { } method }:
                if (TensorOperator(method) is { } binary) yield return binary;
                break;
            case ICompoundAssignmentOperation { OperatorMethod: { } method }:
                if (TensorOperator(method) is { } compound) yield return compound;
                break;
        }
    }

    private static IEnumerable<string> Arguments(IEnumerable<IArgumentOperation> arguments)
    {
        foreach (var argument in arguments)
        {
            if (argument.ArgumentKind == ArgumentKind.DefaultValue || argument.Parameter is null || !IsScalar(argument.Parameter.Type)) continue;
            var value = argument.Value;
            if (value is IConversionOperation { OperatorMethod: { } conversion } && IsScalar(conversion.ContainingType))
            {
                yield return $"implicit Scalar from {conversion.Parameters[0].Type} for parameter '{argument.Parameter.Name}'";
                continue;
            }
            while (value is IConversionOperation { OperatorMethod: null } plain) value = plain.Operand;
            bool owned = value switch
            {
                ILocalReferenceOperation local => local.Local.IsUsing,
                IFieldReferenceOperation field => field.Field.IsStatic && field.Field.IsReadOnly,
                IParameterReferenceOperation => true,
                ILiteralOperation or IDefaultValueOperation => true,
                _ => false,
            };
            if (!owned) yield return $"Scalar argument '{argument.Parameter.Name}' has no owner that outlives the call (make it a using local or a static readonly field)";
        }
    }

    private static string? TensorOperator(IMethodSymbol method)
    {
        if (!IsTensor(method.ContainingType)) return null;
        if (method.Parameters.Any(p => !IsTensor(p.Type)))
            return $"Tensor operator {method.Name} with a {string.Join("/", method.Parameters.Where(p => !IsTensor(p.Type)).Select(p => p.Type.Name))} makes a Scalar inside TorchSharp; use OwnedScalarMath";
        if (method.Name == "op_Addition")
            return "Tensor + Tensor runs add(Tensor), which passes an implicit alpha Scalar; use OwnedScalarMath.Add";
        return null;
    }

    private static bool IsImplicitAlphaAdd(IMethodSymbol method) =>
        IsTensor(method.ContainingType) && method.Name is "add" or "add_" && method.Parameters.Length == 1;

    private static string? BannedReason(IMethodSymbol method)
    {
        string name = method.MethodKind == MethodKind.Constructor
            ? method.ContainingType.ToDisplayString() + "..ctor"
            : method.ContainingType.ToDisplayString() + "." + method.Name;
        return Banned.TryGetValue(name, out var reason) ? reason : null;
    }

    private static bool IsScalar(ITypeSymbol? type) => type?.ToDisplayString().TrimEnd('?') == "TorchSharp.Scalar";

    private static bool IsTensor(ITypeSymbol? type) => type?.ToDisplayString().TrimEnd('?') == "TorchSharp.torch.Tensor";

    private static string Shorten(string code)
    {
        var flat = string.Join(' ', code.Split((char[])['\r', '\n'], StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        return flat.Length <= 120 ? flat : flat[..117] + "...";
    }

    private static List<MetadataReference> References(string? excludeAssembly)
    {
        // The framework plus every assembly next to the tests (TorchSharp, ML.NET, ReId.MLNet …), except the one whose sources are scanned.
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => excludeAssembly is null || !Path.GetFileNameWithoutExtension(p).Equals(excludeAssembly, StringComparison.Ordinal))
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
}
